#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vxlan_kernel.sh - vmwire as a VXLAN VTEP against Linux's own vxlan driver.
#
# The kernel VTEPs live in namespaces k1 and k2 (the kernel binds
# 0.0.0.0:4789 in its namespace, so vmwire must be elsewhere); vmwire runs in
# the test's namespace, whose bridge joins both over veth pairs (underlay
# 10.99.0.0/24, MTU 1500). Behind vmwire's switch a TAP goes into namespace
# h. Checks: ping both ways; 32 MiB over TCP intact; the kernel learned h's
# MAC behind vmwire's address and vmwire learned each kernel MAC behind its
# own VTEP; unicast to k1 is not replicated to k2; source ports are hashed
# into 32768-60999; an inner 1450-byte IP packet passes with DF and a
# 1451-byte one is dropped by vmwire and counted (too-big-tx); with k1 on
# "nolearning" and only an all-zeros fdb entry (head-end replication on the
# kernel side) traffic still flows.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/vxlan.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping socat tcpdump ethtool
vw_tmpdir

T=vxlan_kernel
vx_setup
kvtep() { # NS UNDERLAY INNER MAC [nolearning]
	ip -n "$1" link add vx0 address "$4" type vxlan id 42 dstport 4789 local "$2" \
		remote 10.99.0.2 dev eth0 ${5:-} &&
		ip -n "$1" addr add "$3"/24 dev vx0 && ip -n "$1" link set vx0 up
}
kvtep "$K1" 10.99.0.1 10.50.0.1 02:00:00:00:00:01 || vw_fail $T "kernel vxlan in k1"
kvtep "$K2" 10.99.0.3 10.50.0.3 02:00:00:00:00:03 || vw_fail $T "kernel vxlan in k2"

vx_start vxlan,id=vx,vni=42,local=10.99.0.2,remote=10.99.0.1,remote=10.99.0.3

ip netns exec "$H" ping -q -c 3 -i 0.2 -W 2 10.50.0.1 >/dev/null || vw_fail $T "ping h -> k1"
ip netns exec "$K2" ping -q -c 3 -i 0.2 -W 2 10.50.0.2 >/dev/null || vw_fail $T "ping k2 -> h"
vw_pass "$T: ping through vmwire's VTEP to two kernel VTEPs, both ways"

ip -n "$K1" -o link show >/dev/null
vx_check_learned
grep -q 'mtu: inner = underlay - 50' "$VW_TMP/info" || vw_fail $T "no MTU arithmetic in info"
vw_pass "$T: kernel learned vmwire's MAC, vmwire learned each kernel MAC per VTEP"

# learned unicast goes to k1 only
before=$(ip -n "$K2" -s -j link show vx0 | sed 's/.*"rx":{"bytes":[0-9]*,"packets":\([0-9]*\).*/\1/')
ip netns exec "$H" ping -q -c 20 -i 0.01 -W 2 10.50.0.1 >/dev/null || vw_fail $T "ping burst h -> k1"
after=$(ip -n "$K2" -s -j link show vx0 | sed 's/.*"rx":{"bytes":[0-9]*,"packets":\([0-9]*\).*/\1/')
[ $((after - before)) -lt 5 ] || vw_fail $T "k2 received $((after - before)) packets of h->k1 unicast"
vw_pass "$T: unicast to a learned MAC goes only to its VTEP"

# source ports hashed into the Linux range
ip netns exec "$K1" timeout 5 tcpdump -ni eth0 -c 6 -l 'udp dst port 4789 and src host 10.99.0.2' \
	>"$VW_TMP/td" 2>/dev/null &
tpid=$!
sleep 1
for p in 5001 5002 5003 5004 5005 5006; do
	ip netns exec "$H" sh -c "echo x | socat -u - UDP:10.50.0.1:$p" 2>/dev/null
done
wait $tpid
ports=$(sed -n 's/.* 10\.99\.0\.2\.\([0-9]*\) > .*/\1/p' "$VW_TMP/td" | sort -u)
[ -n "$ports" ] || vw_fail $T "no tunnel packets captured: $(cat "$VW_TMP/td")"
for p in $ports; do
	[ "$p" -ge 32768 ] && [ "$p" -le 60999 ] || vw_fail $T "source port $p outside 32768-60999"
done
[ "$(echo "$ports" | wc -l)" -ge 2 ] || vw_fail $T "six flows all used source port $ports"
vw_pass "$T: source ports hashed per flow into 32768-60999 ($(echo $ports))"

vx_copy 32M "$K1" 10.50.0.1
vw_pass "$T: 32 MiB h -> k1 over VXLAN, sha256 matches"

# MTU: 1450-byte inner IP packets fit a 1500 underlay, 1451 do not (h's
# TAP gets a 1500 MTU so it can try)
ip -n "$H" link set vwt mtu 1500
ip netns exec "$H" ping -q -c 2 -i 0.2 -W 2 -M do -s 1422 10.50.0.1 >/dev/null ||
	vw_fail $T "1450-byte IP packet with DF h -> k1"
ip netns exec "$K1" ping -q -c 2 -i 0.2 -W 2 -M do -s 1422 10.50.0.2 >/dev/null ||
	vw_fail $T "1450-byte IP packet with DF k1 -> h"
ip netns exec "$H" ping -q -c 2 -i 0.2 -W 1 -M do -s 1423 10.50.0.1 >/dev/null 2>&1 &&
	vw_fail $T "1451-byte IP packet passed"
"$VMWIRE" ctl "$MON" info network >"$VW_TMP/info" || vw_fail $T "ctl info network"
grep -Eq 'too-big-tx [1-9]' "$VW_TMP/info" || vw_fail $T "1451 not counted: $(cat "$VW_TMP/info")"
vw_pass "$T: 1450-byte inner packets pass, 1451 dropped and counted as too-big-tx"

# kernel-side head-end replication: nolearning + all-zeros fdb entry
ip -n "$K1" link del vx0
kvtep "$K1" 10.99.0.1 10.50.0.1 02:00:00:00:00:01 nolearning || vw_fail $T "nolearning vx0"
bridge -n "$K1" fdb del 00:00:00:00:00:00 dev vx0 dst 10.99.0.2 2>/dev/null
bridge -n "$K1" fdb append 00:00:00:00:00:00 dev vx0 dst 10.99.0.2 || vw_fail $T "fdb append"
ip netns exec "$K1" ping -q -c 3 -i 0.2 -W 2 10.50.0.2 >/dev/null ||
	vw_fail $T "ping k1 (nolearning, head-end fdb) -> h"
bridge -n "$K1" fdb show dev vx0 | grep -q '02:00:00:00:00:02' &&
	vw_fail $T "nolearning kernel learned anyway"
vw_pass "$T: kernel head-end replication (nolearning + fdb append) to vmwire"

vw_stop sw
exit 0
