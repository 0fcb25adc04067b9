#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu_ipv6.sh - a QEMU guest (busybox, Debian kernel) on vmwire's user-mode
# gateway over IPv6, through -netdev stream: the kernel takes an address in
# fec0::/64 from the gateway's router advertisement (SLAAC), pings the
# gateway's fec0::2, and pings fd00:99::1, an address on this test's
# private namespace's lo, through the ICMPv6 NAT.

set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

T=qemu_ipv6
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2
vw_guest_build

ip link set lo up
ip -6 addr add fd00:99::1/128 dev lo

vw_start sw -monitor "unix:$VW_TMP/mon.sock,server=on,wait=off" \
	-netdev "stream,id=a,server=on,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	-netdev "user,id=gw,ra-interval=5"

# eth0 comes up with vw.ip; the RA does the rest.
GUEST_CMD='
n=0
while [ $n -lt 90 ] && ! ip -6 addr show dev eth0 | grep -q "inet6 fec0::"; do
	sleep 1; n=$((n + 1))
done
ip -6 addr show dev eth0 | sed "s/^/VWTEST-INFO addr: /"
ip -6 route | sed "s/^/VWTEST-INFO route: /"
ip -6 addr show dev eth0 | grep -q "inet6 fec0::" || { echo "VWTEST-INFO no SLAAC address"; exit 1; }
ping_until fec0::2 60 || exit 1
ping_until fd00:99::1 60 || exit 1
echo "VWTEST-INFO ipv6 ok"
'

vw_guest_run vm1 \
	"stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	"virtio-net-pci,netdev=n0,mac=52:54:00:60:00:61" \
	vw.ip=10.0.2.15/24 vw.timeout=280 "$(vw_guest_cmd "$GUEST_CMD")"
if ! vw_guest_result vm1 300; then
	grep VWTEST "$VW_TMP/vm1.log" | sed "s/^/vm1: /" >&2 || true
	vw_fail $T "the guest could not use the gateway over IPv6"
fi
grep -q "VWTEST-INFO addr: .*inet6 fec0::5054:ff:fe60:61/64" "$VW_TMP/vm1.log" ||
	vw_fail $T "unexpected SLAAC address: $(grep 'VWTEST-INFO addr' "$VW_TMP/vm1.log")"
"$VMWIRE" ctl "$VW_TMP/mon.sock" info usernet >"$VW_TMP/usernet"
grep -Eq "icmp_nat_in [1-9]" "$VW_TMP/usernet" ||
	vw_fail $T "no ICMPv6 NAT reply counted: $(cat "$VW_TMP/usernet")"
vw_pass "$T: SLAAC address from the RA, ping6 fec0::2 and fd00:99::1 (ICMPv6 NAT)"
vw_stop sw
