/* SPDX-License-Identifier: MIT
 *
 * geneve.c - "-netdev geneve": a Geneve tunnel endpoint (RFC 8926), with the
 * same keys as -netdev vxlan, so vmwire can join an OVN/OVS overlay. The
 * runtime is overlay.c; the header and its option TLVs are overlay_hdr.c.
 */
#include "ports/overlay.h"

static struct netdev *geneve_parse(struct kvlist *kv, char *err, size_t errlen);

const struct netdev_type netdev_geneve_type = {
	.name = "geneve",
	.summary = "a Geneve tunnel endpoint (RFC 8926): one VNI, UDP port 6081",
	.man = "A Geneve tunnel endpoint (RFC 8926) for one VNI, with the keys of\n"
	       ".BR \"\\-netdev vxlan\" .\n"
	       "It sends version 0, protocol 0x6558 (Transparent Ethernet Bridging), no\n"
	       "options; it skips received non-critical option TLVs within their bounds.\n"
	       "The default destination port is 6081.",
	.keys = overlay_keys,
	.man_notes = overlay_man_notes,
	.parse = geneve_parse,
	.uplink = true, /* a tunnel: the far side is a LAN */
};

static struct netdev *geneve_parse(struct kvlist *kv, char *err, size_t errlen)
{
	return overlay_parse(kv, &netdev_geneve_type, OVERLAY_GENEVE, err, errlen);
}
