#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_ttl.sh - the user-mode gateway as a hop, with a namespace guest
# (10.0.2.15) behind a TAP port and scapy (gw_ttl.py) on the guest side:
#  - UDP, TCP and ICMP echo through the gateway with TTL 1 or 0 get ICMP
#    time exceeded from 10.0.2.2 quoting the IP header and 8 bytes; an echo
#    to the gateway itself with TTL 1 is answered; a flood of TTL-1 probes
#    is answered at the per-guest rate;
#  - busybox traceroute shows 10.0.2.2 as hop 1 and the target as hop 2;
#  - translated UDP leaves with the guest's TTL less one (a listener with
#    IP_RECVTTL on the host side reports it);
#  - guest TFTP to 10.0.2.2:69 is answered port unreachable by the gateway
#    and never reaches a TFTP server listening on the host's 127.0.0.1:69.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static python3-scapy
vw_tmpdir

T=gw_ttl
MON=$VW_TMP/mon.sock
BB=$(command -v busybox) || vw_skip "busybox not found"
PY=/usr/bin/python3
"$PY" -c 'import scapy.all' 2>/dev/null || vw_skip "scapy not importable by $PY"
GUEST="$PY $(dirname "$0")/gw_ttl.py"

vw_netns_add ns
NS=$(vw_ns ns)
in_ns() { ip netns exec "$NS" "$@"; }
ip addr add 192.0.2.1/32 dev lo || vw_fail $T "cannot add 192.0.2.1 to lo"

# Host side: a UDP service on 192.0.2.1:7000 answering with the TTL the
# datagram arrived with, and a would-be TFTP server on 127.0.0.1:69 that
# logs anything it gets.
"$PY" - >"$VW_TMP/ttlsrv.log" 2>&1 <<'PYEOF' &
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
IP_RECVTTL = 12  # linux/in.h; not in Python's socket module
s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
s.bind(("192.0.2.1", 7000))
while True:
    data, anc, _, peer = s.recvmsg(64, socket.CMSG_SPACE(4))
    ttl = [int.from_bytes(d, "little") for l, t, d in anc if t == socket.IP_TTL]
    s.sendto(b"ttl %d" % (ttl[0] if ttl else -1), peer)
PYEOF
vw_on_exit "kill $!"
"$PY" -u - >"$VW_TMP/tftpd.log" 2>&1 <<'PYEOF' &
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 69))
print("listening")
while True:
    print("GOT", s.recvfrom(512))
PYEOF
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -lun | grep -q "192.0.2.1:7000 " && ss -lun | grep -q "127.0.0.1:69 "' ||
	vw_fail $T "host-side services did not start"

vw_start gw -monitor "unix:$MON,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw0,netns="$NS" -netdev user,id=gw
in_ns ip link set vw0 up
in_ns ip addr replace 10.0.2.15/24 dev vw0
in_ns ip route replace default via 10.0.2.2 dev vw0
vw_wait_for in_ns ping -c 1 -W 1 10.0.2.2 || vw_fail $T "gateway not reachable"

in_ns timeout 60 $GUEST ttl >"$VW_TMP/ttl.out" 2>&1 || vw_fail $T "$(cat "$VW_TMP/ttl.out")"
cat "$VW_TMP/ttl.out"
vw_pass "$T: TTL 1 and 0 through the gateway get time exceeded from 10.0.2.2, rate-limited"

in_ns timeout 20 "$BB" traceroute -n -q 1 -w 2 -m 4 192.0.2.1 >"$VW_TMP/tr.out" 2>&1 ||
	vw_fail $T "traceroute failed: $(cat "$VW_TMP/tr.out")"
grep -Eq '^ *1 +10\.0\.2\.2 ' "$VW_TMP/tr.out" || vw_fail $T "hop 1 is not the gateway: $(cat "$VW_TMP/tr.out")"
grep -Eq '^ *2 +192\.0\.2\.1 ' "$VW_TMP/tr.out" || vw_fail $T "hop 2 is not the target: $(cat "$VW_TMP/tr.out")"
vw_pass "$T: traceroute shows the gateway as hop 1"

in_ns timeout 20 $GUEST hop >"$VW_TMP/hop.out" 2>&1 || vw_fail $T "$(cat "$VW_TMP/hop.out")"
vw_pass "$T: translated UDP leaves with the guest's TTL less one"

in_ns timeout 20 $GUEST tftp >"$VW_TMP/tftp.out" 2>&1 || vw_fail $T "$(cat "$VW_TMP/tftp.out")"
sleep 0.3
grep -q GOT "$VW_TMP/tftpd.log" && vw_fail $T "guest TFTP reached the host's 127.0.0.1:69"
vw_pass "$T: guest TFTP to the gateway is port unreachable, the host's TFTP port untouched"

"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet"
grep -Eq "ip_ttl_exceeded [1-9]" "$VW_TMP/usernet" && grep -Eq "ip_ttl_ratelimited [1-9]" "$VW_TMP/usernet" ||
	vw_fail $T "counters: $(cat "$VW_TMP/usernet")"
vw_pass "$T: info usernet counts the expired and the rate-limited"
vw_stop gw
