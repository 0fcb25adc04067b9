/* SPDX-License-Identifier: MIT
 *
 * rtnl.c - see rtnl.h.
 */
#include "ports/rtnl.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

int rtnl_open(struct rtnl *r)
{
	memset(r, 0, sizeof(*r));
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(r->nl);
		r->nl = NULL;
		return -e;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned)time(NULL);
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

static struct nlmsghdr *rtnl_msg(struct rtnl *r, void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

/* Send one request and read replies until its ACK or error. cb sees each
 * data message (may be NULL). */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		/* mnl_cb_run returns MNL_CB_STOP at the ACK and -1 with errno
		 * set from an NLMSG_ERROR. */
		ret = mnl_cb_run(buf, (size_t)n, seq, r->portid, cb, data);
		if (ret < 0)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

struct link_query {
	struct rtnl_link *out;
	bool found;
};

static int linkinfo_attr_cb(const struct nlattr *attr, void *data)
{
	struct rtnl_link *out = data;
	size_t n;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND) {
		n = mnl_attr_get_payload_len(attr);
		n = strnlen(mnl_attr_get_payload(attr), n);
		if (n < sizeof(out->kind)) {
			memcpy(out->kind, mnl_attr_get_payload(attr), n);
			out->kind[n] = '\0';
		}
	}
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct rtnl_link *out = data;

	if (mnl_attr_get_type(attr) == IFLA_MTU &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		out->mtu = mnl_attr_get_u32(attr);
	if (mnl_attr_get_type(attr) == IFLA_LINKINFO &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
		mnl_attr_parse_nested(attr, linkinfo_attr_cb, out);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_query *q = data;
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	q->out->ifindex = ifi->ifi_index;
	q->out->flags = ifi->ifi_flags;
	q->found = true;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, q->out);
	return MNL_CB_OK;
}

int rtnl_link_get(struct rtnl *r, const char *ifname, struct rtnl_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_query q = { .out = out };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret;

	if (strlen(ifname) >= IFNAMSIZ)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	nlh = rtnl_msg(r, buf, RTM_GETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	/* A GETLINK reply comes before the ACK when NLM_F_ACK is set. */
	ret = rtnl_talk(r, nlh, link_cb, &q);
	if (ret)
		return ret;
	return q.found ? 0 : -ENODEV;
}

int rtnl_link_set(struct rtnl *r, int ifindex, unsigned mtu, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_msg(r, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = IFF_UP;
	}
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_link_enslave(struct rtnl *r, int ifindex, int master, const uint8_t *mac,
		      unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_msg(r, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = IFF_UP;
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_link_set_hwaddr(struct rtnl *r, int ifindex, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_msg(r, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return rtnl_talk(r, nlh, NULL, NULL);
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

int rtnl_addr_add(struct rtnl *r, int ifindex, int family, const void *addr,
		  unsigned prefixlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int alen = addr_len(family);

	if (alen < 0 || prefixlen > (unsigned)alen * 8)
		return -EINVAL;
	nlh = rtnl_msg(r, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, (size_t)alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, (size_t)alen, addr);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_route_add(struct rtnl *r, int family, const void *dst, unsigned dst_len,
		   const void *gw, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int alen = addr_len(family);

	if (alen < 0 || dst_len > (unsigned)alen * 8 || (dst_len && !dst))
		return -EINVAL;
	nlh = rtnl_msg(r, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst_len)
		mnl_attr_put(nlh, RTA_DST, (size_t)alen, dst);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, (size_t)alen, gw);
	if (ifindex)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return rtnl_talk(r, nlh, NULL, NULL);
}

struct hwaddr_query {
	uint8_t *mac;
	int ret; /* -ENODEV until the link answered, then 0 or -EOPNOTSUPP */
};

static int hwaddr_attr_cb(const struct nlattr *attr, void *data)
{
	struct hwaddr_query *q = data;

	if (mnl_attr_get_type(attr) == IFLA_ADDRESS &&
	    mnl_attr_get_payload_len(attr) == 6) {
		memcpy(q->mac, mnl_attr_get_payload(attr), 6);
		q->ret = 0;
	}
	return MNL_CB_OK;
}

static int hwaddr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct hwaddr_query *q = data;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return MNL_CB_OK;
	q->ret = -EOPNOTSUPP;
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), hwaddr_attr_cb, q);
	return MNL_CB_OK;
}

int rtnl_link_hwaddr(struct rtnl *r, int ifindex, uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct hwaddr_query q = { .mac = mac, .ret = -ENODEV };
	struct nlmsghdr *nlh = rtnl_msg(r, buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	int ret;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ret = rtnl_talk(r, nlh, hwaddr_cb, &q);
	return ret ? ret : q.ret;
}

struct addr6_query {
	int ifindex;
	const uint8_t *prefix;
	unsigned plen;
	bool found;
};

static bool in_prefix(const uint8_t *a, const uint8_t *p, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	return !memcmp(a, p, full) &&
	       (!rest || !((a[full] ^ p[full]) & (uint8_t)(0xff00 >> rest)));
}

static int addr6_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr6_query *q = data;
	const struct ifaddrmsg *ifa;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET6 || (int)ifa->ifa_index != q->ifindex ||
	    ifa->ifa_flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) == IFA_ADDRESS && mnl_attr_get_payload_len(attr) == 16 &&
		    in_prefix(mnl_attr_get_payload(attr), q->prefix, q->plen))
			q->found = true;
	}
	return MNL_CB_OK;
}

int rtnl_addr6_ready(struct rtnl *r, int ifindex, const void *prefix, unsigned plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addr6_query q = { ifindex, prefix, plen > 128 ? 128 : plen, false };
	struct nlmsghdr *nlh = rtnl_msg(r, buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	int ret;

	/* A dump ends with NLMSG_DONE; no ACK asked, none left behind. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa->ifa_family = AF_INET6;
	ret = rtnl_talk(r, nlh, addr6_cb, &q);
	return ret ? ret : q.found;
}
