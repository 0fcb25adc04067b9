/* SPDX-License-Identifier: MIT
 *
 * tcp_sack.c - the SACK scoreboard towards the guest; see tcp_sack.h.
 */
#include "gateway/tcp/tcp_sack.h"

#include <string.h>

static inline bool lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

/* Bytes of [l, r) the board holds already (blocks are disjoint). */
static uint32_t held(const struct tcp_sb *sb, uint32_t l, uint32_t r)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < sb->n; i++) {
		uint32_t a = sb->blk[i][0], b = sb->blk[i][1];

		if (lt(a, l))
			a = l;
		if (lt(r, b))
			b = r;
		if (lt(a, b))
			n += b - a;
	}
	return n;
}

static void unknown_add(struct tcp_sb *sb, uint32_t l, uint32_t r)
{
	if (!sb->unk) {
		sb->unk = 1;
		sb->unk_l = l;
		sb->unk_r = r;
		return;
	}
	if (lt(l, sb->unk_l))
		sb->unk_l = l;
	if (lt(sb->unk_r, r))
		sb->unk_r = r;
}

uint32_t tcp_sb_add(struct tcp_sb *sb, uint32_t l, uint32_t r, uint32_t una, uint32_t max)
{
	uint32_t before, after;
	unsigned i, j;

	if (lt(l, una))
		l = una;
	if (lt(max, r))
		r = max;
	if (!lt(l, r))
		return 0; /* empty, stale or beyond what we sent */
	before = held(sb, l, r);
	if (before == r - l)
		return 0;
	for (i = 0; i < sb->n && lt(sb->blk[i][0], l); i++)
		;
	memmove(sb->blk + i + 1, sb->blk + i, (sb->n - i) * sizeof(sb->blk[0]));
	sb->blk[i][0] = l;
	sb->blk[i][1] = r;
	sb->n++;
	/* Join neighbours that overlap or touch: one pass, the board is sorted
	 * by left edge. */
	for (j = 0; j + 1 < sb->n;) {
		if (le(sb->blk[j + 1][0], sb->blk[j][1])) {
			if (lt(sb->blk[j][1], sb->blk[j + 1][1]))
				sb->blk[j][1] = sb->blk[j + 1][1];
			memmove(sb->blk + j + 1, sb->blk + j + 2,
				(sb->n - j - 2) * sizeof(sb->blk[0]));
			sb->n--;
		} else {
			j++;
		}
	}
	after = r - l; /* all of [l, r) is held now */
	if (sb->n > TCP_SB_MAX) {
		/* The highest goes to the unknown hull: never a hole, never
		 * resent; what is missing there is found from snd_una. */
		sb->n--;
		unknown_add(sb, sb->blk[sb->n][0], sb->blk[sb->n][1]);
		if (sb->blk[sb->n][0] == l && sb->blk[sb->n][1] == r)
			return 0;
	}
	return after - before;
}

void tcp_sb_prune(struct tcp_sb *sb, uint32_t una)
{
	unsigned k = 0;

	while (k < sb->n && le(sb->blk[k][1], una))
		k++;
	if (k) {
		memmove(sb->blk, sb->blk + k, (sb->n - k) * sizeof(sb->blk[0]));
		sb->n = (uint8_t)(sb->n - k);
	}
	if (sb->n && lt(sb->blk[0][0], una))
		sb->blk[0][0] = una;
	if (sb->unk && le(sb->unk_r, una))
		sb->unk = 0;
	else if (sb->unk && lt(sb->unk_l, una))
		sb->unk_l = una;
}

bool tcp_sb_has(const struct tcp_sb *sb, uint32_t seq)
{
	for (unsigned i = 0; i < sb->n; i++)
		if (le(sb->blk[i][0], seq) && lt(seq, sb->blk[i][1]))
			return true;
	return false;
}

bool tcp_sb_next_hole(const struct tcp_sb *sb, uint32_t from, uint32_t limit, uint32_t *l,
		      uint32_t *r)
{
	uint32_t pos = from, end;
	bool moved = true;

	/* Skip whatever covers pos (a block, or the unknown hull) until
	 * nothing does: at most n + 1 steps, each moves pos up. */
	while (moved && lt(pos, limit)) {
		moved = false;
		for (unsigned i = 0; i < sb->n; i++) {
			if (le(sb->blk[i][0], pos) && lt(pos, sb->blk[i][1])) {
				pos = sb->blk[i][1];
				moved = true;
			}
		}
		if (sb->unk && le(sb->unk_l, pos) && lt(pos, sb->unk_r)) {
			pos = sb->unk_r;
			moved = true;
		}
	}
	if (!lt(pos, limit))
		return false;
	end = limit;
	for (unsigned i = 0; i < sb->n; i++)
		if (lt(pos, sb->blk[i][0]) && lt(sb->blk[i][0], end))
			end = sb->blk[i][0];
	if (sb->unk && lt(pos, sb->unk_l) && lt(sb->unk_l, end))
		end = sb->unk_l;
	*l = pos;
	*r = end;
	return true;
}

uint32_t tcp_sb_bytes(const struct tcp_sb *sb)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < sb->n; i++)
		n += sb->blk[i][1] - sb->blk[i][0];
	return n;
}

uint32_t tcp_sb_fack(const struct tcp_sb *sb, uint32_t una)
{
	uint32_t f = sb->n ? sb->blk[sb->n - 1][1] : una;

	if (sb->unk && lt(f, sb->unk_r))
		f = sb->unk_r;
	return lt(f, una) ? una : f;
}
