/* SPDX-License-Identifier: MIT
 *
 * fake_port.h - a struct port for unit tests that records what it is asked
 * to transmit.
 *
 * Theory of operation: the fabric (or anything else) calls port_send() on a
 * fake port, which keeps a heap copy of each frame, in order, so a test can
 * compare bytes afterwards. fake_port_inject() plays the peer: it feeds a
 * frame into vmwire through port_receive(). The fake port lives in storage
 * the test owns: destroy() only marks it destroyed and drops the copies, so
 * a test can still look at it after port_close() or network_free().
 */
#ifndef VMWIRE_TESTS_FAKE_PORT_H
#define VMWIRE_TESTS_FAKE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/port.h"

#define FAKE_PORT_FRAMES 256

struct fake_frame {
	uint8_t *data;
	size_t len;
};

struct fake_port {
	struct port port; /* first: a struct port * is a struct fake_port * */
	struct fake_frame frames[FAKE_PORT_FRAMES];
	unsigned n;	     /* frames recorded (at most FAKE_PORT_FRAMES) */
	unsigned transmits;  /* transmit() calls, including refused ones */
	bool refuse;	     /* drop every frame as a full peer would */
	unsigned destroyed;  /* destroy() calls */
	/* Called after a frame was recorded, e.g. to re-enter the fabric. */
	void (*on_transmit)(struct fake_port *fp, const uint8_t *frame, size_t len);
	void *ctx;
	/* Back-pressure: with has_room, tx_room() is room, which every frame
	 * taken uses up (len + PORT_TX_OVERHEAD) and a frame that does not fit
	 * is refused; without, the port does not queue (SIZE_MAX). */
	bool has_room;
	size_t room, queued; /* queued: what tx_queued() reports */
	unsigned resumed;    /* resume() calls: a sink said room is back */
};

void fake_port_init(struct fake_port *fp, const char *id);
/* fake_port_init(), then attach to net: for ports with the default VLAN
 * configuration (configure first, then network_attach(), otherwise). */
struct network;
void fake_port_attach(struct fake_port *fp, const char *id, struct network *net);
/* Forget recorded frames (keeps configuration). */
void fake_port_clear(struct fake_port *fp);
/* Frame i, or NULL; *len gets its length. */
const uint8_t *fake_port_frame(const struct fake_port *fp, unsigned i, size_t *len);
/* Does frame i equal (data, len) byte for byte? */
bool fake_port_frame_is(const struct fake_port *fp, unsigned i, const uint8_t *data, size_t len);
/* The peer sends a frame into vmwire. */
void fake_port_inject(struct fake_port *fp, const uint8_t *frame, size_t len);

/* VLAN configuration shortcuts. */
void fake_port_access(struct fake_port *fp, uint16_t pvid);
void fake_port_trunk(struct fake_port *fp, uint16_t native, const uint16_t *vids, size_t n);

/* Build an Ethernet frame into buf: dst, src, optional 802.1Q tag (tci,
 * only if tagged), ethertype, then payload_len bytes of a pattern derived
 * from seed. Returns the length. */
size_t fake_frame_build(uint8_t *buf, const uint8_t *dst, const uint8_t *src, bool tagged,
			uint16_t tci, uint16_t ethertype, size_t payload_len, uint8_t seed);

#endif
