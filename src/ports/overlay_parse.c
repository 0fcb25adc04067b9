/* SPDX-License-Identifier: MIT
 *
 * overlay_parse.c - the keys of "-netdev vxlan" and "-netdev geneve" into a
 * struct ov_cfg, and the netdev made from it (overlay_new, overlay.c).
 *
 * Theory of operation: every check that needs only the option text is made
 * here, at parse time, so a bad key fails with one line naming it before
 * any socket is opened: addresses are numeric (no resolver on the way to a
 * tunnel), local and every remote are unicast and one family, group is
 * multicast of that family and excludes remote, dev= only with group=, the
 * vni-map leaves the native VLAN's VNI alone. What needs the system (a
 * bindable address, an interface index, CAP_NET_RAW) is overlay.c's start.
 */
#include "ports/overlay.h"
#include "ports/overlay_cfg.h"

#include "config/keyval.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int addr_parse(const char *s, struct vtep_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

static bool addr_is_multicast(const struct vtep_addr *a)
{
	return a->family == AF_INET ? (a->a[0] & 0xf0) == 0xe0 : a->a[0] == 0xff;
}

static int parse_addr(struct kvlist *kv, const char *key, const char *text, struct vtep_addr *a,
		      char *err, size_t errlen)
{
	if (addr_parse(text, a) < 0) {
		kv_errorf(err, errlen, kv, "'%s' expects a numeric IPv4 or IPv6 address, not '%s'",
			  key, text);
		return -1;
	}
	return 0;
}

static int parse_srcport(struct kvlist *kv, struct ov_cfg *cfg, char *err, size_t errlen)
{
	const char *v = kv_get(kv, "srcport");
	unsigned long lo, hi;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	lo = strtoul(v, &end, 10);
	if (end != v && *end == '-') {
		const char *h = end + 1;

		hi = strtoul(h, &end, 10);
		if (end == h)
			hi = 0;
	} else {
		hi = lo;
	}
	if (errno || *end || end == v || !lo || lo > 65535 || hi < lo || hi > 65535) {
		kv_errorf(err, errlen, kv, "'srcport' expects MIN-MAX, ports 1-65535, not '%s'",
			  v);
		return -1;
	}
	cfg->sport_min = (uint16_t)lo;
	cfg->sport_max = (uint16_t)hi;
	return 0;
}

struct netdev *overlay_parse(struct kvlist *kv, const struct netdev_type *type,
			     enum overlay_proto proto, char *err, size_t errlen)
{
	struct ov_cfg cfg = {
		.proto = proto,
		.dstport = proto == OVERLAY_VXLAN ? VXLAN_DEFAULT_PORT : GENEVE_DEFAULT_PORT,
		.sport_min = 32768,
		.sport_max = 60999,
		.learning = true,
		.ageing_s = 300,
	};
	const char *v;
	uint64_t u;
	unsigned it = 0, i;
	struct netdev *nd;
	int r;

	if ((r = kv_get_uint(kv, "vni", 0, OVERLAY_VNI_MAX, &u, err, errlen)) < 0)
		return NULL;
	cfg.has_vni = r;
	cfg.vni = (uint32_t)u;
	if ((v = kv_get(kv, "vni-map"))) {
		char why[KV_ERR_MAX];
		uint16_t vl;

		if (vni_map_parse(v, OVERLAY_VNI_MAX, &cfg.map, why, sizeof(why)) < 0) {
			kv_errorf(err, errlen, kv, "'vni-map' %s", why);
			return NULL;
		}
		if (cfg.has_vni && vni_map_vlan(&cfg.map, cfg.vni, &vl)) {
			kv_errorf(err, errlen, kv, "'vni-map' maps VLAN %u to vni %u, the native "
				  "VLAN's", (unsigned)vl, (unsigned)cfg.vni);
			return NULL;
		}
	}
	if (!cfg.has_vni && !cfg.map.n) {
		kv_errorf(err, errlen, kv, "'vni' is required (0-%u), or 'vni-map'",
			  OVERLAY_VNI_MAX);
		return NULL;
	}
	if (!(v = kv_get(kv, "local"))) {
		kv_errorf(err, errlen, kv, "'local' is required: the underlay address to use");
		return NULL;
	}
	if (parse_addr(kv, "local", v, &cfg.local, err, errlen) < 0)
		return NULL;
	if (addr_is_multicast(&cfg.local)) {
		kv_errorf(err, errlen, kv, "'local' %s is a multicast address (that is 'group')",
			  v);
		return NULL;
	}
	while ((v = kv_next(kv, "remote", &it))) {
		if (cfg.nremotes == OV_REMOTES_MAX) {
			kv_errorf(err, errlen, kv, "at most %u 'remote' keys", OV_REMOTES_MAX);
			return NULL;
		}
		if (parse_addr(kv, "remote", v, &cfg.remotes[cfg.nremotes], err, errlen) < 0)
			return NULL;
		if (cfg.remotes[cfg.nremotes].family != cfg.local.family ||
		    addr_is_multicast(&cfg.remotes[cfg.nremotes])) {
			kv_errorf(err, errlen, kv, "'remote' %s must be a unicast address of the "
				  "same family as 'local'", v);
			return NULL;
		}
		for (i = 0; i < cfg.nremotes; i++)
			if (vtep_addr_equal(&cfg.remotes[i], &cfg.remotes[cfg.nremotes])) {
				kv_errorf(err, errlen, kv, "'remote' %s given twice", v);
				return NULL;
			}
		cfg.nremotes++;
	}
	if ((v = kv_get(kv, "group"))) {
		if (parse_addr(kv, "group", v, &cfg.group, err, errlen) < 0)
			return NULL;
		if (cfg.group.family != cfg.local.family || !addr_is_multicast(&cfg.group)) {
			kv_errorf(err, errlen, kv, "'group' %s must be a multicast address of the "
				  "same family as 'local'", v);
			return NULL;
		}
		if (cfg.nremotes) {
			kv_errorf(err, errlen, kv, "'group' and 'remote' exclude each other: "
				  "floods go to the group");
			return NULL;
		}
		cfg.has_group = true;
	}
	if ((r = kv_get_str(kv, "dev", IF_NAMESIZE - 1, &v, err, errlen)) < 0)
		return NULL;
	if (r) {
		if (!cfg.has_group) {
			kv_errorf(err, errlen, kv, "'dev' names the interface of a 'group'");
			return NULL;
		}
		snprintf(cfg.dev, sizeof(cfg.dev), "%s", v);
	}
	if ((r = kv_get_uint(kv, "dstport", 1, 65535, &u, err, errlen)) < 0)
		return NULL;
	if (r)
		cfg.dstport = (uint16_t)u;
	if (parse_srcport(kv, &cfg, err, errlen) < 0)
		return NULL;
	if ((r = kv_get_uint(kv, "ttl", 1, 255, &u, err, errlen)) < 0)
		return NULL;
	if (r)
		cfg.ttl = (int)u;
	if (kv_get_bool(kv, "learning", &cfg.learning, err, errlen) < 0)
		return NULL;
	if ((r = kv_get_uint(kv, "ageing", 1, 1000000, &u, err, errlen)) < 0)
		return NULL;
	if (r)
		cfg.ageing_s = (unsigned)u;

	nd = overlay_new(type, &cfg);
	if (!nd)
		kv_errorf(err, errlen, kv, "out of memory");
	return nd;
}
