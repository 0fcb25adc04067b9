#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vlan_isolation.sh - 802.1Q through TAP ports: two access ports (vlan=10 and
# vlan=20) and one trunk (trunk=10:20, no native VLAN), each TAP in its own
# namespace.
#
# The trunk end is a small AF_PACKET responder on the trunk TAP instead of
# kernel VLAN sub-interfaces: it answers ARP and ping for 10.10.0.3 only on
# VLAN 10 and for 10.20.0.3 only on VLAN 20, and logs the VLAN of every
# frame it sees. That works on kernels without CONFIG_VLAN_8021Q and checks
# the tags themselves, not just that something got through.
#
# Checks: access ports sharing a subnet cannot reach each other; each access
# port reaches the trunk's address on its own VLAN but not the other VLAN's
# (even with an address in that subnet); the trunk saw tags 10 and 20 and
# never an untagged frame from the access side; untagged frames sent into
# the trunk go nowhere; tcpdump on the trunk shows the tags on the wire.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping tcpdump python3
vw_tmpdir

T=vlan_isolation
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
vw_netns_add a
vw_netns_add b
vw_netns_add t
NA=$(vw_ns a)
NB=$(vw_ns b)
NT=$(vw_ns t)

vw_start sw -netdev tap,id=a,ifname=vwa,netns="$NA",vlan=10 \
	-netdev tap,id=b,ifname=vwb,netns="$NB",vlan=20 \
	-netdev tap,id=t,ifname=vwt,netns="$NT",trunk=10:20

cat >"$VW_TMP/responder.py" <<'PYEOF'
# Answer ARP and ICMP echo for one address per VLAN on a trunk interface.
import socket, struct, sys

ifname, log = sys.argv[1], open(sys.argv[2], "w", buffering=1)
ips = {10: socket.inet_aton("10.10.0.3"), 20: socket.inet_aton("10.20.0.3")}
mymac = bytes.fromhex(open("/sys/class/net/%s/address" % ifname).read().strip().replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((ifname, 0))
s.setsockopt(263, 8, 1)  # SOL_PACKET, PACKET_AUXDATA: the kernel strips tags into it

def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff

def send(vid, dst, etype, payload):
    s.send(dst + mymac + struct.pack("!HH", 0x8100, vid) + etype + payload)

print("ready", file=log)
while True:
    data, anc, _, addr = s.recvmsg(70000, socket.CMSG_SPACE(32))
    if addr[2] == 4 or len(data) < 14:  # PACKET_OUTGOING: our own replies
        continue
    vid = None
    for lvl, typ, d in anc:
        if lvl == 263 and typ == 8 and len(d) >= 20:
            status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", d[:20])
            if status & 0x10:  # TP_STATUS_VLAN_VALID
                vid = tci & 0xfff
    if vid is None and data[12:14] == b"\x81\x00" and len(data) >= 18:
        vid = struct.unpack("!H", data[14:16])[0] & 0xfff
        data = data[:12] + data[16:]
    etype, p = data[12:14], data[14:]
    print("vid=%s type=%s" % (vid, etype.hex()), file=log)
    if vid not in ips:
        continue
    ip = ips[vid]
    if etype == b"\x08\x06" and len(p) >= 28 and p[6:8] == b"\0\1" and p[24:28] == ip:
        send(vid, data[6:12], etype,
             p[:6] + b"\0\2" + mymac + ip + p[8:14] + p[14:18])
    elif etype == b"\x08\x00" and len(p) >= 28 and p[9] == 1 and p[16:20] == ip:
        ihl = (p[0] & 15) * 4
        icmp = p[ihl:]
        if len(icmp) < 8 or icmp[0] != 8:
            continue
        icmp = b"\0\0\0\0" + icmp[4:]
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        hdr = p[:8] + b"\x40\x01\0\0" + ip + p[12:16]
        hdr = hdr[:10] + struct.pack("!H", csum(hdr[:20])) + hdr[12:ihl]
        send(vid, data[6:12], etype, hdr + icmp)
PYEOF
ip netns exec "$NT" $PY "$VW_TMP/responder.py" vwt "$VW_TMP/trunk.log" \
	>"$VW_TMP/responder.out" 2>&1 &
RPID=$!
vw_on_exit "kill $RPID 2>/dev/null; true"
vw_wait_for grep -q ready "$VW_TMP/trunk.log" ||
	vw_fail $T "trunk responder did not start: $(cat "$VW_TMP/responder.out")"

# a and b share 10.60.0.0/24 (they would talk if VLANs leaked). Each also
# has an address in both trunk subnets, so the only thing keeping it from
# the other VLAN's trunk address is the tag.
ip -n "$NA" addr add 10.60.0.1/24 dev vwa
ip -n "$NA" addr add 10.10.0.1/24 dev vwa
ip -n "$NA" addr add 10.20.0.1/24 dev vwa
ip -n "$NB" addr add 10.60.0.2/24 dev vwb
ip -n "$NB" addr add 10.20.0.2/24 dev vwb
ip -n "$NB" addr add 10.10.0.2/24 dev vwb
ip -n "$NT" addr add 10.60.0.3/24 dev vwt

ping_ok() { ip netns exec "$1" ping -q -c 2 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
ping_fails() { ! ip netns exec "$1" ping -q -c 3 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }

# Positive checks first: they prove the fabric forwards at all, so the
# negative ones below can't pass just because nothing works.
ping_ok "$NA" 10.10.0.3 || vw_fail $T "VLAN 10 access port cannot reach the trunk on VLAN 10"
ping_ok "$NB" 10.20.0.3 || vw_fail $T "VLAN 20 access port cannot reach the trunk on VLAN 20"
vw_pass "$T: each access port reaches the trunk on its own VLAN"

ping_fails "$NA" 10.20.0.3 || vw_fail $T "VLAN 10 port reached the trunk's VLAN 20 address"
ping_fails "$NB" 10.10.0.3 || vw_fail $T "VLAN 20 port reached the trunk's VLAN 10 address"
vw_pass "$T: no access port reaches the other VLAN through the trunk"

ping_fails "$NA" 10.60.0.2 || vw_fail $T "VLAN 10 port reached the VLAN 20 port"
ping_fails "$NB" 10.60.0.1 || vw_fail $T "VLAN 20 port reached the VLAN 10 port"
ip -n "$NA" neigh show 10.60.0.2 | grep -q lladdr &&
	vw_fail $T "VLAN 10 port learned the VLAN 20 port's MAC (ARP leaked)"
vw_pass "$T: access ports on VLAN 10 and 20 are isolated"

grep -q '^vid=10 ' "$VW_TMP/trunk.log" && grep -q '^vid=20 ' "$VW_TMP/trunk.log" ||
	vw_fail $T "trunk did not see both tags: $(sort "$VW_TMP/trunk.log" | uniq -c)"
grep -v '^ready' "$VW_TMP/trunk.log" | grep -qv '^vid=[12]0 ' &&
	vw_fail $T "trunk saw frames outside VLANs 10/20: $(sort "$VW_TMP/trunk.log" | uniq -c)"
vw_pass "$T: trunk saw only frames tagged 10 and 20"

ping_fails "$NT" 10.60.0.1 || vw_fail $T "untagged trunk traffic reached VLAN 10 (no native VLAN)"
ping_fails "$NT" 10.60.0.2 || vw_fail $T "untagged trunk traffic reached VLAN 20 (no native VLAN)"
vw_pass "$T: untagged frames on a trunk without native VLAN go nowhere"

# Tags on the wire, as tcpdump sees them on the trunk and access TAPs.
ip netns exec "$NT" tcpdump -i vwt -e -n -l -c 4 icmp >"$VW_TMP/trunk.txt" 2>/dev/null &
t1=$!
ip netns exec "$NA" tcpdump -i vwa -e -n -l -c 2 icmp >"$VW_TMP/access.txt" 2>/dev/null &
t2=$!
sleep 1
ping_ok "$NA" 10.10.0.3 || vw_fail $T "ping VLAN 10 -> trunk during capture"
ping_ok "$NB" 10.20.0.3 || vw_fail $T "ping VLAN 20 -> trunk during capture"
for p in $t1 $t2; do
	for _ in $(seq 50); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
	kill $p 2>/dev/null
	wait $p 2>/dev/null
done
grep -q 'vlan 10,' "$VW_TMP/trunk.txt" && grep -q 'vlan 20,' "$VW_TMP/trunk.txt" ||
	vw_fail $T "trunk capture lacks 802.1Q tags 10 and 20: $(cat "$VW_TMP/trunk.txt")"
[ -s "$VW_TMP/access.txt" ] || vw_fail $T "access capture saw nothing"
grep -q 'vlan ' "$VW_TMP/access.txt" &&
	vw_fail $T "access port saw tagged frames: $(cat "$VW_TMP/access.txt")"
vw_pass "$T: tcpdump shows tags 10/20 on the trunk, none on the access port"
exit 0
