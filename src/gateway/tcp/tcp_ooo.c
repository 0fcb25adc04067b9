/* SPDX-License-Identifier: MIT
 *
 * tcp_ooo.c - see tcp_ooo.h.
 */
#include "gateway/tcp/tcp_ooo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static inline bool lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

static inline uint32_t end_of(const struct tcp_ooo *p, int32_t c)
{
	return p->seq[c] + p->len[c];
}

int tcp_ooo_init(struct tcp_ooo *p, size_t bytes)
{
	unsigned n = (unsigned)(bytes / TCP_OOO_CHUNK);

	memset(p, 0, sizeof(*p));
	p->free_top = -1;
	if (!n)
		return 0;
	p->data = malloc((size_t)n * TCP_OOO_CHUNK);
	p->seq = calloc(n, sizeof(*p->seq));
	p->len = calloc(n, sizeof(*p->len));
	p->next = calloc(n, sizeof(*p->next));
	if (!p->data || !p->seq || !p->len || !p->next) {
		tcp_ooo_fini(p);
		errno = ENOMEM;
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		p->next[i] = i + 1 < n ? (int32_t)(i + 1) : -1;
	p->free_top = 0;
	p->nchunks = p->nfree = n;
	/* A quarter of the pool per flow, but a small pool is not cut
	 * below a useful window (8 chunks, 16 KiB). */
	p->flow_cap = n / 4 > 8 ? n / 4 : n < 8 ? n : 8;
	return 0;
}

void tcp_ooo_fini(struct tcp_ooo *p)
{
	free(p->data);
	free(p->seq);
	free(p->len);
	free(p->next);
	memset(p, 0, sizeof(*p));
	p->free_top = -1;
}

static void chunk_free(struct tcp_ooo *p, struct tcp_ooo_q *q, int32_t c)
{
	p->next[c] = p->free_top;
	p->free_top = c;
	p->nfree++;
	q->n--;
}

enum tcp_ooo_res tcp_ooo_insert(struct tcp_ooo *p, struct tcp_ooo_q *q, uint32_t rcv_nxt,
				uint32_t limit, uint32_t seq, const uint8_t *data, size_t len)
{
	uint32_t pos = seq, end, n;
	int32_t prev = -1, cur = q->n ? q->head : -1;
	bool stored = false;

	if (len > INT32_MAX)
		return TCP_OOO_OUTSIDE;
	end = seq + (uint32_t)len;
	if (lt(pos, rcv_nxt))
		pos = rcv_nxt;
	if (lt(limit, end))
		end = limit;
	if (!lt(pos, end))
		return TCP_OOO_OUTSIDE;
	/* Appending beyond everything held is the common case: start at the
	 * tail instead of walking the list. */
	if (q->n && le(end_of(p, q->tail), pos)) {
		prev = q->tail;
		cur = -1;
	}
	while (lt(pos, end)) {
		uint32_t gap_end;
		int32_t c;

		while (cur >= 0 && le(end_of(p, cur), pos)) {
			prev = cur;
			cur = p->next[cur];
		}
		if (cur >= 0 && le(p->seq[cur], pos)) {
			pos = end_of(p, cur); /* held already */
			continue;
		}
		gap_end = cur >= 0 && lt(p->seq[cur], end) ? p->seq[cur] : end;
		if (prev >= 0 && end_of(p, prev) == pos && p->len[prev] < TCP_OOO_CHUNK) {
			n = TCP_OOO_CHUNK - p->len[prev];
			if (n > gap_end - pos)
				n = gap_end - pos;
			memcpy(p->data + (size_t)prev * TCP_OOO_CHUNK + p->len[prev],
			       data + (pos - seq), n);
			p->len[prev] = (uint16_t)(p->len[prev] + n);
			pos += n;
			stored = true;
			continue;
		}
		if (q->n >= p->flow_cap && p->nchunks)
			return TCP_OOO_FLOW_FULL; /* at its cap whatever the pool holds */
		if (p->free_top < 0)
			return TCP_OOO_POOL_FULL;
		c = p->free_top;
		p->free_top = p->next[c];
		p->nfree--;
		n = gap_end - pos > TCP_OOO_CHUNK ? TCP_OOO_CHUNK : gap_end - pos;
		memcpy(p->data + (size_t)c * TCP_OOO_CHUNK, data + (pos - seq), n);
		p->seq[c] = pos;
		p->len[c] = (uint16_t)n;
		p->next[c] = cur;
		if (prev < 0)
			q->head = c;
		else
			p->next[prev] = c;
		if (cur < 0)
			q->tail = c;
		q->n++;
		prev = c;
		pos += n;
		stored = true;
	}
	if (!stored)
		return TCP_OOO_DUP;
	q->last = lt(seq, rcv_nxt) ? rcv_nxt : seq;
	return TCP_OOO_STORED;
}

void tcp_ooo_trim(struct tcp_ooo *p, struct tcp_ooo_q *q, uint32_t rcv_nxt)
{
	while (q->n && le(end_of(p, q->head), rcv_nxt)) {
		int32_t c = q->head;

		q->head = p->next[c];
		chunk_free(p, q, c);
	}
}

ssize_t tcp_ooo_deliver(struct tcp_ooo *p, struct tcp_ooo_q *q, uint32_t *rcv_nxt, int fd,
			bool *blocked)
{
	ssize_t total = 0;

	*blocked = false;
	for (;;) {
		struct msghdr mh = { .msg_iov = p->iov };
		uint32_t expect, skip;
		size_t asked;
		int32_t c;
		ssize_t r;

		tcp_ooo_trim(p, q, *rcv_nxt);
		if (!q->n || lt(*rcv_nxt, p->seq[q->head]))
			return total;
		/* the head may start below rcv_nxt after a short send */
		c = q->head;
		skip = *rcv_nxt - p->seq[c];
		p->iov[0].iov_base = p->data + (size_t)c * TCP_OOO_CHUNK + skip;
		p->iov[0].iov_len = p->len[c] - skip;
		mh.msg_iovlen = 1;
		asked = p->iov[0].iov_len;
		expect = end_of(p, c);
		for (c = p->next[c]; c >= 0 && mh.msg_iovlen < TCP_OOO_IOV && p->seq[c] == expect;
		     c = p->next[c]) {
			p->iov[mh.msg_iovlen].iov_base = p->data + (size_t)c * TCP_OOO_CHUNK;
			p->iov[mh.msg_iovlen].iov_len = p->len[c];
			mh.msg_iovlen++;
			asked += p->len[c];
			expect = end_of(p, c);
		}
		r = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				*blocked = true;
				return total;
			}
			return -1;
		}
		*rcv_nxt += (uint32_t)r;
		total += r;
		if ((size_t)r < asked) {
			tcp_ooo_trim(p, q, *rcv_nxt);
			*blocked = true;
			return total;
		}
	}
}

void tcp_ooo_drop(struct tcp_ooo *p, struct tcp_ooo_q *q)
{
	while (q->n) {
		int32_t c = q->head;

		q->head = p->next[c];
		chunk_free(p, q, c);
	}
	memset(q, 0, sizeof(*q));
}

unsigned tcp_ooo_sack(const struct tcp_ooo *p, const struct tcp_ooo_q *q, uint32_t rcv_nxt,
		      uint32_t (*blocks)[2], unsigned max)
{
	unsigned others = 0;
	bool latest = false;
	int32_t c = q->n ? q->head : -1;

	if (!max)
		return 0;
	/* Slot 0 waits for the block holding the latest segment; the others
	 * fill slots 1.. in ascending order. */
	while (c >= 0) {
		uint32_t l = p->seq[c], r = end_of(p, c);

		for (c = p->next[c]; c >= 0 && p->seq[c] == r; c = p->next[c])
			r = end_of(p, c);
		if (le(r, rcv_nxt))
			continue;
		if (lt(l, rcv_nxt))
			l = rcv_nxt;
		if (!latest && le(l, q->last) && lt(q->last, r)) {
			blocks[0][0] = l;
			blocks[0][1] = r;
			latest = true;
		} else if (1 + others < max) {
			blocks[1 + others][0] = l;
			blocks[1 + others][1] = r;
			others++;
		}
	}
	if (latest)
		return 1 + others;
	memmove(blocks, blocks + 1, others * sizeof(*blocks));
	return others;
}

size_t tcp_ooo_bytes(const struct tcp_ooo *p, const struct tcp_ooo_q *q)
{
	size_t n = 0;

	for (int32_t c = q->n ? q->head : -1; c >= 0; c = p->next[c])
		n += p->len[c];
	return n;
}
