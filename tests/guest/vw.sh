# SPDX-License-Identifier: MIT
#
# vw.sh - helpers sourced by the test guest before it runs vw.cmd. Each one
# prints what it did on the console so a failing host test shows why.

# ping_until ADDR [SECS]: ping until one reply arrives or SECS (default 60)
# pass. ARP resolution and a peer that boots later are both normal, so a
# single lost probe is no failure; no reply at all is.
ping_until() {
	addr=$1
	secs=${2:-60}
	end=$(($(date +%s) + secs))
	while [ "$(date +%s)" -lt "$end" ]; do
		if ping -c 1 -W 1 "$addr" >/dev/null 2>&1; then
			echo "VWTEST-INFO ping $addr ok"
			return 0
		fi
		sleep 0.5 2>/dev/null || sleep 1 # unreachable fails at once
	done
	echo "VWTEST-INFO ping $addr: no reply in ${secs}s"
	return 1
}
