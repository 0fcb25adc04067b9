# SPDX-License-Identifier: MIT
#
# testpmd.sh - drive dpdk-testpmd (package dpdk-dev) from a test or a
# benchmark: the virtio-user frontend of vmwire's vhost-user ports, and
# DPDK's own vhost backend as the reference.
#
# Theory of operation: testpmd runs in interactive mode with its stdin on a
# fifo this shell holds open, so commands are written one at a time and
# the answers waited for in its log (stdout unbuffered through stdbuf);
# nothing depends on sleeping "long enough". Every instance gets its own
# --file-prefix (two DPDK processes must not share one), no hugepages,
# no PCI, and a small mbuf pool (the default pool does not fit -m 512
# without hugepages). testpmd polls at 100% CPU while forwarding, so
# callers start forwarding only for bounded runs; tp_stop quits it
# cleanly, and every instance is killed at exit anyway.
#
# API (source after common.sh; everything else is private, prefixed tp__):
#   tp_start NAME EAL_AND_APP_ARGS...
#                       start "dpdk-testpmd ARGS -- -i ..." with the
#                       caller's EAL args before "--" and testpmd args after
#                       it (-i is added); wait for the first prompt; log in
#                       $VW_TMP/tp-NAME.log; fail the test if it exits first
#   tp_cmd NAME CMD     send one command line
#   tp_stats NAME PORT  print "RX_PKTS RX_BYTES TX_PKTS TX_BYTES" of PORT
#                       (a fresh "show port stats PORT"); returns 1 with
#                       nothing printed if testpmd does not answer in 30 s
#                       (its main lcore may share a core with pollers)
#   tp_wait_rx NAME PORT N [SECS]
#                       wait until PORT received at least N packets
#   tp_stop NAME        quit it (kill -9 after 5 s)
#   tp_alive NAME       is it still running?
#   TP_EAL              EAL args every instance shares (no huge pages, no PCI)

TP_EAL="--no-huge --no-pci --log-level=lib.eal:warning"
declare -A TP_PID=() TP_FD=()

tp_start() {
	local name=$1 fifo log fd pid
	shift
	vw_tmpdir
	command -v dpdk-testpmd >/dev/null || vw_need_pkgs dpdk-dev
	fifo=$VW_TMP/tp-$name.in
	log=$VW_TMP/tp-$name.log
	rm -f "$fifo"
	mkfifo "$fifo" || vw_fail "$VW_NAME" "mkfifo $fifo"
	local eal=() app=() seen=
	for a in "$@"; do
		if [ -z "$seen" ] && [ "$a" = -- ]; then seen=1; continue; fi
		if [ -n "$seen" ]; then app+=("$a"); else eal+=("$a"); fi
	done
	# shellcheck disable=SC2086
	stdbuf -o0 -e0 dpdk-testpmd $TP_EAL --file-prefix="vw$$-$name" "${eal[@]}" -- -i \
		"${app[@]}" <"$fifo" >"$log" 2>&1 &
	pid=$!
	exec {fd}>"$fifo"
	TP_PID[$name]=$pid
	TP_FD[$name]=$fd
	vw_on_exit "tp__kill $name"
	local n
	for ((n = 600; n > 0; n--)); do
		grep -q 'testpmd> ' "$log" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || vw_fail "$VW_NAME" "testpmd $name exited: $(grep -v '^EAL' "$log" | tail -5)"
		sleep 0.1
	done
	[ $n -gt 0 ] || vw_fail "$VW_NAME" "testpmd $name: no prompt after 60 s"
	grep -qE 'Fail to|failed|Cannot' "$log" &&
		vw_fail "$VW_NAME" "testpmd $name: $(grep -m1 -E 'Fail to|failed|Cannot' "$log")"
	return 0
}

tp_alive() { [ -n "${TP_PID[$1]:-}" ] && kill -0 "${TP_PID[$1]}" 2>/dev/null; }

tp_cmd() {
	tp_alive "$1" || vw_fail "$VW_NAME" "testpmd $1 is not running (command '$2')"
	printf '%s\n' "$2" >&"${TP_FD[$1]}"
}

# The stats block of a "show port stats PORT" is framed by a line naming
# the port and a line of '#'; a marker command after it (an unknown
# command testpmd answers with "Command not found") tells when it is complete.
tp_stats() {
	local name=$1 port=$2 log=$VW_TMP/tp-$1.log before n
	before=$(grep -c 'Command not found' "$log")
	tp_cmd "$name" "show port stats $port"
	tp_cmd "$name" "vwmarker"
	for ((n = 300; n > 0; n--)); do
		[ "$(grep -c 'Command not found' "$log")" -gt "$before" ] && break
		sleep 0.1
	done
	# Called inside $(...): a failure is an empty answer, not an exit.
	if [ $n -eq 0 ]; then
		echo "testpmd $name: no answer to show port stats" >&2
		return 1
	fi
	awk -v p="$port" '
		/NIC statistics for port/ { on = ($(NF - 1) == p) }
		on && /RX-packets:/ { rp = $2; rb = $NF }
		on && /TX-packets:/ { tp = $2; tb = $NF }
		END { printf "%.0f %.0f %.0f %.0f\n", rp, rb, tp, tb }' "$log"
}

tp_wait_rx() {
	local name=$1 port=$2 want=$3 secs=${4:-20} n s
	for ((n = secs * 2; n > 0; n--)); do
		s=$(tp_stats "$name" "$port") || return 1
		[ "${s%% *}" -ge "$want" ] && return 0
		sleep 0.5
	done
	return 1
}

tp_stop() {
	local name=$1 pid=${TP_PID[$1]:-} n
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		printf 'stop\nquit\n' >&"${TP_FD[$name]}" 2>/dev/null
		for ((n = 50; n > 0; n--)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	eval "exec ${TP_FD[$name]}>&-"
	unset "TP_PID[$name]" "TP_FD[$name]"
	rm -rf "/var/run/dpdk/vw$$-$name"
	return 0
}

tp__kill() { tp_stop "$1"; }
