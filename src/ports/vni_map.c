/* SPDX-License-Identifier: MIT
 *
 * vni_map.c - the VLAN <-> VNI table of -netdev vxlan/geneve, see vni_map.h.
 *
 * Theory of operation: a trunk port of vmwire's switch hands the overlay
 * frames tagged with their VLAN; the table says which VNI each VLAN rides
 * in, and back. The tag is never sent inside the tunnel (the VNI is the
 * VLAN's identity there, as a Linux bridge's vlan_tunnel does), so the
 * overlay strips it on the way out and pushes it on the way in. Pairs are
 * separated by ';' and written VLAN:VNI because ',' ends a keyval value.
 * The table is small (VNI_MAP_MAX) and searched linearly per frame: 64
 * compares cost less than a hash's setup and nothing is allocated.
 */
#include "ports/vni_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number of up to 8 digits at *p, advancing *p. */
static int number(const char **p, uint32_t *out)
{
	uint32_t v = 0;
	unsigned n = 0;

	while (**p >= '0' && **p <= '9') {
		if (++n > 8)
			return -1;
		v = v * 10 + (uint32_t)(**p - '0');
		(*p)++;
	}
	if (!n)
		return -1;
	*out = v;
	return 0;
}

int vni_map_parse(const char *s, uint32_t vni_max, struct vni_map *m, char *err,
		  size_t errlen)
{
	const char *p = s;
	uint32_t vlan, vni;
	unsigned i;

	memset(m, 0, sizeof(*m));
	for (;;) {
		if (number(&p, &vlan) < 0 || *p != ':' || (p++, number(&p, &vni) < 0) ||
		    (*p && *p != ';')) {
			snprintf(err, errlen, "expects VLAN:VNI pairs separated by ';', "
				 "e.g. 10:5010;20:5020, not '%s'", s);
			return -1;
		}
		if (vlan < 1 || vlan > 4094 || vni > vni_max) {
			snprintf(err, errlen, "VLAN %u or VNI %u out of range (VLANs 1-4094, "
				 "VNIs 0-%u)", vlan, vni, vni_max);
			return -1;
		}
		for (i = 0; i < m->n; i++)
			if (m->vlan[i] == vlan || m->vni[i] == vni) {
				snprintf(err, errlen, "maps VLAN %u or VNI %u twice", vlan, vni);
				return -1;
			}
		if (m->n == VNI_MAP_MAX) {
			snprintf(err, errlen, "maps at most %u VLANs", VNI_MAP_MAX);
			return -1;
		}
		m->vlan[m->n] = (uint16_t)vlan;
		m->vni[m->n] = vni;
		m->n++;
		if (!*p)
			return 0;
		p++; /* ';' */
	}
}

bool vni_map_vni(const struct vni_map *m, uint16_t vlan, uint32_t *vni)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->vlan[i] == vlan) {
			*vni = m->vni[i];
			return true;
		}
	return false;
}

bool vni_map_vlan(const struct vni_map *m, uint32_t vni, uint16_t *vlan)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->vni[i] == vni) {
			*vlan = m->vlan[i];
			return true;
		}
	return false;
}

void vni_map_format(const struct vni_map *m, char *buf, size_t size)
{
	size_t at = 0;
	unsigned i;
	int n;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < m->n && at < size; i++) {
		n = snprintf(buf + at, size - at, "%s%u:%u", i ? ";" : "", (unsigned)m->vlan[i],
			     (unsigned)m->vni[i]);
		if (n < 0)
			return;
		at += (size_t)n;
	}
}
