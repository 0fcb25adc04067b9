#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_ipv6_namespace.sh - the gateway's IPv6 side seen by a kernel guest in
# a namespace behind a TAP port:
#  - the kernel autoconfigures an address in fec0::/64 from our router
#    advertisement (SLAAC) and a default route via fe80::2;
#  - a router solicitation sent with scapy gets an RA carrying the prefix
#    (A flag), the MTU, RDNSS fec0::3 and DNSSL (dnssearch=), O flag for
#    ipv6-dhcp=stateless (the kernel writes no resolv.conf, so the options
#    are read from the captured RA);
#  - ping -6 to fec0::2, fec0::3 and fe80::2 is answered by the gateway;
#  - UDP to fec0::2 reaches an echo server on the host's ::1;
#  - DNS AAAA through fec0::3 reaches a dnsmasq on the host's [::1]:5353
#    (dns-upstream=[::1]:5353);
#  - TCP: curl http://[fec0::2]:8080/ fetches 8 MiB from a server on the
#    host's [::1], sha256 intact; AAAA over TCP through fec0::3;
#  - hostfwd=tcp:[::1]:5556-[]:7777 reaches a server in the namespace at
#    the address NDP learned, and hostfwd=tcp:[::1]:5557-[ADDR]:7777 too;
#  - info usernet lists the learned neighbour and the NDP counters;
#  - dhclient -6 (isc-dhcp-client) gets a stateful lease from the pool with
#    ipv6-dhcp=stateful (M flag), and a lease6= address for its MAC; -S
#    (stateless) gets the DNS server; info usernet lists the lease;
#  - restrict=on blocks IPv6 UDP and TCP like IPv4 (the gateway's own
#    ping still answers);
#  - ipv6=off: no RA, no answer.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping python3-scapy curl dnsmasq-base isc-dhcp-client
vw_tmpdir

T=gw_ipv6_namespace
PY=/usr/bin/python3
MON=$VW_TMP/mon.sock
TOOL=$(cd "$(dirname "$0")" && pwd)/gw_ipv6_tool.py
DNSMASQ=$(command -v dnsmasq) || vw_skip "dnsmasq not found"

vw_netns_add ns
NS=$(vw_ns ns)
nsx() { ip netns exec "$NS" "$@"; }

ip link set lo up
mkdir -p "$VW_TMP/www"
head -c 8388608 /dev/urandom >"$VW_TMP/www/file"
(cd "$VW_TMP/www" && exec $PY -m http.server --bind ::1 8080) >"$VW_TMP/http.log" 2>&1 &
vw_on_exit "kill $!"
$PY "$TOOL" udp-echo 7777 >"$VW_TMP/echo.log" 2>&1 &
vw_on_exit "kill $!"
"$DNSMASQ" --no-daemon --conf-file=/dev/null --port=5353 --listen-address=::1 \
	--bind-interfaces --no-resolv --no-hosts --address=/v6.test/2001:db8::7 \
	--pid-file= >"$VW_TMP/dnsmasq.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -lun | grep -q "\[::1\]:5353 " && ss -lun | grep -q "\[::1\]:7777 " && ss -ltn | grep -q "\[::1\]:8080 "' ||
	vw_fail $T "host peers did not come up: $(cat "$VW_TMP/dnsmasq.log")"

vw_start gw -monitor "unix:$MON,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw0,netns="$NS" \
	-netdev user,id=gw,dnssearch=example.test,dnssearch=corp.example,ra-interval=5,dns-upstream=[::1]:5353,hostfwd=tcp:[::1]:5556-[]:7777
nsx sysctl -qw net.ipv6.conf.vw0.accept_ra=1 net.ipv6.conf.vw0.autoconf=1
nsx ip link set vw0 up

# SLAAC: an address in fec0::/64 and a default route via the gateway.
# (fec0::/10 is the deprecated site-local range: the kernel says "scope site".)
vw_wait_for -t 20 sh -c "ip netns exec $NS ip -6 addr show dev vw0 | grep -q 'inet6 fec0::'" ||
	vw_fail $T "no SLAAC address: $(nsx ip -6 addr show dev vw0)"
vw_wait_for -t 10 sh -c "ip netns exec $NS ip -6 route show default | grep -q 'via fe80::2 dev vw0'" ||
	vw_fail $T "no default route via fe80::2: $(nsx ip -6 route)"
vw_wait_for -t 10 sh -c "! ip netns exec $NS ip -6 addr show dev vw0 | grep -q tentative" ||
	vw_fail $T "address stays tentative: $(nsx ip -6 addr show dev vw0)"
MYADDR=$(nsx ip -6 -o addr show dev vw0 | awk '$4 ~ /^fec0::/ {print $4}' | cut -d/ -f1)
vw_pass "$T: SLAAC gave the kernel $MYADDR and a default route via fe80::2"

# The RA's options, from a solicitation of our own.
cat >"$VW_TMP/rs.py" <<'PYEOF'
import sys
from scapy.all import (Ether, IPv6, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, ICMPv6ND_RA,
                       ICMPv6NDOptPrefixInfo, ICMPv6NDOptMTU, ICMPv6NDOptRDNSS,
                       ICMPv6NDOptDNSSL, sendp, sniff, get_if_hwaddr, conf)
conf.verb = 0
mac = get_if_hwaddr("vw0")
rs = (Ether(src=mac, dst="33:33:00:00:00:02") / IPv6(src=sys.argv[1], dst="ff02::2", hlim=255) /
      ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac))
# A unicast answer to our link-local address (not a periodic one to all nodes).
got = sniff(iface="vw0", timeout=5, count=1,
            lfilter=lambda p: ICMPv6ND_RA in p and p[IPv6].dst == sys.argv[1],
            started_callback=lambda: sendp(rs, iface="vw0"))
if not got:
    sys.exit("no RA")
ra = got[0]
r = ra[ICMPv6ND_RA]
print("src", ra[IPv6].src, "hlim", ra[IPv6].hlim, "M", r.M, "O", r.O, "life", r.routerlifetime)
p = ra[ICMPv6NDOptPrefixInfo]
print("prefix", p.prefix, p.prefixlen, "A", p.A, "L", p.L)
print("mtu", ra[ICMPv6NDOptMTU].mtu)
print("rdnss", " ".join(ra[ICMPv6NDOptRDNSS].dns))
print("dnssl", " ".join(n.decode() if isinstance(n, bytes) else n for n in ra[ICMPv6NDOptDNSSL].searchlist))
PYEOF
LL=$(nsx ip -6 -o addr show dev vw0 scope link | awk '{print $4}' | cut -d/ -f1)
nsx timeout 20 $PY "$VW_TMP/rs.py" "$LL" >"$VW_TMP/ra.txt" 2>&1 || vw_fail $T "RS/RA: $(cat "$VW_TMP/ra.txt")"
grep -q "^src fe80::2 hlim 255 M 0 O 1 life 1800$" "$VW_TMP/ra.txt" &&
	grep -q "^prefix fec0:: 64 A 1 L 1$" "$VW_TMP/ra.txt" &&
	grep -q "^mtu 1500$" "$VW_TMP/ra.txt" &&
	grep -q "^rdnss fec0::3$" "$VW_TMP/ra.txt" &&
	grep -q "^dnssl example.test. corp.example.$" "$VW_TMP/ra.txt" ||
	vw_fail $T "RA options: $(cat "$VW_TMP/ra.txt")"
vw_pass "$T: RS -> RA from fe80::2 with prefix (A), MTU, RDNSS fec0::3, DNSSL, O flag"

for a in fec0::2 fec0::3 fe80::2%vw0; do
	nsx ping -6 -c 2 -i 0.2 -W 2 "$a" >"$VW_TMP/ping.log" 2>&1 ||
		vw_fail $T "ping -6 $a: $(cat "$VW_TMP/ping.log")"
done
nsx ping -6 -c 1 -s 1400 -W 2 fec0::2 >"$VW_TMP/ping.log" 2>&1 ||
	vw_fail $T "ping -6 -s 1400: $(cat "$VW_TMP/ping.log")"
vw_pass "$T: ping -6 fec0::2, fec0::3 and fe80::2 answered by the gateway"

out=$(nsx timeout 10 $PY "$TOOL" udp-ask fec0::2 7777 hello-v6 2>&1)
[ "$out" = hello-v6 ] || vw_fail $T "UDP via fec0::2 to the host's ::1: '$out'"
vw_pass "$T: UDP to fec0::2 reaches the host's [::1] and the answer comes back from fec0::2"

out=$(nsx timeout 10 $PY "$TOOL" aaaa fec0::3 www.v6.test 2>&1)
[ "$out" = 2001:db8::7 ] || vw_fail $T "AAAA via fec0::3: '$out' $(cat "$VW_TMP/dnsmasq.log")"
vw_pass "$T: DNS AAAA through fec0::3 to dnsmasq on [::1]:5353"

nsx timeout 60 curl -sS -g -o "$VW_TMP/got" "http://[fec0::2]:8080/file" 2>"$VW_TMP/curl.err" ||
	vw_fail $T "curl via [fec0::2]: $(cat "$VW_TMP/curl.err")"
[ "$(sha256sum <"$VW_TMP/got")" = "$(sha256sum <"$VW_TMP/www/file")" ] ||
	vw_fail $T "curl: 8 MiB body differs"
vw_pass "$T: curl http://[fec0::2]:8080 reaches the host's [::1], 8 MiB sha256 intact"

out=$(nsx timeout 10 $PY "$TOOL" aaaa-tcp fec0::3 www.v6.test 2>&1)
[ "$out" = 2001:db8::7 ] || vw_fail $T "AAAA over TCP via fec0::3: '$out'"
vw_pass "$T: DNS AAAA over TCP through fec0::3"

nsx $PY -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 7777)); s.listen(4)
while True:
    c, a = s.accept(); c.sendall(("hi " + a[0] + "\n").encode()); c.close()
' >"$VW_TMP/nsserver.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c "ip netns exec $NS ss -ltn | grep -q ':7777 '" || vw_fail $T "namespace server"
out=$(timeout 10 $PY -c '
import socket
s = socket.create_connection(("::1", 5556), timeout=5); print(s.recv(100).decode().strip())' 2>&1)
[ "$out" = "hi fec0::2" ] || vw_fail $T "hostfwd [::1]:5556 -> []:7777: '$out'"
"$VMWIRE" ctl "$MON" hostfwd_add "tcp:[::1]:5557-[$MYADDR]:7777" >"$VW_TMP/hfa" 2>&1 ||
	vw_fail $T "hostfwd_add v6: $(cat "$VW_TMP/hfa")"
out=$(timeout 10 $PY -c '
import socket
s = socket.create_connection(("::1", 5557), timeout=5); print(s.recv(100).decode().strip())' 2>&1)
[ "$out" = "hi fec0::2" ] || vw_fail $T "hostfwd [::1]:5557 -> [$MYADDR]:7777: '$out'"
vw_pass "$T: v6 hostfwd reaches the namespace server (NDP-learned and explicit guest address)"

"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet"
grep -q "NDP neighbours:" "$VW_TMP/usernet" && grep -qF "$MYADDR" "$VW_TMP/usernet" &&
	grep -Eq "ndp_ns_answered [1-9]" "$VW_TMP/usernet" &&
	grep -Eq "icmp6_echo_replies [1-9]" "$VW_TMP/usernet" ||
	vw_fail $T "info usernet: $(cat "$VW_TMP/usernet")"
vw_pass "$T: info usernet lists the neighbour and the NDP/ICMPv6 counters"
vw_stop gw

# DHCPv6 with dhclient -6: stateless information, then stateful leases.
vw_netns_add ns4
NS4=$(vw_ns ns4)
# dhclient hands what it got to its script: ours writes it down.
printf '#!/bin/sh\nenv >>"%s/dh6-env"\nexit 0\n' "$VW_TMP" >"$VW_TMP/dh6-script"
chmod +x "$VW_TMP/dh6-script"
dh6() { # name extra-args...
	local n=$1
	shift
	ip netns exec "$NS4" timeout 30 dhclient -6 -1 -v -lf "$VW_TMP/$n.leases" \
		-pf "$VW_TMP/$n.pid" -sf "$VW_TMP/dh6-script" "$@" vw3 >"$VW_TMP/$n.log" 2>&1
	local rc=$?
	[ -s "$VW_TMP/$n.pid" ] && kill "$(cat "$VW_TMP/$n.pid")" 2>/dev/null
	return $rc
}
vw_start gw4 -monitor "unix:$VW_TMP/mon4.sock,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw3,netns="$NS4" -netdev user,id=gw,ipv6-dhcp=stateful
ip netns exec "$NS4" ip link set vw3 up
vw_wait_for -t 10 sh -c "ip netns exec $NS4 ip -6 addr show dev vw3 | grep -q 'fe80::' && ! ip netns exec $NS4 ip -6 addr show dev vw3 | grep -q tentative" ||
	vw_fail $T "no link-local address for dhclient"
dh6 stateless -S || vw_fail $T "dhclient -6 -S: $(cat "$VW_TMP/stateless.log")"
grep -q "^new_dhcp6_name_servers=fec0::3$" "$VW_TMP/dh6-env" ||
	vw_fail $T "stateless: no name server: $(cat "$VW_TMP/dh6-env" "$VW_TMP/stateless.log")"
dh6 stateful || vw_fail $T "dhclient -6: $(cat "$VW_TMP/stateful.log")"
grep -q "iaaddr fec0::100 " "$VW_TMP/stateful.leases" ||
	vw_fail $T "stateful: no lease: $(cat "$VW_TMP/stateful.leases" "$VW_TMP/stateful.log")"
"$VMWIRE" ctl "$VW_TMP/mon4.sock" info usernet >"$VW_TMP/usernet4" || vw_fail $T "info usernet"
grep -q "DHCPv6 leases:" "$VW_TMP/usernet4" && grep -q "fec0::100 " "$VW_TMP/usernet4" ||
	vw_fail $T "info usernet: no DHCPv6 lease: $(cat "$VW_TMP/usernet4")"
vw_stop gw4
MAC4=02:00:00:00:00:77
vw_start gw5 -netdev tap,id=t2,ifname=vw4,netns="$NS4" \
	-netdev "user,id=gw,ipv6-dhcp=stateful,lease6=fec0::77@$MAC4"
ip netns exec "$NS4" ip link set vw4 address "$MAC4"
ip netns exec "$NS4" ip link set vw4 up
vw_wait_for -t 10 sh -c "ip netns exec $NS4 ip -6 addr show dev vw4 | grep -q 'fe80::' && ! ip netns exec $NS4 ip -6 addr show dev vw4 | grep -q tentative" ||
	vw_fail $T "no link-local address on vw4"
ip netns exec "$NS4" timeout 30 dhclient -6 -1 -v -lf "$VW_TMP/static.leases" \
	-pf "$VW_TMP/static.pid" -sf "$VW_TMP/dh6-script" vw4 >"$VW_TMP/static.log" 2>&1 ||
	vw_fail $T "dhclient -6 (lease6): $(cat "$VW_TMP/static.log")"
[ -s "$VW_TMP/static.pid" ] && kill "$(cat "$VW_TMP/static.pid")" 2>/dev/null
grep -q "iaaddr fec0::77 " "$VW_TMP/static.leases" ||
	vw_fail $T "lease6=: $(cat "$VW_TMP/static.leases")"
vw_stop gw5
vw_pass "$T: dhclient -6 gets DNS statelessly, a pool lease and a lease6= address statefully"

# restrict=on: nothing leaves over IPv6 either.
vw_netns_add ns3
NS3=$(vw_ns ns3)
vw_start gw3 -netdev tap,id=t,ifname=vw2,netns="$NS3" -netdev user,id=gw,restrict=on
ip netns exec "$NS3" ip link set vw2 up
ip netns exec "$NS3" ip -6 addr add fec0::98/64 dev vw2 nodad
ip netns exec "$NS3" ping -6 -c 1 -W 2 fec0::2 >/dev/null 2>&1 ||
	vw_fail $T "restrict=on: the gateway's own ping unanswered"
out=$(ip netns exec "$NS3" timeout 10 $PY "$TOOL" udp-ask fec0::2 7777 blocked 2>&1)
[ "$out" != blocked ] || vw_fail $T "restrict=on: UDP over IPv6 got out"
! ip netns exec "$NS3" timeout 10 curl -sS -g -m 3 -o /dev/null "http://[fec0::2]:8080/file" 2>/dev/null ||
	vw_fail $T "restrict=on: TCP over IPv6 got out"
vw_stop gw3
vw_pass "$T: restrict=on blocks IPv6 UDP and TCP, the gateway still answers ping"

# ipv6=off: the gateway neither advertises nor answers.
vw_netns_add ns2
NS2=$(vw_ns ns2)
vw_start gw2 -netdev tap,id=t,ifname=vw1,netns="$NS2" -netdev user,id=gw,ipv6=off
ip netns exec "$NS2" ip link set vw1 up
ip netns exec "$NS2" ip -6 addr add fec0::99/64 dev vw1 nodad
sleep 3
! ip netns exec "$NS2" ip -6 addr show dev vw1 | grep -q "dynamic" ||
	vw_fail $T "ipv6=off: got an autoconfigured address"
! ip netns exec "$NS2" ping -6 -c 1 -W 1 fec0::2 >/dev/null 2>&1 ||
	vw_fail $T "ipv6=off: fec0::2 answered"
vw_stop gw2
vw_pass "$T: ipv6=off sends no RA and answers nothing"
