/* SPDX-License-Identifier: MIT
 *
 * qmp_netdev.h - QAPI's Netdev object (netdev_add's arguments) turned into
 * the -netdev option string every netdev type already parses.
 *
 * Theory of operation: QEMU's QMP netdev_add takes the same keys as
 * -netdev, only as JSON: nested objects for dotted keys ("addr":{"type":
 * "unix"} is addr.type=unix), true/false for on/off, numbers for numbers,
 * and lists for repeatable keys (hostfwd: [{"str": RULE}] in QEMU 7, or
 * plain strings). Flattening into "type,key=value,..." (commas doubled, as
 * keyval wants) means a hot-plugged netdev is validated by exactly the
 * parser the command line uses: one set of keys, errors and defaults.
 */
#ifndef VMWIRE_CONTROL_QMP_NETDEV_H
#define VMWIRE_CONTROL_QMP_NETDEV_H

#include <stddef.h>

struct json_object;

/* Nesting below the top object that is accepted; deeper is an error. */
#define QMP_NETDEV_DEPTH_MAX 4

/* Write the option string for args (a JSON object) into out. 0, or -1
 * with a one-line reason in err (QEMU's "Parameter '...'" wording). */
int qmp_netdev_spec(struct json_object *args, char *out, size_t outlen, char *err,
		    size_t errlen);

#endif
