/* SPDX-License-Identifier: MIT
 *
 * inany.h - one address type for IPv4 and IPv6 (passt's inany_addr).
 *
 * Theory of operation: every table that keys on an address (the gateway's
 * TCP flows, UDP and ICMP NAT, hostfwd rules, the egress policy's CIDRs,
 * the monitor's flow view) stores a union inany_addr: 16 bytes in network
 * order, an IPv6 address as it is, an IPv4 address v4-mapped
 * (::ffff:a.b.c.d, RFC 4291 2.5.5.2). Lookups compare and hash 16 bytes
 * whatever the family, so IPv6 adds code paths, not parallel tables.
 *
 * The on-wire code keeps its IPv4 headers and its host-order uint32_t
 * addresses; it converts at the edges with inany_from_ip4() and
 * inany_ip4(), a copy and a byte swap. Sockets meet the type through
 * union sockaddr_inany: inany_to_sockaddr() gives a struct sockaddr_in for
 * a v4-mapped address (what an AF_INET socket wants) and a sockaddr_in6
 * otherwise; inany_from_sockaddr() accepts either, a v4-mapped sockaddr_in6
 * included, so "the same peer" is the same 16 bytes however it arrived.
 *
 * A CIDR (struct inany_cidr) is an address and a prefix length over the
 * 128-bit form: an IPv4 /24 is stored as /120, so one match function
 * serves both families and an IPv4 prefix never matches an IPv6 address.
 *
 * Nothing here allocates or keeps state.
 */
#ifndef VMWIRE_CORE_INANY_H
#define VMWIRE_CORE_INANY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

union inany_addr {
	struct in6_addr a6;
	struct {
		uint8_t zero[10];
		uint8_t one[2];
		struct in_addr a4;
	} v4mapped;
	uint32_t u32[4];
	uint8_t u8[16];
};

_Static_assert(sizeof(union inany_addr) == 16, "inany_addr is 16 bytes");

/* Fits any inany_ntop() result, with its terminating NUL. */
#define INANY_ADDRSTRLEN INET6_ADDRSTRLEN

/* A socket address of either family, as sendto()/bind() want it. */
union sockaddr_inany {
	struct sockaddr sa;
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
};

struct inany_cidr {
	union inany_addr addr;
	uint8_t plen; /* over 128 bits: IPv4 /n is 96 + n */
};

/* ::ffff:0.0.0.0 and :: both count as unspecified (inany_is_unspecified). */
#define INANY_V4_PLEN(n) (96 + (n))

/* The v4-mapped form of a host-order IPv4 address. */
static inline union inany_addr inany_from_ip4(uint32_t host_order)
{
	union inany_addr a = { .u32 = { 0, 0, htonl(0xffff), htonl(host_order) } };

	return a;
}

static inline union inany_addr inany_from_in6(const struct in6_addr *a6)
{
	union inany_addr a;

	memcpy(&a, a6, sizeof(a));
	return a;
}

static inline bool inany_is_v4(const union inany_addr *a)
{
	return !a->u32[0] && !a->u32[1] && a->u32[2] == htonl(0xffff);
}

/* The host-order IPv4 address of a v4-mapped one; 0 for IPv6. */
static inline uint32_t inany_ip4(const union inany_addr *a)
{
	return inany_is_v4(a) ? ntohl(a->v4mapped.a4.s_addr) : 0;
}

static inline bool inany_equals(const union inany_addr *a, const union inany_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Equal to a host-order IPv4 address (never true for IPv6). */
static inline bool inany_equals4(const union inany_addr *a, uint32_t host_order)
{
	return inany_is_v4(a) && ntohl(a->v4mapped.a4.s_addr) == host_order;
}

/* :: or 0.0.0.0: "any" in a rule, "none" in a view. */
bool inany_is_unspecified(const union inany_addr *a);
/* 127.0.0.0/8 or ::1. */
bool inany_is_loopback(const union inany_addr *a);
/* 224.0.0.0/4 or ff00::/8. */
bool inany_is_multicast(const union inany_addr *a);

/* A 32-bit hash of the address mixed with seed (not keyed against an
 * adversary: tables that need that hash the bytes with their own key). */
uint32_t inany_hash(const union inany_addr *a, uint32_t seed);

/* Dotted quad for v4-mapped addresses, RFC 5952 text otherwise; buf
 * holds INANY_ADDRSTRLEN. Returns buf. */
const char *inany_ntop(const union inany_addr *a, char *buf, size_t len);
/* An IPv4 or IPv6 address in text; 0, or -1 when it is neither. */
int inany_pton(const char *s, union inany_addr *a);

/* sa for a (port in host order); its length for sendto()/bind(). */
socklen_t inany_to_sockaddr(union sockaddr_inany *sa, const union inany_addr *a,
			    uint16_t port);
/* The address and host-order port (port may be NULL) of an AF_INET or
 * AF_INET6 socket address of len bytes; 0, or -1 for anything else. */
int inany_from_sockaddr(union inany_addr *a, uint16_t *port, const struct sockaddr *sa,
			socklen_t len);

/* Is a inside c? */
bool inany_cidr_match(const struct inany_cidr *c, const union inany_addr *a);
/* "ADDR/LEN" or "ADDR" (a host route), IPv4 or IPv6: the host bits of
 * ADDR are cleared. 0, or -1. */
int inany_cidr_parse(const char *s, struct inany_cidr *c);

#endif
