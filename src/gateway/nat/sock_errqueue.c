/* SPDX-License-Identifier: MIT
 *
 * sock_errqueue.c - see sock_errqueue.h.
 */
#include "gateway/nat/sock_errqueue.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define T_UNREACH 3
#define T_TIME_EXCEEDED 11
#define T6_UNREACH 1
#define T6_TOO_BIG 2
#define T6_TIME_EXCEEDED 3

void sock_errqueue_enable(int fd)
{
	int one = 1;

	/* Without it the gateway still works; the guest only misses errors. */
	(void)setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
}

void sock_errqueue_enable6(int fd)
{
	int one = 1;

	(void)setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
}

static bool kept(const struct sock_extended_err *ee, bool v6)
{
	if (ee->ee_origin == SO_EE_ORIGIN_LOCAL)
		return ee->ee_errno == EMSGSIZE;
	if (v6)
		return ee->ee_origin == SO_EE_ORIGIN_ICMP6 &&
		       (ee->ee_type == T6_UNREACH || ee->ee_type == T6_TOO_BIG ||
			ee->ee_type == T6_TIME_EXCEEDED);
	return ee->ee_origin == SO_EE_ORIGIN_ICMP &&
	       (ee->ee_type == T_UNREACH || ee->ee_type == T_TIME_EXCEEDED);
}

/* SO_EE_OFFENDER: the sockaddr right after the extended error, when the
 * message has one of the family we expect (local errors have none). */
static void offender(const struct cmsghdr *c, struct sock_icmp_err *e)
{
	size_t want = e->v6 ? sizeof(e->offender.sa6) : sizeof(e->offender.sa4);
	const uint8_t *p = CMSG_DATA(c) + sizeof(struct sock_extended_err);

	e->has_offender = false;
	if (e->local || c->cmsg_len < CMSG_LEN(sizeof(struct sock_extended_err) + want))
		return;
	memcpy(&e->offender, p, want);
	e->has_offender = e->offender.sa4.sin_family == (e->v6 ? AF_INET6 : AF_INET);
}

int sock_errqueue_read(int fd, void *buf, size_t size, struct sock_icmp_err *e)
{
	uint8_t ctl[512];
	struct iovec iov = { buf, size };
	struct msghdr m = { .msg_name = &e->to, .msg_namelen = sizeof(e->to), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t r;

	r = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (r < 0)
		return -1;
	/* A name the kernel did not fill (or a short one) is not an address. */
	if (m.msg_namelen >= sizeof(e->to.sa6) && e->to.sa6.sin6_family == AF_INET6)
		e->v6 = true;
	else if (m.msg_namelen >= sizeof(e->to.sa4) && e->to.sa4.sin_family == AF_INET)
		e->v6 = false;
	else
		return 0;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		struct sock_extended_err ee;

		if (!(e->v6 ? c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR
			    : c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    c->cmsg_len < CMSG_LEN(sizeof(ee)))
			continue;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		if (!kept(&ee, e->v6))
			continue;
		e->local = ee.ee_origin == SO_EE_ORIGIN_LOCAL;
		e->type = e->local ? (e->v6 ? T6_TOO_BIG : T_UNREACH) : ee.ee_type;
		e->code = e->local ? (e->v6 ? 0 : 4) : ee.ee_code; /* 4: frag needed */
		e->info = ee.ee_info;
		e->len = e->local ? 0 : (size_t)r;
		offender(c, e);
		return 1;
	}
	return 0;
}
