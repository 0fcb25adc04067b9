/* SPDX-License-Identifier: MIT
 *
 * gateway.c - the gateway port and its frame dispatch, see gateway.h.
 *
 * Offload intake. A namespace or guest behind a TAP with offloads hands
 * the fabric TCP frames whose checksum is left to the receiver
 * (CHECKSUM_PARTIAL: csum_start/csum_offset, the field holding only the
 * pseudo-header sum) and 64 KiB TSO superframes. Without offload caps the
 * fabric would cut each superframe into wire segments and compute every
 * checksum, which we would then verify again and send() one segment at a
 * time: a third of the namespace -> host path. So the port takes checksum
 * offload and TCPv4 TSO (with ECN) whole through transmit_offload():
 *
 *  - the metadata is validated again (offload_validate(): offsets inside
 *    the frame, a GSO frame's headers really TCP over IPv4, gso_size
 *    sane) and must be something we advertised; anything else is dropped
 *    and counted (offload_bad);
 *  - after the usual IPv4 header checks, a frame whose checksum request
 *    is exactly its own TCP or UDP checksum (csum_start at the L4 header,
 *    offset 16 or 6, not a fragment, the datagram filling the frame so the
 *    sum would end where it does) is handed on with its checksum not
 *    verified: there is nothing computed to verify;
 *  - a TSO superframe must meet the same test, and its IPv4 total length
 *    must be exactly the frame's (a lie is ip_bad_len). It becomes ONE
 *    segment for the TCP engine: the first segment's sequence number, all
 *    of the payload, the header's flags, which are what the merged
 *    segments would carry together (tcp_gso_segment() gives FIN and PSH to
 *    the last segment, CWR to the first only). So one send() per
 *    superframe, and one ACK for it;
 *  - any other checksum request (ICMP, a fragment, offsets that point
 *    elsewhere) is completed in software into a scratch buffer, as the
 *    fabric would have done, and the frame goes on as a plain one, its
 *    checksums verified like any other. UDP segmentation and IPv6 TSO
 *    are not advertised: the fabric cuts those in software.
 *
 * Dispatch. After the checks above, a frame is described once (struct
 * gw_pkt) and offered to the service table (service.h): ARP, DHCP, DNS
 * and the ICMP responder say themselves what they answer, so this file
 * names no service port or address. What no service takes goes to the
 * UDP or ICMP NAT or the TCP engine. The clock is read once per loop
 * wakeup (ev_loop_now()) at the transmit entry and passed down as now.
 *
 * Start and teardown. gateway_new() fills one struct gw_env (env.h) and
 * runs the modules' init in the order of steps[]; on a failure, and in
 * gw_destroy(), the finis of the steps that ran are called in reverse.
 * Each module owns its fds and timers and releases them in its fini.
 */
#include "gateway/gateway.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/offload.h"
#include "core/port.h"
#include "gateway/env.h"
#include "gateway/services/arp.h"
#include "gateway/ip/checksum.h"
#include "gateway/services/dhcp.h"
#include "gateway/services/dns.h"
#include "gateway/nat/host_addrs.h"
#include "gateway/services/dns_records.h"
#include "gateway/nat/guestfwd.h"
#include "gateway/nat/hostfwd.h"
#include "gateway/services/icmp.h"
#include "gateway/services/icmp6.h"
#include "gateway/services/ndp.h"
#include "gateway/services/dhcpv6.h"
#include "gateway/ip/ipv6.h"
#include "gateway/nat/icmp_nat.h"
#include "gateway/ip/ip_reasm.h"
#include "gateway/pkt.h"
#include "gateway/nat/policy.h"
#include "gateway/quota.h"
#include "gateway/service.h"
#include "gateway/services/tftp.h"
#include "gateway/tcp/tcp.h"
#include "gateway/nat/udp_nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

/* What transmit_offload() takes whole (see the top). */
#define GW_OFFLOAD_CAPS (OFFLOAD_CAP_CSUM | OFFLOAD_CAP_TSO4 | OFFLOAD_CAP_TSO_ECN)

struct gateway {
	struct port port; /* first: container_of by cast */
	struct gw_config cfg; /* const to every module: see env.h */
	struct gw_stats stats;
	struct gw_env env;
	struct gw_services services;
	unsigned steps_done; /* steps[] initialised, torn down in reverse */
	struct gw_tx tx;
	struct gw_arp arp;
	struct gw_dhcp dhcp;
	struct gw_icmp icmp;
	struct gw_ndp ndp;
	struct gw_icmp6 icmp6;
	struct gw_dhcpv6 dhcpv6;
	struct gw_dns dns;
	struct gw_dnsrec records; /* dns-record=, dns-zone=, the control socket */
	struct gw_tftp tftp;
	struct gw_policy policy;
	struct gw_host_addrs host_addrs; /* keeps policy's host addresses current */
	struct gw_hostfwd hostfwd;
	struct gw_udp udp;
	struct gw_icmp_nat icmp_nat;
	struct gw_reasm reasm;
	struct gw_quota quota; /* before the tables: they register at init */
	struct ev_loop *loop;
	struct gw_tcp *tcp; /* NULL without a loop (frame tests) */
	/* Our MAC and addresses, which the switch pins to our port. */
	struct port_owned owned;
	/* A frame whose checksum request is not its own L4 checksum is
	 * completed here, then handled as a plain frame. */
	uint8_t scratch[FRAME_BUF_SIZE];
};

static bool is_ours(const struct gw_config *c, uint32_t ip)
{
	return ip == c->host || ip == c->dns;
}

/* Check the UDP header of a datagram at u (len bytes) and describe its
 * ports and payload in p; false (counted) when it is malformed. */
static bool udp_parse(struct gateway *gw, struct gw_pkt *p, const uint8_t *u, size_t len,
		      bool csum_partial)
{
	uint16_t ulen;

	if (len < UDP_HDR_LEN) {
		gw->stats.udp_truncated++;
		return false;
	}
	ulen = rd16be(u + 4);
	if (ulen < UDP_HDR_LEN || ulen > len) {
		gw->stats.udp_bad_len++;
		return false;
	}
	if (!csum_partial && rd16be(u + 6) && csum_l4_ipv4(p->src, p->dst, IPPROTO_UDP_, u, ulen)) {
		gw->stats.udp_bad_csum++;
		return false;
	}
	p->sport = rd16be(u);
	p->dport = rd16be(u + 2);
	p->data = u + UDP_HDR_LEN;
	p->data_len = ulen - UDP_HDR_LEN;
	return true;
}

static void eth_input(struct gateway *gw, const uint8_t *f, size_t len,
		      const struct frame_offload *m, uint64_t now);

/* A checksum request that is not simply "this segment's L4 checksum":
 * complete it where it says, as the fabric's software fallback would, and
 * handle the result as a plain frame (whose checksums are then verified). */
static void complete_plain(struct gateway *gw, const uint8_t *f, size_t len,
			   const struct frame_offload *m, uint64_t now)
{
	if (m->gso_type != OFFLOAD_GSO_NONE || len > sizeof(gw->scratch)) {
		gw->stats.offload_bad++;
		return;
	}
	memcpy(gw->scratch, f, len);
	if (!offload_csum_complete(m, gw->scratch, len)) {
		gw->stats.offload_bad++;
		return;
	}
	eth_input(gw, gw->scratch, len, NULL, now);
}

/* Does validated metadata ask for exactly this datagram's TCP or UDP
 * checksum? The sum runs from csum_start to the end of the frame, so the
 * datagram must fill it, and a fragment's checksum is not its own. */
static bool csum_is_own_l4(const struct frame_offload *m, const uint8_t *ip, size_t ihl,
			   size_t tot, size_t avail)
{
	unsigned at = ip[9] == IPPROTO_TCP ? 16 : ip[9] == IPPROTO_UDP_ ? 6 : 0;

	return at && m->flags & OFFLOAD_F_CSUM && tot == avail &&
	       !(rd16be(ip + 6) & (IP_MF | IP_OFFMASK)) && m->csum_start == ETH_HDR_LEN + ihl &&
	       m->csum_offset == at;
}

static void ipv4_input(struct gateway *gw, const uint8_t *f, size_t len,
		       const struct frame_offload *m, uint64_t now)
{
	unsigned how = 0;
	const struct gw_config *c = &gw->cfg;
	const uint8_t *ip = f + ETH_HDR_LEN;
	size_t avail = len - ETH_HDR_LEN, ihl, tot, l4len;
	struct gw_pkt p;
	const uint8_t *l4;
	uint32_t src, dst;
	uint16_t frag;

	if (avail < IP_HDR_LEN) {
		gw->stats.ip_truncated++;
		return;
	}
	if (ip[0] >> 4 != 4) {
		gw->stats.ip_bad_version++;
		return;
	}
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < IP_HDR_LEN) {
		gw->stats.ip_bad_ihl++;
		return;
	}
	if (ihl > avail) {
		gw->stats.ip_truncated++;
		return;
	}
	tot = rd16be(ip + 2);
	if (tot < ihl || tot > avail) { /* less is Ethernet padding: trimmed */
		gw->stats.ip_bad_len++;
		return;
	}
	if (csum(ip, ihl)) {
		gw->stats.ip_bad_csum++;
		return;
	}
	if (m && !csum_is_own_l4(m, ip, ihl, tot, avail)) {
		if (m->gso_type == OFFLOAD_GSO_NONE)
			complete_plain(gw, f, len, m, now);
		else if (tot != avail)
			gw->stats.ip_bad_len++; /* a superframe's length must be exact */
		else
			gw->stats.offload_bad++;
		return;
	}
	if (m)
		how = m->gso_type == OFFLOAD_GSO_TCPV4 ? GW_TCP_IN_GSO : GW_TCP_IN_CSUM_PARTIAL;
	l4 = ip + ihl;
	l4len = tot - ihl;
	frag = rd16be(ip + 6);
	if (frag & (IP_MF | IP_OFFMASK)) {
		gw->stats.ip_fragments++;
		/* The whole datagram, once complete, goes on as if unfragmented. */
		if (!(l4 = gw_reasm_input(&gw->reasm, ip, ihl, tot, now, &l4len)))
			return;
	}
	src = rd32be(ip + 12);
	dst = rd32be(ip + 16);
	if ((src >> 28) >= 14 || is_ours(c, src) || (src && (src & 0xff000000) == 0x7f000000)) {
		gw->stats.ip_bad_src++; /* multicast, class E, broadcast, spoofed us */
		return;
	}
	if (c->source_guard_strict && src && gw_dhcp_lookup(&gw->dhcp, eth_src(f)) != src) {
		gw->stats.ip_spoofed++; /* not the address this MAC was leased */
		return;
	}
	gw_arp_learn_ip(&gw->arp, src, eth_src(f), now);
	/* A router's check: what it would forward must have a hop left. */
	if (ip[8] <= 1 && gw_icmp_is_routed(c, dst)) {
		gw_icmp_time_exceeded(&gw->icmp, eth_src(f), src, ip, ihl, l4, l4len, now);
		return;
	}
	if (c->restrict_ && dst == 0xffffffff && ip[9] != IPPROTO_UDP_) {
		gw->stats.ip_restricted++;
		return;
	}
	p = (struct gw_pkt){ .frame = f, .frame_len = len, .ethertype = ETHERTYPE_IPV4,
			     .smac = eth_src(f), .src = src, .dst = dst, .proto = ip[9],
			     .l4 = l4, .l4_len = l4len };
	if (ip[9] == IPPROTO_UDP_ && !udp_parse(gw, &p, l4, l4len, how != 0))
		return;
	if (gw_services_input(&gw->services, &p, now))
		return;
	if (ip[9] == IPPROTO_UDP_) {
		/* The NAT keys on inany addresses (core/inany.h). */
		union inany_addr src_a = inany_from_ip4(src), dst_a = inany_from_ip4(dst);

		if (!src)
			gw->stats.ip_bad_src++; /* 0.0.0.0 is only good for DHCP */
		else
			gw_udp_input(&gw->udp, &src_a, p.sport, &dst_a, p.dport, p.data,
				     p.data_len, ip[8], now);
		return;
	}
	if (ip[9] == IPPROTO_TCP && gw->tcp) {
		gw_tcp_input(gw->tcp, eth_src(f), src, dst, l4, l4len, how, now);
		return;
	}
	if (ip[9] == IPPROTO_ICMP_ && src) {
		gw_icmp_nat_input(&gw->icmp_nat, src, dst, l4, l4len, now);
		return;
	}
	if (c->restrict_ && (dst & c->mask) != c->net) {
		gw->stats.ip_restricted++;
		return;
	}
	gw->stats.ip_unhandled++;
}

/* Is the IPv6 destination one the gateway takes: its own addresses, the
 * all-nodes/all-routers groups, the DHCPv6 servers' group, the
 * solicited-node groups of its addresses and of guestfwd servers', or
 * unicast beyond the LAN (NAT)? Other groups and other guests are not
 * ours. */
static bool ip6_dst_ok(const struct gw_config *c, const struct in6_addr *dst)
{
	const struct gw_config6 *v6 = &c->v6;
	struct in6_addr sn;

	if (!ip6_is_multicast(dst))
		return !IN6_IS_ADDR_LINKLOCAL(dst) || gw_config6_is_ours(v6, dst);
	if (dst->s6_addr[1] != 2) /* link-local scope only */
		return false;
	if (!memcmp(dst->s6_addr + 2, "\0\0\0\0\0\0\0\0\0\0\0\0\0", 13) &&
	    (dst->s6_addr[15] == 1 || dst->s6_addr[15] == 2))
		return true;
	/* ff02::1:2, All_DHCP_Relay_Agents_and_Servers */
	if (!memcmp(dst->s6_addr + 2, "\0\0\0\0\0\0\0\0\0\0\0\1\0\2", 14))
		return true;
	ip6_solicited_node(&sn, &v6->host);
	if (!memcmp(&sn, dst, 16))
		return true;
	ip6_solicited_node(&sn, &v6->dns);
	if (!memcmp(&sn, dst, 16))
		return true;
	for (unsigned i = 0; i < c->n_guestfwd; i++) {
		if (!c->guestfwd[i].guest_v6)
			continue;
		ip6_solicited_node(&sn, &c->guestfwd[i].guest_addr.a6);
		if (!memcmp(&sn, dst, 16))
			return true;
	}
	return false;
}

static void ip6_count(struct gw_stats *st, enum gw_ip6_verdict v)
{
	switch (v) {
	case IP6_TRUNCATED:
		st->ip6_truncated++;
		break;
	case IP6_BAD_VERSION:
		st->ip_bad_version++;
		break;
	case IP6_BAD_LEN:
		st->ip6_bad_len++;
		break;
	case IP6_EXT_TOO_MANY:
		st->ip6_ext_too_many++;
		break;
	case IP6_EXT_BAD:
		st->ip6_ext_bad++;
		break;
	case IP6_NO_NEXT:
		st->ip6_no_next++;
		break;
	case IP6_OK:
		break;
	}
}

/* A real fragment: into the shared reassembly; the whole datagram, once
 * complete, has the rest of its chain walked like an unfragmented one.
 * NULL until then or when dropped (counted). */
static const uint8_t *ip6_reassemble(struct gateway *gw, struct gw_ip6 *h, const uint8_t *ip,
				     size_t *l4len, uint64_t now)
{
	const uint8_t *frag = ip + IP6_HDR_LEN + h->ext.off;
	struct gw_ip6_ext e;
	const uint8_t *d;
	size_t len;
	enum gw_ip6_verdict v;

	gw->stats.ip6_fragments++;
	d = gw_reasm_input6(&gw->reasm, &h->src, &h->dst, h->ext.frag_id, h->ext.proto,
			    h->ext.frag_off, h->ext.frag_more, frag, h->payload_len - h->ext.off,
			    IP6_HDR_LEN + h->ext.frag_hdr_off + 8, now, &len);
	if (!d)
		return NULL;
	if ((v = gw_ip6_walk(h->ext.proto, d, len, false, &e)) != IP6_OK || e.fragment) {
		ip6_count(&gw->stats, v == IP6_OK ? IP6_EXT_BAD : v);
		return NULL;
	}
	h->ext.proto = e.proto;
	h->ext.n_ext += e.n_ext;
	*l4len = len - e.off;
	return d + e.off;
}

static void ipv6_input(struct gateway *gw, const uint8_t *f, size_t len, uint64_t now)
{
	const struct gw_config6 *v6 = &gw->cfg.v6;
	const uint8_t *ip = f + ETH_HDR_LEN, *l4;
	enum gw_ip6_verdict v;
	struct gw_ip6 h;
	struct gw_pkt p;
	size_t l4len;

	if (!v6->on) {
		gw->stats.ip6_off++;
		return;
	}
	if ((v = gw_ip6_parse(ip, len - ETH_HDR_LEN, &h)) != IP6_OK) {
		ip6_count(&gw->stats, v);
		return;
	}
	/* Never an answer to a group, a loopback or v4-mapped source, nor to
	 * one claiming to be us (RFC 4443 2.4 e). :: is only for NDP. */
	if (ip6_is_multicast(&h.src) || IN6_IS_ADDR_LOOPBACK(&h.src) ||
	    IN6_IS_ADDR_V4MAPPED(&h.src) || gw_config6_is_ours(v6, &h.src) ||
	    gw_guestfwd_is_server6(&gw->cfg, &h.src) ||
	    (IN6_IS_ADDR_UNSPECIFIED(&h.src) && h.ext.proto != IP6_NH_ICMPV6)) {
		gw->stats.ip6_bad_src++;
		return;
	}
	if (!ip6_dst_ok(&gw->cfg, &h.dst)) {
		gw->stats.ip6_not_for_us++;
		return;
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&h.src) && !gw_ndp_learn(&gw->ndp, &h.src, eth_src(f), now))
		return; /* another port's address (counted in ndp_spoofed) */
	/* A router's check, per fragment: what it would forward must have a
	 * hop left. */
	if (h.hop_limit <= 1 && gw_icmp6_is_routed(&gw->cfg, &h.dst)) {
		gw_icmp6_time_exceeded(&gw->icmp, eth_src(f), &h, ip, now);
		return;
	}
	l4 = ip + IP6_HDR_LEN + h.ext.off;
	l4len = h.payload_len - h.ext.off;
	if (h.ext.fragment && !(l4 = ip6_reassemble(gw, &h, ip, &l4len, now)))
		return;
	p = (struct gw_pkt){ .frame = f, .frame_len = len, .ethertype = ETHERTYPE_IPV6,
			     .smac = eth_src(f), .proto = h.ext.proto, .l4 = l4, .l4_len = l4len,
			     .ip6 = &h };
	if (p.proto == IPPROTO_UDP_) {
		uint16_t ulen = l4len >= UDP_HDR_LEN ? rd16be(l4 + 4) : 0;

		if (l4len < UDP_HDR_LEN || ulen < UDP_HDR_LEN || ulen > l4len) {
			gw->stats.udp_bad_len++;
			return;
		}
		/* A zero checksum is not allowed over IPv6 (RFC 8200 8.1). */
		if (!rd16be(l4 + 6) ||
		    csum_l4_ipv6(h.src.s6_addr, h.dst.s6_addr, IPPROTO_UDP_, l4, ulen)) {
			gw->stats.udp6_bad_csum++;
			return;
		}
		p.sport = rd16be(l4);
		p.dport = rd16be(l4 + 2);
		p.data = l4 + UDP_HDR_LEN;
		p.data_len = ulen - UDP_HDR_LEN;
	}
	if (gw_services_input(&gw->services, &p, now))
		return;
	if (ip6_is_multicast(&h.dst)) {
		gw->stats.ip6_unhandled++; /* no group service of ours takes it */
		return;
	}
	if (p.proto == IPPROTO_UDP_) {
		union inany_addr src_a = inany_from_in6(&h.src), dst_a = inany_from_in6(&h.dst);

		gw_udp_input(&gw->udp, &src_a, p.sport, &dst_a, p.dport, p.data, p.data_len,
			     h.hop_limit, now);
		return;
	}
	if (p.proto == IPPROTO_TCP && gw->tcp) {
		union inany_addr src_a = inany_from_in6(&h.src), dst_a = inany_from_in6(&h.dst);

		/* tcp_seg_parse() checks the checksum (IPv6 pseudo-header). */
		gw_tcp_input6(gw->tcp, eth_src(f), &src_a, &dst_a, l4, l4len, now);
		return;
	}
	if (p.proto == IP6_NH_ICMPV6) {
		/* Echo to the outside (restrict=, egress: the NAT's policy). */
		gw_icmp_nat_input6(&gw->icmp_nat, &h.src, &h.dst, l4, l4len, now);
		return;
	}
	if (gw->cfg.restrict_) {
		gw->stats.ip6_restricted++;
		return;
	}
	gw->stats.ip6_unhandled++;
}

/* A frame for us; m: validated offload metadata of a frame taken whole,
 * NULL for a plain frame. */
static void eth_input(struct gateway *gw, const uint8_t *f, size_t len,
		      const struct frame_offload *m, uint64_t now)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct gw_pkt p;
	uint16_t type;

	if (len < ETH_HDR_LEN) {
		gw->stats.ip_truncated++;
		return;
	}
	/* The switch floods unknown unicast to us too: not an error. IPv6
	 * multicast (33:33:...) is sorted out by address in ipv6_input(). */
	if (memcmp(eth_dst(f), gw->cfg.mac, 6) && memcmp(eth_dst(f), bcast, 6) &&
	    (eth_dst(f)[0] != 0x33 || eth_dst(f)[1] != 0x33)) {
		gw->stats.not_for_us++;
		return;
	}
	if (mac_is_multicast(eth_src(f))) {
		gw->stats.not_for_us++;
		return;
	}
	type = rd16be(f + 12);
	if (type == ETHERTYPE_IPV4) {
		ipv4_input(gw, f, len, m, now);
		return;
	}
	if (m) {
		complete_plain(gw, f, len, m, now);
		return;
	}
	if (type == ETHERTYPE_IPV6) {
		ipv6_input(gw, f, len, now);
		return;
	}
	p = (struct gw_pkt){ .frame = f, .frame_len = len, .ethertype = type,
			     .smac = eth_src(f) };
	if (!gw_services_input(&gw->services, &p, now))
		gw->stats.bad_ethertype++;
}

static bool gw_transmit(struct port *port, const uint8_t *f, size_t len)
{
	struct gateway *gw = (struct gateway *)port;

	gw->stats.frames_in++;
	gw_quota_frame(&gw->quota, eth_src(f));
	eth_input(gw, f, len, NULL, ev_loop_now(gw->loop));
	gw_quota_frame(&gw->quota, NULL); /* what follows is the host side's */
	return true;
}

/* A frame with offload metadata the fabric validated and our caps cover.
 * Checked again all the same (a header parse): whatever hands us frames,
 * a lie must end here as a counted drop, not as an overread. */
static bool gw_transmit_offload(struct port *port, const struct frame_offload *meta,
				const uint8_t *f, size_t len)
{
	struct gateway *gw = (struct gateway *)port;
	struct frame_offload m;

	if (!offload_active(meta))
		return gw_transmit(port, f, len);
	gw->stats.frames_in++;
	m = *meta;
	if (len < FRAME_MIN || len > FRAME_MAX || offload_validate(&m, f, len) != OFFLOAD_OK ||
	    offload_needs(&m) & ~(uint32_t)GW_OFFLOAD_CAPS) {
		gw->stats.offload_bad++; /* taken, and dropped as ours to count */
		return true;
	}
	gw_quota_frame(&gw->quota, eth_src(f));
	eth_input(gw, f, len, &m, ev_loop_now(gw->loop));
	gw_quota_frame(&gw->quota, NULL);
	return true;
}

/* The fabric has room again towards a guest the TCP engine waited for. */
static void gw_resume(struct port *port)
{
	gw_tcp_resume(((struct gateway *)port)->tcp);
}

/* The port behind station left the switch: its flows go now. */
static void gw_station_left(struct port *port, uint32_t station)
{
	gw_quota_left(&((struct gateway *)port)->quota, station);
}

static void gw_describe(const struct port *port, char *buf, size_t size)
{
	const struct gateway *gw = (const struct gateway *)port;
	const struct gw_config *c = &gw->cfg;
	char mac[18];

	/* After the kind, "user": "gw: user, net=...". */
	snprintf(buf, size, "net=%u.%u.%u.%u/%d host=%u.%u.%u.%u mac=%s%s",
		 c->net >> 24, c->net >> 16 & 0xff, c->net >> 8 & 0xff, c->net & 0xff,
		 __builtin_popcount(c->mask), c->host >> 24, c->host >> 16 & 0xff,
		 c->host >> 8 & 0xff, c->host & 0xff, mac_format(c->mac, mac),
		 c->restrict_ ? " restrict" : "");
}

/* ---- start and teardown: one step per module, in dependency order ---- */

static int tx_init(struct gateway *gw)
{
	return gw_tx_init(&gw->tx, ETH_HDR_LEN + gw->cfg.mtu, &gw->port, gw->loop, &gw->stats);
}

static void tx_fini(struct gateway *gw)
{
	gw_tx_fini(&gw->tx);
}

/* A service's init result: registered, or torn down again. */
static int service_add(struct gateway *gw, int rc, const struct gw_service *ops, void *svc)
{
	if (rc)
		return -1;
	if (gw_services_add(&gw->services, ops, svc)) {
		if (ops->fini)
			ops->fini(svc);
		return -1;
	}
	return 0;
}

/* The table at its full size, with the records of the command line and
 * the zone file (checked at parse time; read now, as it is at start). */
static int records_init(struct gateway *gw)
{
	const struct gw_config *c = &gw->cfg;
	char err[512];
	unsigned i;

	if (gw_dnsrec_init(&gw->records, c->max_dns_records))
		return -1;
	for (i = 0; i < c->n_dns_records; i++)
		if (gw_dnsrec_add(&gw->records, c->dns_records[i].name, &c->dns_records[i].addr,
				  err, sizeof(err)) < 0)
			goto fail;
	if (c->dns_zone[0] && gw_dnsrec_load_zone(&gw->records, c->dns_zone, err,
						  sizeof(err)) < 0)
		goto fail;
	return 0;
fail:
	warn("-netdev user: dns-zone/dns-record: %s", err);
	gw_dnsrec_fini(&gw->records);
	errno = EINVAL;
	return -1;
}

static void records_fini(struct gateway *gw)
{
	gw_dnsrec_fini(&gw->records);
}

/* The table's order is the dispatch order; a service registered later
 * (TFTP, NDP) is one more line here. */
static int services_init(struct gateway *gw)
{
	gw_services_init(&gw->services, gw->loop);
	gw_icmp_init(&gw->icmp, &gw->env);
	if (service_add(gw, gw_arp_init(&gw->arp, &gw->env), &gw_arp_service, &gw->arp) ||
	    service_add(gw, gw_dhcp_init(&gw->dhcp, &gw->env), &gw_dhcp_service, &gw->dhcp) ||
	    service_add(gw, 0, &gw_icmp_service, &gw->icmp) ||
	    service_add(gw, gw_dns_init(&gw->dns, &gw->env), &gw_dns_service, &gw->dns) ||
	    service_add(gw, gw_tftp_init(&gw->tftp, &gw->env), &gw_tftp_service, &gw->tftp) ||
	    service_add(gw, gw_ndp_init(&gw->ndp, &gw->env), &gw_ndp_service, &gw->ndp) ||
	    (gw_icmp6_init(&gw->icmp6, &gw->env),
	     service_add(gw, 0, &gw_icmp6_service, &gw->icmp6)) ||
	    service_add(gw, gw_dhcpv6_init(&gw->dhcpv6, &gw->env), &gw_dhcpv6_service,
			&gw->dhcpv6)) {
		gw_services_fini(&gw->services);
		return -1;
	}
	return 0;
}

static void services_fini(struct gateway *gw)
{
	gw_services_fini(&gw->services);
}

static int policy_init(struct gateway *gw)
{
	gw_policy_init(&gw->policy, &gw->cfg);
	return 0;
}

static int host_addrs_init(struct gateway *gw)
{
	return gw_host_addrs_init(&gw->host_addrs, &gw->policy, gw->loop);
}

static void host_addrs_fini(struct gateway *gw)
{
	gw_host_addrs_fini(&gw->host_addrs);
}

static int hostfwd_init(struct gateway *gw)
{
	return gw_hostfwd_init(&gw->hostfwd, &gw->env);
}

static void hostfwd_fini(struct gateway *gw)
{
	gw_hostfwd_fini(&gw->hostfwd);
}

static int udp_init(struct gateway *gw)
{
	return gw_udp_init(&gw->udp, &gw->env);
}

static void udp_fini(struct gateway *gw)
{
	gw_udp_fini(&gw->udp);
}

static int icmp_nat_init(struct gateway *gw)
{
	gw_icmp_nat_init(&gw->icmp_nat, &gw->env);
	return 0;
}

static void icmp_nat_fini(struct gateway *gw)
{
	gw_icmp_nat_fini(&gw->icmp_nat);
}

static int reasm_init(struct gateway *gw)
{
	if (gw_reasm_init(&gw->reasm, gw->cfg.max_frags, &gw->stats))
		return -1;
	gw_reasm_set_quota(&gw->reasm, &gw->quota);
	return 0;
}

static void reasm_fini(struct gateway *gw)
{
	gw_reasm_fini(&gw->reasm);
}

/* Without a loop (frame tests) there is no TCP engine. */
static int tcp_init(struct gateway *gw)
{
	return gw->loop && !(gw->tcp = gw_tcp_new(&gw->env)) ? -1 : 0;
}

static void tcp_fini(struct gateway *gw)
{
	gw_tcp_free(gw->tcp);
	gw->tcp = NULL;
}

static const struct {
	int (*init)(struct gateway *gw);
	void (*fini)(struct gateway *gw); /* NULL: nothing to release */
} steps[] = {
	{ tx_init, tx_fini },
	{ records_init, records_fini },
	{ services_init, services_fini },
	{ policy_init, NULL },
	{ host_addrs_init, host_addrs_fini },
	{ hostfwd_init, hostfwd_fini },
	{ udp_init, udp_fini },
	{ icmp_nat_init, icmp_nat_fini },
	{ reasm_init, reasm_fini },
	{ tcp_init, tcp_fini },
};

static void gw_destroy(struct port *port)
{
	struct gateway *gw = (struct gateway *)port;

	while (gw->steps_done) {
		unsigned i = --gw->steps_done;

		if (steps[i].fini)
			steps[i].fini(gw);
	}
	free(gw);
}

static const struct port_ops gw_ops = {
	.kind = "user",
	.transmit = gw_transmit,
	.describe = gw_describe,
	.destroy = gw_destroy,
	.transmit_offload = gw_transmit_offload,
	.resume = gw_resume,
	.station_left = gw_station_left,
};

struct gateway *gateway_new(const struct gw_config *cfg, const char *id,
			    struct ev_loop *loop)
{
	struct gateway *gw = calloc(1, sizeof(*gw));

	if (!gw)
		return NULL;
	port_init(&gw->port, &gw_ops, id);
	gw->port.offload_caps = GW_OFFLOAD_CAPS;
	gw->cfg = *cfg;
	gw->loop = loop;
	/* No guest may send from our MAC or claim our addresses in ARP:
	 * the switch drops those before any other guest sees them. */
	memcpy(gw->owned.mac, gw->cfg.mac, 6);
	gw->owned.ipv4[gw->owned.n_ipv4++] = gw->cfg.host;
	if (gw->cfg.dns != gw->cfg.host)
		gw->owned.ipv4[gw->owned.n_ipv4++] = gw->cfg.dns;
	if (gw->cfg.v6.on) {
		const struct in6_addr *a6[] = { &gw->cfg.v6.host, &gw->cfg.v6.dns,
						&gw->cfg.v6.host_ll, &gw->cfg.v6.dns_ll };

		_Static_assert(PORT_OWNED_IPS >= 4, "room for the four IPv6 addresses");
		for (unsigned i = 0; i < 4; i++)
			memcpy(gw->owned.ipv6[gw->owned.n_ipv6++], a6[i], 16);
	}
	gw->port.owned = &gw->owned;
	gw->env = (struct gw_env){
		.cfg = &gw->cfg, .stats = &gw->stats, .tx = &gw->tx, .arp = &gw->arp, .dhcp = &gw->dhcp,
		.dhcpv6 = &gw->dhcpv6,
		.policy = &gw->policy, .hostfwd = &gw->hostfwd, .dns = &gw->dns,
		.records = &gw->records,
		.services = &gw->services, .port = &gw->port, .loop = loop, .ndp = &gw->ndp,
		.quota = &gw->quota,
	};
	gw_quota_init(&gw->quota, &gw->port, gw->cfg.quota);
	for (; gw->steps_done < sizeof(steps) / sizeof(steps[0]); gw->steps_done++) {
		if (steps[gw->steps_done].init(gw)) {
			int e = errno;

			gw_destroy(&gw->port);
			errno = e;
			return NULL;
		}
	}
	return gw;
}

struct port *gateway_port(struct gateway *gw)
{
	return &gw->port;
}

void gateway_flush(struct gateway *gw)
{
	gw_tx_flush(&gw->tx);
}

const struct gw_stats *gateway_stats(const struct gateway *gw)
{
	return &gw->stats;
}

const struct gw_tcp_stats *gateway_tcp_stats(const struct gateway *gw)
{
	return gw->tcp ? gw_tcp_stats(gw->tcp) : NULL;
}

const uint8_t *gateway_ndp_lookup(const struct gateway *gw, const struct in6_addr *a)
{
	return gw_ndp_lookup(&gw->ndp, a);
}

uint32_t gateway_lease_of(const struct gateway *gw, const uint8_t *mac)
{
	return gw_dhcp_lookup(&gw->dhcp, mac);
}

void gateway_walk_leases(const struct gateway *gw,
			 void (*fn)(void *ctx, const struct gw_lease *l, bool is_static), void *ctx)
{
	gw_dhcp_walk(&gw->dhcp, fn, ctx);
}

uint64_t gateway_now(const struct gateway *gw)
{
	return ev_loop_now(gw->env.loop);
}

void gateway_service_sweep(struct gateway *gw, uint64_t now_ms)
{
	gw_services_sweep(&gw->services, now_ms);
}

void gateway_dns_sweep(struct gateway *gw, uint64_t now_ms)
{
	gateway_service_sweep(gw, now_ms);
}

struct gw_services *gateway_services(struct gateway *gw)
{
	return &gw->services;
}

void gateway_info(const struct gateway *gw, FILE *out)
{
	uint64_t now = ev_loop_now(gw->loop);

	gw_services_info(&gw->services, now, out);
	gw_dnsrec_info(&gw->records, out);
	gw_dhcp_info_names(&gw->dhcp, now, out);
}

void gateway_walk_counters(const struct gateway *gw, gw_counter_fn fn, void *ctx)
{
#define GW_WALK_STAT(name) fn(ctx, #name, gw->stats.name);
	GW_STATS(GW_WALK_STAT)
#undef GW_WALK_STAT
	gw_quota_counters(&gw->quota, fn, ctx);
	gw_services_counters(&gw->services, fn, ctx);
}

void gateway_nat_sweep(struct gateway *gw, uint64_t now_ms)
{
	gw_udp_sweep(&gw->udp, now_ms);
	gw_icmp_nat_sweep(&gw->icmp_nat, now_ms);
	gw_reasm_sweep(&gw->reasm, now_ms);
}

void gateway_walk_flows(const struct gateway *gw, gw_flow_fn fn, void *ctx)
{
	uint64_t now = ev_loop_now(gw->loop);

	gw_hostfwd_walk(&gw->hostfwd, now, fn, ctx);
	gw_udp_walk(&gw->udp, now, fn, ctx);
	gw_icmp_nat_walk(&gw->icmp_nat, now, fn, ctx);
	gw_tcp_walk_flows(gw->tcp, now, fn, ctx);
}

struct gateway *gateway_of_port(struct port *port)
{
	return port && port->ops == &gw_ops ? (struct gateway *)port : NULL;
}

int gateway_hostfwd_add(struct gateway *gw, const char *spec, char *err, size_t errlen)
{
	struct gw_fwd r;
	const char *bad;
	char why[128];

	if (gw_parse_hostfwd(&gw->cfg, spec, &r, &bad)) {
		snprintf(err, errlen, "invalid host forwarding rule '%s': %s", spec, bad);
		return -1;
	}
	if (gw_hostfwd_add(&gw->hostfwd, &r, why, sizeof(why))) {
		snprintf(err, errlen, "could not set up host forwarding rule '%s': %s", spec, why);
		return -1;
	}
	return 0;
}

int gateway_hostfwd_remove(struct gateway *gw, const char *spec, char *err, size_t errlen)
{
	char rule[128];
	const char *bad;
	struct gw_fwd r;
	int n;

	/* The rule's first half, parsed as hostfwd= parses it (so [::1]:PORT
	 * works as in hostfwd_add): any guest half completes it. */
	n = snprintf(rule, sizeof(rule), "%s-:1", spec);
	if (n < 0 || (size_t)n >= sizeof(rule) || strchr(spec, '-') ||
	    gw_parse_hostfwd(&gw->cfg, rule, &r, &bad))
		goto syntax;
	if (gw_hostfwd_remove(&gw->hostfwd, r.udp, &r.host_addr, r.host_port)) {
		snprintf(err, errlen, "host forwarding rule for %s not found", spec);
		return -1;
	}
	return 0;
syntax:
	snprintf(err, errlen, "invalid format '%s' (expected [tcp|udp]:[hostaddr]:hostport)",
		 spec);
	return -1;
}

int gateway_dns_record_add(struct gateway *gw, const char *name, const char *addr, char *err,
			   size_t errlen)
{
	return gw_dnsrec_add_text(&gw->records, name, addr, err, errlen);
}

int gateway_dns_record_remove(struct gateway *gw, const char *name, const char *addr,
			      char *err, size_t errlen)
{
	return gw_dnsrec_remove_text(&gw->records, name, addr, err, errlen);
}

void gateway_walk_dns_records(const struct gateway *gw,
			      void (*fn)(void *ctx, const char *name, const union inany_addr *a),
			      void *ctx)
{
	gw_dnsrec_walk(&gw->records, fn, ctx);
}
