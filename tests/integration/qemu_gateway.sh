#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu_gateway.sh - QEMU guests behind vmwire's user-mode gateway.
#
# vmwire runs a unix stream server and "-netdev user,id=gw" on the same
# switch. Two guests (virtio-net over QEMU's -netdev stream) boot with
# vw.dhcp=1, so busybox udhcpc configures eth0 from the gateway's DHCP
# server. Each must get a lease with router 10.0.2.2 and DNS 10.0.2.3, the
# two leases must be 10.0.2.15 and 10.0.2.16 (one each: which guest asks
# first is up to the scheduler), each guest pings 10.0.2.2 and resolves a
# name served by a local dnsmasq (the gateway's only upstream,
# 127.0.0.1:5353 in this test's private namespace) through 10.0.2.3, both
# naming the server and through the resolv.conf DHCP gave it.

set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

T=qemu_gateway
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs dnsmasq-base iproute2
vw_guest_build

DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || vw_skip "dnsmasq not found"
vw_dnsmasq_upstream "$DNSMASQ"

vw_start sw \
	-netdev "stream,id=a,server=on,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	-netdev "user,id=gw,dns-upstream=127.0.0.1:5353"

# Runs in each guest after udhcpc configured eth0.
GUEST_CMD='
ping_until 10.0.2.2 120 || exit 1
nslookup www.example.test 10.0.2.3 >/tmp/ns1 2>&1
sed "s/^/VWTEST-INFO ns1: /" /tmp/ns1
grep -q "127\.0\.0\.7" /tmp/ns1 || { echo "VWTEST-INFO no answer via 10.0.2.3"; exit 1; }
sed "s/^/VWTEST-INFO resolv.conf: /" /etc/resolv.conf
nslookup www.example.test >/tmp/ns2 2>&1
sed "s/^/VWTEST-INFO ns2: /" /tmp/ns2
grep -q "127\.0\.0\.7" /tmp/ns2 || { echo "VWTEST-INFO no answer via resolv.conf"; exit 1; }
echo "VWTEST-INFO gateway ok"
'

for i in 1 2; do
	vw_guest_run "vm$i" \
		"stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/a.sock" \
		"virtio-net-pci,netdev=n0,mac=52:54:00:60:00:0$i" \
		vw.dhcp=1 vw.timeout=240 "$(vw_guest_cmd "$GUEST_CMD")"
done

ok=1
for i in 1 2; do
	vw_guest_result "vm$i" 300 || { echo "vm$i: gateway checks failed" >&2; ok=; }
done
if [ -z "$ok" ]; then
	for i in 1 2; do grep VWTEST "$VW_TMP/vm$i.log" | sed "s/^/vm$i: /" >&2 || true; done
	vw_fail $T "a guest could not use the gateway"
fi

leases=()
for i in 1 2; do
	# The serial console ends lines with CR LF.
	line=$(grep -m1 '^VWTEST-DHCP ' "$VW_TMP/vm$i.log" | tr -d '\r')
	[ -n "$line" ] || vw_fail $T "vm$i printed no lease"
	case " $line " in
	*" subnet=255.255.255.0 router=10.0.2.2 dns=10.0.2.3 "*) ;;
	*) vw_fail $T "vm$i: unexpected lease: $line" ;;
	esac
	leases+=("$(sed -n 's/.* ip=\([0-9.]*\) .*/\1/p' <<<"$line")")
done
got=$(printf '%s\n' "${leases[@]}" | sort | tr '\n' ' ')
[ "$got" = "10.0.2.15 10.0.2.16 " ] ||
	vw_fail $T "leases are '$got', expected 10.0.2.15 and 10.0.2.16, one each"
vw_pass "$T: udhcpc leases ${leases[0]} and ${leases[1]}, router 10.0.2.2, dns 10.0.2.3"
vw_pass "$T: both guests ping 10.0.2.2 and resolve www.example.test via 10.0.2.3"

vw_stop sw
vw_pass $T
