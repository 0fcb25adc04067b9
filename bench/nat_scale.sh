# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2004,SC2034 # nat.sh's variables and associative arrays
#
# nat_scale.sh - bench/nat.sh's "scale" section (sourced): what many flows
# cost the translating process.
#
# Theory of operation: with the tool's namespace up, connload (bench/
# connload.c) opens IDLE connections to nginx on the host's 127.0.0.1 and
# holds them without a byte sent (nginx waits for a request for 600 s),
# 256 connects in flight at a time (the rate they open at is printed); once
# all are established the gateway's RSS is read and its CPU is counted over
# SSECS seconds of idleness (timers that walk every flow show up here).
# Then, with the idle ones still open, wrk drives ACTIVE keep-alive
# connections for SSECS seconds: the gateway's CPU over that run (from
# /proc/PID/stat, all its threads, in % of one core), its RSS after it and
# its peak (VmHWM), and wrk's requests/s. RSS before anything is the
# baseline (a preallocated flow table is in it, counted at first touch).
# Results go into the SC_* arrays of nat.sh.

# kB of the process's VmRSS or VmHWM ($2)
proc_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# utime + stime of the process in clock ticks
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

# CPU % of one core a process used while "$@" ran
cpu_during() {
	local pid=$1 t0 t1 s0 s1
	shift
	t0=$(proc_ticks "$pid") s0=$(date +%s.%N)
	"$@"
	t1=$(proc_ticks "$pid") s1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v s="$s0" -v e="$s1" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.1f", 100 * (b - a) / hz / (e - s) }'
}

scale() {
	local name=$1 holdpid held n t0
	[ -n "$GWPID" ] || return 0
	SC_RSS0[$name]=$(proc_kb "$GWPID" VmRSS)
	nsx "$CONNLOAD" hold "$SRV" 8080 "$IDLE" 600 >"$VW_TMP/$name.hold" 2>&1 &
	holdpid=$!
	t0=$(date +%s.%N)
	for ((n = 0; n < 1300; n++)); do
		grep -q '^held' "$VW_TMP/$name.hold" && break
		kill -0 $holdpid 2>/dev/null || break
		sleep 0.1
	done
	held=$(awk '/^held/ { print $2 }' "$VW_TMP/$name.hold")
	SC_OPEN[$name]=$(awk -v h="${held:-0}" -v s="$t0" -v e="$(date +%s.%N)" \
		'BEGIN { printf "%.0f", h / (e - s) }')
	SC_HELD[$name]=${held:-0}
	SC_RSS[$name]=$(proc_kb "$GWPID" VmRSS)
	SC_ICPU[$name]=$(cpu_during "$GWPID" sleep "$SSECS")
	SC_ACPU[$name]=$(cpu_during "$GWPID" sh -c "${NSX[*]} wrk -t 2 -c $ACTIVE -d ${SSECS}s \
		http://$SRV:8080/ >'$VW_TMP/$name.active' 2>&1")
	SC_REQ[$name]=$(awk '/^Requests\/sec:/ { print $2 }' "$VW_TMP/$name.active")
	[ -n "${SC_REQ[$name]}" ] || echo "  $name scale: wrk failed: $(tail -n 3 "$VW_TMP/$name.active")"
	SC_HWM[$name]=$(proc_kb "$GWPID" VmHWM)
	kill $holdpid 2>/dev/null
	wait $holdpid 2>/dev/null
	printf "  %s scale: %s of %s idle flows held (opened at %s/s), RSS %s -> %s kB, idle CPU %s%%;" \
		"$name" "${SC_HELD[$name]}" "$IDLE" "${SC_OPEN[$name]}" "${SC_RSS0[$name]}" "${SC_RSS[$name]}" \
		"${SC_ICPU[$name]}"
	printf " +%s active: CPU %s%%, peak RSS %s kB, %s req/s\n" "$ACTIVE" "${SC_ACPU[$name]}" \
		"${SC_HWM[$name]}" "${SC_REQ[$name]:-0}"
}
