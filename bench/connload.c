/* SPDX-License-Identifier: MIT
 *
 * connload.c - the two TCP loads bench/nat.sh needs that wrk cannot make:
 * connections the client closes first, and many connections held open.
 *
 * Theory of operation: one thread, one epoll set, non-blocking sockets.
 *
 *   rate HOST PORT CONC SECS
 *       CONC slots, each in a loop: connect, send one HTTP/1.1 GET (keep-
 *       alive, so the server has no reason to close), read the response
 *       head and its Content-Length body, then close() first (the client's
 *       FIN leaves before the server's; TIME_WAIT lands on this side, as
 *       with a browser or a connection pool that drops a connection). After
 *       SECS seconds it prints "conn/s R errors E". wrk with "Connection:
 *       close" is the other case (the server closes first).
 *   hold HOST PORT N SECS
 *       opens N connections, at most 256 connects in flight, sends nothing,
 *       prints "held N" once all are established (or "held K of N" after
 *       120 s), then keeps them open SECS seconds or until SIGTERM.
 *
 * Why C: the peers' connection rates go from ~1k/s to ~20k/s (a veth);
 * a Python client would be the bottleneck at the top end on 2 shared cores.
 * Bounded in count and time: a run ends after SECS seconds.
 * Build: cc -O2 -o connload bench/connload.c (bench/nat.sh does it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_INFLIGHT 256
#define BUF 4096

struct slot {
	int fd;
	size_t got;  /* response bytes read so far */
	size_t need; /* head + body length once the head is complete, else 0 */
	char buf[BUF];
};

static struct sockaddr_storage dst;
static socklen_t dst_len;
static int ep;
static volatile sig_atomic_t stop;
static const char req[] = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int resolve(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	memcpy(&dst, ai->ai_addr, ai->ai_addrlen);
	dst_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A non-blocking connect to dst, registered for writability (connected). */
static int open_one(struct slot *s)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = s };
	int one = 1;

	s->fd = socket(dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->got = s->need = 0;
	if (connect(s->fd, (struct sockaddr *)&dst, dst_len) < 0 && errno != EINPROGRESS) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

static int connected(int fd)
{
	int err = 0;
	socklen_t l = sizeof(err);

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err == 0;
}

/* The response's total length once its head is in: head + Content-Length. */
static size_t response_len(const struct slot *s)
{
	const char *end = memmem(s->buf, s->got, "\r\n\r\n", 4), *cl;

	if (!end)
		return 0;
	cl = memmem(s->buf, (size_t)(end - s->buf), "Content-Length:", 15);
	return (size_t)(end + 4 - s->buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
}

/* One event of a rate slot: 1 when its request completed, -1 on an error,
 * 0 when it goes on waiting. */
static int rate_event(struct slot *s, uint32_t events)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };
	ssize_t r;

	if (events & EPOLLOUT) {
		if (!connected(s->fd) || write(s->fd, req, sizeof(req) - 1) != sizeof(req) - 1)
			return -1;
		return epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -1 : 0;
	}
	r = read(s->fd, s->buf + s->got, BUF - s->got);
	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r <= 0)
		return -1;
	s->got += (size_t)r;
	if (!s->need)
		s->need = response_len(s);
	if (s->need && s->got >= s->need)
		return 1;
	return s->got == BUF ? -1 : 0;
}

static int run_rate(int conc, double secs)
{
	struct slot *slots = calloc((size_t)conc, sizeof(*slots));
	struct epoll_event evs[64];
	unsigned long done = 0, errors = 0;
	double t0 = now_s(), t1 = t0 + secs;
	int i, n, rc;

	if (!slots)
		return 1;
	for (i = 0; i < conc; i++)
		if (open_one(&slots[i]) < 0)
			errors++;
	while (!stop && now_s() < t1) {
		n = epoll_wait(ep, evs, 64, 100);
		for (i = 0; i < n; i++) {
			struct slot *s = evs[i].data.ptr;

			rc = rate_event(s, evs[i].events);
			if (!rc)
				continue;
			if (rc > 0)
				done++;
			else
				errors++;
			close(s->fd); /* the client's FIN first */
			if (open_one(s) < 0)
				errors++;
		}
		/* slots whose socket() failed (ports, fds) try again */
		for (i = 0; i < conc; i++)
			if (slots[i].fd < 0 && open_one(&slots[i]) < 0)
				errors++;
	}
	printf("conn/s %.1f errors %lu\n", (double)done / (now_s() - t0), errors);
	return 0;
}

static int run_hold(int want, double secs)
{
	struct slot *slots = calloc((size_t)want, sizeof(*slots));
	struct epoll_event evs[64];
	int opened = 0, inflight = 0, up = 0, failed = 0, i, n;
	double t0 = now_s(), t1;

	if (!slots)
		return 1;
	while (!stop && up + failed < want && now_s() < t0 + 120) {
		while (opened < want && inflight < MAX_INFLIGHT) {
			if (open_one(&slots[opened++]) < 0)
				failed++;
			else
				inflight++;
		}
		n = epoll_wait(ep, evs, 64, 100);
		for (i = 0; i < n; i++) {
			struct slot *s = evs[i].data.ptr;

			inflight--;
			epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
			if (connected(s->fd)) {
				up++;
			} else {
				failed++;
				close(s->fd);
				s->fd = -1;
			}
		}
	}
	if (up == want)
		printf("held %d\n", up);
	else
		printf("held %d of %d\n", up, want);
	fflush(stdout);
	t1 = now_s() + secs;
	while (!stop && now_s() < t1)
		usleep(100000);
	return up == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	int n;

	if (argc != 6 || (strcmp(argv[1], "rate") && strcmp(argv[1], "hold"))) {
		fprintf(stderr, "usage: connload rate|hold HOST PORT N SECS\n");
		return 2;
	}
	n = atoi(argv[4]);
	if (n < 1 || resolve(argv[2], argv[3]) < 0) {
		fprintf(stderr, "connload: bad N or address\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* nsenter may fork: the script's kill reaches the wrapper, whose
	 * death must end us too (else a "hold" lingers for SECS) */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return 1;
	if (!strcmp(argv[1], "rate"))
		return run_rate(n, atof(argv[5]));
	return run_hold(n, atof(argv[5]));
}
