#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_tcp_slow_guest.sh - the gateway's TCP engine towards a guest slower
# than itself: congestion control and back-pressure, not drops and resends.
#
# Two daemons: "gw" runs the gateway and a stream listener; "far" connects
# to it as a stream client (the framing QEMU's -netdev stream speaks) and
# puts the namespace behind a TAP whose wire towards the namespace runs at
# VW_SLOW_MBIT (default 500) Mbit/s (impair-rate=, core/impair.c). So the
# way to the guest is: gateway -> stream port (1 MiB ring) -> far's switch
# -> a rate-limited TAP. VW_SLOW_MIB (default 200) MiB go host -> guest,
# checked by sha256. The engine must pace itself to that path: goodput
# near the rate, resends at most 1.5x the segments (the issue's bound; with
# no random loss on the path they should be few), and the gateway's stream
# port drops nothing (it waits for the ring's room instead).
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 python3
vw_tmpdir

T=gw_tcp_slow_guest
PY=/usr/bin/python3
DIR=$(cd "$(dirname "$0")" && pwd)
TOOL=$DIR/gw_tcp_tool.py
MIB=${VW_SLOW_MIB:-200}
MBIT=${VW_SLOW_MBIT:-500}
BYTES=$((MIB << 20))

vw_netns_add a
NSA=$(vw_ns a)
nsa() { ip netns exec "$NSA" "$@"; }

vw_start gw -netdev user,id=gw \
	-netdev stream,id=s,server=on,addr.type=unix,addr.path="$VW_TMP/s.sock" \
	-monitor "unix:$VW_TMP/mon.sock,server=on,wait=off"
vw_start far -netdev stream,id=c,server=off,addr.type=unix,addr.path="$VW_TMP/s.sock" \
	-netdev tap,id=ta,ifname=vw0,netns="$NSA",impair-rate=$MBIT,impair-dir=out \
	-monitor "unix:$VW_TMP/far.sock,server=on,wait=off"
nsa ip addr add 10.0.2.15/24 dev vw0
nsa ip route add default via 10.0.2.2
vw_wait_for -t 10 nsa ping -c1 -W1 10.0.2.2 >/dev/null ||
	vw_fail $T "the namespace does not reach the gateway through the stream"

vw_bg source.log $PY "$TOOL" source 9002 $BYTES
vw_wait_for sh -c 'ss -ltn | grep -q ":9002 "' || vw_fail $T "source did not come up"

t0=$(date +%s.%N)
nsa timeout 240 $PY "$TOOL" get 10.0.2.2 9002 >"$VW_TMP/get.log" 2>&1 ||
	vw_fail $T "get: $(cat "$VW_TMP/get.log")"
t1=$(date +%s.%N)
read -r n d <"$VW_TMP/get.log"
[ "$n" = $BYTES ] || vw_fail $T "get: $(cat "$VW_TMP/get.log")"
vw_wait_for -t 5 grep -q "source: match $d" "$VW_TMP/source.log" ||
	vw_fail $T "get: sha256 mismatch: $(cat "$VW_TMP/source.log")"

"$VMWIRE" ctl "$VW_TMP/mon.sock" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet failed"
"$VMWIRE" ctl "$VW_TMP/mon.sock" info network >"$VW_TMP/info" || vw_fail $T "info network failed"
"$VMWIRE" ctl "$VW_TMP/far.sock" info network >"$VW_TMP/far-info" || vw_fail $T "far info network failed"
tr -d '\n' <"$VW_TMP/usernet" | tr -s ' ' >"$VW_TMP/usernet1"
ctr() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$VW_TMP/usernet1"; }
# info usernet lists only the counters that are not 0: with the section
# there (segs_out counts every frame we sent), a missing one is 0 (a run
# with no loss at all, seen under ASan's slower sender).
sent=$(ctr segs_out)
[ -n "$sent" ] || vw_fail $T "tcp counters missing: $(cat "$VW_TMP/usernet")"
rtx=$(ctr sack_rtx) dsacks=$(ctr dsacks) tlp=$(ctr tlp_probes)
rtx=${rtx:-0} dsacks=${dsacks:-0} tlp=${tlp:-0}
segs=$(((BYTES + 1459) / 1460))
# The gateway's stream port towards far: its tx drops.
drops=$(awk '/\\ s/{f=1} f && /tx /{sub(/.*tx /,""); print $5; exit}' "$VW_TMP/info")
qd=$(awk '/impair out:/{for (i = 1; i < NF; i++) if ($i == "queue_drops") print $(i + 1)}' "$VW_TMP/far-info")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
mbit=$(awk -v n=$BYTES -v s="$secs" 'BEGIN { printf "%.0f", n * 8 / s / 1e6 }')
echo "$MIB MiB in $secs s: $mbit Mbit/s through a $MBIT Mbit/s wire;" \
	"resends ${rtx:-?} for $segs segments, D-SACKs ${dsacks:-?}, TLP probes ${tlp:-?};" \
	"gateway stream tx drops ${drops:-?}, far TAP queue_drops ${qd:-?}"
grep -A3 'tcp counters' "$VW_TMP/usernet"
[ -n "$drops" ] || vw_fail $T "stream tx counter missing: $(cat "$VW_TMP/usernet" "$VW_TMP/info")"
[ "$drops" -eq 0 ] || vw_fail $T "the gateway's stream port dropped $drops frames (it should wait for room)"
[ $((rtx * 2)) -le $((segs * 3)) ] || vw_fail $T "resends $rtx exceed 1.5x the $segs segments"
# Goodput sane: at least a fifth of the wire's rate (a stalled or
# resend-bound engine falls far below), never above it.
awk -v m="$mbit" -v r="$MBIT" 'BEGIN { exit !(m >= r / 5 && m <= r * 1.1) }' ||
	vw_fail $T "goodput $mbit Mbit/s is not sane for a $MBIT Mbit/s wire"
vw_pass "$T: $MIB MiB at $mbit Mbit/s through a $MBIT Mbit/s path, $rtx resends for $segs segments, 0 stream tx drops"
vw_stop far
vw_stop gw
