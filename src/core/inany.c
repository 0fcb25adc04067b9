/* SPDX-License-Identifier: MIT
 *
 * inany.c - see inany.h.
 */
#include "core/inany.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

bool inany_is_unspecified(const union inany_addr *a)
{
	if (inany_is_v4(a))
		return !a->v4mapped.a4.s_addr;
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

bool inany_is_loopback(const union inany_addr *a)
{
	if (inany_is_v4(a))
		return (ntohl(a->v4mapped.a4.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

bool inany_is_multicast(const union inany_addr *a)
{
	if (inany_is_v4(a))
		return (ntohl(a->v4mapped.a4.s_addr) >> 28) == 14;
	return IN6_IS_ADDR_MULTICAST(&a->a6);
}

/* Each word through a multiply-xorshift round (the murmur3 finaliser's
 * constants): v4-mapped addresses differ only in the last word, which
 * still reaches every output bit. */
uint32_t inany_hash(const union inany_addr *a, uint32_t seed)
{
	uint32_t h = seed ^ 0x9e3779b9u;

	for (int i = 0; i < 4; i++) {
		h ^= a->u32[i];
		h ^= h >> 16;
		h *= 0x85ebca6bu;
		h ^= h >> 13;
		h *= 0xc2b2ae35u;
		h ^= h >> 16;
	}
	return h;
}

const char *inany_ntop(const union inany_addr *a, char *buf, size_t len)
{
	const char *r;

	if (inany_is_v4(a))
		r = inet_ntop(AF_INET, &a->v4mapped.a4, buf, (socklen_t)len);
	else
		r = inet_ntop(AF_INET6, &a->a6, buf, (socklen_t)len);
	if (!r && len)
		buf[0] = '\0';
	return buf;
}

int inany_pton(const char *s, union inany_addr *a)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		*a = inany_from_ip4(ntohl(a4.s_addr));
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		*a = inany_from_in6(&a6);
		return 0;
	}
	return -1;
}

socklen_t inany_to_sockaddr(union sockaddr_inany *sa, const union inany_addr *a,
			    uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	if (inany_is_v4(a)) {
		sa->sa4.sin_family = AF_INET;
		sa->sa4.sin_addr = a->v4mapped.a4;
		sa->sa4.sin_port = htons(port);
		return sizeof(sa->sa4);
	}
	sa->sa6.sin6_family = AF_INET6;
	sa->sa6.sin6_addr = a->a6;
	sa->sa6.sin6_port = htons(port);
	return sizeof(sa->sa6);
}

int inany_from_sockaddr(union inany_addr *a, uint16_t *port, const struct sockaddr *sa,
			socklen_t len)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	if (len >= sizeof(*s4) && sa->sa_family == AF_INET) {
		*a = inany_from_ip4(ntohl(s4->sin_addr.s_addr));
		if (port)
			*port = ntohs(s4->sin_port);
		return 0;
	}
	if (len >= sizeof(*s6) && sa->sa_family == AF_INET6) {
		*a = inany_from_in6(&s6->sin6_addr);
		if (port)
			*port = ntohs(s6->sin6_port);
		return 0;
	}
	return -1;
}

bool inany_cidr_match(const struct inany_cidr *c, const union inany_addr *a)
{
	unsigned full = c->plen / 8, rest = c->plen % 8;

	if (memcmp(c->addr.u8, a->u8, full))
		return false;
	if (!rest)
		return true;
	return !((c->addr.u8[full] ^ a->u8[full]) & (uint8_t)(0xff << (8 - rest)));
}

int inany_cidr_parse(const char *s, struct inany_cidr *c)
{
	char buf[INANY_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, plen, i;
	char *end;
	long n;

	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inany_pton(buf, &c->addr))
		return -1;
	/* The length counts in the family the text is written in: a
	 * v4-mapped address spelled as IPv6 takes an IPv6 length. */
	max = strchr(buf, ':') ? 128 : 32;
	if (slash) {
		errno = 0;
		n = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || n < 0 || n > (long)max || slash[1] == '+')
			return -1;
		plen = (unsigned)n;
	} else {
		plen = max;
	}
	c->plen = (uint8_t)(plen + 128 - max);
	for (i = c->plen; i < 128; i++)
		c->addr.u8[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return 0;
}
