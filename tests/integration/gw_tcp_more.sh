#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_tcp_more.sh - the gateway's forwards and limits, with two namespace
# "VMs" on one network (static 10.0.2.15 and .16, TAP ports):
#   guestfwd= to a host unix socket, to cmd:cat (echo), to a banner
#   command, to a host TCP socket; a guest RST kills its command's process;
#   no zombie is left;
#   hostfwd= to each VM by explicit guestaddr, empty hostaddr = every
#   address; hostfwd_add / hostfwd_remove through "vmwire ctl" (a host
#   connection reaches the namespace, after removal it is refused) and
#   their errors;
#   200 concurrent 1 MiB connections intact;
#   max-tcp-flows=8: the 9th connection is refused at once, the 8 keep
#   working, new ones work once they closed;
#   (loss and reordering: gw_tcp_impair.sh)
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 python3
vw_tmpdir

T=gw_tcp_more
PY=/usr/bin/python3
DIR=$(cd "$(dirname "$0")" && pwd)
TOOL=$DIR/gw_tcp_tool.py
MORE=$DIR/gw_tcp_more.py
MON=$VW_TMP/mon.sock

vw_netns_add a
vw_netns_add b
NSA=$(vw_ns a)
NSB=$(vw_ns b)
nsa() { ip netns exec "$NSA" "$@"; }
nsb() { ip netns exec "$NSB" "$@"; }
ctl() { "$VMWIRE" ctl "$MON" "$@"; }

vw_bg sink.log $PY "$TOOL" sink 9001
vw_bg usink.log $PY "$MORE" unix-sink "$VW_TMP/u.sock"
vw_bg ida.log nsa $PY "$MORE" ident 7777 vm-a
vw_bg idb.log nsb $PY "$MORE" ident 7777 vm-b
vw_bg nssink.log nsa $PY "$TOOL" sink 7778
vw_wait_for sh -c 'ss -ltn | grep -q "0.0.0.0:9001 " && test -S "$0"' "$VW_TMP/u.sock" ||
	vw_fail $T "host servers did not come up"

vw_start gw -netdev tap,id=ta,ifname=vw0,netns="$NSA" \
	-netdev tap,id=tb,ifname=vw1,netns="$NSB" \
	-netdev "user,id=gw,hostfwd=tcp::6001-10.0.2.15:7777,hostfwd=tcp::6002-10.0.2.16:7777,guestfwd=tcp:10.0.2.100:1234-unix:$VW_TMP/u.sock,guestfwd=tcp:10.0.2.100:1235-cmd:cat,guestfwd=tcp:10.0.2.101:80-cmd:echo hello-from-cmd,guestfwd=tcp:10.0.2.100:1236-tcp:127.0.0.1:9001,guestfwd=tcp:10.0.2.100:1237-cmd:exec sleep 4242" \
	-monitor "unix:$MON,server=on,wait=off"
GWPID=${VW_PID[gw]}

nsa ip addr add 10.0.2.15/24 dev vw0
nsa ip route add default via 10.0.2.2
nsb ip addr add 10.0.2.16/24 dev vw1
nsb ip route add default via 10.0.2.2

# ---- guestfwd ---------------------------------------------------------------
nsa timeout 60 $PY "$TOOL" put 10.0.2.100 1234 $((8 << 20)) >"$VW_TMP/gf-unix.log" 2>&1 ||
	vw_fail $T "guestfwd to unix:: $(cat "$VW_TMP/gf-unix.log")"
vw_pass "$T: guestfwd=tcp:10.0.2.100:1234-unix:PATH carries 8 MiB, sha256 back"

nsa timeout 60 $PY "$MORE" echo 10.0.2.100 1235 $((1 << 20)) >"$VW_TMP/gf-cat.log" 2>&1 ||
	vw_fail $T "guestfwd to cmd:cat: $(cat "$VW_TMP/gf-cat.log")"
nsb timeout 60 $PY "$MORE" echo 10.0.2.100 1235 100000 >"$VW_TMP/gf-cat2.log" 2>&1 ||
	vw_fail $T "guestfwd to cmd:cat from b: $(cat "$VW_TMP/gf-cat2.log")"
vw_pass "$T: guestfwd cmd:cat echoes 1 MiB intact (and for the second VM)"

nsb timeout 20 $PY "$MORE" banner 10.0.2.101 80 hello-from-cmd >"$VW_TMP/gf-banner.log" 2>&1 ||
	vw_fail $T "guestfwd banner: $(cat "$VW_TMP/gf-banner.log")"
vw_pass "$T: guestfwd cmd:echo, the command's output then EOF"

nsa timeout 60 $PY "$TOOL" put 10.0.2.100 1236 $((4 << 20)) >"$VW_TMP/gf-tcp.log" 2>&1 ||
	vw_fail $T "guestfwd to tcp:: $(cat "$VW_TMP/gf-tcp.log")"
vw_pass "$T: guestfwd tcp:127.0.0.1:9001 carries 4 MiB"

nsa timeout 20 $PY "$TOOL" refused 10.0.2.100 1239 >"$VW_TMP/gf-ref.log" 2>&1 ||
	vw_fail $T "unknown port on a guestfwd server: $(cat "$VW_TMP/gf-ref.log")"
vw_pass "$T: another port on the guestfwd server is refused"

nsa timeout 20 $PY "$MORE" rst 10.0.2.100 1237 >"$VW_TMP/gf-rst.log" 2>&1 &
RSTPID=$!
vw_wait_for -t 10 pgrep -f "^sleep 4242\$" >/dev/null ||
	vw_fail $T "guestfwd cmd:exec sleep 4242 did not start"
wait $RSTPID || vw_fail $T "guestfwd rst: $(cat "$VW_TMP/gf-rst.log")"
vw_wait_for -t 10 sh -c '! pgrep -f "^sleep 4242$" >/dev/null' ||
	vw_fail $T "the command of a reset guestfwd flow still runs"
vw_pass "$T: a guest RST ends its guestfwd command"

vw_wait_for -t 5 sh -c "[ \$(ps -o stat= --ppid $GWPID | grep -c Z) = 0 ]" ||
	vw_fail $T "zombie children of vmwire: $(ps -o pid,stat,args --ppid "$GWPID")"
vw_pass "$T: guestfwd children reaped"

# ---- hostfwd ----------------------------------------------------------------
who() { timeout 10 $PY "$MORE" whois "$1" "$2" 2>&1; }
[ "$(who 127.0.0.1 6001)" = vm-a ] || vw_fail $T "hostfwd 6001: $(who 127.0.0.1 6001)"
[ "$(who 127.0.0.1 6002)" = vm-b ] || vw_fail $T "hostfwd 6002: $(who 127.0.0.1 6002)"
[ "$(who 127.0.0.2 6002)" = vm-b ] || vw_fail $T "hostfwd via 127.0.0.2: $(who 127.0.0.2 6002)"
vw_pass "$T: hostfwd to each VM by guestaddr, empty hostaddr listens on every address"

out=$(ctl hostfwd_add gw tcp::6003-10.0.2.16:7777) || vw_fail $T "ctl: $out"
[ -z "$out" ] || vw_fail $T "hostfwd_add said: $out"
out=$(ctl hostfwd_add tcp:127.0.0.1:6004-:7778)
[ -z "$out" ] || vw_fail $T "hostfwd_add without id said: $out"
[ "$(who 127.0.0.1 6003)" = vm-b ] || vw_fail $T "hostfwd_add 6003: $(who 127.0.0.1 6003)"
timeout 30 $PY "$TOOL" put 127.0.0.1 6004 $((2 << 20)) >"$VW_TMP/hf4.log" 2>&1 ||
	vw_fail $T "hostfwd_add 6004 (default guestaddr): $(cat "$VW_TMP/hf4.log")"
ctl info usernet | grep -q "HOST_FORWARD.*6003" || vw_fail $T "info usernet: $(ctl info usernet)"
vw_pass "$T: hostfwd_add [id] rule through vmwire ctl reaches the namespaces"

out=$(ctl hostfwd_remove gw tcp::6003)
[ "$out" = "host forwarding rule for tcp::6003 removed" ] || vw_fail $T "hostfwd_remove: $out"
out=$(ctl hostfwd_remove tcp:127.0.0.1:6004)
[ "$out" = "host forwarding rule for tcp:127.0.0.1:6004 removed" ] ||
	vw_fail $T "hostfwd_remove: $out"
timeout 10 $PY "$TOOL" refused 127.0.0.1 6003 >"$VW_TMP/hf3.log" 2>&1 ||
	vw_fail $T "6003 after hostfwd_remove: $(cat "$VW_TMP/hf3.log")"
timeout 10 $PY "$TOOL" refused 127.0.0.1 6004 >"$VW_TMP/hf4r.log" 2>&1 ||
	vw_fail $T "6004 after hostfwd_remove: $(cat "$VW_TMP/hf4r.log")"
[ "$(who 127.0.0.1 6001)" = vm-a ] || vw_fail $T "6001 after removals: $(who 127.0.0.1 6001)"
vw_pass "$T: hostfwd_remove closes the host port, other rules untouched"

expect_ctl() { # expect_ctl SUBSTRING ARGS...
	local want=$1 got
	shift
	got=$(ctl "$@")
	case $got in *"$want"*) ;; *) vw_fail $T "ctl $*: '$got', want '$want'" ;; esac
}
expect_ctl "no user-mode gateway with id 'nope'" hostfwd_add nope tcp::6005-:7777
expect_ctl "a rule for that host address and port exists" hostfwd_add gw tcp::6001-:7777
expect_ctl "invalid host forwarding rule 'tcp::6005'" hostfwd_add tcp::6005
expect_ctl "invalid host forwarding rule" hostfwd_add tcp::6005-10.9.9.9:80
expect_ctl "not found" hostfwd_remove gw tcp::6999
expect_ctl "invalid format" hostfwd_remove gw icmp::6001
expect_ctl "expected [netdev_id]" hostfwd_add
expect_ctl "could not set up host forwarding rule" hostfwd_add gw tcp:10.9.9.9:6006-:7777
# The part that is wrong is named, as on the command line; a specific
# address collides with a rule on every address; failures exit 1.
expect_ctl "'tcp::99999-:22': the host port is out of range" hostfwd_add gw tcp::99999-:22
expect_ctl "the guest address is not a guest host address" hostfwd_add gw tcp::6007-10.9.9.9:80
expect_ctl "a rule for that host address and port exists" hostfwd_add gw tcp:127.0.0.1:6001-:7777
rc=0
ctl hostfwd_add gw tcp::99999-:22 >/dev/null || rc=$?
[ $rc -eq 1 ] || vw_fail $T "failed hostfwd_add: ctl exit $rc, want 1"
vw_pass "$T: hostfwd_add / hostfwd_remove errors are one clear line"

# ---- many -------------------------------------------------------------------
nsa timeout 300 $PY "$TOOL" many 10.0.2.2 9001 200 $((1 << 20)) >"$VW_TMP/many.log" 2>&1 ||
	vw_fail $T "200 parallel connections: $(cat "$VW_TMP/many.log")"
vw_pass "$T: 200 concurrent 1 MiB connections intact"
vw_stop gw

# ---- max-tcp-flows ------------------------------------------------------------
vw_start lim -netdev tap,id=ta,ifname=vw0,netns="$NSA" -netdev user,id=gw,max-tcp-flows=8
nsa ip addr add 10.0.2.15/24 dev vw0
nsa ip route add default via 10.0.2.2
nsa timeout 60 $PY "$MORE" limit 10.0.2.2 9001 8 >"$VW_TMP/limit.log" 2>&1 ||
	vw_fail $T "max-tcp-flows=8: $(cat "$VW_TMP/limit.log")"
grep -q "max-tcp-flows" "$VW_TMP/lim.log" || vw_fail $T "no max-tcp-flows warning logged"
[ "$(grep -c "max-tcp-flows" "$VW_TMP/lim.log")" = 1 ] || vw_fail $T "warning logged more than once"
vw_pass "$T: max-tcp-flows=8, 9th refused, 8 keep working, new ones after they close; logged once"
vw_stop lim

