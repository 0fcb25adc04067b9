#!/bin/bash
# SPDX-License-Identifier: MIT
#
# overlay.sh - VXLAN between two namespaces, three ways: kernel <-> kernel
# (Linux's vxlan on both ends: the limit), vmwire <-> kernel (vmwire's VTEP
# with a TAP into one namespace, the kernel's vxlan in the other) and
# vmwire <-> vmwire (one daemon per "host", each with its TAP).
#
# Every "host" is a namespace with a veth to one bridge (the underlay,
# 10.99.0.0/24, MTU 1500); the inner network is 10.50.0.0/24 on VNI 42,
# MTU 1450 everywhere. Checksum offload is off on the underlay veths for
# all three (a veth leaves checksums to fill that a real NIC would fill,
# and vmwire reads the packets as a socket would: see vxlan_kernel.sh),
# so the kernel limit is measured under the same rule.
#
# Per path: iperf3 TCP throughput (A -> B) and sockperf UDP ping-pong
# latency (p50), or ping -i 0.01 statistics if sockperf is missing;
# medians of REPS runs and vmwire's ratios to the kernel, in one run.
#
# Knobs: -t SECONDS iperf3 (5), -r REPS (3), -l SECONDS sockperf (3).
set -u
. "$(dirname "$0")/../tests/lib/common.sh"

SECS=5 REPS=3 LSECS=3
while getopts t:r:l: o; do
	case $o in
	t) SECS=$OPTARG ;; r) REPS=$OPTARG ;; l) LSECS=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-r REPS] [-l LATENCY_SECONDS]" >&2; exit 2 ;;
	esac
done

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping iperf3 ethtool python3
vw_tmpdir
[ -x "$VMWIRE" ] || vw_fail overlay "$VMWIRE not built (run make)"
SOCKPERF=$(command -v sockperf || true)

B=10.50.0.2
declare -A TPUT LAT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# latency NS: one p50 figure in microseconds towards B
latency() {
	if [ -n "$SOCKPERF" ]; then
		ip netns exec "$1" sockperf pp -i $B -p 11111 -t "$LSECS" 2>&1 |
			sed 's/\x1b\[[0-9;]*m//g' | awk '/percentile 50.000 =/ { print $NF }'
	else
		# ping reports the round trip: half of it, median of the samples
		ip netns exec "$1" ping -q -c $((LSECS * 100)) -i 0.01 -W 1 $B 2>/dev/null >/dev/null
		ip netns exec "$1" ping -c $((LSECS * 100)) -i 0.01 -W 1 $B 2>/dev/null |
			sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | median | awk '{ print $1 * 1000 / 2 }'
	fi
}

measure() {
	local name=$1 n1=$2 n2=$3 i spid ppid= out lat
	vw_wait_for -t 20 ip netns exec "$n1" ping -q -c 1 -W 1 $B >/dev/null ||
		vw_fail overlay "$name: no connectivity"
	ip netns exec "$n2" iperf3 -s -B $B >/dev/null 2>&1 &
	spid=$!
	if [ -n "$SOCKPERF" ]; then
		ip netns exec "$n2" sockperf sr -i $B -p 11111 >/dev/null 2>&1 &
		ppid=$!
	fi
	vw_wait_for ip netns exec "$n2" sh -c 'ss -ltn | grep -q ":5201 "' ||
		vw_fail overlay "$name: iperf3 server did not start"
	sleep 0.5
	: >"$VW_TMP/$name.tput"
	: >"$VW_TMP/$name.lat"
	for ((i = 0; i < REPS; i++)); do
		out=$(ip netns exec "$n1" iperf3 -c $B -t "$SECS" -J 2>/dev/null |
			/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9)') ||
			vw_fail overlay "$name: iperf3 run $i failed"
		echo "$out" >>"$VW_TMP/$name.tput"
		lat=$(latency "$n1")
		[ -n "$lat" ] || vw_fail overlay "$name: latency run $i failed"
		echo "$lat" >>"$VW_TMP/$name.lat"
		printf "  %s run %d/%d: %.2f Gbit/s, p50 %s us\n" "$name" $((i + 1)) "$REPS" "$out" "$lat"
	done
	kill $spid $ppid 2>/dev/null
	wait $spid $ppid 2>/dev/null
	TPUT[$name]=$(median <"$VW_TMP/$name.tput")
	LAT[$name]=$(median <"$VW_TMP/$name.lat")
}

# ---- the underlay: hosts u1 (10.99.0.1) and u2 (10.99.0.2) on br0 ----------
ip link add br0 type bridge && ip link set br0 up || vw_fail overlay "bridge"
vw_netns_add u1
vw_netns_add u2
U1=$(vw_ns u1)
U2=$(vw_ns u2)
n=1
for ns in "$U1" "$U2"; do
	ip link add vu$n type veth peer name eth0 netns "$ns" && ip link set vu$n master br0 up &&
		ip -n "$ns" addr add 10.99.0.$n/24 dev eth0 && ip -n "$ns" link set eth0 up ||
		vw_fail overlay "veth to $ns"
	ethtool -K vu$n tx off >/dev/null
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
	n=$((n + 1))
done

# kvx NS LOCAL REMOTE INNER: the kernel's VTEP in NS
kvx() {
	ip -n "$1" link add vx0 type vxlan id 42 dstport 4789 local "$2" remote "$3" dev eth0 &&
		ip -n "$1" link set vx0 mtu 1450 && ip -n "$1" addr add "$4"/24 dev vx0 &&
		ip -n "$1" link set vx0 up || vw_fail overlay "kernel vxlan in $1"
}
# vwx NAME NS LOCAL REMOTE INNER_NS INNER: a vmwire VTEP in NS (the host),
# its TAP in INNER_NS (a VM's place) with INNER
vwx() {
	ip netns exec "$2" "$VMWIRE" -netdev vxlan,id=vx,vni=42,local="$3",remote="$4" \
		-netdev tap,id=t,ifname=vwt,netns="$5",mtu=1450 >"$VW_TMP/$1.log" 2>&1 &
	vw_on_exit "kill $! 2>/dev/null; true"
	eval "PID_$1=$!"
	vw_wait_for grep -q "$VW_READY_LINE" "$VW_TMP/$1.log" ||
		vw_fail overlay "$1 did not start: $(cat "$VW_TMP/$1.log")"
	ip -n "$5" addr add "$6"/24 dev vwt && ip -n "$5" link set vwt up ||
		vw_fail overlay "$1: address"
}
stop() { # PID: SIGTERM and wait
	kill "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
}

echo "kernel <-> kernel"
kvx "$U1" 10.99.0.1 10.99.0.2 10.50.0.1
kvx "$U2" 10.99.0.2 10.99.0.1 $B
measure kernel "$U1" "$U2"
ip -n "$U1" link del vx0

echo "vmwire <-> kernel"
vw_netns_add h1
H1=$(vw_ns h1)
vwx vw1 "$U1" 10.99.0.1 10.99.0.2 "$H1" 10.50.0.1
measure vmwire_kernel "$H1" "$U2"
ip -n "$U2" link del vx0

echo "vmwire <-> vmwire"
vw_netns_add h2
H2=$(vw_ns h2)
vwx vw2 "$U2" 10.99.0.2 10.99.0.1 "$H2" $B
measure vmwire_vmwire "$H1" "$H2"
stop "$PID_vw1"
stop "$PID_vw2"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "Median of $REPS runs: iperf3 TCP ${SECS}s A -> B, $([ -n "$SOCKPERF" ] &&
	echo "sockperf UDP ping-pong ${LSECS}s (p50 one-way latency)" ||
	echo "ping -i 0.01 (half the median round trip)"); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| path | throughput (Gbit/s) | latency p50 (us) |"
echo "|---|---:|---:|"
for n in kernel vmwire_kernel vmwire_vmwire; do
	printf "| %s | %.2f | %.2f |\n" "$n" "${TPUT[$n]}" "${LAT[$n]}"
done
echo
echo "| ratio | throughput | latency |"
echo "|---|---:|---:|"
for n in vmwire_kernel vmwire_vmwire; do
	echo "| $n / kernel | $(ratio "${TPUT[$n]}" "${TPUT[kernel]}") | $(ratio "${LAT[$n]}" "${LAT[kernel]}") |"
done
exit 0
