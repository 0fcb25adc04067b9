# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2004,SC2034 # nat.sh's variables and associative arrays
#
# nat_slow.sh - bench/nat.sh's "slow" section (sourced): a guest slower than
# the gateway, host -> guest, at mtu 1500 (a QEMU guest's default).
#
# Theory of operation: two bottlenecks of SLOW_MBIT (500) Mbit/s.
#
#  vmwire-stream (the case the TCP engine's congestion control is for): a
#    vmwire gateway with -netdev user and a -netdev stream server; a second
#    vmwire joins that stream port through bench/rate_relay.py, which
#    reads the gateway's socket no faster than SLOW_MBIT (a guest whose
#    receive ring is full), and puts the frames on a TAP in a namespace
#    where iperf3 -R runs. The gateway's port ring fills; what it cannot
#    take is dropped and counted (the stream port's tx_drops) unless the
#    engine waits for its room. The engine's own resends (sack_rtx +
#    retransmits) come from info usernet on its monitor.
#  vmwire, pasta, slirp4netns, veth: each tool's namespace (mtu 1500) with
#    the same shaping on the namespace side: the interface's ingress
#    redirected to an ifb whose tbf qdisc (rate SLOW_MBIT, a SLOW_QKB queue:
#    384 KiB, a 256-entry virtio ring of full frames) drops what overflows.
#    This kernel has no netem and no police action, but it has tbf and ifb.
#
# Resent data, the same measure for every row: payload bytes that reached
# the namespace's interface (the interface's rx bytes less a header per
# frame: 1514 - MSS, so a GSO frame from veth counts its header once), plus
# MSS bytes per frame the stream port dropped, over the bytes iperf3
# delivered, less 1: 0.10 means one segment in ten was sent twice. Dups:
# duplicate segments the namespace's kernel received (nstat
# TcpExtTCPDSACKOldSent + TCPDSACKOfoSent), per delivered segment. The
# namespace's own TcpRetransSegs would count nothing here: it is the
# receiver. The measure's floor is a percent or two (iperf3's received
# bytes leave out the last in-flight data; a few frames are not data): the
# veth row, a kernel sender that lost nothing, shows it. Results go into the
# SL_* arrays of nat.sh.

# rx bytes and packets of interface $1 in the tool's namespace
if_rx() { nsx cat /proc/net/dev | awk -v i="$1:" '$1 == i { print $2, $3 }'; }

# duplicate segments the namespace's kernel received (D-SACKs it sent)
ns_dups() {
	nsx nstat -asz TcpExtTCPDSACKOldSent TcpExtTCPDSACKOfoSent 2>/dev/null |
		awk '/^TcpExt/ { s += $2 } END { print s + 0 }'
}

# the slow gateway's monitor: the stream port's tx drops, and engine resends
slow_tx_drops() {
	"$VMWIRE" ctl "$VW_TMP/slow-mon.sock" info network 2>/dev/null | awk '
		/\\ / { gw = ($2 == "gw:") } !gw && /tx [0-9]+ frames/ {
			for (i = 1; i < NF; i++) if ($i == "tx") d += $(i + 5) } END { print d + 0 }'
}
slow_engine() {
	"$VMWIRE" ctl "$VW_TMP/slow-mon.sock" info usernet 2>/dev/null | tr ',\n' '  ' | awk '{
		for (i = 1; i < NF; i++) if ($i == "sack_rtx" || $i == "retransmits") s += $(i + 1)
		print s + 0 }'
}

slow_shape() {
	nsx ip link add ifbslow type ifb || vw_fail "$T" "slow: no ifb in the namespace"
	nsx ip link set ifbslow up
	nsx tc qdisc add dev ifbslow root tbf rate "${SLOW_MBIT}mbit" burst 64kb limit "${SLOW_QKB}kb" ||
		vw_fail "$T" "slow: tbf failed"
	nsx tc qdisc add dev "$NSIF" handle ffff: ingress
	nsx tc filter add dev "$NSIF" parent ffff: protocol all u32 match u32 0 0 \
		action mirred egress redirect dev ifbslow || vw_fail "$T" "slow: mirred failed"
}

shaper_drops() {
	nsx tc -s qdisc show dev ifbslow | awk '/dropped/ { sub(",", "", $7); print $7 + 0; exit }'
}

setup_slow_stream() {
	local ns
	vw_start slowgw -netdev user,id=gw \
		-netdev stream,id=s,server=on,addr.type=unix,addr.path="$VW_TMP/slowgw.sock" \
		-monitor "unix:$VW_TMP/slow-mon.sock,server=on,wait=off"
	$PY "$BENCH/rate_relay.py" "$VW_TMP/relay.sock" "$VW_TMP/slowgw.sock" "$SLOW_MBIT" \
		>"$VW_TMP/relay.log" 2>&1 &
	RELAYPID=$!
	vw_on_exit "kill $RELAYPID 2>/dev/null; true"
	vw_wait_for grep -q listening "$VW_TMP/relay.log" || vw_fail "$T" "slow: the relay did not start"
	vw_netns_add slow-vs
	ns=$(vw_ns slow-vs)
	vw_start slowpeer -netdev stream,id=c,server=off,addr.type=unix,addr.path="$VW_TMP/relay.sock" \
		-netdev tap,id=t,ifname=vwslow,netns="$ns",mtu=1500
	NSX=(ip netns exec "$ns")
	nsx ip addr add 10.0.2.15/24 dev vwslow
	nsx ip link set vwslow up
	nsx ip route add default via 10.0.2.2
	vw_wait_for -t 10 nsx ping -c 1 -W 1 10.0.2.2 || vw_fail "$T" "slow: the guest does not reach 10.0.2.2"
	SRV=10.0.2.2 NSIF=vwslow GWPID=
}

slow_measure() {
	local name=$1 i v r0 r1 d0 d1 x0 x1 e0 e1 bytes mss
	: >"$VW_TMP/slow.gp"
	: >"$VW_TMP/slow.rs"
	: >"$VW_TMP/slow.dup"
	: >"$VW_TMP/slow.drop"
	: >"$VW_TMP/slow.eng"
	MTU=1500
	if [ "$name" = vmwire-stream ]; then
		setup_slow_stream
	else
		"setup_$name" "slow-$name"
		slow_shape
	fi
	for ((i = 0; i < REPS; i++)); do
		r0=$(if_rx "$NSIF") d0=$(ns_dups) x0=0 e0=0
		if [ "$name" = vmwire-stream ]; then
			x0=$(slow_tx_drops) e0=$(slow_engine)
		else
			x0=$(shaper_drops)
		fi
		v=$(iperf "slow-$name" -t "$SECS" -R)
		r1=$(if_rx "$NSIF") d1=$(ns_dups) x1=0 e1=0
		if [ "$name" = vmwire-stream ]; then
			x1=$(slow_tx_drops) e1=$(slow_engine)
		else
			x1=$(shaper_drops)
		fi
		read -r bytes mss _ <"$VW_TMP/slow-$name.bytes"
		# the stream port's drops are frames the guest never saw: MSS each
		awk -v v="$v" -v r0="$r0" -v r1="$r1" -v d="$((d1 - d0))" -v x="$((x1 - x0))" \
			-v e="$((e1 - e0))" -v b="$bytes" -v m="$mss" -v s="$name" -v f="$VW_TMP/slow" -v i=$((i + 1)) '
			BEGIN {
				split(r0, a, " "); split(r1, c, " ")
				if (b <= 0 || m <= 0) { b = 1; m = 1448 }
				segs = b / m
				wire = (c[1] - a[1]) - (c[2] - a[2]) * (1514 - m)
				if (s == "vmwire-stream") wire += x * m
				rs = wire / b - 1; if (rs < 0) rs = 0
				printf "%.1f\n", v * 1000 >> (f ".gp")
				printf "%.4f\n", rs >> (f ".rs")
				printf "%.4f\n", d / segs >> (f ".dup")
				print x >> (f ".drop")
				if (s == "vmwire-stream") printf "%.4f\n", e / segs >> (f ".eng")
				printf "  %s %d: %.0f Mbit/s, resent %.3f/segment, dups %.4f/segment, %s drops%s\n",
					s, i, v * 1000, rs, d / segs, x,
					s == "vmwire-stream" ? sprintf(", engine resends %.3f/segment", e / segs) : ""
			}'
	done
	SL_GP[$name]=$(median <"$VW_TMP/slow.gp")
	SL_RS[$name]=$(median <"$VW_TMP/slow.rs")
	SL_DUP[$name]=$(median <"$VW_TMP/slow.dup")
	SL_DROP[$name]=$(median <"$VW_TMP/slow.drop")
	SL_ENG[$name]=$([ -s "$VW_TMP/slow.eng" ] && median <"$VW_TMP/slow.eng" || echo n/a)
	if [ "$name" = vmwire-stream ]; then
		vw_stop slowpeer
		vw_stop slowgw
		kill "$RELAYPID" 2>/dev/null
		wait "$RELAYPID" 2>/dev/null
		vw__netns_del "$(vw_ns slow-vs)"
	else
		teardown "slow-$name"
	fi
}
