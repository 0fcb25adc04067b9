#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_ipv6_hostile.sh - hostile IPv6 frames from a namespace guest (scapy,
# raw on its TAP): payload-length lies, extension-header loops and chains
# past the frame, tiny and overlapping fragments, NS/RS with truncated or
# zero-length options, an NA claiming the gateway's address. Each kind is
# dropped and counted (info usernet), nothing crashes (the ASan build runs
# this too), and the gateway still answers ping -6 and a router
# solicitation afterwards.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping python3-scapy
vw_tmpdir

T=gw_ipv6_hostile
PY=/usr/bin/python3
MON=$VW_TMP/mon.sock

vw_netns_add ns
NS=$(vw_ns ns)
nsx() { ip netns exec "$NS" "$@"; }

vw_start gw -monitor "unix:$MON,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw0,netns="$NS" -netdev user,id=gw
nsx sysctl -qw net.ipv6.conf.vw0.accept_ra=0
nsx ip link set vw0 up
nsx ip -6 addr add fec0::15/64 dev vw0 nodad
nsx ping -6 -c 1 -W 2 fec0::2 >/dev/null || vw_fail $T "no ping before the attack"

cat >"$VW_TMP/hostile.py" <<'PYEOF'
from scapy.all import (Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, IPv6ExtHdrFragment,
                       IPv6ExtHdrRouting, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_NA,
                       ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, UDP, Raw,
                       PadN, sendp, get_if_hwaddr, conf)
conf.verb = 0
mac = get_if_hwaddr("vw0")
gwmac = "52:55:0a:00:02:02"
e = Ether(src=mac, dst=gwmac)
ip = IPv6(src="fec0::15", dst="fec0::2")
frames = []
# payload length larger than the frame
p = bytearray(bytes(e / ip / ICMPv6EchoRequest(data=b"x" * 16)))
p[18:20] = (1000).to_bytes(2, "big")
frames.append(bytes(p))
# destination-options headers chained to themselves, past the cap
chain = e / ip
for _ in range(12):
    chain = chain / IPv6ExtHdrDestOpt(nh=60)
frames.append(bytes(chain / IPv6ExtHdrDestOpt(nh=58) / ICMPv6EchoRequest()))
# a chain whose last header claims more than the frame holds
p = bytearray(bytes(e / ip / IPv6ExtHdrDestOpt(nh=60, options=[PadN(optdata=b"\0" * 4)])))
p[14 + 40 + 1] = 40
frames.append(bytes(p))
# hop-by-hop after another header; routing with segments left
frames.append(bytes(e / ip / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / ICMPv6EchoRequest()))
frames.append(bytes(e / ip / IPv6ExtHdrRouting(segleft=1, addresses=["fec0::9"]) /
                    ICMPv6EchoRequest()))
# tiny first fragment (not even a UDP header), overlapping fragments
frames.append(bytes(e / ip / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=7) / Raw(b"\0" * 4)))
frames.append(bytes(e / ip / IPv6ExtHdrFragment(nh=17, offset=1, m=0, id=7) / Raw(b"a" * 4)))
frames.append(bytes(e / ip / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=8) /
                    UDP(sport=1, dport=9) / Raw(b"b" * 24)))
frames.append(bytes(e / ip / IPv6ExtHdrFragment(nh=17, offset=2, m=0, id=8) / Raw(b"c" * 24)))
# NDP: NS with an option running past the end, RS with a zero-length option
ns = bytearray(bytes(Ether(src=mac, dst="33:33:ff:00:00:02") /
                     IPv6(src="fec0::15", dst="ff02::1:ff00:2", hlim=255) /
                     ICMPv6ND_NS(tgt="fec0::2") / ICMPv6NDOptSrcLLAddr(lladdr=mac)))
ns[14 + 40 + 24 + 1] = 9
frames.append(bytes(ns))
frames.append(bytes(Ether(src=mac, dst="33:33:00:00:00:02") /
                    IPv6(src="fec0::15", dst="ff02::2", hlim=255) / ICMPv6ND_RS() /
                    Raw(b"\x01\x00\0\0\0\0\0\0")))
# an NA claiming the gateway's address
frames.append(bytes(Ether(src=mac, dst="33:33:00:00:00:01") /
                    IPv6(src="fec0::15", dst="ff02::1", hlim=255) /
                    ICMPv6ND_NA(tgt="fec0::2", R=0, S=0, O=1) /
                    ICMPv6NDOptDstLLAddr(lladdr=mac)))
for f in frames:
    sendp(f, iface="vw0")
PYEOF
nsx $PY "$VW_TMP/hostile.py" >"$VW_TMP/hostile.log" 2>&1 || vw_fail $T "scapy: $(cat "$VW_TMP/hostile.log")"
sleep 0.5
"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet"
for c in ip6_bad_len ip6_ext_too_many ip6_truncated ip6_ext_bad ip_frag_bad ip_frag_overlaps \
	ndp_bad_opts; do
	grep -Eq "$c [1-9]" "$VW_TMP/usernet" || vw_fail $T "$c not counted: $(cat "$VW_TMP/usernet")"
done
# The NA for fec0::2 never reaches the gateway: the switch drops it.
"$VMWIRE" ctl "$MON" info network >"$VW_TMP/network" || vw_fail $T "info network"
grep -Eq "sec_arp [1-9]" "$VW_TMP/network" || vw_fail $T "NA not dropped: $(cat "$VW_TMP/network")"
vw_pass "$T: payload-length lies, ext-header loops/overruns, tiny/overlapping fragments, bad NDP options and an NA for fec0::2 dropped and counted"

nsx ping -6 -c 2 -i 0.2 -W 2 fec0::2 >/dev/null || vw_fail $T "no ping after the attack"
vw_pass "$T: the gateway still answers ping -6"
vw_stop gw
