#!/bin/bash
# SPDX-License-Identifier: MIT
#
# ovs_overlay.sh - vmwire as a VXLAN and a Geneve VTEP against Open vSwitch's
# userspace datapath (no kernel module: datapath_type=netdev).
#
# ovsdb-server and ovs-vswitchd run by hand in namespace o, their run, log
# and database files in the test's directory. OVS holds two bridges: br-phy
# with the veth to vmwire and the underlay address 10.98.0.1 on its internal
# port, and br-int with the tunnel port (type=vxlan, then type=geneve,
# remote_ip=10.98.0.2, key=42) and an internal port vi0 (10.60.0.1), the
# station on OVS's side. vmwire runs in the test's namespace on the other
# end of the veth (10.98.0.2) with a TAP into namespace h (10.60.0.2, MTU
# 1450). For each tunnel type: ping both ways and 16 MiB each way over TCP,
# sha256-checked. OVS drops tunnel packets that reach its AF_PACKET socket
# with checksums left to fill, so the veth ends towards OVS have tx
# checksumming off (peers.md).
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping socat ethtool openvswitch-switch
vw_tmpdir

T=ovs_overlay
vw_netns_add o
vw_netns_add h
O=$(vw_ns o)
H=$(vw_ns h)
MON=$VW_TMP/mon.sock
D=$VW_TMP/ovs
mkdir -p "$D"
on() { ip netns exec "$O" "$@"; }
oenv() { on env OVS_RUNDIR="$D" OVS_LOGDIR="$D" OVS_DBDIR="$D" OVS_SYSCONFDIR="$D" "$@"; }
vsctl() { oenv ovs-vsctl --db=unix:"$D/db.sock" --timeout=20 "$@"; }

ip link add vo type veth peer name eth0 netns "$O" &&
	ip addr add 10.98.0.2/24 dev vo && ip link set vo up &&
	ip -n "$O" link set eth0 up || vw_fail $T "underlay veth"
ethtool -K vo tx off >/dev/null && on ethtool -K eth0 tx off >/dev/null ||
	vw_fail $T "ethtool tx off"

oenv ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
	vw_fail $T "ovsdb-tool create"
oenv ovsdb-server "$D/conf.db" --remote=punix:"$D/db.sock" --pidfile="$D/db.pid" --detach \
	--log-file="$D/db.log" || vw_fail $T "ovsdb-server"
vw_on_exit "kill \$(cat $D/db.pid 2>/dev/null) 2>/dev/null; true"
vsctl --no-wait init || vw_fail $T "ovs-vsctl init"
oenv ovs-vswitchd unix:"$D/db.sock" --pidfile="$D/vs.pid" --detach --log-file="$D/vs.log" ||
	vw_fail $T "ovs-vswitchd: $(tail -5 "$D/vs.log")"
vw_on_exit "kill \$(cat $D/vs.pid 2>/dev/null) 2>/dev/null; true"

vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy eth0 ||
	vw_fail $T "br-phy: $(tail -5 "$D/vs.log")"
vsctl add-br br-int -- set bridge br-int datapath_type=netdev \
	-- add-port br-int vi0 -- set interface vi0 type=internal || vw_fail $T "br-int"
vw_wait_for on ip link show br-phy || vw_fail $T "no br-phy interface"
vw_wait_for on ip link show vi0 || vw_fail $T "no vi0 interface"
on ip addr add 10.98.0.1/24 dev br-phy && on ip link set br-phy up &&
	on ip addr add 10.60.0.1/24 dev vi0 && on ip link set vi0 address 02:00:00:00:01:01 &&
	on ip link set vi0 mtu 1450 && on ip link set vi0 up || vw_fail $T "OVS addresses"
# The internal port is a TAP read by ovs-vswitchd: let the kernel finish
# the checksums of what it sends there.
on ethtool -K vi0 tx off >/dev/null 2>&1
head -c 16M /dev/urandom >"$VW_TMP/in" || vw_fail $T "test data"

# transfer FROM_NS TO_NS TO_ADDR LABEL: 16 MiB over TCP, sha256 compared
transfer() {
	rm -f "$VW_TMP/out"
	ip netns exec "$2" timeout 60 socat -u TCP-LISTEN:5001,reuseaddr CREATE:"$VW_TMP/out" &
	local lpid=$!
	vw_wait_for ip netns exec "$2" sh -c 'ss -ltn | grep -q ":5001 "' || vw_fail $T "$4: listener"
	ip netns exec "$1" timeout 60 socat -u OPEN:"$VW_TMP/in" TCP:"$3":5001 ||
		vw_fail $T "$4: sending 16 MiB"
	wait $lpid || vw_fail $T "$4: receiver failed"
	[ "$(sha256sum <"$VW_TMP/in")" = "$(sha256sum <"$VW_TMP/out")" ] ||
		vw_fail $T "$4: sha256 mismatch"
}

for kind in vxlan geneve; do
	vsctl --if-exists del-port br-int tun0 &&
		vsctl add-port br-int tun0 -- set interface tun0 type=$kind \
			options:remote_ip=10.98.0.2 options:key=42 || vw_fail $T "OVS $kind port"
	vw_start sw -netdev $kind,id=ov,vni=42,local=10.98.0.2,remote=10.98.0.1 \
		-netdev tap,id=t,ifname=vwt,netns="$H",mtu=1450 \
		-monitor "unix:$MON,server=on,wait=off"
	ip -n "$H" addr add 10.60.0.2/24 dev vwt && ip -n "$H" link set vwt address 02:00:00:00:01:02 &&
		ip -n "$H" link set vwt up || vw_fail $T "address in h"
	# OVS resolves the underlay neighbour first: the first pings may go.
	vw_wait_for -t 20 ip netns exec "$H" ping -q -c 1 -W 1 10.60.0.1 >/dev/null ||
		vw_fail $T "$kind: ping h -> OVS: $(vsctl show; oenv ovs-appctl -t "$D/ovs-vswitchd.$(cat "$D/vs.pid").ctl" coverage/show | grep -i drop)"
	ip netns exec "$H" ping -q -c 3 -i 0.2 -W 2 10.60.0.1 >/dev/null || vw_fail $T "$kind: ping h -> OVS"
	on ping -q -c 3 -i 0.2 -W 2 10.60.0.2 >/dev/null || vw_fail $T "$kind: ping OVS -> h"
	vw_pass "$T: $kind: ping through Open vSwitch's userspace datapath, both ways"
	transfer "$H" "$O" 10.60.0.1 "$kind h -> OVS"
	transfer "$O" "$H" 10.60.0.2 "$kind OVS -> h"
	"$VMWIRE" ctl "$MON" info network >"$VW_TMP/info" || vw_fail $T "ctl info network"
	grep -q '02:00:00:00:01:01 via 10.98.0.1' "$VW_TMP/info" ||
		vw_fail $T "$kind: vmwire did not learn OVS's station behind 10.98.0.1: $(cat "$VW_TMP/info")"
	vw_pass "$T: $kind: 16 MiB each way through Open vSwitch, sha256 matches"
	vw_stop sw
done
exit 0
