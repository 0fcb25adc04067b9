/* SPDX-License-Identifier: MIT
 *
 * dhcpv6.h - the gateway's DHCPv6 server (RFC 8415), as ipv6-dhcp= asks.
 *
 * Theory of operation: clients send from their link-local address, port
 * 546, to ff02::1:2 port 547; we answer from ipv6-host's fe80:: form to
 * the client's address and port, by unicast. With ipv6-dhcp=stateless
 * (the default) only Information-Request is answered: DNS servers
 * (ipv6-dns) and the domain search list (dnssearch=). With stateful, IA_NA
 * addresses too: Solicit -> Advertise (or Reply at once when both ask for
 * rapid commit), Request/Renew/Rebind -> Reply with the lease,
 * Release/Decline -> Reply (the address is freed, or set aside),
 * Confirm -> Success or NotOnLink. A lease is keyed by the client's DUID
 * and IAID, its address is the lease6= one of the frame's MAC or the
 * first free one of a pool at ipv6-net::100 (max-leases of them), it
 * lasts lease-time= seconds. A lease belongs to the MAC and switch port
 * that got it: Renew, Release and Decline from another MAC or port are
 * ignored, as the IPv4 server does.
 *
 * With bootfile= set, a client whose Option Request (ORO) lists option 59
 * gets the boot file URL (RFC 5970, gw_dhcpv6_bootfile_url()) in the
 * Reply to an Information-Request and in Advertise/Reply of a lease; not
 * unasked, as RFC 5970 3.1 has clients ask for it.
 *
 * Every option is walked with its length checked against what holds it
 * (gw_dhcpv6_parse() is that walk, fuzzed): lengths past the end, nested
 * IA options past their IA, a DUID longer than RFC 8415 allows, more than
 * GW_DHCP6_MAX_OPTS options, drop the message and count it.
 */
#ifndef VMWIRE_GATEWAY_DHCPV6_H
#define VMWIRE_GATEWAY_DHCPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "gateway/stats.h"

struct gw_env;
struct gw_config;

#define GW_DHCP6_MAX_OPTS 64
#define GW_DHCP6_DUID_MAX 130 /* RFC 8415 11.1: 2 + 128 bytes */
#define GW_DHCP6_POOL_BASE 0x100

#define GW_DHCP6_COUNTERS(X)                                                   \
	X(dhcp6_bad) X(dhcp6_ignored) X(dhcp6_info_replies) X(dhcp6_advertises)  \
	X(dhcp6_replies) X(dhcp6_releases) X(dhcp6_declines) X(dhcp6_pool_full)  \
	X(dhcp6_foreign)

/* A message's options, as found. Pointers into the message. */
struct gw_dhcp6_msg {
	uint8_t type;
	uint32_t xid;
	const uint8_t *client_id, *server_id;
	size_t client_id_len, server_id_len;
	bool has_ia_na;
	uint32_t iaid;
	bool rapid_commit;
	bool has_addr;         /* an IAADDR inside the IA_NA */
	struct in6_addr addr;
	bool want_bootfile_url; /* option 59 in the ORO */
};

struct gw_dhcp6_lease {
	bool used, declined;
	bool bound;            /* a Reply gave it (not only an Advertise) */
	uint8_t duid[GW_DHCP6_DUID_MAX];
	size_t duid_len;
	uint32_t iaid;
	uint8_t mac[6];
	uint32_t station;
	struct in6_addr addr;
	uint64_t expires_ms;
};

struct gw_dhcpv6 {
	const struct gw_env *env;
	struct gw_dhcp6_lease *leases; /* cfg->max_leases */
	unsigned n;
	uint8_t duid[10];              /* ours: DUID-LL of the gateway's MAC */
#define GW_DHCP6_FIELD(n) uint64_t n;
	GW_DHCP6_COUNTERS(GW_DHCP6_FIELD)
#undef GW_DHCP6_FIELD
};

int gw_dhcpv6_init(struct gw_dhcpv6 *d, const struct gw_env *env);
void gw_dhcpv6_fini(struct gw_dhcpv6 *d);

extern const struct gw_service gw_dhcpv6_service;

/* A URL longer than this is not sent (one option in one datagram). */
#define GW_DHCP6_URL_MAX 1024

/* The boot file URL option 59 carries for bootfile=: bootfile as it is
 * when it is a URL already ("scheme://..."), else
 * tftp://HOST/bootfile with bootfile's leading '/' dropped and what a URL
 * path cannot hold percent-encoded. HOST is tftp-server-name= when that
 * is an IPv6 address (in brackets) or a DNS name, else [ipv6-host]: an
 * IPv4 tftp-server-name (QEMU's option 66 for v4 clients) is no address
 * for a client booting over IPv6. Its length (NUL-terminated in out), or
 * 0 without bootfile= or when it does not fit cap. */
size_t gw_dhcpv6_bootfile_url(const struct gw_config *c, char *out, size_t cap);

/* The address of a bound, unexpired lease of mac from switch port
 * station into out (the newest to expire when several); false when none. */
bool gw_dhcpv6_addr_of(const struct gw_dhcpv6 *d, const uint8_t *mac, uint32_t station,
		       uint64_t now, struct in6_addr *out);

/* Walk a DHCPv6 message (UDP payload, len bytes): 0 with m filled, or -1. */
int gw_dhcpv6_parse(const uint8_t *p, size_t len, struct gw_dhcp6_msg *m);

#endif
