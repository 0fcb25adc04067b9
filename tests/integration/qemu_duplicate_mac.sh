#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu_duplicate_mac.sh - two guests left at QEMU's default MAC.
#
# The most common mistake when starting several VMs by hand is forgetting
# mac=, so every guest is 52:54:00:12:34:56. The switch cannot fix that but
# must say so: once both guests have sent frames (ARP for their ping), the
# log must name the MAC and both ports it was seen on. With port security
# (the default) the first guest seen keeps the MAC and the second one's
# frames are dropped; the warning says which port keeps it.

set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_guest_build

vw_start sw -netdev "stream,id=a,server=on,addr.type=unix,addr.path=$VW_TMP/a.sock"

# The guests' pings may or may not get through (the switch sees one MAC in
# two places, and keeps it on the first); only the frames they send
# matter, so the script never fails.
for i in 1 2; do
	vw_guest_run "vm$i" \
		"stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/a.sock" \
		"virtio-net-pci,netdev=n0" \
		"vw.ip=10.50.0.$((i + 2))/24" vw.timeout=200 \
		"$(vw_guest_cmd "ping_until 10.50.0.$((5 - i)) 120; true")"
done

dup_line() {
	grep -m1 'duplicate MAC 52:54:00:12:34:56' "$VW_TMP/sw.log"
}
vw_wait_for -t 240 dup_line ||
	vw_fail qemu_duplicate_mac "no duplicate MAC warning for 52:54:00:12:34:56"
line=$(dup_line)
echo "warning: $line"
case $line in
*"a#1"*"a#2"* | *"a#2"*"a#1"*) ;;
*) vw_fail qemu_duplicate_mac "warning does not name both ports a#1 and a#2" ;;
esac
case $line in
*"port security keeps it on port 'a#"[12]"'"*) ;;
*) vw_fail qemu_duplicate_mac "warning does not say which port keeps the MAC" ;;
esac

vw_stop sw
vw_pass qemu_duplicate_mac
