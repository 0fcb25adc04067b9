#!/bin/bash
# SPDX-License-Identifier: MIT
#
# stream_slow_reader.sh - a peer that stops reading costs only itself.
#
# Over TCP (-netdev socket,listen=, the same stream framing as QEMU's
# -netdev stream) three peers join one switch: "stuck" connects and never
# reads; "flood" broadcasts ~40 MiB of frames in bursts; "good" reads
# everything. The
# loop must never block on the stuck peer: "good" keeps receiving the flood
# to the end, the monitor answers during the flood, the stuck port's
# queue stays bounded and its drops are counted in info network.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"

PORT=47123
MON=$VW_TMP/mon.sock
vw_start d -netdev socket,id=s,listen=127.0.0.1:$PORT -monitor "$MON"

cat >"$VW_TMP/peers.py" <<'PYEOF'
import os, socket, struct, sys, time, threading

port, n = int(sys.argv[1]), int(sys.argv[2])

def conn():
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def frame(src, payload_len, seq):
    body = struct.pack('!I', seq).ljust(payload_len, b'x')
    f = b'\xff' * 6 + src + b'\x88\xb5' + body
    return struct.pack('!I', len(f)) + f

stuck = conn()
stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
good = conn()
flood = conn()
time.sleep(0.3)

got = {'frames': 0, 'last': -1}
def reader():
    buf = b''
    good.settimeout(20)
    while got['last'] < n - 1:
        try:
            d = good.recv(1 << 20)
        except socket.timeout:
            return
        if not d:
            return
        buf += d
        while len(buf) >= 4:
            l = struct.unpack('!I', buf[:4])[0]
            if len(buf) < 4 + l:
                break
            f = buf[4:4 + l]
            buf = buf[4 + l:]
            if f[6:12] == b'\x02\0\0\0\0\x02':
                got['frames'] += 1
                got['last'] = struct.unpack('!I', f[14:18])[0]
t = threading.Thread(target=reader)
t.start()
src = b'\x02\0\0\0\0\x02'
# Paced in bursts the reading peer can absorb: a frame lost to "good" then
# means the switch stalled or misrouted, not that good was slower.
burst = 200
for start in range(0, n, burst):
    flood.sendall(b''.join(frame(src, 1400, i) for i in range(start, min(n, start + burst))))
    deadline = time.time() + 10
    while got['last'] < min(n, start + burst) - 1 and time.time() < deadline and t.is_alive():
        time.sleep(0.001)
t.join()
print('good received %d of %d frames, last seq %d' % (got['frames'], n, got['last']), flush=True)
# Stay connected until the test has read the counters.
deadline = time.time() + 30
while not os.path.exists(sys.argv[3]) and time.time() < deadline:
    time.sleep(0.05)
sys.exit(0 if got['last'] == n - 1 else 1)
PYEOF

/usr/bin/python3 "$VW_TMP/peers.py" $PORT 30000 "$VW_TMP/done" >"$VW_TMP/peers.out" 2>&1 &
PEERS=$!
sleep 1
# The loop must still serve the monitor while one peer is stuck.
timeout 5 "$VMWIRE" ctl "$MON" info network >"$VW_TMP/info-during" ||
	vw_fail stream_slow_reader "monitor did not answer during the flood"
vw_pass "monitor answers while a peer is stuck"

vw_wait_for -t 60 grep -q 'good received' "$VW_TMP/peers.out" ||
	vw_fail stream_slow_reader "the flood did not finish"
"$VMWIRE" ctl "$MON" info network >"$VW_TMP/info"
touch "$VW_TMP/done"
if ! wait $PEERS; then
	cat "$VW_TMP/peers.out" "$VW_TMP/d.log" >&2
	vw_fail stream_slow_reader "the reading peer did not get the whole flood"
fi
cat "$VW_TMP/peers.out"
vw_pass "a reading peer gets every frame while another peer is stuck"
cat "$VW_TMP/info"
# The stuck peer is s#1 (first to connect): its tx drops must be counted.
drops=$(awk '/\\ s#1:/{f=1} f && /tx /{sub(/.*tx /,""); print $5; exit}' "$VW_TMP/info")
[ -n "$drops" ] && [ "$drops" -gt 0 ] ||
	vw_fail stream_slow_reader "no tx drops counted on the stuck port s#1 (got '${drops}')"
vw_pass "the stuck port's drops are counted ($drops)"
kill -0 "${VW_PID[d]}" || vw_fail stream_slow_reader "daemon died"
