#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_tcp_impair.sh - the gateway's TCP engine through loss 3%, reorder 10%,
# duplicate 1% between the guest and the gateway, VW_IMPAIR_MIB (default
# 100) MiB each way checked by sha256. This kernel has no sch_netem
# (CONFIG_NET_SCH_NETEM unset), so the impairment is a user-space relay on
# the QEMU stream framing between two vmwire daemons: namespace TAP ->
# vmwire A -> stream -> relay (gw_tcp_more.py) -> stream -> vmwire B
# (gateway). VW_RELAY="LOSS REORDER DUP" overrides the rates.
#
# The engine holds out-of-order guest data in a bounded queue and SACKs it
# (guest -> host), and resends only the holes the guest's SACK blocks show
# (host -> guest); before that, 10% reordering alone stalled guest -> host
# transfers in RTO backoff. Both directions must finish within the 600 s budget
# of tests/run.sh with margin: each transfer gets 240 s.
#
# The relay reads slower than vmwire B writes, so B's stream port fills: the
# TCP engine must wait for it (back-pressure) rather than overrun its ring.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 python3
vw_tmpdir

T=gw_tcp_impair
PY=/usr/bin/python3
DIR=$(cd "$(dirname "$0")" && pwd)
TOOL=$DIR/gw_tcp_tool.py
MORE=$DIR/gw_tcp_more.py
IMPAIR_MIB=${VW_IMPAIR_MIB:-100}

vw_netns_add a
NSA=$(vw_ns a)
nsa() { ip netns exec "$NSA" "$@"; }
vw_bg sink.log $PY "$TOOL" sink 9001

# ---- loss, reordering, duplication ---------------------------------------------
vw_start gwb -netdev stream,id=s,server=on,addr.type=unix,addr.path="$VW_TMP/b.sock" \
	-netdev user,id=gw -monitor "unix:$VW_TMP/mon.sock,server=on,wait=off"
vw_bg relay.log $PY "$MORE" relay "$VW_TMP/r.sock" "$VW_TMP/b.sock" 7 ${VW_RELAY:-}
vw_wait_for test -S "$VW_TMP/r.sock" || vw_fail $T "relay did not come up"
vw_start gwa -netdev tap,id=ta,ifname=vw0,netns="$NSA" \
	-netdev stream,id=up,server=off,addr.type=unix,addr.path="$VW_TMP/r.sock"
nsa ip addr add 10.0.2.15/24 dev vw0
nsa ip route add default via 10.0.2.2
vw_bg source.log $PY "$TOOL" source 9002 $((IMPAIR_MIB << 20))
vw_wait_for sh -c 'ss -ltn | grep -q ":9002 "' || vw_fail $T "source did not come up"

t0=$(date +%s)
nsa timeout 240 $PY "$TOOL" put 10.0.2.2 9001 $((IMPAIR_MIB << 20)) >"$VW_TMP/imp-put.log" 2>&1 ||
	vw_fail $T "impaired put: $(cat "$VW_TMP/imp-put.log")"
t1=$(date +%s)
nsa timeout 240 $PY "$TOOL" get 10.0.2.2 9002 >"$VW_TMP/imp-get.log" 2>&1 ||
	vw_fail $T "impaired get: $(cat "$VW_TMP/imp-get.log")"
t2=$(date +%s)
echo "put $((t1 - t0)) s, get $((t2 - t1)) s"
read -r n d <"$VW_TMP/imp-get.log"
[ "$n" = $((IMPAIR_MIB << 20)) ] || vw_fail $T "impaired get: $(cat "$VW_TMP/imp-get.log")"
vw_wait_for -t 5 grep -q "source: match $d" "$VW_TMP/source.log" ||
	vw_fail $T "impaired get: sha256 mismatch: $(cat "$VW_TMP/source.log")"
# The counters prove the recovery paths ran, not just that bytes arrived:
# reordered guest data was queued (not dropped), and lost host data was
# resent from the guest's SACK blocks (not go-back-N).
"$VMWIRE" ctl "$VW_TMP/mon.sock" info usernet >"$VW_TMP/usernet" ||
	vw_fail $T "info usernet failed"
tr -d '\n' <"$VW_TMP/usernet" | tr -s ' ' >"$VW_TMP/usernet1"
for c in ooo_queued ooo_delivered sack_rtx; do
	grep -q "$c [1-9]" "$VW_TMP/usernet1" ||
		vw_fail $T "tcp counter $c is 0 after the impaired transfers: $(grep -A3 'tcp counters' "$VW_TMP/usernet")"
done
grep -A3 "tcp counters" "$VW_TMP/usernet"
# Back-pressure: the engine pushes only what the stream port towards the
# slow relay can take and waits for it to drain, so that port drops
# (almost) nothing; before, its full 1 MiB ring dropped ~40% of the
# gateway's frames and SACK resent them.
"$VMWIRE" ctl "$VW_TMP/mon.sock" info network >"$VW_TMP/info" || vw_fail $T "info network failed"
grep -A3 '\\ s#1:' "$VW_TMP/info"
drops=$(awk '/\\ s#1:/{f=1} f && /tx /{sub(/.*tx /,""); print $5; exit}' "$VW_TMP/info")
[ -n "$drops" ] || vw_fail $T "no tx drops for s#1 in info network: $(cat "$VW_TMP/info")"
[ "$drops" -le 100 ] || vw_fail $T "stream port s#1 dropped $drops frames towards the relay (back-pressure should keep that near 0)"
vw_stop gwa
vw_wait_for -t 5 grep -q "relay:" "$VW_TMP/relay.log"
echo "$(cat "$VW_TMP/relay.log")"
grep -q "'lost': [1-9]" "$VW_TMP/relay.log" || vw_fail $T "the relay dropped nothing"
vw_pass "$T: $IMPAIR_MIB MiB each way intact through 3% loss, 10% reorder, 1% duplication"
vw_stop gwb
