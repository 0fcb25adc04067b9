/* SPDX-License-Identifier: MIT
 *
 * vxlan.c - "-netdev vxlan": a VXLAN VTEP (RFC 7348), key names as in
 * "ip link add ... type vxlan". The runtime is overlay.c, shared with
 * Geneve; the header is overlay_hdr.c.
 */
#include "ports/overlay.h"

static struct netdev *vxlan_parse(struct kvlist *kv, char *err, size_t errlen);

const struct netdev_type netdev_vxlan_type = {
	.name = "vxlan",
	.summary = "a VXLAN tunnel endpoint (RFC 7348): one VNI, UDP port 4789",
	.man = "A VXLAN tunnel endpoint (RFC 7348) for one VNI, interoperating with\n"
	       "Linux's\n.B ip link add ... type vxlan\n(whose key names it follows) and "
	       "EVPN fabrics.\nThe header is\n.BR \"08 00 00 00 | VNI | 00\" ;\n"
	       "the default destination port is IANA's 4789 (Linux's default without\n"
	       ".B dstport\nis 8472).",
	.keys = overlay_keys,
	.man_notes = overlay_man_notes,
	.parse = vxlan_parse,
	.uplink = true, /* a tunnel: the far side is a LAN */
};

static struct netdev *vxlan_parse(struct kvlist *kv, char *err, size_t errlen)
{
	return overlay_parse(kv, &netdev_vxlan_type, OVERLAY_VXLAN, err, errlen);
}
