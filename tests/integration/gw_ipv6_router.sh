#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_ipv6_router.sh - the user gateway as an IPv6 router, with a kernel
# guest (fec0::98) in a namespace behind a TAP port and a real path behind
# the "host" (this test's private namespace):
#
#   guest --tap-- vmwire | host fd00:97::1 --veth-- fd00:97::2 router
#                          fd00:99::1 --veth, MTU 1280-- fd00:99::2 target
#
# The router namespace forwards; the target runs a UDP echo on
# [fd00:99::2]:7000. Checked, the exact frames with scapy
# (gw_ipv6_router.py) and the whole with tracepath -6 as a real peer:
#  - hop limit 1 and 0 get ICMPv6 time exceeded from fec0::2, quoting the
#    packet; hop limit 2 leaves the host with 1 and the router's time
#    exceeded comes back from the host's error queue (IPV6_RECVERR) with
#    the guest's addresses and ports, from the router's address;
#  - 1400 bytes of UDP for the 1280-byte link: packet too big with MTU 1280,
#    from the router the first time (error queue), from fec0::2 once the
#    host knows the path MTU (sendto() EMSGSIZE under IPV6_DONTFRAG);
#  - 3000 bytes of UDP echo through a real socket both ways: fragmented by
#    the guest, reassembled and re-fragmented for the path, and the answer
#    fragmented by the gateway for the guest;
#  - tracepath -6 names fec0::2 as hop 1, the router as hop 2, reaches the
#    target at hop 3 and finds pmtu 1280;
#  - guestfwd on a [V6] server address: curl -6 to [fec0::64]:8080 reaches
#    a web server on the host's [::1] (sha256 of a 3 MiB body), and
#    [fec0::65]:8081 a cmd: whose output the guest reads.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-tracepath python3-scapy curl
vw_tmpdir

T=gw_ipv6_router
PY=/usr/bin/python3
"$PY" -c 'import scapy.all' 2>/dev/null || vw_skip "scapy not importable by $PY"
GUEST="$PY $(dirname "$0")/gw_ipv6_router.py"
MON=$VW_TMP/gw.sock

vw_netns_add ns
vw_netns_add r
vw_netns_add t
NS=$(vw_ns ns)
R=$(vw_ns r)
TG=$(vw_ns t)
gx() { ip netns exec "$NS" "$@"; }
rx() { ip netns exec "$R" "$@"; }
tx() { ip netns exec "$TG" "$@"; }

# The path: host -- router -- target, the last link 1280 bytes.
ip link add vh type veth peer name vr netns "$R" || vw_fail $T "veth host-router"
rx ip link add vt mtu 1280 type veth peer name vx mtu 1280 netns "$TG" ||
	vw_fail $T "veth router-target"
ip link set vh up
ip -6 addr add fd00:97::1/64 dev vh nodad
ip -6 route add fd00:99::/64 via fd00:97::2 dev vh
rx ip link set vr up
rx ip link set vt up
rx ip -6 addr add fd00:97::2/64 dev vr nodad
rx ip -6 addr add fd00:99::1/64 dev vt nodad
rx sysctl -qw net.ipv6.conf.all.forwarding=1
tx ip link set vx up
tx ip -6 addr add fd00:99::2/64 dev vx nodad
tx ip -6 route add default via fd00:99::1 dev vx
# ICMPv6 errors are rate limited per destination: not here.
rx sysctl -qw net.ipv6.icmp.ratelimit=0
tx sysctl -qw net.ipv6.icmp.ratelimit=0
vw_wait_for ping -6 -c 1 -W 1 fd00:99::2 || vw_fail $T "the target is not reachable from the host"

tx "$PY" - >"$VW_TMP/echo.log" 2>&1 <<'PYEOF' &
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("fd00:99::2", 7000))
while True:
    d, a = s.recvfrom(65535)
    s.sendto(d, a)
PYEOF
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for tx sh -c 'ss -lun | grep -q "\[fd00:99::2\]:7000 "' || vw_fail $T "target echo did not start"

# Host side of the guestfwd rules: a web server on [::1] with a 3 MiB file.
mkdir "$VW_TMP/www"
head -c 3145728 /dev/urandom >"$VW_TMP/www/blob"
"$PY" -m http.server --bind ::1 --directory "$VW_TMP/www" 8765 >"$VW_TMP/http.log" 2>&1 &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for sh -c 'ss -ltn | grep -q "\[::1\]:8765 "' || vw_fail $T "web server did not start"

vw_start gw -monitor "unix:$MON,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw0,netns="$NS" \
	-netdev "user,id=gw,guestfwd=tcp:[fec0::64]:8080-tcp:[::1]:8765,guestfwd=tcp:[fec0::65]:8081-cmd:echo hello-from-cmd"
gx ip link set vw0 up
gx ip -6 addr add fec0::98/64 dev vw0 nodad
gx ip -6 route replace default via fec0::2 dev vw0
vw_wait_for gx ping -6 -c 1 -W 1 fec0::2 || vw_fail $T "gateway not reachable"
usernet() { "$VMWIRE" ctl "$MON" info usernet; }

for check in hop1 hop2 ptb big-echo; do
	gx timeout 60 $GUEST $check >"$VW_TMP/$check.out" 2>&1 ||
		vw_fail $T "$check: $(cat "$VW_TMP/$check.out")"
	vw_pass "$T: $(cat "$VW_TMP/$check.out")"
done
usernet >"$VW_TMP/u1"
grep -Eq "ip6_hop_exceeded [2-9]" "$VW_TMP/u1" && grep -Eq "ip6_too_big_to_guest [1-9]" "$VW_TMP/u1" &&
	grep -Eq "ip6_frag_out [1-9]" "$VW_TMP/u1" || vw_fail $T "counters: $(cat "$VW_TMP/u1")"
vw_pass "$T: info usernet counts the time exceeded, packet too big and fragments"

# A real traceroute: each hop as itself, the path MTU found. The host
# forgets the MTU first, so the router's packet too big is heard again.
ip -6 route flush cache 2>/dev/null
gx timeout 60 tracepath -6 -n -m 5 -p 7001 fd00:99::2 >"$VW_TMP/tp.out" 2>&1 ||
	vw_fail $T "tracepath failed: $(cat "$VW_TMP/tp.out")"
cat "$VW_TMP/tp.out"
grep -Eq '^ *1: +fec0::2 ' "$VW_TMP/tp.out" || vw_fail $T "hop 1 is not the gateway: $(cat "$VW_TMP/tp.out")"
grep -Eq '^ *2: +fd00:97::2 ' "$VW_TMP/tp.out" || vw_fail $T "hop 2 is not the router: $(cat "$VW_TMP/tp.out")"
grep -Eq '^ *3: +fd00:99::2 .*reached' "$VW_TMP/tp.out" ||
	vw_fail $T "the target is not reached at hop 3: $(cat "$VW_TMP/tp.out")"
grep -q 'pmtu 1280' "$VW_TMP/tp.out" || vw_fail $T "no pmtu 1280: $(cat "$VW_TMP/tp.out")"
vw_pass "$T: tracepath -6: fec0::2, the router, the target; pmtu 1280"

# guestfwd on v6 server addresses.
gx curl -6 -sS --max-time 30 -o "$VW_TMP/got" "http://[fec0::64]:8080/blob" ||
	vw_fail $T "curl via guestfwd [fec0::64]:8080 failed"
[ "$(sha256sum <"$VW_TMP/got")" = "$(sha256sum <"$VW_TMP/www/blob")" ] ||
	vw_fail $T "guestfwd body differs ($(stat -c %s "$VW_TMP/got") bytes)"
vw_pass "$T: curl -6 http://[fec0::64]:8080/ reaches the host's [::1]:8765 (3 MiB, sha256 equal)"
out=$(gx timeout 10 "$PY" -c '
import socket
s = socket.create_connection(("fec0::65", 8081), timeout=5)
b = b""
while True:
    d = s.recv(100)
    if not d:
        break
    b += d
print(b.decode().strip())' 2>&1)
[ "$out" = hello-from-cmd ] || vw_fail $T "guestfwd cmd: got '$out'"
gx ip -6 neigh show fec0::64 | grep -q "lladdr 52:55:0a:00:02:02" ||
	vw_fail $T "fec0::64 is not the gateway's MAC: $(gx ip -6 neigh show)"
vw_pass "$T: guestfwd [fec0::65]:8081 runs its cmd:, NDP resolves the server addresses"
vw_stop gw
