/* SPDX-License-Identifier: MIT
 *
 * guestfwd.c - see guestfwd.h.
 */
#include "gateway/nat/guestfwd.h"
#include "gateway/env.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define REAP_MS 1000
#define KILL_GRACE_MS 3000

extern char **environ;

int gw_guestfwd_check_dev(const char *dev, const char **why)
{
	struct gw_upstream up;

	if (!strncmp(dev, "tcp:", 4)) {
		if (gw_parse_upstream(dev + 4, &up) || !strchr(dev + 4, ':') ||
		    (dev[4] == '[' && !strstr(dev + 4, "]:"))) {
			*why = "tcp: wants a numeric HOST:PORT or [V6]:PORT";
			return -1;
		}
		return 0;
	}
	if (!strncmp(dev, "unix:", 5)) {
		if (!dev[5] || strlen(dev + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			*why = "unix: wants a socket path shorter than 108 bytes";
			return -1;
		}
		return 0;
	}
	if (!strncmp(dev, "cmd:", 4)) {
		if (!dev[4]) {
			*why = "cmd: wants a command";
			return -1;
		}
		return 0;
	}
	*why = "dev must be tcp:HOST:PORT, unix:PATH or cmd:COMMAND (no -chardev in vmwire)";
	return -1;
}

const struct gw_fwd *gw_guestfwd_match(const struct gw_config *cfg,
				       const union inany_addr *dst, uint16_t dport)
{
	for (unsigned i = 0; i < cfg->n_guestfwd; i++)
		if (inany_equals(&cfg->guestfwd[i].guest_addr, dst) &&
		    cfg->guestfwd[i].guest_port == dport)
			return &cfg->guestfwd[i];
	return NULL;
}

bool gw_guestfwd_is_server(const struct gw_config *cfg, uint32_t addr)
{
	for (unsigned i = 0; i < cfg->n_guestfwd; i++)
		if (inany_equals4(&cfg->guestfwd[i].guest_addr, addr))
			return true;
	return false;
}

bool gw_guestfwd_is_server6(const struct gw_config *cfg, const struct in6_addr *a)
{
	union inany_addr x = inany_from_in6(a);

	for (unsigned i = 0; i < cfg->n_guestfwd; i++)
		if (cfg->guestfwd[i].guest_v6 && inany_equals(&cfg->guestfwd[i].guest_addr, &x))
			return true;
	return false;
}

static void reap(void *ctx)
{
	struct gw_guestfwd *gf = ctx;
	uint64_t now = ev_loop_now(gf->env->loop);

	for (unsigned i = 0; i < GW_GUESTFWD_CHILDREN && gf->nkids; i++) {
		struct gw_guestfwd_child *k = &gf->kids[i];
		pid_t r;

		if (!k->pid)
			continue;
		r = waitpid(k->pid, NULL, WNOHANG);
		if (r == k->pid || (r < 0 && errno == ECHILD)) {
			k->pid = 0;
			gf->nkids--;
			continue;
		}
		if (!k->owned && now >= k->kill_at_ms) {
			kill(-k->pid, SIGKILL);
			k->kill_at_ms = now + KILL_GRACE_MS;
		}
	}
	if (gf->nkids)
		ev_timer_arm(gf->env->loop, &gf->reap, REAP_MS);
}

void gw_guestfwd_init(struct gw_guestfwd *gf, const struct gw_env *env)
{
	memset(gf, 0, sizeof(*gf));
	gf->env = env;
	ev_timer_init(&gf->reap, reap, gf);
}

void gw_guestfwd_fini(struct gw_guestfwd *gf)
{
	for (unsigned i = 0; i < GW_GUESTFWD_CHILDREN; i++) {
		struct gw_guestfwd_child *k = &gf->kids[i];

		if (!k->pid)
			continue;
		kill(-k->pid, SIGKILL);
		while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
			;
		k->pid = 0;
	}
	gf->nkids = 0;
	if (gf->env->loop)
		ev_timer_cancel(gf->env->loop, &gf->reap);
}

static int spawn_cmd(struct gw_guestfwd *gf, const char *cmd, uint32_t key)
{
	struct gw_guestfwd_child *k = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	int sv[2], e;
	pid_t pid;

	for (unsigned i = 0; i < GW_GUESTFWD_CHILDREN && !k; i++)
		if (!gf->kids[i].pid)
			k = &gf->kids[i];
	if (!k) {
		LOG_ONCE_FOR(&gf->logged, GUESTFWD_LOG_BUSY, LOG_LVL_WARN,
			     "-netdev user: guestfwd: %d commands running, refusing "
			     "more connections", GW_GUESTFWD_CHILDREN);
		errno = EAGAIN;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawnattr_init(&at);
	/* Our blocked signals (signalfd) and SIGPIPE ignored must not leak
	 * into the command; its own group lets us end its children too. */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	e = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	if (e) {
		close(sv[0]);
		gf->spawn_failed++;
		LOG_ONCE_FOR(&gf->logged, GUESTFWD_LOG_SPAWN, LOG_LVL_WARN,
			     "-netdev user: guestfwd cmd: %s", strerror(e));
		errno = e;
		return -1;
	}
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	k->pid = pid;
	k->key = key;
	k->owned = true;
	gf->nkids++;
	gf->spawned++;
	if (gf->env->loop && !gf->reap.armed)
		ev_timer_arm(gf->env->loop, &gf->reap, REAP_MS);
	return sv[0];
}

static int connect_to(int family, const struct sockaddr *sa, socklen_t sl)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, sa, sl) && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int gw_guestfwd_open(struct gw_guestfwd *gf, const struct gw_fwd *r, uint32_t key)
{
	const char *dev = r->dev;

	if (!strncmp(dev, "cmd:", 4))
		return spawn_cmd(gf, dev + 4, key);
	if (!strncmp(dev, "unix:", 5)) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if (strlen(dev + 5) >= sizeof(sun.sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(sun.sun_path, dev + 5, strlen(dev + 5));
		return connect_to(AF_UNIX, (struct sockaddr *)&sun, sizeof(sun));
	}
	if (!strncmp(dev, "tcp:", 4)) {
		struct gw_upstream up;

		if (gw_parse_upstream(dev + 4, &up)) {
			errno = EINVAL;
			return -1;
		}
		return connect_to(up.sa.ss_family, (struct sockaddr *)&up.sa, up.salen);
	}
	errno = EINVAL;
	return -1;
}

void gw_guestfwd_release(struct gw_guestfwd *gf, uint32_t key)
{
	for (unsigned i = 0; i < GW_GUESTFWD_CHILDREN; i++) {
		struct gw_guestfwd_child *k = &gf->kids[i];

		if (!k->pid || !k->owned || k->key != key)
			continue;
		k->owned = false;
		kill(-k->pid, SIGTERM);
		if (waitpid(k->pid, NULL, WNOHANG) == k->pid) {
			k->pid = 0;
			gf->nkids--;
			return;
		}
		k->kill_at_ms = ev_loop_now(gf->env->loop) + KILL_GRACE_MS;
		return;
	}
}
