/* SPDX-License-Identifier: MIT
 *
 * vlan.h - 802.1Q ingress classification and tag push/pop.
 *
 * Theory of operation: the switch reduces every received frame to one VLAN
 * ID before it looks at MAC addresses, and decides per egress port whether
 * the frame leaves tagged (a trunk VLAN other than the native one) or
 * untagged (an access port, or a trunk's native VLAN, pvid).
 *
 * Ingress rules (struct port_vlan in core/port.h):
 *   access port: untagged -> pvid; priority tag (VID 0) -> pvid; any other
 *                tag -> drop.
 *   trunk port:  untagged or priority tagged -> pvid (pvid 0: drop);
 *                tagged VID v -> v if v is allowed (or v == pvid), else drop.
 * VID 4095 is reserved by 802.1Q and always dropped.
 *
 * Only TPID 0x8100 is a tag. A frame with an 0x88a8 (802.1ad) outer tag is
 * an ordinary untagged frame of that ethertype to us: we are a customer
 * bridge, and QEMU guests do not originate service tags. A frame whose
 * ethertype says 0x8100 but which is too short to hold the tag and the inner
 * ethertype is malformed and dropped.
 *
 * The PCP and DEI bits of a received tag are carried with the frame and put
 * back into any tag we push on egress; an untagged frame gets PCP 0.
 * Rewrites copy into a caller-supplied buffer (the network's scratch
 * buffers), never allocate, and never modify the received frame.
 */
#ifndef VMWIRE_FABRIC_VLAN_H
#define VMWIRE_FABRIC_VLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/port.h"

#define VLAN_VID_MASK 0x0fff
#define VLAN_PRIO_MASK 0xf000 /* PCP (3 bits) and DEI (1 bit) */
#define VLAN_TAGGED_MIN 18    /* dst, src, TPID, TCI, inner ethertype */

enum vlan_verdict {
	VLAN_ACCEPT = 0,
	VLAN_DROP_TRUNCATED,  /* malformed: claims a tag it can't hold */
	VLAN_DROP_TAGGED,     /* tagged frame on an access port */
	VLAN_DROP_NOT_MEMBER, /* tagged with a VID the trunk doesn't carry */
	VLAN_DROP_UNTAGGED,   /* untagged on a trunk without native VLAN */
	VLAN_DROP_RESERVED,   /* VID 4095 */
};

struct vlan_info {
	uint16_t vid;      /* VLAN the frame belongs to, 1..4094 */
	uint16_t prio;     /* PCP and DEI bits of the received tag, else 0 */
	bool tagged;       /* the received frame carries a tag */
	uint16_t wire_vid; /* VID in the received tag (0 for a priority tag) */
};

/* Classify a frame of at least ETH_HDR_LEN bytes received on a port. */
enum vlan_verdict vlan_classify(const struct port_vlan *pv, const uint8_t *frame,
				size_t len, struct vlan_info *vi);

const char *vlan_verdict_str(enum vlan_verdict v);

/* Does a frame of VLAN vid leave through this port with a tag? Only
 * meaningful if port_vlan_member() said the port carries vid. */
static inline bool vlan_egress_tagged(const struct port_vlan *pv, unsigned vid)
{
	return vid != pv->pvid;
}

/* Copy a tagged frame (len >= VLAN_TAGGED_MIN) to dst without its tag.
 * dst holds at least len - 4 bytes. Returns the new length. */
size_t vlan_pop(uint8_t *dst, const uint8_t *frame, size_t len);

/* Copy an untagged frame to dst with a tag carrying tci inserted. dst holds
 * at least len + 4 bytes. Returns the new length. */
size_t vlan_push(uint8_t *dst, const uint8_t *frame, size_t len, uint16_t tci);

/* Copy a tagged frame to dst with its TCI replaced. Returns len. */
size_t vlan_retag(uint8_t *dst, const uint8_t *frame, size_t len, uint16_t tci);

#endif
