#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu_two_vms.sh - two QEMU guests ping each other through vmwire.
#
# VM1 (virtio-net-pci) joins over QEMU's -netdev stream (unix socket, vmwire
# is the server), VM2 (e1000) over -netdev dgram (UDP on loopback, vmwire
# mirrors the local/remote addresses), so one run covers both wire formats
# and both NIC models against the learning switch. Each guest pings the
# other until a reply arrives; both must succeed. A guest that is done
# lingers (keeps answering) so the slower one can still ping it. While VM1 boots, the
# monitor must show its stream connection as port a#1, and afterwards the
# MACs the switch learned from both guests.

set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_guest_build

# Fixed ports are safe: this netns is ours alone.
P_QEMU=40001
P_VMWIRE=40002

vw_start sw \
	-netdev "stream,id=a,server=on,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	-netdev "dgram,id=b,local.type=inet,local.host=127.0.0.1,local.port=$P_VMWIRE,remote.type=inet,remote.host=127.0.0.1,remote.port=$P_QEMU" \
	-monitor "$VW_TMP/mon.sock"

vw_guest_run vm1 \
	"stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	"virtio-net-pci,netdev=n0,mac=52:54:00:50:00:03" \
	vw.ip=10.50.0.3/24 vw.timeout=200 vw.linger=120 \
	"$(vw_guest_cmd 'ping_until 10.50.0.4 180')"
vw_guest_run vm2 \
	"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$P_QEMU,remote.type=inet,remote.host=127.0.0.1,remote.port=$P_VMWIRE" \
	"e1000,netdev=n0,mac=52:54:00:50:00:04" \
	vw.ip=10.50.0.4/24 vw.timeout=200 vw.linger=120 \
	"$(vw_guest_cmd 'ping_until 10.50.0.3 180')"

# QEMU connects its stream netdev before the guest kernel starts, and the
# guest takes seconds to boot, so the connection is there to be seen now.
monitor_shows_a1() {
	"$VMWIRE" ctl "$VW_TMP/mon.sock" info network >"$VW_TMP/info.out" 2>&1 &&
		grep -q 'a#1' "$VW_TMP/info.out"
}
if ! vw_wait_for -t 20 monitor_shows_a1; then
	cat "$VW_TMP/info.out" >&2 || true
	vw_fail qemu_two_vms "monitor 'info network' does not show port a#1"
fi
grep -qE '(^|[^[:alnum:]_])b[^[:alnum:]_#].*dgram' "$VW_TMP/info.out" ||
	vw_fail qemu_two_vms "monitor 'info network' does not show netdev b"

ok=1
vw_guest_result vm1 240 || { echo "VM1 (stream, virtio) could not ping VM2"; ok=; }
vw_guest_result vm2 240 || { echo "VM2 (dgram, e1000) could not ping VM1"; ok=; }
[ -n "$ok" ] || vw_fail qemu_two_vms "guests could not ping each other"

# Both guests linger, so the switch still holds what it learned.
"$VMWIRE" ctl "$VW_TMP/mon.sock" info network >"$VW_TMP/info2.out" 2>&1 ||
	vw_fail qemu_two_vms "monitor 'info network' failed after the pings"
for mac in 52:54:00:50:00:03 52:54:00:50:00:04; do
	grep -qi "$mac" "$VW_TMP/info2.out" ||
		vw_fail qemu_two_vms "monitor does not list learned MAC $mac"
done

vw_stop sw
vw_pass qemu_two_vms
