/* SPDX-License-Identifier: MIT
 *
 * bridge_helper.h - "vmwire bridge-helper", a drop-in for qemu-bridge-helper.
 */
#ifndef VMWIRE_CONTROL_BRIDGE_HELPER_H
#define VMWIRE_CONTROL_BRIDGE_HELPER_H

/* argv[0] is "bridge-helper". Exit status: 0 the fd was sent, 1 failure,
 * 2 bad usage. */
int bridge_helper_main(int argc, char **argv);

#endif
