/* SPDX-License-Identifier: MIT
 *
 * vlan.c - 802.1Q classification and tag rewriting, see vlan.h for the
 * rules. Everything here is a pure function of its arguments so the switch
 * stays the only place with state.
 */
#include "fabric/vlan.h"
#include "core/frame.h"

#include <string.h>

enum vlan_verdict vlan_classify(const struct port_vlan *pv, const uint8_t *frame,
				size_t len, struct vlan_info *vi)
{
	uint16_t tci;

	memset(vi, 0, sizeof(*vi));
	if (len < ETH_HDR_LEN)
		return VLAN_DROP_TRUNCATED;

	if (rd16be(frame + 12) != ETHERTYPE_VLAN) {
		if (!pv->pvid)
			return VLAN_DROP_UNTAGGED;
		vi->vid = pv->pvid;
		return VLAN_ACCEPT;
	}

	if (len < VLAN_TAGGED_MIN)
		return VLAN_DROP_TRUNCATED;
	tci = rd16be(frame + 14);
	vi->tagged = true;
	vi->prio = tci & VLAN_PRIO_MASK;
	vi->wire_vid = tci & VLAN_VID_MASK;

	if (vi->wire_vid == VLAN_VID_MASK)
		return VLAN_DROP_RESERVED;
	/* A priority tag only carries PCP: the frame is in the native VLAN. */
	if (vi->wire_vid == 0) {
		if (!pv->pvid)
			return VLAN_DROP_UNTAGGED;
		vi->vid = pv->pvid;
		return VLAN_ACCEPT;
	}
	if (!pv->trunk)
		return VLAN_DROP_TAGGED;
	if (vi->wire_vid != pv->pvid && !vlan_bit(pv, vi->wire_vid))
		return VLAN_DROP_NOT_MEMBER;
	vi->vid = vi->wire_vid;
	return VLAN_ACCEPT;
}

const char *vlan_verdict_str(enum vlan_verdict v)
{
	switch (v) {
	case VLAN_ACCEPT:		return "accepted";
	case VLAN_DROP_TRUNCATED:	return "truncated 802.1Q tag";
	case VLAN_DROP_TAGGED:		return "tagged frame on an access port";
	case VLAN_DROP_NOT_MEMBER:	return "VLAN not allowed on this trunk";
	case VLAN_DROP_UNTAGGED:	return "untagged frame but no native VLAN (pvid 0)";
	case VLAN_DROP_RESERVED:	return "reserved VID 4095";
	}
	return "?";
}

size_t vlan_pop(uint8_t *dst, const uint8_t *frame, size_t len)
{
	memcpy(dst, frame, 12);
	memcpy(dst + 12, frame + 12 + VLAN_TAG_LEN, len - 12 - VLAN_TAG_LEN);
	return len - VLAN_TAG_LEN;
}

size_t vlan_push(uint8_t *dst, const uint8_t *frame, size_t len, uint16_t tci)
{
	memcpy(dst, frame, 12);
	wr16be(dst + 12, ETHERTYPE_VLAN);
	wr16be(dst + 14, tci);
	memcpy(dst + 12 + VLAN_TAG_LEN, frame + 12, len - 12);
	return len + VLAN_TAG_LEN;
}

size_t vlan_retag(uint8_t *dst, const uint8_t *frame, size_t len, uint16_t tci)
{
	memcpy(dst, frame, len);
	wr16be(dst + 14, tci);
	return len;
}
