#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vhost_hostile.sh - a hostile vhost-user frontend against vmwire's
# vhost-user port (issue 10, item 6): vhost_hostile.py speaks the real
# protocol with malformed, short and oversized messages, unknown requests,
# wrong fd counts, memory tables with zero-sized, overlapping, wrapping or
# unmappable regions and regions larger than their file, rings outside the
# table, descriptor loops, self-referencing and nested indirect tables,
# lying lengths and avail indexes that jump past the ring (the full list:
# vhost_hostile.py list). Each case gets its own connection; a protocol
# case must make vmwire close it, a bad ring must be closed or dropped,
# and the daemon must live through all of them (the ASan build included:
# tests/run.sh runs this against both) and hold no fd of theirs after.
# Before and after, a well-behaved frontend moves a frame each way between
# its rings and a stream port, and one more after a second SET_MEM_TABLE;
# afterwards a real one (dpdk-testpmd's virtio-user) still exchanges
# counted frames with it. vmwire's log must stay short: about a line per
# case, no flood.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/testpmd.sh"
vw_require_root
vw_enter_private_netns "$@"
[ -x /usr/bin/python3 ] || vw_need_pkgs python3
T=$VW_TMP
PY=$VW_ROOT/tests/integration/vhost_hostile.py

vw_start vw -netdev "vhost-user,id=v0,path=$T/v0.sock" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$T/s.sock" \
	-monitor "unix:$T/mon.sock,server=on,wait=off"

timeout 60 /usr/bin/python3 "$PY" "$T/v0.sock" good "$T/s.sock" ||
	vw_fail good "the well-behaved frontend failed before any hostile input"
vw_pass "a well-behaved frontend moves a frame each way"

# Every case hands vmwire fds (memfds, eventfds, a pipe): once they are
# all gone, vmwire must hold as many as before.
sleep 0.5
fds_before=$(ls /proc/"${VW_PID[vw]}"/fd | wc -l)
lines_before=$(wc -l <"$T/vw.log")
ncases=$(/usr/bin/python3 "$PY" list | wc -w)
VW_STREAM=$T/s.sock timeout 400 /usr/bin/python3 "$PY" "$T/v0.sock" hostile >"$T/hostile.out" 2>&1
rc=$?
cat "$T/hostile.out"
kill -0 "${VW_PID[vw]}" 2>/dev/null || vw_fail hostile "vmwire died"
[ $rc -eq 0 ] || vw_fail hostile "$(grep -c '^FAIL' "$T/hostile.out") of $ncases cases failed (rc $rc)"
[ "$(grep -c '^ok: ' "$T/hostile.out")" -eq "$ncases" ] ||
	vw_fail hostile "only $(grep -c '^ok: ' "$T/hostile.out") of $ncases cases ran"
vw_pass "$ncases hostile cases: each connection closed or its bad ring dropped, vmwire lives"
sleep 0.5
fds_after=$(ls /proc/"${VW_PID[vw]}"/fd | wc -l)
[ "$fds_after" -eq "$fds_before" ] ||
	vw_fail fds "vmwire holds $fds_after fds after the hostile cases, $fds_before before: $(ls -l /proc/"${VW_PID[vw]}"/fd | tail -n +2 | awk '{ print $NF }' | sort | uniq -c | sort -rn | head -5 | tr '\n' ' ')"
vw_pass "no fd leaked: $fds_after fds before and after"

# About a line a case (a broken ring: the reason, then the close), not
# a flood; the accept and hang-up lines of every connection (the cases'
# and the liveness probes') are not counted.
lines=$(tail -n +$((lines_before + 1)) "$T/vw.log" |
	grep -v -E 'frontend connected|closed by the frontend|stream s' | grep -c .)
[ "$lines" -le $((ncases * 2)) ] ||
	vw_fail log "$lines log lines for $ncases cases: $(tail -n 5 "$T/vw.log")"
[ "$lines" -ge $((ncases / 2)) ] ||
	vw_fail log "only $lines log lines for $ncases cases: hostile input should be logged"
vw_pass "vmwire logged $lines lines (besides connects and hang-ups) for $ncases cases"

timeout 60 /usr/bin/python3 "$PY" "$T/v0.sock" good "$T/s.sock" ||
	vw_fail good "the well-behaved frontend failed after the hostile ones"
vw_pass "a well-behaved frontend still moves a frame each way"

# A real frontend after all that: testpmd sends 64 frames, counted by
# vmwire and by testpmd.
command -v dpdk-testpmd >/dev/null || vw_need_pkgs dpdk-dev
counters() {
	"$VMWIRE" ctl "$T/mon.sock" info network | awk -v id="$1" '
		want && $1 == "rx" { rf += $2; tf += $9 }
		{ want = 0 }
		$1 == "\\" && ($2 == id ":" || index($2, id "#") == 1) { want = 1 }
		END { printf "%.0f %.0f\n", rf, tf }'
}
before=($(counters v0))
tp_start fe -l 0-1 -m 512 --vdev "net_virtio_user0,path=$T/v0.sock,queues=1,mac=02:00:00:00:00:01" \
	-- --total-num-mbufs=8192 --forward-mode=rxonly
tp_cmd fe "set burst 16"
tp_cmd fe "start tx_first 4"
for ((n = 0; n < 40; n++)); do
	now=($(counters v0))
	[ $((now[0] - before[0])) -ge 64 ] && break
	sleep 0.5
done
tp_cmd fe stop
[ $((now[0] - before[0])) -eq 64 ] ||
	vw_fail testpmd "vmwire counted $((now[0] - before[0])) frames from testpmd, want 64"
s=$(tp_stats fe 0) || vw_fail testpmd "no stats"
[ "${s#* * }" = "64 $((64 * 64))" ] || vw_fail testpmd "testpmd rx/tx '$s', want tx 64 frames"
tp_stop fe
vw_pass "dpdk-testpmd still exchanges counted frames on the same socket"

vw_stop vw
vw_pass "vmwire exited cleanly"
