#!/bin/bash
# SPDX-License-Identifier: MIT
#
# seqpacket.sh - -netdev seqpacket, both ends. Two vmwire daemons, one a
# seqpacket server, the other its client (reconnect=1), each with a TAP in
# its own namespace: ping and a 4 MiB transfer intact across the
# seqpacket link. Then python SOCK_SEQPACKET peers on the server: frames
# are delivered one per record byte for byte between two connections;
# hostile records (oversized, tiny, empty) are dropped and counted while
# the connection and the daemon go on; the client reconnects after the
# server restarts.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tcp_copy.sh"
vw_require_root
vw_enter_private_netns "$@"
T=$VW_TMP
vw_netns_add a
vw_netns_add b
NA=$(vw_ns a)
NB=$(vw_ns b)

vw_start srv -netdev "seqpacket,id=sp,server=on,addr.type=unix,addr.path=$T/sp.sock" \
	-netdev "tap,id=t0,ifname=vwsa0,netns=$NA" -monitor "unix:$T/srv.sock,server=on,wait=off"
vw_start cli -netdev "seqpacket,id=sp,server=off,addr.type=unix,addr.path=$T/sp.sock,reconnect=1" \
	-netdev "tap,id=t0,ifname=vwsb0,netns=$NB" -monitor "unix:$T/cli.sock,server=on,wait=off"
ip -n "$NA" addr add 10.9.0.1/24 dev vwsa0
ip -n "$NA" link set vwsa0 up
ip -n "$NB" addr add 10.9.0.2/24 dev vwsb0
ip -n "$NB" link set vwsb0 up
vw_wait_for ip netns exec "$NA" ping -c1 -W1 10.9.0.2 ||
	vw_fail ping "no ping across the seqpacket link"
vw_pass "ping across a seqpacket link between two daemons"

vw_tcp_copy transfer 4194304 "$NA" "$NB" 10.9.0.2
vw_pass "4 MiB TCP transfer intact across the seqpacket link"

cat >"$T/peer.py" <<'PYEOF'
import socket, struct, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path); s.settimeout(3); return s
p1, p2 = conn(), conn()
time.sleep(0.3)
def frame(src, i, n):
    return b"\x02\0\0\0\0\x99" + src + b"\x88\xb5" + struct.pack(">I", i) + bytes((i + k) & 0xff for k in range(n - 18))
def expect(s, want, what):
    while True:
        try:
            got = s.recv(70000)
        except socket.timeout:
            sys.exit("FAIL %s: nothing arrived" % what)
        if got[12:14] == b"\x88\xb5":
            break  # skip the guests' own traffic (ARP, IPv6)
    if got != want:
        sys.exit("FAIL %s: got %d bytes, want %d" % (what, len(got), len(want)))
for i, n in enumerate((60, 1514, 9000, 65000)):
    f = frame(b"\x02\0\0\0\0\x01", i, n)
    p1.send(f); expect(p2, f, "p1 -> p2 %d bytes" % n)
    f = frame(b"\x02\0\0\0\0\x02", i, n)
    p2.send(f); expect(p1, f, "p2 -> p1 %d bytes" % n)
p1.send(b"\xff" * 70000)   # oversized
p1.send(b"\x01" * 10)      # tiny
p1.send(b"")               # empty record
f = frame(b"\x02\0\0\0\0\x01", 9, 100)
p1.send(f); expect(p2, f, "a good record after the hostile ones")
print("ok", flush=True)
time.sleep(30)  # stay connected while the shell reads the counters
PYEOF
/usr/bin/python3 "$T/peer.py" "$T/sp.sock" >"$T/peer.log" 2>&1 &
peer=$!
vw_on_exit "kill $peer 2>/dev/null; true"
vw_wait_for -t 20 grep -q '^ok' "$T/peer.log" || vw_fail records "$(cat "$T/peer.log")"
"$VMWIRE" ctl "$T/srv.sock" info network >"$T/info"
grep -q "oversized records dropped 1" "$T/info" || vw_fail records "oversized not counted: $(cat "$T/info")"
grep -A1 "oversized records dropped 1" "$T/info" | grep -qE " 3 drops, tx" ||
	vw_fail records "tiny and empty records not counted: $(cat "$T/info")"
vw_pass "one frame per record both ways; oversized, tiny and empty records dropped and counted"
kill $peer 2>/dev/null || true

vw_stop srv
vw_start srv2 -netdev "seqpacket,id=sp,server=on,addr.type=unix,addr.path=$T/sp.sock" \
	-netdev "tap,id=t0,ifname=vwsa1,netns=$NA"
ip -n "$NA" addr add 10.9.0.1/24 dev vwsa1
ip -n "$NA" link set vwsa1 up
vw_wait_for -t 15 ip netns exec "$NA" ping -c1 -W1 10.9.0.2 ||
	vw_fail reconnect "the client did not come back after the server restarted"
vw_pass "the client reconnects after the server restarts"

# A listener whose path was taken over while it ran must leave the new
# file alone at exit: A listens on own.sock, the file is replaced by B's
# socket (mv over it), A stops, B's socket must remain and still answer.
vw_start own -netdev "seqpacket,id=sp,server=on,addr.type=unix,addr.path=$T/own.sock"
vw_wait_for test -S "$T/own.sock" || vw_fail takeover "A never created own.sock"
/usr/bin/python3 - "$T/other.sock" "$T/own.sock" >"$T/other.log" 2>&1 <<'PYEOF' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1]); s.listen(1)
os.rename(sys.argv[1], sys.argv[2])
print("ok", flush=True)
time.sleep(60)
PYEOF
other=$!
vw_on_exit "kill $other 2>/dev/null; true"
vw_wait_for -t 10 grep -q '^ok' "$T/other.log" || vw_fail takeover "$(cat "$T/other.log")"
ino=$(stat -c %i "$T/own.sock")
vw_stop own
[ -S "$T/own.sock" ] && [ "$(stat -c %i "$T/own.sock")" = "$ino" ] ||
	vw_fail takeover "vmwire removed a socket file that was no longer its own"
/usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])' "$T/own.sock" ||
	vw_fail takeover "the other listener's socket no longer answers"
kill $other 2>/dev/null || true
vw_pass "at exit the listener leaves a socket file that another listener took over"
