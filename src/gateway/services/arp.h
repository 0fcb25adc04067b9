/* SPDX-License-Identifier: MIT
 *
 * arp.h - the gateway's ARP responder and guest neighbour table.
 *
 * Theory of operation: the gateway owns two addresses on the LAN, host and
 * dns, both behind its one MAC; it answers ARP requests for them and for
 * nothing else. Guests are learned from the sender fields of their ARP
 * packets, from DHCP acknowledgements and from the source of their IPv4
 * frames, into a small fixed table with least-recently-seen replacement.
 * When the gateway must send to a guest it does not know (a DNS answer
 * after the guest was replaced in the table, a NAT reply), it keeps the one
 * newest frame per address in a pending slot, broadcasts an ARP request,
 * and sends the frame when the reply is learned; an older pending frame is
 * dropped and counted. Pending slots expire after GW_ARP_PENDING_MS.
 *
 * Source guard: an address a DHCP lease binds (or a static lease=) belongs
 * to the lease's MAC, so ARP or IP traffic from any other MAC claiming it
 * is never learned (counted in arp_spoofed), and IP traffic never rebinds
 * a known address to another MAC: only ARP (or DHCP) does, so one forged
 * ICMP packet can no longer redirect the next hostfwd connection. With
 * source-guard=strict, the gateway.c drops IP whose source is not the
 * sender MAC's lease, and ARP learns nothing but a MAC's own lease.
 */
#ifndef VMWIRE_GATEWAY_ARP_H
#define VMWIRE_GATEWAY_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_env;

#define GW_ARP_ENTRIES 64
#define GW_ARP_PENDING 8
#define GW_ARP_PENDING_MS 3000
#define ARP_LEN 28

struct gw_arp_entry {
	uint32_t ip; /* 0: free */
	uint8_t mac[6];
	uint64_t seen_ms;
};

struct gw_arp_pending {
	uint32_t ip; /* 0: free */
	uint64_t since_ms;
	size_t len;
	uint8_t *buf; /* slot_size bytes, part of one allocation */
};

struct gw_arp {
	const struct gw_env *env; /* cfg, tx, stats */
	struct gw_arp_entry entries[GW_ARP_ENTRIES];
	struct gw_arp_pending pending[GW_ARP_PENDING];
	uint8_t *pending_mem;
};

/* env->tx must be set up: pending frames are ring-slot sized. */
int gw_arp_init(struct gw_arp *arp, const struct gw_env *env);
void gw_arp_fini(struct gw_arp *arp);

/* The responder in the service table (service.h): ARP frames. */
extern const struct gw_service gw_arp_service;

/* An ARP frame from the LAN (len includes the Ethernet header). */
void gw_arp_input(struct gw_arp *arp, const uint8_t *frame, size_t len, uint64_t now);

/* Remember ip -> mac if ip is a guest address in our network and no lease
 * binds it to another MAC (ARP senders, DHCP acknowledgements). */
void gw_arp_learn(struct gw_arp *arp, uint32_t ip, const uint8_t *mac, uint64_t now);
/* The same for the source of an IPv4 packet: also never rebinds ip. */
void gw_arp_learn_ip(struct gw_arp *arp, uint32_t ip, const uint8_t *mac, uint64_t now);
const uint8_t *gw_arp_lookup(const struct gw_arp *arp, uint32_t ip);

/* frame (len bytes) was built in the slot gw_tx_begin() returned, with
 * everything but the destination MAC: fill it and commit, or park it until
 * dst answers our ARP request. */
void gw_arp_output(struct gw_arp *arp, uint8_t *frame, size_t len, uint32_t dst,
		   uint64_t now);

#endif
