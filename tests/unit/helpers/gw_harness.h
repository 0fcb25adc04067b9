/* SPDX-License-Identifier: MIT
 *
 * gw_harness.h - one user-mode gateway under test, shared by the gateway
 * unit tests: how it is built from option text, what its guest-facing port
 * emits, an optional UDP "service" on 127.0.0.1, and the frame builders
 * and checkers every such test needs.
 *
 * Theory of operation: gwh_start() parses "user,<opts>" as the command line
 * would, makes the gateway (with its own event loop, or none for tests that
 * drive it with gateway_flush()) and points the port's sink at a capture
 * buffer: gwh.cap[0 .. gwh.ncap), with room and wait as a network has
 * them for back-pressure tests. A frame past GWH_CAP is counted in
 * gwh.lost, and gwh_teardown() fails the test if any was lost, so a test
 * that counts frames cannot be fooled by a full buffer. Builders write
 * guest-side frames with the independent checksums of gw_test.h; checkers
 * verify what the gateway emits with the same, never with its own code.
 */
#ifndef VMWIRE_TEST_GW_HARNESS_H
#define VMWIRE_TEST_GW_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "gateway/gateway.h"
#include "helpers/gw_test.h"

#define GWH_CAP 64
#define GWH_FRAME_MAX 70000 /* an IPv4 packet and its Ethernet header */

#define GWH_HOST IP(10, 0, 2, 2)
#define GWH_GUEST IP(10, 0, 2, 15)

struct gw_harness {
	struct gateway *gw;
	struct ev_loop *loop; /* NULL: the test calls gateway_flush() */
	int peer;	      /* UDP socket on 127.0.0.1 (gwh_peer_open), or -1 */
	uint16_t peer_port;
	unsigned ncap;	      /* frames captured */
	unsigned lost;	      /* frames past GWH_CAP */
	/* Back-pressure as a network would show it: with room_limited, the
	 * sink's room() answers room, which each captured frame uses up
	 * (len + PORT_TX_OVERHEAD), and wait() calls are counted in waits;
	 * gwh_writable() plays the port that drained. */
	bool room_limited;
	/* What the sink's station() answers: the switch port the frames
	 * "come from" (0: unknown, as without a switch). */
	uint32_t station;
	size_t room;
	unsigned waits;
	size_t cap_len[GWH_CAP];
	uint8_t cap[GWH_CAP][GWH_FRAME_MAX];
};

extern struct gw_harness gwh;

/* Parse "user" plus opts (may be "") into cfg; fails the test on error. */
void gwh_parse_cfg(struct gw_config *cfg, const char *opts);
/* Make the gateway with opts, capture empty. */
void gwh_start(const char *opts, bool with_loop);
/* Bind gwh.peer to an ephemeral port on 127.0.0.1. */
void gwh_peer_open(void);
/* A socket of type (SOCK_STREAM or SOCK_DGRAM, flags allowed) bound to an
 * ephemeral port on 127.0.0.1, listening if a stream; the port in *port. */
int gwh_loopback_socket(int type, uint16_t *port);
/* Run loop for about ms milliseconds. */
void gwh_spin(struct ev_loop *loop, int ms);
/* cmocka teardown: free the gateway, loop and peer; fail if frames were lost. */
int gwh_teardown(void **state);

/* The egress port drained: resume the gateway as the network would. */
void gwh_writable(void);

/* Send a frame from the guest; without a loop, flush the answers too. */
void gwh_send(const uint8_t *f, size_t len);
/* Run the loop until n frames were captured or ~2 s passed. */
void gwh_run_until(unsigned n);

/* Ethernet header; returns 14. */
size_t gwh_eth(uint8_t *f, const uint8_t *dst_mac, const uint8_t *src_mac, uint16_t type);
/* A checksummed 20-byte IPv4 header for payload bytes; frag is the
 * flags/offset field. */
void gwh_ipv4(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
	      uint16_t frag, size_t payload);
/* The UDP header at u for the dlen bytes already at u + 8, checksummed. */
void gwh_udp(uint8_t *u, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
	     size_t dlen);

/* Check captured frame i is IPv4/UDP from the gateway's MAC to dmac with
 * these addresses and ports, all lengths and checksums right; returns the
 * payload and its length. */
const uint8_t *gwh_check_udp(unsigned i, const uint8_t *dmac, uint32_t src, uint16_t sport,
			     uint32_t dst, uint16_t dport, size_t *dlen);

#endif
