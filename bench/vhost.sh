#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vhost.sh - packets per second through vmwire's switch between two
# vhost-user ports, against DPDK's own vhost backend (the limit), in one
# run (issue 10, item 7).
#
#   vmwire:  testpmd "fe" port 0 (virtio-user) <-> vmwire vhost-user v0
#            <-> switch <-> vhost-user v1 <-> testpmd "fe" port 1
#   dpdk:    testpmd "fe" port 0 <-> net_vhost0 [testpmd "mid", io
#            forwarding] net_vhost1 <-> testpmd "fe" port 1
#
# "fe" starts with txonly bursts (start tx_first: 8 bursts of 32 frames
# out of each port), then forwards what it receives back out of the other
# port (io), so a constant population of frames circles through the
# middle both ways; the rate at which fe receives is the rate at which
# the middle (vmwire or DPDK vhost) moves frames. Frames of 64 B
# (small-packet rate), 1500 B (an MTU-sized TCP segment) and 9000 B
# (multi-segment jumbo frames: the closest txonly gets to a train of large
# TCP segments) for SECONDS each, REPS times; the table shows the median
# rate (Mpps and Gbit/s of frame bytes) and vmwire's ratio to DPDK. Target:
# >= 0.5x DPDK's pps.
#
# Why a loop and not testpmd txonly -> a second testpmd rxonly: that is
# three busy-polling processes on this machine's two cores, and a poller
# sharing a core is descheduled for a whole time slice while its 256-entry
# ring overflows: measured here, DPDK's own vhost then moves 10-30 kpps,
# a number about the scheduler, not about the backend.
#
# Cores (2): fe's main lcore (idle at its prompt) on CPU 0 and its
# forwarding lcore on CPU 1; the middle on CPU 0 (vmwire pinned with
# taskset, mid's forwarding lcore with --lcores 1@0). Both setups get the
# same split.
#
# Usage: bench/vhost.sh [-t SECONDS] [-r REPS]   (as root)
set -u
. "$(dirname "$0")/../tests/lib/common.sh"
. "$(dirname "$0")/../tests/lib/testpmd.sh"

SECS=5 REPS=3
while getopts t:r: o; do
	case $o in
	t) SECS=$OPTARG ;; r) REPS=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-r REPS]" >&2; exit 2 ;;
	esac
done

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs dpdk-dev util-linux
vw_tmpdir
[ -x "$VMWIRE" ] || vw_fail vhost "$VMWIRE not built (run make)"
T=$VW_TMP
SIZES="64 1500 9000"
declare -A PPS GBPS

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
now() { date +%s.%N; }

# txpkts SIZE: testpmd segment lengths for a SIZE-byte frame (2 KiB mbufs).
txpkts() {
	local left=$1 out=
	while [ "$left" -gt 2000 ]; do
		out=$out${out:+,}2000
		left=$((left - 2000))
	done
	echo "$out${out:+,}$left"
}

# frontend SOCK0 SOCK1: the virtio-user testpmd on both ports.
frontend() {
	tp_start fe --lcores=0@0,1@1 -m 512 \
		--vdev "net_virtio_user0,path=$1,queues=1,mac=02:00:00:00:00:01" \
		--vdev "net_virtio_user1,path=$2,queues=1,mac=02:00:00:00:00:02" \
		-- --total-num-mbufs=16384 --forward-mode=io --max-pkt-len=9018 --enable-scatter \
		--eth-peer=0,02:00:00:00:00:02 --eth-peer=1,02:00:00:00:00:01 --tx-offloads=0x8000
}

# rxsum: packets and bytes fe received on both ports.
rxsum() {
	local a b
	a=($(tp_stats fe 0)) && b=($(tp_stats fe 1)) || return 1
	echo $((a[0] + b[0])) $((a[1] + b[1]))
}

# measure NAME: REPS runs of each size; rate at fe between two reads.
measure() {
	local name=$1 size i s0 s1 t0 t1 pps gbps
	for size in $SIZES; do
		: >"$T/$name.$size.pps"
		: >"$T/$name.$size.gbps"
		tp_cmd fe "set txpkts $(txpkts "$size")"
		for ((i = 1; i <= REPS; i++)); do
			tp_cmd fe "start tx_first 8"
			sleep 1 # past the first bursts
			s0=($(rxsum)) || vw_fail vhost "$name: fe stats"
			t0=$(now)
			sleep "$SECS"
			s1=($(rxsum)) || vw_fail vhost "$name: fe stats"
			t1=$(now)
			tp_cmd fe stop
			[ "$((s1[0] - s0[0]))" -gt 0 ] || vw_fail vhost "$name: nothing moved with $size B frames"
			read -r pps gbps < <(awk -v p="$((s1[0] - s0[0]))" -v b="$((s1[1] - s0[1]))" \
				-v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
				'BEGIN { printf "%.3f %.2f\n", p / t / 1e6, b * 8 / t / 1e9 }')
			echo "$pps" >>"$T/$name.$size.pps"
			echo "$gbps" >>"$T/$name.$size.gbps"
			printf "  %s %5s B run %d/%d: %s Mpps, %s Gbit/s\n" "$name" "$size" "$i" "$REPS" "$pps" "$gbps"
			sleep 1 # the stopped loop drains
		done
		PPS[$name.$size]=$(median <"$T/$name.$size.pps")
		GBPS[$name.$size]=$(median <"$T/$name.$size.gbps")
	done
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# (a) vmwire on CPU 0.
vw_start vmwire -netdev "vhost-user,id=v0,path=$T/v0.sock,mtu=9000" \
	-netdev "vhost-user,id=v1,path=$T/v1.sock,mtu=9000"
taskset -a -p -c 0 "${VW_PID[vmwire]}" >/dev/null
echo "vmwire (pid ${VW_PID[vmwire]}, CPU 0)"
frontend "$T/v0.sock" "$T/v1.sock"
measure vmwire
tp_stop fe
vw_stop vmwire

# (b) DPDK's vhost backend: testpmd "mid" forwarding on CPU 0.
tp_start mid --lcores=0@0,1@0 -m 1024 \
	--vdev "net_vhost0,iface=$T/a.sock" --vdev "net_vhost1,iface=$T/b.sock" \
	-- --total-num-mbufs=32768 --forward-mode=io
echo "dpdk vhost (testpmd io forwarding, CPU 0)"
tp_cmd mid start
frontend "$T/a.sock" "$T/b.sock"
measure dpdk
tp_stop fe
tp_stop mid

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Median of $REPS runs of ${SECS}s: frames through the middle per second, both ways together"
echo
echo "| frame | vmwire Mpps | vmwire Gbit/s | DPDK vhost Mpps | DPDK vhost Gbit/s | vmwire / DPDK |"
echo "|---:|---:|---:|---:|---:|---:|"
for s in $SIZES; do
	printf "| %s B | %s | %s | %s | %s | %s |\n" "$s" "${PPS[vmwire.$s]}" "${GBPS[vmwire.$s]}" \
		"${PPS[dpdk.$s]}" "${GBPS[dpdk.$s]}" "$(ratio "${PPS[vmwire.$s]}" "${PPS[dpdk.$s]}")"
done
echo
echo "Target: vmwire >= 0.5x DPDK vhost pps."
exit 0
