#!/bin/bash
# SPDX-License-Identifier: MIT
#
# dgram_vfkit.sh - -netdev dgram,local.type=unix without a remote serves a
# vfkit-style client: the client binds its own unixgram socket, connects to
# ours, sends the 4-byte "VFKT" handshake and then one frame per datagram;
# vmwire must swallow the handshake (no drop counted), answer at the
# client's address, and carry frames byte for byte to and from a second,
# classic unix dgram netdev (remote.path given). A client that restarts on
# a new path is followed. Python plays both peers.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
T=$VW_TMP

vw_start vw -netdev "dgram,id=vf,local.type=unix,local.path=$T/vf.sock" \
	-netdev "dgram,id=d0,local.type=unix,local.path=$T/d0.sock,remote.type=unix,remote.path=$T/b.sock" \
	-monitor "unix:$T/mon.sock,server=on,wait=off"

cat >"$T/peer.py" <<'PYEOF'
import socket, struct, sys
T = sys.argv[1]

def sock(path, peer):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.connect(peer)
    s.settimeout(3)
    return s

def frame(src, i, n):
    return b"\xff" * 6 + src + b"\x88\xb5" + struct.pack(">I", i) + bytes(range(256)) * (n // 256) + b"x" * (n % 256)

def expect(s, want, what):
    try:
        got = s.recv(70000)
    except socket.timeout:
        sys.exit("FAIL %s: nothing arrived" % what)
    if got != want:
        sys.exit("FAIL %s: got %d bytes, want %d" % (what, len(got), len(want)))

b = sock(T + "/b.sock", T + "/d0.sock")
for gen in (1, 2):
    vf = sock(T + "/vfkit%d.sock" % gen, T + "/vf.sock")
    vf.send(b"VFKT")
    for i, n in enumerate((60, 1000, 1500, 9000, 60000)):
        f = frame(b"\x5a\x94\xef\xe4\x0c\xee", i, n)
        vf.send(f)
        expect(b, f, "vfkit -> classic, %d bytes" % n)
        f = frame(b"\x5a\x94\xef\xe4\x0c\xdd", i, n)
        b.send(f)
        expect(vf, f, "classic -> vfkit client %d, %d bytes" % (gen, n))
    vf.close()
print("ok")
PYEOF
timeout 30 /usr/bin/python3 "$T/peer.py" "$T" >"$T/peer.log" 2>&1 || vw_fail vfkit "$(cat "$T/peer.log")"
vw_pass "a vfkit-style client (VFKT handshake, own socket) exchanges frames intact, and is followed to a new path"

"$VMWIRE" ctl "$T/mon.sock" info network >"$T/info"
grep -A2 '\\ vf:' "$T/info" | grep -q "vfkit2.sock" ||
	vw_fail vfkit "remote not learned: $(cat "$T/info")"
grep -A2 '\\ vf:' "$T/info" | grep -qE "rx 10 frames [0-9]+ bytes 0 drops" ||
	vw_fail vfkit "the handshake was counted: $(cat "$T/info")"
vw_stop vw
vw_pass "the VFKT handshake is swallowed, not counted as a dropped frame"
