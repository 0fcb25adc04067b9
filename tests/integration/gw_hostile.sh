#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_hostile.sh - thousands of malformed frames at the user-mode gateway
# through a TAP port, then proof it is alive and still serves DHCP.
#
# The frames (scapy, tests/integration/gw_hostile.py) cover the classes of
# the libslirp CVEs: short Ethernet/NCSI-type frames (CVE-2020-29129),
# BOOTP/UDP shorter than their headers claim (CVE-2021-3592/3594), DHCP
# options running off the packet (CVE-2017-11434), IPv4 IHL and total
# length lies, fragments, UDP length lies to the gateway's services and to
# NAT destinations, truncated ICMP, DNS compression loops, and random byte
# mutations of valid ARP/IP/UDP/DHCP/DNS frames. Afterwards: the daemon
# runs, busybox udhcpc gets a lease, UDP NAT still answers, and info
# usernet shows the drops counted under their reasons.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static python3-scapy socat
vw_tmpdir

T=gw_hostile
MON=$VW_TMP/mon.sock
BB=$(command -v busybox) || vw_skip "busybox not found"
PY=/usr/bin/python3
"$PY" -c 'import scapy.all' 2>/dev/null || vw_skip "scapy not importable by $PY"
COUNT=${GW_HOSTILE_COUNT:-4000}

vw_netns_add ns
NS=$(vw_ns ns)
socat UDP4-RECVFROM:7777,bind=127.0.0.1,fork PIPE >"$VW_TMP/echo.log" 2>&1 &
vw_on_exit "kill $!"

vw_start gw -monitor "unix:$MON,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw0,netns="$NS" -netdev user,id=gw,max-udp-flows=64
ip netns exec "$NS" ip link set vw0 up

ip netns exec "$NS" timeout 300 "$PY" "$(dirname "$0")/gw_hostile.py" vw0 "$COUNT" \
	>"$VW_TMP/scapy.log" 2>&1 || vw_fail $T "scapy sender failed: $(tail -5 "$VW_TMP/scapy.log")"
sent=$(sed -n 's/^sent \([0-9]*\)$/\1/p' "$VW_TMP/scapy.log")
[ "${sent:-0}" -ge "$COUNT" ] || vw_fail $T "only ${sent:-0} frames sent"
kill -0 "${VW_PID[gw]}" 2>/dev/null || vw_fail $T "daemon died under hostile frames"
vw_pass "$T: daemon alive after $sent hostile frames"

cat >"$VW_TMP/udhcpc.sh" <<SCRIPT
#!/bin/sh
case "\$1" in
bound|renew)
	ip addr flush dev "\$interface"
	ip addr add "\$ip/\$subnet" dev "\$interface"
	ip route replace default via "\$router" dev "\$interface"
	echo "\$ip" >"$VW_TMP/lease"
	;;
esac
exit 0
SCRIPT
chmod +x "$VW_TMP/udhcpc.sh"
ip netns exec "$NS" timeout 30 "$BB" udhcpc -i vw0 -s "$VW_TMP/udhcpc.sh" -q -n -f -t 5 -T 2 \
	>"$VW_TMP/udhcpc.log" 2>&1 || vw_fail $T "no DHCP lease after the storm: $(cat "$VW_TMP/udhcpc.log")"
grep -q '^10\.0\.2\.' "$VW_TMP/lease" || vw_fail $T "odd lease $(cat "$VW_TMP/lease")"
vw_pass "$T: DHCP still answers ($(cat "$VW_TMP/lease"))"

out=$(printf still-alive | ip netns exec "$NS" timeout 5 socat -T 2 - UDP4:10.0.2.2:7777 2>&1)
[ "$out" = still-alive ] || vw_fail $T "UDP NAT after the storm: '$out'"
vw_pass "$T: UDP NAT still answers"

"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet failed"
for c in ip_bad_len ip_bad_ihl ip_truncated ip_fragments udp_bad_len dhcp_truncated \
	dhcp_bad_options arp_truncated icmp_truncated dns_malformed; do
	grep -Eq "\\b$c [1-9]" "$VW_TMP/usernet" ||
		vw_fail $T "counter $c not counted: $(cat "$VW_TMP/usernet")"
done
grep -Eq "dhcp_acks [1-9]" "$VW_TMP/usernet" || vw_fail $T "no dhcp_acks counted"
vw_pass "$T: info usernet shows the drops under their reasons"
vw_stop gw
