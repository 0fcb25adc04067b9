#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR disable=SC2317 # setup_* and slow_* are called by name
#
# nat.sh - the user-mode gateway against its peers: a namespace reaching
# servers on the "host's" 127.0.0.1 through (a) vmwire run (TAP + -netdev
# user, mtu 65520), (b) pasta (Debian passt, --config-net, mtu 65520), (c)
# slirp4netns (--configure --mtu=65520), each via its gateway address
# 10.0.2.2 mapped to host loopback, and (d) a kernel veth pair (the limit:
# no translation at all, servers reached at the veth's address).
#
# Sections (VW_NAT_SECTIONS, default all of them, in this order):
#   tput   iperf3 TCP namespace -> host and host -> namespace (-R, the
#          server stays on the host)
#   lat    sockperf TCP ping-pong: p50 and p99 one-way latency, unpinned
#          and pinned (the tool's process, the sockperf server and client
#          all on CPU 0 with taskset: per-packet cost without the wakeup
#          and CPU placement noise of a 2-CPU VM); also the tool vmwire-bp,
#          vmwire run --busy-poll=$VW_NAT_BP (lat section only)
#   conn   connection rate: wrk with "Connection: close" against nginx (the
#          server closes first) at 1, 16 and 256 connections, and
#          bench/connload.c at 16 (the client closes first)
#   zero   one long iperf3 run ns -> host counting 1-second intervals at
#          0 bit/s (a stall the average hides)
#   ipv6   iperf3 both ways over IPv6: vmwire's fec0::2 and pasta's and
#          slirp4netns's fd00::2 reach the host's ::1, veth its fd09::1
#   scale  16k idle TCP flows (connload hold) then 1k active ones (wrk
#          keep-alive) through the gateway: its RSS and CPU (vmwire and
#          pasta, VW_NAT_SCALE_TOOLS)
#   slow   a slow guest: host -> ns iperf3 at mtu 1500 through a 500 Mbit/s
#          bottleneck (see slow_* below): goodput, resent data, drops
# Each number is the median of REPS runs; the ratio table gives vmwire's
# to each peer's.
#
# Everything runs under a private network namespace (the script re-execs
# itself under unshare -n): its loopback is "the host", the tools'
# namespaces are created inside it, nothing reaches a real network.
#
# Knobs (environment): VW_NAT_REPS (3), VW_NAT_SECS iperf3 seconds (5),
# VW_NAT_LSECS sockperf seconds (3), VW_NAT_CSECS seconds per connection-
# rate run (3), VW_NAT_ZSECS the zero-interval run (30), VW_NAT_TOOLS
# (default "vmwire vmwire-bp pasta slirp4netns veth"), VW_NAT_SECTIONS (above),
# VW_NAT_BP (vmwire-bp's --busy-poll microseconds, 50),
# VW_NAT_SLOW_TOOLS (default "vmwire-stream vmwire pasta slirp4netns
# veth"), VW_NAT_SLOW_MBIT (500), VW_NAT_SLOW_QKB (the shaper's queue, KiB:
# 384), VW_NAT_SCALE_TOOLS ("vmwire pasta"),
# VW_NAT_IDLE (16384 idle flows), VW_NAT_ACTIVE (1000), VW_NAT_SSECS
# (seconds per scale phase, 5), VW_NAT_PERF=1 records perf data of vmwire
# during its iperf3 runs into $VW_NAT_PERF_DIR (default /tmp).
# A quick run: VW_NAT_REPS=1 VW_NAT_SECTIONS="tput lat" bench/nat.sh
set -u
# shellcheck source=../tests/lib/common.sh
. "$(dirname "$0")/../tests/lib/common.sh"

REPS=${VW_NAT_REPS:-3} SECS=${VW_NAT_SECS:-5} LSECS=${VW_NAT_LSECS:-3}
CSECS=${VW_NAT_CSECS:-3} ZSECS=${VW_NAT_ZSECS:-30}
TOOLS=${VW_NAT_TOOLS:-vmwire vmwire-bp pasta slirp4netns veth}
BP=${VW_NAT_BP:-50}
SECTIONS=" ${VW_NAT_SECTIONS:-tput lat conn zero ipv6 scale slow} "
SLOW_TOOLS=${VW_NAT_SLOW_TOOLS:-vmwire-stream vmwire pasta slirp4netns veth}
SLOW_MBIT=${VW_NAT_SLOW_MBIT:-500} SLOW_QKB=${VW_NAT_SLOW_QKB:-384}
SCALE_TOOLS=" ${VW_NAT_SCALE_TOOLS:-vmwire pasta} "
IDLE=${VW_NAT_IDLE:-16384} ACTIVE=${VW_NAT_ACTIVE:-1000} SSECS=${VW_NAT_SSECS:-5}
T=nat
BENCH=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3

on() { [[ $SECTIONS == *" $1 "* ]]; }

vw_require_root
vw_enter_private_netns "$@"
# Only what the chosen sections and tools use: a lat-only run needs no nginx.
PKGS="iproute2 iperf3 sockperf python3 util-linux build-essential" ALL=" $TOOLS "
on slow && ALL+="$SLOW_TOOLS "
[[ $ALL == *" pasta "* ]] && PKGS+=" passt"
[[ $ALL == *" slirp4netns "* ]] && PKGS+=" slirp4netns"
HTTP=0
if on conn || on scale; then HTTP=1 PKGS+=" wrk nginx-light"; fi
# shellcheck disable=SC2086
vw_need_pkgs $PKGS
vw_tmpdir
[ -x "$VMWIRE" ] || vw_fail "$T" "$VMWIRE not built (run make)"
# 16k flows: descriptors for the client, nginx and the gateway (each
# inherits this limit). The hard limit may be below what root could set
# (20000 in some sandboxes).
NOFILE=$(ulimit -Hn)
[ "$NOFILE" = unlimited ] && NOFILE=1048576
ulimit -n "$NOFILE" || vw_fail "$T" "cannot raise RLIMIT_NOFILE to $NOFILE"
# vmwire sizes its TCP table to three quarters of its free descriptors
# (netdev_user.c keeps the rest for listeners and the monitor): fewer idle
# flows where the hard limit is low, said in the output, rather than a
# table that resets the active ones.
FIT=$((NOFILE * 3 / 4 - 300 - ACTIVE - 200))
if on scale && [ "$IDLE" -gt "$FIT" ]; then
	echo "scale: $FIT idle flows instead of $IDLE: RLIMIT_NOFILE's hard limit is $NOFILE here"
	IDLE=$FIT
fi
[ "$IDLE" -gt 0 ] || vw_fail "$T" "scale: RLIMIT_NOFILE $NOFILE leaves no room for $ACTIVE active flows"
cc -O2 -std=gnu11 -o "$VW_TMP/connload" "$BENCH/connload.c" || vw_fail "$T" "cannot build connload"
CONNLOAD=$VW_TMP/connload

declare -A UP DOWN LAT P99 LATP P99P C1 C16 C256 CC16 ZERO ZMIN UP6 DOWN6
declare -A SL_GP SL_RS SL_DUP SL_DROP SL_ENG SC_RSS0 SC_RSS SC_ICPU SC_ACPU SC_HWM SC_REQ SC_HELD SC_OPEN

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
# med FILE: its median, nothing if the section did not run (the report's n/a)
med() { [ -s "$1" ] && median <"$1"; }

# --- the host side: servers on 127.0.0.1 (and the veth address) ---------
# An interface with a default route gives pasta a "host" interface to copy
# its template from (a veth: dummy may be missing from the kernel), v4 and
# v6; the servers listen on every address so the veth namespace reaches
# them at 10.9.0.1 and fd09::1.
ip link add vwhost type veth peer name vwhostp || vw_fail "$T" "cannot create a veth pair"
ip link set vwhostp up
ip addr add 10.0.2.15/24 dev vwhost
ip -6 addr add fd00::15/64 dev vwhost nodad
ip link set vwhost up
ip route add default via 10.0.2.2 dev vwhost onlink
ip -6 route add default via fd00::2 dev vwhost onlink

# wrk opens tens of thousands of connections per tool through the same
# loopback: a wide port range keeps connect() from hunting for free ports.
sysctl -qw net.ipv4.ip_local_port_range="1024 65535" 2>/dev/null

mkdir -p "$VW_TMP/www"
echo "hello from nat.sh" >"$VW_TMP/www/index.html"
# Idle connections must stay open through the scale section: no request
# arrives on them, so client_header_timeout is what would close them.
cat >"$VW_TMP/nginx.conf" <<EOF
user root;
worker_processes 1;
worker_rlimit_nofile $NOFILE;
pid $VW_TMP/nginx.pid;
error_log $VW_TMP/nginx.err;
events { worker_connections 24000; }
http {
	access_log off;
	client_header_timeout 600s;
	keepalive_timeout 600s;
	keepalive_requests 1000000;
	client_body_temp_path $VW_TMP/ngx;
	proxy_temp_path $VW_TMP/ngx;
	fastcgi_temp_path $VW_TMP/ngx;
	uwsgi_temp_path $VW_TMP/ngx;
	scgi_temp_path $VW_TMP/ngx;
	server {
		listen 8080 reuseport backlog=4096;
		listen [::]:8080 reuseport backlog=4096;
		root $VW_TMP/www;
	}
}
EOF
if [ "$HTTP" = 1 ]; then
	nginx -c "$VW_TMP/nginx.conf" -g 'daemon off;' >"$VW_TMP/nginx.log" 2>&1 &
	vw_on_exit "kill $!"
fi
iperf3 -s -p 5201 >"$VW_TMP/iperf-s.log" 2>&1 &
vw_on_exit "kill $!"
sockperf sr --tcp -i 0.0.0.0 -p 11111 >"$VW_TMP/sockperf-s.log" 2>&1 &
SOCKPERF_SRV=$!
vw_on_exit "kill $SOCKPERF_SRV"
vw_wait_for sh -c '{ [ '"$HTTP"' = 0 ] || ss -ltn | grep -q ":8080 "; } && ss -ltn | grep -q ":5201 " &&
	ss -ltn | grep -q ":11111 "' || vw_fail "$T" "host servers did not come up"

# --- the tools: each leaves a namespace -------------------------------
# nsx runs a command in the current tool's namespace, SRV (SRV6) is where
# the servers are as seen from there, NSIF its interface, GWPID the
# process doing the translation (empty for veth). MTU: 65520, or 1500 in
# the slow section. $1: the namespace's name (each setup makes a fresh one).
NSX=() SRV=10.0.2.2 SRV6='' NSIF='' GWPID='' MTU=65520
nsx() { "${NSX[@]}" "$@"; }

# Both sections' connection runs leave TIME_WAIT sockets in the namespace:
# the full port range and reuse keep connect() from running out.
ns_tune() {
	nsx sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 \
		>/dev/null 2>&1
}

setup_vmwire() {
	local child='' opts=user
	# the scale section needs more flows than the default table's 16384
	on scale && opts=user,max-tcp-flows=24000
	"$VMWIRE" run -q --mtu "$MTU" ${VW_BP_ARG:-} -netdev "$opts" -- sleep 100000 \
		>"$VW_TMP/vmwire-$1.log" 2>&1 &
	GWPID=$!
	vw_on_exit "kill $GWPID 2>/dev/null; true"
	vw_wait_for sh -c "pgrep -P $GWPID >/dev/null" || vw_fail "$T" "vmwire run started nothing"
	child=$(pgrep -P "$GWPID" | head -n1)
	vw_wait_for sh -c "nsenter -t $child -n ip -o addr show | grep -q 10.0.2.15" ||
		vw_fail "$T" "vmwire run: no 10.0.2.15 in the namespace"
	NSX=(nsenter -t "$child" -n)
	SRV=10.0.2.2 SRV6=fec0::2 NSIF=tap0
}

# vmwire with busy polling: measured in the lat section only (measure()).
setup_vmwire-bp() {
	VW_BP_ARG=--busy-poll=$BP setup_vmwire "$@"
}

setup_pasta() {
	vw_netns_add "$1"
	# As root pasta drops to nobody, which may not enter the namespace:
	# --runas 0. IPv6 from the host template (fd00::15, gateway fd00::2).
	pasta -f -q --runas 0 --config-net -a 10.0.2.15 -n 24 -g 10.0.2.2 -m "$MTU" \
		-t none -u none -T none -U none --netns "$(vw_ns "$1")" \
		>"$VW_TMP/pasta-$1.log" 2>&1 &
	GWPID=$!
	vw_on_exit "kill $GWPID 2>/dev/null; true"
	NSX=(ip netns exec "$(vw_ns "$1")")
	vw_wait_for sh -c "ip netns exec $(vw_ns "$1") ip route | grep -q 'default via 10.0.2.2'" ||
		vw_fail "$T" "pasta: no default route in the namespace ($(cat "$VW_TMP/pasta-$1.log"))"
	SRV=10.0.2.2 SRV6=fd00::2 NSIF=vwhost
}

setup_slirp4netns() {
	vw_netns_add "$1"
	slirp4netns --configure --mtu="$MTU" --disable-dns --enable-ipv6 --netns-type=path \
		"/run/netns/$(vw_ns "$1")" tap0 >"$VW_TMP/slirp4netns-$1.log" 2>&1 &
	GWPID=$!
	vw_on_exit "kill $GWPID 2>/dev/null; true"
	NSX=(ip netns exec "$(vw_ns "$1")")
	vw_wait_for sh -c "ip netns exec $(vw_ns "$1") ip route | grep -q 'default via 10.0.2.2'" ||
		vw_fail "$T" "slirp4netns: no default route ($(cat "$VW_TMP/slirp4netns-$1.log"))"
	SRV=10.0.2.2 SRV6=fd00::2 NSIF=tap0
}

setup_veth() {
	local ns
	vw_netns_add "$1"
	ns=$(vw_ns "$1")
	ip link add vwv0 mtu "$MTU" type veth peer name vwv1 mtu "$MTU" netns "$ns"
	ip addr add 10.9.0.1/24 dev vwv0
	ip -6 addr add fd09::1/64 dev vwv0 nodad
	ip link set vwv0 up
	ip -n "$ns" addr add 10.9.0.2/24 dev vwv1
	ip -n "$ns" -6 addr add fd09::2/64 dev vwv1 nodad
	ip -n "$ns" link set vwv1 up
	NSX=(ip netns exec "$ns")
	GWPID=
	SRV=10.9.0.1 SRV6=fd09::1 NSIF=vwv1
}

# Stop the current tool and remove what its setup made.
teardown() {
	if [ -n "$GWPID" ]; then
		kill "$GWPID" 2>/dev/null && wait "$GWPID" 2>/dev/null
	fi
	ip link del vwv0 2>/dev/null
	[ -n "${1:-}" ] && vw__netns_del "$(vw_ns "$1")"
	GWPID=
}

# iperf3 NAME ARGS...: Gbit/s received; the intervals' zero count and
# minimum go to $VW_TMP/NAME.iv, the bytes received and the client's MSS
# to $VW_TMP/NAME.bytes. SRVADDR (default SRV) is the server's address.
iperf() {
	local name=$1
	shift
	nsx iperf3 -c "${SRVADDR:-$SRV}" -J "$@" 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
if "error" in d or "sum_received" not in d.get("end", {}):
    # a failed run (a stall the client gave up on) counts as 0 Gbit/s and
    # as one zero interval, rather than ending the benchmark
    print(0)
    print(1, 0, file=open(sys.argv[1], "w"))
    print(0, 0, 0, file=open(sys.argv[2], "w"))
    sys.exit(0)
# the last interval may be a fraction of a second: judge whole ones
full = [i["sum"]["bits_per_second"] for i in d["intervals"] if i["sum"]["seconds"] > 0.9]
print(d["end"]["sum_received"]["bits_per_second"] / 1e9)
print(sum(1 for b in full if b == 0), min(full) / 1e9 if full else 0, file=open(sys.argv[1], "w"))
print(d["end"]["sum_received"]["bytes"], d["start"].get("tcp_mss_default", 0),
      d["end"].get("sum_sent", {}).get("bytes", 0), file=open(sys.argv[2], "w"))
' "$VW_TMP/$name.iv" "$VW_TMP/$name.bytes"
}

perf_start() {
	[ "${VW_NAT_PERF:-0}" = 1 ] && [ "$1" = vmwire ] || return 0
	perf record -g -o "${VW_NAT_PERF_DIR:-/tmp}/nat-$2.perf" -p "$GWPID" \
		>/dev/null 2>&1 &
	PERFPID=$!
	sleep 0.3
}

perf_stop() {
	[ -n "${PERFPID:-}" ] || return 0
	kill -INT "$PERFPID"
	wait "$PERFPID" 2>/dev/null
	PERFPID=
}

# sockperf p50 and p99 (µs, one-way) into files NAME.lat and NAME.p99;
# with "pinned", NAME.latp and NAME.p99p, every process of the exchange
# (the tool's, every thread; the sockperf server; the client) on CPU 0,
# and back to every CPU after.
latency() {
	local name=$1 pin=${2:-} out sfx='' all
	local client=(sockperf pp --tcp -i "$SRV" -p 11111 -t "$LSECS")
	if [ -n "$pin" ]; then
		sfx=p all=$(taskset -p "$$" | awk '{ print $NF }')
		for p in $GWPID $SOCKPERF_SRV; do
			taskset -a -p 1 "$p" >/dev/null || vw_fail "$T" "$name: cannot pin $p"
		done
		client=(taskset -c 0 "${client[@]}")
	fi
	out=$(nsx "${client[@]}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
	if [ -n "$pin" ]; then
		for p in $GWPID $SOCKPERF_SRV; do
			taskset -a -p "$all" "$p" >/dev/null
		done
	fi
	awk '/percentile 50.000 =/ { print $NF }' <<<"$out" | grep . >>"$VW_TMP/$name.lat$sfx" ||
		vw_fail "$T" "$name: sockperf failed: $out"
	awk '/percentile 99.000 =/ { print $NF }' <<<"$out" >>"$VW_TMP/$name.p99$sfx"
}

# wrk -c N with "Connection: close": connections/s, the server closing.
wrk_close() {
	local n=$1 t=1 v
	[ "$n" -ge 16 ] && t=2
	v=$(nsx wrk -t $t -c "$n" -d "${CSECS}s" -H 'Connection: close' \
		"http://$SRV:8080/" 2>&1 | awk '/^Requests\/sec:/ { print $2 }')
	echo "${v:-0}"
}

# connload at 16: connections/s, the client closing first.
client_close() {
	local v
	v=$(nsx "$CONNLOAD" rate "$SRV" 8080 16 "$CSECS" | awk '/^conn\/s/ { print $2 }')
	echo "${v:-0}"
}

measure() {
	local name=$1 i v zeros=0 line SECTIONS=$SECTIONS
	# the busy-polling variant is a latency tool: its other numbers are vmwire's
	[ "$name" = vmwire-bp ] && SECTIONS=" lat "
	nsx ping -q -c 1 -W 2 "$SRV" >/dev/null 2>&1 ||
		nsx timeout 5 bash -c "exec 3<>/dev/tcp/$SRV/8080" 2>/dev/null ||
		vw_fail "$T" "$name: the namespace does not reach $SRV"
	for f in up down lat p99 latp p99p c1 c16 c256 cc16 up6 down6; do : >"$VW_TMP/$name.$f"; done
	for ((i = 0; i < REPS; i++)); do
		line="  $name $((i + 1))/$REPS:"
		if on tput; then
			perf_start "$name" up
			v=$(iperf "$name" -t "$SECS") || vw_fail "$T" "$name: iperf3 ns->host run $i failed"
			perf_stop
			echo "$v" >>"$VW_TMP/$name.up"
			zeros=$((zeros + $(cut -d' ' -f1 "$VW_TMP/$name.iv")))
			perf_start "$name" down
			v=$(iperf "$name" -t "$SECS" -R) || vw_fail "$T" "$name: iperf3 host->ns run $i failed"
			perf_stop
			echo "$v" >>"$VW_TMP/$name.down"
			zeros=$((zeros + $(cut -d' ' -f1 "$VW_TMP/$name.iv")))
			line+=$(printf " ns->host %.2f, host->ns %.2f Gbit/s;" \
				"$(tail -n1 "$VW_TMP/$name.up")" "$(tail -n1 "$VW_TMP/$name.down")")
		fi
		if on lat; then
			latency "$name"
			latency "$name" pinned
			line+=" p50 $(tail -n1 "$VW_TMP/$name.lat") p99 $(tail -n1 "$VW_TMP/$name.p99") us,"
			line+=" pinned p50 $(tail -n1 "$VW_TMP/$name.latp") p99 $(tail -n1 "$VW_TMP/$name.p99p") us;"
		fi
		if on conn; then
			wrk_close 1 >>"$VW_TMP/$name.c1"
			wrk_close 16 >>"$VW_TMP/$name.c16"
			wrk_close 256 >>"$VW_TMP/$name.c256"
			client_close >>"$VW_TMP/$name.cc16"
			line+=" conn/s c1 $(tail -n1 "$VW_TMP/$name.c1") c16 $(tail -n1 "$VW_TMP/$name.c16")"
			line+=" c256 $(tail -n1 "$VW_TMP/$name.c256") client-closes c16 $(tail -n1 "$VW_TMP/$name.cc16");"
		fi
		if on ipv6 && [ -n "$SRV6" ]; then
			SRVADDR=$SRV6 iperf "$name" -t "$SECS" >>"$VW_TMP/$name.up6"
			SRVADDR=$SRV6 iperf "$name" -t "$SECS" -R >>"$VW_TMP/$name.down6"
			line+=$(printf " v6 ns->host %.2f, host->ns %.2f Gbit/s" \
				"$(tail -n1 "$VW_TMP/$name.up6")" "$(tail -n1 "$VW_TMP/$name.down6")")
		fi
		echo "$line"
	done
	UP[$name]=$(med "$VW_TMP/$name.up")
	DOWN[$name]=$(med "$VW_TMP/$name.down")
	LAT[$name]=$(med "$VW_TMP/$name.lat")
	P99[$name]=$(med "$VW_TMP/$name.p99")
	LATP[$name]=$(med "$VW_TMP/$name.latp")
	P99P[$name]=$(med "$VW_TMP/$name.p99p")
	C1[$name]=$(med "$VW_TMP/$name.c1")
	C16[$name]=$(med "$VW_TMP/$name.c16")
	C256[$name]=$(med "$VW_TMP/$name.c256")
	CC16[$name]=$(med "$VW_TMP/$name.cc16")
	UP6[$name]=$(med "$VW_TMP/$name.up6")
	DOWN6[$name]=$(med "$VW_TMP/$name.down6")
	if on zero && [ "$ZSECS" -gt 0 ]; then
		iperf "$name" -t "$ZSECS" >/dev/null || vw_fail "$T" "$name: ${ZSECS}s iperf3 failed"
		read -r z m <"$VW_TMP/$name.iv"
		ZERO[$name]="$z ($zeros)"
		ZMIN[$name]=$m
		printf "  %s %ds: %d intervals at 0 bit/s, slowest second %.2f Gbit/s\n" \
			"$name" "$ZSECS" "$z" "$m"
	fi
}

# shellcheck source=nat_scale.sh
. "$BENCH/nat_scale.sh"
# shellcheck source=nat_slow.sh
. "$BENCH/nat_slow.sh"

for tool in $TOOLS; do
	on tput || on lat || on conn || on zero || on ipv6 || on scale || break
	echo "$tool"
	MTU=65520
	"setup_$tool" "$tool"
	ns_tune
	measure "$tool"
	if on scale && [[ $SCALE_TOOLS == *" $tool "* ]]; then
		scale "$tool"
	fi
	teardown "$tool"
done
if on slow; then
	for tool in $SLOW_TOOLS; do
		echo "slow guest: $tool"
		slow_measure "$tool"
	done
fi

# shellcheck source=nat_report.sh
. "$BENCH/nat_report.sh"
exit 0
