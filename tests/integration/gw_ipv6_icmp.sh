#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_ipv6_icmp.sh - ICMPv6 through the user gateway's NAT, with a kernel
# guest in a namespace behind a TAP port and the "host" being this test's
# private namespace, whose lo carries ::1 and fd00:99::1:
#  - ping -6 to fd00:99::1 goes out through raw ICMPv6 sockets (root, and
#    ping_group_range excludes us) and, with ping_group_range opened,
#    through ICMPv6 datagram sockets; ping checks the replies' checksums
#    and identifiers; info usernet lists the flow;
#  - ping -6 to an address the host has no route to gets ICMPv6
#    destination unreachable back;
#  - UDP to a closed port on fd00:99::1, and on fec0::2 (= the host's ::1),
#    gets ICMPv6 port unreachable back: the guest's connected socket reads
#    ECONNREFUSED (the host kernel's error, via IPV6_RECVERR);
#  - restrict=on: ping -6 to fd00:99::1 is not let out (nat_denied);
#  - hostfwd_remove takes a [::1]:PORT host address, as hostfwd_add does.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping
vw_tmpdir

T=gw_ipv6_icmp
PY=/usr/bin/python3

ip link set lo up
ip -6 addr add fd00:99::1/128 dev lo

# start NAME IFNAME EXTRA: a gateway with a guest namespace at fec0::98.
start() {
	vw_start "$1" -monitor "unix:$VW_TMP/$1.sock,server=on,wait=off" \
		-netdev tap,id=t,ifname="$2",netns="$NS" -netdev "user,id=gw$3"
	nsx ip link set "$2" up
	nsx ip -6 addr add fec0::98/64 dev "$2" nodad
	nsx ip -6 route add default via fec0::2 dev "$2"
}
usernet() { "$VMWIRE" ctl "$VW_TMP/$1.sock" info usernet; }

vw_netns_add ns
NS=$(vw_ns ns)
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up

# Raw sockets first: a fresh namespace's ping_group_range is "1 0".
[ "$(sysctl -n net.ipv4.ping_group_range | tr -s '\t ' ' ')" = "1 0" ] ||
	vw_fail $T "unexpected ping_group_range $(sysctl -n net.ipv4.ping_group_range)"
start gw t0 ""
nsx ping -6 -c 3 -i 0.3 -W 3 fd00:99::1 >"$VW_TMP/ping1" 2>&1 ||
	vw_fail $T "raw: ping -6 fd00:99::1: $(cat "$VW_TMP/ping1")"
grep -q "3 received" "$VW_TMP/ping1" || vw_fail $T "raw: $(cat "$VW_TMP/ping1")"
usernet gw >"$VW_TMP/u1"
grep -Eq "icmp_nat_out [3-9]" "$VW_TMP/u1" && grep -Eq "icmp_nat_in [3-9]" "$VW_TMP/u1" &&
	grep -q "fd00:99::1" "$VW_TMP/u1" || vw_fail $T "raw: info usernet: $(cat "$VW_TMP/u1")"
grep -Eq "ip6_unhandled [1-9]" "$VW_TMP/u1" && vw_fail $T "echo counted as unhandled"
grep -q "ICMPv6 datagram sockets refused, using raw sockets" "$VW_TMP/gw.log" ||
	vw_fail $T "raw: no raw-socket fallback logged"
vw_pass "$T: ping -6 fd00:99::1 through raw ICMPv6 sockets"

# No route on the host: destination unreachable from the gateway.
! nsx ping -6 -c 1 -W 3 fd00:98::1 >"$VW_TMP/ping2" 2>&1 ||
	vw_fail $T "fd00:98::1 answered: $(cat "$VW_TMP/ping2")"
grep -qi "unreachable" "$VW_TMP/ping2" ||
	vw_fail $T "no ICMPv6 unreachable for fd00:98::1: $(cat "$VW_TMP/ping2")"
vw_pass "$T: ping -6 to an unroutable address gets destination unreachable"

# UDP to closed ports: the host's port unreachable comes back as ICMPv6.
cat >"$VW_TMP/closed.py" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect((sys.argv[1], int(sys.argv[2])))
s.settimeout(1)
for _ in range(10):  # ICMPv6 errors are rate limited: try again
    try:
        s.send(b"knock")
        s.recv(100)
        print("answered")
        sys.exit(1)
    except ConnectionRefusedError:
        print("refused")
        sys.exit(0)
    except socket.timeout:
        pass
print("timeout")
sys.exit(1)
PYEOF
for dst in fd00:99::1 fec0::2; do
	out=$(nsx $PY "$VW_TMP/closed.py" "$dst" 9 2>&1)
	[ "$out" = refused ] || vw_fail $T "UDP to [$dst]:9: $out"
done
usernet gw >"$VW_TMP/u2"
grep -Eq "icmp_errors_to_guest [3-9]" "$VW_TMP/u2" || vw_fail $T "errors: $(cat "$VW_TMP/u2")"
vw_pass "$T: UDP over IPv6 to closed ports gets ICMPv6 port unreachable"

ctl() { "$VMWIRE" ctl "$VW_TMP/gw.sock" "$@" 2>&1; }
out=$(ctl hostfwd_add "tcp:[::1]:5560-[]:7")
[ -z "$out" ] || [ "${out#*rror}" = "$out" ] || vw_fail $T "hostfwd_add: $out"
vw_wait_for -t 5 sh -c 'ss -ltn | grep -q "\[::1\]:5560 "' || vw_fail $T "hostfwd_add: no listener"
out=$(ctl hostfwd_remove "tcp:[::1]:5560")
[ "$out" = "host forwarding rule for tcp:[::1]:5560 removed" ] || vw_fail $T "hostfwd_remove: $out"
! ss -ltn | grep -q "\[::1\]:5560 " || vw_fail $T "hostfwd_remove: still listening"
ctl hostfwd_remove "tcp:[::1]:5560" | grep -q "not found" || vw_fail $T "removed twice"
ctl hostfwd_remove "tcp:[::1:5560" | grep -q "invalid format" || vw_fail $T "bad [ accepted"
vw_stop gw
vw_pass "$T: hostfwd_remove tcp:[::1]:PORT"

# Datagram sockets once ping_group_range lets root's group in.
sysctl -qw net.ipv4.ping_group_range="0 0"
start gw2 t1 ""
nsx ping -6 -c 3 -i 0.3 -W 3 fd00:99::1 >"$VW_TMP/ping3" 2>&1 ||
	vw_fail $T "dgram: ping -6 fd00:99::1: $(cat "$VW_TMP/ping3")"
usernet gw2 >"$VW_TMP/u3"
grep -Eq "icmp_nat_in [3-9]" "$VW_TMP/u3" && ! grep -q "using raw sockets" "$VW_TMP/gw2.log" ||
	vw_fail $T "dgram: info usernet: $(cat "$VW_TMP/u3")"
vw_stop gw2
vw_pass "$T: ping -6 fd00:99::1 through ICMPv6 datagram sockets"

# restrict=on: the echo is not let out.
start gw3 t2 ",restrict=on"
! nsx ping -6 -c 1 -W 2 fd00:99::1 >/dev/null 2>&1 || vw_fail $T "restrict=on: ping got out"
usernet gw3 >"$VW_TMP/u4"
grep -Eq "nat_denied [1-9]" "$VW_TMP/u4" && ! grep -Eq "icmp_nat_out [1-9]" "$VW_TMP/u4" ||
	vw_fail $T "restrict=on: $(cat "$VW_TMP/u4")"
vw_stop gw3
vw_pass "$T: restrict=on keeps ICMPv6 echo in"
