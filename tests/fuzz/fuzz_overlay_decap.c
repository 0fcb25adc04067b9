/* SPDX-License-Identifier: MIT
 *
 * fuzz_overlay_decap.c - tunnel payloads into the VXLAN and Geneve header
 * decoders (ports/overlay_hdr.c).
 *
 * Input: byte 0 picks the protocol (even: VXLAN, odd: Geneve), the rest is
 * the UDP payload as received. Invariants beyond "no crash": an accepted
 * header never claims more than the packet (hdrlen <= len), its VNI fits 24
 * bits, the inner frame starts at 8 bytes for VXLAN and 8 + 4 * OptLen for
 * Geneve, and re-encoding the VNI decodes to the same VNI.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ports/overlay_hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum overlay_proto p;
	uint8_t hdr[OVERLAY_HDR_MAX];
	uint32_t vni = 0, vni2 = 0;
	size_t hl = 0, hl2 = 0;
	enum overlay_err e;

	if (!size)
		return 0;
	p = data[0] & 1 ? OVERLAY_GENEVE : OVERLAY_VXLAN;
	data++;
	size--;
	e = overlay_decode(p, data, size, &vni, &hl);
	if ((unsigned)e >= OVERLAY_ERR_COUNT || !overlay_err_name(e))
		abort();
	if (e != OVERLAY_OK)
		return 0;
	if (hl > size || vni > OVERLAY_VNI_MAX)
		abort();
	if (p == OVERLAY_VXLAN ? hl != 8 : hl != 8 + (size_t)(data[0] & 0x3f) * 4)
		abort();
	hl2 = overlay_encode(p, hdr, vni);
	if (overlay_decode(p, hdr, hl2, &vni2, &hl) != OVERLAY_OK || vni2 != vni)
		abort();
	return 0;
}
