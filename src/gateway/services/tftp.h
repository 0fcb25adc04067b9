/* SPDX-License-Identifier: MIT
 *
 * tftp.h - the TFTP server at the host addresses (QEMU's tftp=DIR):
 * host= over IPv4 and ipv6-host= over IPv6.
 *
 * Theory of operation: a read request to port 69 of a host address is
 * parsed and negotiated (tftp_req.h), its file opened beneath DIR
 * (tftp_path.h), and the transfer takes a slot of a table sized at start
 * (max-tftp-transfers=, QEMU's 20 by default: config.h). Its replies leave from a
 * port of its own (the server's TID, RFC 1350), picked from 49152-65535
 * and not used by another live transfer; while the transfer lives, every
 * guest datagram to that port is the service's: one from another address
 * or port is answered "unknown transfer ID" (error 5) and counted, as the
 * RFC asks, and does not disturb the transfer.
 *
 * Data is read with pread() straight into the reply frame's payload in the
 * gateway's reply ring (pkt.h): one copy from the page cache, nothing
 * allocated per packet. Blocks are numbered 64-bit inside and sent as the
 * low 16 bits, so a file of more than 65535 blocks wraps the block number
 * to 0, as tftp-hpa and QEMU do (32 MiB at blksize 512). With windowsize N
 * (RFC 7440) N blocks go out per ACK; an ACK of block k means "all up to k
 * arrived", and the next window starts at k+1 (a client that lost a block
 * acknowledges the one before it). An ACK of a block not sent is counted
 * and ignored; a repeated ACK with windowsize 1 is ignored too (RFC 1350's
 * Sorcerer's Apprentice bug), with a larger window it resends the window.
 * A window cut short by a full reply ring goes on at the next sweep.
 * Nothing acknowledged within the timeout (the client's RFC 2349 timeout,
 * else 1 s) resends the OACK or the window, at most GW_TFTP_RETRIES times;
 * then the transfer is dropped and counted.
 *
 * Write requests are refused with an error packet (access violation, as
 * QEMU), so are requests when every slot is busy (logged once).
 *
 * IPv6: the client is kept as inany (core/inany.h), v4-mapped for an IPv4
 * one, so one table, one TID space, the same resolver, negotiation and
 * limits serve both families. Only the frame edge knows the family
 * (payload_room(), frame_begin(), frame_send() in tftp.c): a reply to an
 * IPv6 client leaves from ipv6-host through NDP, its payload starts 20
 * bytes further in, and blksize is capped by what an IPv6/UDP datagram
 * carries within the MTU (1448 at mtu=1500, 1468 over IPv4).
 */
#ifndef VMWIRE_GATEWAY_TFTP_H
#define VMWIRE_GATEWAY_TFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/inany.h"
#include "core/log.h"
#include "gateway/services/tftp_path.h"
#include "gateway/services/tftp_req.h"

struct gw_env;

#define GW_TFTP_RETRIES 5
#define GW_TFTP_DEFAULT_TIMEOUT_S 1
/* Blocks in flight per transfer: a quarter of the reply ring, so one
 * transfer's window cannot starve every other reply. */
#define GW_TFTP_WINDOW_MAX 8
#define GW_TFTP_TID_LO 49152u
#define GW_TFTP_NAME_SHOWN 48

struct gw_tftp_xfer {
	bool used;
	bool oack_wait;            /* OACK sent, waiting for ACK 0 */
	uint32_t station;          /* the guest charged for it (quota.h) */
	uint64_t started_ms;       /* oldest goes first when its guest is over */
	union inany_addr client;
	uint16_t cport, tid;
	int fd;
	uint64_t size;
	unsigned blksize, windowsize, timeout_ms;
	uint64_t acked, sent, last; /* block numbers, 64-bit: see the top */
	uint64_t next;             /* the window's next block to send */
	bool stalled;              /* the reply ring was full mid-window */
	unsigned tries;
	uint64_t deadline;
	uint64_t bytes;            /* DATA payload bytes sent, resends included */
	char name[GW_TFTP_NAME_SHOWN + 1];
	uint8_t oack[TFTP_OACK_MAX]; /* kept for resending */
	size_t oack_len;             /* 0: none was due */
};

#define GW_TFTP_COUNTERS(X) \
	X(rrq) X(wrq_refused) X(completed) X(errors_sent) X(client_errors) \
	X(timeouts) X(retransmits) X(full) X(bad_packets) X(bad_acks) X(unknown_tid) \
	X(not_found) X(access_denied) X(read_errors)

enum gw_tftp_log { TFTP_LOG_FULL };

struct gw_tftp {
	const struct gw_env *env; /* cfg, tx, arp, services */
	struct tftp_root root;
	struct gw_tftp_xfer *x;   /* cfg->max_tftp_transfers */
	unsigned max, live;
	uint16_t next_tid;
	struct log_once logged;   /* enum gw_tftp_log */
	struct {
#define GW_TFTP_FIELD(n) uint64_t n;
		GW_TFTP_COUNTERS(GW_TFTP_FIELD)
#undef GW_TFTP_FIELD
	} cnt;
};

/* Opens cfg->tftp (O_PATH, before the sandbox) and the table; without
 * tftp= it holds nothing and matches nothing. -1 (logged) when the
 * directory cannot be opened. */
int gw_tftp_init(struct gw_tftp *t, const struct gw_env *env);
void gw_tftp_fini(struct gw_tftp *t);

/* The server in the service table (service.h). */
extern const struct gw_service gw_tftp_service;

/* A guest datagram to the host address of client's family, port dport (69
 * or a transfer's TID), from client:cport. Exposed for the fuzzer and the
 * tests. */
void gw_tftp_input(struct gw_tftp *t, const union inany_addr *client, uint16_t cport,
		   uint16_t dport, const uint8_t *data, size_t len, uint64_t now);
bool gw_tftp_sweep(struct gw_tftp *t, uint64_t now);

#endif
