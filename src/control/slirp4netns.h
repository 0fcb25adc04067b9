/* SPDX-License-Identifier: MIT
 *
 * slirp4netns.h - "vmwire slirp4netns [OPTIONS] PID|PATH [TAPNAME]", also
 * what vmwire does when started under the name slirp4netns: a drop-in for
 * slirp4netns 1.2 as podman, buildah and rootlesskit run it, with vmwire's
 * user-mode gateway behind the namespace's TAP.
 */
#ifndef VMWIRE_CONTROL_SLIRP4NETNS_H
#define VMWIRE_CONTROL_SLIRP4NETNS_H

#include <stdio.h>

/* argv[0] is "slirp4netns" (either spelling). Returns the exit status: 0
 * after --exit-fd or a signal ended it, 1 on a bad option or a failed
 * setup (as slirp4netns). */
int slirp4netns_main(int argc, char **argv);

void slirp4netns_usage(FILE *out);

#endif
