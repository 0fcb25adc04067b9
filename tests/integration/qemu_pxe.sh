#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu_pxe.sh - a QEMU guest with no -kernel boots from the network through
# vmwire's gateway, as with QEMU's -netdev user,tftp=,bootfile=.
#
# QEMU runs with -boot n and a virtio-net-pci NIC over -netdev stream to
# vmwire; its option ROM is Debian's ipxe-qemu (iPXE). The gateway's DHCP
# names bootfile=boot.ipxe, an iPXE script in the tftp= directory, which
# fetches the test guest's kernel and initramfs (tests/lib/guest.sh) from
# tftp://10.0.2.2/ and boots them; the guest then takes a DHCP lease with
# udhcpc, pings the gateway and prints its result line. The gateway's
# counters must show the three transfers completed.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

T=qemu_pxe
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs ipxe-qemu qemu-system-x86
vw_guest_build
[ -f /usr/lib/ipxe/qemu/pxe-virtio.rom ] || [ -f /usr/share/qemu/pxe-virtio.rom ] ||
	vw_skip "no iPXE ROM for virtio-net (ipxe-qemu)"

D=$VW_TMP/tftp
MON=$VW_TMP/mon.sock
mkdir -p "$D"
# Copies, not symlinks: a symlink out of the directory is refused.
cp "$VW_GUEST_KERNEL" "$D/vmlinuz"
cp "$VW_GUEST_INITRD" "$D/initrd.gz"
GUEST_CMD='
ping_until 10.0.2.2 60 || exit 1
echo "VWTEST-INFO pxe ok"
'
cat >"$D/boot.ipxe" <<EOS
#!ipxe
echo vmwire PXE test: fetching the kernel
kernel tftp://10.0.2.2/vmlinuz console=ttyS0 quiet loglevel=1 panic=-1 vw.dhcp=1 vw.timeout=240 $(vw_guest_cmd "$GUEST_CMD")
initrd tftp://10.0.2.2/initrd.gz
boot
EOS

vw_start sw -monitor "unix:$MON,server=on,wait=off" \
	-netdev "stream,id=a,server=on,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	-netdev "user,id=gw,tftp=$D,bootfile=boot.ipxe"

log=$VW_TMP/pxe.log
: >"$log"
# TCG, not KVM: on this CI's nested KVM the BIOS/iPXE real-mode code stops
# with "emulation failure" (the -kernel guests skip that code).
qemu-system-x86_64 -nodefaults -no-user-config -display none -monitor none -no-reboot \
	-m 256 -accel tcg -boot n -serial "file:$log" \
	-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:70:00:01 \
	</dev/null >"$VW_TMP/pxe.qemu.log" 2>&1 &
VW_GUEST_PID[pxe]=$!
vw_on_exit "vw__guest_kill pxe"

if ! vw_guest_result pxe 420; then
	"$VMWIRE" ctl "$MON" info usernet >&2 || true
	grep VWTEST "$log" >&2 || true
	vw_fail $T "the PXE-booted guest did not report ok"
fi
grep -q "VWTEST-INFO pxe ok" "$log" || vw_fail $T "no ok line from the guest"
vw_pass "$T: iPXE loaded boot.ipxe, the kernel and initramfs over TFTP; the guest booted and pinged 10.0.2.2"

"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/info"
done_n=$(sed -n 's/.*tftp_completed[ =:]*\([0-9][0-9]*\).*/\1/p' "$VW_TMP/info" | head -1)
[ "${done_n:-0}" -ge 3 ] || vw_fail $T "tftp_completed ${done_n:-absent}, want 3: $(grep tftp_ "$VW_TMP/info")"
vw_pass "$T: the gateway counted $done_n completed TFTP transfers"
