/* SPDX-License-Identifier: MIT
 *
 * fuzz_tcp_sack.c - libFuzzer target for the TCP engine's SACK scoreboard
 * (gateway/tcp/tcp_sack.c) and RACK's send-time records (tcp_rack.c),
 * which take the guest's SACK blocks: any four-byte values a guest writes.
 *
 * Theory of operation: the input is a list of 9-byte operations (kind,
 * then two 32-bit values a, b) over a send window [una, max) that starts
 * near the sequence wrap: add the block [a, b) as the guest wrote it (raw,
 * so inverted, stale and huge blocks come too), prune at una + a, send new
 * data (max grows), resend [una + a, + b), deliver [una + a, + b). A
 * shadow bitmap of the window records every byte a block reported.
 * Beyond "no crash" (checked after each operation, the byte walks every
 * 16th and at the end): the board stays sorted, disjoint, not touching,
 * within (una, max] and at most TCP_SB_MAX blocks; every reported byte
 * above una is still on the board or inside the unknown hull (the board
 * never forgets); no hole tcp_sb_next_hole() offers holds a reported byte;
 * tcp_sb_bytes() matches the blocks; RACK's records stay sorted, disjoint
 * and at most TCP_RACK_RTX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/tcp/tcp_rack.h"
#include "gateway/tcp/tcp_sack.h"

#define WIN (1u << 13)
#define BASE 0xffff8000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t shadow[WIN / 8];

static inline bool lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool reported(uint32_t seq)
{
	uint32_t o = seq - BASE;

	return o < WIN && shadow[o / 8] & (1u << (o % 8));
}

static bool in_unknown(const struct tcp_sb *sb, uint32_t seq)
{
	return sb->unk && le(sb->unk_l, seq) && lt(seq, sb->unk_r);
}

/* The structure after every operation; the byte walks (full: forgotten
 * bytes, holes) every 16th and at the end, or the target crawls. */
static void check(const struct tcp_sb *sb, const struct tcp_rack *r, uint32_t una, uint32_t max,
		  bool full)
{
	uint32_t sum = 0, l, h;

	if (sb->n > TCP_SB_MAX || r->nrtx > TCP_RACK_RTX)
		abort();
	for (unsigned i = 0; i < sb->n; i++) {
		if (!lt(sb->blk[i][0], sb->blk[i][1]) || lt(sb->blk[i][0], una) ||
		    lt(max, sb->blk[i][1]))
			abort();
		if (i && !lt(sb->blk[i - 1][1], sb->blk[i][0]))
			abort(); /* overlapping or touching */
		sum += sb->blk[i][1] - sb->blk[i][0];
	}
	if (sum != tcp_sb_bytes(sb))
		abort();
	for (unsigned i = 0; i + 1 < r->nrtx; i++)
		if (lt(r->rtx[i + 1][0], r->rtx[i][1]))
			abort();
	if (!full)
		return;
	for (uint32_t s = una; lt(s, max); s++)
		if (reported(s) && !tcp_sb_has(sb, s) && !in_unknown(sb, s))
			abort(); /* forgotten */
	for (uint32_t p = una; tcp_sb_next_hole(sb, p, max, &l, &h); p = h) {
		if (!lt(l, h) || lt(l, p) || lt(max, h))
			abort();
		for (uint32_t s = l; lt(s, h); s++)
			if (reported(s))
				abort(); /* a hole holding what the guest has */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_sb sb;
	struct tcp_rack r;
	uint32_t una = BASE, max = BASE + 1000, now = 1;

	memset(shadow, 0, sizeof(shadow));
	tcp_sb_reset(&sb);
	tcp_rack_init(&r);
	for (size_t i = 0; i + 9 <= size && i < 9 * 200; i += 9) {
		uint32_t a = rd32(data + i + 1), b = rd32(data + i + 5), o = a % WIN, n = b % 1024;

		now += 1 + (b & 0xff);
		switch (data[i] % 5) {
		case 0: /* a guest's block, raw; relative when the top bit is clear */
			if (!(a & 0x80000000u)) {
				a = una + (a % WIN);
				b = a + (b % 2048);
			}
			if (tcp_sb_add(&sb, a, b, una, max) && !lt(b, a)) {
				uint32_t l = lt(a, una) ? una : a, h = lt(max, b) ? max : b;

				for (uint32_t s = l; lt(s, h); s++)
					if (s - BASE < WIN)
						shadow[(s - BASE) / 8] |= (uint8_t)(1u << ((s - BASE) % 8));
			}
			break;
		case 1:
			if (lt(una + o, max) && una + o - BASE < WIN) {
				una += o;
				tcp_sb_prune(&sb, una);
				tcp_rack_prune(&r, una);
			}
			break;
		case 2:
			if (max + n - BASE < WIN) {
				max += n;
				tcp_rack_sent(&r, max, now);
			}
			break;
		case 3:
			if (lt(una + o, max))
				tcp_rack_resent(&r, una + o, lt(max, una + o + n) ? max : una + o + n, now);
			break;
		default:
			if (lt(una + o, max)) {
				uint32_t us, e;
				bool rtx;

				tcp_rack_delivered(&r, una + o, lt(max, una + o + n) ? max : una + o + n, now);
				e = tcp_rack_piece(&r, una + o, max, &us, &rtx);
				if (lt(max, e) || !lt(una + o, e))
					abort();
				tcp_rack_wait(&r, us, e, now, tcp_rack_reo_wnd(&r, 1000));
			}
			break;
		}
		check(&sb, &r, una, max, i % (9 * 16) == 0);
	}
	check(&sb, &r, una, max, true);
	return 0;
}
