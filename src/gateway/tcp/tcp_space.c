/* SPDX-License-Identifier: MIT
 *
 * tcp_space.c - the host socket's free send space, which is the window we
 * advertise to the guest, asked of the kernel as rarely as is safe.
 *
 * Theory of operation. Guest data goes straight to send(), so the window
 * we offer must never promise more than the socket takes: a guest that
 * overruns a full socket has its segment cut short and waits for the
 * duplicate ACKs or its RTO (tcp_data.c). The kernel's count is
 * SO_MEMINFO's: SO_SNDBUF less what the queued skbs cost, overhead
 * included (SIOCOUTQ counts payload only and let the guest overrun the
 * socket once it filled). That is one getsockopt() per window we send,
 * and a request/response flow sends one with every reply.
 *
 * So the answer is kept (f->space) and spent: every write to the socket
 * takes off what it can cost at most, twice its length plus a whole skb
 * (the kernel charges the payload, ~832 bytes per new skb, and more when
 * it splits queued skbs to send them: 64 KiB writes cost 90 KiB when the
 * peer's window is small), and adds the same to what we think is queued.
 * The socket only drains meanwhile, so the estimate stays at or below the
 * kernel's own count and the window we offer stays safe; it is merely
 * smaller than it could be. The kernel is asked again once the estimate
 * fell below half of its last answer (so the offered window is never
 * less than half of what is free), or would be what the kernel calls full
 * (free space below half of what is queued), and the estimate is dropped
 * where the socket said something new: a short write, EPOLLOUT. A socket
 * the kernel called full is asked every time, as before, until EPOLLOUT,
 * and so is one with less than two guest segments of room (cache_min()).
 * A ping-pong of small messages on a loopback socket (SO_SNDBUF 4 MiB)
 * asks about once per thousand round trips instead of every time.
 *
 * Unix sockets (guestfwd unix: and cmd:) have no SO_MEMINFO; they are
 * asked SO_SNDBUF and SIOCOUTQ every time, at half the difference (a
 * unix socket charges every segment's skb too: ~2x the payload).
 */
#include "gateway/tcp/tcp_flow.h"

#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* What one write may cost beyond twice its payload: an skb's overhead
 * (~832 bytes on x86_64), rounded up. */
#define TCP_SPACE_SKB_COST 1024

/* What one write of n bytes may cost the socket at most (above). */
static uint32_t write_cost(size_t n)
{
	uint64_t c = 2 * (uint64_t)n + TCP_SPACE_SKB_COST;

	return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

/* Free send space as the kernel counts it, -1 when it cannot say; *full:
 * the kernel would not call the socket writable (free space below half
 * of what is queued), so EPOLLOUT will tell us when it drains. A fresh
 * TCP answer that is not full becomes the estimate. */
static int64_t ask_kernel(struct tcp_flow *f, bool *full)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t ml = sizeof(mi);
	int sndbuf = 0, outq = 0;
	socklen_t sl = sizeof(sndbuf);
	int64_t space, queued;

	f->t->stats.space_asks++;
	if (!(f->flags & TF_UNIX) && !getsockopt(f->w.fd, SOL_SOCKET, SO_MEMINFO, mi, &ml) &&
	    ml > SK_MEMINFO_WMEM_QUEUED * sizeof(mi[0])) {
		queued = mi[SK_MEMINFO_WMEM_QUEUED];
		space = (int64_t)mi[SK_MEMINFO_SNDBUF] - queued;
		*full = space < queued / 2;
		if (space < 0)
			space = 0;
		f->space.ok = !*full && space <= UINT32_MAX;
		if (f->space.ok) {
			f->space.est = (uint32_t)space;
			f->space.floor = (uint32_t)space / 2;
			f->space.queued = (uint32_t)queued;
		}
		return space;
	}
	f->space.ok = 0;
	if (getsockopt(f->w.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) ||
	    ioctl(f->w.fd, SIOCOUTQ, &outq))
		return -1;
	space = (int64_t)sndbuf - outq;
	if (f->flags & TF_UNIX)
		space /= 2;
	return space < 0 ? 0 : space;
}

/* Two of the segments the guest may send us (the MSS our SYN-ACK gave).
 * A window below one of them is one a Linux guest will not send into
 * when it has a full segment queued (its silly window avoidance): it
 * waits for a zero-window probe, 200 ms or more, and nothing here would
 * offer it more while the estimate stays above its floor. So below this
 * the kernel is asked every time, as before the estimate. */
static uint32_t cache_min(const struct tcp_flow *f)
{
	return 2u * tcp_mtu_mss(f->t->env->cfg->mtu, &f->gaddr);
}

int64_t tcp_space(struct tcp_flow *f, bool *full)
{
	struct tcp_space *s = &f->space;

	*full = false;
	if (f->w.fd < 0)
		return -1;
	if (s->ok && s->est >= s->floor && s->est >= s->queued / 2 && s->est >= cache_min(f))
		return s->est;
	return ask_kernel(f, full);
}

void tcp_space_wrote(struct tcp_flow *f, size_t n)
{
	struct tcp_space *s = &f->space;
	uint32_t c = write_cost(n);

	if (!s->ok || !n)
		return;
	s->est = s->est > c ? s->est - c : 0;
	s->queued = s->queued > UINT32_MAX - c ? UINT32_MAX : s->queued + c;
}

void tcp_space_forget(struct tcp_flow *f)
{
	f->space.ok = 0;
}
