#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_cmd.sh - "vmwire run -- CMD": the command runs in a new network
# namespace with tap0 10.0.2.15/24 (mtu 65520), a default route via
# 10.0.2.2, lo up and a private /etc/resolv.conf naming 10.0.2.3; it pings
# the gateway and resolves a name served by a local dnsmasq (the gateway's
# only upstream, 127.0.0.1:5353 in this test's private namespace) through
# both busybox nslookup and glibc. vmwire exits with the command's status
# (128+N when killed, 127 when not found), does not wait for the command's
# background children, passes a kill(1)ed SIGTERM on, rejects bad options
# with status 2 and one line, and leaves the host's resolv.conf alone. The
# same again as user nobody (user namespace), unless the kernel forbids
# unprivileged user namespaces.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping busybox-static dnsmasq-base util-linux
vw_tmpdir

T=run_cmd
BB=$(command -v busybox) || vw_skip "busybox not found"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || vw_skip "dnsmasq not found"
[ -x "$VMWIRE" ] || vw_fail $T "$VMWIRE not built (run make)"

vw_dnsmasq_upstream "$DNSMASQ"

# Any sanitizer report from any run fails the test.
check_stderr() {
	if vw__sanitizer_report "$1" >&2; then
		vw_fail $T "sanitizer report in $(basename "$1")"
	fi
}

# run NAME [VMWIRE-RUN ARGS...]: vmwire run, stdout and stderr to
# $VW_TMP/NAME.out and NAME.err; sets RC.
run() {
	local name=$1
	shift
	RC=0
	timeout 60 "$VMWIRE" run "$@" >"$VW_TMP/$name.out" 2>"$VW_TMP/$name.err" || RC=$?
	check_stderr "$VW_TMP/$name.err"
}

expect_rc() {
	[ "$RC" -eq "$2" ] ||
		vw_fail $T "$1: exit status $RC, expected $2: $(cat "$VW_TMP/$1.err")"
}

# ---- exit status -------------------------------------------------------
run exit7 -- sh -c 'exit 7'
expect_rc exit7 7
run exit0 true
expect_rc exit0 0
run killed -- sh -c 'kill -KILL $$'
expect_rc killed 137
run notfound -- /nonexistent/command
expect_rc notfound 127
grep -q '/nonexistent/command' "$VW_TMP/notfound.err" ||
	vw_fail $T "no message naming the missing command"
echo 'exit 9' | SHELL=/bin/sh timeout 60 "$VMWIRE" run >"$VW_TMP/shell.err" 2>&1
RC=$?
[ $RC -eq 9 ] || vw_fail $T "no CMD: \$SHELL should read stdin and exit 9, got $RC"
vw_pass "$T: exit status of the command (7, 0, 137 killed, 127 not found, \$SHELL)"

# A background child of the command keeps nothing waiting.
start=$(date +%s)
run bg -- sh -c 'sleep 30 & exit 3'
expect_rc bg 3
[ $(($(date +%s) - start)) -lt 20 ] || vw_fail $T "vmwire waited for a background child"
vw_pass "$T: vmwire exits with the command, not its background children"

# SIGTERM by kill(1) goes on to the command.
"$VMWIRE" run -- sleep 30 >"$VW_TMP/term.out" 2>"$VW_TMP/term.err" &
pid=$!
vw_on_exit "kill -KILL $pid 2>/dev/null; true"
# sleep is the child of vmwire's child, init of the command's PID namespace.
vw_wait_for sh -c "pgrep -P \$(pgrep -d, -P $pid) -x sleep" ||
	vw_fail $T "sleep did not start under vmwire run"
kill -TERM $pid
RC=0
for ((n = 100; n > 0; n--)); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && vw_fail $T "vmwire run ignored SIGTERM for 10 s"
wait $pid || RC=$?
check_stderr "$VW_TMP/term.err"
[ $RC -eq 143 ] || vw_fail $T "SIGTERM: exit status $RC, expected 143 (sleep killed by it)"
vw_pass "$T: SIGTERM passed on to the command, status 143"

# ---- usage errors ------------------------------------------------------
# usage NAME PATTERN ARGS...: exit 2, one line, matching PATTERN.
usage() {
	local name=$1 pat=$2
	shift 2
	run "$name" "$@" -- true
	expect_rc "$name" 2
	[ "$(wc -l <"$VW_TMP/$name.err")" -eq 1 ] ||
		vw_fail $T "$name: expected one line: $(cat "$VW_TMP/$name.err")"
	grep -q -- "$pat" "$VW_TMP/$name.err" ||
		vw_fail $T "$name: message does not name '$pat': $(cat "$VW_TMP/$name.err")"
}
usage bogus '--bogus' --bogus
usage mtu_low '--mtu' --mtu 100
usage mtu_word '--mtu' --mtu=big
usage not_user 'netdev user' -netdev stream,id=a
usage bad_key 'frobnicate' -netdev user,frobnicate=1
usage twice 'twice' -netdev user -netdev user
usage mtu_clash 'mtu' --mtu 1500 -netdev user,mtu=9000
usage ifname '--ifname' --ifname 'a/b'
run help --help
expect_rc help 0
grep -q 'vmwire run' "$VW_TMP/help.out" || vw_fail $T "--help does not describe vmwire run"
vw_pass "$T: bad options exit 2 with one line"

# ---- inside the namespace ----------------------------------------------
host_resolv=$(cat /etc/resolv.conf 2>/dev/null)
# inside.sh GW DNS
cat >"$VW_TMP/inside.sh" <<'SCRIPT'
set -e
echo "uid $(id -u)"
ip -o -4 addr show dev tap0
ip -o link show dev tap0
ip -o link show dev lo
ip route show default
cat /etc/resolv.conf
ping -c 1 -W 5 "$1" >/dev/null && echo "ping-ok"
ping -c 1 -W 5 "$2" >/dev/null && echo "ping-dns-ok"
busybox nslookup -type=a www.example.test 2>&1 | sed 's/^/nslookup: /'
getent ahostsv4 www.example.test | sed 's/^/getent: /'
SCRIPT

# check NAME ADDR/LEN GW MTU DNS [SEARCH]: what inside.sh printed.
check_inside() {
	local name=$1 addr=$2 gw=$3 mtu=$4 dns=$5 search=${6:-} o=$VW_TMP/$1.out
	grep -q "inet $addr " "$o" || vw_fail $T "$name: tap0 lacks $addr: $(cat "$o")"
	grep -q "tap0:.* mtu $mtu " "$o" || vw_fail $T "$name: tap0 mtu is not $mtu: $(cat "$o")"
	grep -q "lo:.*UP" "$o" || vw_fail $T "$name: lo is not up: $(cat "$o")"
	grep -q "^default via $gw dev tap0" "$o" ||
		vw_fail $T "$name: no default route via $gw: $(cat "$o")"
	grep -qx "nameserver $dns" "$o" ||
		vw_fail $T "$name: resolv.conf does not name $dns: $(cat "$o")"
	# (and the gateway's IPv6 DNS address, fec0::3: run_ipv6.sh)
	[ "$(grep '^nameserver' "$o" | grep -cvx "nameserver fec0::3")" -eq 1 ] ||
		vw_fail $T "$name: resolv.conf has other nameservers: $(cat "$o")"
	if [ -n "$search" ]; then
		grep -qx "search $search" "$o" || vw_fail $T "$name: no 'search $search': $(cat "$o")"
	fi
	grep -qx ping-ok "$o" || vw_fail $T "$name: ping $gw failed: $(cat "$o")"
	grep -qx ping-dns-ok "$o" || vw_fail $T "$name: ping $dns failed: $(cat "$o")"
	grep -q '^nslookup: .*127\.0\.0\.7' "$o" ||
		vw_fail $T "$name: busybox nslookup did not resolve www.example.test: $(cat "$o")"
	grep -q '^getent: 127\.0\.0\.7' "$o" ||
		vw_fail $T "$name: glibc did not resolve www.example.test: $(cat "$o")"
}

run inside -netdev user,dns-upstream=127.0.0.1:5353 -- sh "$VW_TMP/inside.sh" 10.0.2.2 10.0.2.3
expect_rc inside 0
check_inside inside 10.0.2.15/24 10.0.2.2 65520 10.0.2.3
vw_pass "$T: tap0 10.0.2.15/24 mtu 65520, default via 10.0.2.2, lo up, resolv.conf 10.0.2.3, ping, DNS"

run custom -netdev user,net=192.168.77.0/24,dns-upstream=127.0.0.1:5353,dnssearch=example.test \
	--mtu 1500 -- sh "$VW_TMP/inside.sh" 192.168.77.2 192.168.77.3
expect_rc custom 0
check_inside custom 192.168.77.15/24 192.168.77.2 1500 192.168.77.3 example.test
vw_pass "$T: net=, dnssearch= and --mtu follow the gateway's configuration"

# A static lease on dhcpstart moves the namespace to the next address.
run lease -netdev user,dns-upstream=127.0.0.1:5353,lease=10.0.2.15@52:54:00:00:00:01 \
	-- ip -o -4 addr show dev tap0
expect_rc lease 0
grep -q 'inet 10.0.2.16/24' "$VW_TMP/lease.out" ||
	vw_fail $T "dhcpstart held by lease=: expected 10.0.2.16: $(cat "$VW_TMP/lease.out")"
vw_pass "$T: an address taken by lease= is skipped"

# The issue's example: a host port forwarded to a server in the namespace.
"$VMWIRE" run -netdev user,hostfwd=tcp:127.0.0.1:8080-:80 -- \
	sh -c 'echo hello-from-ns | timeout 20 busybox nc -l -p 80 >/dev/null' \
	>"$VW_TMP/fwd.out" 2>"$VW_TMP/fwd.err" &
fpid=$!
vw_on_exit "kill -KILL $fpid 2>/dev/null; true"
got=
for ((n = 50; n > 0; n--)); do
	got=$(echo hi | timeout 3 "$BB" nc 127.0.0.1 8080 2>/dev/null) && [ -n "$got" ] && break
	sleep 0.2
done
RC=0
wait $fpid || RC=$?
check_stderr "$VW_TMP/fwd.err"
[ "$got" = hello-from-ns ] ||
	vw_fail $T "hostfwd 127.0.0.1:8080 -> :80 got '$got': $(cat "$VW_TMP/fwd.err")"
expect_rc fwd 0
vw_pass "$T: hostfwd=tcp:127.0.0.1:8080-:80 reaches a server in the namespace"

[ "$(cat /etc/resolv.conf 2>/dev/null)" = "$host_resolv" ] ||
	vw_fail $T "the host's /etc/resolv.conf changed"
ip link show tap0 >/dev/null 2>&1 && vw_fail $T "tap0 appeared outside the namespace"
vw_pass "$T: the host's resolv.conf and interfaces are untouched"

# ---- unprivileged ------------------------------------------------------
if ! command -v setpriv >/dev/null; then
	vw_skip "setpriv not found for the unprivileged part"
fi
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if ! as_nobody unshare -Urn true 2>"$VW_TMP/userns.err"; then
	echo "SKIP: $T: unprivileged user namespaces are disabled here" \
		"($(cat "$VW_TMP/userns.err")); the non-root case is not tested"
	exit 0
fi
# nobody must reach the binary and our scripts.
chmod 0755 "$VW_TMP"
chmod 0644 "$VW_TMP/inside.sh"
nobody_run() {
	local name=$1
	shift
	RC=0
	(cd / && timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VMWIRE" run "$@") >"$VW_TMP/$name.out" 2>"$VW_TMP/$name.err" || RC=$?
	check_stderr "$VW_TMP/$name.err"
}
nobody_run nb_exit -- sh -c 'exit 7'
expect_rc nb_exit 7
nobody_run nb_inside -netdev user,dns-upstream=127.0.0.1:5353 -- sh "$VW_TMP/inside.sh" \
	10.0.2.2 10.0.2.3
expect_rc nb_inside 0
grep -qx 'uid 0' "$VW_TMP/nb_inside.out" ||
	vw_fail $T "nobody: the command should run as root of its user namespace"
check_inside nb_inside 10.0.2.15/24 10.0.2.2 65520 10.0.2.3
vw_pass "$T: as user nobody (user namespace): same address, route, mtu, ping, DNS, status"
