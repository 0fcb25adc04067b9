#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_hostfwd_source.sh - a hostfwd connection shows the guest the client's
# real address (issue 13 item 4). A guest namespace behind a TAP runs TCP
# and UDP servers that answer with the peer address they saw; a client
# namespace joined to this test's namespace (where vmwire runs) by a veth,
# 192.0.2.2 / fd0b::2 against 192.0.2.1 / fd0b::1, connects to hostfwd rules
# bound to every address:
#  - TCP and UDP from 192.0.2.2 reach the guest from 192.0.2.2, and the
#    guest's answer (via its default route, the gateway) gets back;
#  - TCP from [fd0b::2] to a rule towards the guest's IPv6 address is seen
#    from fd0b::2;
#  - a client on 127.0.0.1 is seen from 10.0.2.2 (the host address);
#  - with hostfwd-source=host, every client is seen from 10.0.2.2 / fec0::2;
#  - restrict=on and egress-deny, which refuse the guest's own connection to
#    the client, do not drop its replies to hostfwd clients, nor does
#    host-loopback=off those to loopback clients (seen as 10.0.2.2);
#  - hostfwd-source=bogus is refused with an error naming the option.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static python3
vw_tmpdir

T=gw_hostfwd_source
BB=$(command -v busybox) || vw_skip "busybox not found"
PY=/usr/bin/python3

vw_netns_add guest
vw_netns_add client
G=$(vw_ns guest)
C=$(vw_ns client)
gx() { ip netns exec "$G" "$@"; }
cx() { ip netns exec "$C" "$@"; }

# The client side: a veth from this namespace into the client namespace.
ip link add vwsrc0 type veth peer name vwsrc1 netns "$C" ||
	vw_fail $T "cannot create the veth pair"
ip addr add 192.0.2.1/24 dev vwsrc0
ip addr add fd0b::1/64 dev vwsrc0 nodad
ip link set vwsrc0 up
cx ip addr add 192.0.2.2/24 dev vwsrc1
cx ip addr add fd0b::2/64 dev vwsrc1 nodad
cx ip link set vwsrc1 up

# The guest's servers: each answers "PEER <address> <what it got>".
cat >"$VW_TMP/server.py" <<'PY'
import socket, threading
def tcp(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 7777)); s.listen(16)
    while True:
        c, peer = s.accept()
        line = c.makefile("rb").readline().strip()
        c.sendall(b"PEER %s %s\n" % (peer[0].encode(), line))
        c.close()
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 7777))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(b"PEER %s %s\n" % (peer[0].encode(), data.strip()), peer)
threading.Thread(target=tcp, args=(socket.AF_INET6, "::"), daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
tcp(socket.AF_INET, "0.0.0.0")
PY
# The client: prints the server's answer, exits non-zero without one.
cat >"$VW_TMP/client.py" <<'PY'
import socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
msg = b"hello-from-client"
if proto == "tcp":
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(msg + b"\n")
    out = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        out += b
else:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1)
    out = b""
    for _ in range(10):
        s.sendto(msg, (host, port))
        try:
            out = s.recv(4096)
            break
        except socket.timeout:
            pass
sys.stdout.write(out.decode())
sys.exit(0 if out.startswith(b"PEER ") and msg in out else 1)
PY

gx $PY "$VW_TMP/server.py" >"$VW_TMP/server.log" 2>&1 &
vw_on_exit "kill $! 2>/dev/null; true"

cat >"$VW_TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
bound|renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/$subnet" dev "$interface"
	ip route add default via "$router" dev "$interface"
	;;
esac
exit 0
SCRIPT
chmod +x "$VW_TMP/udhcpc.sh"

# guest_up: address the guest namespace (DHCP, SLAAC) behind a new gateway.
guest_up() {
	gx sysctl -qw net.ipv6.conf.vw0.accept_ra=1 net.ipv6.conf.vw0.autoconf=1
	gx ip link set vw0 up
	gx timeout 30 "$BB" udhcpc -i vw0 -s "$VW_TMP/udhcpc.sh" -q -n -f -t 5 -T 2 \
		>"$VW_TMP/udhcpc.log" 2>&1 ||
		vw_fail $T "udhcpc got no lease: $(cat "$VW_TMP/udhcpc.log")"
	vw_wait_for -t 20 sh -c "ip netns exec $G ip -6 addr show dev vw0 | grep 'inet6 fec0::' | grep -vq tentative" ||
		vw_fail $T "no SLAAC address: $(gx ip -6 addr show dev vw0)"
	vw_wait_for -t 10 sh -c "ip netns exec $G ip -6 route show default | grep -q 'via fe80::2'" ||
		vw_fail $T "no IPv6 default route: $(gx ip -6 route)"
	# A rule towards "[]" needs the address NDP learned from the guest.
	gx ping -6 -c 1 -W 5 fec0::2 >/dev/null || vw_fail $T "the guest cannot ping fec0::2"
}

# expect NAME PROTO NS HOST PORT SEEN: the guest saw the client as SEEN.
expect() {
	local name=$1 proto=$2 ns=$3 host=$4 port=$5 seen=$6 out
	if [ "$ns" = here ]; then
		out=$(timeout 30 $PY "$VW_TMP/client.py" "$proto" "$host" "$port" 2>&1)
	else
		out=$(timeout 30 ip netns exec "$ns" $PY "$VW_TMP/client.py" "$proto" "$host" "$port" 2>&1)
	fi || vw_fail $T "$name: no answer through $proto $host:$port: $out"
	[ "$out" = "PEER $seen hello-from-client" ] ||
		vw_fail $T "$name: the guest saw '$out', expected the peer $seen"
}

# A listener in the client namespace, for the guest's own connections out.
cx $PY -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("192.0.2.2", 7000)); s.listen(4); [s.accept()[0].close() for _ in iter(int, 1)]' &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for sh -c "ip netns exec $C ss -ltn | grep -q '192.0.2.2:7000 '" ||
	vw_fail $T "the client namespace's listener did not come up"
guest_out() {
	gx timeout 10 $PY -c 'import socket; socket.create_connection(("192.0.2.2", 7000), timeout=5)' 2>/dev/null
}

RULES="hostfwd=tcp::5555-:7777,hostfwd=udp::5555-:7777,hostfwd=tcp:[::]:5556-[]:7777"

# Default: the real client address.
vw_start gw -netdev tap,id=t,ifname=vw0,netns="$G" -netdev user,id=gw,$RULES
guest_up
GUEST6=$(gx ip -6 -o addr show dev vw0 | awk '$4 ~ /^fec0::/ {print $4}' | cut -d/ -f1)
expect "tcp from the veth client" tcp "$C" 192.0.2.1 5555 192.0.2.2
vw_pass "$T: TCP from 192.0.2.2 reaches the guest from 192.0.2.2, and its answer gets back"
expect "udp from the veth client" udp "$C" 192.0.2.1 5555 192.0.2.2
vw_pass "$T: UDP from 192.0.2.2 reaches the guest from 192.0.2.2, and its answer gets back"
expect "tcp from the veth client over IPv6" tcp "$C" fd0b::1 5556 fd0b::2
vw_pass "$T: TCP from [fd0b::2] reaches the guest ($GUEST6) from fd0b::2"
expect "tcp from loopback" tcp here 127.0.0.1 5555 10.0.2.2
expect "udp from loopback" udp here 127.0.0.1 5555 10.0.2.2
expect "tcp from ::1" tcp here ::1 5556 fec0::2
vw_pass "$T: clients on 127.0.0.1 and ::1 appear as 10.0.2.2 and fec0::2"
guest_out || vw_fail $T "without restrict= the guest cannot connect to 192.0.2.2:7000"
vw_stop gw

# hostfwd-source=host: everyone looks like the host, as slirp does.
vw_start gw -netdev tap,id=t,ifname=vw0,netns="$G" -netdev user,id=gw,hostfwd-source=host,$RULES
guest_up
expect "tcp, hostfwd-source=host" tcp "$C" 192.0.2.1 5555 10.0.2.2
expect "udp, hostfwd-source=host" udp "$C" 192.0.2.1 5555 10.0.2.2
expect "tcp over IPv6, hostfwd-source=host" tcp "$C" fd0b::1 5556 fec0::2
vw_pass "$T: with hostfwd-source=host the veth client appears as 10.0.2.2 and fec0::2"
vw_stop gw

# restrict=on and an egress-deny covering the client: the guest cannot
# reach out, yet answers to a hostfwd client still get back.
vw_start gw -netdev tap,id=t,ifname=vw0,netns="$G" \
	-netdev user,id=gw,restrict=on,host-loopback=off,egress-deny=192.0.2.0/24:[fd0b::]/64,$RULES
guest_up
# The policy is on: the guest's own connection to the client is refused.
if guest_out; then
	vw_fail $T "restrict=on let the guest connect out to 192.0.2.2"
fi
expect "tcp, restrict=on" tcp "$C" 192.0.2.1 5555 192.0.2.2
expect "udp, restrict=on" udp "$C" 192.0.2.1 5555 192.0.2.2
expect "tcp over IPv6, restrict=on" tcp "$C" fd0b::1 5556 fd0b::2
expect "tcp from loopback, host-loopback=off" tcp here 127.0.0.1 5555 10.0.2.2
expect "udp from loopback, host-loopback=off" udp here 127.0.0.1 5555 10.0.2.2
vw_pass "$T: restrict=on, host-loopback=off and egress-deny keep answering hostfwd clients at their real address, and loopback ones as 10.0.2.2"
vw_stop gw

# A bad value names the option.
if out=$("$VMWIRE" -netdev user,id=gw,hostfwd-source=bogus 2>&1); then
	vw_fail $T "hostfwd-source=bogus was accepted"
fi
case $out in
*hostfwd-source*) ;;
*) vw_fail $T "the error does not name hostfwd-source: $out" ;;
esac
vw_pass "$T: hostfwd-source=bogus is refused: $out"
