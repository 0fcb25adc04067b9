# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2004,SC2034 # nat.sh's variables and associative arrays
#
# nat_report.sh - bench/nat.sh's tables (sourced at the end): one table per
# section that ran, then vmwire's ratio to each peer for every number that
# has one. Markdown, so a run pastes into README.md as it is.

# num FMT VALUE: VALUE in FMT, or n/a where the tool did not measure it
# (vmwire-bp runs the lat section only).
num() { if [ -n "$2" ]; then printf "$1" "$2"; else printf "n/a"; fi; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "Medians of $REPS runs. $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load$(uptime | sed 's/.*load/ /')"
if on tput || on lat || on zero; then
	echo
	echo "iperf3 TCP ${SECS}s each way (Gbit/s); sockperf TCP ping-pong ${LSECS}s (one-way µs),"
	echo "unpinned and pinned (the tool, the sockperf server and client all on CPU 0);"
	echo "vmwire-bp: vmwire run --busy-poll=$BP (latency only);"
	echo "0 s intervals: 1-second intervals at 0 bit/s in one ${ZSECS}s iperf3 run ns->host (in"
	echo "parentheses: in all the throughput runs), and its slowest second."
	echo
	echo "| tool | ns→host (Gbit/s) | host→ns (Gbit/s) | latency p50 (µs) | p99 (µs) | p50 pinned | p99 pinned | 0 s intervals | slowest second (Gbit/s) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in $TOOLS; do
		echo "| $n | $(num %.2f "${UP[$n]:-}") | $(num %.2f "${DOWN[$n]:-}")" \
			"| $(num %.2f "${LAT[$n]:-}") | $(num %.2f "${P99[$n]:-}")" \
			"| $(num %.2f "${LATP[$n]:-}") | $(num %.2f "${P99P[$n]:-}")" \
			"| ${ZERO[$n]:-n/a} | $(num %.2f "${ZMIN[$n]:-}") |"
	done
fi
if on conn; then
	echo
	echo "Connections/s, ${CSECS}s each: wrk 'Connection: close' against nginx (the server closes"
	echo "first) at 1, 16 and 256 connections; bench/connload.c at 16 (the client closes first)."
	echo
	echo "| tool | c1 | c16 | c256 | c16, client closes |"
	echo "|---|---:|---:|---:|---:|"
	for n in $TOOLS; do
		[ -n "${C1[$n]:-}" ] || continue
		printf "| %s | %.0f | %.0f | %.0f | %.0f |\n" "$n" "${C1[$n]:-0}" "${C16[$n]:-0}" \
			"${C256[$n]:-0}" "${CC16[$n]:-0}"
	done
fi
if on ipv6; then
	echo
	echo "IPv6, iperf3 TCP ${SECS}s each way (Gbit/s): vmwire fec0::2, pasta and slirp4netns"
	echo "fd00::2 (all three: the host's ::1), veth fd09::1."
	echo
	echo "| tool | ns→host v6 | host→ns v6 |"
	echo "|---|---:|---:|"
	for n in $TOOLS; do
		[ -n "${UP6[$n]:-}" ] || continue
		printf "| %s | %.2f | %.2f |\n" "$n" "${UP6[$n]:-0}" "${DOWN6[$n]:-0}"
	done
fi
if on scale; then
	echo
	echo "Flows at scale: $IDLE idle TCP flows held (connload), then $ACTIVE active wrk keep-alive"
	echo "connections on top for ${SSECS}s. CPU in % of one core; RSS in MiB."
	echo
	echo "| tool | idle flows held | opened/s | RSS before | RSS with idle flows | CPU idle flows | CPU +active | peak RSS | req/s active |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in $TOOLS; do
		[ -n "${SC_HELD[$n]:-}" ] || continue
		printf "| %s | %s | %s | %.1f | %.1f | %s | %s | %.1f | %.0f |\n" "$n" "${SC_HELD[$n]}" "${SC_OPEN[$n]}" \
			"$(ratio "${SC_RSS0[$n]:-0}" 1024)" "$(ratio "${SC_RSS[$n]:-0}" 1024)" \
			"${SC_ICPU[$n]}" "${SC_ACPU[$n]}" "$(ratio "${SC_HWM[$n]:-0}" 1024)" "${SC_REQ[$n]:-0}"
	done
fi
if on slow; then
	echo
	echo "Slow guest, host→ns iperf3 -R ${SECS}s at mtu 1500 through ${SLOW_MBIT} Mbit/s: vmwire-stream"
	echo "through a stream port read at that rate (rate_relay.py), the others through tbf on an ifb"
	echo "at the namespace's ingress. Resent: wire payload / delivered - 1; dups: D-SACKs the"
	echo "namespace sent per segment; drops: the stream port's tx_drops (vmwire-stream) or tbf's."
	echo
	echo "| tool | goodput (Mbit/s) | resent/segment | dups/segment | drops | engine resends/segment |"
	echo "|---|---:|---:|---:|---:|---:|"
	for n in $SLOW_TOOLS; do
		printf "| %s | %.0f | %.3f | %.4f | %s | %s |\n" "$n" "${SL_GP[$n]:-0}" "${SL_RS[$n]:-0}" \
			"${SL_DUP[$n]:-0}" "${SL_DROP[$n]:-0}" "${SL_ENG[$n]:-n/a}"
	done
fi
if [[ " $TOOLS " == *" vmwire "* ]]; then
	echo
	echo
	echo "vmwire-bp's columns: vmwire run --busy-poll=$BP's latency to each peer's."
	echo
	echo "| vmwire / peer | ns→host | host→ns | p50 | p99 | p50 pinned | p99 pinned | vmwire-bp p50 | vmwire-bp p50 pinned | c1 | c16 | c256 | c16 client closes | v6 ns→host | v6 host→ns | slow goodput |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in $TOOLS; do
		[ "$n" = vmwire ] && continue
		echo "| $n | $(ratio "${UP[vmwire]:-}" "${UP[$n]:-0}") | $(ratio "${DOWN[vmwire]:-}" "${DOWN[$n]:-0}")" \
			"| $(ratio "${LAT[vmwire]:-}" "${LAT[$n]:-0}") | $(ratio "${P99[vmwire]:-}" "${P99[$n]:-0}")" \
			"| $(ratio "${LATP[vmwire]:-}" "${LATP[$n]:-0}") | $(ratio "${P99P[vmwire]:-}" "${P99P[$n]:-0}")" \
			"| $(ratio "${LAT[vmwire-bp]:-}" "${LAT[$n]:-0}") | $(ratio "${LATP[vmwire-bp]:-}" "${LATP[$n]:-0}")" \
			"| $(ratio "${C1[vmwire]:-}" "${C1[$n]:-0}") | $(ratio "${C16[vmwire]:-}" "${C16[$n]:-0}")" \
			"| $(ratio "${C256[vmwire]:-}" "${C256[$n]:-0}") | $(ratio "${CC16[vmwire]:-}" "${CC16[$n]:-0}")" \
			"| $(ratio "${UP6[vmwire]:-}" "${UP6[$n]:-0}") | $(ratio "${DOWN6[vmwire]:-}" "${DOWN6[$n]:-0}")" \
			"| $(ratio "${SL_GP[vmwire-stream]:-}" "${SL_GP[$n]:-0}") |"
	done
fi
echo
echo "Targets (issue 15): throughput both ways >= 2x pasta; latency p50 <= 0.8x pasta;"
echo "c16 >= 3x pasta and >= 0.3x veth; slow guest (vmwire-stream): resends <= 1.5x the"
echo "segments, 0 stream tx_drops; no 0 bit/s interval."
