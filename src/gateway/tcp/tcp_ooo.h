/* SPDX-License-Identifier: MIT
 *
 * tcp_ooo.h - the TCP engine's out-of-order queue for guest -> host data.
 *
 * Theory of operation: one pool of fixed-size chunks (TCP_OOO_CHUNK data
 * bytes each) is allocated at startup, max-ooo-kib in all, and shared by
 * every flow: memory is bounded by what we chose, whatever the number of
 * flows (a per-flow array would cost max-tcp-flows times the window). A
 * flow owns a list of chunks sorted by sequence number whose ranges never
 * overlap: a segment that arrives beyond rcv_nxt is clipped to the window,
 * then only the bytes no chunk holds yet are copied, filling the tail room
 * of the chunk just before them first, so a run of small segments does not
 * take a chunk each. Duplicates thus store nothing, overlaps store only
 * what is new, and no length from the segment is trusted beyond its own
 * bounds. A flow may hold at most flow_cap chunks (a quarter of the pool),
 * so one flow cannot starve the others; when the cap or the pool runs out
 * the rest of the segment is dropped and the guest retransmits it.
 *
 * Once rcv_nxt reaches the first chunk, tcp_ooo_deliver() hands the
 * contiguous run to sendmsg() in one gather; what the socket does not take
 * stays queued (rcv_nxt is the only cursor, so bytes are never sent twice
 * or skipped), chunks wholly below rcv_nxt go back to the pool. The queued
 * ranges are what our SACK blocks (RFC 2018) describe to the guest.
 */
#ifndef VMWIRE_GATEWAY_TCP_OOO_H
#define VMWIRE_GATEWAY_TCP_OOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define TCP_OOO_CHUNK 2048
#define TCP_OOO_IOV 64

struct tcp_ooo {
	uint8_t *data;       /* nchunks * TCP_OOO_CHUNK */
	uint32_t *seq;       /* first sequence number of each chunk */
	uint16_t *len;       /* bytes held */
	int32_t *next;       /* flow list, or free stack */
	int32_t free_top;
	unsigned nchunks, nfree, flow_cap;
	struct iovec iov[TCP_OOO_IOV];
};

/* A flow's queue; all zero is empty (head is valid only when n > 0). */
struct tcp_ooo_q {
	int32_t head, tail;
	uint32_t n;          /* chunks held */
	uint32_t last;       /* start of the most recently stored segment */
};

enum tcp_ooo_res {
	TCP_OOO_STORED,      /* all new bytes in the window were stored */
	TCP_OOO_DUP,         /* nothing new: everything already held */
	TCP_OOO_OUTSIDE,     /* nothing of it inside [rcv_nxt, limit) */
	TCP_OOO_FLOW_FULL,   /* the flow's cap ended the copy (maybe partly stored) */
	TCP_OOO_POOL_FULL,   /* the pool ran out (maybe partly stored) */
};

/* bytes 0 disables the queue (every insert is POOL_FULL). -1 on ENOMEM. */
int tcp_ooo_init(struct tcp_ooo *p, size_t bytes);
void tcp_ooo_fini(struct tcp_ooo *p);

/* Store what is new of [seq, seq + len) within [rcv_nxt, limit). */
enum tcp_ooo_res tcp_ooo_insert(struct tcp_ooo *p, struct tcp_ooo_q *q, uint32_t rcv_nxt,
				uint32_t limit, uint32_t seq, const uint8_t *data, size_t len);

/* Send the queued bytes contiguous from *rcv_nxt to fd, advancing it by
 * what the socket took. Returns the bytes sent, or -1 (errno) on a socket
 * error other than EAGAIN; *blocked says the socket took less than was
 * ready. */
ssize_t tcp_ooo_deliver(struct tcp_ooo *p, struct tcp_ooo_q *q, uint32_t *rcv_nxt, int fd,
			bool *blocked);

/* Give chunks wholly below rcv_nxt back (in-order data overtook them). */
void tcp_ooo_trim(struct tcp_ooo *p, struct tcp_ooo_q *q, uint32_t rcv_nxt);

/* Give every chunk of q back. */
void tcp_ooo_drop(struct tcp_ooo *p, struct tcp_ooo_q *q);

/* Up to max SACK blocks [left, right) for what q holds above rcv_nxt: the
 * block with the latest segment first (RFC 2018), then ascending. */
unsigned tcp_ooo_sack(const struct tcp_ooo *p, const struct tcp_ooo_q *q, uint32_t rcv_nxt,
		      uint32_t (*blocks)[2], unsigned max);

/* Bytes held by q (tests, stats). */
size_t tcp_ooo_bytes(const struct tcp_ooo *p, const struct tcp_ooo_q *q);

#endif
