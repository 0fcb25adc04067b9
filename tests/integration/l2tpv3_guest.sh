#!/bin/bash
# SPDX-License-Identifier: MIT
#
# l2tpv3_guest.sh - a QEMU guest on -netdev l2tpv3 pings a guest on a vmwire
# stream port.
#
# VM1 (virtio-net) reaches vmwire over QEMU's own L2TPv3 (UDP mode, 32-bit
# cookies both ways, counter on): QEMU binds 127.0.0.2, vmwire 127.0.0.1
# (l2tpv3_qemu.sh covers the modes frame by frame without a guest). VM2
# (e1000) joins over -netdev stream on a unix socket. Each guest pings the
# other until a reply comes; then the l2tpv3 port must show traffic and no
# session or cookie drops, and the switch must have learned VM1's MAC on it.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_guest_build
T=l2tpv3_guest

# This netns is ours alone: fixed ports are safe.
L2="udp=on,srcport=17201,dstport=17200,counter=on"
vw_start sw \
	-netdev "l2tpv3,id=l2,src=127.0.0.1,dst=127.0.0.2,$L2,txsession=2,rxsession=1,txcookie=0x22,rxcookie=0x11" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$VW_TMP/s.sock" \
	-monitor "unix:$VW_TMP/mon.sock,server=on,wait=off"

vw_guest_run vm1 \
	"l2tpv3,id=n0,src=127.0.0.2,dst=127.0.0.1,udp=on,srcport=17200,dstport=17201,counter=on,txsession=1,rxsession=2,txcookie=0x11,rxcookie=0x22" \
	"virtio-net-pci,netdev=n0,mac=52:54:00:60:00:01" \
	vw.ip=10.60.0.1/24 vw.timeout=200 vw.linger=120 \
	"$(vw_guest_cmd 'ping_until 10.60.0.2 180')"
vw_guest_run vm2 \
	"stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/s.sock" \
	"e1000,netdev=n0,mac=52:54:00:60:00:02" \
	vw.ip=10.60.0.2/24 vw.timeout=200 vw.linger=120 \
	"$(vw_guest_cmd 'ping_until 10.60.0.1 180')"

ok=1
vw_guest_result vm1 240 || { echo "VM1 (l2tpv3) could not ping VM2"; ok=; }
vw_guest_result vm2 240 || { echo "VM2 (stream) could not ping VM1"; ok=; }
[ -n "$ok" ] || vw_fail $T "guests could not ping each other: $(tail -5 "$VW_TMP/vm1.qemu.log")"

"$VMWIRE" ctl "$VW_TMP/mon.sock" info network >"$VW_TMP/info" 2>&1 ||
	vw_fail $T "monitor 'info network' failed"
grep -qi "52:54:00:60:00:01" "$VW_TMP/info" || vw_fail $T "VM1's MAC not learned: $(cat "$VW_TMP/info")"
grep -q "wrong session 0, wrong cookie 0" "$VW_TMP/info" ||
	vw_fail $T "drops on the QEMU L2TPv3 link: $(grep -A3 l2tpv3 "$VW_TMP/info")"
vw_stop sw
vw_pass "$T: a guest on QEMU's -netdev l2tpv3 (udp, 32-bit cookies, counter) and one on a stream port ping each other"
