#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_limits.sh - the user-mode gateway under fragments and resource
# exhaustion, with a namespace guest (10.0.2.15, MTU 1500) behind a TAP
# port and every "outside" service on this private namespace's loopback:
#  - ping -s 4000 10.0.2.2: the guest kernel fragments the request, the
#    gateway reassembles it and fragments the echo reply;
#  - a 4000-byte UDP datagram to a host echo via 10.0.2.2 round-trips
#    (fragmented both ways);
#  - SYN flood (scapy, spoofed never-ACKing sources) at max-tcp-flows=64:
#    the table fills, logged once, a connection opened before the flood
#    keeps echoing, new ones are refused, then work again once the
#    half-open flows time out;
#  - max-udp-flows=16: the 17th flow is dropped, logged once, the 16 keep
#    working, new flows work after udp-timeout=5;
#  - vmwire under prlimit --nofile=40: socket() fails, counted, no crash,
#    the flows opened first keep working, new ones work after the others
#    close;
#  - memory: VmRSS measured after a warm-up storm of UDP flows and again
#    after 100k more flows came and expired must not grow by 8 MiB.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping socat procps python3-scapy util-linux
vw_tmpdir

T=gw_limits
PY=/usr/bin/python3
TOOL=$(cd "$(dirname "$0")" && pwd)/gw_limits.py
MON=$VW_TMP/mon.sock

vw_netns_add ns
NS=$(vw_ns ns)
in_ns() { ip netns exec "$NS" "$@"; }
stat_of() { # stat_of NAME: a counter from info usernet (0 when not printed)
	"$VMWIRE" ctl "$MON" info usernet | tr ',' ' ' |
		awk -v n="$1" '{ for (i = 1; i < NF; i++) if ($i == n) v = $(i + 1) } END { print v + 0 }'
}
ip link set lo up
socat -b 65536 UDP4-RECVFROM:7777,bind=127.0.0.1,fork PIPE >"$VW_TMP/uecho.log" 2>&1 &
vw_on_exit "kill $!"
socat -u UDP4-RECV:7778,bind=127.0.0.1 /dev/null >"$VW_TMP/usink.log" 2>&1 &
vw_on_exit "kill $!"
socat TCP4-LISTEN:9001,bind=127.0.0.1,fork,reuseaddr PIPE >"$VW_TMP/techo.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -lun | grep -q "127.0.0.1:7777 " && ss -ltn | grep -q "127.0.0.1:9001 "' ||
	vw_fail $T "echo services did not start"

start_gw() { # start_gw NAME [prlimit args --] USER-OPTIONS
	local name=$1 opts=$2
	shift 2
	VMWIRE_SAVED=$VMWIRE
	if [ $# -gt 0 ]; then
		printf '#!/bin/sh\nexec prlimit %s -- %s "$@"\n' "$*" "$VMWIRE_SAVED" >"$VW_TMP/limited"
		chmod +x "$VW_TMP/limited"
		VMWIRE=$VW_TMP/limited
	fi
	rm -f "$MON"
	vw_start "$name" -monitor "unix:$MON,server=on,wait=off" \
		-netdev tap,id=t,ifname=vw0,netns="$NS" -netdev user,id=gw,"$opts"
	VMWIRE=$VMWIRE_SAVED
	in_ns ip link set vw0 up
	in_ns ip link set lo up
	in_ns ip addr replace 10.0.2.15/24 dev vw0
	in_ns ip route replace default via 10.0.2.2 dev vw0
	in_ns ping -q -c 1 -W 2 10.0.2.2 >/dev/null 2>&1 || vw_fail $T "$name: no ping to 10.0.2.2"
}
gw_pid() { pgrep -n -f -- "id=gw,$1" || vw_fail $T "no pid for the gateway ($1)"; }

# ---- fragments ------------------------------------------------------------------
start_gw frag "max-frags=8"
in_ns ping -q -c 3 -i 0.2 -W 2 -s 4000 10.0.2.2 >"$VW_TMP/bigping" 2>&1 ||
	vw_fail $T "ping -s 4000 10.0.2.2: $(cat "$VW_TMP/bigping")"
grep -q " 0% packet loss" "$VW_TMP/bigping" || vw_fail $T "big ping lost replies: $(cat "$VW_TMP/bigping")"
[ "$(stat_of ip_frag_reassembled)" -ge 3 ] || vw_fail $T "no reassembly counted"
[ "$(stat_of ip_frag_out)" -ge 9 ] || vw_fail $T "echo replies were not fragmented"
vw_pass "$T: ping -s 4000 10.0.2.2 answered (reassembled, reply fragmented)"

in_ns timeout 20 $PY "$TOOL" bigudp 10.0.2.2 7777 4000 >"$VW_TMP/bigudp" 2>&1 ||
	vw_fail $T "4000-byte UDP echo: $(cat "$VW_TMP/bigudp")"
in_ns timeout 20 $PY "$TOOL" bigudp 10.0.2.2 7777 30000 >"$VW_TMP/bigudp" 2>&1 ||
	vw_fail $T "30000-byte UDP echo: $(cat "$VW_TMP/bigudp")"
vw_pass "$T: 4000- and 30000-byte UDP datagrams round-trip through the NAT"
vw_stop frag

# ---- SYN flood ------------------------------------------------------------------
# vw_start logs the daemon to $VW_TMP/NAME.log; the tools log to *.out.
start_gw syn "max-tcp-flows=64"
in_ns timeout 120 $PY "$TOOL" synflood vw0 10.0.2.2 9001 300 64 >"$VW_TMP/syn.out" 2>&1 ||
	vw_fail $T "SYN flood: $(cat "$VW_TMP/syn.out")"
[ "$(grep -c "max-tcp-flows" "$VW_TMP/syn.log")" = 1 ] ||
	vw_fail $T "max-tcp-flows warning not logged exactly once: $(cat "$VW_TMP/syn.log")"
vw_pass "$T: SYN flood at max-tcp-flows=64: logged once, held connection echoes, $(tail -n 1 "$VW_TMP/syn.out")"
vw_stop syn

# ---- UDP flow table ---------------------------------------------------------------
start_gw udp "max-udp-flows=16,udp-timeout=5"
in_ns timeout 60 $PY "$TOOL" udpflows 10.0.2.2 7777 16 >"$VW_TMP/udp.out" 2>&1 ||
	vw_fail $T "max-udp-flows=16: $(cat "$VW_TMP/udp.out")"
[ "$(grep -c "max-udp-flows" "$VW_TMP/udp.log")" = 1 ] ||
	vw_fail $T "max-udp-flows warning not logged exactly once: $(cat "$VW_TMP/udp.log")"
[ "$(stat_of udp_flows_full)" -ge 1 ] || vw_fail $T "udp_flows_full not counted"
vw_pass "$T: max-udp-flows=16: 17th dropped and logged once, the 16 keep working, new flows after udp-timeout=5"
vw_stop udp

# ---- fd limit -----------------------------------------------------------------------
start_gw fd "udp-timeout=5" --nofile=40:40
in_ns timeout 120 $PY "$TOOL" fdflows 10.0.2.2 7777 9001 >"$VW_TMP/fd.out" 2>&1 ||
	vw_fail $T "fd limit: $(cat "$VW_TMP/fd.out")"
kill -0 "$(gw_pid udp-timeout=5)" || vw_fail $T "vmwire died under the fd limit"
errs=$(( $(stat_of udp_send_errors) + 0 ))
grep -q "Too many open files" "$VW_TMP/fd.log" || vw_fail $T "EMFILE not logged: $(cat "$VW_TMP/fd.log")"
[ "$errs" -ge 1 ] || vw_fail $T "udp_send_errors not counted"
vw_pass "$T: --nofile=40: $(tail -n 1 "$VW_TMP/fd.out" | sed 's/^fdflows: //'), errors counted, first flows kept, recovered"
vw_stop fd

# ---- memory under 100k UDP flows --------------------------------------------------------
start_gw mem "max-udp-flows=16384,udp-timeout=1" --nofile=18000:18000
PID=$(gw_pid max-udp-flows=16384)
udp_rows() { "$VMWIRE" ctl "$MON" info usernet | grep -c '^ *UDP\[' ; }
storm() { # storm N: N flows from distinct source ports, then wait until all expired
	local e0 i
	e0=$(stat_of udp_flows_expired)
	in_ns timeout 120 $PY "$TOOL" udpstorm 10.0.2.15 10.0.2.2 7778 "$1" 6000 >"$VW_TMP/storm.out" 2>&1 ||
		vw_fail $T "udpstorm: $(cat "$VW_TMP/storm.out")"
	# Each datagram that reached the gateway opened a flow (one datagram
	# per source port): every one must expire. On a loaded machine the
	# TAP queue drops some of the storm, so at least half must arrive.
	for ((i = 0; i < 100; i++)); do
		[ "$(udp_rows)" = 0 ] && [ "$(stat_of udp_flows_expired)" = "$(stat_of udp_nat_out)" ] && break
		sleep 0.2
	done
	[ "$(udp_rows)" = 0 ] && [ "$(stat_of udp_flows_expired)" = "$(stat_of udp_nat_out)" ] ||
		vw_fail $T "flows did not all expire: expired $(stat_of udp_flows_expired), opened $(stat_of udp_nat_out), open $(udp_rows)"
	STORM_FLOWS=$(( $(stat_of udp_flows_expired) - e0 ))
	[ "$STORM_FLOWS" -ge $(( $1 / 2 )) ] ||
		vw_fail $T "only $STORM_FLOWS of $1 storm datagrams reached the gateway (frames_in $(stat_of frames_in))"
}
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
storm 20000
before=$(rss)
storm 100000
after=$(rss)
kill -0 "$PID" || vw_fail $T "vmwire died in the UDP storm"
growth=$((after - before))
# ASan's quarantine and shadow memory make RSS meaningless as a leak bound;
# LeakSanitizer checks that build at exit instead.
if grep -qa __asan_init "$VMWIRE"; then
	echo "note: ASan build, VmRSS $before -> $after KiB not bounded here"
else
	[ "$growth" -lt 8192 ] || vw_fail $T "VmRSS grew by $growth KiB over 100k UDP flows ($before -> $after KiB)"
fi
vw_pass "$T: $STORM_FLOWS UDP flows (of a 100k storm) came and went, VmRSS $before -> $after KiB"
vw_stop mem
