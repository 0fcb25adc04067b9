/* SPDX-License-Identifier: MIT
 *
 * host_addrs.c - rtnetlink address notifications into the policy's list
 * of host addresses, see host_addrs.h.
 */
#include "gateway/nat/host_addrs.h"
#include "core/log.h"
#include "gateway/config.h"
#include "gateway/nat/policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

/* Ask for every IPv4 address (after lost notifications). */
static void request_dump(struct gw_host_addrs *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++h->seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	if (mnl_socket_sendto(h->nl, nlh, nlh->nlmsg_len) < 0)
		warn("-netdev user: cannot re-read the host's addresses: %s", strerror(errno));
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if ((type == IFA_LOCAL || type == IFA_ADDRESS) &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct gw_host_addrs *h = data;
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	uint32_t addr;

	if ((nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET ||
	    mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb) != MNL_CB_OK)
		return MNL_CB_OK;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer's on a
	 * point-to-point link, and the address elsewhere. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return MNL_CB_OK;
	addr = ntohl(mnl_attr_get_u32(a));
	if (nlh->nlmsg_type == RTM_NEWADDR)
		gw_policy_add_local(h->policy, addr);
	else
		gw_policy_del_local(h->policy, addr);
	return MNL_CB_OK;
}

static void on_readable(void *ctx, uint32_t events)
{
	struct gw_host_addrs *h = ctx;
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (int budget = 16; budget; budget--) {
		ssize_t n = mnl_socket_recvfrom(h->nl, buf, sizeof(buf));

		if (n < 0) {
			if (errno == ENOBUFS)
				request_dump(h); /* notifications were lost */
			return;
		}
		/* seq 0 and portid 0: notifications and our dump alike. */
		mnl_cb_run(buf, (size_t)n, 0, 0, msg_cb, h);
	}
}

int gw_host_addrs_init(struct gw_host_addrs *h, struct gw_policy *policy, struct ev_loop *loop)
{
	memset(h, 0, sizeof(*h));
	h->policy = policy;
	h->loop = loop;
	/* slirp4netns's --disable-host-loopback (host_local_open) refuses only
	 * the host address itself: no list of host addresses to keep. */
	if (!loop || policy->cfg->host_loopback || policy->cfg->host_local_open)
		return 0;
	h->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!h->nl || mnl_socket_bind(h->nl, RTMGRP_IPV4_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
		warn("-netdev user: host-loopback=off: cannot watch the host's addresses (%s); "
		     "addresses added later are not refused", strerror(errno));
		if (h->nl)
			mnl_socket_close(h->nl);
		h->nl = NULL;
		return 0; /* the list read at start still holds */
	}
	ev_watch_init(&h->w, mnl_socket_get_fd(h->nl), on_readable, h);
	if (ev_watch_add(loop, &h->w, EPOLLIN)) {
		mnl_socket_close(h->nl);
		h->nl = NULL;
		return -1;
	}
	/* Anything added between getifaddrs() and the subscription. */
	request_dump(h);
	return 0;
}

void gw_host_addrs_fini(struct gw_host_addrs *h)
{
	if (!h->nl)
		return;
	ev_watch_del(h->loop, &h->w);
	mnl_socket_close(h->nl);
	h->nl = NULL;
}
