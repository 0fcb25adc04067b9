/* SPDX-License-Identifier: MIT
 *
 * vni_map.h - "vni-map=VLAN:VNI[;VLAN:VNI...]" of -netdev vxlan/geneve: the
 * VLANs of a trunk port carried each in its own VNI, one table per netdev.
 */
#ifndef VMWIRE_PORTS_VNI_MAP_H
#define VMWIRE_PORTS_VNI_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNI_MAP_MAX 64

struct vni_map {
	unsigned n;
	uint16_t vlan[VNI_MAP_MAX];
	uint32_t vni[VNI_MAP_MAX];
};

/* Parse "10:5010;20:5020": VLANs 1-4094, VNIs 0-vni_max, each VLAN and
 * each VNI at most once. 0, or -1 (why in err, without the key). */
int vni_map_parse(const char *s, uint32_t vni_max, struct vni_map *m, char *err,
		  size_t errlen);
/* The VNI of a VLAN, the VLAN of a VNI: false when unmapped. */
bool vni_map_vni(const struct vni_map *m, uint16_t vlan, uint32_t *vni);
bool vni_map_vlan(const struct vni_map *m, uint32_t vni, uint16_t *vlan);
/* "10:5010;20:5020" into buf. */
void vni_map_format(const struct vni_map *m, char *buf, size_t size);

#endif
