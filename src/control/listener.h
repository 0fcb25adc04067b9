/* SPDX-License-Identifier: MIT
 *
 * listener.h - the control plane's private unix listening sockets (the
 * monitor, QMP): owner-only from the first instant, a stale socket file of
 * a crashed vmwire replaced, a live one never stolen, and on close only
 * our own file removed.
 */
#ifndef VMWIRE_CONTROL_LISTENER_H
#define VMWIRE_CONTROL_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/un.h>

struct control_listener {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	bool inherited; /* handed over (socket activation): never unlinked */
};

/* Listen on path (mode 0600, nonblocking). opt names the option in
 * errors ("-monitor"). 0, or -1 + err. */
int control_listen(struct control_listener *l, const char *opt, const char *path, char *err,
		   size_t errlen);

/* Adopt a listening socket someone else bound (systemd): nonblocking,
 * close-on-exec, its path for messages. 0, or -1 + err. */
int control_listen_fd(struct control_listener *l, const char *opt, int fd, char *err,
		      size_t errlen);

/* Send buf[*off..len) on a nonblocking control session without waiting;
 * *off advances. 0 (all sent, or the socket is full), -1 if the session
 * is over. The monitor and QMP both queue replies this way. */
int control_send_queued(int fd, const char *buf, size_t len, size_t *off);

/* Close, and unlink the file if it is still the one we bound. */
void control_listener_close(struct control_listener *l);

#endif
