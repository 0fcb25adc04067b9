#!/bin/bash
# SPDX-License-Identifier: MIT
#
# l2tpv3_qemu.sh - -netdev l2tpv3 against QEMU's own -netdev l2tpv3.
#
# Topology (one private netns, loopback only; QEMU binds 127.0.0.2 and
# vmwire 127.0.0.1 so neither raw socket sees the other's packets as its
# own):
#
#   python A <-udp-> QEMU dgram = hub = QEMU l2tpv3 <-L2TPv3-> vmwire l2tpv3
#                                                   = vmwire switch = vmwire dgram <-udp-> python B
#
# QEMU (-M none, no guest) bridges its L2TPv3 link to a UDP socket, so every
# frame python sends on A must come out of B byte for byte and back: udp and
# ip modes, no cookie, 32- and 64-bit cookies, counter on, and QEMU's
# "cookie64=off still means 64 bits" quirk. Then python is vmwire's L2TPv3
# peer itself: vmwire's header bytes are checked exactly, and hostile packets
# (truncated, control, wrong session, wrong cookie, empty, runt) must be
# dropped and counted in "info network" while the daemon carries on.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
command -v qemu-system-x86_64 >/dev/null || vw_need_pkgs qemu-system-x86
PY=/usr/bin/python3
TOOL=$VW_ROOT/tests/integration/l2tpv3_tool.py
T=$VW_TMP
N=20
run=0

# variant NAME "QEMU l2tpv3 keys" "vmwire l2tpv3 keys": the keys other than
# src/dst/ports; QEMU sends session 1 and expects 2.
variant() {
	local name=$1 qkeys=$2 vkeys=$3 qpid
	run=$((run + 1))
	local vp=$((17000 + run * 10)) qp=$((17000 + run * 10 + 1))
	local ports_q="" ports_v=""
	case $qkeys in *udp=on*)
		ports_q=",srcport=$qp,dstport=$vp"
		ports_v=",srcport=$vp,dstport=$qp" ;;
	esac
	vw_start "vw$run" -netdev "l2tpv3,id=l2,src=127.0.0.1,dst=127.0.0.2$ports_v,$vkeys" \
		-netdev "dgram,id=d0,local.type=inet,local.host=127.0.0.1,local.port=$((vp + 2)),remote.type=inet,remote.host=127.0.0.1,remote.port=$((vp + 3))" \
		-monitor "unix:$T/mon$run.sock,server=on,wait=off"
	qemu-system-x86_64 -M none -nodefaults -display none \
		-netdev "l2tpv3,id=l2,src=127.0.0.2,dst=127.0.0.1$ports_q,$qkeys" \
		-netdev "dgram,id=d0,local.type=inet,local.host=127.0.0.1,local.port=$((vp + 4)),remote.type=inet,remote.host=127.0.0.1,remote.port=$((vp + 5))" \
		-netdev hubport,id=h0,hubid=0,netdev=l2 -netdev hubport,id=h1,hubid=0,netdev=d0 \
		>"$T/qemu$run.log" 2>&1 &
	qpid=$!
	vw_on_exit "kill $qpid 2>/dev/null; true"
	sleep 0.5
	kill -0 $qpid 2>/dev/null || vw_fail "$name" "QEMU exited: $(cat "$T/qemu$run.log")"
	timeout 30 $PY "$TOOL" relay 127.0.0.1:$((vp + 5)) 127.0.0.1:$((vp + 4)) \
		127.0.0.1:$((vp + 3)) 127.0.0.1:$((vp + 2)) $N >"$T/relay$run.log" 2>&1 ||
		vw_fail "$name" "$(cat "$T/relay$run.log")"
	"$VMWIRE" ctl "$T/mon$run.sock" info network >"$T/info$run"
	grep -q "wrong session 0, wrong cookie 0" "$T/info$run" ||
		vw_fail "$name" "drops counted on a clean link: $(grep l2tpv3 "$T/info$run")"
	kill $qpid
	wait $qpid 2>/dev/null || true
	vw_stop "vw$run"
	vw_pass "$name: $N frames each way, byte for byte, through QEMU"
}

S="txsession=1,rxsession=2"
V="txsession=2,rxsession=1"
variant "udp, no cookie" "udp=on,$S" "udp=on,$V"
variant "udp, 32-bit cookie, counter" "udp=on,$S,txcookie=0x11,rxcookie=0x22,counter=on" \
	"udp=on,$V,txcookie=0x22,rxcookie=0x11,counter=on"
variant "udp, 64-bit cookie, counter" \
	"udp=on,$S,cookie64=on,txcookie=0x1122334455667788,rxcookie=0x99aabbccddeeff00,counter=on" \
	"udp=on,$V,cookie64=on,txcookie=0x99aabbccddeeff00,rxcookie=0x1122334455667788,counter=on"
variant "udp, QEMU's cookie64=off is 64 bits too" \
	"udp=on,$S,cookie64=off,txcookie=0x1122334455667788,rxcookie=0x99aabbccddeeff00" \
	"udp=on,$V,cookie64=on,txcookie=0x99aabbccddeeff00,rxcookie=0x1122334455667788"
variant "ip, no cookie, counter" "udp=off,$S,counter=on" "udp=off,$V,counter=on"
variant "ip, 64-bit cookie" "udp=off,$S,cookie64=on,txcookie=7,rxcookie=8" \
	"udp=off,$V,cookie64=on,txcookie=8,rxcookie=7"
variant "ip, 32-bit cookie, counter, offset" \
	"udp=off,$S,txcookie=0xdeadbeef,rxcookie=0xfeedf00d,counter=on,offset=6" \
	"udp=off,$V,txcookie=0xfeedf00d,rxcookie=0xdeadbeef,counter=on,offset=6"

# python as the L2TPv3 peer: exact bytes and hostile packets
vw_start hostile -netdev "l2tpv3,id=l2,src=127.0.0.1,dst=127.0.0.3,udp=on,srcport=18001,dstport=18002,txsession=40,rxsession=41,cookie64=on,txcookie=0x0102030405060708,rxcookie=0x0102030405060708,counter=on" \
	-netdev "dgram,id=d0,local.type=inet,local.host=127.0.0.1,local.port=18003,remote.type=inet,remote.host=127.0.0.1,remote.port=18004" \
	-monitor "unix:$T/monh.sock,server=on,wait=off"
timeout 30 $PY "$TOOL" peer 127.0.0.3:18002 127.0.0.1:18001 127.0.0.1:18004 127.0.0.1:18003 \
	40 0102030405060708 >"$T/peer.log" 2>&1 || vw_fail hostile "$(cat "$T/peer.log")"
cat "$T/peer.log"
"$VMWIRE" ctl "$T/monh.sock" info network >"$T/infoh"
for want in "truncated 2" "not data 1" "wrong session 1" "wrong cookie 1" "empty 1"; do
	grep -q "$want" "$T/infoh" || vw_fail hostile "no '$want' in: $(grep -A1 l2tpv3 "$T/infoh")"
done
# the runt is dropped by the port: 7 drops in all
grep -A1 '\\ l2:' "$T/infoh" | grep -qE "rx 1 frames [0-9]+ bytes 7 drops" ||
	vw_fail hostile "port counters: $(cat "$T/infoh")"
vw_stop hostile
vw_pass "vmwire's L2TPv3 header is exact; hostile packets dropped and counted by reason"
