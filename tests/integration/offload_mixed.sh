#!/bin/bash
# SPDX-License-Identifier: MIT
#
# offload_mixed.sh - the software segmenter end to end, with the kernel
# checking every checksum.
#
# ns1's TAP has offloads on (the default), so its TCP stack hands vmwire
# 64 KiB TSO frames with partial checksums; ns2's TAP has offload=off, so
# vmwire must cut each one into wire-sized segments with complete IPv4 and
# TCP checksums before writing it. Checks: the TAPs report the offload
# state we asked for; 100 MiB ns1 -> ns2 (segmented) and ns2 -> ns1 (plain)
# over IPv4 and 20 MiB over IPv6 arrive with the same sha256; ns2's kernel
# saw no checksum errors; and the port counters show that what came in
# from ns1 was big frames and what went out to ns2 was at most 1514 bytes
# each, so the segmenter really ran.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping socat ethtool
vw_tmpdir

T=offload_mixed
vw_netns_add ns1
vw_netns_add ns2
NS1=$(vw_ns ns1)
NS2=$(vw_ns ns2)
MON=$VW_TMP/mon

vw_start sw -netdev tap,id=t1,ifname=vw1,netns="$NS1" \
	-netdev tap,id=t2,ifname=vw2,netns="$NS2",offload=off \
	-monitor "unix:$MON,server=on,wait=off"

ip netns exec "$NS1" ethtool -k vw1 | grep -q '^tcp-segmentation-offload: on' ||
	vw_fail $T "TSO not on for vw1 (offload=on default)"
ip netns exec "$NS2" ethtool -k vw2 | grep -q '^tcp-segmentation-offload: off' ||
	vw_fail $T "TSO not off for vw2 (offload=off)"
vw_pass "$T: vw1 offloads on, vw2 off"

ip -n "$NS1" addr add 10.51.0.1/24 dev vw1
ip -n "$NS2" addr add 10.51.0.2/24 dev vw2
ip -n "$NS1" addr add fd51::1/64 dev vw1 nodad
ip -n "$NS2" addr add fd51::2/64 dev vw2 nodad
ip netns exec "$NS1" ping -q -c 2 -i 0.2 -W 2 10.51.0.2 >/dev/null ||
	vw_fail $T "ping ns1 -> ns2"

# transfer FROM TO ADDR SIZE_MIB LABEL
transfer() {
	local from=$1 to=$2 addr=$3 mib=$4 label=$5 lpid a b
	head -c "${mib}M" /dev/urandom >"$VW_TMP/in" || vw_fail $T "cannot make test data"
	rm -f "$VW_TMP/out"
	ip netns exec "$to" timeout 120 socat -u TCP6-LISTEN:5001,reuseaddr,ipv6only=0 \
		CREATE:"$VW_TMP/out" &
	lpid=$!
	vw_wait_for ip netns exec "$to" sh -c 'ss -ltn | grep -q ":5001 "' ||
		vw_fail $T "$label: socat listener did not come up"
	ip netns exec "$from" timeout 120 socat -u OPEN:"$VW_TMP/in" "TCP:$addr:5001" ||
		vw_fail $T "$label: sending failed"
	wait $lpid || vw_fail $T "$label: receiver failed"
	a=$(sha256sum <"$VW_TMP/in" | cut -d' ' -f1)
	b=$(sha256sum <"$VW_TMP/out" | cut -d' ' -f1)
	[ "$a" = "$b" ] || vw_fail $T "$label: sha256 mismatch: $a vs $b"
	vw_pass "$T: $label, sha256 matches"
}

ip netns exec "$NS2" nstat -n >/dev/null 2>&1
transfer "$NS1" "$NS2" 10.51.0.2 100 "100 MiB ns1 -> ns2 over IPv4 (TSO, segmented by vmwire)"
transfer "$NS1" "$NS2" "[fd51::2]" 20 "20 MiB ns1 -> ns2 over IPv6 (TSO6, segmented by vmwire)"
transfer "$NS2" "$NS1" 10.51.0.1 100 "100 MiB ns2 -> ns1 over IPv4 (plain frames)"

errs=$(ip netns exec "$NS2" nstat -az TcpInCsumErrors Ip6InCsumErrors IpInCsumErrors 2>/dev/null |
	awk '/CsumErrors/ { s += $2 } END { print s + 0 }')
[ "$errs" = 0 ] || vw_fail $T "ns2's kernel counted $errs checksum errors"
vw_pass "$T: no checksum errors in ns2"

"$VMWIRE" ctl "$MON" info network >"$VW_TMP/info" || vw_fail $T "info network failed"
# "rx F frames B bytes D drops, tx F frames B bytes D drops" under each port.
stats() { grep -A3 "\\\\ $1:" "$VW_TMP/info" | grep -m1 ' rx '; }
read -r rxf rxb <<<"$(stats t1 | awk '{ print $2, $4 }')"
read -r txf txb <<<"$(stats t2 | awk '{ print $9, $11 }')"
[ -n "${rxf:-}" ] && [ -n "${txf:-}" ] || { cat "$VW_TMP/info"; vw_fail $T "no counters in info network"; }
echo "t1 rx $rxf frames $rxb bytes; t2 tx $txf frames $txb bytes"
[ $((rxb / rxf)) -gt 3000 ] ||
	vw_fail $T "frames from ns1 average $((rxb / rxf)) bytes: no TSO frames reached vmwire"
[ $((txb / txf)) -le 1514 ] ||
	vw_fail $T "frames to ns2 average $((txb / txf)) bytes: not segmented"
[ "$txf" -gt $((100 * 1024 * 1024 / 1448)) ] ||
	vw_fail $T "only $txf frames to ns2 for 120 MiB"
vw_pass "$T: big frames in from ns1, wire-sized segments out to ns2"

vw_stop sw
exit 0
