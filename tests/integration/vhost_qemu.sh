#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vhost_qemu.sh - a real QEMU guest on a vmwire vhost-user port.
#
# vmwire runs -netdev vhost-user (server), a stream server and -netdev user
# on one switch. Guest A is QEMU's virtio-net on vhost-user (shared memfd
# RAM, legacy INTx: Debian's QEMU 7.2 under TCG crashes in its KVM irqfd
# path with MSI-X, see /work/shared/peers.md): it gets a DHCP lease from the
# gateway and downloads 8 MiB from a host HTTP server through it, intact
# (sha256 and size). Guest B on the stream port pings guest A across the
# switch. Then QEMU A is killed (SIGKILL, no clean stop) and a new QEMU
# connects to the same socket: its guest gets a lease and downloads again.
# "info network" must show the negotiated features; the daemon must log
# both connections and never a broken ring.
#
# Runs against the ASan build too; under TCG each guest boot takes some
# seconds, so the timeouts are generous.

set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

T=vhost_qemu
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 python3 qemu-system-x86
vw_guest_build

PY=/usr/bin/python3
MON=$VW_TMP/mon.sock
SOCK=$VW_TMP/vhost-vhost.sock
P_HTTP=8000

ctl() { "$VMWIRE" ctl "$MON" "$@"; }
sha() { sha256sum "$1" | cut -c1-64; }
marker() { { grep -m1 "^$2 " "$VW_TMP/$1.log" || true; } | tr -d '\r' | cut -d' ' -f2-; }

mkdir -p "$VW_TMP/www"
head -c $((8 << 20)) /dev/urandom >"$VW_TMP/www/blob"
BLOB_SHA=$(sha "$VW_TMP/www/blob")

$PY -m http.server --bind 127.0.0.1 --directory "$VW_TMP/www" $P_HTTP \
	>"$VW_TMP/http.log" 2>&1 &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for sh -c "ss -ltn | grep -q '127.0.0.1:$P_HTTP '" ||
	vw_fail $T "host HTTP server did not come up: $(cat "$VW_TMP/http.log")"

vw_start sw \
	-netdev "vhost-user,id=vh,path=$SOCK" \
	-netdev "stream,id=st,server=on,addr.type=unix,addr.path=$VW_TMP/st.sock" \
	-netdev "user,id=gw" \
	-monitor "unix:$MON,server=on,wait=off"

grep -q -- "-chardev socket,id=chr-vh,path=$SOCK" "$VW_TMP/sw.log" ||
	vw_fail $T "no QEMU hint for the vhost-user netdev: $(cat "$VW_TMP/sw.log")"
vw_pass "$T: vmwire prints the QEMU arguments for the vhost-user port"

# QEMU with the guest's RAM in a shared memfd (vhost-user needs it; the
# stream guest does not mind), NETDEV... are QEMU's -chardev/-netdev/-device
# arguments. Always TCG: with -accel kvm on this machine (nested, /dev/kvm
# present) the guests never reached their first console line.
qemu_guest() {
	local name=$1 mac=$2 append=$3
	shift 3
	: >"$VW_TMP/$name.log"
	qemu-system-x86_64 -nodefaults -no-user-config -display none \
		-monitor none -no-reboot -m 256 -accel tcg \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-kernel "$VW_GUEST_KERNEL" -initrd "$VW_GUEST_INITRD" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 $append" \
		-serial "file:$VW_TMP/$name.log" "$@" \
		</dev/null >"$VW_TMP/$name.qemu.log" 2>&1 &
	VW_GUEST_PID[$name]=$!
	vw_on_exit "vw__guest_kill $name"
}
# Legacy INTx (vectors=0): QEMU 7.2 under TCG crashes with MSI-X here.
vhost_guest() {
	qemu_guest "$1" 52:54:00:71:00:01 "$2" \
		-chardev "socket,id=c0,path=$SOCK" -netdev vhost-user,id=n0,chardev=c0 \
		-device virtio-net-pci,netdev=n0,vectors=0,romfile=,mac=52:54:00:71:00:01
}

# Guest A: lease, 8 MiB download, then stay up to be pinged.
CMD_A='
wget -q -O /tmp/b http://10.0.2.2:'$P_HTTP'/blob || { echo "VWTEST-INFO wget failed"; exit 1; }
echo "VWTEST-WGET $(sha256sum </tmp/b | cut -c1-64) $(wc -c </tmp/b)"
rm -f /tmp/b
echo VWTEST-UP
sleep 600
'
vhost_guest a "vw.dhcp=1 vw.timeout=700 $(vw_guest_cmd "$CMD_A")"

if ! vw_guest_wait a VWTEST-UP 400; then
	grep VWTEST "$VW_TMP/a.log" >&2 || true
	tail -5 "$VW_TMP/a.qemu.log" >&2 || true
	vw_fail $T "guest A on vhost-user never finished its download"
fi
lease_a=$(marker a VWTEST-DHCP)
ip_a=$(sed -n 's/.*ip=\([0-9.]*\).*/\1/p' <<<"$lease_a")
[ -n "$ip_a" ] || vw_fail $T "guest A printed no lease: $lease_a"
vw_pass "$T: guest A on vhost-user got the lease $ip_a from the gateway"

read -r got_sha got_size <<<"$(marker a VWTEST-WGET)" || vw_fail $T "guest A printed no wget result"
[ "$got_size" = $((8 << 20)) ] || vw_fail $T "guest A got $got_size bytes, expected $((8 << 20))"
[ "$got_sha" = "$BLOB_SHA" ] || vw_fail $T "guest A sha256 $got_sha, host has $BLOB_SHA"
vw_pass "$T: guest A downloaded 8 MiB through the gateway intact"

ctl info network >"$VW_TMP/net" || vw_fail $T "info network failed"
grep -q "vhost-user .*mrg_rxbuf" "$VW_TMP/net" ||
	vw_fail $T "info network shows no negotiated features: $(cat "$VW_TMP/net")"
grep -q "event_idx" "$VW_TMP/net" || vw_fail $T "QEMU did not negotiate EVENT_IDX: $(cat "$VW_TMP/net")"
vw_pass "$T: info network shows the vhost-user port with MRG_RXBUF and EVENT_IDX"

# Guest B on the stream port pings A across the switch.
CMD_B='
ping -c 3 -W 5 '$ip_a' >/tmp/p 2>&1 && echo "VWTEST-PING ok" || { cat /tmp/p; echo "VWTEST-PING fail"; }
'
qemu_guest b 52:54:00:71:00:02 "vw.dhcp=1 vw.timeout=300 $(vw_guest_cmd "$CMD_B")" \
	-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/st.sock" \
	-device virtio-net-pci,netdev=n0,romfile=,mac=52:54:00:71:00:02
vw_guest_wait b "VWTEST-PING" 300 || vw_fail $T "guest B never pinged"
[ "$(marker b VWTEST-PING)" = ok ] || vw_fail $T "guest B cannot ping guest A at $ip_a: $(grep -a . "$VW_TMP/b.log" | tail -5)"
vw_pass "$T: guest B on a stream port pings guest A on vhost-user"
vw__guest_kill b || true

# Kill QEMU A the hard way; a new QEMU on the same socket must work.
vw__guest_kill a || true
vw_wait_for sh -c "grep -q 'vh: connection closed' '$VW_TMP/sw.log'" ||
	vw_fail $T "vmwire did not notice the frontend going away"
CMD_C='
wget -q -O /tmp/b http://10.0.2.2:'$P_HTTP'/blob || { echo "VWTEST-INFO wget failed"; exit 1; }
echo "VWTEST-WGET $(sha256sum </tmp/b | cut -c1-64) $(wc -c </tmp/b)"
'
vhost_guest c "vw.dhcp=1 vw.timeout=400 $(vw_guest_cmd "$CMD_C")"
if ! vw_guest_result c 400; then
	grep VWTEST "$VW_TMP/c.log" >&2 || true
	vw_fail $T "the restarted guest failed"
fi
read -r got_sha got_size <<<"$(marker c VWTEST-WGET)" || vw_fail $T "guest C printed no wget result"
[ "$got_sha $got_size" = "$BLOB_SHA $((8 << 20))" ] ||
	vw_fail $T "restarted guest got $got_size bytes sha256 $got_sha"
vw_pass "$T: after QEMU was killed, a new QEMU on the same socket downloads 8 MiB intact"

[ "$(grep -c 'vh: frontend connected' "$VW_TMP/sw.log")" -ge 2 ] ||
	vw_fail $T "vmwire did not log two frontend connections"
! grep -q "broken\|closing the connection" "$VW_TMP/sw.log" ||
	vw_fail $T "vmwire saw a broken ring: $(grep 'broken\|closing' "$VW_TMP/sw.log")"
vw__guest_kill c || true
vw_stop sw
vw_pass $T
