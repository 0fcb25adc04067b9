#!/bin/bash
# SPDX-License-Identifier: MIT
#
# nat.sh - the user-mode gateway against its peers: a namespace reaching
# servers on the "host's" 127.0.0.1 through (a) vmwire run (TAP + -netdev
# user, mtu 65520), (b) pasta (Debian passt, --config-net, mtu 65520), (c)
# slirp4netns (--configure --mtu=65520), each via its gateway address
# 10.0.2.2 mapped to host loopback, and (d) a kernel veth pair (the limit:
# no translation at all, servers reached at the veth's address).
#
# Per tool: iperf3 TCP namespace -> host and host -> namespace (-R, the
# server stays on the host), sockperf TCP ping-pong latency, connection
# rate (wrk with "Connection: close" against nginx, one connection per
# request), and one long iperf3 run namespace -> host counting 1-second
# intervals at 0 bit/s (a stall the average hides). The tables show
# medians of REPS runs and vmwire's ratios to each peer.
#
# Everything runs under a private network namespace (the script re-execs
# itself under unshare -n): its loopback is "the host", the tools'
# namespaces are created inside it, nothing reaches a real network.
#
# Knobs (environment): VW_NAT_REPS (3), VW_NAT_SECS iperf3 seconds (5),
# VW_NAT_LSECS sockperf seconds (3), VW_NAT_CSECS wrk seconds (4),
# VW_NAT_ZSECS the zero-interval run (30), VW_NAT_TOOLS (default
# "vmwire pasta slirp4netns veth"), VW_NAT_PERF=1 records perf data of
# vmwire during its iperf3 runs into $VW_NAT_PERF_DIR (default /tmp).
set -u
. "$(dirname "$0")/../tests/lib/common.sh"

REPS=${VW_NAT_REPS:-3} SECS=${VW_NAT_SECS:-5} LSECS=${VW_NAT_LSECS:-3}
CSECS=${VW_NAT_CSECS:-4} ZSECS=${VW_NAT_ZSECS:-30}
TOOLS=${VW_NAT_TOOLS:-vmwire pasta slirp4netns veth}
T=nat

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iperf3 sockperf passt slirp4netns wrk nginx-light python3 util-linux
vw_tmpdir
[ -x "$VMWIRE" ] || vw_fail $T "$VMWIRE not built (run make)"

declare -A UP DOWN LAT CONN ZERO ZMIN

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }

# --- the host side: servers on 127.0.0.1 (and the veth address) ---------
# An interface with a default route gives pasta a "host" interface to copy
# its template from (a veth: dummy may be missing from the kernel); the
# servers listen on every address so the veth namespace reaches them at
# 10.9.0.1.
ip link add vwhost type veth peer name vwhostp || vw_fail $T "cannot create a veth pair"
ip link set vwhostp up
ip addr add 10.0.2.15/24 dev vwhost
ip link set vwhost up
ip route add default via 10.0.2.2 dev vwhost onlink

# wrk opens tens of thousands of connections per tool through the same
# loopback: a wide port range keeps connect() from hunting for free ports.
sysctl -qw net.ipv4.ip_local_port_range="1024 65535" 2>/dev/null

mkdir -p "$VW_TMP/www"
echo "hello from nat.sh" >"$VW_TMP/www/index.html"
cat >"$VW_TMP/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $VW_TMP/nginx.pid;
error_log $VW_TMP/nginx.err;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $VW_TMP/ngx;
	proxy_temp_path $VW_TMP/ngx;
	fastcgi_temp_path $VW_TMP/ngx;
	uwsgi_temp_path $VW_TMP/ngx;
	scgi_temp_path $VW_TMP/ngx;
	server {
		listen 8080 reuseport backlog=4096;
		root $VW_TMP/www;
	}
}
EOF
nginx -c "$VW_TMP/nginx.conf" -g 'daemon off;' >"$VW_TMP/nginx.log" 2>&1 &
vw_on_exit "kill $!"
iperf3 -s -p 5201 >"$VW_TMP/iperf-s.log" 2>&1 &
vw_on_exit "kill $!"
sockperf sr --tcp -i 0.0.0.0 -p 11111 >"$VW_TMP/sockperf-s.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -ltn | grep -q ":8080 " && ss -ltn | grep -q ":5201 " &&
	ss -ltn | grep -q ":11111 "' || vw_fail $T "host servers did not come up"

# --- the tools: each leaves a namespace in NSPID/NSNAME ----------------
# nsx runs a command in the current tool's namespace, SRV is where the
# servers are as seen from there.
NSX=() SRV=10.0.2.2 GWPID=
nsx() { "${NSX[@]}" "$@"; }

setup_vmwire() {
	"$VMWIRE" run -q -- sleep 100000 >"$VW_TMP/vmwire.log" 2>&1 &
	GWPID=$!
	vw_on_exit "kill $GWPID 2>/dev/null; true"
	local child=
	vw_wait_for sh -c "pgrep -P $GWPID >/dev/null" || vw_fail $T "vmwire run started nothing"
	child=$(pgrep -P $GWPID | head -n1)
	vw_wait_for sh -c "nsenter -t $child -n ip -o addr show | grep -q 10.0.2.15" ||
		vw_fail $T "vmwire run: no 10.0.2.15 in the namespace"
	NSX=(nsenter -t "$child" -n)
	SRV=10.0.2.2
}

setup_pasta() {
	vw_netns_add pasta
	# As root pasta drops to nobody, which may not enter the namespace:
	# --runas 0. IPv4 only, like the other tools here.
	pasta -f -q -4 --runas 0 --config-net -a 10.0.2.15 -n 24 -g 10.0.2.2 -m 65520 \
		-t none -u none -T none -U none --netns "$(vw_ns pasta)" \
		>"$VW_TMP/pasta.log" 2>&1 &
	GWPID=$!
	vw_on_exit "kill $GWPID 2>/dev/null; true"
	NSX=(ip netns exec "$(vw_ns pasta)")
	vw_wait_for sh -c "ip netns exec $(vw_ns pasta) ip route | grep -q 'default via 10.0.2.2'" ||
		vw_fail $T "pasta: no default route in the namespace ($(cat "$VW_TMP/pasta.log"))"
	SRV=10.0.2.2
}

setup_slirp4netns() {
	vw_netns_add slirp
	slirp4netns --configure --mtu=65520 --disable-dns --netns-type=path \
		"/run/netns/$(vw_ns slirp)" tap0 >"$VW_TMP/slirp4netns.log" 2>&1 &
	GWPID=$!
	vw_on_exit "kill $GWPID 2>/dev/null; true"
	NSX=(ip netns exec "$(vw_ns slirp)")
	vw_wait_for sh -c "ip netns exec $(vw_ns slirp) ip route | grep -q 'default via 10.0.2.2'" ||
		vw_fail $T "slirp4netns: no default route ($(cat "$VW_TMP/slirp4netns.log"))"
	SRV=10.0.2.2
}

setup_veth() {
	vw_netns_add veth
	ip link add vwv0 mtu 65520 type veth peer name vwv1 mtu 65520 netns "$(vw_ns veth)"
	ip addr add 10.9.0.1/24 dev vwv0
	ip link set vwv0 up
	ip -n "$(vw_ns veth)" addr add 10.9.0.2/24 dev vwv1
	ip -n "$(vw_ns veth)" link set vwv1 up
	ip -n "$(vw_ns veth)" link set lo up
	NSX=(ip netns exec "$(vw_ns veth)")
	GWPID=
	SRV=10.9.0.1
}

# iperf3 NAME ARGS...: Gbit/s received; the intervals' zero count and
# minimum go to $VW_TMP/NAME.iv
iperf() {
	local name=$1
	shift
	nsx iperf3 -c $SRV -J "$@" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
if "error" in d or "sum_received" not in d.get("end", {}):
    # a failed run (a stall the client gave up on) counts as 0 Gbit/s and
    # as one zero interval, rather than ending the benchmark
    print(0)
    print(1, 0, file=open(sys.argv[1], "w"))
    sys.exit(0)
# the last interval may be a fraction of a second: judge whole ones
full = [i["sum"]["bits_per_second"] for i in d["intervals"] if i["sum"]["seconds"] > 0.9]
print(d["end"]["sum_received"]["bits_per_second"] / 1e9)
print(sum(1 for b in full if b == 0), min(full) / 1e9 if full else 0, file=open(sys.argv[1], "w"))
' "$VW_TMP/$name.iv"
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

measure() {
	local name=$1 i v zeros=0
	nsx ping -q -c 1 -W 2 $SRV >/dev/null 2>&1 ||
		nsx timeout 5 bash -c "exec 3<>/dev/tcp/$SRV/8080" 2>/dev/null ||
		vw_fail $T "$name: the namespace does not reach $SRV"
	: >"$VW_TMP/$name.up"
	: >"$VW_TMP/$name.down"
	: >"$VW_TMP/$name.lat"
	: >"$VW_TMP/$name.conn"
	for ((i = 0; i < REPS; i++)); do
		perf_start "$name" up
		v=$(iperf "$name" -t "$SECS") || vw_fail $T "$name: iperf3 ns->host run $i failed"
		perf_stop
		echo "$v" >>"$VW_TMP/$name.up"
		zeros=$((zeros + $(cut -d' ' -f1 "$VW_TMP/$name.iv")))
		perf_start "$name" down
		v=$(iperf "$name" -t "$SECS" -R) || vw_fail $T "$name: iperf3 host->ns run $i failed"
		perf_stop
		echo "$v" >>"$VW_TMP/$name.down"
		zeros=$((zeros + $(cut -d' ' -f1 "$VW_TMP/$name.iv")))
		v=$(nsx sockperf pp --tcp -i $SRV -p 11111 -t "$LSECS" 2>&1 |
			sed 's/\x1b\[[0-9;]*m//g' | awk '/percentile 50.000 =/ { print $NF }')
		[ -n "$v" ] || vw_fail $T "$name: sockperf run $i failed"
		echo "$v" >>"$VW_TMP/$name.lat"
		v=$(nsx wrk -t 1 -c 16 -d "${CSECS}s" -H 'Connection: close' \
			"http://$SRV:8080/" 2>&1 | awk '/^Requests\/sec:/ { print $2 }')
		[ -n "$v" ] || vw_fail $T "$name: wrk run $i failed"
		echo "$v" >>"$VW_TMP/$name.conn"
		printf "  %s %d/%d: ns->host %.2f, host->ns %.2f Gbit/s, p50 %s us, %s conn/s\n" \
			"$name" $((i + 1)) "$REPS" "$(tail -n1 "$VW_TMP/$name.up")" \
			"$(tail -n1 "$VW_TMP/$name.down")" "$(tail -n1 "$VW_TMP/$name.lat")" "$v"
	done
	UP[$name]=$(median <"$VW_TMP/$name.up")
	DOWN[$name]=$(median <"$VW_TMP/$name.down")
	LAT[$name]=$(median <"$VW_TMP/$name.lat")
	CONN[$name]=$(median <"$VW_TMP/$name.conn")
	if [ "$ZSECS" -gt 0 ]; then
		iperf "$name" -t "$ZSECS" >/dev/null || vw_fail $T "$name: ${ZSECS}s iperf3 failed"
		read -r z m <"$VW_TMP/$name.iv"
		ZERO[$name]="$z ($zeros)"
		ZMIN[$name]=$m
		printf "  %s %ds: %d intervals at 0 bit/s, slowest second %.2f Gbit/s\n" \
			"$name" "$ZSECS" "$z" "$m"
	fi
}

for tool in $TOOLS; do
	echo "$tool"
	"setup_$tool"
	measure "$tool"
	[ -n "$GWPID" ] && kill "$GWPID" 2>/dev/null && wait "$GWPID" 2>/dev/null
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "Median of $REPS runs: iperf3 TCP ${SECS}s each way (Gbit/s), sockperf TCP ping-pong"
echo "${LSECS}s (p50 one-way latency), wrk 'Connection: close' ${CSECS}s, 16 connections"
echo "(connections/s). 0 s intervals: 1-second intervals at 0 bit/s in one ${ZSECS}s iperf3"
echo "run ns->host (in parentheses: in all the throughput runs above), and its slowest second."
echo
echo "| tool | ns→host (Gbit/s) | host→ns (Gbit/s) | latency p50 (µs) | conn/s | 0 s intervals | slowest second (Gbit/s) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for n in $TOOLS; do
	printf "| %s | %.2f | %.2f | %.2f | %.0f | %s | %.2f |\n" "$n" "${UP[$n]}" "${DOWN[$n]}" \
		"${LAT[$n]}" "${CONN[$n]}" "${ZERO[$n]:-n/a}" "${ZMIN[$n]:-0}"
done
if [ -n "${UP[vmwire]:-}" ]; then
	echo
	echo "| ratio | ns→host | host→ns | latency | conn/s |"
	echo "|---|---:|---:|---:|---:|"
	for n in $TOOLS; do
		[ "$n" = vmwire ] && continue
		echo "| vmwire / $n | $(ratio "${UP[vmwire]}" "${UP[$n]}") |" \
			"$(ratio "${DOWN[vmwire]}" "${DOWN[$n]}") |" \
			"$(ratio "${LAT[vmwire]}" "${LAT[$n]}") | $(ratio "${CONN[vmwire]}" "${CONN[$n]}") |"
	done
fi
echo
echo "Targets: throughput both ways >= 1.0x pasta and >= 3x slirp4netns; latency <= pasta;"
echo "no 0 bit/s interval."
exit 0
