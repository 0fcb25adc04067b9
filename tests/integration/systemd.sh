#!/bin/bash
# SPDX-License-Identifier: MIT
#
# systemd.sh - socket activation and readiness without systemd as PID 1:
# systemd-socket-activate (systemd's own tool) makes the default listener
# and the monitor socket, named as vmwire.socket and vmwire-monitor.socket
# name them, and starts vmwire on the first connection; vmwire must serve
# both fds (a QEMU-framed broadcast crosses the activated listener, vmwire
# ctl answers on the activated monitor), tell $NOTIFY_SOCKET READY=1 and,
# on SIGTERM, STOPPING=1, leave systemd's socket files alone, and exit 0.
# A socket that is not a listening stream is refused with exit status 2.
# Then `make install` puts the unit files in place with the binary's path,
# and systemd-analyze verifies them and the template.
set -u
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs systemd python3
vw_tmpdir
T=$VW_TMP
ip link set lo up

# The service manager's end of sd_notify: record every datagram.
cat >"$T/notify.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".up", "w").close()
while True:
    with open(sys.argv[2], "ab") as f:
        f.write(s.recv(4096) + b"\n")
PY
python3 "$T/notify.py" "$T/notify.sock" "$T/notify.log" &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for test -e "$T/notify.log.up" || vw_fail notify "notify listener did not start"

systemd-socket-activate -l "$T/default.sock" -l "$T/mon.sock" --fdname=default:monitor \
	-E NOTIFY_SOCKET="$T/notify.sock" -E ASAN_OPTIONS -E UBSAN_OPTIONS \
	"$VMWIRE" >"$T/vw.log" 2>&1 &
SA=$!
vw_on_exit "kill $SA 2>/dev/null; true"
vw_wait_for test -S "$T/mon.sock" || vw_fail activate "systemd-socket-activate made no sockets"

# The first connection starts vmwire; the broadcast must cross.
vw_framed_broadcast "$T/default.sock" "$T/default.sock" 2>/dev/null ||
	vw_fail forward "no frame across the activated listener: $(cat "$T/vw.log")"
vw_wait_for grep -q '^READY=1' "$T/notify.log" || vw_fail notify "no READY=1: $(cat "$T/vw.log")"
vw_pass "activated listener serves (a frame crossed), READY=1 sent"

out=$("$VMWIRE" ctl "$T/mon.sock" info network) || vw_fail monitor "vmwire ctl on the activated monitor: exit $?"
grep -q '^ \\ default: stream, listening on' <<<"$out" || vw_fail monitor "info network: $out"
vw_pass "the activated monitor socket answers; the listener is netdev 'default'"

PID=$(pgrep -f "^$VMWIRE\$" | head -1)
[ -n "$PID" ] || vw_fail stop "no vmwire process"
kill -TERM "$PID"
vw_wait_for sh -c "! kill -0 $PID 2>/dev/null" || vw_fail stop "vmwire ignored SIGTERM"
vw_wait_for grep -q '^STOPPING=1' "$T/notify.log" || vw_fail notify "no STOPPING=1"
[ -S "$T/default.sock" ] && [ -S "$T/mon.sock" ] || vw_fail stop "vmwire removed systemd's socket files"
vw__sanitizer_report "$T/vw.log" && vw_fail stop "sanitizer report"
grep -q 'SIGTERM received' "$T/vw.log" || vw_fail stop "no clean shutdown: $(cat "$T/vw.log")"
kill "$SA" 2>/dev/null
vw_pass "SIGTERM: STOPPING=1, clean exit, systemd's socket files left to systemd"

# A datagram socket where a listener belongs: refused, exit 2.
rc=0
timeout 20 systemd-socket-activate -d -l "$T/dgram.sock" --fdname=default "$VMWIRE" \
	>"$T/bad.log" 2>&1 &
BAD=$!
vw_wait_for test -S "$T/dgram.sock" || vw_fail refuse "no datagram socket"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'x', sys.argv[1])" "$T/dgram.sock"
vw_wait_for grep -q 'not a listening stream socket' "$T/bad.log" ||
	vw_fail refuse "a datagram fd was not refused: $(cat "$T/bad.log")"
kill $BAD 2>/dev/null
vw_pass "an activated socket that is not a listening stream is refused"

# The unit files as installed, verified by systemd itself.
make -s -C "$VW_ROOT" BUILD="$(dirname "$VMWIRE")" install DESTDIR= PREFIX="$T/usr" >"$T/install.log" 2>&1 ||
	vw_fail install "make install: $(tail -3 "$T/install.log")"
U=$T/usr/lib/systemd/system
grep -q "ExecStart=$T/usr/bin/vmwire -readconfig" "$U/vmwire@.service" ||
	vw_fail units "@BINDIR@ not substituted in vmwire@.service"
cp "$U/vmwire@.service" "$T/vmwire@lab.service"
systemd-analyze verify --man=no "$U/vmwire.service" "$U/vmwire.socket" "$U/vmwire-monitor.socket" \
	"$U/vmwire-qmp.socket" "$T/vmwire@lab.service" >"$T/verify.log" 2>&1 ||
	vw_fail units "systemd-analyze verify: $(cat "$T/verify.log")"
vw_pass "make install puts the units in place; systemd-analyze verify accepts them and the template"
