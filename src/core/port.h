/* SPDX-License-Identifier: MIT
 *
 * port.h - the one interface for everything that sends and receives frames.
 *
 * Theory of operation: a port is a plug with two directions.
 *
 *   outside world --(implementation reads)--> port_receive() --> port->sink
 *   network       --port_send()--> ops->transmit() --(implementation writes)-->
 *
 * "rx" counts frames that came *into* vmwire through this port, "tx" frames
 * that vmwire handed *out* through it, as QEMU's info network would see it
 * from our side. The sink is whatever the port is plugged into (a switch or
 * hub ingress, or a test harness); a port never knows what it is plugged
 * into, so the switch, the hub, the gateway and every transport combine
 * freely. Stream connections, TAPs, datagram sockets, the gateway and
 * vhost-user all embed a struct port and fill in struct port_ops.
 *
 * Rules for implementations:
 *  - transmit() must never block and never free the port; if the frame can't
 *    be taken now it is dropped and counted in stats.tx_drops.
 *  - a port is destroyed only from its own fd callback or from a timer, never
 *    from inside transmit() (the switch may be iterating its port list).
 */
#ifndef VMWIRE_CORE_PORT_H
#define VMWIRE_CORE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORT_ID_MAX 64
#define VLAN_MAX 4095

struct port;
struct pcap_writer;

struct port_stats {
	uint64_t rx_frames, rx_bytes, rx_drops; /* from the peer into vmwire */
	uint64_t tx_frames, tx_bytes, tx_drops; /* from vmwire out to the peer */
};

struct port_ops {
	const char *kind; /* "stream", "dgram", "tap", "user", ... */
	/* Hand one frame to the peer. Drop and count if it can't be taken. */
	void (*transmit)(struct port *port, const uint8_t *frame, size_t len);
	/* One human line for the monitor: peer address, state, queue depth. */
	void (*describe)(const struct port *port, char *buf, size_t size);
	/* Close fds, free memory. Called once, after the port left its network. */
	void (*destroy)(struct port *port);
};

/*
 * 802.1Q membership. An access port (trunk == false) carries only VLAN
 * pvid, untagged on the wire. A trunk port carries the VLANs set in
 * allowed[], tagged, plus its native VLAN pvid untagged (pvid 0 = no native
 * VLAN: untagged frames are dropped).
 */
struct port_vlan {
	uint16_t pvid;
	bool trunk;
	uint8_t allowed[(VLAN_MAX + 1 + 7) / 8];
};

typedef void (*port_sink_fn)(void *sink, struct port *from,
			     const uint8_t *frame, size_t len);

struct port {
	const struct port_ops *ops;
	char id[PORT_ID_MAX];
	struct port_stats stats;
	struct port_vlan vlan;
	struct pcap_writer *pcap; /* optional, shared and refcounted */

	/* Where received frames go; set by network_attach(). */
	port_sink_fn sink_fn;
	void *sink;

	/* Owned by the network the port is attached to. */
	struct network *net;
	struct port *net_next;
	void *fabric_priv;
};

/* Defaults: access port on VLAN 1, no pcap, not attached. */
void port_init(struct port *port, const struct port_ops *ops, const char *id);

/* Implementations call this for every frame read from their peer. Frames
 * shorter than an Ethernet header are dropped and counted here. */
void port_receive(struct port *port, const uint8_t *frame, size_t len);

/* The fabric calls this to send a frame out through the port. */
void port_send(struct port *port, const uint8_t *frame, size_t len);

/* Detach from its network (if any) and destroy. */
void port_close(struct port *port);

/* VLAN membership helpers. */
static inline bool vlan_bit(const struct port_vlan *v, unsigned vid)
{
	return vid <= VLAN_MAX && (v->allowed[vid >> 3] >> (vid & 7) & 1);
}
static inline void vlan_set_bit(struct port_vlan *v, unsigned vid)
{
	if (vid <= VLAN_MAX)
		v->allowed[vid >> 3] |= (uint8_t)(1u << (vid & 7));
}
/* Does this port carry VLAN vid at all? */
bool port_vlan_member(const struct port *port, unsigned vid);

#endif
