#!/bin/bash
# SPDX-License-Identifier: MIT
#
# slirp4netns_api.sh - "vmwire slirp4netns" (and vmwire started as
# slirp4netns through a symlink) against namespaces this test makes
# (unshare -n, then its PID), without podman:
#
#  - --help names every option slirp4netns 1.2 has (podman and rootlesskit
#    grep its --help), and every one the real slirp4netns --help lists when
#    that is installed; -v says "slirp4netns version 1.2.0";
#  - bad options: exit status 1, one line naming the option;
#  - -c: "1" on --ready-fd, which is then closed; tap0 10.0.2.100/24, MTU,
#    MAC of --macaddress, default route via 10.0.2.2, lo up; --cidr moves
#    all of it;
#  - --exit-fd: exit 0 when it hangs up, and when it becomes readable;
#  - traffic: the namespace fetches over HTTP from a server on the host
#    side through 10.0.2.2 (host loopback), and with --disable-host-loopback
#    from the host's non-loopback address (a veth here) while
#    10.0.2.2 is refused;
#  - the API socket: add/list/remove_hostfwd and every error answered with
#    the bytes slirp4netns 1.2 writes (fixed here, and compared with the
#    real slirp4netns when it is installed, same requests, same order); an
#    added forward reaches a server in the namespace, a removed one no
#    longer does; a request sent in pieces without EOF is answered when
#    complete, one over 4096 bytes is refused;
#  - without -c, vmwire attaches to a TAP someone else made (rootlesskit's
#    way) and leaves its configuration alone; --netns-type=path with an
#    ip-netns file.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 util-linux socat curl busybox-static python3
T=slirp4netns_api
[ -x "$VMWIRE" ] || vw_fail $T "$VMWIRE not built (run make)"
BB=$(command -v busybox) || vw_skip "busybox not found"
PY=/usr/bin/python3
ln -s "$VMWIRE" "$VW_TMP/slirp4netns"
S4N=$VW_TMP/slirp4netns

check_log() {
	if vw__sanitizer_report "$1" >&2; then
		vw_fail $T "sanitizer report in $(basename "$1")"
	fi
}

# ---- --help, --version ---------------------------------------------------
"$S4N" --help >"$VW_TMP/help.txt" 2>&1 || vw_fail $T "--help failed"
"$VMWIRE" slirp4netns -h >"$VW_TMP/help2.txt" 2>&1 || vw_fail $T "vmwire slirp4netns -h failed"
cmp -s "$VW_TMP/help.txt" "$VW_TMP/help2.txt" || vw_fail $T "the two spellings' --help differ"
for o in --configure --exit-fd --ready-fd --mtu --enable-ipv6 --api-socket --cidr \
	--disable-host-loopback --netns-type --userns-path --enable-sandbox --enable-seccomp \
	--outbound-addr --outbound-addr6 --disable-dns --macaddress --target-type --help \
	--version; do
	grep -q -- "$o" "$VW_TMP/help.txt" || vw_fail $T "--help does not name $o"
done
if command -v slirp4netns >/dev/null && [ "$(readlink -f "$(command -v slirp4netns)")" != "$(readlink -f "$VMWIRE")" ]; then
	slirp4netns --help 2>&1 | grep -oE -- '--[a-z0-9-]+' | sort -u >"$VW_TMP/real-opts"
	while read -r o; do
		grep -q -- "$o" "$VW_TMP/help.txt" ||
			vw_fail $T "the real slirp4netns --help has $o, ours does not"
	done <"$VW_TMP/real-opts"
fi
"$S4N" -v | grep -q '^slirp4netns version 1\.2\.0' || vw_fail $T "-v: $("$S4N" -v 2>&1)"
vw_pass "$T: --help names every slirp4netns 1.2 option, -v its version"

# ---- bad options ---------------------------------------------------------
bad() { # PATTERN ARGS...: exit 1, one line matching PATTERN
	local pat=$1 rc=0
	shift
	"$S4N" "$@" >"$VW_TMP/bad.out" 2>"$VW_TMP/bad.err" || rc=$?
	[ $rc -eq 1 ] || vw_fail $T "'$*': exit status $rc, expected 1"
	[ "$(wc -l <"$VW_TMP/bad.err")" -eq 1 ] && grep -qE -- "$pat" "$VW_TMP/bad.err" ||
		vw_fail $T "'$*': expected one line matching '$pat', got: $(cat "$VW_TMP/bad.err")"
	check_log "$VW_TMP/bad.err"
}
bad '--bogus' --bogus 1
bad '-x' -x 1
bad '--mtu' --mtu=65522 1
bad '--mtu' --mtu abc 1
bad '--mtu' -m 100 1
bad '--netns-type' --netns-type=ipc 1
bad '--exit-fd' --exit-fd=99 1
bad '--ready-fd' -r x 1
bad '--macaddress' --macaddress=52:54:00:12:34 -c 1
bad '--macaddress' --macaddress=52:54:00:12:34:56 1
bad '--target-type' --target-type=bess 1
bad '--outbound-addr' --outbound-addr=192.0.2.1 1
bad '--disable-dns' --disable-dns 1
bad 'PID' notapid
bad 'PID|PATH' -c
bad 'TAPNAME' 1 'bad/name'
bad 'too many' 1 tap0 extra
bad '--api-socket' 1 --api-socket
bad '--cidr' --cidr=10.0.2.0/30 -c $$
vw_pass "$T: bad options: exit status 1, one line naming the option"

# ---- helpers -------------------------------------------------------------
# newns VAR: a process in a fresh network namespace; its PID in VAR.
newns() {
	unshare -n sleep 600 &
	local newpid=$!
	vw_on_exit "kill $newpid 2>/dev/null; true"
	printf -v "$1" %s "$newpid"
}

# s4n NAME ARGS...: start it with the ready pipe on fd 4 (read back into
# $VW_TMP/NAME.ready once it is closed); pid in S4N_PID.
s4n() {
	local name=$1
	shift
	rm -f "$VW_TMP/$name.fifo"
	mkfifo "$VW_TMP/$name.fifo"
	"$S4N" -r 4 "$@" 4>"$VW_TMP/$name.fifo" >"$VW_TMP/$name.log" 2>&1 &
	S4N_PID=$!
	vw_on_exit "kill $S4N_PID 2>/dev/null; true"
	# cat ends when vmwire closes its end: "ready, and closed".
	timeout 20 cat "$VW_TMP/$name.fifo" >"$VW_TMP/$name.ready" ||
		vw_fail $T "$name: --ready-fd not closed within 20 s: $(cat "$VW_TMP/$name.log")"
	[ "$(cat "$VW_TMP/$name.ready")" = 1 ] ||
		vw_fail $T "$name: --ready-fd got '$(cat "$VW_TMP/$name.ready")', not 1"
}

# stop NAME: SIGTERM; exit status 0 and a clean log expected.
stop() {
	local rc=0
	kill -TERM "$S4N_PID"
	wait "$S4N_PID" || rc=$?
	[ $rc -eq 0 ] || vw_fail $T "$1: exit status $rc on SIGTERM: $(cat "$VW_TMP/$1.log")"
	check_log "$VW_TMP/$1.log"
}

in_ns() { local pid=$1; shift; nsenter -t "$pid" -n "$@"; }

# ---- -c: the interface ---------------------------------------------------
newns NS1
s4n conf -c --mtu=65520 --macaddress=52:54:00:aa:bb:cc -6 --enable-sandbox \
	--enable-seccomp "$NS1" tap0
in_ns "$NS1" ip -o -4 addr show dev tap0 | grep -q 'inet 10\.0\.2\.100/24' ||
	vw_fail $T "-c: tap0 has no 10.0.2.100/24: $(in_ns "$NS1" ip addr)"
in_ns "$NS1" ip link show dev tap0 | grep -q 'mtu 65520' || vw_fail $T "-c: mtu not 65520"
in_ns "$NS1" ip link show dev tap0 | grep -q 'link/ether 52:54:00:aa:bb:cc' ||
	vw_fail $T "-c: --macaddress not applied: $(in_ns "$NS1" ip link show dev tap0)"
in_ns "$NS1" ip route show default | grep -q 'via 10\.0\.2\.2 dev tap0' ||
	vw_fail $T "-c: no default route via 10.0.2.2: $(in_ns "$NS1" ip route)"
in_ns "$NS1" ip link show dev lo | grep -q 'UP' || vw_fail $T "-c: lo not up"
vw_pass "$T: -c: ready-fd \"1\" then closed; tap0 10.0.2.100/24, mtu, MAC, route, lo"
# -6: slirp4netns's IPv6 plan, taken by the kernel from our RAs (SLAAC).
vw_wait_for -t 10 sh -c "nsenter -t $NS1 -n ip -o -6 addr show dev tap0 |
	grep 'inet6 fd00::5054:ff:feaa:bbcc/64' | grep -qv tentative" || true
in_ns "$NS1" ip -o -6 addr show dev tap0 | grep -q 'inet6 fd00::5054:ff:feaa:bbcc/64' ||
	vw_fail $T "-6: no SLAAC address in fd00::/64: $(in_ns "$NS1" ip -6 addr)"
in_ns "$NS1" ping -6 -c 1 -W 5 fd00::2 >/dev/null ||
	vw_fail $T "-6: fd00::2 does not answer ping"
in_ns "$NS1" ip -6 route show default | grep -q 'via fe80::2 dev tap0' ||
	vw_fail $T "-6: no IPv6 default route via fe80::2: $(in_ns "$NS1" ip -6 route)"
vw_pass "$T: -6: SLAAC address in fd00::/64, fd00::2 answers, default route via fe80::2"

# ---- traffic to the host: 10.0.2.2 is the host's loopback -----------------
mkdir -p "$VW_TMP/www"
echo "hello from the host" >"$VW_TMP/www/index.html"
"$BB" httpd -f -p 0.0.0.0:18000 -h "$VW_TMP/www" &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for sh -c 'ss -ltn | grep -q ":18000 "' || vw_fail $T "httpd did not start"
out=$(in_ns "$NS1" curl -sS --max-time 10 http://10.0.2.2:18000/index.html 2>&1) ||
	vw_fail $T "curl 10.0.2.2 (host loopback): $out"
[ "$out" = "hello from the host" ] || vw_fail $T "curl 10.0.2.2: got '$out'"
stop conf
vw_pass "$T: the namespace reaches the host's 127.0.0.1 through 10.0.2.2"

# --disable-host-loopback: 10.0.2.2 is refused, the host's other address
# (a veth of the test's namespace: this kernel has no dummy module) is not.
ip link add vw-s4n-a type veth peer name vw-s4n-b
ip addr add 192.0.2.1/24 dev vw-s4n-a
ip link set vw-s4n-a up
ip link set vw-s4n-b up
newns NS2
s4n noloop -c --disable-host-loopback "$NS2"
out=$(in_ns "$NS2" curl -sS --max-time 10 http://192.0.2.1:18000/index.html 2>&1) ||
	vw_fail $T "--disable-host-loopback: curl 192.0.2.1: $out"
[ "$out" = "hello from the host" ] || vw_fail $T "curl 192.0.2.1: got '$out'"
in_ns "$NS2" curl -sS --max-time 5 http://10.0.2.2:18000/ >/dev/null 2>&1 &&
	vw_fail $T "--disable-host-loopback: 10.0.2.2 still reaches the host's loopback"
in_ns "$NS2" ip link show dev tap0 | grep -q 'mtu 1500' || vw_fail $T "default mtu not 1500"
vw_pass "$T: --disable-host-loopback: 10.0.2.2 refused, the host's own address reachable"

# ---- --exit-fd -------------------------------------------------------------
exitfd() { # NAME HOW(hangup|write)
	local name=$1 how=$2 pid rc=0 n
	rm -f "$VW_TMP/$name.exit"
	mkfifo "$VW_TMP/$name.exit"
	newns pid
	# fd 9, the only writer, stays with this shell: it is the other end.
	exec 9<>"$VW_TMP/$name.exit"
	s4n "$name" -c -e 3 "$pid" tap0 3<"$VW_TMP/$name.exit" 9>&-
	kill -0 "$S4N_PID" || vw_fail $T "$name: exited before its --exit-fd said so"
	if [ "$how" = write ]; then echo x >&9; fi
	exec 9>&-
	for ((n = 100; n > 0; n--)); do
		kill -0 "$S4N_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$S4N_PID" 2>/dev/null && vw_fail $T "$name: still running 10 s after --exit-fd ($how)"
	wait "$S4N_PID" || rc=$?
	[ $rc -eq 0 ] || vw_fail $T "$name: exit status $rc after --exit-fd: $(cat "$VW_TMP/$name.log")"
	check_log "$VW_TMP/$name.log"
}
exitfd exit_hup hangup
exitfd exit_write write
vw_pass "$T: --exit-fd: exit 0 when it hangs up or becomes readable"

# ---- the API socket --------------------------------------------------------
REQS=(
'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":18080,"guest_port":80}}'
'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":18080,"guest_port":80}}'
'{"execute":"add_hostfwd","arguments":{"proto":"udp","host_port":18081,"guest_addr":"10.0.2.100","guest_port":81}}'
'{"execute":"add_hostfwd","arguments":{"proto":"sctp","host_port":1,"guest_port":2}}'
'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"nowhere","host_port":1,"guest_port":2}}'
'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":0,"guest_port":2}}'
'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":18082,"guest_addr":"x","guest_port":2}}'
'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":18082}}'
'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":18082,"guest_port":80}}'
'{"execute":"list_hostfwd"}'
'{"execute":"remove_hostfwd","arguments":{"id":1}}'
'{"execute":"remove_hostfwd","arguments":{"id":99}}'
'{"execute":"list_hostfwd"}'
'{"execute":"get_info"}'
'{"execute":"foo"}'
'{}'
'[1,2]'
'garbage'
)
EXPECT=(
'{"return":{"id":1}}'
'{"error":{"desc":"bad request: add_hostfwd: slirp_add_hostfwd failed"}}'
'{"return":{"id":2}}'
'{"error":{"desc":"bad request: add_hostfwd: bad arguments.proto"}}'
'{"error":{"desc":"bad request: add_hostfwd: bad arguments.host_addr"}}'
'{"error":{"desc":"bad request: add_hostfwd: bad arguments.host_port"}}'
'{"error":{"desc":"bad request: add_hostfwd: bad arguments.guest_addr"}}'
'{"error":{"desc":"bad request: add_hostfwd: bad arguments.guest_port"}}'
'{"return":{"id":3}}'
'{"entries":[{"id":1,"proto":"tcp","host_addr":"127.0.0.1","host_port":18080,"guest_addr":"10.0.2.100","guest_port":80},{"id":2,"proto":"udp","host_addr":"0.0.0.0","host_port":18081,"guest_addr":"10.0.2.100","guest_port":81},{"id":3,"proto":"tcp","host_addr":"0.0.0.0","host_port":18082,"guest_addr":"10.0.2.100","guest_port":80}]}'
'{"return":{}}'
'{"error":{"desc":"bad request: remove_hostfwd: bad arguments.id"}}'
'{"entries":[{"id":2,"proto":"udp","host_addr":"0.0.0.0","host_port":18081,"guest_addr":"10.0.2.100","guest_port":81},{"id":3,"proto":"tcp","host_addr":"0.0.0.0","host_port":18082,"guest_addr":"10.0.2.100","guest_port":80}]}'
'{"error":{"desc":"bad request: unknown execute"}}'
'{"error":{"desc":"bad request: unknown execute"}}'
'{"error":{"desc":"bad request: no execute found"}}'
'{"error":{"desc":"bad request: json_object() failed"}}'
'{"error":{"desc":"bad request: cannot parse JSON"}}'
)

api() { # SOCKET REQUEST: the reply's exact bytes on stdout
	printf '%s' "$2" | socat -t 5 - "UNIX-CONNECT:$1"
}

# run_api BINARY NAME: a fresh namespace, BINARY -c -a, every request in
# order, replies in $VW_TMP/NAME.replies (one per line), then stopped.
run_api() {
	local bin=$1 name=$2 pid i
	newns pid
	S4N_SAVED=$S4N
	S4N=$bin
	s4n "$name" -c -a "$VW_TMP/$name.sock" "$pid" tap0
	S4N=$S4N_SAVED
	: >"$VW_TMP/$name.replies"
	for ((i = 0; i < ${#REQS[@]}; i++)); do
		api "$VW_TMP/$name.sock" "${REQS[i]}" >>"$VW_TMP/$name.replies"
		echo >>"$VW_TMP/$name.replies"
	done
	API_NS=$pid
}

run_api "$S4N" api
for ((i = 0; i < ${#REQS[@]}; i++)); do
	got=$(sed -n "$((i + 1))p" "$VW_TMP/api.replies")
	[ "$got" = "${EXPECT[i]}" ] ||
		vw_fail $T "API: ${REQS[i]}: got '$got', expected '${EXPECT[i]}'"
done
# No newline after a reply, as slirp4netns: the file is replies + our \n's.
[ "$(wc -c <"$VW_TMP/api.replies")" -eq "$(printf '%s\n' "${EXPECT[@]}" | wc -c)" ] ||
	vw_fail $T "API: reply bytes differ in length (a trailing newline?)"
vw_pass "$T: API: add/list/remove_hostfwd and every error, byte for byte as slirp4netns 1.2"

# The forward works: a server in the namespace behind tcp 127.0.0.1:18080.
mkdir -p "$VW_TMP/guestwww"
echo "hello from the namespace" >"$VW_TMP/guestwww/index.html"
nsenter -t "$API_NS" -n "$BB" httpd -f -p 0.0.0.0:80 -h "$VW_TMP/guestwww" &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for -t 10 sh -c "nsenter -t $API_NS -n ss -ltn | grep -q ':80 '" ||
	vw_fail $T "httpd in the namespace did not start"
out=$(api "$VW_TMP/api.sock" \
	'{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":18090,"guest_port":80}}')
[ "$out" = '{"return":{"id":4}}' ] || vw_fail $T "add_hostfwd 18090: $out"
out=$(curl -sS --max-time 10 http://127.0.0.1:18090/index.html 2>&1) ||
	vw_fail $T "curl through the API's forward: $out"
[ "$out" = "hello from the namespace" ] || vw_fail $T "curl through the forward: got '$out'"
out=$(api "$VW_TMP/api.sock" '{"execute":"remove_hostfwd","arguments":{"id":4}}')
[ "$out" = '{"return":{}}' ] || vw_fail $T "remove_hostfwd 4: $out"
curl -sS --max-time 5 http://127.0.0.1:18090/ >/dev/null 2>&1 &&
	vw_fail $T "the removed forward still answers"
vw_pass "$T: API: an added forward reaches the namespace, a removed one is gone"

# A request in pieces, without EOF, is answered once complete; one over
# 4096 bytes is refused; neither stops the daemon.
"$PY" - "$VW_TMP/api.sock" >"$VW_TMP/pieces.out" 2>&1 <<'EOF' || vw_fail $T "API pieces: $(cat "$VW_TMP/pieces.out")"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"execute":"list')
time.sleep(0.5)
s.sendall(b'_hostfwd"}')
s.settimeout(5)
r = s.recv(65536)
assert r.startswith(b'{"entries":[{"id":2,'), r
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"execute":"list_hostfwd","x":"' + b"a" * 5000 + b'"}')
s.shutdown(socket.SHUT_WR)
s.settimeout(5)
r = s.recv(65536)
assert r == b'{"error":{"desc":"bad request: too large message"}}', r
EOF
out=$(api "$VW_TMP/api.sock" '{"execute":"list_hostfwd"}')
case $out in '{"entries":[{"id":2,'*) ;; *) vw_fail $T "API after the odd requests: $out" ;; esac
stop api
vw_pass "$T: API: a request in pieces is answered when complete, > 4096 bytes refused"

# The real slirp4netns, same requests: same bytes. It crashes on an
# add_hostfwd without arguments (not among REQS); ours answers it.
REAL=$(command -v slirp4netns || true)
if [ -n "$REAL" ] && [ "$(readlink -f "$REAL")" != "$(readlink -f "$VMWIRE")" ] &&
	"$REAL" --version 2>/dev/null | grep -q 'version 1\.2\.'; then
	run_api "$REAL" real
	kill -TERM "$S4N_PID"
	wait "$S4N_PID" 2>/dev/null
	cmp "$VW_TMP/real.replies" "$VW_TMP/api.replies" >/dev/null ||
		vw_fail $T "API replies differ from the real slirp4netns: $(diff "$VW_TMP/real.replies" "$VW_TMP/api.replies")"
	vw_pass "$T: API: the same bytes as the real slirp4netns $("$REAL" --version | head -1)"
fi

# ---- without -c: attach to someone else's TAP; --netns-type=path -----------
NSN=vw-slirp-$$
ip netns add "$NSN"
vw_on_exit "ip netns del $NSN 2>/dev/null; true"
ip -n "$NSN" tuntap add tap1 mode tap
ip -n "$NSN" link set tap1 mtu 9000 up
ip -n "$NSN" link set lo up
ip -n "$NSN" addr add 10.0.2.100/24 dev tap1
ip -n "$NSN" route add default via 10.0.2.2
s4n attach --netns-type=path "/run/netns/$NSN" tap1
ip -n "$NSN" link show dev tap1 | grep -q 'mtu 9000' ||
	vw_fail $T "without -c: the TAP's MTU was changed"
out=$(ip netns exec "$NSN" curl -sS --max-time 10 http://10.0.2.2:18000/index.html 2>&1) ||
	vw_fail $T "without -c: curl 10.0.2.2: $out"
[ "$out" = "hello from the host" ] || vw_fail $T "without -c: got '$out'"
stop attach
vw_pass "$T: without -c: attached to an existing TAP (netns-type=path), its settings kept"

# --cidr moves the guest, the gateway and the route.
newns NS3
s4n cidr -c --cidr=10.9.0.0/24 "$NS3"
in_ns "$NS3" ip -o -4 addr show dev tap0 | grep -q 'inet 10\.9\.0\.100/24' ||
	vw_fail $T "--cidr: $(in_ns "$NS3" ip addr show dev tap0)"
out=$(in_ns "$NS3" curl -sS --max-time 10 http://10.9.0.2:18000/index.html 2>&1) ||
	vw_fail $T "--cidr: curl 10.9.0.2: $out"
stop cidr
vw_pass "$T: --cidr=10.9.0.0/24: guest .100, gateway .2"

# A target in its own user namespace (rootless podman's and buildah's
# case): joined through PID, or through --netns-type=path + --userns-path.
unshare -U -r -n sleep 600 &
UNS=$!
vw_on_exit "kill $UNS 2>/dev/null; true"
vw_wait_for sh -c "[ \"\$(readlink /proc/$UNS/ns/user)\" != \"\$(readlink /proc/self/ns/user)\" ]" ||
	vw_fail $T "unshare -U did not make a user namespace"
s4n userns_pid -c "$UNS"
in_ns "$UNS" ip -o -4 addr show dev tap0 | grep -q 'inet 10\.0\.2\.100/24' ||
	vw_fail $T "user namespace (PID): no 10.0.2.100"
stop userns_pid
s4n userns_path -c --netns-type=path --userns-path="/proc/$UNS/ns/user" "/proc/$UNS/ns/net" tap5
in_ns "$UNS" ip -o -4 addr show dev tap5 | grep -q 'inet 10\.0\.2\.100/24' ||
	vw_fail $T "user namespace (--userns-path): no 10.0.2.100 on tap5"
out=$(nsenter -t "$UNS" -n curl -sS --max-time 10 http://10.0.2.2:18000/index.html 2>&1) ||
	vw_fail $T "user namespace: curl 10.0.2.2: $out"
stop userns_path
vw_pass "$T: a target in its own user namespace, by PID and by --userns-path"
