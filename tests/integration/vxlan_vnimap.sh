#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vxlan_vnimap.sh - vni-map=: the VLANs of vmwire's switch each in its own
# VNI, against Linux's vxlan.
#
# Two kernel VTEPs: k1 on VNI 5010, k2 on VNI 5020, both with the inner
# address 10.50.0.1 (different MACs), so which one answers shows which VNI a
# frame rode in. vmwire in the test's namespace has one vxlan netdev with
# vni-map=10:5010;20:5020 towards both, and two access TAPs, h10 on VLAN 10
# and h20 on VLAN 20. Checks: h10 reaches k1's MAC and h20 k2's (never the
# other), the tunnel carries no 802.1Q tag (tcpdump on k1's underlay), and
# an unmapped VLAN (30) is not carried: the port is no member of it.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping tcpdump ethtool
vw_tmpdir

T=vxlan_vnimap
for n in k1 k2 h10 h20 h30; do vw_netns_add $n; done
K1=$(vw_ns k1) K2=$(vw_ns k2)
MON=$VW_TMP/mon.sock

ip link add br0 type bridge && ip link set br0 up &&
	ip addr add 10.99.0.2/24 dev br0 || vw_fail $T "underlay bridge"
n=1
for ns in "$K1" "$K2"; do
	u=$((n == 1 ? 1 : 3)) vni=$((n == 1 ? 5010 : 5020))
	ip link add vk$n type veth peer name eth0 netns "$ns" && ip link set vk$n master br0 up &&
		ip -n "$ns" addr add 10.99.0.$u/24 dev eth0 && ip -n "$ns" link set eth0 up ||
		vw_fail $T "veth to $ns"
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null || vw_fail $T "ethtool in $ns"
	ip -n "$ns" link add vx0 address 02:00:00:00:0$n:01 type vxlan id $vni dstport 4789 \
		local 10.99.0.$u remote 10.99.0.2 dev eth0 &&
		ip -n "$ns" addr add 10.50.0.1/24 dev vx0 && ip -n "$ns" link set vx0 up ||
		vw_fail $T "kernel vxlan in $ns"
	n=$((n + 1))
done

vw_start sw -netdev "vxlan,id=vx,vni-map=10:5010;20:5020,local=10.99.0.2,remote=10.99.0.1,remote=10.99.0.3" \
	-netdev tap,id=t10,ifname=vwt,netns="$(vw_ns h10)",vlan=10,mtu=1450 \
	-netdev tap,id=t20,ifname=vwt,netns="$(vw_ns h20)",vlan=20,mtu=1450 \
	-netdev tap,id=t30,ifname=vwt,netns="$(vw_ns h30)",vlan=30,mtu=1450 \
	-monitor "unix:$MON,server=on,wait=off"
for v in 10 20 30; do
	ip -n "$(vw_ns h$v)" addr add 10.50.0.$v/24 dev vwt || vw_fail $T "address in h$v"
done
"$VMWIRE" ctl "$MON" info network | grep -q "vni-map 10:5010;20:5020" ||
	vw_fail $T "info network does not show the map: $("$VMWIRE" ctl "$MON" info network)"

ip netns exec "$K1" timeout 8 tcpdump -ni eth0 -c 1 -l -e 'udp dst port 4789' >"$VW_TMP/td" 2>&1 &
tpid=$!
sleep 1
for v in 10 20; do
	ip netns exec "$(vw_ns h$v)" ping -q -c 3 -i 0.2 -W 2 10.50.0.1 >/dev/null ||
		vw_fail $T "ping h$v -> 10.50.0.1"
done
want() { # VLAN MAC: h<VLAN> resolved 10.50.0.1 to MAC
	ip -n "$(vw_ns h$1)" neigh show 10.50.0.1 | grep -q "$2" ||
		vw_fail $T "h$1 reached $(ip -n "$(vw_ns h$1)" neigh show 10.50.0.1), not $2"
}
want 10 02:00:00:00:01:01
want 20 02:00:00:00:02:01
vw_pass "$T: VLAN 10 rides VNI 5010 (k1), VLAN 20 VNI 5020 (k2), same inner address"

wait $tpid
grep -q "vlan" "$VW_TMP/td" && vw_fail $T "an 802.1Q tag in the tunnel: $(cat "$VW_TMP/td")"
grep -q "4789" "$VW_TMP/td" || vw_fail $T "no tunnel packet captured: $(cat "$VW_TMP/td")"
ip netns exec "$(vw_ns h30)" ping -q -c 2 -i 0.2 -W 1 10.50.0.1 >/dev/null 2>&1 &&
	vw_fail $T "unmapped VLAN 30 reached a VTEP"
# A kernel that saw h30's ARP request would hold a neighbour entry for it.
for ns in "$K1" "$K2"; do
	[ -z "$(ip -n "$ns" neigh show 10.50.0.30)" ] ||
		vw_fail $T "VLAN 30's ARP reached $ns: $(ip -n "$ns" neigh show 10.50.0.30)"
done
vw_pass "$T: no tag inside the tunnel; an unmapped VLAN is not carried"
vw_stop sw
exit 0
