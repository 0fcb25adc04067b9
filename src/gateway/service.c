/* SPDX-License-Identifier: MIT
 *
 * service.c - the gateway's service table, see service.h.
 */
#include "gateway/service.h"

#include <string.h>

static void sweep_timer(void *ctx)
{
	struct gw_services *t = ctx;

	if (gw_services_sweep(t, ev_loop_now(t->loop)))
		ev_timer_arm(t->loop, &t->timer, GW_SERVICE_SWEEP_MS);
}

void gw_services_init(struct gw_services *t, struct ev_loop *loop)
{
	memset(t, 0, sizeof(*t));
	t->loop = loop;
	ev_timer_init(&t->timer, sweep_timer, t);
}

void gw_services_fini(struct gw_services *t)
{
	if (t->loop)
		ev_timer_cancel(t->loop, &t->timer);
	while (t->n) {
		struct gw_service_entry *e = &t->e[--t->n];

		if (e->ops->fini)
			e->ops->fini(e->svc);
	}
}

int gw_services_add(struct gw_services *t, const struct gw_service *ops, void *svc)
{
	if (t->n == GW_SERVICES_MAX)
		return -1;
	t->e[t->n].ops = ops;
	t->e[t->n].svc = svc;
	t->n++;
	return 0;
}

bool gw_services_input(struct gw_services *t, const struct gw_pkt *p, uint64_t now)
{
	for (unsigned i = 0; i < t->n; i++) {
		if (t->e[i].ops->match(t->e[i].svc, p)) {
			t->e[i].ops->input(t->e[i].svc, p, now);
			return true;
		}
	}
	return false;
}

bool gw_services_sweep(struct gw_services *t, uint64_t now)
{
	bool more = false;

	for (unsigned i = 0; i < t->n; i++)
		if (t->e[i].ops->sweep && t->e[i].ops->sweep(t->e[i].svc, now))
			more = true;
	return more;
}

void gw_services_kick(struct gw_services *t)
{
	if (t && t->loop && !t->timer.armed)
		ev_timer_arm(t->loop, &t->timer, GW_SERVICE_SWEEP_MS);
}

void gw_services_info(const struct gw_services *t, uint64_t now, FILE *out)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->e[i].ops->info)
			t->e[i].ops->info(t->e[i].svc, now, out);
}

void gw_services_counters(const struct gw_services *t, gw_counter_fn fn, void *ctx)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->e[i].ops->counters)
			t->e[i].ops->counters(t->e[i].svc, fn, ctx);
}
