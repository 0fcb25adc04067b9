/* SPDX-License-Identifier: MIT
 *
 * tcp_data.c - data both ways on an established flow: the window, ACKs,
 * retransmission.
 *
 * Theory of operation. Guest -> host: an in-order segment's payload goes
 * straight to send(); rcv_nxt moves by what the socket took and the ACK
 * says exactly that, so when the socket is full the guest's own
 * retransmission is our buffer. The window we advertise is the socket's
 * free send space as the kernel counts it (SO_MEMINFO: SO_SNDBUF less what
 * the queued skbs cost, overhead included; SIOCOUTQ counts payload only
 * and let the guest overrun the socket once it filled). When that space is
 * what the kernel calls full, or a write came up short, we watch EPOLLOUT
 * and send a window update once it drains: a guest facing a zero window
 * would otherwise only probe, with exponential backoff. Guest data we could
 * not take (the tail of a short write, a segment beyond rcv_nxt) is
 * answered with three duplicate ACKs carrying one window, which makes the
 * guest fast-retransmit what is missing instead of waiting for its RTO:
 * no reassembly queue to bound.
 *
 * Host -> guest: the socket's receive queue is the retransmission buffer.
 * Bytes from snd_una on stay queued; SO_PEEK_OFF (snd_nxt - snd_una) makes
 * recvmsg(MSG_PEEK) return only what the guest has not been sent yet,
 * straight into the payload area of a batch of frames (one iovec per
 * segment of min(MSS, window) bytes), which then go to the fabric one by
 * one, their TCP checksums left to the egress port as CHECKSUM_PARTIAL
 * metadata (a TAP hands that to the kernel, which then reads the payload
 * not at all; other ports complete it in software). An ACK discards the acknowledged bytes with recv(MSG_TRUNC). A
 * retransmission (RTO, or three duplicate ACKs) rewinds snd_nxt to snd_una
 * and the peek offset to 0: go-back-N, simple and enough for a link that
 * does not lose frames unless the guest drops them. Sockets are
 * edge-triggered, so a queue we have peeked through completely does not
 * wake us again until new data arrives. Kernels without SO_PEEK_OFF for
 * TCP get the sent bytes peeked into a scratch buffer first, as passt does.
 */
#include "gateway/tcp_flow.h"
#include "core/log.h"
#include "core/offload.h"
#include "core/port.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define TCP_PUSH_ROUNDS 4
#define TCP_DISCARD_SIZE 65536
#define TCP_DISCARD_IOV 64
#define TCP_RTO_MIN_MS 200
#define TCP_RTO_MAX_MS 60000

/* Free send space on the socket as the kernel counts it: SO_SNDBUF less
 * what the queued skbs cost (SK_MEMINFO_WMEM_QUEUED, payload plus skb
 * overhead). *full says the kernel would not call the socket writable
 * (free space below half of what is queued), so EPOLLOUT will tell us when
 * it drains. */
static int64_t snd_space(struct tcp_flow *f, bool *full)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t ml = sizeof(mi);
	int sndbuf = 0, outq = 0;
	socklen_t sl = sizeof(sndbuf);
	int64_t space, queued;

	*full = false;
	if (f->w.fd < 0)
		return -1;
	if (!(f->flags & TF_UNIX) && !getsockopt(f->w.fd, SOL_SOCKET, SO_MEMINFO, mi, &ml) &&
	    ml > SK_MEMINFO_WMEM_QUEUED * sizeof(mi[0])) {
		queued = mi[SK_MEMINFO_WMEM_QUEUED];
		space = (int64_t)mi[SK_MEMINFO_SNDBUF] - queued;
		*full = space < queued / 2;
		return space < 0 ? 0 : space;
	}
	if (getsockopt(f->w.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) ||
	    ioctl(f->w.fd, SIOCOUTQ, &outq))
		return -1;
	space = (int64_t)sndbuf - outq;
	/* A unix socket (guestfwd unix: and cmd:) charges every guest
	 * segment's skb overhead too: ~2x the payload. Offering what would
	 * not fit makes the guest's segments bounce and it backs off. */
	if (f->flags & TF_UNIX)
		space /= 2;
	return space < 0 ? 0 : space;
}

static uint32_t wnd_now(struct tcp_flow *f, bool *full)
{
	uint32_t max = f->flags & TF_WS ? 65535u << f->ows : 65535u;
	int64_t space = snd_space(f, full);

	if (space < 0)
		return 65535;
	return space > max ? max : (uint32_t)space;
}

uint32_t tcp_data_wnd(struct tcp_flow *f)
{
	bool full;

	return wnd_now(f, &full);
}

/* Watch EPOLLOUT: the socket took less than the guest sent, or the window
 * we just offered is one the kernel calls full, and the guest (which will
 * not probe for minutes' worth of backoff) needs a window update once the
 * host side reads. */
static void want_out(struct tcp_flow *f)
{
	if (f->flags & TF_WANT_OUT)
		return;
	f->flags |= TF_WANT_OUT;
	tcp_flow_watch(f, EPOLLIN | EPOLLRDHUP | EPOLLET | EPOLLOUT);
}

static uint16_t wnd_field(struct tcp_flow *f, uint32_t wnd)
{
	uint32_t v = f->flags & TF_WS ? wnd >> f->ows : wnd;

	return v > 65535 ? 65535 : (uint16_t)v;
}

static void emit(struct gw_tcp *t, const uint8_t *frame, size_t len)
{
	port_receive(t->port, frame, len);
	t->stats.segs_out++;
}

static size_t build(struct tcp_flow *f, uint8_t *buf, uint32_t seq, uint8_t flags,
		    uint32_t wnd, size_t data_len)
{
	struct gw_tcp *t = f->t;
	struct tcp_seg_addr a = { f->gmac, t->cfg->mac, f->raddr, f->gaddr, f->rport, f->gport };

	return tcp_seg_build(buf, &a, seq, f->rcv_nxt, flags, wnd_field(f, wnd), 0, -1,
			     data_len);
}

/* A data segment: when the fabric takes offload metadata, the checksum is
 * left to whoever needs it (a TAP with offloads hands it to the kernel as
 * CHECKSUM_PARTIAL, which trusts it; other ports complete it in software),
 * so the payload is not read twice per segment. */
static void emit_data(struct tcp_flow *f, uint8_t *buf, uint8_t flags, uint32_t wnd,
		      size_t data_len)
{
	static const struct frame_offload csum = {
		.flags = OFFLOAD_F_CSUM, .csum_start = OFF_L4, .csum_offset = 16,
	};
	struct gw_tcp *t = f->t;
	struct tcp_seg_addr a = { f->gmac, t->cfg->mac, f->raddr, f->gaddr, f->rport, f->gport };

	if (!t->port->sink_offload_fn) {
		emit(t, buf, build(f, buf, f->snd_nxt, flags, wnd, data_len));
		return;
	}
	port_receive_offload(t->port, &csum, buf,
			     tcp_seg_build_partial(buf, &a, f->snd_nxt, f->rcv_nxt, flags,
						   wnd_field(f, wnd), data_len));
	t->stats.segs_out++;
}

static void send_ack(struct tcp_flow *f, uint32_t seq, uint32_t wnd)
{
	struct gw_tcp *t = f->t;

	emit(t, t->bufs, build(f, t->bufs, seq, TH_ACK, wnd, 0));
	f->wnd_sent = wnd;
}

static void send_fin(struct tcp_flow *f, uint32_t wnd)
{
	struct gw_tcp *t = f->t;

	emit(t, t->bufs, build(f, t->bufs, f->snd_nxt, TH_FIN | TH_ACK, wnd, 0));
	f->flags |= TF_FIN_SENT;
	f->snd_nxt++;
	if (seq_lt(f->snd_max, f->snd_nxt))
		f->snd_max = f->snd_nxt;
	f->wnd_sent = wnd;
}

void tcp_data_rewind(struct tcp_flow *f)
{
	int zero = 0;

	f->snd_nxt = f->snd_una;
	if (f->flags & TF_FIN_SENT && !(f->flags & TF_FIN_ACKED))
		f->flags &= (uint16_t)~TF_FIN_SENT; /* resent after the data */
	if (!(f->flags & TF_NO_PEEKOFF))
		setsockopt(f->w.fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
	f->rtt_ts_us = 0; /* Karn: no samples from retransmitted data */
	f->dup_acks = 0;
}

/* Fill t->iov for one peek of at most want new bytes; returns the number
 * of segment iovecs, *skip gets the already-sent prefix (fallback only). */
static unsigned fill_iov(struct tcp_flow *f, size_t want, size_t *skip, unsigned *nskip)
{
	struct gw_tcp *t = f->t;
	unsigned n = 0, k = 0;

	*skip = 0;
	*nskip = 0;
	if (f->flags & TF_NO_PEEKOFF) {
		size_t sent = f->snd_nxt - f->snd_una;

		*skip = sent;
		for (; sent && k < TCP_DISCARD_IOV; k++) {
			size_t l = sent > TCP_DISCARD_SIZE ? TCP_DISCARD_SIZE : sent;

			t->iov[k].iov_base = t->discard;
			t->iov[k].iov_len = l;
			sent -= l;
		}
		*nskip = k;
	}
	while (want && n < t->nbufs) {
		size_t l = want > f->mss ? f->mss : want;

		t->iov[k + n].iov_base = t->bufs + (size_t)n * t->buf_size + OFF_TCP_DATA;
		t->iov[k + n].iov_len = l;
		want -= l;
		n++;
	}
	return n;
}

/* Nothing new to peek: is that the end? Peeking at the end of the queue
 * returns 0 only at EOF; the fallback peeks the sent bytes again, so it
 * asks the socket's state instead. */
static bool host_eof(struct tcp_flow *f, ssize_t r)
{
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);

	if (!r)
		return true;
	if (!(f->flags & TF_NO_PEEKOFF) ||
	    getsockopt(f->w.fd, IPPROTO_TCP, TCP_INFO, &ti, &tl))
		return false;
	return ti.tcpi_state == TCP_CLOSE_WAIT || ti.tcpi_state == TCP_LAST_ACK ||
	       ti.tcpi_state == TCP_CLOSING || ti.tcpi_state == TCP_CLOSE;
}

void tcp_data_push(struct tcp_flow *f, bool force_ack)
{
	struct gw_tcp *t = f->t;
	bool full, sent = false;
	uint32_t wnd = wnd_now(f, &full);

	if (f->state != TS_ESTABLISHED)
		return;
	for (int round = 0; round < TCP_PUSH_ROUNDS && !(f->flags & TF_FIN_SENT); round++) {
		uint32_t inflight = f->snd_nxt - f->snd_una;
		size_t want, skip, got, asked = 0;
		unsigned nseg, nskip, i;
		struct msghdr mh = { 0 };
		ssize_t r;

		if (inflight >= f->gwnd)
			break;
		want = f->gwnd - inflight;
		if (f->flags & TF_NO_PEEKOFF) {
			size_t cap = (size_t)TCP_DISCARD_IOV * TCP_DISCARD_SIZE;

			if (inflight >= cap)
				break;
			if (want > cap - inflight)
				want = cap - inflight;
		}
		nseg = fill_iov(f, want, &skip, &nskip);
		for (i = 0; i < nseg; i++)
			asked += t->iov[nskip + i].iov_len;
		mh.msg_iov = t->iov;
		mh.msg_iovlen = nskip + nseg;
		r = recvmsg(f->w.fd, &mh, MSG_PEEK | MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			tcp_flow_close(f, true, false); /* ECONNRESET and friends */
			return;
		}
		if ((size_t)r < skip)
			break; /* the fallback lost track; the RTO rewinds */
		got = (size_t)r - skip;
		if (!got) {
			if (host_eof(f, r)) {
				f->flags |= TF_HOST_EOF;
				send_fin(f, wnd);
				sent = true;
			}
			break;
		}
		for (i = 0; i < nseg && got; i++) {
			size_t l = got < t->iov[nskip + i].iov_len ? got : t->iov[nskip + i].iov_len;
			uint8_t *b = t->bufs + (size_t)i * t->buf_size;
			bool last = l == got;

			if (!seq_lt(f->snd_nxt, f->snd_max) && !f->rtt_ts_us) {
				f->rtt_seq = f->snd_nxt + (uint32_t)l;
				f->rtt_ts_us = tcp_now_us();
			}
			emit_data(f, b, TH_ACK | (last ? TH_PSH : 0), wnd, l);
			f->snd_nxt += (uint32_t)l;
			f->bytes_to_guest += l;
			t->stats.bytes_to_guest += l;
			got -= l;
		}
		if (seq_lt(f->snd_max, f->snd_nxt))
			f->snd_max = f->snd_nxt;
		f->wnd_sent = wnd;
		sent = true;
		if ((size_t)r - skip < asked)
			break; /* drained: the next edge brings more */
	}
	if (sent) {
		if (!f->rto_at_ms)
			f->rto_at_ms = ev_now_ms() + f->rto_ms;
		f->active_ms = ev_now_ms();
	} else if (force_ack && !(f->flags & TF_DUPACK)) {
		send_ack(f, f->snd_nxt, wnd);
	}
	if (f->flags & TF_DUPACK && !full) {
		/* Guest data was dropped (a short send, or segments after a
		 * gap). Three duplicate ACKs make the guest retransmit now
		 * (RFC 5681) rather than after its RTO, 200 ms and doubling:
		 * the stalls this engine had. They must carry one window, or
		 * the guest counts window updates, not duplicates; the first
		 * may be that update. Not while the socket is full: the
		 * retransmission would bounce too, EPOLLOUT brings us back. */
		int n = wnd == f->wnd_sent ? 3 : 4;

		while (n--)
			send_ack(f, f->snd_nxt, wnd);
		f->flags &= (uint16_t)~TF_DUPACK;
	}
	if (full)
		want_out(f);
}

void tcp_data_writable(struct tcp_flow *f)
{
	f->flags &= (uint16_t)~TF_WANT_OUT;
	tcp_flow_watch(f, EPOLLIN | EPOLLRDHUP | EPOLLET);
	tcp_data_push(f, true); /* carries the window update */
}

/* Drop what the guest acknowledged from the socket. TCP discards with
 * MSG_TRUNC and no buffer; a unix stream socket has no such mode and
 * needs a real (scratch) buffer. */
static ssize_t discard_acked(struct tcp_flow *f, uint32_t len)
{
	ssize_t done = 0, r;

	if (!(f->flags & TF_UNIX))
		return recv(f->w.fd, NULL, len, MSG_TRUNC | MSG_DONTWAIT);
	while ((size_t)done < len) {
		size_t n = len - (size_t)done;

		r = recv(f->w.fd, f->t->discard, n > TCP_DISCARD_SIZE ? TCP_DISCARD_SIZE : n,
			 MSG_DONTWAIT);
		if (r <= 0)
			break;
		done += r;
	}
	return done;
}

static void rtt_sample(struct tcp_flow *f)
{
	uint64_t r = tcp_now_us() - f->rtt_ts_us;
	uint32_t rto;

	f->rtt_ts_us = 0;
	if (r > 60000000)
		return;
	if (!f->srtt_us) {
		f->srtt_us = (uint32_t)r;
		f->rttvar_us = (uint32_t)r / 2;
	} else {
		uint32_t d = f->srtt_us > r ? f->srtt_us - (uint32_t)r : (uint32_t)r - f->srtt_us;

		f->rttvar_us = (3 * f->rttvar_us + d) / 4;
		f->srtt_us = (7 * f->srtt_us + (uint32_t)r) / 8;
	}
	rto = (f->srtt_us + 4 * f->rttvar_us) / 1000;
	f->rto_ms = rto < TCP_RTO_MIN_MS ? TCP_RTO_MIN_MS : rto > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : rto;
}

static void ack_input(struct tcp_flow *f, const struct tcp_seg *s)
{
	struct gw_tcp *t = f->t;
	uint32_t wnd = (uint32_t)s->wnd << (f->flags & TF_WS ? f->gws : 0);
	uint32_t acked, data;

	if (seq_lt(f->snd_max, s->ack)) {
		t->stats.bad_ack++; /* acknowledges what we never sent */
		tcp_defer(f, TF_ACK_NOW);
		return;
	}
	if (seq_lt(s->ack, f->snd_una))
		return; /* old, reordered */
	acked = s->ack - f->snd_una;
	if (acked) {
		data = acked;
		if (f->flags & TF_FIN_SENT && s->ack == f->snd_max) {
			f->flags |= TF_FIN_ACKED;
			data--;
		} else if (f->flags & TF_HOST_EOF && !(f->flags & TF_FIN_SENT) &&
			   s->ack == f->snd_max && !(f->flags & TF_FIN_ACKED) &&
			   seq_lt(f->snd_nxt, s->ack)) {
			/* FIN acked after a rewind cleared TF_FIN_SENT */
			f->flags |= TF_FIN_SENT | TF_FIN_ACKED;
			data--;
		}
		if (data && discard_acked(f, data) != (ssize_t)data)
			LOG_ONCE(LOG_LVL_WARN, "-netdev user: TCP discard of acknowledged data "
				 "came up short");
		f->snd_una = s->ack;
		if (seq_lt(f->snd_nxt, s->ack))
			f->snd_nxt = s->ack; /* the kernel clamped the peek offset to 0 */
		if (f->rtt_ts_us && seq_le(f->rtt_seq, s->ack))
			rtt_sample(f);
		f->dup_acks = 0;
		f->retries = 0;
		f->rto_at_ms = f->snd_una == f->snd_max ? 0 : ev_now_ms() + f->rto_ms;
		tcp_defer(f, TF_SEND);
	} else if (!s->len && !(s->flags & TH_FIN) && f->snd_una != f->snd_max &&
		   wnd == f->gwnd && ++f->dup_acks == 3) {
		t->stats.fast_retransmits++;
		tcp_data_rewind(f);
		tcp_defer(f, TF_SEND);
	}
	if (wnd > f->gwnd)
		tcp_defer(f, TF_SEND);
	f->gwnd = wnd;
}

void tcp_data_input(struct tcp_flow *f, const struct tcp_seg *s)
{
	struct gw_tcp *t = f->t;
	const uint8_t *data = s->data;
	size_t len = s->len;
	uint32_t seq = s->seq;
	bool fin = s->flags & TH_FIN;
	ssize_t n = 0;

	if (s->flags & TH_ACK) {
		ack_input(f, s);
		if (f->state == TS_FREE)
			return;
	}
	if (!len && !fin)
		return;
	if (f->flags & TF_GUEST_FIN) {
		tcp_defer(f, TF_ACK_NOW); /* a retransmission of what we have */
		return;
	}
	if (seq_lt(seq, f->rcv_nxt)) {
		uint32_t dup = f->rcv_nxt - seq;

		if (dup > len || (dup == len && !fin)) {
			tcp_defer(f, TF_ACK_NOW);
			return;
		}
		data += dup;
		len -= dup;
		seq = f->rcv_nxt;
	}
	if (seq != f->rcv_nxt) {
		t->stats.ooo_dropped++;
		f->flags |= TF_DUPACK;
		tcp_defer(f, TF_ACK_NOW);
		return;
	}
	if (len) {
		n = send(f->w.fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				tcp_flow_close(f, true, false);
				return;
			}
			n = 0;
		}
		f->rcv_nxt += (uint32_t)n;
		f->bytes_to_host += (size_t)n;
		t->stats.bytes_to_host += (size_t)n;
		/* A short send lost the rest of the segment: the guest must
		 * resend it once the socket drains. A unix socket's window
		 * rarely fills to a short send, but it shrinks: be told when
		 * the reader drained it (unix sockets wake writers below a
		 * quarter of SO_SNDBUF). */
		if ((size_t)n < len) {
			f->flags |= TF_DUPACK;
			want_out(f);
		} else if (f->flags & TF_UNIX && tcp_data_wnd(f) < 65536) {
			want_out(f);
		}
	}
	if (fin && (size_t)n == len) {
		f->rcv_nxt++;
		f->flags |= TF_GUEST_FIN;
		shutdown(f->w.fd, SHUT_WR);
	}
	tcp_defer(f, TF_ACK_NOW);
}
