# SPDX-License-Identifier: MIT
#
# vxlan.sh - the test bed vxlan_kernel.sh and vxlan_mcast.sh share: Linux's
# vxlan driver in namespaces k1 and k2, vmwire's VTEP between them, a TAP
# into namespace h behind vmwire's switch. Source it after common.sh, in
# the test's private namespace, with T set to the test's name.
#
# Theory of operation: the kernel binds its VTEP's port in its own
# namespace, so vmwire's must be elsewhere: vmwire runs in the test's
# namespace, whose bridge br0 (10.99.0.2/24, the underlay, MTU 1500) joins
# k1 (10.99.0.1) and k2 (10.99.0.3) over veth pairs. The inner network is
# 10.50.0.0/24: k1 .1 (02:00:00:00:00:01), h .2 (02:00:00:00:00:02,
# vmwire's TAP "vwt", MTU 1450), k2 .3 (02:00:00:00:00:03). The tests
# differ in how the VTEPs find each other (remote= lists, a group), which
# they set up themselves.
#
# API:
#   vx_setup [BRIDGE-OPTIONS...]  namespaces k1 k2 h (K1 K2 H name them,
#                                 MON is vmwire's monitor socket), br0 with
#                                 the options, the veths, tx checksums on
#   vx_start NETDEV               vmwire "sw": -netdev NETDEV, the TAP into h
#                                 and the monitor; h's address and MAC
#   vx_check_learned              k1 learned h behind 10.99.0.2, vmwire
#                                 learned k1 and k2 each behind its VTEP
#   vx_copy SIZE NS ADDR          SIZE (head -c) from h to ADDR:5001 in NS
#                                 over TCP, sha256 compared

vx_setup() {
	local n ns
	vw_netns_add k1
	vw_netns_add k2
	vw_netns_add h
	K1=$(vw_ns k1)
	K2=$(vw_ns k2)
	H=$(vw_ns h)
	MON=$VW_TMP/mon.sock
	ip link add br0 type bridge "$@" && ip link set br0 up &&
		ip addr add 10.99.0.2/24 dev br0 || vw_fail $T "underlay bridge"
	n=1
	for ns in "$K1" "$K2"; do
		ip link add vk$n type veth peer name eth0 netns "$ns" &&
			ip link set vk$n master br0 up &&
			ip -n "$ns" addr add 10.99.0.$((n == 1 ? 1 : 3))/24 dev eth0 &&
			ip -n "$ns" link set eth0 up || vw_fail $T "veth to $ns"
		# A veth hands a local socket its packets with checksums still to
		# be filled (CHECKSUM_PARTIAL), so vmwire would see the kernel's
		# inner TCP checksums unfinished; a real NIC fills them. Make the
		# kernel do it.
		ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null || vw_fail $T "ethtool in $ns"
		n=$((n + 1))
	done
}

vx_start() {
	vw_start sw -netdev "$1" \
		-netdev tap,id=t,ifname=vwt,netns="$H",mtu=1450 \
		-monitor "unix:$MON,server=on,wait=off"
	ip -n "$H" addr add 10.50.0.2/24 dev vwt &&
		ip -n "$H" link set vwt address 02:00:00:00:00:02 || vw_fail $T "address in h"
}

vx_check_learned() {
	bridge -n "$K1" fdb show dev vx0 | grep -q '02:00:00:00:00:02 dst 10.99.0.2' ||
		vw_fail $T "kernel k1 did not learn h's MAC behind 10.99.0.2: $(bridge -n "$K1" fdb show dev vx0)"
	"$VMWIRE" ctl "$MON" info network >"$VW_TMP/info" || vw_fail $T "ctl info network"
	grep -q '02:00:00:00:00:01 via 10.99.0.1' "$VW_TMP/info" &&
		grep -q '02:00:00:00:00:03 via 10.99.0.3' "$VW_TMP/info" ||
		vw_fail $T "vmwire did not learn the kernel MACs per VTEP: $(cat "$VW_TMP/info")"
}

vx_copy() {
	local lpid
	head -c "$1" /dev/urandom >"$VW_TMP/in" || vw_fail $T "test data"
	ip netns exec "$2" timeout 30 socat -u TCP-LISTEN:5001,reuseaddr CREATE:"$VW_TMP/out" &
	lpid=$!
	vw_wait_for ip netns exec "$2" sh -c 'ss -ltn | grep -q ":5001 "' || vw_fail $T "listener"
	ip netns exec "$H" timeout 30 socat -u OPEN:"$VW_TMP/in" TCP:"$3":5001 ||
		vw_fail $T "sending $1 h -> $3"
	wait $lpid || vw_fail $T "receiver failed"
	[ "$(sha256sum <"$VW_TMP/in")" = "$(sha256sum <"$VW_TMP/out")" ] || vw_fail $T "sha256 mismatch"
}
