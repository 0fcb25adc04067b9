/* SPDX-License-Identifier: MIT
 *
 * tcp_flow.h - the TCP engine's flow table and shared internals.
 *
 * Theory of operation: flows live in one array allocated at startup with
 * max-tcp-flows slots, so a guest opening connections can exhaust a limit
 * we chose, never our memory. A flow is found by the 4-tuple the guest
 * sees (guest addr:port, remote addr:port; addresses inany, core/inany.h,
 * so an IPv6 flow is another key in the same table) through a bucket array of
 * chained indices; free slots form a stack. Work a guest segment asks for
 * inside transmit() (an ACK, more data) sets a flag and links the flow on
 * a doubly linked deferred list (indices, so freeing a flow unlinks it in
 * O(1)) that a 0 ms timer drains. Out-of-order guest data lives in the
 * shared chunk pool (t->ooo), listed per flow and given back when the
 * flow is released. ISNs follow RFC 6528: SipHash-2-4 of the
 * 4-tuple under a random key, plus a 4 us clock.
 */
#ifndef VMWIRE_GATEWAY_TCP_FLOW_H
#define VMWIRE_GATEWAY_TCP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/uio.h>

#include "core/frame.h"
#include "core/inany.h"
#include "core/log.h"
#include "core/loop.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/tcp/tcp.h"
#include "gateway/tcp/tcp_cc.h"
#include "gateway/tcp/tcp_ooo.h"
#include "gateway/tcp/tcp_rack.h"
#include "gateway/tcp/tcp_sack.h"
#include "gateway/tcp/tcp_segment.h"

#define TCP_RTO_MIN_MS 200
#define TCP_RTO_MAX_MS 60000 /* backoff stops here; RFC 6298: a cap of at least 60 s */
/* Without SO_PEEK_OFF, sent-but-unacknowledged data is read past into
 * TCP_DISCARD_IOV iovecs of one TCP_DISCARD_SIZE buffer (gw_tcp.discard). */
#define TCP_DISCARD_SIZE 65536
#define TCP_DISCARD_IOV 64
/* hostfwd connections take guest-side source ports from here to 65535. */
#define TCP_FWD_PORT_FIRST 49152

enum tcp_state {
	TS_FREE = 0,
	TS_CONNECTING,   /* guest SYN seen, connect() in progress */
	TS_SYN_ACK_SENT, /* connected, our SYN-ACK not acknowledged yet */
	TS_HF_SYN_SENT,  /* hostfwd: our SYN to the guest, no SYN-ACK yet */
	TS_ESTABLISHED,  /* data both ways; FINs tracked in flags */
};

enum {
	TF_GUEST_FIN = 1 << 0, /* guest FIN consumed, socket shut for writing */
	TF_HOST_EOF = 1 << 1,  /* socket read EOF */
	TF_FIN_SENT = 1 << 2,  /* our FIN is in seq_to_guest */
	TF_FIN_ACKED = 1 << 3,
	TF_ACK_NOW = 1 << 4,   /* deferred: send an ACK (maybe with data) */
	TF_SEND = 1 << 5,      /* deferred: try to send host data */
	TF_RESYN = 1 << 6,     /* deferred: repeat our SYN / SYN-ACK */
	TF_QUEUED = 1 << 7,    /* on the deferred list */
	TF_WANT_OUT = 1 << 8,  /* socket was full: window update on EPOLLOUT */
	TF_HOSTFWD = 1 << 9,
	TF_NO_PEEKOFF = 1 << 10, /* kernel without SO_PEEK_OFF for TCP */
	TF_WS = 1 << 11,       /* window scaling agreed */
	TF_GUESTFWD = 1 << 12, /* socket from a guestfwd= rule (tcp_fwd.c) */
	TF_UNIX = 1 << 13,     /* AF_UNIX socket (guestfwd unix:/cmd:) */
	TF_DUPACK = 1 << 14,   /* guest data lost: owe it duplicate ACKs (tcp_data.c) */
	TF_SACK = 1 << 15,     /* SACK agreed (RFC 2018) both ways */
};

struct gw_tcp;

/* The host socket's free send space as tcp_space.c estimates it: at most
 * est bytes free while ok, asked again below floor (half the kernel's
 * last answer) or when est drops below half of queued (the kernel's count
 * then plus what our writes since may cost). */
struct tcp_space {
	uint32_t est, floor, queued;
	uint8_t ok;
};

struct tcp_flow {
	int32_t hnext;          /* hash chain, or free stack */
	int32_t dprev, dnext;   /* deferred list */
	int32_t aprev, anext;   /* delayed-ACK list (tcp_ack.c) */
	uint8_t state;
	uint16_t flags;
	uint8_t gws, ows;       /* guest's and our window shift */
	uint8_t dup_acks, retries;
	uint16_t mss;           /* largest segment payload towards the guest */
	union inany_addr gaddr, raddr; /* guest, and remote as the guest sees it */
	uint16_t gport, rport;
	uint8_t gmac[6];
	uint32_t station;       /* the guest charged for it (quota.h) */
	uint32_t ooo_charged;   /* of ooo's chunks, charged to station */
	struct ev_watch w;      /* w.fd is the host socket */
	struct gw_tcp *t;
	/* guest -> host */
	uint32_t rcv_nxt;       /* next sequence number expected from the guest */
	uint32_t wnd_sent;      /* last window we advertised (bytes) */
	uint32_t rcv_acked;     /* rcv_nxt as our latest segment carried it */
	struct tcp_space space; /* the window we offer (tcp_space.c) */
	uint64_t ack_at_ms;     /* delayed ACK due (valid while ack_wait) */
	uint8_t ack_wait;       /* on the delayed-ACK list */
	/* The latest peek came up short: the socket holds nothing unsent,
	 * and (edge-triggered) its next data or EOF wakes us; until then a
	 * push need not peek (tcp_data.c). */
	uint8_t drained;
	uint8_t rdhup;          /* EPOLLRDHUP seen: EOF follows the queued data */
	struct tcp_ooo_q ooo;   /* data beyond rcv_nxt, in t->ooo's chunks */
	uint8_t ooo_fin;        /* the guest's FIN came after a gap: at ooo_fin_seq */
	uint32_t ooo_fin_seq;
	/* host -> guest */
	uint32_t isn, snd_una, snd_nxt, snd_max;
	/* Acknowledged bytes still in the socket: one recv(MSG_TRUNC) per
	 * push drops what all of a batch's guest ACKs acknowledged, instead
	 * of one per ACK (tcp_data_discard()). The socket's head is
	 * snd_una - undiscarded until then; every peek comes after it. */
	uint32_t undiscarded;
	uint32_t gwnd;          /* guest's window in bytes */
	/* Loss recovery and congestion control (tcp_loss.c): in_rec while
	 * snd_una is below recover (snd_max when it began); rtx_pending: the
	 * next push walks the holes; rto_all: after an RTO every hole is lost;
	 * sb the guest's SACK blocks, rack the send times, cc the window;
	 * loss_at_ms the reorder timer or tail loss probe (loss_timer). */
	uint8_t in_rec, rtx_pending, rto_all, loss_timer;
	uint8_t room_wait;      /* waits for the egress port (gw_tcp_resume()) */
	uint32_t recover;
	uint64_t loss_at_ms;
	struct tcp_cc cc;
	struct tcp_sb sb;
	struct tcp_rack rack;
	uint32_t rtt_seq;       /* timing a segment: its end, valid if rtt_ts */
	uint64_t rtt_ts_us;
	uint32_t srtt_us, rttvar_us, rto_ms;
	uint64_t rto_at_ms;     /* 0: no retransmission timer */
	uint64_t active_ms;     /* last segment either way */
	uint64_t bytes_to_host, bytes_to_guest;
};

/* What one gateway's TCP engine reports once (gw_tcp.logged). */
enum tcp_log {
	TCP_LOG_FULL,		/* max-tcp-flows: a guest connection refused */
	TCP_LOG_FWD_FULL,	/* max-tcp-flows: a hostfwd connection reset */
	TCP_LOG_FWD_ACCEPT,
	TCP_LOG_FWD_EMFILE,
	TCP_LOG_SOCKET,
	TCP_LOG_NO_PEEKOFF,
	TCP_LOG_DISCARD_SHORT,
	TCP_LOG_OOO_FULL,
};

struct gw_tcp {
	/* cfg, policy, hostfwd (may be NULL), tx, arp, port, dns (the
	 * upstream of the DNS-over-TCP relay; may be NULL), loop */
	const struct gw_env *env;
	struct gw_tcp_stats stats;
	struct tcp_flow *flows;
	struct tcp_ooo ooo;     /* max-ooo-kib of chunks shared by all flows */
	unsigned max_flows, nflows, hwm;
	int32_t *buckets;
	unsigned nbuckets;  /* power of two */
	int32_t free_top;
	int32_t dhead, dtail;
	int32_t ahead, atail;   /* delayed-ACK list, soonest first */
	struct ev_timer defer_timer, tick, ack_timer;
	struct ev_timer loss_timer; /* RACK reorder timers and TLP (tcp_loss.c) */
	uint64_t loss_timer_at;     /* its deadline, 0: not armed */
	uint64_t key[2];    /* SipHash key for ISNs and bucket hashing */
	/* Frames built for port_receive(): batch of nbufs, each buf_size. */
	uint8_t *bufs;
	size_t buf_size;
	unsigned nbufs;
	struct iovec *iov;  /* nbufs + discard entries */
	unsigned niov;
	uint8_t *discard;   /* fallback without SO_PEEK_OFF */
	uint16_t next_fwd_port;
	struct gw_guestfwd *gfwd; /* NULL without guestfwd= rules */
	struct log_once logged; /* enum tcp_log */
};

/* tcp_flow.c */
int tcp_table_init(struct gw_tcp *t, unsigned max_flows);
void tcp_table_fini(struct gw_tcp *t);
struct tcp_flow *tcp_flow_lookup(struct gw_tcp *t, const union inany_addr *gaddr,
				 uint16_t gport, const union inany_addr *raddr, uint16_t rport);
/* A zeroed flow already hashed under the tuple, or NULL when full. */
struct tcp_flow *tcp_flow_alloc(struct gw_tcp *t, const union inany_addr *gaddr,
				uint16_t gport, const union inany_addr *raddr, uint16_t rport);
void tcp_flow_release(struct gw_tcp *t, struct tcp_flow *f);
/* Charge the flow's guest for exactly the out-of-order chunks it holds
 * now (quota.h), after anything that may have changed f->ooo. */
void tcp_ooo_charge(struct tcp_flow *f);
/* quota.h's evict callbacks for the TCP flows and the out-of-order pool. */
bool tcp_quota_evict(void *ctx, uint32_t station, bool all);
bool tcp_ooo_quota_evict(void *ctx, uint32_t station, bool all);
void tcp_defer(struct tcp_flow *f, uint16_t what);
/* Pop the next deferred flow (flag TF_QUEUED cleared), or NULL. */
struct tcp_flow *tcp_defer_pop(struct gw_tcp *t);
uint32_t tcp_isn(const struct gw_tcp *t, const union inany_addr *gaddr, uint16_t gport,
		 const union inany_addr *raddr, uint16_t rport);
uint64_t tcp_siphash(const uint64_t key[2], const uint8_t *m, size_t len);
uint64_t tcp_now_us(void);

/* tcp_ack.c: delayed ACKs. tcp_ack_delay(): whether the ACK of an
 * in-order guest segment of len bytes (taken whole; a FIN counts one) may wait for data to
 * carry it (then it is scheduled); tcp_ack_sent(): a segment carrying
 * rcv_nxt went to the guest; tcp_ack_forget(): the flow is released. */
bool tcp_ack_delay(struct tcp_flow *f, size_t len);
void tcp_ack_sent(struct tcp_flow *f);
void tcp_ack_forget(struct gw_tcp *t, struct tcp_flow *f);
void tcp_ack_init(struct gw_tcp *t);
void tcp_ack_fini(struct gw_tcp *t);

/* tcp_space.c: the socket's free send space (the window we offer) in
 * bytes, at most what the kernel would say, -1 when unknown; *full when
 * the kernel says the socket is not writable (watch EPOLLOUT).
 * tcp_space_wrote(): n bytes went to the socket; tcp_space_forget(): the
 * socket said something new (a short write, EPOLLOUT), ask it next time. */
int64_t tcp_space(struct tcp_flow *f, bool *full);
void tcp_space_wrote(struct tcp_flow *f, size_t n);
void tcp_space_forget(struct tcp_flow *f);

/* tcp_conn.c */
void tcp_flow_close(struct tcp_flow *f, bool rst_guest, bool rst_host);
void tcp_flow_maybe_done(struct tcp_flow *f);
void tcp_sock_event(void *ctx, uint32_t events);
int tcp_flow_watch(struct tcp_flow *f, uint32_t events);
int tcp_sock_setup(struct tcp_flow *f, int fd);
void tcp_send_syn(struct tcp_flow *f, bool ack);

/* tcp_data.c */
/* Segments and frames to the guest from event context: data as the window
 * allows (and a FIN after EOF); force_ack sends a bare ACK if nothing else
 * went out. */
void tcp_data_push(struct tcp_flow *f, bool force_ack);
/* Guest segment on an established (or just established) flow. */
void tcp_data_input(struct tcp_flow *f, const struct tcp_seg *s);
void tcp_data_rewind(struct tcp_flow *f);
void tcp_data_discard(struct tcp_flow *f);
/* Retransmission timeout with data outstanding: resend what the guest's
 * SACK blocks say is missing, or everything from snd_una (go-back-N). */
void tcp_data_timeout(struct tcp_flow *f);
void tcp_data_writable(struct tcp_flow *f);
uint32_t tcp_data_wnd(struct tcp_flow *f);
/* A data segment to the guest (checksum left to the port when it can). */
void tcp_emit_data(struct tcp_flow *f, uint8_t *buf, uint32_t seq, uint8_t flags, uint32_t wnd,
		   size_t data_len);
/* Payload bytes the way to the guest takes now (SIZE_MAX: no limit known),
 * and the wait for more (gw_tcp_resume() pushes the flow again). */
size_t tcp_room_payload(struct tcp_flow *f);
void tcp_room_wait(struct tcp_flow *f);

/* tcp_loss.c */
void tcp_loss_ensure(struct tcp_flow *f);
/* Bytes sent, not ACKed and not SACKed. */
uint32_t tcp_loss_flight(const struct tcp_flow *f);
/* After the cumulative part of a guest ACK moved snd_una from old_una
 * (flight: tcp_loss_flight() before it; wnd: the guest's window). */
void tcp_loss_ack(struct tcp_flow *f, const struct tcp_seg *s, uint32_t old_una,
		  uint32_t flight, uint32_t wnd);
/* New data went out up to snd_nxt. */
void tcp_loss_sent(struct tcp_flow *f);
/* Resend what is lost, as the window and the egress port allow. */
void tcp_loss_repair(struct tcp_flow *f, uint32_t wnd);
void tcp_loss_timer_init(struct gw_tcp *t);
void tcp_loss_timer_fini(struct gw_tcp *t);

/* tcp_fwd.c: hostfwd.c's accept callback */
struct gw_hostfwd_entry;
void tcp_fwd_accept(void *ctx, struct gw_hostfwd_entry *e);
/* tcp_fwd.c: guestfwd=. The rule a guest SYN to dst:dport matches, or
 * NULL; a socket for it (connect started, TF_GUESTFWD set) or -1 with
 * errno; the flow's end (its command is terminated); setup and teardown. */
const struct gw_fwd *tcp_guestfwd_rule(const struct gw_tcp *t, const union inany_addr *dst,
				       uint16_t dport);
int tcp_guestfwd_open(struct tcp_flow *f, const struct gw_fwd *r);
void tcp_guestfwd_closed(struct tcp_flow *f);
int tcp_guestfwd_init(struct gw_tcp *t);
void tcp_guestfwd_fini(struct gw_tcp *t);

/* A flow's frames to the guest as the segment builder addresses them
 * (IPv4 or IPv6 by the key's family). */
static inline struct tcp_seg_addr tcp_flow_seg_addr(const struct tcp_flow *f)
{
	struct tcp_seg_addr a = { f->gmac, f->t->env->cfg->mac, f->raddr, f->gaddr, f->rport,
				  f->gport };

	return a;
}

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

/* Where host data sent to the guest ends: snd_nxt less our FIN. */
static inline uint32_t tcp_data_end(const struct tcp_flow *f)
{
	return f->snd_nxt - (f->flags & TF_FIN_SENT ? 1 : 0);
}

#endif
