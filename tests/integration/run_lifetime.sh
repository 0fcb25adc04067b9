#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_lifetime.sh - nothing "vmwire run" starts outlives it. kill -KILL of
# vmwire run takes the command and the command's background child with it
# within 3 s (the command runs in a PID namespace whose init dies with
# vmwire); a background child is also gone once the command exits; as root
# and as user nobody (user namespace). A nested "vmwire run -- vmwire run"
# prints nothing on stderr and resolves names through both gateways. Where
# no PID namespace can be made (user.max_pid_namespaces=0 in a user
# namespace of the test's own), vmwire run says so and the command itself
# still dies with it.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 procps dnsmasq-base util-linux

T=run_lifetime
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || vw_skip "dnsmasq not found"
[ -x "$VMWIRE" ] || vw_fail $T "$VMWIRE not built (run make)"
chmod 0755 "$VW_TMP"

check_stderr() {
	if vw__sanitizer_report "$1" >&2; then
		vw_fail $T "sanitizer report in $(basename "$1")"
	fi
}

# alive CMDLINE: some process's command line is exactly CMDLINE.
alive() { pgrep -f -x "$1" >/dev/null; }

# gone_within SECS CMDLINE...: none of them is alive after SECS seconds;
# prints those that still are.
gone_within() {
	local secs=$1 n c left
	shift
	for ((n = secs * 10; n >= 0; n--)); do
		left=
		for c in "$@"; do
			alive "$c" && left="$left '$c'"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "$left"
	return 1
}

# sleep durations nobody else uses, so pgrep finds only ours
tag() { echo $((100000 * $1 + RANDOM)); }

# lifetime NAME [PREFIX...]: PREFIX vmwire run -- sh -c 'sleep A & sleep B',
# killed by SIGKILL once both sleeps run: sh and both sleeps must go.
lifetime() {
	local name=$1 a b script pid left
	shift
	a=$(tag 1)
	b=$(tag 2)
	script="sleep $a & sleep $b; exit 0"
	(cd / && exec "$@" "$VMWIRE" run -- sh -c "$script") \
		>"$VW_TMP/$name.out" 2>"$VW_TMP/$name.err" &
	pid=$!
	vw_on_exit "kill -KILL $pid 2>/dev/null; pkill -KILL -f -x 'sleep $a'; pkill -KILL -f -x 'sleep $b'; true"
	vw_wait_for alive "sleep $a" && vw_wait_for alive "sleep $b" ||
		vw_fail $T "$name: the command did not start: $(cat "$VW_TMP/$name.err")"
	alive "sh -c $script" || vw_fail $T "$name: no sh running the command"
	kill -KILL $pid
	wait $pid 2>/dev/null
	left=$(gone_within 3 "sh -c $script" "sleep $b" "sleep $a") ||
		vw_fail $T "$name: 3 s after kill -KILL of vmwire run, still running:$left"
	check_stderr "$VW_TMP/$name.err"
	[ ! -s "$VW_TMP/$name.err" ] ||
		vw_fail $T "$name: unexpected messages: $(cat "$VW_TMP/$name.err")"
}

# bg_on_exit NAME [PREFIX...]: a background child goes when the command exits.
bg_on_exit() {
	local name=$1 c rc=0 left
	shift
	c=$(tag 3)
	vw_on_exit "pkill -KILL -f -x 'sleep $c'; true"
	(cd / && exec timeout 60 "$@" "$VMWIRE" run -- sh -c "sleep $c & exit 4") \
		>"$VW_TMP/$name.out" 2>"$VW_TMP/$name.err" || rc=$?
	check_stderr "$VW_TMP/$name.err"
	[ $rc -eq 4 ] || vw_fail $T "$name: exit status $rc, expected 4: $(cat "$VW_TMP/$name.err")"
	left=$(gone_within 2 "sleep $c") ||
		vw_fail $T "$name: the background child outlived the command:$left"
}

lifetime root
vw_pass "$T: root: kill -KILL of vmwire run takes the command and its background child"
bg_on_exit root_bg
vw_pass "$T: root: the command's background child goes when the command exits"

# ---- nested ------------------------------------------------------------
vw_dnsmasq_upstream "$DNSMASQ"
host_resolv=$(cat /etc/resolv.conf 2>/dev/null)
rc=0
timeout 60 "$VMWIRE" run -netdev user,dns-upstream=127.0.0.1:5353 -- \
	"$VMWIRE" run -- sh -c 'cat /etc/resolv.conf; ip -o -4 addr show dev tap0;
		getent ahostsv4 www.example.test | sed "s/^/getent: /"' \
	>"$VW_TMP/nested.out" 2>"$VW_TMP/nested.err" || rc=$?
check_stderr "$VW_TMP/nested.err"
[ $rc -eq 0 ] || vw_fail $T "nested: exit status $rc: $(cat "$VW_TMP/nested.err")"
[ ! -s "$VW_TMP/nested.err" ] ||
	vw_fail $T "nested: vmwire run inside vmwire run printed: $(cat "$VW_TMP/nested.err")"
grep -qx 'nameserver 10.0.2.3' "$VW_TMP/nested.out" ||
	vw_fail $T "nested: the inner resolv.conf does not name 10.0.2.3: $(cat "$VW_TMP/nested.out")"
grep -q 'inet 10.0.2.15/24' "$VW_TMP/nested.out" ||
	vw_fail $T "nested: no 10.0.2.15 on the inner tap0: $(cat "$VW_TMP/nested.out")"
grep -q '^getent: 127\.0\.0\.7' "$VW_TMP/nested.out" ||
	vw_fail $T "nested: no DNS through both gateways: $(cat "$VW_TMP/nested.out")"
[ "$(cat /etc/resolv.conf 2>/dev/null)" = "$host_resolv" ] ||
	vw_fail $T "nested: the host's /etc/resolv.conf changed"
vw_pass "$T: vmwire run inside vmwire run: no warning, its own resolv.conf, DNS through both"

# ---- no PID namespace --------------------------------------------------
# In a user namespace of our own, user.max_pid_namespaces is ours to set:
# vmwire run there (root of it) cannot make a PID namespace.
nopid() {
	unshare --user --map-root-user -- sh -c \
		'echo 0 >/proc/sys/user/max_pid_namespaces && exec "$@"' sh "$@"
}
if ! nopid true 2>"$VW_TMP/nopid_setup.err"; then
	echo "SKIP: $T: cannot limit PID namespaces in a user namespace" \
		"($(cat "$VW_TMP/nopid_setup.err")); the fallback is not tested"
else
	rc=0
	timeout 60 unshare --user --map-root-user -- sh -c \
		'echo 0 >/proc/sys/user/max_pid_namespaces && exec "$@"' sh \
		"$VMWIRE" run -- sh -c 'exit 3' >"$VW_TMP/nopid.out" 2>"$VW_TMP/nopid.err" || rc=$?
	check_stderr "$VW_TMP/nopid.err"
	[ $rc -eq 3 ] || vw_fail $T "no PID namespace: exit status $rc: $(cat "$VW_TMP/nopid.err")"
	grep -q 'warning: no PID namespace.*outlive' "$VW_TMP/nopid.err" ||
		vw_fail $T "no PID namespace, and no warning: $(cat "$VW_TMP/nopid.err")"
	b=$(tag 4)
	unshare --user --map-root-user -- sh -c \
		'echo 0 >/proc/sys/user/max_pid_namespaces && exec "$@"' sh \
		"$VMWIRE" run -- sleep "$b" >"$VW_TMP/nopid_kill.out" 2>"$VW_TMP/nopid_kill.err" &
	pid=$!
	vw_on_exit "kill -KILL $pid 2>/dev/null; pkill -KILL -f -x 'sleep $b'; true"
	vw_wait_for alive "sleep $b" ||
		vw_fail $T "no PID namespace: sleep did not start: $(cat "$VW_TMP/nopid_kill.err")"
	kill -KILL $pid
	left=$(gone_within 3 "sleep $b") ||
		vw_fail $T "no PID namespace: the command outlived kill -KILL of vmwire run"
	vw_pass "$T: without a PID namespace: a warning, and the command still dies with vmwire"
fi

# ---- unprivileged ------------------------------------------------------
command -v setpriv >/dev/null || vw_skip "setpriv not found for the unprivileged part"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if ! nobody unshare -Urn true 2>"$VW_TMP/userns.err"; then
	echo "SKIP: $T: unprivileged user namespaces are disabled here" \
		"($(cat "$VW_TMP/userns.err")); the non-root case is not tested"
	exit 0
fi
lifetime nobody setpriv --reuid=65534 --regid=65534 --clear-groups
vw_pass "$T: nobody: kill -KILL of vmwire run takes the command and its background child"
bg_on_exit nobody_bg setpriv --reuid=65534 --regid=65534 --clear-groups
vw_pass "$T: nobody: the command's background child goes when the command exits"
