#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qmp.sh - the -qmp control socket against a real daemon (sandbox on):
# netdev hot-plug and unplug (stream listeners that then carry frames, a
# TAP created after the seccomp filter is in place), events, query-*,
# human-monitor-command, hostfwd-add/remove, QEMU's error classes and the
# limits (qmp_tool.py); then "vmwire ctl" over QMP, and SIGTERM removing
# the socket.
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_tmpdir
command -v python3 >/dev/null || vw_need_pkgs python3
T=$VW_TMP
Q=$T/qmp.sock

ip link set lo up
vw_start vw -netdev user,id=gw -qmp "unix:$Q,server=on,wait=off"
[ "$(stat -c %a "$Q")" = 600 ] || vw_fail mode "QMP socket mode $(stat -c %a "$Q")"
vw_pass "QMP socket is mode 0600"

python3 "$VW_ROOT/tests/integration/qmp_tool.py" "$Q" "$T" || vw_fail qmp "qmp_tool.py failed"
kill -0 "${VW_PID[vw]}" || vw_fail qmp "the daemon died"

out=$("$VMWIRE" ctl "$Q" info network) || vw_fail ctl "vmwire ctl over QMP: exit $?"
grep -q '^ \\ gw: user' <<<"$out" || vw_fail ctl "vmwire ctl over QMP printed: $out"
grep -q $'\r' <<<"$out" && vw_fail ctl "CR left in vmwire ctl output"
out=$("$VMWIRE" ctl "$Q" '{"execute":"query-ports"}') || vw_fail ctl "raw JSON: exit $?"
grep -q '"port":"gw"' <<<"$out" || vw_fail ctl "raw JSON reply: $out"
rc=0
"$VMWIRE" ctl "$Q" '{"execute":"netdev_del","arguments":{"id":"none"}}' >/dev/null || rc=$?
[ $rc = 1 ] || vw_fail ctl "a QMP error reply exited $rc, want 1"
vw_pass "vmwire ctl over QMP: monitor text, raw JSON, exit 1 on an error reply"

vw_stop_expect_gone vw "$T" qmp.sock b.sock
vw_pass "SIGTERM removes the QMP socket and the hot-plugged netdev's"

# Without the sandbox a TAP can be hot-plugged, and goes with netdev_del.
vw_start vw2 -sandbox off -netdev user,id=gw -qmp "$T/q2.sock"
"$VMWIRE" ctl "$T/q2.sock" '{"execute":"netdev_add","arguments":{"type":"tap","id":"t0","ifname":"vwqmp0"}}' ||
	vw_fail tap "netdev_add tap with -sandbox off failed"
ip link show vwqmp0 >/dev/null || vw_fail tap "hot-plugged TAP vwqmp0 missing"
"$VMWIRE" ctl "$T/q2.sock" info network | grep -q '^ \\ t0: tap' || vw_fail tap "t0 not in info network"
"$VMWIRE" ctl "$T/q2.sock" '{"execute":"netdev_del","arguments":{"id":"t0"}}' >/dev/null ||
	vw_fail tap "netdev_del t0 failed"
vw_wait_for sh -c '! ip link show vwqmp0 2>/dev/null' || vw_fail tap "TAP vwqmp0 left after netdev_del"
vw_stop vw2
vw_pass "with -sandbox off a TAP is hot-plugged and unplugged"
