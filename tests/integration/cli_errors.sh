#!/bin/bash
# SPDX-License-Identifier: MIT
#
# cli_errors.sh - the command line contract: every mistake exits with
# status 2 and one line on stderr naming the option and the reason, without
# creating anything; --help/--version exit 0; -readconfig works and cites
# FILE:LINE; a start() failure exits 1 and cleans up what already started;
# the no-argument default listens where the man page says.
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
# The no-argument default listens in /run/vmwire: give this test its own
# /run so it neither touches nor collides with the host's.
if [ -z "${VW_PRIVATE_MNT:-}" ]; then
	export VW_PRIVATE_MNT=1
	exec unshare -m -- bash "$0" "$@"
fi
mount -t tmpfs -o mode=755 tmpfs /run || vw_fail cli_errors "can't mount a private /run"
vw_enter_private_netns "$@"
vw_tmpdir
cd "$VW_TMP" || exit 1

T=$VW_TMP

# expect STATUS PATTERN ARGS...: run vmwire, check status, stderr has
# exactly one line, matching PATTERN (grep -E), and stdout is empty.
expect() {
	local want=$1 pat=$2 rc=0
	shift 2
	timeout 10 "$VMWIRE" "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq "$want" ] ||
		vw_fail "$*" "exit status $rc, want $want; stderr: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] ||
		vw_fail "$*" "want one line on stderr, got: $(cat "$T/err")"
	grep -qE -- "$pat" "$T/err" ||
		vw_fail "$*" "stderr '$(cat "$T/err")' does not match '$pat'"
	[ ! -s "$T/out" ] || vw_fail "$*" "unexpected stdout: $(cat "$T/out")"
	[ ! -e "$T/x.sock" ] || vw_fail "$*" "left $T/x.sock behind"
}

S="stream,server=on,addr.type=unix,addr.path=$T/x.sock"

expect 2 '^vmwire: -bogus: unknown option' -bogus
expect 2 '^vmwire: -netdev: missing value' -netdev
expect 2 "unexpected argument" stray
expect 2 "^vmwire: -netdev: unknown type 'netmap', expected one of: .*stream.*tap" -netdev netmap,id=a
expect 2 "^vmwire: -netdev stream: 'id' is required" -netdev "$S"
expect 2 "^vmwire: -netdev stream: invalid id '0a'" -netdev "$S,id=0a"
expect 2 "^vmwire: -netdev stream: duplicate id 'a'" -netdev "$S,id=a" -netdev "$S,id=a"
expect 2 "^vmwire: -netdev stream: unknown key 'colour'" -netdev "$S,id=a,colour=red"
expect 2 "^vmwire: -netdev stream: 'vlan' expects a number from 1 to 4094" -netdev "$S,id=a,vlan=4095"
expect 2 "^vmwire: -netdev stream: 'trunk' expects" -netdev "$S,id=a,trunk=20-10"
expect 2 "switch 'lab' is not declared" -netdev "$S,id=a,switch=lab"
expect 2 "^vmwire: -switch: 'mode' expects hub or switch" -switch id=s,mode=router
expect 2 "^vmwire: -switch: 'aging' needs mode=switch" -switch id=s,mode=hub,aging=5
expect 2 "^vmwire: -monitor: given twice" -monitor "$T/m1" -monitor "$T/m2"
expect 2 "^vmwire: -monitor: wait=on is not supported" -monitor "unix:$T/m,server=on,wait=on"
expect 2 "^vmwire: -pidfile: given twice" -pidfile a -pidfile b
expect 2 "^vmwire: -daemonize: takes no value" --daemonize=yes
expect 2 "^vmwire: -busy-poll: expects microseconds from 0 \\(off\\) to 1000000, not 'fast'" -busy-poll fast
expect 2 "^vmwire: -busy-poll: expects microseconds .* not '1000001'" --busy-poll=1000001
expect 2 "^vmwire: -busy-poll: expects microseconds .* not '-5'" -busy-poll -5
expect 2 "^vmwire: -busy-poll: missing value" -busy-poll
expect 2 "^vmwire run: --busy-poll: expects microseconds .* not '50us'" run --busy-poll=50us -- true
# A bad option after a good listener must not create the listener's socket.
expect 2 "^vmwire: -netdev stream: unknown key 'bogus'" -netdev "$S,id=a" -netdev "$S,id=b,bogus"
expect 2 "^vmwire: -netdev user: 'max-tftp-transfers' expects" -netdev user,id=u,max-tftp-transfers=0
expect 2 "^vmwire: -netdev user: 'tftp' is not a directory: '$T/nope'" -netdev "user,id=u,tftp=$T/nope"
expect 2 "^vmwire: -netdev user: 'lease-time' expects" -netdev user,id=u,lease-time=59
# hostfwd: the wrong part is named; two rules on one port are one line.
expect 2 "^vmwire: -netdev user: 'hostfwd=tcp::99999-:22': the host port is out of range" \
	-netdev user,id=u,hostfwd=tcp::99999-:22
expect 2 "'hostfwd=udp::53-:5x': the guest port is out of range" -netdev user,id=u,hostfwd=udp::53-:5x
expect 2 "'hostfwd=tcp:10.0.0.300:22-:22': the host address is not an IPv4" \
	-netdev user,id=u,hostfwd=tcp:10.0.0.300:22-:22
expect 2 "^vmwire: -netdev user: 'hostfwd=tcp::2222-:22' and 'hostfwd=tcp:127.0.0.1:2222-:23' listen on the same TCP host port 2222$" \
	-netdev "user,id=u,hostfwd=tcp::2222-:22,hostfwd=tcp:127.0.0.1:2222-:23"
vw_pass "bad options exit 2 with one line naming the option"

# IPv6 keys: QEMU's names; a bad value is one line naming the key, and
# ipv6=on (QEMU's default) is silent now that the gateway speaks IPv6.
expect 2 "^vmwire: -netdev user: 'ipv6-net' expects an IPv6 ADDR\[/LEN\] with LEN 1..126, not 'fec0::/127'$" \
	-netdev user,id=u,ipv6-net=fec0::/127
expect 2 "'ipv6-host' must be a host address in ipv6-net fec0::/64" \
	-netdev user,id=u,ipv6-host=fd00::2
expect 2 "'ipv6-dhcp' expects off, stateless or stateful, not 'maybe'" \
	-netdev user,id=u,ipv6-dhcp=maybe
expect 2 "'ipv6-net' cannot be used with 'ipv6-prefix'" \
	-netdev user,id=u,ipv6-net=fd00::/64,ipv6-prefix=fd00::
expect 2 "'hostfwd=tcp:\[::1:22-:22': the host address is not an IPv4 address nor an IPv6" \
	-netdev "user,id=u,hostfwd=tcp:[::1:22-:22"
for v in "ipv6=on" "ipv6=off" ""; do
	vw_start v6 -netdev "user,id=u${v:+,$v}"
	vw_stop v6
	! grep -q "ipv6" "$T/v6.log" || vw_fail ipv6 "'$v' logged: $(cat "$T/v6.log")"
done
vw_pass "IPv6 keys: errors name the key; ipv6=on|off are silent"

# --help and --version
for h in --help -h -help; do
	"$VMWIRE" $h >"$T/out" 2>"$T/err" || vw_fail "$h" "non-zero exit"
	for w in -netdev -switch -monitor -readconfig -daemonize -pidfile stream dgram socket tap \
		trunk= vlan= pcap= addr.path= "Exit status"; do
		grep -qF -- "$w" "$T/out" || vw_fail "$h" "help lacks '$w'"
	done
done
"$VMWIRE" --version >"$T/out" || vw_fail --version "non-zero exit"
grep -qxF "vmwire $(cat "$VW_ROOT/VERSION")" "$T/out" || vw_fail --version "got '$(cat "$T/out")'"
"$VMWIRE" -V | grep -q '^vmwire ' || vw_fail -V "no version"
vw_pass "--help and --version exit 0"

# -readconfig: options one per line, errors cite FILE:LINE.
cat >"$T/good.cfg" <<EOF
# two listeners and a monitor
-netdev stream,id=a,server=on,addr.type=unix,addr.path=$T/ra.sock

netdev stream,id=b,server=on,addr.type=unix,addr.path=$T/rb.sock,switch=lab
switch id=lab,mode=hub
monitor $T/rmon.sock
EOF
vw_start rc -readconfig "$T/good.cfg"
for f in ra.sock rb.sock rmon.sock; do
	[ -S "$T/$f" ] || vw_fail readconfig "$f not created"
done
grep -q "Connect a QEMU VM to 'b' with:" "$T/rc.log" || vw_fail readconfig "no hint for b"
"$VMWIRE" ctl "$T/rmon.sock" info network >"$T/info" || vw_fail readconfig "ctl failed"
grep -q '^hub lab ' "$T/info" || vw_fail readconfig "no hub lab in: $(cat "$T/info")"
grep -q '^switch default ' "$T/info" || vw_fail readconfig "no default switch"
vw_stop rc
for f in ra.sock rb.sock rmon.sock; do
	[ ! -e "$T/$f" ] || vw_fail readconfig "$f left behind after SIGTERM"
done

printf 'netdev %s,id=a\n# fine\nnetdev %s,id=b,nokey=1\n' "$S" "$S" >"$T/bad.cfg"
expect 2 "^vmwire: $T/bad.cfg:3: -netdev stream: unknown key 'nokey'" -readconfig "$T/bad.cfg"
expect 2 "^vmwire: -readconfig: $T/none.cfg: No such file" -readconfig "$T/none.cfg"
vw_pass "-readconfig"

# Runtime errors: exit 1, one line (-q hides the info lines of what did
# start), nothing left behind. The second listener can't bind (no such
# directory) after the first one started.
expect 1 "^vmwire: error: -netdev stream,id=b: " -q -netdev "$S,id=a" \
	-netdev "stream,id=b,server=on,addr.type=unix,addr.path=$T/nodir/b.sock"
expect 1 "^vmwire: error: -netdev a: pcap=$T/nodir/a.pcap: No such file" \
	-q -netdev "$S,id=a,pcap=$T/nodir/a.pcap"
: >"$T/notasocket"
expect 1 "^vmwire: error: -monitor $T/notasocket: exists and is not a socket" \
	-q -netdev "$S,id=a" -monitor "$T/notasocket"
vw_pass "start failures exit 1 and clean up"

# No arguments: one stream listener on the default switch.
vw_start dflt
sock=/run/vmwire/default.sock
[ -S "$sock" ] || vw_fail default "$sock not created"
[ "$(stat -c %a /run/vmwire)" = 700 ] || vw_fail default "/run/vmwire is not mode 0700"
grep -qF -- "addr.path=$sock" "$T/dflt.log" || vw_fail default "no QEMU hint for $sock"
grep -qF -- "-device virtio-net-pci,netdev=default" "$T/dflt.log" ||
	vw_fail default "no -device in the hint"
vw_stop dflt
[ ! -e "$sock" ] || vw_fail default "$sock left behind"
[ ! -e /run/vmwire ] || vw_fail default "/run/vmwire, which vmwire made, left behind"
vw_pass "no arguments: default listener"

# A default directory that existed before is not vmwire's to remove; nor
# is one that holds someone else's file at exit.
mkdir -m 700 /run/vmwire
vw_start dflt2
vw_wait_for test -S "$sock" || vw_fail default "$sock not created"
vw_stop dflt2
[ -d /run/vmwire ] || vw_fail default "removed /run/vmwire, which existed before"
rmdir /run/vmwire
vw_start dflt3
vw_wait_for test -S "$sock" || vw_fail default "$sock not created"
: >/run/vmwire/keep
vw_stop dflt3
[ -e /run/vmwire/keep ] || vw_fail default "removed a file it did not make"
rm -rf /run/vmwire
vw_pass "the default directory is removed at exit only if vmwire made it and it is empty"

# -daemonize: the parent exits 0 once ready; pidfile names the daemon,
# SIGTERM removes it.
"$VMWIRE" -daemonize -pidfile "$T/vw.pid" -netdev "$S,id=a" >"$T/d.out" 2>&1 ||
	vw_fail daemonize "parent exited $?: $(cat "$T/d.out")"
[ -S "$T/x.sock" ] || vw_fail daemonize "listener not up when the parent exited"
pid=$(cat "$T/vw.pid")
vw_on_exit "kill $pid 2>/dev/null; true"
kill -0 "$pid" || vw_fail daemonize "pid $pid not running"
grep -q "Connect a QEMU VM to 'a'" "$T/d.out" || vw_fail daemonize "no hint printed"
kill -TERM "$pid"
vw_wait_for -t 5 test ! -e "$T/vw.pid" || vw_fail daemonize "pidfile not removed"
[ ! -e "$T/x.sock" ] || vw_fail daemonize "socket left behind"
rc=0
"$VMWIRE" -daemonize -netdev "stream,id=a,server=on,addr.type=unix,addr.path=$T/nodir/a" \
	>"$T/d.out" 2>&1 || rc=$?
[ $rc -eq 1 ] || vw_fail daemonize "failed start: parent exited $rc, want 1"
grep -q "nodir" "$T/d.out" || vw_fail daemonize "error not shown: $(cat "$T/d.out")"
vw_pass "-daemonize and -pidfile"
