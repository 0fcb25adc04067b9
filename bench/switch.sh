#!/bin/bash
# SPDX-License-Identifier: MIT
#
# switch.sh - throughput and latency between two network namespaces through
# (a) vmwire's switch with two TAP ports, offloads on (the default: 64 KiB
# TSO frames cross in one read and one write), (a') the same with
# offload=off (1500-byte frames one by one, what vde_switch does), (b)
# vde_switch with two TAP ports, (c) a kernel bridge with two veth pairs
# (the ceiling: no user space copy, offloads on), and (d) the same bridge
# with TSO/GSO/GRO and checksum offloads off, the fair ceiling for a switch
# moving wire-sized frames.
#
# Then the three ways into vmwire side by side: 1500-byte frames sent as
# fast as the sender can into (s) a stream port (python writing QEMU-framed
# frames in 12 MB sendall()s), (v) a vhost-user port (dpdk-testpmd virtio-user,
# txonly) and (t) a TAP port (iperf3 UDP from a namespace), each forwarded
# by the switch to a TAP in another namespace, whose receive counters give
# the rate (frames and Gbit/s per second, medians of REPS runs of SECONDS).
#
# Usage: bench/switch.sh [-t SECONDS] [-r REPS] [-l LATENCY_SECONDS] [-a]
# (-a: only the attachment table)
# iperf3 TCP (one stream, -t SECONDS) and sockperf UDP ping-pong (-l
# SECONDS), REPS runs each; the table shows medians. Everything runs in
# namespaces under a private one: nothing touches the host's network.
set -u
. "$(dirname "$0")/../tests/lib/common.sh"
. "$(dirname "$0")/../tests/lib/testpmd.sh"

SECS=10 REPS=3 LSECS=5 ONLY_ATTACH=
while getopts t:r:l:a o; do
	case $o in
	t) SECS=$OPTARG ;; r) REPS=$OPTARG ;; l) LSECS=$OPTARG ;; a) ONLY_ATTACH=1 ;;
	*) echo "usage: $0 [-t SECONDS] [-r REPS] [-l LATENCY_SECONDS] [-a]" >&2; exit 2 ;;
	esac
done

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping iperf3 sockperf vde2 ethtool dpdk-dev python3
vw_tmpdir
[ -x "$VMWIRE" ] || vw_fail switch "$VMWIRE not built (run make)"

A=10.70.0.1 B=10.70.0.2
declare -A TPUT LAT ARATE AGBPS

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# measure NAME NS1 NS2: iperf3 from NS1 to NS2, sockperf NS1 <-> NS2.
measure() {
	local name=$1 n1=$2 n2=$3 i spid ppid out
	ip netns exec "$n1" ping -q -c 2 -W 2 $B >/dev/null ||
		vw_fail switch "$name: no connectivity"
	ip netns exec "$n2" iperf3 -s -B $B >/dev/null 2>&1 &
	spid=$!
	ip netns exec "$n2" sockperf sr -i $B -p 11111 >/dev/null 2>&1 &
	ppid=$!
	vw_wait_for ip netns exec "$n2" sh -c 'ss -ltn | grep -q ":5201 "' ||
		vw_fail switch "$name: iperf3 server did not start"
	sleep 0.5
	: >"$VW_TMP/$name.tput"
	: >"$VW_TMP/$name.lat"
	for ((i = 0; i < REPS; i++)); do
		out=$(ip netns exec "$n1" iperf3 -c $B -t "$SECS" -J 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9)') ||
			vw_fail switch "$name: iperf3 run $i failed"
		echo "$out" >>"$VW_TMP/$name.tput"
		out=$(ip netns exec "$n1" sockperf pp -i $B -p 11111 -t "$LSECS" 2>&1 |
			sed 's/\x1b\[[0-9;]*m//g' | awk '/percentile 50.000 =/ { print $NF }')
		[ -n "$out" ] || vw_fail switch "$name: sockperf run $i failed"
		echo "$out" >>"$VW_TMP/$name.lat"
		printf "  %s run %d/%d: %.2f Gbit/s, p50 %s us\n" "$name" $((i + 1)) "$REPS" \
			"$(tail -n1 "$VW_TMP/$name.tput")" "$out"
	done
	kill $spid $ppid 2>/dev/null
	wait $spid $ppid 2>/dev/null
	TPUT[$name]=$(median <"$VW_TMP/$name.tput")
	LAT[$name]=$(median <"$VW_TMP/$name.lat")
}

addr() {
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" up
}

# --- attachments: stream, vhost-user, TAP into a TAP ---------------------
# rate NAME: REPS windows of SECS seconds of vw2's receive counters in
# namespace ab while the sender runs (started by the caller).
rate() {
	local name=$1 i p0 b0 p1 b1 t0 t1 out st=/sys/class/net/vw2/statistics
	: >"$VW_TMP/$name.arate"
	: >"$VW_TMP/$name.agbps"
	sleep 1
	for ((i = 0; i < REPS; i++)); do
		read -r p0 b0 t0 < <(ip netns exec "$(vw_ns ab)" sh -c "cat $st/rx_packets $st/rx_bytes | tr '\\n' ' '; date +%s.%N")
		sleep "$SECS"
		read -r p1 b1 t1 < <(ip netns exec "$(vw_ns ab)" sh -c "cat $st/rx_packets $st/rx_bytes | tr '\\n' ' '; date +%s.%N")
		[ "$p1" -gt "$p0" ] || vw_fail switch "$name: no frame reached the TAP"
		out=$(awk -v p=$((p1 - p0)) -v b=$((b1 - b0)) -v t0="$t0" -v t1="$t1" \
			'BEGIN { printf "%.3f %.2f", p / (t1 - t0) / 1e6, b * 8 / (t1 - t0) / 1e9 }')
		echo "${out% *}" >>"$VW_TMP/$name.arate"
		echo "${out#* }" >>"$VW_TMP/$name.agbps"
		printf "  %s run %d/%d: %s Mpps, %s Gbit/s\n" "$name" $((i + 1)) "$REPS" ${out% *} ${out#* }
	done
	ARATE[$name]=$(median <"$VW_TMP/$name.arate")
	AGBPS[$name]=$(median <"$VW_TMP/$name.agbps")
}

vw_netns_add aa
vw_netns_add ab
# 1500-byte frames to a MAC nobody has (flooded to the one other port),
# ethertype 0x88b5 (local experimental): the TAP counts them, the
# namespace's stack drops them.
vw_start attach_stream -netdev "stream,id=s,server=on,addr.type=unix,addr.path=$VW_TMP/s.sock" \
	-netdev tap,id=p2,ifname=vw2,netns="$(vw_ns ab)"
ip -n "$(vw_ns ab)" link set vw2 up
# One sendall of 8192 QEMU-framed frames at a time: the copy is the
# kernel's, python only loops.
python3 -c '
import socket, struct, sys
f = bytes.fromhex("020000000099" "020000000051") + b"\x88\xb5" + bytes(1486)
buf = (struct.pack(">I", len(f)) + f) * 8192
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
while True:
    s.sendall(buf)' "$VW_TMP/s.sock" 2>/dev/null &
SPID=$!
echo "stream -> vmwire -> TAP"
rate stream
kill $SPID 2>/dev/null
wait $SPID 2>/dev/null
vw_stop attach_stream

vw_start attach_vhost -netdev "vhost-user,id=v0,path=$VW_TMP/v0.sock" \
	-netdev tap,id=p2,ifname=vw2,netns="$(vw_ns ab)"
ip -n "$(vw_ns ab)" link set vw2 up
tp_start tx -l 0-1 -m 512 --vdev "net_virtio_user0,path=$VW_TMP/v0.sock,queues=1,mac=02:00:00:00:00:51" \
	-- --total-num-mbufs=8192 --forward-mode=txonly --eth-peer=0,02:00:00:00:00:99
tp_cmd tx "set txpkts 1500"
tp_cmd tx start
echo "vhost-user (testpmd txonly) -> vmwire -> TAP"
rate vhost_user
tp_stop tx
vw_stop attach_vhost

vw_start attach_tap -netdev tap,id=p1,ifname=vw1,netns="$(vw_ns aa)" \
	-netdev tap,id=p2,ifname=vw2,netns="$(vw_ns ab)"
addr "$(vw_ns aa)" vw1 $A
addr "$(vw_ns ab)" vw2 $B
ip netns exec "$(vw_ns aa)" ping -q -c 2 -W 2 $B >/dev/null || vw_fail switch "tap: no connectivity"
ip netns exec "$(vw_ns ab)" iperf3 -s -B $B >/dev/null 2>&1 &
IPID=$!
vw_wait_for ip netns exec "$(vw_ns ab)" sh -c 'ss -ltn | grep -q ":5201 "' ||
	vw_fail switch "tap: iperf3 server did not start"
ip netns exec "$(vw_ns aa)" iperf3 -c $B -u -b 0 -l 1472 -t $((REPS * (SECS + 1) + 3)) >/dev/null 2>&1 &
CPID=$!
echo "TAP (iperf3 UDP) -> vmwire -> TAP"
rate tap
kill $CPID $IPID 2>/dev/null
wait $CPID $IPID 2>/dev/null
vw_stop attach_tap

attach_table() {
	echo
	echo "1500-byte frames into vmwire, out to a TAP: median of $REPS windows of ${SECS}s"
	echo
	echo "| attachment (sender) | Mpps | Gbit/s |"
	echo "|---|---:|---:|"
	printf "| stream (python sendall) | %s | %s |\n" "${ARATE[stream]}" "${AGBPS[stream]}"
	printf "| vhost-user (dpdk-testpmd txonly) | %s | %s |\n" "${ARATE[vhost_user]}" "${AGBPS[vhost_user]}"
	printf "| TAP (iperf3 -u) | %s | %s |\n" "${ARATE[tap]}" "${AGBPS[tap]}"
}
if [ -n "$ONLY_ATTACH" ]; then
	attach_table
	exit 0
fi

# (a) vmwire: it creates the TAPs inside the namespaces itself.
vw_netns_add va
vw_netns_add vb
vw_start vmwire -netdev tap,id=p1,ifname=vw1,netns="$(vw_ns va)" \
	-netdev tap,id=p2,ifname=vw2,netns="$(vw_ns vb)"
addr "$(vw_ns va)" vw1 $A
addr "$(vw_ns vb)" vw2 $B
echo "vmwire (pid ${VW_PID[vmwire]})"
measure vmwire "$(vw_ns va)" "$(vw_ns vb)"
vw_stop vmwire

vw_start vmwire_nooffload -netdev tap,id=p1,ifname=vw1,netns="$(vw_ns va)",offload=off \
	-netdev tap,id=p2,ifname=vw2,netns="$(vw_ns vb)",offload=off
addr "$(vw_ns va)" vw1 $A
addr "$(vw_ns vb)" vw2 $B
echo "vmwire offload=off (pid ${VW_PID[vmwire_nooffload]})"
measure vmwire_nooffload "$(vw_ns va)" "$(vw_ns vb)"
vw_stop vmwire_nooffload

# (b) vde_switch opens TAPs by name in its own namespace; TAP fds stay
# attached when the interface moves, so make them here, then move them.
vw_netns_add da
vw_netns_add db
ip tuntap add dev vde1 mode tap
ip tuntap add dev vde2 mode tap
vde_switch -s "$VW_TMP/vde.ctl" -t vde1 -t vde2 -d -p "$VW_TMP/vde.pid" </dev/null \
	>"$VW_TMP/vde.log" 2>&1 || vw_fail switch "vde_switch did not start"
vw_wait_for test -s "$VW_TMP/vde.pid" || vw_fail switch "vde_switch wrote no pidfile"
VDE_PID=$(cat "$VW_TMP/vde.pid")
vw_on_exit "kill $VDE_PID 2>/dev/null; true"
ip link set vde1 netns "$(vw_ns da)"
ip link set vde2 netns "$(vw_ns db)"
addr "$(vw_ns da)" vde1 $A
addr "$(vw_ns db)" vde2 $B
echo "vde_switch (pid $VDE_PID)"
measure vde_switch "$(vw_ns da)" "$(vw_ns db)"
kill "$VDE_PID"

# (c, d) kernel bridge over veth pairs, offloads on, then off.
vw_netns_add ba
vw_netns_add bb
ip link add br0 type bridge
ip link set br0 up
ip link add bv1 type veth peer name e1 netns "$(vw_ns ba)"
ip link add bv2 type veth peer name e2 netns "$(vw_ns bb)"
for p in bv1 bv2; do
	ip link set $p master br0
	ip link set $p up
done
addr "$(vw_ns ba)" e1 $A
addr "$(vw_ns bb)" e2 $B
echo "bridge (veth, offloads on)"
measure bridge "$(vw_ns ba)" "$(vw_ns bb)"
for d in bv1 bv2; do ethtool -K $d tso off gso off gro off tx off rx off >/dev/null 2>&1; done
ip netns exec "$(vw_ns ba)" ethtool -K e1 tso off gso off gro off tx off rx off >/dev/null 2>&1
ip netns exec "$(vw_ns bb)" ethtool -K e2 tso off gso off gro off tx off rx off >/dev/null 2>&1
echo "bridge (veth, offloads off)"
measure bridge_nooffload "$(vw_ns ba)" "$(vw_ns bb)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "Median of $REPS runs: iperf3 TCP ${SECS}s, sockperf UDP ping-pong ${LSECS}s (p50 one-way latency)"
echo
echo "| path | throughput (Gbit/s) | latency p50 (us) |"
echo "|---|---:|---:|"
for n in vmwire vmwire_nooffload vde_switch bridge bridge_nooffload; do
	printf "| %s | %.2f | %.2f |\n" "$n" "${TPUT[$n]}" "${LAT[$n]}"
done
echo
echo "| ratio | throughput | latency |"
echo "|---|---:|---:|"
for n in vde_switch bridge bridge_nooffload; do
	echo "| vmwire / $n | $(ratio "${TPUT[vmwire]}" "${TPUT[$n]}") | $(ratio "${LAT[vmwire]}" "${LAT[$n]}") |"
done
for n in vde_switch bridge_nooffload; do
	echo "| vmwire offload=off / $n | $(ratio "${TPUT[vmwire_nooffload]}" "${TPUT[$n]}") | $(ratio "${LAT[vmwire_nooffload]}" "${LAT[$n]}") |"
done
echo
echo "Targets: throughput >= 2x vde_switch and >= 0.5x bridge; latency <= vde_switch."
attach_table
exit 0
