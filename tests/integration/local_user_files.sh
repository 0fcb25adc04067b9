#!/bin/bash
# SPDX-License-Identifier: MIT
#
# local_user_files.sh - a local user cannot aim vmwire's files or listeners
# at anything (issue 14 item 8):
#  - -pidfile over a symlink to a victim file: the symlink is replaced by
#    the pid file (temp name + rename), the victim keeps its contents;
#    also with the symlink planted by an unprivileged user (setpriv);
#  - pcap= naming a symlink, or another user's file: startup refused
#    (exit 1), the victim untouched;
#  - 70 clients on a stream listener with the default max-connections=64:
#    64 are ports, 6 closed at once, counted in info network, logged once.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs python3 util-linux
vw_tmpdir

T=local_user_files
D=$VW_TMP/d
mkdir -p "$D"
SOCK=$VW_TMP/s.sock
MON=$VW_TMP/mon.sock

echo keep >"$D/victim"
ln -s "$D/victim" "$D/pid"
vw_start pid -pidfile "$D/pid" -monitor "unix:$MON,server=on,wait=off" \
	-netdev stream,id=s,server=on,addr.type=unix,addr.path="$SOCK"
[ "$(cat "$D/victim")" = keep ] || vw_fail $T "-pidfile wrote through the symlink"
[ -f "$D/pid" ] && [ ! -L "$D/pid" ] || vw_fail $T "-pidfile: the symlink is still there"
[ "$(cat "$D/pid")" = "${VW_PID[pid]}" ] || vw_fail $T "-pidfile: $(cat "$D/pid") is not ${VW_PID[pid]}"
ls "$D" | grep -q 'pid\.' && vw_fail $T "a temporary pid file was left: $(ls "$D")"
vw_pass "$T: -pidfile replaces a planted symlink, the victim is untouched"

# 70 clients; the listener keeps 64.
python3 -c '
import socket, sys, time
c = []
for _ in range(70):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); c.append(s)
time.sleep(4)' "$SOCK" &
cl=$!
vw_wait_for sh -c "'$VMWIRE' ctl '$MON' info network | grep -q '64 connections, 6 refused'" ||
	vw_fail $T "max-connections: $("$VMWIRE" ctl "$MON" info network)"
n=$(grep -c "max-connections=64 reached" "$VW_TMP/pid.log")
[ "$n" = 1 ] || vw_fail $T "max-connections logged $n times"
wait $cl
vw_pass "$T: 70 clients, 64 ports, 6 closed at once and counted, logged once"
vw_stop pid

# pcap=: a symlink and another user's file are refused.
rm -f "$D/pid"
ln -s "$D/victim" "$D/cap.pcap"
rc=0
timeout 10 "$VMWIRE" -netdev stream,id=s,server=on,addr.type=unix,addr.path="$SOCK",pcap="$D/cap.pcap" \
	>"$VW_TMP/pcap1.log" 2>&1 || rc=$?
[ $rc = 1 ] || vw_fail $T "pcap= through a symlink: exit $rc: $(cat "$VW_TMP/pcap1.log")"
[ "$(cat "$D/victim")" = keep ] || vw_fail $T "pcap= wrote through the symlink"
echo theirs >"$D/other.pcap"
chown nobody "$D/other.pcap"
rc=0
timeout 10 "$VMWIRE" -netdev stream,id=s,server=on,addr.type=unix,addr.path="$SOCK",pcap="$D/other.pcap" \
	>"$VW_TMP/pcap2.log" 2>&1 || rc=$?
[ $rc = 1 ] && [ "$(cat "$D/other.pcap")" = theirs ] ||
	vw_fail $T "pcap= over another user's file: exit $rc, $(cat "$D/other.pcap")"
vw_pass "$T: pcap= refuses a symlink and another user's file"

# The symlink planted by an unprivileged user in a shared directory.
P=$VW_TMP/pub
mkdir -p "$P" && chmod 1777 "$P" && chmod o+x "$VW_TMP"
setpriv --reuid=nobody --regid=nogroup --clear-groups ln -s "$D/victim" "$P/pid" ||
	vw_skip "$T: setpriv as nobody failed"
vw_start pid2 -pidfile "$P/pid" -netdev stream,id=s,server=on,addr.type=unix,addr.path="$SOCK"
[ "$(cat "$D/victim")" = keep ] || vw_fail $T "-pidfile wrote through nobody's symlink"
[ ! -L "$P/pid" ] && [ "$(cat "$P/pid")" = "${VW_PID[pid2]}" ] ||
	vw_fail $T "-pidfile over nobody's symlink: $(ls -l "$P")"
vw_stop pid2
vw_pass "$T: -pidfile over a symlink an unprivileged user planted"
