/* SPDX-License-Identifier: MIT
 *
 * tftp.c - see tftp.h.
 */
#include "gateway/services/tftp.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/ip/ipv6.h"
#include "gateway/pkt.h"
#include "gateway/quota.h"
#include "gateway/service.h"
#include "gateway/services/arp.h"
#include "gateway/services/ndp.h"
#include "gateway/services/tftp_req.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool tftp_evict(void *ctx, uint32_t station, bool all);

int gw_tftp_init(struct gw_tftp *t, const struct gw_env *env)
{
	const struct gw_config *c = env->cfg;
	unsigned i;

	memset(t, 0, sizeof(*t));
	t->env = env;
	t->root.dirfd = -1;
	t->next_tid = GW_TFTP_TID_LO;
	if (!c->tftp[0])
		return 0;
	t->root.dirfd = open(c->tftp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->root.dirfd < 0) {
		err("-netdev user: tftp=%s: %s", c->tftp, strerror(errno));
		return -1;
	}
	t->max = c->max_tftp_transfers;
	t->x = calloc(t->max, sizeof(*t->x));
	if (!t->x) {
		gw_tftp_fini(t);
		return -1;
	}
	for (i = 0; i < t->max; i++)
		t->x[i].fd = -1;
	if (env->quota)
		gw_quota_table(env->quota, GW_QUOTA_TFTP, t->max, tftp_evict, t);
	return 0;
}

static void xfer_end(struct gw_tftp *t, struct gw_tftp_xfer *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	x->used = false;
	t->live--;
	if (t->env->quota)
		gw_quota_put(t->env->quota, GW_QUOTA_TFTP, x->station);
}

/* The quota's evict callback: the oldest transfer of station, or all. */
static bool tftp_evict(void *ctx, uint32_t station, bool all)
{
	struct gw_tftp *t = ctx;
	struct gw_tftp_xfer *old = NULL;
	bool freed = false;

	for (unsigned i = 0; t->x && i < t->max; i++) {
		struct gw_tftp_xfer *x = &t->x[i];

		if (!x->used || x->station != station)
			continue;
		if (all) {
			xfer_end(t, x);
			freed = true;
		} else if (!old || x->started_ms < old->started_ms) {
			old = x;
		}
	}
	if (old) {
		xfer_end(t, old);
		freed = true;
	}
	return freed;
}

void gw_tftp_fini(struct gw_tftp *t)
{
	for (unsigned i = 0; t->x && i < t->max; i++)
		if (t->x[i].used)
			xfer_end(t, &t->x[i]);
	free(t->x);
	t->x = NULL;
	if (t->root.dirfd >= 0)
		close(t->root.dirfd);
	t->root.dirfd = -1;
}

/* ---- frames: the one place that knows the address family ------------- */

/* Where the TFTP payload of a reply to client starts in its frame: past
 * Ethernet, IPv4 or IPv6 (no extension headers) and UDP. */
static size_t payload_off(const union inany_addr *client)
{
	return inany_is_v4(client) ? OFF_UDP_DATA : OFF_UDP6_DATA;
}

/* TFTP bytes one reply to client can carry: the MTU and the ring's slot,
 * less the IP and UDP headers (20 bytes fewer over IPv6). */
static size_t payload_room(const struct gw_tftp *t, const union inany_addr *client)
{
	const struct gw_env *env = t->env;
	size_t off = payload_off(client);
	size_t room = env->tx->slot_size - off;
	size_t mtu_room = env->cfg->mtu - (off - ETH_HDR_LEN);

	return mtu_room < room ? mtu_room : room;
}

/* A reply slot with its TFTP payload to client at *payload, or NULL (ring
 * full, counted by the ring). */
static uint8_t *frame_begin(struct gw_tftp *t, const union inany_addr *client, uint8_t **payload)
{
	uint8_t *f = gw_tx_begin(t->env->tx);

	if (f)
		*payload = f + payload_off(client);
	return f;
}

/* Wrap len TFTP bytes already in f from the host address of client's
 * family (host=, ipv6-host=) port sport to client:cport; ARP or NDP finds
 * the guest's MAC. */
static void frame_send(struct gw_tftp *t, uint8_t *f, size_t len,
		       const union inany_addr *client, uint16_t sport, uint16_t cport,
		       uint64_t now)
{
	const struct gw_env *env = t->env;
	uint32_t dst = inany_ip4(client);

	memset(f, 0, 6);
	if (!inany_is_v4(client)) {
		len = pkt_udp6(f, f, env->cfg->mac, &env->cfg->v6.host, sport, &client->a6, cport,
			       len);
		gw_ndp_output(env->ndp, f, len, &client->a6, now);
		return;
	}
	len = pkt_udp(f, f, env->cfg->mac, env->cfg->host, sport, dst, cport, len);
	gw_arp_output(env->arp, f, len, dst, now);
}

static void send_error(struct gw_tftp *t, const union inany_addr *client, uint16_t sport,
		       uint16_t cport, uint16_t code, const char *msg, uint64_t now)
{
	uint8_t *f, *p;
	size_t len;

	if (!(f = frame_begin(t, client, &p)))
		return;
	len = tftp_error_build(p, payload_room(t, client), code, msg);
	frame_send(t, f, len, client, sport, cport, now);
	t->cnt.errors_sent++;
}

/* ---- transfers ---------------------------------------------------------- */

static uint16_t fresh_tid(struct gw_tftp *t)
{
	unsigned tries, i;
	uint16_t tid = t->next_tid;

	for (tries = 0; tries < 65536 - GW_TFTP_TID_LO; tries++) {
		tid = t->next_tid;
		t->next_tid = t->next_tid == 65535 ? GW_TFTP_TID_LO : (uint16_t)(t->next_tid + 1);
		for (i = 0; i < t->max; i++)
			if (t->x[i].used && t->x[i].tid == tid)
				break;
		if (i == t->max)
			break;
	}
	return tid;
}

/* Send DATA block k (1-based, 64-bit); false when it could not go now
 * (ring full: the timeout resends) or the transfer ended on a read error. */
static bool send_block(struct gw_tftp *t, struct gw_tftp_xfer *x, uint64_t k, uint64_t now)
{
	uint64_t off = (k - 1) * x->blksize;
	size_t want = off >= x->size ? 0 : x->size - off < x->blksize ? (size_t)(x->size - off)
									 : x->blksize;
	uint8_t *f, *p;
	ssize_t n = 0;

	if (!(f = frame_begin(t, &x->client, &p)))
		return false;
	if (want && (n = pread(x->fd, p + TFTP_HDR_LEN, want, (off_t)off)) < 0) {
		/* The slot was never committed: it is simply reused. */
		t->cnt.read_errors++;
		send_error(t, &x->client, x->tid, x->cport, TFTP_ERR_UNDEF, "read error", now);
		xfer_end(t, x);
		return false;
	}
	/* A file that shrank under us ends at the short block. */
	if ((size_t)n < x->blksize && k < x->last)
		x->last = k;
	wr16be(p, TFTP_DATA);
	wr16be(p + 2, (uint16_t)k);
	frame_send(t, f, TFTP_HDR_LEN + (size_t)n, &x->client, x->tid, x->cport, now);
	x->bytes += (uint64_t)n;
	if (k > x->sent)
		x->sent = k;
	return true;
}

/* Send the current window from x->next on: up to acked + windowsize. A
 * full reply ring stops it; the sweep goes on from x->next when the ring
 * has drained (x->stalled), without waiting for the timeout. */
static void fill_window(struct gw_tftp *t, struct gw_tftp_xfer *x, uint64_t now)
{
	uint64_t end = x->acked + x->windowsize;

	if (end > x->last)
		end = x->last;
	x->stalled = false;
	for (; x->next <= end; x->next++) {
		if (!send_block(t, x, x->next, now)) {
			x->stalled = x->used;
			return;
		}
	}
}

/* (Re)start the window after the last acknowledged block. */
static void send_window(struct gw_tftp *t, struct gw_tftp_xfer *x, uint64_t now)
{
	x->deadline = now + x->timeout_ms;
	x->next = x->acked + 1;
	fill_window(t, x, now);
}

static void send_oack(struct gw_tftp *t, struct gw_tftp_xfer *x, uint64_t now)
{
	uint8_t *f, *p;

	x->deadline = now + x->timeout_ms;
	if (!(f = frame_begin(t, &x->client, &p)))
		return;
	memcpy(p, x->oack, x->oack_len);
	frame_send(t, f, x->oack_len, &x->client, x->tid, x->cport, now);
}

/* A new request replaces one of the same client port (the client
 * restarted), else takes a free slot. */
static struct gw_tftp_xfer *slot_for(struct gw_tftp *t, const union inany_addr *client,
				     uint16_t cport)
{
	struct gw_tftp_xfer *free_slot = NULL;
	unsigned i;

	for (i = 0; i < t->max; i++) {
		struct gw_tftp_xfer *x = &t->x[i];

		if (x->used && x->cport == cport && inany_equals(&x->client, client)) {
			xfer_end(t, x);
			return x;
		}
		if (!x->used && !free_slot)
			free_slot = x;
	}
	return free_slot;
}

static void request(struct gw_tftp *t, const union inany_addr *client, uint16_t cport,
		    const uint8_t *data, size_t len, uint64_t now)
{
	struct gw_tftp_xfer *x;
	struct tftp_req r;
	struct tftp_params par;
	enum tftp_req_result res = tftp_req_parse(data, len, &r);
	uint64_t size;
	size_t room = payload_room(t, client);
	uint32_t station = 0;
	int fd, code;

	switch (res) {
	case TFTP_REQ_OK:
		break;
	case TFTP_REQ_BAD_MODE:
		if (r.opcode == TFTP_WRQ)
			break;
		t->cnt.bad_packets++;
		send_error(t, client, fresh_tid(t), cport, TFTP_ERR_ILLEGAL_OP,
			   "only octet mode is served", now);
		return;
	case TFTP_REQ_TOO_MANY_OPTIONS:
		t->cnt.bad_packets++;
		send_error(t, client, fresh_tid(t), cport, TFTP_ERR_OPTIONS, "too many options",
			   now);
		return;
	default: /* not a request we can even answer about: dropped */
		t->cnt.bad_packets++;
		return;
	}
	if (r.opcode == TFTP_WRQ) {
		t->cnt.wrq_refused++;
		send_error(t, client, fresh_tid(t), cport, TFTP_ERR_ACCESS,
			   "write requests are refused", now);
		return;
	}
	t->cnt.rrq++;
	/* Over its share while another guest is active (quota.h): refused
	 * like a full table, with the reason. */
	if (t->env->quota && !gw_quota_take(t->env->quota, GW_QUOTA_TFTP, now, &station)) {
		send_error(t, client, fresh_tid(t), cport, TFTP_ERR_UNDEF,
			   "this guest's share of TFTP transfers is in use (max-tftp-per-guest=)",
			   now);
		return;
	}
	if (!(x = slot_for(t, client, cport))) {
		if (t->env->quota)
			gw_quota_put(t->env->quota, GW_QUOTA_TFTP, station);
		t->cnt.full++;
		LOG_ONCE_FOR(&t->logged, TFTP_LOG_FULL, LOG_LVL_WARN,
			     "-netdev user: %u TFTP transfers in progress (max-tftp-transfers=): "
			     "new requests refused", t->max);
		send_error(t, client, fresh_tid(t), cport, TFTP_ERR_UNDEF,
			   "too many transfers, try again later", now);
		return;
	}
	fd = tftp_path_open(&t->root, r.name, &size, &code);
	if (fd < 0) {
		if (t->env->quota)
			gw_quota_put(t->env->quota, GW_QUOTA_TFTP, station);
		if (code == TFTP_ERR_NOT_FOUND)
			t->cnt.not_found++;
		else
			t->cnt.access_denied++;
		send_error(t, client, fresh_tid(t), cport, (uint16_t)code,
			   code == TFTP_ERR_NOT_FOUND ? "file not found" : "access violation", now);
		return;
	}
	memset(x, 0, sizeof(*x));
	x->oack_len = tftp_negotiate(&r, (unsigned)(room - TFTP_HDR_LEN), GW_TFTP_WINDOW_MAX,
				     GW_TFTP_DEFAULT_TIMEOUT_S, size, &par, x->oack);
	x->used = true;
	t->live++;
	x->station = station;
	x->started_ms = now;
	x->client = *client;
	x->cport = cport;
	x->tid = fresh_tid(t);
	x->fd = fd;
	x->size = size;
	x->blksize = par.blksize;
	x->windowsize = par.windowsize;
	x->timeout_ms = par.timeout_s * 1000;
	x->last = size / par.blksize + 1;
	/* Shown in "info usernet" only: a long name is cut. */
	memcpy(x->name, r.name, strnlen(r.name, sizeof(x->name) - 1));
	gw_services_kick(t->env->services);
	if (x->oack_len) {
		x->oack_wait = true;
		send_oack(t, x, now);
	} else {
		send_window(t, x, now);
	}
}

/* The 64-bit block an ACK of wire block b means: one of acked .. sent (a
 * window is far shorter than 65536 blocks, so the low 16 bits decide);
 * false when b names none of them. */
static bool ack_block(const struct gw_tftp_xfer *x, uint16_t b, uint64_t *k)
{
	uint64_t d = (uint16_t)(b - (uint16_t)x->acked);

	if (x->acked + d > x->sent)
		return false;
	*k = x->acked + d;
	return true;
}

static void on_ack(struct gw_tftp *t, struct gw_tftp_xfer *x, uint16_t b, uint64_t now)
{
	uint64_t k;

	if (x->oack_wait) {
		if (b) {
			t->cnt.bad_acks++;
			return;
		}
		x->oack_wait = false;
		x->tries = 0;
		send_window(t, x, now);
		return;
	}
	if (!ack_block(x, b, &k)) {
		t->cnt.bad_acks++;
		return;
	}
	if (k == x->acked && x->windowsize == 1)
		return; /* a late duplicate: resending on it doubles every block */
	x->acked = k;
	x->tries = 0;
	if (k >= x->last) {
		t->cnt.completed++;
		xfer_end(t, x);
		return;
	}
	send_window(t, x, now);
}

static struct gw_tftp_xfer *by_tid(struct gw_tftp *t, uint16_t tid)
{
	for (unsigned i = 0; i < t->max; i++)
		if (t->x[i].used && t->x[i].tid == tid)
			return &t->x[i];
	return NULL;
}

void gw_tftp_input(struct gw_tftp *t, const union inany_addr *client, uint16_t cport,
		   uint16_t dport, const uint8_t *data, size_t len, uint64_t now)
{
	struct gw_tftp_xfer *x;

	if (!t->x)
		return;
	if (dport == TFTP_PORT) {
		request(t, client, cport, data, len, now);
		return;
	}
	if (!(x = by_tid(t, dport)))
		return; /* match() said yes only for a live TID; keep that true */
	if (x->cport != cport || !inany_equals(&x->client, client)) {
		t->cnt.unknown_tid++;
		send_error(t, client, dport, cport, TFTP_ERR_UNKNOWN_TID, "unknown transfer ID",
			   now);
		return;
	}
	if (len < TFTP_HDR_LEN) {
		t->cnt.bad_packets++;
		return;
	}
	switch (rd16be(data)) {
	case TFTP_ACK:
		on_ack(t, x, rd16be(data + 2), now);
		break;
	case TFTP_ERROR: /* the client gave up (or declined our OACK) */
		t->cnt.client_errors++;
		xfer_end(t, x);
		break;
	default:
		t->cnt.bad_packets++;
		break;
	}
}

bool gw_tftp_sweep(struct gw_tftp *t, uint64_t now)
{
	unsigned i;

	for (i = 0; t->x && i < t->max; i++) {
		struct gw_tftp_xfer *x = &t->x[i];

		if (x->used && x->stalled)
			fill_window(t, x, now);
		if (!x->used || now < x->deadline)
			continue;
		if (++x->tries > GW_TFTP_RETRIES) {
			t->cnt.timeouts++;
			xfer_end(t, x);
			continue;
		}
		t->cnt.retransmits++;
		if (x->oack_wait) {
			send_oack(t, x, now);
		} else {
			send_window(t, x, now);
		}
	}
	return t->live > 0;
}

/* ---- the service table's view (service.h) ----------------------------- */

/* For the server: UDP to host= (IPv4, a source set) or to ipv6-host=
 * (IPv6; gateway.c checked the source is a guest's). */
static bool to_host(const struct gw_tftp *t, const struct gw_pkt *p)
{
	const struct gw_config *c = t->env->cfg;

	if (p->proto != IPPROTO_UDP_)
		return false;
	if (p->ip6)
		return c->v6.on && !memcmp(&p->ip6->dst, &c->v6.host, sizeof(c->v6.host));
	return p->src && p->dst == c->host;
}

static bool tftp_match(const void *svc, const struct gw_pkt *p)
{
	const struct gw_tftp *t = svc;
	unsigned i;

	if (!t->x || !to_host(t, p))
		return false;
	if (p->dport == TFTP_PORT)
		return true;
	if (p->dport < GW_TFTP_TID_LO)
		return false;
	for (i = 0; i < t->max; i++)
		if (t->x[i].used && t->x[i].tid == p->dport)
			return true;
	return false;
}

static void tftp_service_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	union inany_addr client = p->ip6 ? inany_from_in6(&p->ip6->src) : inany_from_ip4(p->src);

	gw_tftp_input(svc, &client, p->sport, p->dport, p->data, p->data_len, now);
}

static bool tftp_service_sweep(void *svc, uint64_t now)
{
	return gw_tftp_sweep(svc, now);
}

static void tftp_info(const void *svc, uint64_t now, FILE *out)
{
	const struct gw_tftp *t = svc;
	char a[INANY_ADDRSTRLEN];
	unsigned i;

	(void)now;
	if (!t->x)
		return;
	fprintf(out, "  TFTP transfers: %u of %u (tftp=%s)\n", t->live, t->max,
		t->env->cfg->tftp);
	if (!t->live)
		return;
	fprintf(out, "  %-21s %-24s %10s %12s %12s %5s %3s\n", "TFTP client", "File", "Block",
		"Bytes sent", "Size", "Blksz", "Win");
	for (i = 0; i < t->max; i++) {
		const struct gw_tftp_xfer *x = &t->x[i];
		char cl[INANY_ADDRSTRLEN + 8];

		if (!x->used)
			continue;
		inany_ntop(&x->client, a, sizeof(a));
		if (inany_is_v4(&x->client))
			snprintf(cl, sizeof(cl), "%s:%u", a, x->cport);
		else
			snprintf(cl, sizeof(cl), "[%s]:%u", a, x->cport);
		fprintf(out, "  %-21s %-24s %10llu %12llu %12llu %5u %3u\n", cl, x->name,
			(unsigned long long)x->acked, (unsigned long long)x->bytes,
			(unsigned long long)x->size, x->blksize, x->windowsize);
	}
}

static void tftp_counters(const void *svc, gw_counter_fn fn, void *ctx)
{
	const struct gw_tftp *t = svc;

	if (!t->x)
		return;
#define GW_TFTP_EMIT(c) fn(ctx, "tftp_" #c, t->cnt.c);
	GW_TFTP_COUNTERS(GW_TFTP_EMIT)
#undef GW_TFTP_EMIT
}

static void tftp_service_fini(void *svc)
{
	gw_tftp_fini(svc);
}

const struct gw_service gw_tftp_service = {
	.name = "tftp",
	.match = tftp_match,
	.input = tftp_service_input,
	.sweep = tftp_service_sweep,
	.info = tftp_info,
	.counters = tftp_counters,
	.fini = tftp_service_fini,
};
