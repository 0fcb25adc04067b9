#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tap_two_namespaces.sh - two network namespaces joined through vmwire's
# switch by TAP ports that vmwire itself puts into them (netns=).
#
# ns1 gets a TAP that vmwire creates (mtu=9000); ns2 has a persistent TAP
# made beforehand with ip-tuntap, which vmwire must attach to rather than
# replace, and whose MTU it raises. Checks: both TAPs are up in their own
# namespace and not in vmwire's; ping both ways, also with jumbo frames;
# 100 MiB over TCP arrives with the same sha256; after vmwire stops, the
# TAP it created is gone and the persistent one is still there.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping socat
vw_tmpdir

T=tap_two_namespaces
vw_netns_add ns1
vw_netns_add ns2
NS1=$(vw_ns ns1)
NS2=$(vw_ns ns2)

ip -n "$NS2" tuntap add dev vw2 mode tap vnet_hdr ||
	vw_fail $T "cannot pre-create persistent TAP vw2"

vw_start sw -netdev tap,id=t1,ifname=vw1,netns="$NS1",mtu=9000 \
	-netdev tap,id=t2,ifname=vw2,netns="/run/netns/$NS2",mtu=9000

for pair in "$NS1 vw1" "$NS2 vw2"; do
	set -- $pair
	ip -n "$1" -o link show "$2" >"$VW_TMP/link" 2>&1 ||
		vw_fail $T "$2 missing in $1"
	grep -q ',UP' "$VW_TMP/link" && grep -q 'mtu 9000' "$VW_TMP/link" ||
		vw_fail $T "$2 in $1 not up with mtu 9000: $(cat "$VW_TMP/link")"
done
ip link show vw1 >/dev/null 2>&1 && vw_fail $T "vw1 was created in vmwire's own namespace"
ip link show vw2 >/dev/null 2>&1 && vw_fail $T "vw2 appeared in vmwire's own namespace"
vw_pass "$T: TAPs created/attached in their namespaces, up, mtu 9000"

ip -n "$NS1" addr add 10.50.0.1/24 dev vw1
ip -n "$NS2" addr add 10.50.0.2/24 dev vw2
ip netns exec "$NS1" ping -q -c 3 -i 0.2 -W 2 10.50.0.2 >/dev/null ||
	vw_fail $T "ping ns1 -> ns2"
ip netns exec "$NS2" ping -q -c 3 -i 0.2 -W 2 10.50.0.1 >/dev/null ||
	vw_fail $T "ping ns2 -> ns1"
vw_pass "$T: ping both ways"
ip netns exec "$NS1" ping -q -c 3 -i 0.2 -W 2 -M do -s 8972 10.50.0.2 >/dev/null ||
	vw_fail $T "9000-byte ping (DF) ns1 -> ns2"
vw_pass "$T: jumbo frames (9014-byte) pass unfragmented"

head -c 100M /dev/urandom >"$VW_TMP/in" || vw_fail $T "cannot make test data"
ip netns exec "$NS2" timeout 120 socat -u TCP-LISTEN:5001,reuseaddr \
	CREATE:"$VW_TMP/out" &
lpid=$!
vw_wait_for ip netns exec "$NS2" sh -c 'ss -ltn | grep -q ":5001 "' ||
	vw_fail $T "socat listener did not come up"
ip netns exec "$NS1" timeout 120 socat -u OPEN:"$VW_TMP/in" TCP:10.50.0.2:5001 ||
	vw_fail $T "sending 100 MiB ns1 -> ns2 failed"
wait $lpid || vw_fail $T "receiver failed"
a=$(sha256sum <"$VW_TMP/in" | cut -d' ' -f1)
b=$(sha256sum <"$VW_TMP/out" | cut -d' ' -f1)
[ "$a" = "$b" ] || vw_fail $T "sha256 mismatch after 100 MiB: $a vs $b"
vw_pass "$T: 100 MiB ns1 -> ns2, sha256 matches"

vw_stop sw
ip -n "$NS1" link show vw1 >/dev/null 2>&1 &&
	vw_fail $T "vw1 (created by vmwire) still exists after vmwire exited"
ip -n "$NS2" link show vw2 >/dev/null 2>&1 ||
	vw_fail $T "persistent vw2 vanished when vmwire exited"
vw_pass "$T: created TAP removed on exit, persistent TAP kept"
exit 0
