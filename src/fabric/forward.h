/* SPDX-License-Identifier: MIT
 *
 * forward.h - private to src/fabric: the state a network keeps beyond the
 * public struct network, and the two forwarding engines.
 *
 * network_new() allocates a struct network_priv and hands out the embedded
 * struct network, so the public contract stays as declared in network.h.
 */
#ifndef VMWIRE_FABRIC_FORWARD_H
#define VMWIRE_FABRIC_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "fabric/network.h"

struct network_priv {
	struct network net;
	struct ev_timer aging;
	uint64_t sweep_ms;   /* aging timer period */
	uint64_t last_sweep; /* when the table was last swept */
	/* Bumped whenever the switch writes net->scratch: a transmit() that
	 * re-enters the switch (a gateway answering synchronously) overwrites
	 * the scratch buffers the outer frame was using, so the outer loop
	 * rebuilds them when this changed under it. */
	uint32_t scratch_gen;
};

static inline struct network_priv *net_priv(struct network *net)
{
	return (struct network_priv *)((char *)net - offsetof(struct network_priv, net));
}

void hub_forward(struct network *net, struct port *from, const uint8_t *frame, size_t len);
void switch_forward(struct network *net, struct port *from, const uint8_t *frame, size_t len);

#endif
