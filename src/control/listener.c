/* SPDX-License-Identifier: MIT
 *
 * listener.c - see listener.h.
 */
#include "control/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A socket file left by a crashed vmwire would make bind() fail forever;
 * one that still accepts connections belongs to a live process and must
 * not be stolen.
 */
static int clear_stale(const char *opt, const char *path, const struct sockaddr_un *sun,
		       char *err, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s %s: exists and is not a socket", opt, path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s %s: socket: %s", opt, path, strerror(errno));
		return -1;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "%s %s: another process is listening there", opt, path);
		return -1;
	}
	if (unlink(path) < 0) {
		snprintf(err, errlen, "%s %s: can't remove stale socket: %s", opt, path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int control_listen(struct control_listener *l, const char *opt, const char *path, char *err,
		   size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int r;

	l->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s %s: path too long for a unix socket", opt, path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (clear_stale(opt, path, &sun, err, errlen) < 0)
		return -1;
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		snprintf(err, errlen, "%s %s: socket: %s", opt, path, strerror(errno));
		return -1;
	}
	/* Either socket can stop everything: owner only, from the first
	 * instant the file exists (chmod after bind would leave a window). */
	old = umask(0177);
	r = bind(l->fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0 || listen(l->fd, 16) < 0) {
		snprintf(err, errlen, "%s %s: can't listen: %s", opt, path, strerror(errno));
		close(l->fd);
		l->fd = -1;
		if (r == 0)
			unlink(path);
		return -1;
	}
	if (stat(path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	return 0;
}

int control_listen_fd(struct control_listener *l, const char *opt, int fd, char *err,
		      size_t errlen)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int fl;

	memset(l, 0, sizeof(*l));
	l->inherited = true;
	l->fd = -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "%s: fd %d: %s", opt, fd, strerror(errno));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 && sun.sun_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path))
		snprintf(l->path, sizeof(l->path), "%.*s",
			 (int)(len - offsetof(struct sockaddr_un, sun_path)), sun.sun_path);
	l->fd = fd;
	return 0;
}

int control_send_queued(int fd, const char *buf, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t n = send(fd, buf + *off, len - *off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -1;
		}
		*off += (size_t)n;
	}
	return 0;
}

void control_listener_close(struct control_listener *l)
{
	struct stat st;

	if (l->fd < 0)
		return;
	close(l->fd);
	l->fd = -1;
	if (l->inherited) /* systemd's file: it removes it */
		return;
	/* Only our own socket: someone may have replaced the file since. */
	if (stat(l->path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->path);
}
