/* SPDX-License-Identifier: MIT
 *
 * netdev.c - what every netdev type shares once started, see netdev.h. It
 * lives with the interface, below ports/ and gateway/, which call it.
 * The registry of types is netdev_registry.c.
 *
 * The impair-* keys are separate keys, not one impair=loss:3,... value,
 * because a comma ends a QEMU keyval value; each takes one number.
 */
#include "config/netdev.h"
#include "config/keyval.h"
#include "core/impair.h"
#include "core/log.h"
#include "core/pcap.h"
#include "fabric/network.h"

#include <string.h>

void netdev_port_setup(struct netdev *nd, struct port *port)
{
	port->vlan = nd->common.vlan;
	port->sec = nd->common.sec;
	if (nd->pcap)
		port->pcap = pcap_get(nd->pcap);
	if (port_set_impair(port, &nd->common.impair, nd->net ? nd->net->loop : NULL) < 0)
		log_msg(LOG_LVL_ERR, "netdev %s: port %s: no memory for the impair-* queues: "
			"its wire is not impaired", nd->common.id, port->id);
	if (nd->net)
		network_attach(nd->net, port);
}

/* v: kv_get(kv, key), spelled out at the call so tools/check-help.sh sees
 * the key. */
static int percent_key(struct kvlist *kv, const char *key, const char *v, uint64_t max,
		       uint64_t *out, char *err, size_t errlen)
{
	if (!v)
		return 0;
	if (impair_parse_percent(v, max, out) < 0) {
		kv_errorf(err, errlen, kv, "'%s' expects a percentage from 0 to %s, "
			  "e.g. 3 or 0.5%%, not '%s'", key, max == IMPAIR_P_ONE ? "100" : "50", v);
		return -1;
	}
	return 0;
}

int netdev_parse_impair(struct kvlist *kv, struct impair_cfg *cfg, char *err, size_t errlen)
{
	const char *v;
	uint64_t n;
	int r;

	impair_cfg_init(cfg);
	if (percent_key(kv, "impair-loss", kv_get(kv, "impair-loss"), IMPAIR_P_ONE,
			&cfg->loss, err, errlen) < 0 ||
	    percent_key(kv, "impair-dup", kv_get(kv, "impair-dup"), IMPAIR_P_ONE,
			&cfg->dup, err, errlen) < 0 ||
	    percent_key(kv, "impair-reorder", kv_get(kv, "impair-reorder"), IMPAIR_REORDER_MAX,
			&cfg->reorder, err, errlen) < 0)
		return -1;
	v = kv_get(kv, "impair-delay");
	if (v && impair_parse_delay(v, &cfg->delay_ms, &cfg->jitter_ms) < 0) {
		kv_errorf(err, errlen, kv, "'impair-delay' expects MS or MS/JITTER, "
			  "milliseconds up to %u, not '%s'", IMPAIR_DELAY_MAX_MS, v);
		return -1;
	}
	v = kv_get(kv, "impair-rate");
	if (v && impair_parse_rate(v, &cfg->rate_bps) < 0) {
		kv_errorf(err, errlen, kv, "'impair-rate' expects Mbit/s from 0.008 to 1000000, "
			  "not '%s'", v);
		return -1;
	}
	r = kv_get_uint(kv, "impair-limit", 1, IMPAIR_LIMIT_MAX, &n, err, errlen);
	if (r < 0)
		return -1;
	if (r)
		cfg->limit = (uint32_t)n;
	r = kv_get_uint(kv, "impair-seed", 0, UINT64_MAX, &n, err, errlen);
	if (r < 0)
		return -1;
	if (r)
		cfg->seed = n;
	v = kv_get(kv, "impair-dir");
	if (v) {
		cfg->in = !strcmp(v, "both") || !strcmp(v, "in");
		cfg->out = !strcmp(v, "both") || !strcmp(v, "out");
		if (!cfg->in && !cfg->out) {
			kv_errorf(err, errlen, kv, "'impair-dir' expects both, in or out, not '%s'",
				  v);
			return -1;
		}
	}
	return 0;
}
