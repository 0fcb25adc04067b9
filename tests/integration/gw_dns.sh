#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_dns.sh - the user-mode gateway's DNS forwarder at 10.0.2.3, with a
# namespace guest (10.0.2.15) behind a TAP port and two dnsmasq resolvers
# on this test's private loopback (127.0.0.2:53 answers 192.0.2.10 for
# dnstest.test, 127.0.0.3:53 answers 192.0.2.20):
#  - failover: dns-upstream=127.0.0.1:5399 (nothing listens) first, then
#    127.0.0.2:53: busybox nslookup still resolves, failovers are counted;
#  - host.vmwire.internal is answered locally with 10.0.2.2;
#  - malformed queries (garbage, short, a reply, compression pointers to
#    themselves and in a cycle, a label past the end) are dropped without
#    an answer, each counted as dns_malformed, and the next query works;
#  - resolv-conf=FILE: its 10.0.2.3 line (the gateway itself) is skipped
#    with a warning, queries over UDP and over TCP (to 10.0.2.3:53) go to
#    127.0.0.2; after FILE is replaced (rename) to name 127.0.0.3 the
#    answers come from it, over TCP too; after it is rewritten in place
#    to name 127.0.0.2 again they come from there; both changes logged.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static dnsmasq-base python3 procps
vw_tmpdir

T=gw_dns
MON=$VW_TMP/mon.sock
PY=/usr/bin/python3
TOOL=$(cd "$(dirname "$0")" && pwd)/gw_dns_tool.py
BB=$(command -v busybox) || vw_skip "busybox not found"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || vw_skip "dnsmasq not found"
[ -x "$PY" ] || vw_skip "$PY not found"

vw_netns_add ns
NS=$(vw_ns ns)
in_ns() { ip netns exec "$NS" "$@"; }

ip addr add 127.0.0.2/32 dev lo && ip addr add 127.0.0.3/32 dev lo ||
	vw_fail $T "cannot add 127.0.0.2-3 to lo"
# dnsmasq ADDR ANSWER: a resolver on ADDR:53 (UDP and TCP) that knows one name.
dnsmasq_on() {
	"$DNSMASQ" --no-daemon --conf-file=/dev/null --listen-address="$1" \
		--bind-interfaces --no-resolv --no-hosts --address=/dnstest.test/"$2" \
		--pid-file= --user=root >"$VW_TMP/dnsmasq-$1.log" 2>&1 &
	vw_on_exit "kill $!"
}
dnsmasq_on 127.0.0.2 192.0.2.10
dnsmasq_on 127.0.0.3 192.0.2.20
vw_wait_for sh -c 'ss -lun | grep -q "127.0.0.2:53 " && ss -ltn | grep -q "127.0.0.3:53 "' ||
	vw_fail $T "dnsmasq did not come up: $(cat "$VW_TMP"/dnsmasq-*.log)"

start_gw() {
	vw_start gw -v -monitor "unix:$MON,server=on,wait=off" \
		-netdev tap,id=t,ifname=vw0,netns="$NS" -netdev user,id=gw,"$1"
	in_ns ip link set vw0 up
	in_ns ip addr replace 10.0.2.15/24 dev vw0
	in_ns ip route replace default via 10.0.2.2 dev vw0
}

# counter NAME: its value in info usernet (0 when not shown).
counter() {
	"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet failed"
	grep -oE "\b$1 [0-9]+" "$VW_TMP/usernet" | awk '{ print $2 } END { if (!NR) print 0 }'
}

# ask udp|tcp EXPECTED WHAT: dnstest.test must resolve to EXPECTED.
ask() {
	local out
	out=$(in_ns timeout 20 $PY "$TOOL" a "$1" 10.0.2.3 dnstest.test 2>&1)
	[ "$out" = "$2" ] || vw_fail $T "$3: over $1 got '$out', expected $2"
}

# ---- failover, built-in name, malformed queries -------------------------
start_gw "dns-upstream=127.0.0.1:5399,dns-upstream=127.0.0.2:53"

# The first query goes to the dead upstream, times out after 2 s there and
# fails over; busybox asks A and AAAA, so both upstreams get tried. Its
# exit status is not checked: dnsmasq refuses the AAAA question.
in_ns timeout 30 "$BB" nslookup dnstest.test 10.0.2.3 >"$VW_TMP/ns1" 2>&1
grep -A1 "^Name:.*dnstest.test" "$VW_TMP/ns1" | grep -q "192.0.2.10" ||
	vw_fail $T "nslookup with a dead first upstream: no 192.0.2.10: $(cat "$VW_TMP/ns1")"
[ "$(counter dns_failovers)" -ge 1 ] || vw_fail $T "no dns_failovers counted: $(cat "$VW_TMP/usernet")"
ask udp 192.0.2.10 "after failover"
vw_pass "$T: a dead first upstream (nothing on 127.0.0.1:5399) fails over, nslookup resolves"

in_ns timeout 20 "$BB" nslookup host.vmwire.internal 10.0.2.3 >"$VW_TMP/ns2" 2>&1
grep -A1 "^Name:.*host.vmwire.internal" "$VW_TMP/ns2" | grep -q "10.0.2.2" ||
	vw_fail $T "host.vmwire.internal is not 10.0.2.2: $(cat "$VW_TMP/ns2")"
[ "$(counter dns_builtin)" -ge 1 ] || vw_fail $T "dns_builtin not counted"
vw_pass "$T: host.vmwire.internal resolves to 10.0.2.2"

before=$(counter dns_malformed)
sent=$(in_ns timeout 20 $PY "$TOOL" bad 10.0.2.3 2>&1) ||
	vw_fail $T "malformed queries: $sent"
after=$(counter dns_malformed)
[ $((after - before)) -eq "$sent" ] ||
	vw_fail $T "dns_malformed went $before -> $after for $sent malformed queries"
ask udp 192.0.2.10 "after malformed queries"
kill -0 "${VW_PID[gw]}" || vw_fail $T "vmwire died"
vw_pass "$T: $sent malformed queries (compression loops included) dropped, counted, forwarder still answers"
vw_stop gw

# ---- resolv-conf=: loop skipped, TCP, reload --------------------------
RC=$VW_TMP/resolv.conf
printf '# the gateway itself first: must be skipped\nnameserver 10.0.2.3\nnameserver 127.0.0.2\n' >"$RC"
start_gw "resolv-conf=$RC"
grep -q "nameserver 10.0.2.3 in $RC skipped" "$VW_TMP/gw.log" ||
	vw_fail $T "no warning for the looping nameserver: $(cat "$VW_TMP/gw.log")"
ask udp 192.0.2.10 "resolv.conf naming 127.0.0.2"
[ "$(counter dns_failovers)" -eq 0 ] && [ "$(counter dns_send_errors)" -eq 0 ] ||
	vw_fail $T "10.0.2.3 was used as an upstream: $(cat "$VW_TMP/usernet")"
vw_pass "$T: resolv.conf's 10.0.2.3 (the gateway itself) skipped with a warning, 127.0.0.2 used"

ask tcp 192.0.2.10 "DNS over TCP"
vw_pass "$T: DNS over TCP to 10.0.2.3:53 is answered by the first upstream"

# Replaced by rename, as resolvconf and NetworkManager do.
printf 'nameserver 127.0.0.3\n' >"$RC.new" && mv "$RC.new" "$RC"
sleep 2
ask udp 192.0.2.20 "after resolv.conf was replaced"
ask tcp 192.0.2.20 "after resolv.conf was replaced"
grep -qF "$RC changed, DNS upstreams now 127.0.0.3:53 (were 127.0.0.2:53)" "$VW_TMP/gw.log" ||
	vw_fail $T "the change was not logged: $(cat "$VW_TMP/gw.log")"
vw_pass "$T: resolv.conf replaced to name 127.0.0.3: UDP and TCP answers come from it"

# Rewritten in place: same inode, only size/mtime tell.
printf 'nameserver 127.0.0.2\n' >"$RC"
sleep 2
ask udp 192.0.2.10 "after resolv.conf was rewritten in place"
[ "$(grep -c "$RC changed" "$VW_TMP/gw.log")" -eq 2 ] ||
	vw_fail $T "expected two changes logged: $(grep changed "$VW_TMP/gw.log")"
vw_pass "$T: resolv.conf rewritten in place: answers from 127.0.0.2 again, each change logged once"

vw_stop gw # fails on a sanitizer report or a bad exit status
exit 0
