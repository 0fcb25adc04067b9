#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vlan_isolation.sh - 802.1Q through TAP ports: two access ports (VLAN 10 and
# VLAN 20) and one trunk (trunk=10:20, no native VLAN), each TAP in its own
# namespace. The trunk's namespace talks through VLAN sub-interfaces.
#
# Checks: the access ports share an IP subnet yet cannot reach each other;
# the trunk's .10 reaches the VLAN 10 port and .20 the VLAN 20 port; the
# trunk's untagged interface reaches nobody (no native VLAN); frames on the
# trunk TAP carry the right tag while frames on access TAPs carry none.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping tcpdump
vw_tmpdir

T=vlan_isolation
vw_netns_add a
vw_netns_add b
vw_netns_add t
NA=$(vw_ns a)
NB=$(vw_ns b)
NT=$(vw_ns t)

vw_start sw -netdev tap,id=a,ifname=vwa,netns="$NA",vlan=10 \
	-netdev tap,id=b,ifname=vwb,netns="$NB",vlan=20 \
	-netdev tap,id=t,ifname=vwt,netns="$NT",trunk=10:20

# a and b share 10.60.0.0/24 (would talk if VLANs leaked); each also has
# an address in its VLAN's own subnet for the trunk to reach.
ip -n "$NA" addr add 10.60.0.1/24 dev vwa
ip -n "$NA" addr add 10.10.0.1/24 dev vwa
ip -n "$NB" addr add 10.60.0.2/24 dev vwb
ip -n "$NB" addr add 10.20.0.2/24 dev vwb
ip -n "$NT" addr add 10.60.0.3/24 dev vwt
for v in 10 20; do
	ip -n "$NT" link add link vwt name vwt.$v type vlan id $v ||
		vw_fail $T "cannot add vwt.$v"
	ip -n "$NT" addr add 10.$v.0.3/24 dev vwt.$v
	ip -n "$NT" link set vwt.$v up
done

ping_ok() { ip netns exec "$1" ping -q -c 2 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
ping_fails() { ! ip netns exec "$1" ping -q -c 3 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }

# Positive checks first: they prove the fabric forwards at all, so the
# negative ones below can't pass just because nothing works.
ping_ok "$NT" 10.10.0.1 || vw_fail $T "trunk vwt.10 cannot reach the VLAN 10 access port"
ping_ok "$NT" 10.20.0.2 || vw_fail $T "trunk vwt.20 cannot reach the VLAN 20 access port"
ping_ok "$NA" 10.10.0.3 || vw_fail $T "VLAN 10 access port cannot reach trunk vwt.10"
vw_pass "$T: trunk sub-interfaces reach their VLAN's access port"

ping_fails "$NA" 10.60.0.2 || vw_fail $T "VLAN 10 port reached the VLAN 20 port"
ping_fails "$NB" 10.60.0.1 || vw_fail $T "VLAN 20 port reached the VLAN 10 port"
ip -n "$NA" neigh show 10.60.0.2 | grep -q lladdr &&
	vw_fail $T "VLAN 10 port learned the VLAN 20 port's MAC (ARP leaked)"
vw_pass "$T: access ports on VLAN 10 and 20 are isolated"

ping_fails "$NT" 10.60.0.1 || vw_fail $T "untagged trunk traffic reached VLAN 10 (no native VLAN)"
ping_fails "$NT" 10.60.0.2 || vw_fail $T "untagged trunk traffic reached VLAN 20 (no native VLAN)"
vw_pass "$T: untagged frames on a trunk without native VLAN go nowhere"

# Tags on the wire: capture while pinging each VLAN from its access port.
ip netns exec "$NT" tcpdump -i vwt -e -n -l -c 4 icmp >"$VW_TMP/trunk.txt" 2>/dev/null &
t1=$!
ip netns exec "$NA" tcpdump -i vwa -e -n -l -c 2 icmp >"$VW_TMP/access.txt" 2>/dev/null &
t2=$!
sleep 1
ping_ok "$NA" 10.10.0.3 || vw_fail $T "ping VLAN 10 -> trunk during capture"
ping_ok "$NB" 10.20.0.3 || vw_fail $T "ping VLAN 20 -> trunk during capture"
for p in $t1 $t2; do
	for _ in $(seq 50); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
	kill $p 2>/dev/null
	wait $p 2>/dev/null
done
grep -q 'vlan 10,' "$VW_TMP/trunk.txt" && grep -q 'vlan 20,' "$VW_TMP/trunk.txt" ||
	vw_fail $T "trunk capture lacks 802.1Q tags 10 and 20: $(cat "$VW_TMP/trunk.txt")"
[ -s "$VW_TMP/access.txt" ] || vw_fail $T "access capture saw nothing"
grep -q 'vlan ' "$VW_TMP/access.txt" &&
	vw_fail $T "access port saw tagged frames: $(cat "$VW_TMP/access.txt")"
vw_pass "$T: trunk frames tagged 10/20, access frames untagged"
exit 0
