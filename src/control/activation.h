/* SPDX-License-Identifier: MIT
 *
 * activation.h - systemd socket activation and readiness.
 *
 * Theory of operation: under systemd (vmwire.socket, or
 * systemd-socket-activate) the listening sockets already exist when
 * vmwire starts, passed as fds 3.. with names (FileDescriptorName=).
 * The names say what each is: "monitor" and "qmp" are the control
 * sockets; any other stream socket is a stream netdev listening on that fd
 * (id = the name, "default" for systemd's "unknown"), exactly what
 * "-netdev stream,id=NAME,server=on,addr.type=fd,addr.str=FD" would give.
 * When the command line had no -netdev, the activated sockets replace the
 * default listener. Readiness and shutdown go to $NOTIFY_SOCKET
 * (Type=notify). libsystemd's sd_listen_fds_with_names() and sd_notify()
 * do the protocol; outside systemd both are no-ops.
 */
#ifndef VMWIRE_CONTROL_ACTIVATION_H
#define VMWIRE_CONTROL_ACTIVATION_H

#include <stddef.h>

struct cli;

/* Take the activated sockets into cli (phase one, after cli_parse()).
 * 0, or -1 with a one-line reason (an fd that is not a listening stream
 * socket, a name used twice). */
int activation_collect(struct cli *cli, char *err, size_t errlen);

/* "READY=1" (with a status line) / "STOPPING=1" to the service manager. */
void activation_ready(void);
void activation_stopping(void);

#endif
