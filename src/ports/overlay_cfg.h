/* SPDX-License-Identifier: MIT
 *
 * overlay_cfg.h - what "-netdev vxlan|geneve,..." said, between the parser
 * (overlay_parse.c) and the runtime (overlay.c). Private to those two:
 * everything else knows an overlay only as a struct netdev.
 */
#ifndef VMWIRE_PORTS_OVERLAY_CFG_H
#define VMWIRE_PORTS_OVERLAY_CFG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/netdev.h"
#include "ports/overlay_hdr.h"
#include "ports/vni_map.h"
#include "ports/vtep_fdb.h"

#define OV_REMOTES_MAX 32

struct ov_cfg {
	enum overlay_proto proto;
	uint32_t vni;
	bool has_vni;       /* vni= given: the native VLAN's VNI */
	struct vni_map map; /* vni-map=: tagged VLANs, each in a VNI */
	struct vtep_addr local, group, remotes[OV_REMOTES_MAX];
	unsigned nremotes;
	bool has_group;
	char dev[IF_NAMESIZE];
	uint16_t dstport, sport_min, sport_max;
	int ttl; /* 0: the system's default (1 towards a group) */
	bool learning;
	unsigned ageing_s;
};

/* A netdev running cfg (copied), not started; NULL when out of memory. */
struct netdev *overlay_new(const struct netdev_type *type, const struct ov_cfg *cfg);

#endif
