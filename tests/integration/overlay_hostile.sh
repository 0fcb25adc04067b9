#!/bin/bash
# SPDX-License-Identifier: MIT
#
# overlay_hostile.sh - Geneve between two vmwires, VXLAN over an IPv6
# underlay, and hostile tunnel packets.
#
# Two daemons in the test's namespace, on two addresses of the
# namespace's lo, each with a TAP into its own namespace (ha, hb). Checks: ping
# ha <-> hb over Geneve; the crafted packets of overlay_hostile.py (cut
# short, bad flags, reserved bits, nonzero last byte, unknown VNI, runt inner
# frame, Geneve version/protocol/OAM/critical/C bit, option TLVs past the
# end, a 65 kB frame) are each dropped and counted under their reason in
# info network, the good ones (Geneve with non-critical options, VXLAN on
# two VNIs sharing one socket) are delivered, and the daemon keeps working;
# then VXLAN over IPv6 (fd00::1 <-> fd00::2) with ping.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping python3
vw_tmpdir

T=overlay_hostile
vw_netns_add ha
vw_netns_add hb
HA=$(vw_ns ha)
HB=$(vw_ns hb)
ip addr add 10.98.0.1/24 dev lo && ip addr add 10.98.0.2/24 dev lo &&
	ip addr add fd00::1/128 dev lo && ip addr add fd00::2/128 dev lo ||
	vw_fail $T "underlay"

start_pair() { # KIND V4|V6 ADDR_A ADDR_B [extra netdevs for a]
	local kind=$1 a=$2 b=$3
	shift 3
	vw_start a -netdev "$kind,id=ov,vni=100,local=$a,remote=$b" "$@" \
		-netdev tap,id=t,ifname=ta,netns="$HA",mtu=1400 -monitor "unix:$VW_TMP/a.sock,server=on,wait=off"
	vw_start b -netdev "$kind,id=ov,vni=100,local=$b,remote=$a" \
		-netdev tap,id=t,ifname=tb,netns="$HB",mtu=1400
	ip -n "$HA" addr add 10.60.0.1/24 dev ta 2>/dev/null
	ip -n "$HB" addr add 10.60.0.2/24 dev tb 2>/dev/null
}

start_pair geneve 10.98.0.1 10.98.0.2 \
	-netdev vxlan,id=v7,vni=7,local=10.98.0.1 -netdev vxlan,id=v8,vni=8,local=10.98.0.1,learning=off
ip netns exec "$HA" ping -q -c 3 -i 0.2 -W 2 10.60.0.2 >/dev/null || vw_fail $T "ping ha -> hb over geneve"
ip netns exec "$HB" ping -q -c 3 -i 0.2 -W 2 10.60.0.1 >/dev/null || vw_fail $T "ping hb -> ha over geneve"
vw_pass "$T: ping over Geneve between two vmwires"

info() { "$VMWIRE" ctl "$VW_TMP/a.sock" info network >"$VW_TMP/info" || vw_fail $T "ctl info network"; }
info
cp "$VW_TMP/info" "$VW_TMP/info0"
/usr/bin/python3 "$(dirname "$0")/overlay_hostile.py" 10.98.0.1 >"$VW_TMP/sent" ||
	vw_fail $T "overlay_hostile.py failed"
sleep 0.5
info
sent() { awk -v k="$1" '$1 == k { print $2 }' "$VW_TMP/sent"; }
# the socket line of a netdev: "decap errors (socket, N vnis): short 0 ..."
errs() { # ID
	awk -v id="$1" '$1 == "\\" && $2 == id":" { on = 1; next } on && /decap errors/ { print; exit }' \
		"$VW_TMP/info"
}
stat_of() { # ID REASON
	errs "$1" | sed -n "s/.* $2 \([0-9]*\).*/\1/p"
}
counter() { # ID NAME (encap/decap/runt line)
	awk -v id="$1" '$1 == "\\" && $2 == id":" { on = 1; next } on && /encap/ { print; exit }' \
		"$VW_TMP/info" | sed -n "s/.*[ ,]$2 \([0-9]*\).*/\1/p"
}
check() { # ID REASON EXPECTED
	local got
	got=$(stat_of "$1" "$2")
	[ "$got" = "$3" ] || vw_fail $T "$1: $2 counted ${got:-nothing}, sent $3: $(cat "$VW_TMP/info")"
}
errs v7 | grep -q '(socket, 2 vnis)' || vw_fail $T "vni 7 and 8 do not share one socket: $(errs v7)"
check v7 short "$(sent vx-short)"
check v7 i-bit "$(sent vx-i-bit)"
check v7 reserved "$(sent vx-reserved)"
check v7 last-byte "$(sent vx-last-byte)"
check v7 unknown-vni "$(sent vx-unknown-vni)"
[ "$(counter v7 runt)" = "$(sent vx-runt)" ] || vw_fail $T "runt not counted: $(cat "$VW_TMP/info")"
[ "$(counter v7 decap)" = $(($(sent vx-ok-7) + $(sent vx-oversized-ok-7))) ] ||
	vw_fail $T "vni 7 decap $(counter v7 decap)"
[ "$(counter v8 decap)" = "$(sent vx-ok-8)" ] || vw_fail $T "vni 8 decap $(counter v8 decap)"
vw_pass "$T: hostile VXLAN dropped and counted per reason; two VNIs on one socket"
g0=$(grep -A3 ' \\ ov:' "$VW_TMP/info0" | sed -n 's/.* decap \([0-9]*\).*/\1/p')
check ov short "$(sent gn-short)"
check ov version "$(sent gn-version)"
check ov protocol "$(sent gn-protocol)"
check ov oam "$(sent gn-oam)"
check ov option-bounds "$(sent gn-option-bounds)"
check ov critical "$(sent gn-critical)"
check ov unknown-vni "$(sent gn-unknown-vni)"
[ "$(counter ov decap)" -ge $((g0 + $(sent gn-ok))) ] ||
	vw_fail $T "geneve with non-critical options not delivered: $(counter ov decap) vs $g0"
vw_pass "$T: hostile Geneve dropped and counted per reason, options skipped"

ip netns exec "$HA" ping -q -c 2 -i 0.2 -W 2 10.60.0.2 >/dev/null || vw_fail $T "ping after hostile packets"
vw_pass "$T: daemon alive and forwarding after hostile packets"
vw_stop a
vw_stop b

start_pair vxlan fd00::1 fd00::2
ip netns exec "$HA" ping -q -c 3 -i 0.2 -W 2 10.60.0.2 >/dev/null || vw_fail $T "ping over VXLAN/IPv6"
info
grep -q 'mtu: inner = underlay - 70' "$VW_TMP/info" || vw_fail $T "no IPv6 MTU arithmetic"
grep -q 'via fd00::2' "$VW_TMP/info" || vw_fail $T "no MAC learned via fd00::2: $(cat "$VW_TMP/info")"
vw_pass "$T: VXLAN over an IPv6 underlay, learned per VTEP"
vw_stop a
vw_stop b
exit 0
