#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_ipv6.sh - "vmwire run" and IPv6: the command starts with its SLAAC
# address in fec0::/64 already there (not tentative), a default route via
# the gateway's fe80::2 and a resolv.conf naming 10.0.2.3 and fec0::3; it
# pings fec0::2 and resolves AAAA through fec0::3 (to a dnsmasq on the
# host's [::1]); with ipv6=off it sees no IPv6 on its interface and no
# IPv6 nameserver.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping dnsmasq-base python3
vw_tmpdir

T=run_ipv6
PY=/usr/bin/python3
TOOL=$(cd "$(dirname "$0")" && pwd)/gw_ipv6_tool.py
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || vw_skip "dnsmasq not found"
[ -x "$VMWIRE" ] || vw_fail $T "$VMWIRE not built (run make)"

ip link set lo up
"$DNSMASQ" --no-daemon --conf-file=/dev/null --port=5353 --listen-address=::1 \
	--bind-interfaces --no-resolv --no-hosts --address=/v6.test/2001:db8::7 \
	--pid-file= >"$VW_TMP/dnsmasq.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -lun | grep -q "\[::1\]:5353 "' || vw_fail $T "dnsmasq did not come up"

# The first thing the command does is look: no waiting of its own.
timeout 60 "$VMWIRE" run -netdev user,dns-upstream=[::1]:5353 -- sh -c '
	ip -6 addr show dev tap0; echo ROUTES; ip -6 route show default; echo RESOLV
	cat /etc/resolv.conf; echo PING; ping -6 -c 1 -W 2 fec0::2 >/dev/null && echo ping-ok
	echo AAAA; '"$PY $TOOL"' aaaa fec0::3 www.v6.test' >"$VW_TMP/out" 2>"$VW_TMP/err" ||
	vw_fail $T "vmwire run: $(cat "$VW_TMP/out" "$VW_TMP/err")"
grep -Eq "inet6 fec0::[0-9a-f:]+/64 scope site dynamic" "$VW_TMP/out" ||
	vw_fail $T "no SLAAC address when the command started: $(cat "$VW_TMP/out")"
! sed -n '/fec0::/p' "$VW_TMP/out" | grep -q tentative ||
	vw_fail $T "address still tentative: $(cat "$VW_TMP/out")"
grep -q "^default via fe80::2 dev tap0" "$VW_TMP/out" ||
	vw_fail $T "no v6 default route: $(cat "$VW_TMP/out")"
grep -q "^nameserver 10.0.2.3$" "$VW_TMP/out" && grep -q "^nameserver fec0::3$" "$VW_TMP/out" ||
	vw_fail $T "resolv.conf: $(cat "$VW_TMP/out")"
grep -q "^ping-ok$" "$VW_TMP/out" || vw_fail $T "ping -6 fec0::2: $(cat "$VW_TMP/out")"
grep -q "^2001:db8::7$" "$VW_TMP/out" || vw_fail $T "AAAA via fec0::3: $(cat "$VW_TMP/out")"
vw_pass "$T: the command starts with its SLAAC address, a v6 default route, both nameservers; ping -6 and AAAA work"

timeout 60 "$VMWIRE" run -netdev user,ipv6=off -- sh -c '
	ip -6 addr show dev tap0; echo RESOLV; cat /etc/resolv.conf' >"$VW_TMP/out" 2>"$VW_TMP/err" ||
	vw_fail $T "vmwire run ipv6=off: $(cat "$VW_TMP/out" "$VW_TMP/err")"
! grep -q inet6 "$VW_TMP/out" || vw_fail $T "ipv6=off: IPv6 on tap0: $(cat "$VW_TMP/out")"
! grep -q "nameserver fec0" "$VW_TMP/out" || vw_fail $T "ipv6=off: v6 nameserver listed"
vw_pass "$T: ipv6=off leaves the command without IPv6"
