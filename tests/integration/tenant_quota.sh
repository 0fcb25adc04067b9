#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tenant_quota.sh - fair shares of the gateway's tables between guests and
# a leaving guest's flows (issue 14, items 4-6). A hostile guest and a
# victim, two -netdev stream peers on one switch (tenant_quota.py, scapy):
#  - the attacker fills the TCP (max-tcp-flows=32), UDP (max-udp-flows=16),
#    DNS (64 in flight), ICMP echo (64) and reassembly (max-frags=4) tables
#    alone; the victim's TCP connection, UDP, DNS, ping and fragmented
#    datagram then work, and the attacker's next tries get RST, ICMP
#    admin-prohibited and SERVFAIL; quota_refused_* and quota_reclaimed
#    count them;
#  - a fragment forged with the victim's address and IP ID from the
#    attacker's port does not join the victim's datagram;
#  - a DNS upstream answering with a wrong ID, a wrong question and from a
#    wrong port before the real answer: only the real one reaches the guest;
#  - the attacker opens 200 TCP and 40 UDP flows and disconnects: vmwire's
#    fd count is back at once, info usernet lists none of its flows;
#  - an ARP reply claiming the victim's static (unleased) address does not
#    move it at the gateway;
#  - host-loopback=off: an address the host gets after vmwire started is
#    refused too (rtnetlink RTM_NEWADDR).
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs python3-scapy
vw_tmpdir

T=tenant_quota
PY=/usr/bin/python3
"$PY" -c 'import scapy.all' 2>/dev/null || vw_skip "scapy not importable by $PY"
ip link set lo up
DNSP=5354 SINK=7100 ECHO=7101

run_py() { # NAME MODE INSTANCE [ADDR]
	timeout 120 "$PY" "$(dirname "$0")/tenant_quota.py" "$2" "$VW_TMP/$3.sock" $DNSP $SINK \
		$ECHO "${VW_PID[$3]}" ${4:-} >"$VW_TMP/$1.out" 2>&1
	local rc=$?
	cat "$VW_TMP/$1.out"
	grep -q '^done' "$VW_TMP/$1.out" ||
		vw_fail $T "$1 script did not finish: $(tail -5 "$VW_TMP/$1.out")"
	[ $rc -eq 0 ] || vw_fail $T "$1: $(grep -c '^FAIL' "$VW_TMP/$1.out") checks failed"
}

# ---- shares -------------------------------------------------------------------
vw_start q -monitor "unix:$VW_TMP/q.mon,server=on,wait=off" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$VW_TMP/q.sock" \
	-netdev "user,id=gw,max-tcp-flows=32,max-udp-flows=16,max-frags=4,dns-upstream=127.0.0.1:$DNSP"
ip addr add 198.51.100.8/32 dev lo # a host address for ICMP echo through the NAT
run_py quota quota q 198.51.100.8
"$VMWIRE" ctl "$VW_TMP/q.mon" info usernet >"$VW_TMP/q.usernet" || vw_fail $T "info usernet failed"
for c in quota_refused_tcp quota_refused_udp quota_refused_icmp quota_refused_dns \
	quota_refused_frag quota_reclaimed; do
	grep -Eq "\\b$c [1-9]" "$VW_TMP/q.usernet" ||
		vw_fail $T "counter $c not counted: $(grep quota_ "$VW_TMP/q.usernet")"
done
for k in max-flows-per-guest max-dns-per-guest max-frags-per-guest; do
	[ "$(grep -c "holds its share .*$k" "$VW_TMP/q.log")" -ge 1 ] ||
		vw_fail $T "no refusal naming $k logged: $(cat "$VW_TMP/q.log")"
done
[ "$(grep -c "holds its share of UDP flows" "$VW_TMP/q.log")" = 1 ] ||
	vw_fail $T "the UDP refusal was not logged exactly once"
vw_pass "$T: a guest that filled each table alone leaves room for the next; over its share it gets RST, ICMP 3/13, SERVFAIL; counted, logged once"
vw_pass "$T: forged fragments and spoofed upstream answers never reach the victim"
vw_stop q

# ---- a leaving guest ------------------------------------------------------------
vw_start d -monitor "unix:$VW_TMP/d.mon,server=on,wait=off" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$VW_TMP/d.sock" \
	-netdev "user,id=gw,dns-upstream=127.0.0.1:$DNSP"
VW_CTL="$VMWIRE ctl $VW_TMP/d.mon" run_py disconnect disconnect d
"$VMWIRE" ctl "$VW_TMP/d.mon" info usernet >"$VW_TMP/d.usernet" || vw_fail $T "info usernet failed"
n=$(grep -oE "\\bquota_left_closed [0-9]+" "$VW_TMP/d.usernet" | awk '{ print $2 }')
[ "${n:-0}" -ge 240 ] || vw_fail $T "quota_left_closed ${n:-missing}, not 240 or more"
vw_pass "$T: 200 TCP + 40 UDP flows of a guest that disconnects close at once ($(grep '^fds' "$VW_TMP/disconnect.out" | tr '\n' ' '))"
vw_stop d

# ---- host-loopback=off and an address added later ------------------------------
vw_start h -monitor "unix:$VW_TMP/h.mon,server=on,wait=off" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$VW_TMP/h.sock" \
	-netdev "user,id=gw,host-loopback=off"
ip addr add 198.51.100.7/32 dev lo
run_py hostaddr hostaddr h 198.51.100.7
"$VMWIRE" ctl "$VW_TMP/h.mon" info usernet >"$VW_TMP/h.usernet" || vw_fail $T "info usernet failed"
grep -Eq "\\bnat_denied [1-9]" "$VW_TMP/h.usernet" ||
	vw_fail $T "nat_denied not counted: $(grep nat_denied "$VW_TMP/h.usernet")"
vw_pass "$T: host-loopback=off refuses a host address added after start"
vw_stop h
