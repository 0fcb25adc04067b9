#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vhost_dpdk.sh - DPDK's virtio-user (dpdk-testpmd) as the frontend of
# vmwire's vhost-user ports (issue 10, item 6).
#
#  1. counted: one testpmd with two virtio-user ports on two vmwire
#     vhost-user ports sends exactly 128 frames out of each port (txonly
#     bursts, then rxonly), 64 B and then 1514 B; each port must receive
#     exactly what the other sent, and vmwire's counters in "info network"
#     must show the same frames and bytes each way;
#  2. reconnect + offloads: testpmd quits, a new one (csum forwarding,
#     TCP checksum and TSO to 1400 in hardware, i.e. in the virtio header)
#     connects to the same socket; a 6000-byte TCP frame sent from a
#     stream port comes back through testpmd as one TSO frame (vmwire's
#     counters: one frame of the whole size from the vhost-user port) and
#     reaches the stream port, which has no offloads, segmented with valid
#     checksums and the payload intact (vhost_dpdk.py); sent again towards
#     a TAP port (offloads on), it reaches the namespace behind it as one
#     6054-byte frame (tcpdump there);
#  3. the same counted exchange with packed_vq=1: on packed rings if vmwire
#     offers VIRTIO_F_RING_PACKED, else the frontend must fall back to split
#     rings and work (the PASS line says which, with the features).
#
# testpmd polls at 100% CPU while forwarding: every run is a bounded burst,
# and every testpmd is stopped before the next starts.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/testpmd.sh"
vw_require_root
vw_enter_private_netns "$@"
command -v dpdk-testpmd >/dev/null || vw_need_pkgs dpdk-dev
command -v tcpdump >/dev/null || vw_need_pkgs tcpdump
[ -x /usr/bin/python3 ] || vw_need_pkgs python3
T=$VW_TMP
MON=$T/mon.sock
M0=02:00:00:00:00:01 M1=02:00:00:00:00:02

vw_netns_add t
# No IPv6 in the TAP's namespace: its router solicitations would be
# flooded into the counted exchanges.
ip netns exec "$(vw_ns t)" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
vw_start vw -netdev "vhost-user,id=v0,path=$T/v0.sock,mtu=9000" \
	-netdev "tap,id=t,ifname=vwt0,netns=$(vw_ns t)" \
	-netdev "vhost-user,id=v1,path=$T/v1.sock" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$T/s.sock" \
	-monitor "unix:$MON,server=on,wait=off"

# counters ID: "RX_FRAMES RX_BYTES TX_FRAMES TX_BYTES" of vmwire's port ID,
# summed over its connections (ID or ID#N), from "info network".
counters() {
	"$VMWIRE" ctl "$MON" info network | awk -v id="$1" '
		want && $1 == "rx" { rf += $2; rb += $4; tf += $9; tb += $11 }
		{ want = 0 }
		$1 == "\\" && ($2 == id ":" || index($2, id "#") == 1) { want = 1 }
		END { printf "%.0f %.0f %.0f %.0f\n", rf, rb, tf, tb }'
}

# exchange TP SIZE BEFORE0 BEFORE1: each testpmd port sends 4 bursts of 32
# frames of SIZE bytes; BEFOREn are vmwire's counters of vN before.
exchange() {
	local tp=$1 size=$2 b0=($3) b1=($4) s0 s1 c0 c1 d0 d1 want
	tp_cmd "$tp" "set txpkts $size"
	tp_cmd "$tp" "set burst 32"
	tp_cmd "$tp" "start tx_first 4"
	tp_wait_rx "$tp" 0 128 30 && tp_wait_rx "$tp" 1 128 10 ||
		vw_fail "count $size" "testpmd did not receive 128 frames on each port: port 0 $(tp_stats "$tp" 0), port 1 $(tp_stats "$tp" 1)"
	sleep 1 # anything extra would arrive now
	tp_cmd "$tp" stop
	s0=$(tp_stats "$tp" 0) && s1=$(tp_stats "$tp" 1) || vw_fail "count $size" "testpmd stats"
	want="128 $((128 * size)) 128 $((128 * size))"
	[ "$s0" = "$want" ] || vw_fail "count $size" "testpmd port 0: rx/tx '$s0', want '$want'"
	[ "$s1" = "$want" ] || vw_fail "count $size" "testpmd port 1: rx/tx '$s1', want '$want'"
	c0=($(counters v0))
	c1=($(counters v1))
	want="128 $((128 * size)) 128 $((128 * size))"
	d0="$((c0[0] - b0[0])) $((c0[1] - b0[1])) $((c0[2] - b0[2])) $((c0[3] - b0[3]))"
	d1="$((c1[0] - b1[0])) $((c1[1] - b1[1])) $((c1[2] - b1[2])) $((c1[3] - b1[3]))"
	[ "$d0" = "$want" ] || vw_fail "count $size" "vmwire v0 rx/tx '$d0', want '$want'"
	[ "$d1" = "$want" ] || vw_fail "count $size" "vmwire v1 rx/tx '$d1', want '$want'"
}

# counted MODE VDEV_EXTRA: both sizes through one fresh testpmd.
counted() {
	local mode=$1 extra=$2 a b
	tp_start "c$mode" -l 0-1 -m 512 \
		--vdev "net_virtio_user0,path=$T/v0.sock,queues=1,mac=$M0$extra" \
		--vdev "net_virtio_user1,path=$T/v1.sock,queues=1,mac=$M1$extra" \
		-- --total-num-mbufs=8192 --forward-mode=rxonly \
		--eth-peer=0,$M1 --eth-peer=1,$M0
	# What was negotiated: vmwire lists the features on the port's line.
	local feat rings=split
	feat=$("$VMWIRE" ctl "$MON" info network | grep -m1 -E '^ *\\ v0[:#]' | grep -o 'features [^]]*]')
	case $feat in *packed*) rings=packed ;; esac
	if [ "$mode" = packed ] && [ $rings = split ]; then
		echo "note: vmwire does not offer VIRTIO_F_RING_PACKED ($feat): testpmd's packed_vq=1 falls back to split rings"
	fi
	# The ports count from zero for each size: clear testpmd's stats.
	for size in 64 1514; do
		tp_cmd "c$mode" "clear port stats all"
		a=$(counters v0) b=$(counters v1)
		exchange "c$mode" $size "$a" "$b"
		vw_pass "$mode frontend on $rings rings ($feat): 128 frames of $size B each way, counted by testpmd and vmwire"
	done
	tp_stop "c$mode"
}

counted split ""

# 2. A new testpmd on v0 alone (the old one is gone: vmwire must have reset
#    the device and accepted the reconnect), csum engine with TSO.
tp_start tso -l 0-1 -m 512 --vdev "net_virtio_user0,path=$T/v0.sock,queues=1,mac=$M0" \
	-- --total-num-mbufs=8192 --forward-mode=csum --max-pkt-len=9018 --enable-scatter \
	--tx-offloads=0x802c --eth-peer=0,02:00:00:00:00:aa
tp_cmd tso "port stop 0"
tp_cmd tso "csum set ip hw 0"
tp_cmd tso "csum set tcp hw 0"
tp_cmd tso "tso set 1400 0"
tp_cmd tso "port start 0"
tp_cmd tso start
grep -q 'TSO segment size for non-tunneled packets is 1400' "$T/tp-tso.log" ||
	vw_wait_for -t 10 grep -q 'TSO segment size for non-tunneled packets is 1400' "$T/tp-tso.log" ||
	vw_fail tso "testpmd did not take 'tso set 1400 0': $(grep -v '^EAL' "$T/tp-tso.log" | tail -5)"
sleep 1
before=($(counters v0))
/usr/bin/python3 "$VW_ROOT/tests/integration/vhost_dpdk.py" "$T/s.sock" $M0 6000 1400 >"$T/tso.out" 2>&1 ||
	vw_fail tso "$(cat "$T/tso.out"); testpmd: $(tp_stats tso 0)"
after=($(counters v0))
tp_cmd tso stop
got="$((after[0] - before[0])) $((after[1] - before[1])) $((after[2] - before[2])) $((after[3] - before[3]))"
# v0 sent testpmd the 6054-byte frame and got it back as one TSO frame.
[ "$got" = "1 6054 1 6054" ] ||
	vw_fail tso "vmwire v0 rx/tx '$got', want '1 6054 1 6054' (one whole frame each way)"
vw_pass "reconnect, then testpmd's TSO/csum frame arrives whole and reaches a stream port as $(cat "$T/tso.out")"

# The same frame, now sent by testpmd to the TAP's MAC: a port with
# offloads takes the TSO frame whole, the namespace's kernel sees one frame.
NS=$(vw_ns t)
TMAC=$(ip netns exec "$NS" cat /sys/class/net/vwt0/address)
ip -n "$NS" addr add 10.77.0.2/24 dev vwt0
ip -n "$NS" link set vwt0 up
# The kernel answers the segment with a RST: to the stream peer's MAC
# directly, no ARP broadcast into the counted exchange that follows.
ip -n "$NS" neigh replace 10.77.0.1 lladdr 02:00:00:00:00:aa dev vwt0 nud permanent
ip netns exec "$NS" tcpdump -i vwt0 -Q in -U -w "$T/tap.pcap" 'tcp src port 40000' >"$T/tcpdump.log" 2>&1 &
TDPID=$!
vw_on_exit "kill $TDPID 2>/dev/null; true"
vw_wait_for grep -q 'listening on' "$T/tcpdump.log" || vw_fail tso "tcpdump did not start: $(cat "$T/tcpdump.log")"
tp_cmd tso "set eth-peer 0 $TMAC"
tp_cmd tso start
sleep 1
before=($(counters t))
/usr/bin/python3 "$VW_ROOT/tests/integration/vhost_dpdk.py" "$T/s.sock" $M0 6000 1400 send ||
	vw_fail tso "could not send to the stream port"
vw_wait_for -t 10 sh -c "[ \$(stat -c %s '$T/tap.pcap') -gt 6000 ]"
sleep 1
after=($(counters t))
tp_cmd tso stop
kill $TDPID 2>/dev/null
wait $TDPID 2>/dev/null
got=$(/usr/bin/python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
o, lens = 24, []
while o + 16 <= len(d):
    incl, orig = struct.unpack_from("<II", d, o + 8)
    lens.append(orig)
    o += 16 + incl
print(" ".join(map(str, lens)))' "$T/tap.pcap")
[ "$got" = 6054 ] || vw_fail tso "the namespace behind the TAP saw frames of '$got' bytes, want one of 6054"
[ "$((after[2] - before[2])) $((after[3] - before[3]))" = "1 6054" ] ||
	vw_fail tso "vmwire's TAP port sent $((after[2] - before[2])) frames $((after[3] - before[3])) bytes, want 1 frame 6054 bytes"
vw_pass "testpmd's TSO frame crosses to a TAP port whole: the namespace sees one 6054-byte frame"
ip -n "$NS" link set vwt0 down
tp_stop tso

counted packed ",packed_vq=1"

vw_stop vw
vw_pass "vmwire survived and exited cleanly"
