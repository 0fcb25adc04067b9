#!/bin/bash
# SPDX-License-Identifier: MIT
#
# sandbox.sh - what the daemon gives up after setup (src/control/sandbox.c):
# with -runas nobody, /proc/PID/status shows uid 65534, no capabilities,
# no_new_privs and a seccomp filter, and the daemon lives in new mount,
# IPC and UTS namespaces; staying root with a user gateway it keeps only
# CAP_NET_RAW. It still forwards frames and answers its monitor. A
# forbidden call made after sandboxing (VMWIRE_SANDBOX_SELFTEST=1 tries
# socket(AF_PACKET)) kills it with SIGSYS, also in the guestfwd cmd: deny
# list mode, and does not with --no-sandbox. Bad option values exit 2.
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_tmpdir
command -v python3 >/dev/null || vw_need_pkgs python3
T=$VW_TMP
id nobody >/dev/null 2>&1 || vw_skip "no user 'nobody'"

# Sockets go where nobody may unlink them at exit.
R=$T/run
mkdir -m 0755 "$R"
chown nobody "$R"
chmod 0755 "$T"

status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# --- -runas nobody -------------------------------------------------------
vw_start vw -runas nobody -monitor "$R/mon.sock" \
	-netdev "stream,id=a,server=on,addr.type=unix,addr.path=$R/a.sock" \
	-netdev "stream,id=b,server=on,addr.type=unix,addr.path=$R/b.sock"
P=${VW_PID[vw]}
[ "$(status_field "$P" Uid)" = 65534 ] || vw_fail runas "Uid: $(grep ^Uid "/proc/$P/status")"
[ "$(status_field "$P" Gid)" = "$(id -g nobody)" ] || vw_fail runas "Gid: $(grep ^Gid "/proc/$P/status")"
for c in CapEff CapPrm CapBnd CapAmb; do
	[ "$(status_field "$P" $c)" = 0000000000000000 ] ||
		vw_fail runas "$c $(status_field "$P" $c), want none"
done
[ "$(status_field "$P" NoNewPrivs)" = 1 ] || vw_fail runas "NoNewPrivs not set"
[ "$(status_field "$P" Seccomp)" = 2 ] || vw_fail runas "no seccomp filter (Seccomp: $(status_field "$P" Seccomp))"
vw_pass "-runas nobody: uid 65534, no capabilities, no_new_privs, seccomp filter"

for ns in mnt ipc uts; do
	[ "$(readlink "/proc/$P/ns/$ns")" != "$(readlink /proc/self/ns/$ns)" ] ||
		vw_fail namespaces "still in our $ns namespace"
done
vw_pass "new mount, IPC and UTS namespaces"

vw_framed_broadcast "$R/a.sock" "$R/b.sock"
"$VMWIRE" ctl "$R/mon.sock" info network >"$T/info" || vw_fail monitor "ctl exit status $?"
grep -q 'a#1: stream' "$T/info" || { cat "$T/info"; vw_fail monitor "no a#1 in info network"; }
vw_pass "sandboxed: frames forwarded, monitor answers"
kill $VW_FRAMED_PIDS 2>/dev/null
vw_stop_expect_gone vw "$R" a.sock b.sock mon.sock
vw_pass "clean SIGTERM exit as nobody, sockets removed"

# --- root with a user gateway: only CAP_NET_RAW -------------------------------
vw_start gw -netdev "user,id=u0" -netdev "stream,id=c,server=on,addr.type=unix,addr.path=$T/c.sock"
P=${VW_PID[gw]}
[ "$(status_field "$P" CapEff)" = 0000000000002000 ] ||
	vw_fail caps "CapEff $(status_field "$P" CapEff), want only CAP_NET_RAW (2000)"
[ "$(status_field "$P" CapBnd)" = 0000000000002000 ] ||
	vw_fail caps "CapBnd $(status_field "$P" CapBnd), want only CAP_NET_RAW (2000)"
[ "$(status_field "$P" Seccomp)" = 2 ] || vw_fail caps "no seccomp filter"
vw_stop gw
vw_pass "root with -netdev user keeps only CAP_NET_RAW"

# --- the filter kills a forbidden call ------------------------------------
selftest() { # NAME ARGS...: run with the selftest, print the exit status
	local name=$1 rc=0
	shift
	VMWIRE_SANDBOX_SELFTEST=1 timeout -k 5 20 "$VMWIRE" "$@" >"$T/$name.log" 2>&1 || rc=$?
	echo $rc
}
rc=$(selftest kill -netdev "stream,id=d,server=on,addr.type=unix,addr.path=$T/d.sock")
cat "$T/kill.log"
grep -q 'selftest: trying socket(AF_PACKET)' "$T/kill.log" || vw_fail selftest "selftest did not run"
[ "$rc" = $((128 + 31)) ] || vw_fail selftest "exit status $rc, want 159 (SIGSYS)"
grep -q 'not blocked' "$T/kill.log" && vw_fail selftest "socket(AF_PACKET) was not blocked"
vw_pass "socket(AF_PACKET) after sandboxing: killed by SIGSYS"

rc=$(selftest spawn -netdev "user,id=u1,guestfwd=tcp:10.0.2.100:7-cmd:cat" \
	-netdev "stream,id=e,server=on,addr.type=unix,addr.path=$T/e.sock")
cat "$T/spawn.log"
grep -q 'dangerous calls only' "$T/spawn.log" || vw_fail spawn "deny-list mode not announced"
[ "$rc" = 159 ] || vw_fail spawn "exit status $rc, want 159 (SIGSYS)"
vw_pass "guestfwd cmd: deny list still kills socket(AF_PACKET)"

VMWIRE_SANDBOX_SELFTEST=1 vw_start nosb --no-sandbox \
	-netdev "stream,id=f,server=on,addr.type=unix,addr.path=$T/f.sock"
grep -q 'not blocked' "$T/nosb.log" || vw_fail no-sandbox "selftest call was blocked"
P=${VW_PID[nosb]}
[ "$(status_field "$P" Seccomp)" = 0 ] || vw_fail no-sandbox "a seccomp filter is loaded"
vw_stop nosb
vw_pass "--no-sandbox: no filter, the selftest call is allowed"

# --- option errors ------------------------------------------------------------
bad() { # MSG ARGS...: exit status 2 and MSG on stderr
	local msg=$1 rc=0
	shift
	"$VMWIRE" "$@" >"$T/bad.out" 2>&1 || rc=$?
	[ $rc = 2 ] || vw_fail options "'$*' exited $rc, want 2"
	grep -qF -- "$msg" "$T/bad.out" || vw_fail options "'$*': $(cat "$T/bad.out")"
}
bad "-runas: user 'no-such-user-here'" -runas no-such-user-here
bad "-run-with: 'user' is required" -run-with chroot=/x
bad "-sandbox" -sandbox maybe
bad "-sandbox" -sandbox on,spawn=deny
vw_start rw -run-with user=nobody -sandbox on \
	-netdev "stream,id=g,server=on,addr.type=unix,addr.path=$R/g.sock"
[ "$(status_field "${VW_PID[rw]}" Uid)" = 65534 ] || vw_fail run-with "not running as nobody"
vw_stop rw
vw_pass "option errors exit 2; -run-with user=nobody works"
