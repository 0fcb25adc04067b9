/* SPDX-License-Identifier: MIT
 *
 * config.h - options of "-netdev user" and their validated form.
 *
 * Theory of operation: gw_config_parse() consumes the gateway's keys from a
 * kvlist and fills a plain struct with the LAN's addresses in host byte
 * order and the rules' (hostfwd, guestfwd, egress CIDRs) as inany,
 * applying QEMU's defaults and validation rules (net/host/dns/dhcpstart
 * relocation and membership checks, name lengths). The struct holds no
 * pointers into the kvlist, so it outlives the command line. Nothing here
 * opens sockets: parse is phase one of netdev startup.
 */
#ifndef VMWIRE_GATEWAY_CONFIG_H
#define VMWIRE_GATEWAY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "core/inany.h"
#include "gateway/quota.h"
#include "gateway/services/dns_records.h"

struct kvlist;

#define GW_NAME_MAX 255
#define GW_DNSSEARCH_MAX 16
#define GW_UPSTREAM_MAX 4
#define GW_STATIC_LEASE_MAX 32
#define GW_FWD_MAX 16
#define GW_CIDR_MAX 16
#define GW_DEFAULT_MAX_LEASES 16
#define GW_DEFAULT_MAX_LEASES_PER_PORT 2
#define GW_DEFAULT_MAX_UDP_FLOWS 256
#define GW_DEFAULT_MAX_TCP_FLOWS 16384
#define GW_DEFAULT_MAX_OOO_KIB 4096 /* TCP out-of-order queue, all flows */
#define GW_DEFAULT_DELAYED_ACK_MS 1 /* a small guest segment's ACK waits for the reply */
#define GW_MAX_DELAYED_ACK_MS 500 /* RFC 1122 4.2.3.2 */
#define GW_DEFAULT_MTU 1500
/* The mtu= range, also what `vmwire run --mtu` accepts. */
#define GW_MTU_MIN 576
#define GW_MTU_MAX 65520
#define GW_DEFAULT_MAX_FRAGS 64 /* IPv4 datagrams pending reassembly */
#define GW_DEFAULT_UDP_TIMEOUT_S 60
#define GW_DEFAULT_MAX_TFTP 20 /* concurrent TFTP transfers: QEMU's TFTP_SESSIONS_MAX */
#define GW_MAX_TFTP_MAX 1024
#define GW_DEFAULT_LEASE_TIME_S 86400 /* QEMU's 24 h */
#define GW_LEASE_TIME_MIN_S 60
#define GW_LEASE_TIME_MAX_S 2147483647 /* option 51 is 32 bits; signed clients */

/* Rule addresses are inany (core/inany.h), unspecified meaning "any" or
 * "the default", so an IPv6 rule is a new parse, not a new table. */
struct gw_fwd {
	bool udp;                    /* hostfwd: udp instead of tcp */
	union inany_addr host_addr;  /* hostfwd: unspecified = any */
	uint16_t host_port;
	union inany_addr guest_addr; /* unspecified = first DHCP address */
	bool guest_v6;               /* hostfwd: "[ADDR]" or "[]" (NDP-learned) */
	uint16_t guest_port;
	char dev[GW_NAME_MAX + 1]; /* guestfwd: the chardev/command part */
};

struct gw_upstream {
	struct sockaddr_storage sa;
	socklen_t salen;
};

struct gw_static_lease {
	uint8_t mac[6];
	uint32_t addr;
};

struct gw_static_lease6 {
	uint8_t mac[6];
	struct in6_addr addr;
};

/* ipv6-dhcp=: what DHCPv6 answers and which RA flags say so (M, O). */
enum gw_dhcp6_mode {
	GW_DHCP6_STATELESS = 0, /* O: Information-Request only (the default) */
	GW_DHCP6_OFF,           /* neither: SLAAC and RDNSS only */
	GW_DHCP6_STATEFUL,      /* M and O: IA_NA leases per DUID */
};

/* The IPv6 side (config6.c), kept apart so the v4 parse stays QEMU's. */
struct gw_config6 {
	bool on;                     /* ipv6=on (QEMU's default) */
	struct in6_addr net;         /* ipv6-net= / ipv6-prefix=, fec0:: */
	unsigned prefixlen;          /* 64 */
	struct in6_addr host, dns;   /* fec0::2, fec0::3 */
	struct in6_addr host_ll, dns_ll; /* their fe80:: forms (derived) */
	enum gw_dhcp6_mode dhcp;
	struct gw_static_lease6 leases[GW_STATIC_LEASE_MAX];
	unsigned n_leases;
	unsigned ra_interval_s;      /* unsolicited RAs (ra-interval=) */
};

/* Which replies a UDP NAT flow lets through to the guest (RFC 4787 5):
 * from a host and port the guest sent to (the default), from any port of a
 * host it sent to, or from anyone (endpoint-independent: STUN, games). */
enum gw_udp_filter {
	GW_UDP_FILTER_ADDR_PORT = 0,
	GW_UDP_FILTER_ADDR,
	GW_UDP_FILTER_ENDPOINT,
};

/* A dns-record=NAME=ADDR (dns_records.h). */
struct gw_dns_record_arg {
	char name[GW_DNSREC_NAME_MAX + 1];
	union inany_addr addr;
};

struct gw_config {
	uint32_t net, mask, host, dns, dhcp_start;
	uint8_t mac[6]; /* 52:55 + host address, as QEMU */
	bool restrict_;
	bool ipv6;      /* = v6.on, kept for older callers */
	struct gw_config6 v6;
	bool host_loopback;
	/* With host_loopback off, the host's other local addresses stay
	 * reachable, as behind slirp4netns --disable-host-loopback (set by
	 * "vmwire slirp4netns"; -netdev user,host-loopback=off refuses them). */
	bool host_local_open;
	/* hostfwd-source=host: every hostfwd peer appears to the guest as the
	 * host address, not as itself (gw_hostfwd_guest_view). */
	bool hostfwd_source_host;
	unsigned mtu;
	bool mtu_set;   /* send DHCP option 26 only when asked */
	unsigned max_leases, max_udp_flows;
	unsigned max_leases_per_port; /* 0: no cap */
	bool source_guard_strict; /* a MAC sends only from its leased address */
	unsigned max_tcp_flows;
	unsigned max_ooo_kib;     /* guest TCP data held out of order; 0: none */
	unsigned delayed_ack_ms;  /* tcp_ack.c; 0: every guest segment ACKed at once */
	unsigned max_frags;       /* 0: guest fragments are dropped */
	unsigned udp_timeout_ms;  /* idle UDP NAT flows are closed after this */
	uint32_t lease_time_s;    /* DHCP option 51 and lease expiry (lease-time=) */
	enum gw_udp_filter udp_filter;
	char hostname[GW_NAME_MAX + 1];
	char domainname[GW_NAME_MAX + 1];
	char dnssearch[GW_DNSSEARCH_MAX][GW_NAME_MAX + 1];
	unsigned n_dnssearch;
	char tftp[4096];          /* served directory; empty: no TFTP server */
	unsigned max_tftp_transfers;
	char bootfile[GW_NAME_MAX + 1];
	char tftp_server_name[GW_NAME_MAX + 1];
	struct gw_upstream upstream[GW_UPSTREAM_MAX];
	unsigned n_upstream;
	/* Set when upstream[] came from a resolv.conf (no dns-upstream=):
	 * the DNS forwarder re-reads this file when it changes and swaps its
	 * own copy of the list (dns.c); the config is never written after
	 * gateway_new(). */
	char resolv_conf[4096];
	struct gw_static_lease leases[GW_STATIC_LEASE_MAX];
	unsigned n_leases;
	/* The gateway's own DNS records: loaded into the DNS module's table
	 * at start (the zone file is checked at parse time, read at start). */
	struct gw_dns_record_arg dns_records[GW_DNSREC_ARGS_MAX];
	unsigned n_dns_records;
	char dns_zone[4096];
	unsigned max_dns_records;
	struct gw_fwd hostfwd[GW_FWD_MAX];
	unsigned n_hostfwd;
	struct gw_fwd guestfwd[GW_FWD_MAX];
	unsigned n_guestfwd;
	struct inany_cidr egress_allow[GW_CIDR_MAX], egress_deny[GW_CIDR_MAX];
	unsigned n_egress_allow, n_egress_deny;
	/* Per-guest shares of the tables (max-*-per-guest=, quota.h). */
	struct gw_quota_limit quota[GW_QUOTA_TABLES];
};

/* Fill cfg with QEMU's defaults (10.0.2.0/24, host .2, dns .3, dhcp .15). */
void gw_config_defaults(struct gw_config *cfg);

/* Consume the gateway keys of kv. resolv_conf is the file read for default
 * upstreams when no dns-upstream= is given (NULL: /etc/resolv.conf).
 * Returns 0, or -1 with a one-line error naming the key. */
int gw_config_parse(struct gw_config *cfg, struct kvlist *kv, const char *resolv_conf,
		    char *err, size_t errlen);

/* The IPv6 keys (config6.c), after the IPv4 ones; 0 or -1 as above. */
int gw_config6_parse(struct gw_config *cfg, struct kvlist *kv, char *err, size_t errlen);
void gw_config6_defaults(struct gw_config6 *v6);
/* Is a an address of ours (host, dns or their link-local forms)? */
bool gw_config6_is_ours(const struct gw_config6 *v6, const struct in6_addr *a);
/* Is a inside ipv6-net? */
bool gw_config6_in_net(const struct gw_config6 *v6, const struct in6_addr *a);
/* "[V6]" or "V6" (brackets stripped) of at most len chars into a; 0 or -1. */
int gw_parse_ip6_bracketed(const char *s, size_t len, struct in6_addr *a);

/* One hostfwd rule, "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport"
 * (also the monitor's hostfwd_add); 0, or -1 with *why naming the part
 * that is wrong (a static string). */
int gw_parse_hostfwd(const struct gw_config *cfg, const char *s, struct gw_fwd *f,
		     const char **why);

/* Would the two hostfwd rules bind the same protocol and host port, an
 * empty host address (all addresses) colliding with any address? */
bool gw_hostfwd_overlap(const struct gw_fwd *a, const struct gw_fwd *b);

/* Parse "ADDR[:PORT]" / "[V6]:PORT" / "V6" into an upstream; 0 or -1. */
int gw_parse_upstream(const char *s, struct gw_upstream *out);

/* Read nameserver lines of a resolv.conf into cfg->upstream (port 53).
 * Returns the number added. */
unsigned gw_read_resolv_conf(struct gw_config *cfg, const char *path);

/* The nameservers of resolv.conf path (port 53), at most max into out,
 * skipping link-local scoped ones and any that would loop back into this
 * gateway (cfg's own dns address; *looped counts them). The count, or -1
 * when the file cannot be opened. */
int gw_resolv_conf_upstreams(const struct gw_config *cfg, const char *path,
			     struct gw_upstream *out, unsigned max, unsigned *looped);

#endif
