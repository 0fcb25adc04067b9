#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vxlan_mcast.sh - vmwire's VXLAN VTEP on a multicast group (group= with
# dev=) against Linux's vxlan driver on the same group.
#
# Kernel VTEPs in namespaces k1 and k2 (group 239.1.1.42 on their eth0),
# vmwire in the test's namespace on the bridge br0 joining them (underlay
# 10.99.0.0/24, snooping off so the bridge floods the group like a hub);
# behind vmwire's switch a TAP into namespace h. Checks: broadcast and
# unknown unicast from vmwire go to the group once (k2 sees h's ARP to
# k1's address with destination 239.1.1.42, not a unicast copy), the
# kernels' floods to the group reach vmwire; ping h <-> k1 and k2 -> h;
# both sides learn unicast VTEP addresses; 8 MiB h -> k2 intact.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/vxlan.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping socat tcpdump ethtool
vw_tmpdir

T=vxlan_mcast
GROUP=239.1.1.42
vx_setup mcast_snooping 0
n=1
for ns in "$K1" "$K2"; do
	ip -n "$ns" link add vx0 address 02:00:00:00:00:0$((n == 1 ? 1 : 3)) type vxlan id 42 \
		dstport 4789 local 10.99.0.$((n == 1 ? 1 : 3)) group $GROUP dev eth0 &&
		ip -n "$ns" addr add 10.50.0.$((n == 1 ? 1 : 3))/24 dev vx0 &&
		ip -n "$ns" link set vx0 up || vw_fail $T "kernel vxlan in $ns"
	n=$((n + 1))
done

vx_start vxlan,id=vx,vni=42,local=10.99.0.2,group=$GROUP,dev=br0
"$VMWIRE" ctl "$MON" info network | grep -q "group $GROUP dev br0" ||
	vw_fail $T "info network does not show the group: $("$VMWIRE" ctl "$MON" info network)"

# vmwire's flood (h's ARP for k1) goes to the group: k2 hears it there.
ip netns exec "$K2" timeout 8 tcpdump -ni eth0 -c 1 -l \
	"udp dst port 4789 and src host 10.99.0.2 and dst host $GROUP" >"$VW_TMP/td" 2>/dev/null &
tpid=$!
sleep 1
ip netns exec "$H" ping -q -c 3 -i 0.2 -W 2 10.50.0.1 >/dev/null || vw_fail $T "ping h -> k1"
wait $tpid
grep -q "> $GROUP.4789" "$VW_TMP/td" || vw_fail $T "vmwire's flood was not sent to $GROUP: $(cat "$VW_TMP/td")"
vw_pass "$T: h -> k1 ping; vmwire floods to the group (k2 heard it on $GROUP)"

# The kernel's flood to the group (k2's ARP for h) reaches vmwire.
ip netns exec "$K2" ping -q -c 3 -i 0.2 -W 2 10.50.0.2 >/dev/null || vw_fail $T "ping k2 -> h"
vw_pass "$T: k2 -> h ping: the kernel's flood to the group reached vmwire"

vx_check_learned
vw_pass "$T: unicast VTEPs learned on both sides from group traffic"

vx_copy 8M "$K2" 10.50.0.3
vw_pass "$T: 8 MiB h -> k2 over VXLAN learned from the group, sha256 matches"
vw_stop sw
exit 0
