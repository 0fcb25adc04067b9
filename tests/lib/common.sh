# SPDX-License-Identifier: MIT
#
# common.sh - helpers for vmwire integration tests (tests/integration/*.sh).
#
# Theory of operation: a test is a bash script that sources this file,
# calls vw_require_root and vw_enter_private_netns "$@" (which re-executes
# it inside a fresh network namespace, so no packet can leave the machine),
# starts daemons with vw_start and checks what they do. Everything a test
# creates (temp dir, daemons, namespaces, extra commands) is registered for
# teardown at exit; a daemon that does not exit cleanly on SIGTERM, or whose
# log shows a sanitizer report, turns the test into a failure even when its
# own checks passed. Exit codes follow automake: 0 pass, 1 fail, 77 skip.
#
# API (everything else here is private, prefixed vw__):
#   VW_ROOT                 repository root (absolute)
#   VMWIRE                  daemon under test (default $VW_ROOT/build/vmwire)
#   VW_TMP                  per-test temp dir (set by vw_tmpdir / vw_start)
#   vw_require_root         skip (77) unless running as root
#   vw_need_pkgs PKG...     apt-get install the Debian packages not installed
#                           (tools/ensure-deps.sh: waits for the dpkg lock;
#                           CI installed them all up front)
#   vw_enter_private_netns "$@"
#                           re-exec the script under `unshare -n`, lo up,
#                           then vw_tmpdir
#   vw_tmpdir               create VW_TMP (removed at exit, kept if VW_KEEP=1)
#   vw_on_exit CMD...       run CMD at exit (last registered runs first)
#   vw_start NAME ARGS...   run "$VMWIRE ARGS..." in background, stdout+stderr
#                           to $VW_TMP/NAME.log, wait for its ready line;
#                           pid in VW_PID[NAME]; stopped and checked at exit
#   vw_stop NAME            SIGTERM NAME now; fail unless it exits 0 within
#                           5 s without sanitizer reports
#   vw_netns_add NAME       create netns "$(vw_ns NAME)" with lo up; deleted
#                           (and its processes killed) at exit
#   vw_ns NAME              print the full (unique) name of netns NAME
#   vw_wait_for [-t SECS] CMD...
#                           poll CMD every 0.1 s until it succeeds; return 1
#                           after SECS (default 10)
#   vw_dnsmasq_upstream DNSMASQ
#                           start dnsmasq as the local DNS upstream on
#                           127.0.0.1:5353 (example.test -> 127.0.0.7, nothing
#                           else), wait until it listens; stopped at exit
#   vw_pass NAME            print "PASS: NAME"
#   vw_fail NAME MSG        print "FAIL: NAME: MSG" and exit 1
#   vw_skip MSG             print "SKIP: MSG" and exit 77
#
# Call vw_start, vw_netns_add and vw_on_exit from the test's main shell, not
# inside $(...): the teardown registry lives in the shell that calls them.

VW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${VMWIRE:=$VW_ROOT/build/vmwire}"
case $VMWIRE in /*) ;; *) VMWIRE=$VW_ROOT/$VMWIRE ;; esac
export VMWIRE

# The line the daemon prints on stderr once every netdev is listening.
VW_READY_LINE='vmwire: info: ready'

VW_NAME=$(basename "$0" .sh)
declare -a vw__exit_cmds=()
declare -A VW_PID=()

vw_pass() { echo "PASS: $1"; }

vw_fail() {
	echo "FAIL: $1: ${2:-}" >&2
	exit 1
}

vw_skip() {
	echo "SKIP: $VW_NAME: $*"
	exit 77
}

vw_require_root() {
	[ "$(id -u)" -eq 0 ] || vw_skip "needs root"
}

vw_need_pkgs() {
	"$VW_ROOT/tools/ensure-deps.sh" --pkgs "$@" ||
		vw_fail "$VW_NAME" "cannot install $*"
}

vw_enter_private_netns() {
	if [ -z "${VW_PRIVATE_NETNS:-}" ]; then
		command -v unshare >/dev/null || vw_need_pkgs util-linux
		export VW_PRIVATE_NETNS=$$
		exec unshare -n -- bash "$0" "$@"
	fi
	ip link set lo up || vw_fail "$VW_NAME" "cannot bring lo up in private netns"
	vw_tmpdir
}

vw_on_exit() {
	vw__exit_cmds+=("$*")
}

# vw_bg LOG CMD...: run CMD in the background, output to $VW_TMP/LOG,
# killed at exit.
vw_bg() {
	local log=$1
	shift
	"$@" >"$VW_TMP/$log" 2>&1 &
	vw_on_exit "kill $! 2>/dev/null; true"
}

vw__teardown() {
	local rc=$? i
	trap - EXIT
	set +e
	for ((i = ${#vw__exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${vw__exit_cmds[i]}" || { [ $rc -eq 0 ] && rc=1; }
	done
	if [ -n "${VW_TMP:-}" ] && [ -d "$VW_TMP" ]; then
		if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
			local f
			for f in "$VW_TMP"/*.log; do
				[ -f "$f" ] || continue
				echo "---- $f (last 60 lines) ----"
				tail -n 60 "$f"
			done
		fi
		if [ -n "${VW_KEEP:-}" ]; then
			echo "kept $VW_TMP"
		else
			rm -rf "$VW_TMP"
		fi
	fi
	exit $rc
}
trap vw__teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

vw_tmpdir() {
	[ -n "${VW_TMP:-}" ] && return 0
	VW_TMP=$(mktemp -d "/tmp/vwtest-$VW_NAME.XXXXXX") ||
		vw_fail "$VW_NAME" "mktemp failed"
	export VW_TMP
}

vw_dnsmasq_upstream() {
	"$1" --no-daemon --conf-file=/dev/null --port=5353 --listen-address=127.0.0.1 \
		--bind-interfaces --no-resolv --no-hosts --address=/example.test/127.0.0.7 \
		--pid-file= >"$VW_TMP/dnsmasq.log" 2>&1 &
	vw_on_exit "kill $!"
	vw_wait_for sh -c 'ss -lun | grep -q "127.0.0.1:5353 "' ||
		vw_fail "$VW_NAME" "dnsmasq did not come up: $(cat "$VW_TMP/dnsmasq.log")"
}

vw_wait_for() {
	local secs=10 n
	if [ "$1" = -t ]; then
		secs=$2
		shift 2
	fi
	for ((n = secs * 10; n > 0; n--)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

vw__sanitizer_report() {
	grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$1"
}

vw_start() {
	local name=$1 pid log
	shift
	vw_tmpdir
	[ -x "$VMWIRE" ] || vw_fail "$VW_NAME" "$VMWIRE not built (run make)"
	log=$VW_TMP/$name.log
	"$VMWIRE" "$@" >"$log" 2>&1 &
	pid=$!
	VW_PID[$name]=$pid
	vw_on_exit "vw__stop_if_running $name"
	local n
	for ((n = 300; n > 0; n--)); do
		grep -qF "$VW_READY_LINE" "$log" && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			local rc=0
			wait "$pid" || rc=$?
			unset "VW_PID[$name]"
			cat "$log" >&2
			vw_fail "$VW_NAME" "vmwire '$name' exited ($rc) before ready"
		fi
		sleep 0.1
	done
	vw_fail "$VW_NAME" "vmwire '$name' not ready after 30 s"
}

vw__stop_if_running() {
	[ -n "${VW_PID[$1]:-}" ] || return 0
	vw__stop "$1"
}

# Returns non-zero instead of exiting so teardown can go on.
vw__stop() {
	local name=$1 pid=${VW_PID[$1]} log=$VW_TMP/$1.log n rc
	unset "VW_PID[$name]"
	kill -TERM "$pid" 2>/dev/null
	for ((n = 50; n > 0; n--)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "FAIL: $VW_NAME: vmwire '$name' ignored SIGTERM for 5 s" >&2
		return 1
	fi
	rc=0
	wait "$pid" || rc=$?
	if vw__sanitizer_report "$log" >&2; then
		echo "FAIL: $VW_NAME: sanitizer report in $name.log" >&2
		return 1
	fi
	if [ $rc -ne 0 ]; then
		echo "FAIL: $VW_NAME: vmwire '$name' exited with status $rc on SIGTERM" >&2
		return 1
	fi
	return 0
}

vw_stop() {
	[ -n "${VW_PID[$1]:-}" ] || vw_fail "$VW_NAME" "vw_stop: '$1' not running"
	vw__stop "$1" || exit 1
}

vw_ns() { echo "vw$$-$1"; }

vw_netns_add() {
	local ns
	ns=$(vw_ns "$1")
	ip netns add "$ns" || vw_fail "$VW_NAME" "ip netns add $ns failed"
	vw_on_exit "vw__netns_del $ns"
	ip -n "$ns" link set lo up
}

vw__netns_del() {
	local p
	for p in $(ip netns pids "$1" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$1" 2>/dev/null
	return 0
}

# vw_framed_broadcast A_SOCK B_SOCK: two QEMU-framed stream peers
# (tests/lib/framed_peer.py) on a daemon's listening sockets: b connects
# first and records, then a sends one broadcast frame; fails the test
# unless b gets exactly that frame (4-byte length prefix + 60 bytes).
# Both stay connected for the rest of the test (killed at exit); their
# pids are in VW_FRAMED_PIDS.
vw_framed_broadcast() {
	local a=$1 b=$2 out pa pb
	command -v python3 >/dev/null || vw_need_pkgs python3
	vw_tmpdir
	out=$(mktemp -d "$VW_TMP/framed.XXXXXX") || vw_fail forward "mktemp failed"
	python3 "$VW_ROOT/tests/lib/framed_peer.py" "$b" recv "$out/b.rx" &
	pb=$!
	vw_on_exit "kill $pb 2>/dev/null; true"
	vw_wait_for test -e "$out/b.rx.up" || vw_fail forward "b did not connect"
	python3 "$VW_ROOT/tests/lib/framed_peer.py" "$a" send "$out/a.rx" &
	pa=$!
	vw_on_exit "kill $pa 2>/dev/null; true"
	vw_wait_for test -s "$out/b.rx" || vw_fail forward "b never received a's broadcast"
	[ "$(stat -c %s "$out/b.rx")" = 64 ] ||
		vw_fail forward "b got $(stat -c %s "$out/b.rx") bytes, want 64"
	VW_FRAMED_PIDS="$pa $pb"
}

# vw_stop_expect_gone NAME DIR FILE...: stop daemon NAME as vw_stop does
# (SIGTERM, exit status 0), then fail unless it removed each FILE in DIR.
vw_stop_expect_gone() {
	local name=$1 dir=$2 f
	shift 2
	vw_stop "$name"
	for f in "$@"; do
		[ ! -e "$dir/$f" ] || vw_fail "$name" "$f left behind in $dir at exit"
	done
}
