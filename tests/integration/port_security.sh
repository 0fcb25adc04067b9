#!/bin/bash
# SPDX-License-Identifier: MIT
#
# port_security.sh - a hostile guest next to a victim on one switch behind
# the gateway (issue 14, items 1-3): MAC theft by ARP, the gateway's MAC,
# a MAC flood, ICMP rebinding the gateway's ARP entry under a hostfwd,
# gratuitous ARP for 10.0.2.2, a DHCP pool drain with random chaddrs and a
# forged RELEASE. The attacks run in port_security.py (scapy, two -netdev
# stream peers); here: the victim's lease survives, and each refusal is
# counted in info network and info usernet.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs python3-scapy
vw_tmpdir

T=port_security
MON=$VW_TMP/mon.sock
PY=/usr/bin/python3
"$PY" -c 'import scapy.all' 2>/dev/null || vw_skip "scapy not importable by $PY"
HF=2222

vw_start sw -monitor "unix:$MON,server=on,wait=off" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$VW_TMP/s.sock" \
	-netdev "user,id=gw,max-leases=4,hostfwd=tcp:127.0.0.1:$HF-10.0.2.15:22"

timeout 120 "$PY" "$(dirname "$0")/port_security.py" "$VW_TMP/s.sock" "$HF" \
	>"$VW_TMP/py.log" 2>&1
rc=$?
cat "$VW_TMP/py.log"
grep -q '^done' "$VW_TMP/py.log" || vw_fail $T "attack script did not finish: $(tail -5 "$VW_TMP/py.log")"
[ $rc -eq 0 ] || vw_fail $T "$(grep -c '^FAIL' "$VW_TMP/py.log") checks failed"
vw_pass "$T: every attack refused, the victim kept working"

"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet failed"
grep -Eq '52:54:00:00:00:01 +10\.0\.2\.15 +bound' "$VW_TMP/usernet" ||
	vw_fail $T "the victim's lease is not bound after a forged RELEASE: $(cat "$VW_TMP/usernet")"
for c in dhcp_foreign dhcp_port_full arp_spoofed; do
	grep -Eq "\\b$c [1-9]" "$VW_TMP/usernet" ||
		vw_fail $T "counter $c not counted: $(cat "$VW_TMP/usernet")"
done
vw_pass "$T: the victim's lease survives a forged RELEASE; refusals counted"

"$VMWIRE" ctl "$MON" info network >"$VW_TMP/network" || vw_fail $T "info network failed"
for c in sec_moved sec_local sec_cap sec_arp; do
	grep -Eq "\\b$c [1-9]" "$VW_TMP/network" ||
		vw_fail $T "counter $c not counted: $(cat "$VW_TMP/network")"
done
grep -q "port security drops frames from port 's#2'" "$VW_TMP/sw.log" ||
	vw_fail $T "no port security warning naming the attacker's port"
vw_pass "$T: info network counts each refusal, the log names the port"
vw_stop sw
