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
 */
#include "gateway/gateway.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/offload.h"
#include "core/port.h"
#include "gateway/services/arp.h"
#include "gateway/ip/checksum.h"
#include "gateway/services/dhcp.h"
#include "gateway/services/dns.h"
#include "gateway/nat/hostfwd.h"
#include "gateway/services/icmp.h"
#include "gateway/nat/icmp_nat.h"
#include "gateway/ip/ip_reasm.h"
#include "gateway/pkt.h"
#include "gateway/nat/policy.h"
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
	struct gw_config cfg;
	struct gw_stats stats;
	struct gw_tx tx;
	struct gw_arp arp;
	struct gw_dhcp dhcp;
	struct gw_icmp icmp;
	struct gw_dns dns;
	struct gw_policy policy;
	struct gw_hostfwd hostfwd;
	struct gw_udp udp;
	struct gw_icmp_nat icmp_nat;
	struct gw_reasm reasm;
	struct ev_loop *loop;
	struct gw_tcp *tcp; /* NULL without a loop (frame tests) */
	/* A frame whose checksum request is not its own L4 checksum is
	 * completed here, then handled as a plain frame. */
	uint8_t scratch[FRAME_BUF_SIZE];
};

static bool is_ours(const struct gw_config *c, uint32_t ip)
{
	return ip == c->host || ip == c->dns;
}

static void udp_input(struct gateway *gw, uint32_t src, uint32_t dst, const uint8_t *u,
		      size_t len, bool csum_partial)
{
	const struct gw_config *c = &gw->cfg;
	uint16_t ulen, sport, dport;

	if (len < UDP_HDR_LEN) {
		gw->stats.udp_truncated++;
		return;
	}
	ulen = rd16be(u + 4);
	if (ulen < UDP_HDR_LEN || ulen > len) {
		gw->stats.udp_bad_len++;
		return;
	}
	if (!csum_partial && rd16be(u + 6) && csum_l4_ipv4(src, dst, IPPROTO_UDP_, u, ulen)) {
		gw->stats.udp_bad_csum++;
		return;
	}
	sport = rd16be(u);
	dport = rd16be(u + 2);
	if (dport == 67 && (dst == 0xffffffff || dst == c->host)) {
		gw_dhcp_input(&gw->dhcp, u + UDP_HDR_LEN, ulen - UDP_HDR_LEN);
		return;
	}
	if (!src) {
		gw->stats.ip_bad_src++; /* 0.0.0.0 is only good for DHCP */
		return;
	}
	if (dport == 53 && dst == c->dns) {
		gw_dns_input(&gw->dns, src, sport, u + UDP_HDR_LEN, ulen - UDP_HDR_LEN);
		return;
	}
	gw_udp_input(&gw->udp, src, sport, dst, dport, u + UDP_HDR_LEN, ulen - UDP_HDR_LEN);
}

static void eth_input(struct gateway *gw, const uint8_t *f, size_t len,
		      const struct frame_offload *m);

/* A checksum request that is not simply "this segment's L4 checksum":
 * complete it where it says, as the fabric's software fallback would, and
 * handle the result as a plain frame (whose checksums are then verified). */
static void complete_plain(struct gateway *gw, const uint8_t *f, size_t len,
			   const struct frame_offload *m)
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
	eth_input(gw, gw->scratch, len, NULL);
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
		       const struct frame_offload *m)
{
	unsigned how = 0;
	const struct gw_config *c = &gw->cfg;
	const uint8_t *ip = f + ETH_HDR_LEN;
	size_t avail = len - ETH_HDR_LEN, ihl, tot, l4len;
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
			complete_plain(gw, f, len, m);
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
		if (!(l4 = gw_reasm_input(&gw->reasm, ip, ihl, tot, ev_now_ms(), &l4len)))
			return;
	}
	src = rd32be(ip + 12);
	dst = rd32be(ip + 16);
	if ((src >> 28) >= 14 || is_ours(c, src) || (src && (src & 0xff000000) == 0x7f000000)) {
		gw->stats.ip_bad_src++; /* multicast, class E, broadcast, spoofed us */
		return;
	}
	gw_arp_learn(&gw->arp, src, eth_src(f));
	if (c->restrict_ && dst == 0xffffffff && ip[9] != IPPROTO_UDP_) {
		gw->stats.ip_restricted++;
		return;
	}
	if (ip[9] == IPPROTO_UDP_) {
		udp_input(gw, src, dst, l4, l4len, how != 0);
		return;
	}
	if (ip[9] == IPPROTO_ICMP_ && is_ours(c, dst) && src) {
		gw_icmp_input(&gw->icmp, eth_src(f), src, dst, l4, l4len);
		return;
	}
	if (ip[9] == IPPROTO_TCP && gw->tcp) {
		gw_tcp_input(gw->tcp, eth_src(f), src, dst, l4, l4len, how);
		return;
	}
	if (ip[9] == IPPROTO_ICMP_ && src) {
		gw_icmp_nat_input(&gw->icmp_nat, src, dst, l4, l4len);
		return;
	}
	if (c->restrict_ && (dst & c->mask) != c->net) {
		gw->stats.ip_restricted++;
		return;
	}
	gw->stats.ip_unhandled++;
}

/* A frame for us; m: validated offload metadata of a frame taken whole,
 * NULL for a plain frame. */
static void eth_input(struct gateway *gw, const uint8_t *f, size_t len,
		      const struct frame_offload *m)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint16_t type;

	if (len < ETH_HDR_LEN) {
		gw->stats.ip_truncated++;
		return;
	}
	/* The switch floods unknown unicast to us too: not an error. */
	if (memcmp(eth_dst(f), gw->cfg.mac, 6) && memcmp(eth_dst(f), bcast, 6)) {
		gw->stats.not_for_us++;
		return;
	}
	if (mac_is_multicast(eth_src(f))) {
		gw->stats.not_for_us++;
		return;
	}
	type = rd16be(f + 12);
	if (type == ETHERTYPE_IPV4)
		ipv4_input(gw, f, len, m);
	else if (m)
		complete_plain(gw, f, len, m);
	else if (type == ETHERTYPE_ARP)
		gw_arp_input(&gw->arp, f, len);
	else
		gw->stats.bad_ethertype++;
}

static bool gw_transmit(struct port *port, const uint8_t *f, size_t len)
{
	struct gateway *gw = (struct gateway *)port;

	gw->stats.frames_in++;
	eth_input(gw, f, len, NULL);
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
	eth_input(gw, f, len, &m);
	return true;
}

/* The fabric has room again towards a guest the TCP engine waited for. */
static void gw_resume(struct port *port)
{
	gw_tcp_resume(((struct gateway *)port)->tcp);
}

static void gw_describe(const struct port *port, char *buf, size_t size)
{
	const struct gateway *gw = (const struct gateway *)port;
	const struct gw_config *c = &gw->cfg;
	char mac[18];

	snprintf(buf, size, "user: net=%u.%u.%u.%u/%d host=%u.%u.%u.%u mac=%s%s",
		 c->net >> 24, c->net >> 16 & 0xff, c->net >> 8 & 0xff, c->net & 0xff,
		 __builtin_popcount(c->mask), c->host >> 24, c->host >> 16 & 0xff,
		 c->host >> 8 & 0xff, c->host & 0xff, mac_format(c->mac, mac),
		 c->restrict_ ? " restrict" : "");
}

static void gw_destroy(struct port *port)
{
	struct gateway *gw = (struct gateway *)port;

	gw_tcp_free(gw->tcp);
	gw_icmp_nat_fini(&gw->icmp_nat);
	gw_reasm_fini(&gw->reasm);
	gw_udp_fini(&gw->udp);
	gw_hostfwd_fini(&gw->hostfwd);
	gw_dns_fini(&gw->dns);
	gw_dhcp_fini(&gw->dhcp);
	gw_arp_fini(&gw->arp);
	gw_tx_fini(&gw->tx);
	free(gw);
}

static const struct port_ops gw_ops = {
	.kind = "user",
	.transmit = gw_transmit,
	.describe = gw_describe,
	.destroy = gw_destroy,
	.transmit_offload = gw_transmit_offload,
	.resume = gw_resume,
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
	for (unsigned i = 0; i < GW_FWD_MAX; i++)
		gw->hostfwd.e[i].fd = -1;
	for (unsigned i = 0; i < GW_ICMP_FLOWS; i++)
		gw->icmp_nat.flows[i].fd = -1;
	gw->dns.fd4 = gw->dns.fd6 = -1;
	if (gw_tx_init(&gw->tx, ETH_HDR_LEN + cfg->mtu, &gw->port, loop, &gw->stats))
		goto fail;
	if (gw_arp_init(&gw->arp, &gw->cfg, &gw->tx, &gw->stats))
		goto fail;
	if (gw_dhcp_init(&gw->dhcp, &gw->cfg, &gw->tx, &gw->arp, &gw->stats))
		goto fail;
	gw_icmp_init(&gw->icmp, &gw->cfg, &gw->tx, &gw->stats);
	if (gw_dns_init(&gw->dns, &gw->cfg, &gw->tx, &gw->arp, &gw->stats, loop))
		goto fail;
	gw_policy_init(&gw->policy, &gw->cfg);
	if (gw_hostfwd_init(&gw->hostfwd, &gw->cfg, &gw->tx, &gw->arp, &gw->stats, loop))
		goto fail;
	if (gw_udp_init(&gw->udp, &gw->cfg, &gw->policy, &gw->tx, &gw->arp, &gw->stats, loop,
			&gw->hostfwd))
		goto fail;
	gw_icmp_nat_init(&gw->icmp_nat, &gw->cfg, &gw->policy, &gw->tx, &gw->arp, &gw->stats,
			 loop);
	if (gw_reasm_init(&gw->reasm, cfg->max_frags, &gw->stats))
		goto fail;
	if (loop && !(gw->tcp = gw_tcp_new(&gw->cfg, &gw->policy, &gw->hostfwd, &gw->tx,
					   &gw->arp, &gw->port, loop)))
		goto fail;
	return gw;
fail:
	gw_destroy(&gw->port);
	return NULL;
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

uint32_t gateway_lease_of(const struct gateway *gw, const uint8_t *mac)
{
	return gw_dhcp_lookup(&gw->dhcp, mac);
}

void gateway_dns_sweep(struct gateway *gw, uint64_t now_ms)
{
	gw_dns_sweep(&gw->dns, now_ms);
}

void gateway_nat_sweep(struct gateway *gw, uint64_t now_ms)
{
	gw_udp_sweep(&gw->udp, now_ms);
	gw_icmp_nat_sweep(&gw->icmp_nat, now_ms);
	gw_reasm_sweep(&gw->reasm, now_ms);
}

void gateway_walk_flows(const struct gateway *gw, gw_flow_fn fn, void *ctx)
{
	uint64_t now = ev_now_ms();

	gw_hostfwd_walk(&gw->hostfwd, now, fn, ctx);
	gw_udp_walk(&gw->udp, now, fn, ctx);
	gw_icmp_nat_walk(&gw->icmp_nat, now, fn, ctx);
	gw_tcp_walk_flows(gw->tcp, now, fn, ctx);
}

static void walk_lease(const struct gw_lease *l, bool is_static, uint64_t now,
		       gw_lease_fn fn, void *ctx)
{
	static const char *const names[] = {
		[LEASE_OFFERED] = "offered", [LEASE_BOUND] = "bound",
		[LEASE_RELEASED] = "released", [LEASE_DECLINED] = "declined",
	};
	struct gw_lease_info li = { .addr = l->ip, .is_static = is_static };

	if (l->state == LEASE_FREE || l->state > LEASE_DECLINED)
		return;
	memcpy(li.mac, l->mac, 6);
	li.state = names[l->state];
	li.remaining_s = l->expires_ms >= now ? (int64_t)((l->expires_ms - now) / 1000)
					      : -(int64_t)((now - l->expires_ms) / 1000) - 1;
	fn(ctx, &li);
}

void gateway_walk_leases(const struct gateway *gw, gw_lease_fn fn, void *ctx)
{
	uint64_t now = ev_now_ms();
	unsigned i;

	if (gw->dhcp.statics)
		for (i = 0; i < gw->cfg.n_leases; i++)
			walk_lease(&gw->dhcp.statics[i], true, now, fn, ctx);
	if (gw->dhcp.leases)
		for (i = 0; i < gw->cfg.max_leases; i++)
			walk_lease(&gw->dhcp.leases[i], false, now, fn, ctx);
}

struct gateway *gateway_of_port(struct port *port)
{
	return port && port->ops == &gw_ops ? (struct gateway *)port : NULL;
}

int gateway_hostfwd_add(struct gateway *gw, const char *spec, char *err, size_t errlen)
{
	struct gw_fwd r;
	char why[128];

	if (gw_parse_hostfwd(&gw->cfg, spec, &r)) {
		snprintf(err, errlen, "invalid host forwarding rule '%s' (expected "
			 "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport, guestaddr in "
			 "the gateway's net)", spec);
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
	char proto[8], addr[INET_ADDRSTRLEN], *end;
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct in_addr a = { 0 };
	unsigned long port;
	size_t n;

	if (!c2 || (size_t)(c1 - spec) >= sizeof(proto) ||
	    (size_t)(c2 - c1 - 1) >= sizeof(addr))
		goto syntax;
	memcpy(proto, spec, (size_t)(c1 - spec));
	proto[c1 - spec] = '\0';
	n = (size_t)(c2 - c1 - 1);
	memcpy(addr, c1 + 1, n);
	addr[n] = '\0';
	if ((*proto && strcmp(proto, "tcp") && strcmp(proto, "udp")) ||
	    (*addr && inet_pton(AF_INET, addr, &a) != 1))
		goto syntax;
	errno = 0;
	port = strtoul(c2 + 1, &end, 10);
	if (!c2[1] || *end || errno || port > 65535 || c2[1] == '-' || c2[1] == '+')
		goto syntax;
	if (gw_hostfwd_remove(&gw->hostfwd, !strcmp(proto, "udp"), ntohl(a.s_addr),
			      (uint16_t)port)) {
		snprintf(err, errlen, "host forwarding rule for %s not found", spec);
		return -1;
	}
	return 0;
syntax:
	snprintf(err, errlen, "invalid format '%s' (expected [tcp|udp]:[hostaddr]:hostport)",
		 spec);
	return -1;
}
