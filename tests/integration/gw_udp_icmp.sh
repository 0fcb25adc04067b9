#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_udp_icmp.sh - UDP and ICMP NAT of the user-mode gateway, with a
# namespace guest (10.0.2.15) behind a TAP port:
#  - UDP to 10.0.2.2 reaches a socat echo service on 127.0.0.1 and the
#    answer comes back from 10.0.2.2 (host-loopback);
#  - UDP to a closed host port gives the guest "connection refused" (the
#    host's ICMP port unreachable, relayed through IP_RECVERR);
#  - ping through the NAT to 192.0.2.1, an extra address of lo in this
#    test's private namespace, with raw sockets (ping_group_range
#    excludes us) and then with unprivileged ICMP datagram sockets;
#  - ping to an address with no route fails fast with "Unreachable";
#  - egress-deny blocks UDP and ICMP to the denied address only;
#  - hostfwd=udp forwards a host port to a guest UDP echo service, also
#    with restrict=on, which blocks the guest's own UDP to the host;
#  - info usernet lists the flows, the forwarding rule and the counters.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping socat procps
vw_tmpdir

T=gw_udp_icmp
MON=$VW_TMP/mon.sock

vw_netns_add ns
NS=$(vw_ns ns)
in_ns() { ip netns exec "$NS" "$@"; }

# Host side of this private namespace: an echo service on loopback and a
# extra loopback addresses that stand in for "the outside".
ip addr add 192.0.2.1/32 dev lo && ip addr add 192.0.2.2/32 dev lo ||
	vw_fail $T "cannot add 192.0.2.1-2 to lo"
socat UDP4-RECVFROM:7777,bind=127.0.0.1,fork PIPE >"$VW_TMP/echo.log" 2>&1 &
vw_on_exit "kill $!"
socat UDP4-RECVFROM:7777,bind=192.0.2.2,fork PIPE >"$VW_TMP/echo2.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -lun | grep -q "127.0.0.1:7777 "' || vw_fail $T "socat echo did not start"

# The unprivileged ICMP socket path is refused first: the raw fallback.
sysctl -qw net.ipv4.ping_group_range="1 0"

start_gw() {
	vw_start gw -monitor "unix:$MON,server=on,wait=off" \
		-netdev tap,id=t,ifname=vw0,netns="$NS" -netdev user,id=gw,"$1"
	in_ns ip link set vw0 up
	in_ns ip addr replace 10.0.2.15/24 dev vw0
	in_ns ip route replace default via 10.0.2.2 dev vw0
}

udp_ask() { # ask ADDR PORT MSG: print the answer, if any
	printf '%s' "$3" | in_ns timeout 5 socat -T 2 - "UDP4:$1:$2" 2>"$VW_TMP/socat.err"
}

start_gw "hostfwd=udp:127.0.0.1:5555-:7000"

out=$(udp_ask 10.0.2.2 7777 hello-through-nat)
[ "$out" = hello-through-nat ] || vw_fail $T "UDP echo via 10.0.2.2: got '$out' $(cat "$VW_TMP/socat.err")"
vw_pass "$T: guest UDP to 10.0.2.2 reaches 127.0.0.1 and the answer comes back"

# socat reports the guest socket's ECONNREFUSED.
udp_ask 10.0.2.2 7778 nobody-home >/dev/null
grep -qi "refused" "$VW_TMP/socat.err" ||
	vw_fail $T "closed port: no 'refused' from the guest socket: $(cat "$VW_TMP/socat.err")"
vw_pass "$T: UDP to a closed host port is refused (ICMP port unreachable relayed)"

in_ns ping -q -c 3 -i 0.2 -W 2 192.0.2.1 >"$VW_TMP/ping1" 2>&1 ||
	vw_fail $T "ping 192.0.2.1 through the NAT (raw sockets): $(cat "$VW_TMP/ping1")"
grep -q "raw sockets" "$VW_TMP/gw.log" || vw_fail $T "no raw socket fallback logged"
vw_pass "$T: ping through the NAT with raw sockets"

start=$(date +%s)
in_ns ping -c 1 -W 5 203.0.113.1 >"$VW_TMP/ping2" 2>&1 && vw_fail $T "ping with no route succeeded"
grep -q "Unreachable" "$VW_TMP/ping2" || vw_fail $T "no ICMP unreachable: $(cat "$VW_TMP/ping2")"
[ $(($(date +%s) - start)) -lt 4 ] || vw_fail $T "unreachable ping did not fail fast"
vw_pass "$T: ping to an unrouted address gets ICMP net unreachable"

# hostfwd: a guest UDP echo on 10.0.2.15:7000, host client on 127.0.0.1:5555.
in_ns socat UDP4-RECVFROM:7000,bind=10.0.2.15,fork PIPE >"$VW_TMP/gecho.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for in_ns sh -c 'ss -lun | grep -q "10.0.2.15:7000 "' || vw_fail $T "guest echo"
out=$(printf fwd-hello | timeout 5 socat -T 2 - UDP4:127.0.0.1:5555 2>&1)
[ "$out" = fwd-hello ] || vw_fail $T "hostfwd udp: got '$out'"
vw_pass "$T: hostfwd=udp reaches the guest and the reply comes back"

"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet failed"
grep -q "Protocol\[State\]" "$VW_TMP/usernet" || vw_fail $T "no table: $(cat "$VW_TMP/usernet")"
grep -Eq "UDP\[HOST_FORWARD\] +[0-9]+ +127.0.0.1 +5555 +10.0.2.15 +7000" "$VW_TMP/usernet" ||
	vw_fail $T "no hostfwd row: $(cat "$VW_TMP/usernet")"
grep -Eq "UDP +[0-9]+ +10.0.2.15 +[0-9]+ +127.0.0.1 +777[78]" "$VW_TMP/usernet" ||
	vw_fail $T "no UDP flow row: $(cat "$VW_TMP/usernet")"
grep -Eq "ICMP\[raw\] .* 192.0.2.1 " "$VW_TMP/usernet" ||
	vw_fail $T "no ICMP flow row: $(cat "$VW_TMP/usernet")"
grep -Eq "udp_nat_out [1-9]" "$VW_TMP/usernet" && grep -Eq "hostfwd_in [1-9]" "$VW_TMP/usernet" ||
	vw_fail $T "counters missing: $(cat "$VW_TMP/usernet")"
vw_pass "$T: info usernet lists the UDP flows, ICMP flow, hostfwd rule and counters"
vw_stop gw

# Unprivileged ICMP sockets now, and egress-deny for one address.
sysctl -qw net.ipv4.ping_group_range="0 2147483647"
start_gw "egress-deny=192.0.2.2/32"
in_ns ping -q -c 2 -i 0.2 -W 2 192.0.2.1 >"$VW_TMP/ping3" 2>&1 ||
	vw_fail $T "ping 192.0.2.1 with ICMP datagram sockets: $(cat "$VW_TMP/ping3")"
grep -q "raw sockets" "$VW_TMP/gw.log" && vw_fail $T "used raw sockets though datagram ones are allowed"
vw_pass "$T: ping through the NAT with unprivileged ICMP sockets"
in_ns ping -q -c 2 -i 0.2 -W 1 192.0.2.2 >/dev/null 2>&1 && vw_fail $T "egress-deny: ping 192.0.2.2 passed"
out=$(udp_ask 192.0.2.2 7777 denied)
[ -z "$out" ] || vw_fail $T "egress-deny: UDP to 192.0.2.2 answered '$out'"
out=$(udp_ask 10.0.2.2 7777 still-allowed)
[ "$out" = still-allowed ] || vw_fail $T "egress-deny blocked an address it does not list"
"$VMWIRE" ctl "$MON" info usernet | grep -Eq "nat_denied [1-9]" || vw_fail $T "nat_denied not counted"
vw_pass "$T: egress-deny blocks UDP and ICMP to the denied address only"
vw_stop gw

start_gw "restrict=on,hostfwd=udp:127.0.0.1:5555-:7000"
out=$(udp_ask 10.0.2.2 7777 restricted)
[ -z "$out" ] || vw_fail $T "restrict=on: UDP to the host answered '$out'"
in_ns ping -q -c 1 -W 1 192.0.2.1 >/dev/null 2>&1 && vw_fail $T "restrict=on: ping passed"
out=$(printf fwd-restricted | timeout 5 socat -T 2 - UDP4:127.0.0.1:5555 2>&1)
[ "$out" = fwd-restricted ] || vw_fail $T "restrict=on: hostfwd udp: got '$out'"
vw_pass "$T: restrict=on blocks guest UDP and ICMP out, hostfwd=udp still answers"
vw_stop gw
