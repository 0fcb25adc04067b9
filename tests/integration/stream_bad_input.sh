#!/bin/bash
# SPDX-License-Identifier: MIT
#
# stream_bad_input.sh - a "-netdev stream" server survives hostile peers.
#
# Two well-behaved clients speak QEMU's stream framing (4-byte big-endian
# length + Ethernet frame) through vmwire's switch. Then, one at a time,
# other clients send a zero length, a 70000 length, random bytes, and half
# a frame before hanging up. Each bad client must be dropped with one log
# line naming its port and the reason, and after each the good clients'
# frames must still flow both ways. Runs in a private network namespace.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
if [ -f "$HERE/../lib/common.sh" ]; then
	# shellcheck source=../lib/common.sh
	. "$HERE/../lib/common.sh"
	vw_require_root
	vw_enter_private_netns "$@"
else
	# Standalone fallback: re-exec in a private network namespace.
	if [ -z "${VW_IN_NETNS:-}" ]; then
		[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
		VW_IN_NETNS=1 exec unshare -n "$0" "$@"
	fi
	ip link set lo up
	VW_TMP=$(mktemp -d)
	trap 'kill ${VMWIRE_PID:-} 2>/dev/null || true; rm -rf "$VW_TMP"' EXIT
	: "${VMWIRE:=$HERE/../../build/vmwire}"
fi

PY=/usr/bin/python3
DIR=$VW_TMP
SOCK=$DIR/a.sock
FAILED=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-}"; FAILED=1; }

# A small client: "peer NAME MAC" keeps a connection open and obeys commands
# on a FIFO, so both good peers persist across all the bad-client rounds.
cat >"$DIR/peer.py" <<'PYEOF'
import os, socket, struct, sys, time, select

path, name, mac, ctl, out = sys.argv[1:6]
mac_b = bytes.fromhex(mac.replace(':', ''))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
buf = b''
ctl_fd = os.open(ctl, os.O_RDONLY | os.O_NONBLOCK)
log = open(out, 'a', buffering=1)
log.write('connected\n')

def frame(dst, tag):
    payload = tag.encode().ljust(46, b'\0')
    return dst + mac_b + b'\x88\xb5' + payload

cbuf = b''
while True:
    r, _, _ = select.select([s, ctl_fd], [], [], 0.5)
    if s in r:
        d = s.recv(65536)
        if not d:
            log.write('eof\n')
            break
        buf += d
        while len(buf) >= 4:
            n = struct.unpack('>I', buf[:4])[0]
            if len(buf) < 4 + n:
                break
            f, buf = buf[4:4 + n], buf[4 + n:]
            tag = f[14:].rstrip(b'\0').decode(errors='replace')
            log.write('got %s\n' % tag)
    if ctl_fd in r:
        d = os.read(ctl_fd, 4096)
        if not d:
            os.close(ctl_fd)
            ctl_fd = os.open(ctl, os.O_RDONLY | os.O_NONBLOCK)
            continue
        cbuf += d
        while b'\n' in cbuf:
            line, cbuf = cbuf.split(b'\n', 1)
            cmd, _, arg = line.decode().partition(' ')
            if cmd == 'send':
                # broadcast so the switch floods it to the other peer
                f = frame(b'\xff' * 6, arg)
                s.sendall(struct.pack('>I', len(f)) + f)
            elif cmd == 'quit':
                sys.exit(0)
PYEOF

# A one-shot bad client: connects, sends the given bytes, waits for the
# server to hang up (or gives up after 5 s), and reports which.
cat >"$DIR/bad.py" <<'PYEOF'
import os, socket, sys, time
path, kind = sys.argv[1:3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
if kind == 'zero':
    s.sendall(b'\0\0\0\0' + b'x' * 60)
elif kind == 'big':
    s.sendall((70000).to_bytes(4, 'big') + b'x' * 100)
elif kind == 'random':
    import random
    r = random.Random(1)
    # first 4 bytes are a huge length: deterministic garbage
    s.sendall(b'\xde\xad\xbe\xef' + bytes(r.getrandbits(8) for _ in range(4000)))
elif kind == 'half':
    f = b'\xff' * 6 + b'\x02\0\0\0\0\x09' + b'\x88\xb5' + b'half'.ljust(46, b'\0')
    s.sendall(len(f).to_bytes(4, 'big') + f[:30])
    s.close()
    print('closed')
    sys.exit(0)
s.settimeout(5)
try:
    d = s.recv(100)
    print('closed' if not d else 'data')
except ConnectionResetError:
    print('closed')
except socket.timeout:
    print('open')
PYEOF

if [ -n "${VW_ROOT:-}" ] && declare -F vw_start >/dev/null; then
	vw_start a -netdev stream,id=a,server=on,addr.type=unix,addr.path="$SOCK"
	LOG=$VW_TMP/a.log
else
	LOG=$DIR/a.log
	"$VMWIRE" -netdev stream,id=a,server=on,addr.type=unix,addr.path="$SOCK" >"$LOG" 2>&1 &
	VMWIRE_PID=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
fi
[ -S "$SOCK" ] || { cat "$LOG"; echo "FAIL start: no socket at $SOCK"; exit 1; }

mkfifo "$DIR/p1.ctl" "$DIR/p2.ctl"
: >"$DIR/p1.out"
: >"$DIR/p2.out"
$PY "$DIR/peer.py" "$SOCK" p1 02:00:00:00:00:01 "$DIR/p1.ctl" "$DIR/p1.out" &
P1=$!
$PY "$DIR/peer.py" "$SOCK" p2 02:00:00:00:00:02 "$DIR/p2.ctl" "$DIR/p2.out" &
P2=$!
# Hold the FIFOs open for writing so the peers never see EOF on them.
exec 7>"$DIR/p1.ctl" 8>"$DIR/p2.ctl"
cleanup_peers() { kill "$P1" "$P2" 2>/dev/null || true; }
# common.sh owns the EXIT trap (it stops and checks vmwire): register with it.
if declare -F vw_on_exit >/dev/null; then
	vw_on_exit cleanup_peers
else
	trap 'cleanup_peers; kill ${VMWIRE_PID:-} 2>/dev/null || true; rm -rf "$VW_TMP"' EXIT
fi

wait_grep() { # FILE PATTERN: up to 5 s
	local i
	for i in $(seq 50); do grep -q -- "$2" "$1" && return 0; sleep 0.1; done
	return 1
}

wait_grep "$DIR/p1.out" connected && wait_grep "$DIR/p2.out" connected ||
	{ cat "$LOG"; echo "FAIL connect: good peers did not connect"; exit 1; }
wait_grep "$LOG" "stream a#2: connection from" || fail connect "no log line for a#2"

ROUND=0
good_traffic() { # NAME: frames flow both ways between the good peers
	ROUND=$((ROUND + 1))
	echo "send p1-r$ROUND" >&7
	echo "send p2-r$ROUND" >&8
	if wait_grep "$DIR/p2.out" "got p1-r$ROUND" && wait_grep "$DIR/p1.out" "got p2-r$ROUND"; then
		pass "$1"
	else
		fail "$1" "good peers' frames did not flow (round $ROUND)"
	fi
}

good_traffic "good peers exchange frames"

# bad_client KIND CONN_ID LOG_PATTERN NAME
bad_client() {
	local res
	res=$($PY "$DIR/bad.py" "$SOCK" "$1")
	if [ "$res" != closed ]; then
		fail "$4" "server did not close the connection (client saw: $res)"
	elif ! wait_grep "$LOG" "$3"; then
		fail "$4" "no log line matching '$3'"
	elif [ "$(grep -c -- "stream $2:" "$LOG")" -gt 3 ]; then
		# connection, reason, and nothing repeated per byte/frame
		fail "$4" "too many log lines for $2"
	else
		pass "$4"
	fi
	kill -0 "${VMWIRE_PID:-${VW_PID[a]:-0}}" 2>/dev/null || { cat "$LOG"; fail "$4" "vmwire died"; exit 1; }
	good_traffic "good peers unaffected after $4"
}

bad_client zero a#3 'warning: stream a#3: bad frame length 0 (allowed 14..65553), closing connection' \
	"zero length dropped"
bad_client big a#4 'warning: stream a#4: bad frame length 70000 (allowed 14..65553), closing connection' \
	"70000 length dropped"
bad_client random a#5 'warning: stream a#5: bad frame length 3735928559 (allowed 14..65553), closing connection' \
	"random bytes dropped"
bad_client half a#6 'stream a#6: .* disconnected in the middle of a frame' \
	"half frame then hang-up"

# The half frame must not have been delivered to the good peers.
if grep -q "got half" "$DIR/p1.out" "$DIR/p2.out"; then
	fail "half frame not delivered" "a truncated frame reached a peer"
else
	pass "half frame not delivered"
fi

if [ "$FAILED" != 0 ]; then
	echo "--- vmwire log"; cat "$LOG"
	exit 1
fi
exit 0
