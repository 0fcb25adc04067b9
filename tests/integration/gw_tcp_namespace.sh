#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_tcp_namespace.sh - the gateway's TCP engine between a namespace guest
# (behind a TAP port, address from udhcpc) and servers on the host's
# 127.0.0.1 reached through 10.0.2.2: an HTTP download with curl, 100 MiB
# each way checked by SHA-256 (with half-close both ways), 100 parallel
# 1 MiB connections, a refused port answered at once, hostfwd into the
# namespace, and iperf3 throughput both ways (reported, not asserted).
# MTU 65520 on the TAP and the gateway. VW_TCP_BIG=1024 moves 1 GiB.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static curl iperf3 python3
vw_tmpdir

T=gw_tcp_namespace
BB=$(command -v busybox) || vw_skip "busybox not found"
PY=/usr/bin/python3
TOOL=$(cd "$(dirname "$0")" && pwd)/gw_tcp_tool.py
MIB=${VW_TCP_BIG:-100}

vw_netns_add ns
NS=$(vw_ns ns)
nsx() { ip netns exec "$NS" "$@"; }

mkdir -p "$VW_TMP/www"
head -c 3000000 /dev/urandom >"$VW_TMP/www/file"
(cd "$VW_TMP/www" && exec $PY -m http.server --bind 127.0.0.1 8080) >"$VW_TMP/http.log" 2>&1 &
vw_on_exit "kill $!"
$PY "$TOOL" sink 9001 >"$VW_TMP/sink.log" 2>&1 &
vw_on_exit "kill $!"
$PY "$TOOL" source 9002 $((MIB << 20)) >"$VW_TMP/source.log" 2>&1 &
vw_on_exit "kill $!"
iperf3 -s -B 127.0.0.1 -p 5201 >"$VW_TMP/iperf-s.log" 2>&1 &
vw_on_exit "kill $!"
nsx $PY "$TOOL" sink 7777 >"$VW_TMP/nssink.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -ltn | grep -q "127.0.0.1:8080 " && ss -ltn | grep -q ":9002 "' ||
	vw_fail $T "host servers did not come up"

vw_start gw -netdev tap,id=t,ifname=vw0,netns="$NS",mtu=65520 \
	-netdev user,id=gw,mtu=65520,hostfwd=tcp:127.0.0.1:5555-:7777

cat >"$VW_TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$subnet" dev "$interface"
	ip route add default via "$router" dev "$interface"
	;;
esac
exit 0
SCRIPT
chmod +x "$VW_TMP/udhcpc.sh"
nsx timeout 30 "$BB" udhcpc -i vw0 -s "$VW_TMP/udhcpc.sh" -q -n -f -t 5 -T 2 \
	>"$VW_TMP/udhcpc.log" 2>&1 || vw_fail $T "udhcpc got no lease: $(cat "$VW_TMP/udhcpc.log")"
nsx ip -o addr show vw0 | grep -q 10.0.2.15 || vw_fail $T "no 10.0.2.15 after udhcpc"

nsx timeout 20 curl -sS -o "$VW_TMP/got" http://10.0.2.2:8080/file 2>"$VW_TMP/curl.err" ||
	vw_fail $T "curl via 10.0.2.2: $(cat "$VW_TMP/curl.err")"
cmp -s "$VW_TMP/got" "$VW_TMP/www/file" || vw_fail $T "curl: file differs"
vw_pass "$T: curl http://10.0.2.2:8080 reaches the host's 127.0.0.1, 3 MB intact"

t0=$(date +%s.%N)
nsx timeout 120 $PY "$TOOL" put 10.0.2.2 9001 $((MIB << 20)) >"$VW_TMP/put.log" 2>&1 ||
	vw_fail $T "put $MIB MiB: $(cat "$VW_TMP/put.log")"
t1=$(date +%s.%N)
vw_pass "$T: $MIB MiB namespace -> host, sha256 after guest half-close ($(echo "$t0 $t1" | awk -v m=$MIB '{printf "%.0f MiB/s", m/($2-$1)}'))"

t0=$(date +%s.%N)
nsx timeout 120 $PY "$TOOL" get 10.0.2.2 9002 >"$VW_TMP/get.log" 2>&1 ||
	vw_fail $T "get $MIB MiB: $(cat "$VW_TMP/get.log")"
t1=$(date +%s.%N)
read -r n d <"$VW_TMP/get.log"
[ "$n" = $((MIB << 20)) ] || vw_fail $T "get: $(cat "$VW_TMP/get.log")"
vw_wait_for -t 5 grep -q "source: match $d" "$VW_TMP/source.log" ||
	vw_fail $T "get: the host did not see our sha256: $(cat "$VW_TMP/source.log")"
vw_pass "$T: $MIB MiB host -> namespace, sha256 sent back after host half-close ($(echo "$t0 $t1" | awk -v m=$MIB '{printf "%.0f MiB/s", m/($2-$1)}'))"

nsx timeout 120 $PY "$TOOL" many 10.0.2.2 9001 100 $((1 << 20)) >"$VW_TMP/many.log" 2>&1 ||
	vw_fail $T "100 parallel connections: $(cat "$VW_TMP/many.log")"
vw_pass "$T: 100 parallel 1 MiB connections intact"

nsx timeout 20 $PY "$TOOL" refused 10.0.2.2 1 >"$VW_TMP/refused.log" 2>&1 ||
	vw_fail $T "refused port: $(cat "$VW_TMP/refused.log")"
vw_pass "$T: a closed host port is 'connection refused' at once"

timeout 30 $PY "$TOOL" put 127.0.0.1 5555 $((8 << 20)) >"$VW_TMP/fwd.log" 2>&1 ||
	vw_fail $T "hostfwd 127.0.0.1:5555 -> 10.0.2.15:7777: $(cat "$VW_TMP/fwd.log")"
vw_pass "$T: hostfwd=tcp:127.0.0.1:5555-:7777 carries 8 MiB into the namespace"

for dir in "" -R; do
	nsx timeout 30 iperf3 -c 10.0.2.2 -p 5201 -t 3 $dir -J >"$VW_TMP/iperf$dir.json" 2>&1 ||
		vw_fail $T "iperf3 $dir: $(tail -5 "$VW_TMP/iperf$dir.json")"
	bps=$($PY -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$VW_TMP/iperf$dir.json")
	echo "iperf3 ${dir:-(ns->host)}: $((bps / 1000000)) Mbit/s"
done
vw_pass "$T: iperf3 both ways"

vw_stop gw
