#!/bin/bash
# SPDX-License-Identifier: MIT
#
# monitor.sh - the monitor socket and "vmwire ctl": two QEMU-framed stream
# clients exchange a frame through the switch, then "info network" must show
# both connections, the learned MAC and the counters; the HMP-style session
# (banner, prompt, help, quit, errors, long lines) behaves, a client that
# never reads cannot stall the daemon, and SIGTERM removes every socket.
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_tmpdir
command -v python3 >/dev/null || vw_need_pkgs python3
T=$VW_TMP
MON=$T/mon.sock

vw_start vw -netdev "stream,id=a,server=on,addr.type=unix,addr.path=$T/a.sock" \
	-netdev "stream,id=b,server=on,addr.type=unix,addr.path=$T/b.sock,vlan=1" \
	-monitor "unix:$MON,server=on,wait=off"

[ "$(stat -c %a "$MON")" = 600 ] || vw_fail mode "monitor socket mode $(stat -c %a "$MON")"
vw_pass "monitor socket is mode 0600"

vw_framed_broadcast "$T/a.sock" "$T/b.sock"
vw_pass "a frame from a reaches b"

"$VMWIRE" ctl "$MON" info network >"$T/info" || vw_fail ctl "exit status $?"
cat "$T/info"
check() {
	grep -qE -- "$1" "$T/info" || vw_fail "info network" "no line matching '$1'"
}
check '^switch default \(mode switch, aging 300s, 2 ports, 1 MAC learned\)$'
check '^ \\ a: stream, listening on unix:.*/a\.sock, 1 connection$'
check '^ \\ b: stream, listening on unix:.*/b\.sock, 1 connection$'
check '^    \\ a#1: stream, .*, vlan 1$'
check '^    \\ b#1: stream, .*, vlan 1$'
check '^       macs: 52:54:00:12:34:56$'
check '^       macs: none$'
check '^       rx 1 frames 60 bytes 0 drops, tx 0 frames 0 bytes 0 drops$'
check '^       rx 0 frames 0 bytes 0 drops, tx 1 frames 60 bytes 0 drops$'
# The MAC belongs to a#1: it is the line after a#1's counters.
grep -A2 '\\ a#1:' "$T/info" | grep -q 'macs: 52:54:00:12:34:56' ||
	vw_fail "info network" "MAC not listed under a#1"
grep -q '(vmwire)' "$T/info" && vw_fail ctl "prompt leaked into ctl output"
vw_pass "vmwire ctl info network shows ports, MAC and counters"

# The HMP session, as a human with socat would see it.
cat >"$T/session.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(10)
def until_prompt(buf=b""):
    while not buf.endswith(b"(vmwire) "):
        d = s.recv(65536)
        if not d:
            raise SystemExit("EOF before prompt: %r" % buf)
        buf += d
    return buf.decode()
banner = until_prompt()
assert banner.startswith("vmwire ") and "help" in banner, banner
def cmd(line):
    s.sendall(line.encode() + b"\n")
    return until_prompt()[:-len("(vmwire) ")]
assert cmd("info version").strip() == open(sys.argv[2]).read().strip()
r = cmd("help")
for w in ("info network", "info version", "quit"):
    assert w in r, r
r = cmd("frobnicate")
assert r == "unknown command: 'frobnicate' (try 'help')\n", r
r = cmd("info nothing")
assert "unknown info command" in r, r
assert cmd("") == ""
# CRLF from telnet-style clients, two commands in one write.
s.sendall(b"info version\r\ninfo version\n")
r = until_prompt()
while r.count("(vmwire) ") < 2:
    r += until_prompt()
assert r.count(open(sys.argv[2]).read().strip()) == 2, r
s.sendall(b"quit\n")
rest = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    rest += d
assert rest == b"", rest
print("session ok")
EOF
python3 "$T/session.py" "$MON" "$VW_ROOT/VERSION" || vw_fail session "HMP session failed"
vw_pass "help, info version, unknown commands, CRLF, quit"

# Over-long line: one error, then the session is closed.
python3 - "$MON" <<'EOF' || vw_fail longline "not rejected"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(10)
s.sendall(b"x" * 5000)
buf = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    buf += d
assert b"line too long" in buf, buf
EOF
vw_pass "over-long line rejected and session closed"

# A client that pipelines commands and never reads must not stall the
# daemon or other monitor sessions.
python3 - "$MON" "$T/stuck.up" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.setblocking(False)
sent = 0
try:
    while sent < 50 * 1024 * 1024:
        sent += s.send(b"info network\n" * 1000)
except BlockingIOError:
    pass
open(sys.argv[2], "w").close()
time.sleep(30)
EOF
PS=$!
vw_on_exit "kill $PS 2>/dev/null; true"
vw_wait_for test -e "$T/stuck.up" || vw_fail stuck "stuck client never filled its socket"
timeout 5 "$VMWIRE" ctl "$MON" info version >"$T/v" || vw_fail stuck "ctl blocked behind a stuck client"
grep -qxF "$(cat "$VW_ROOT/VERSION")" "$T/v" || vw_fail stuck "wrong reply $(cat "$T/v")"
kill $PS
vw_pass "a client that never reads does not block others"

# ctl errors
rc=0
"$VMWIRE" ctl "$T/nothing.sock" info network 2>"$T/err" || rc=$?
[ $rc -eq 1 ] || vw_fail ctl "no socket: exit $rc, want 1"
grep -q "can't connect" "$T/err" || vw_fail ctl "no socket: $(cat "$T/err")"
rc=0
"$VMWIRE" ctl "$MON" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || vw_fail ctl "no command: exit $rc, want 2"
rc=0
"$VMWIRE" ctl "$MON" quit >"$T/q" || rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/q" ] || vw_fail ctl "quit: exit $rc, output $(cat "$T/q")"
# A command the monitor answers with an error: its message on stdout,
# exit 1, so scripts can tell; success stays 0.
for c in frobnicate "info nothing" "info network extra" "hostfwd_add tcp::1-:2"; do
	rc=0
	"$VMWIRE" ctl "$MON" $c >"$T/o" 2>"$T/err" || rc=$?
	[ $rc -eq 1 ] || vw_fail ctl "'$c': exit $rc, want 1 ($(cat "$T/o"))"
	[ -s "$T/o" ] || vw_fail ctl "'$c': no message"
	grep -q "last_status\|^ok\|^failed" "$T/o" && vw_fail ctl "'$c': status leaked: $(cat "$T/o")"
done
grep -q "no user-mode gateway" "$T/o" || vw_fail ctl "hostfwd_add: $(cat "$T/o")"
for c in help info "info version" last_status; do
	"$VMWIRE" ctl "$MON" $c >"$T/o" || vw_fail ctl "'$c' exit $?, want 0"
done
grep -qx ok "$T/o" || vw_fail ctl "last_status of a fresh session: $(cat "$T/o")"
vw_pass "ctl errors and quit; a failed command exits 1"

# A second daemon must not steal the live monitor socket.
rc=0
"$VMWIRE" -q -netdev "stream,id=c,server=on,addr.type=unix,addr.path=$T/c.sock" \
	-monitor "$MON" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -q "another process" "$T/err" ||
	vw_fail steal "second daemon: exit $rc: $(cat "$T/err")"
"$VMWIRE" ctl "$MON" info version >/dev/null || vw_fail steal "first monitor gone"
vw_pass "a live monitor socket is not stolen"

# A tap and a user-mode gateway, each one port of its own name: one line
# each in info network, the gateway's without a second "user:"; a UDP
# flow in info usernet without an empty "[]" state.
vw_start vw2 -netdev tap,id=t0,ifname=vwmon0 -netdev user,id=gw \
	-monitor "unix:$T/mon2.sock,server=on,wait=off"
ip addr add 10.0.2.15/24 dev vwmon0 && ip link set vwmon0 up ||
	vw_fail tap "cannot configure vwmon0"
/usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"x", ("10.0.2.2", 9))'
vw_wait_for sh -c "'$VMWIRE' ctl '$T/mon2.sock' info usernet | grep -q '^  UDP '" ||
	vw_fail usernet "no UDP flow: $("$VMWIRE" ctl "$T/mon2.sock" info usernet)"
"$VMWIRE" ctl "$T/mon2.sock" info network >"$T/info2" || vw_fail ctl "exit status $?"
"$VMWIRE" ctl "$T/mon2.sock" info usernet >"$T/usernet2" || vw_fail ctl "exit status $?"
cat "$T/info2" "$T/usernet2"
[ "$(grep -c 't0: tap' "$T/info2")" -eq 1 ] ||
	vw_fail "info network" "the tap is not on exactly one line: $(cat "$T/info2")"
[ "$(grep -c 'gw: user' "$T/info2")" -eq 1 ] ||
	vw_fail "info network" "the gateway is not on exactly one line: $(cat "$T/info2")"
grep -qE '^ \\ t0: tap, vwmon0, .*vlan 1$' "$T/info2" ||
	vw_fail "info network" "no ' \\ t0: tap, vwmon0, ..., vlan 1' line: $(cat "$T/info2")"
grep -qE '^ \\ gw: user, net=10\.0\.2\.0/24 host=10\.0\.2\.2 .*, vlan 1$' "$T/info2" ||
	vw_fail "info network" "no ' \\ gw: user, net=...' line: $(cat "$T/info2")"
grep -q 'user: net=' "$T/info2" && vw_fail "info network" "'user' repeated: $(cat "$T/info2")"
grep -A1 '^ \\ t0: tap' "$T/info2" | grep -q '^    rx ' ||
	vw_fail "info network" "the tap's counters do not follow its line"
grep -q '\[\]' "$T/usernet2" && vw_fail "info usernet" "an empty [] state: $(cat "$T/usernet2")"
vw_stop vw2
vw_pass "info network: one line per tap and gateway; info usernet: no empty UDP state"

kill $VW_FRAMED_PIDS 2>/dev/null
vw_stop_expect_gone vw "$T" a.sock b.sock mon.sock
vw_pass "SIGTERM: exit 0, every socket removed"
