/* SPDX-License-Identifier: MIT
 *
 * tcp_sack.h - the SACK scoreboard of one flow towards the guest: which of
 * the bytes we sent the guest holds above its cumulative ACK.
 *
 * Theory of operation: a receiver reports only its few most recent SACK
 * blocks (Linux keeps four), so a block it stops reporting is still held
 * there: the scoreboard must remember every block it was told of until the
 * cumulative ACK passes it, or the sender takes the gap for a hole and
 * resends data the guest has (each such resend comes back as a D-SACK; the
 * eight-entry board this replaces did exactly that). Blocks are kept
 * sorted, disjoint and not touching, inside (snd_una, snd_max]; a new block
 * is inserted and joined with every neighbour it overlaps or touches.
 *
 * The board holds TCP_SB_MAX blocks. When one more disjoint block would
 * not fit, the highest block is dropped (the new one if it is highest) and
 * its range joins the "unknown" hull [unk_l, unk_r): the guest may hold
 * bytes there that we no longer know of, so nothing in it is ever taken
 * for a hole (tcp_sb_next_hole() skips it) until the cumulative ACK moves
 * past it; data lost inside it is repaired from snd_una upwards, the
 * NewReno way. So a full board costs speed, never a resend of data the
 * guest reported. With the congestion window (tcp_cc.h) bounding what is
 * in flight the board rarely fills: each hole is one loss.
 *
 * Pure functions of the board and sequence numbers: no flow, no clock, so
 * the unit tests drive it directly.
 */
#ifndef VMWIRE_GATEWAY_TCP_SACK_H
#define VMWIRE_GATEWAY_TCP_SACK_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_SB_MAX 32

struct tcp_sb {
	uint32_t blk[TCP_SB_MAX + 1][2]; /* [left, right); + 1: room while merging */
	uint8_t n;
	uint8_t unk;                     /* [unk_l, unk_r) valid */
	uint32_t unk_l, unk_r;
};

static inline void tcp_sb_reset(struct tcp_sb *sb) { sb->n = 0; sb->unk = 0; }

/* Record [l, r) as held by the guest, clipped to (una, max]. Returns the
 * bytes it added that the board did not hold before (0: nothing new). */
uint32_t tcp_sb_add(struct tcp_sb *sb, uint32_t l, uint32_t r, uint32_t una, uint32_t max);

/* The cumulative ACK reached una: forget what is below it. */
void tcp_sb_prune(struct tcp_sb *sb, uint32_t una);

/* Is seq held by the guest as far as we know? */
bool tcp_sb_has(const struct tcp_sb *sb, uint32_t seq);

/* The first hole [*l, *r) at or after from and below limit: bytes neither
 * SACKed nor in the unknown hull. False when there is none. */
bool tcp_sb_next_hole(const struct tcp_sb *sb, uint32_t from, uint32_t limit, uint32_t *l,
		      uint32_t *r);

/* SACKed bytes, and the highest SACKed sequence (the forward ACK; una when
 * the board is empty). */
uint32_t tcp_sb_bytes(const struct tcp_sb *sb);
uint32_t tcp_sb_fack(const struct tcp_sb *sb, uint32_t una);

#endif
