/* SPDX-License-Identifier: MIT
 *
 * fuzz_switch_ingress.c - libFuzzer target for the L2 fabric: a learning
 * 802.1Q switch (or a hub) with four ports, fed a sequence of frames.
 *
 * Theory of operation: each input builds a fresh network without an event
 * loop (src/fabric/network.h) with four ports whose VLAN setups cover every
 * case: access VLAN 1, access VLAN 2, a trunk with native VLAN 1 carrying
 * 2, 3 and 100, and a trunk without native VLAN carrying 1, 2, 3 and 4094.
 * The input is
 *
 *   byte 0    bit 0: hub instead of switch; bits 1..2: fdb size 2, 4, 16
 *             or 4096 (small tables exercise the "full" path)
 *   records   ctl, length (2 bytes, big endian), frame
 *             ctl bits 0..1: ingress port; bit 6: detach and re-attach
 *             that port first (forgets its MACs); bit 7: age the fdb with a
 *             clock advanced by (ctl >> 2 & 15) minutes
 *
 * so learning, flooding, known-unicast forwarding, tag push/pop/retag,
 * duplicate MACs on two ports and table exhaustion all happen. Every
 * frame a port is asked to send is checked against the frame that entered:
 * never back out of the ingress port, never twice to one port, only to a
 * port that carries the frame's VLAN, tagged exactly when that port wants
 * the VLAN tagged, with the right VID and priority, and with the rest of
 * the frame unchanged. A hub must copy every frame unchanged to every other
 * port; a switch must not send a frame its VLAN rules refuse.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/log.h"
#include "core/port.h"
#include "fabric/network.h"
#include "fabric/vlan.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPORTS 4

static struct port ports[NPORTS];

/* The frame being forwarded, as the harness understands it. */
static struct {
	const struct port *from;
	const uint8_t *frame;
	size_t len;
	bool hub, accepted;
	struct vlan_info vi;
	unsigned sent[NPORTS];
} cur;

static bool fz_transmit(struct port *p, const uint8_t *f, size_t len)
{
	unsigned i = (unsigned)(p - ports);
	const uint8_t *in = cur.frame, *in_rest, *out_rest;
	size_t in_rest_len, out_rest_len;

	CHECK(i < NPORTS);
	CHECK(p != cur.from);
	CHECK(cur.sent[i]++ == 0);
	CHECK(len >= FRAME_MIN && len <= FRAME_MAX);
	if (cur.hub) {
		CHECK(len == cur.len && !memcmp(f, in, len));
		return true;
	}
	CHECK(cur.accepted);
	CHECK(port_vlan_member(p, cur.vi.vid));
	CHECK(!memcmp(f, in, 12)); /* MACs */
	/* Compare everything after the tag (or after the MACs if none). */
	in_rest = in + 12 + (cur.vi.tagged ? VLAN_TAG_LEN : 0);
	in_rest_len = cur.len - (size_t)(in_rest - in);
	if (vlan_egress_tagged(&p->vlan, cur.vi.vid)) {
		CHECK(len >= VLAN_TAGGED_MIN);
		CHECK(rd16be(f + 12) == ETHERTYPE_VLAN);
		CHECK((rd16be(f + 14) & VLAN_VID_MASK) == cur.vi.vid);
		CHECK((rd16be(f + 14) & VLAN_PRIO_MASK) == cur.vi.prio);
		out_rest = f + 16;
	} else {
		out_rest = f + 12;
	}
	out_rest_len = len - (size_t)(out_rest - f);
	CHECK(out_rest_len == in_rest_len && !memcmp(out_rest, in_rest, in_rest_len));
	return true;
}

static void fz_describe(const struct port *p, char *buf, size_t size) { *buf = 0; }
static void fz_destroy(struct port *p) {}

static const struct port_ops fz_ops = {
	.kind = "fuzz", .transmit = fz_transmit, .describe = fz_describe,
	.destroy = fz_destroy,
};

static void quiet(enum log_level level, const char *msg) {}

static void setup_ports(void)
{
	static const uint16_t t2[] = { 2, 3, 100 }, t3[] = { 1, 2, 3, 4094 };
	unsigned i;

	for (i = 0; i < NPORTS; i++) {
		char id[8];

		snprintf(id, sizeof(id), "p%u", i);
		port_init(&ports[i], &fz_ops, id);
	}
	ports[0].vlan.pvid = 1;
	ports[1].vlan.pvid = 2;
	ports[2].vlan.trunk = true;
	ports[2].vlan.pvid = 1;
	for (i = 0; i < 3; i++)
		vlan_set_bit(&ports[2].vlan, t2[i]);
	ports[3].vlan.trunk = true;
	ports[3].vlan.pvid = 0;
	for (i = 0; i < 4; i++)
		vlan_set_bit(&ports[3].vlan, t3[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned fdb_sizes[] = { 2, 4, 16, NETWORK_DEFAULT_FDB_MAX };
	struct network *net;
	uint64_t now = 0;
	size_t pos = 1;
	unsigned i;

	if (size < 1)
		return 0;
	log_set_hook(quiet);
	setup_ports();
	net = network_new("fz", data[0] & 1 ? NETWORK_HUB : NETWORK_SWITCH,
			  NETWORK_DEFAULT_AGING_S, fdb_sizes[data[0] >> 1 & 3], NULL);
	if (!net)
		abort();
	for (i = 0; i < NPORTS; i++)
		network_attach(net, &ports[i]);

	while (size - pos >= 3) {
		uint8_t ctl = data[pos];
		size_t len = rd16be(data + pos + 1);
		struct port *from = &ports[ctl & 3];
		uint64_t drops = from->stats.rx_drops;
		unsigned nsent = 0;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (ctl & 0x80) {
			now += (uint64_t)(ctl >> 2 & 15) * 60000;
			network_age(net, now);
		}
		if (ctl & 0x40) {
			network_detach(net, from);
			CHECK(!network_has_port(net, from) && net->nports == NPORTS - 1);
			network_attach(net, from);
		}
		memset(&cur, 0, sizeof(cur));
		cur.from = from;
		cur.frame = data + pos;
		cur.len = len;
		cur.hub = net->mode == NETWORK_HUB;
		if (len >= ETH_HDR_LEN)
			cur.accepted = vlan_classify(&from->vlan, cur.frame, len, &cur.vi) ==
				       VLAN_ACCEPT;
		port_receive(from, data + pos, len);
		for (i = 0; i < NPORTS; i++)
			nsent += cur.sent[i];
		if (len < FRAME_MIN)
			CHECK(nsent == 0 && from->stats.rx_drops == drops + 1);
		else if (cur.hub)
			CHECK(nsent == NPORTS - 1);
		else if (!cur.accepted)
			CHECK(nsent == 0);
		pos += len;
	}
	network_free(net);
	return 0;
}
