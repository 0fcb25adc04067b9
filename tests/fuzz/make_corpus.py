#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# make_corpus.py - write the seed corpora under tests/fuzz/corpus/<target>/.
#
# Theory of operation: each target reads its own input layout (see the
# comment at the top of tests/fuzz/fuzz_<target>.c); this script builds a
# few dozen well-formed inputs per target from real protocol messages
# (scapy), so the fuzzer starts deep inside the parsers instead of
# rediscovering Ethernet, IPv4, DHCP and DNS from nothing. Files are named
# by content hash, so re-running is idempotent and reproducers added by
# hand (crash-*, named after what they found) sit beside the seeds.
#
# Usage: /usr/bin/python3 tests/fuzz/make_corpus.py   (needs python3-scapy)

import hashlib
import os
import struct
import sys

from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP,
                       Dot1Q, Ether, ICMPv6DestUnreach, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr,
                       IPv6, IPv6ExtHdrFragment, raw)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

GW_MAC = "52:55:0a:00:02:02"
VM1 = "52:54:00:12:34:56"
VM2 = "52:54:00:12:34:57"
VM3 = "52:54:00:ab:cd:ef"
BCAST = "ff:ff:ff:ff:ff:ff"
GUEST = "10.0.2.15"


def put(target, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def records(cfg, frames):
    """cfg byte, then (ctl, 16-bit length, frame) records."""
    out = bytes([cfg])
    for ctl, f in frames:
        f = raw(f) if not isinstance(f, bytes) else f
        out += bytes([ctl]) + struct.pack(">H", len(f)) + f
    return out


def stream(frames):
    return b"".join(struct.pack(">I", len(raw(f))) + raw(f) for f in frames)


# ---- stream deframer: ctl, chunk sizes, stream ----
def deframer():
    fr = [Ether(src=VM1, dst=VM2) / IP() / ICMP(),
          Ether(src=VM2, dst=VM1) / IP() / UDP() / (b"x" * 1000),
          Ether(src=VM1, dst=BCAST, type=0x0806) / (b"\0" * 28)]
    s = stream(fr)
    big = stream([Ether(src=VM1, dst=VM2) / (b"y" * 60000)])
    for ctl, sizes in [(0, []), (0x80, []), (3, [1, 7, 300]), (0x83, [1, 7, 300]),
                       (1, [4]), (0x81, [5]), (2, [65535, 1]), (0x8f, list(range(1, 16)))]:
        hdr = bytes([ctl]) + b"".join(struct.pack(">H", x) for x in sizes)
        put("fuzz_stream_deframer", hdr + s)
    put("fuzz_stream_deframer", bytes([0x82]) + struct.pack(">HH", 16384, 4000) + big + s)
    put("fuzz_stream_deframer", bytes([0]) + s + struct.pack(">I", 70000) + b"z" * 8)
    put("fuzz_stream_deframer", bytes([0x80]) + s + struct.pack(">I", 13))
    put("fuzz_stream_deframer", bytes([0]) + s[:-5])  # half a frame
    # synthetic 16000-byte frames first (bits 4..6): compaction paths
    for ctl, sizes in [(0x71, [2]), (0xf2, [100, 3]), (0x61, [1]), (0xe3, [3000, 1, 9])]:
        hdr = bytes([ctl]) + b"".join(struct.pack(">H", x) for x in sizes)
        put("fuzz_stream_deframer", hdr + s)


# ---- switch ----
def switch():
    a = Ether(src=VM1, dst=BCAST) / IP() / UDP()
    b = Ether(src=VM2, dst=VM1) / IP() / UDP()
    c = Ether(src=VM1, dst=VM2) / IP() / ICMP()
    t2 = Ether(src=VM3, dst=BCAST) / Dot1Q(vlan=2, prio=5) / IP() / UDP()
    t3 = Ether(src=VM3, dst=VM1) / Dot1Q(vlan=3) / IP()
    prio = Ether(src=VM2, dst=VM1) / Dot1Q(vlan=0, prio=3) / IP()
    qinq = Ether(src=VM1, dst=VM2) / Dot1Q(vlan=2) / Dot1Q(vlan=5) / IP()
    bad = Ether(src=VM1, dst=VM2, type=0x8100) / b"\x00"  # truncated tag
    res = Ether(src=VM1, dst=VM2) / Dot1Q(vlan=4095) / IP()
    mcast_src = Ether(src="01:00:5e:00:00:01", dst=VM2) / IP()
    for cfg in (0, 1, 2, 6):
        put("fuzz_switch_ingress", records(cfg, [(0, a), (1, b), (0, c), (2, t2), (3, t3)]))
    put("fuzz_switch_ingress", records(0, [(2, t2), (3, t2), (1, b), (0, c), (2, prio)]))
    put("fuzz_switch_ingress", records(0, [(2, qinq), (3, qinq), (0, bad), (2, res),
                                           (1, mcast_src)]))
    # duplicate MAC on two ports, then detach/re-attach, then aging
    put("fuzz_switch_ingress", records(0, [(0, a), (1, a), (0x40 | 1, b), (0x80 | 60, c),
                                           (0, c)]))
    # table exhaustion with fdb size 2
    many = [(i & 3, Ether(src="52:54:00:00:00:%02x" % i, dst=BCAST) / IP()) for i in range(12)]
    put("fuzz_switch_ingress", records(0, many))
    put("fuzz_switch_ingress", records(1, many))
    put("fuzz_switch_ingress", records(0, [(2, Ether(src=VM1, dst=VM2) / (b"q" * 3000)),
                                           (3, Ether(src=VM2, dst=VM1) / Dot1Q(vlan=2) /
                                            (b"r" * 3000))]))


# ---- gateway ----
def dhcp_msg(mtype, xid=0x1234, extra=()):
    opts = [("message-type", mtype), ("client_id", b"\x01" + bytes.fromhex("525400123456")),
            ("hostname", b"vm1"), ("param_req_list", [1, 3, 6, 12, 15, 26, 28, 119])]
    opts += list(extra) + ["end"]
    return (BOOTP(chaddr=bytes.fromhex("525400123456") + b"\0" * 10, xid=xid, flags=0x8000)
            / DHCP(options=opts))


def gateway():
    FIXIP, FIXL4, TOGW, TOBC = 1, 2, 4, 8
    F = FIXIP | FIXL4
    eth = Ether(src=VM1, dst=GW_MAC)
    arp_req = Ether(src=VM1, dst=BCAST) / ARP(op=1, hwsrc=VM1, psrc=GUEST, pdst="10.0.2.2")
    arp_dns = Ether(src=VM1, dst=BCAST) / ARP(op=1, hwsrc=VM1, psrc=GUEST, pdst="10.0.2.3")
    arp_rep = Ether(src=VM1, dst=GW_MAC) / ARP(op=2, hwsrc=VM1, psrc=GUEST, pdst="10.0.2.2",
                                                hwdst=GW_MAC)
    ping = eth / IP(src=GUEST, dst="10.0.2.2") / ICMP(id=7, seq=1) / (b"p" * 56)
    ping_out = eth / IP(src=GUEST, dst="192.0.2.1") / ICMP(id=8, seq=1) / b"abc"
    disc = (Ether(src=VM1, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") /
            UDP(sport=68, dport=67) / dhcp_msg("discover"))
    req = (Ether(src=VM1, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") /
           UDP(sport=68, dport=67) /
           dhcp_msg("request", extra=[("requested_addr", GUEST), ("server_id", "10.0.2.2")]))
    inform = (eth / IP(src=GUEST, dst="10.0.2.2") / UDP(sport=68, dport=67) /
              dhcp_msg("inform"))
    release = (eth / IP(src=GUEST, dst="10.0.2.2") / UDP(sport=68, dport=67) /
               dhcp_msg("release", extra=[("server_id", "10.0.2.2")]))
    decline = (Ether(src=VM1, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") /
               UDP(sport=68, dport=67) /
               dhcp_msg("decline", extra=[("requested_addr", GUEST), ("server_id", "10.0.2.2")]))
    q_builtin = (eth / IP(src=GUEST, dst="10.0.2.3") / UDP(sport=5353, dport=53) /
                 DNS(id=1, rd=1, qd=DNSQR(qname="host.vmwire.internal", qtype="A")))
    q_aaaa = (eth / IP(src=GUEST, dst="10.0.2.3") / UDP(sport=5354, dport=53) /
              DNS(id=2, rd=1, qd=DNSQR(qname="HOST.vmwire.internal", qtype="AAAA")))
    q_out = (eth / IP(src=GUEST, dst="10.0.2.3") / UDP(sport=5355, dport=53) /
             DNS(id=3, rd=1, qd=DNSQR(qname="example.com", qtype="A")))
    udp_out = eth / IP(src=GUEST, dst="192.0.2.1") / UDP(sport=4000, dport=9) / b"hello"
    syn = eth / IP(src=GUEST, dst="192.0.2.1") / TCP(sport=40000, dport=80, flags="S", seq=1000,
                                                     options=[("MSS", 1460), ("WScale", 7),
                                                              ("SAckOK", b"")])
    ack = eth / IP(src=GUEST, dst="192.0.2.1") / TCP(sport=40000, dport=80, flags="A",
                                                     seq=1001, ack=1)
    data = eth / IP(src=GUEST, dst="192.0.2.1") / TCP(sport=40000, dport=80, flags="PA",
                                                      seq=1001, ack=1) / b"GET / HTTP/1.0\r\n\r\n"
    fin = eth / IP(src=GUEST, dst="192.0.2.1") / TCP(sport=40000, dport=80, flags="FA",
                                                     seq=1019, ack=1)
    rst = eth / IP(src=GUEST, dst="192.0.2.1") / TCP(sport=40000, dport=80, flags="R", seq=1020)
    syn_gw = eth / IP(src=GUEST, dst="10.0.2.2") / TCP(sport=40001, dport=22, flags="S")
    frag = eth / IP(src=GUEST, dst="10.0.2.2", flags="MF") / ICMP() / b"frag"
    opts_ip = eth / IP(src=GUEST, dst="10.0.2.2", options=b"\x01\x01\x01\x00") / ICMP()

    # IPv6 through the gateway as a router: hop limit 1 and 0 beyond
    # ipv6-net (time exceeded), an ICMPv6 error at hop limit 1 (never
    # answered), and with cfg bit 2 an NS for the guestfwd server fec0::64.
    g6, far6 = "fec0::5054:ff:fe12:3456", "2001:db8::1"
    hop1 = eth / IPv6(src=g6, dst=far6, hlim=1) / UDP(sport=4000, dport=9) / b"probe"
    hop0 = eth / IPv6(src=g6, dst=far6, hlim=0) / TCP(sport=40000, dport=80, flags="S")
    err1 = eth / IPv6(src=g6, dst=far6, hlim=1) / ICMPv6DestUnreach() / IPv6(dst=g6) / UDP()
    frag1 = (eth / IPv6(src=g6, dst=far6, hlim=1) / IPv6ExtHdrFragment(id=7, m=1) /
             UDP(sport=4001, dport=9) / (b"f" * 64))
    ns64 = (Ether(src=VM1, dst="33:33:ff:00:00:64") / IPv6(src=g6, dst="ff02::1:ff00:64") /
            ICMPv6ND_NS(tgt="fec0::64") / ICMPv6NDOptSrcLLAddr(lladdr=VM1))
    put("fuzz_gateway_frames", records(0, [(0, hop1), (0, hop0), (0, err1), (0, frag1)]))
    put("fuzz_gateway_frames", records(4, [(0, ns64), (0, hop1)]))
    put("fuzz_gateway_frames", records(0, [(0, arp_req), (0, arp_dns), (0, arp_rep)]))
    put("fuzz_gateway_frames", records(0, [(F, ping), (F, ping_out), (F, frag), (F, opts_ip)]))
    for cfg in (0, 2, 4, 8, 5):
        put("fuzz_gateway_frames", records(cfg, [(F, disc), (F, req), (F, inform), (F, release),
                                                 (F, decline)]))
    put("fuzz_gateway_frames", records(0, [(F, q_builtin), (F, q_aaaa), (F, q_out),
                                           (F | 16, q_out)]))
    put("fuzz_gateway_frames", records(1, [(F, q_builtin), (F, q_out), (F, udp_out),
                                           (F, ping_out)]))
    put("fuzz_gateway_frames", records(0, [(F, udp_out), (F, udp_out), (F | 16, udp_out)]))
    put("fuzz_gateway_frames", records(0, [(F, syn), (F, ack), (F, data), (F, fin), (F, rst)]))
    put("fuzz_gateway_frames", records(0, [(F, syn_gw), (F | 16, syn), (F, rst)]))
    put("fuzz_gateway_frames", records(1, [(F, syn), (F, data)]))
    # unchecked variants: the fixups off, wrong destination, bad ethertype
    put("fuzz_gateway_frames", records(0, [(0, ping), (FIXIP, ping), (F | TOBC, ping),
                                           (F | TOGW, Ether(src=VM1, dst=VM2) / (b"\x00" * 40))]))
    put("fuzz_gateway_frames", records(8, [(F, dhcp_leases(i)) for i in range(4)]))
    # loop mode (cfg bit 4): TCP to the harness's listener (ctl bit 5), a
    # refused port, UDP and ICMP through the NAT, all kept on loopback
    L = 16
    conn = [(F | 32, syn), (F | 32, ack), (F | 32, data), (F | 32, fin), (F | 32, rst)]
    put("fuzz_gateway_frames", records(L, conn))
    put("fuzz_gateway_frames", records(L, [(F | 32, syn), (F | 32, data), (F | 32, ack)]))
    put("fuzz_gateway_frames", records(L, [(F, syn), (F, ack), (F, rst), (F, syn_gw)]))
    put("fuzz_gateway_frames", records(L, [(F, udp_out), (F, ping_out), (F, ping),
                                           (F, q_builtin), (F, q_out)]))
    put("fuzz_gateway_frames", records(L | 1, conn + [(F, udp_out)]))


def dhcp_leases(i):
    mac = "52:54:00:00:01:%02x" % i
    m = dhcp_msg("discover", xid=i)
    m.chaddr = bytes.fromhex(mac.replace(":", "")) + b"\0" * 10
    return (Ether(src=mac, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") /
            UDP(sport=68, dport=67) / m)


# ---- DHCP options ----
def dhcp_options():
    for t in ("discover", "request", "inform", "release", "decline"):
        put("fuzz_dhcp_options", raw(dhcp_msg(t, extra=[("requested_addr", GUEST),
                                                        ("server_id", "10.0.2.2")])))
    # overload: options continue in file (1), sname (2), both (3)
    base = bytearray(raw(BOOTP(chaddr=b"\x52\x54\0\x12\x34\x56")))[:236]
    cookie = struct.pack(">I", 0x63825363)
    for ov in (1, 2, 3):
        b = bytearray(base)
        if ov & 1:
            b[108:108 + 6] = bytes([53, 1, 1, 12, 1, 0x61]) 
            b[114] = 255
        if ov & 2:
            b[44:44 + 6] = bytes([61, 3, 1, 2, 3, 255])
        put("fuzz_dhcp_options", bytes(b) + cookie + bytes([52, 1, ov, 255]))
    # RFC 3396 split option, pads, missing END
    put("fuzz_dhcp_options", bytes(base) + cookie + bytes([12, 2, 0x61, 0x62, 12, 1, 0x63,
                                                           0, 0, 0, 53, 1, 3, 255]))
    put("fuzz_dhcp_options", bytes(base) + cookie + bytes([53, 1, 1]))
    put("fuzz_dhcp_options", bytes(base) + cookie + bytes([55, 200, 1]))


# ---- DNS ----
def dns():
    msgs = [DNS(id=1, rd=1, qd=DNSQR(qname="example.com")),
            DNS(id=2, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.com"),
                an=DNSRR(rrname="example.com", rdata="192.0.2.1")),
            DNS(id=3, qr=1, qd=DNSQR(qname="www.Example.COM", qtype="AAAA"),
                an=DNSRR(rrname="www.example.com", type="CNAME", rdata="a.example.com") /
                DNSRR(rrname="a.example.com", rdata="192.0.2.2")),
            DNS(id=4, qr=1, rcode=3, qd=DNSQR(qname="nx.example")),
            DNS(id=5, qd=DNSQR(qname="."))]
    for m in msgs:
        put("fuzz_dns_msg", raw(m))
    # compression loop / forward pointer / long name
    put("fuzz_dns_msg", bytes(12) + b"\xc0\x0c" + b"\x00\x01\x00\x01")
    put("fuzz_dns_msg", struct.pack(">6H", 1, 0, 1, 0, 0, 0) + b"\x01a\xc0\x0e\x00\x01\x00\x01")
    put("fuzz_dns_msg", struct.pack(">6H", 1, 0, 1, 0, 0, 0) + (b"\x3f" + b"a" * 63) * 4 +
        b"\x00\x00\x01\x00\x01")
    # search list text (first byte: capacity / 8)
    put("fuzz_dns_msg", b"\x20a.example.com\nb.example.com\nexample.com.\nEXAMPLE.org")
    put("fuzz_dns_msg", b"\x02one.two\ntwo\nthree.two")
    put("fuzz_dns_msg", b"\xff" + (b"x" * 63 + b".") * 3 + b"y" * 61)

    # zone files (first byte: answer buffer size / 4)
    put("fuzz_dns_zone", b"\x40# lab\n\nweb.zone 10.0.2.60\nweb.zone fec0::60 # both\n"
        b"  Mixed.Case.  10.0.2.61\ndb.lab=10.0.2.50\n")
    put("fuzz_dns_zone", b"\x05a 1.2.3.4\na 1.2.3.5\na fec0::1\nb.c. ::ffff:1.2.3.4\n")
    put("fuzz_dns_zone", b"\xff" + b"".join(b"h%d.lab 10.0.0.%d\n" % (i, i) for i in range(12)))
    put("fuzz_dns_zone", b"\x80" + (b"x" * 63 + b".") * 3 + b"y" * 61 + b" 10.0.0.1\nbad..name 1.1.1.1\n")

    # upstream replies: flags byte then the reply
    for m in msgs[1:4]:
        for flags in (1, 3, 5, 9, 0x11, 0):
            put("fuzz_dns_reply", bytes([flags]) + raw(m))
    big = DNS(id=6, qr=1, qd=DNSQR(qname="big.example"),
              an=[DNSRR(rrname="big.example", type="TXT", rdata="t" * 200) for _ in range(10)])
    put("fuzz_dns_reply", b"\x01" + raw(big))
    put("fuzz_dns_reply", b"\x09" + raw(big))


# ---- keyval / cli ----
def keyval():
    texts = ["stream,id=n0,server=on,addr.type=unix,addr.path=/tmp/a,,b.sock",
             "user,id=u,net=10.0.3.0/24,hostfwd=tcp::2222-:22,dnssearch=a.b,dnssearch=c.d",
             "tap,ifname=tap0,vlan=10,trunk=10:20:100-110", "id=x,reconnect=5,y,n=0x10",
             "a=,b==c,,d", ",", "x,,", "type=dgram,local.port=99999999999999999999"]
    for t in texts:
        put("fuzz_keyval", b"\x01" + t.encode())
        put("fuzz_keyval", b"\x00" + t.encode())


def cli():
    argvs = [["-netdev", "stream,id=n0,server=on,addr.type=unix,addr.path=/tmp/vw.sock"],
             ["-switch", "id=sw1,mode=switch,aging=60,max-macs=100",
              "-netdev", "dgram,id=d0,switch=sw1,local.type=inet,local.host=127.0.0.1,"
              "local.port=5555,remote.type=inet,remote.host=127.0.0.1,remote.port=5556"],
             ["-netdev", "tap,id=t0,ifname=tap0,trunk=10:20,vlan=1", "-v", "-vv", "-q"],
             ["-netdev", "user,id=u0,net=10.0.3.0/24,dhcpstart=10.0.3.20,hostname=vm"],
             ["-netdev", "socket,id=s0,listen=127.0.0.1:1234", "--monitor=/tmp/m.sock",
              "-pidfile", "/tmp/p"],
             ["--netdev=stream,id=a,server=off,addr.type=inet,addr.host=127.0.0.1,"
              "addr.port=1", "-daemonize"],
             ["-switch", "id=h,mode=hub", "-netdev", "stream,id=b,switch=nope"],
             ["--help"], ["-V"], ["bogus"], ["-netdev"]]
    for a in argvs:
        put("fuzz_cli", b"\0".join(x.encode() for x in a))


def gateway_offload():
    """Offload records (ctl bit 6): metadata between length and frame, as
    fuzz_gateway_frames.c reads it; bit 7 hands it over unvalidated."""
    FIXIP, FIXL4, META, RAW, LISTEN = 1, 2, 64, 128, 32
    F = FIXIP | FIXL4

    def meta(flags=1, gso=0, hdr_len=0, gso_size=0, start=34, off=16):
        return struct.pack(">BBHHHH", flags, gso, hdr_len, gso_size, start, off)

    def recs(cfg, items):
        out = bytes([cfg])
        for ctl, f, m in items:
            f = raw(f) if not isinstance(f, bytes) else f
            out += bytes([ctl]) + struct.pack(">H", len(f)) + (m if ctl & META else b"") + f
        return out

    eth = Ether(src=VM1, dst=GW_MAC)
    ip = IP(src=GUEST, dst="192.0.2.1")
    syn = eth / ip / TCP(sport=40100, dport=80, flags="S", seq=1000,
                         options=[("MSS", 1460), ("WScale", 7)])
    ack = eth / ip / TCP(sport=40100, dport=80, flags="A", seq=1001, ack=1)
    payload = bytes(range(256)) * 40  # 10240 bytes: 8 segments of 1448
    tso = eth / ip / TCP(sport=40100, dport=80, flags="PA", seq=1001, ack=1) / payload
    tso_fin = eth / ip / TCP(sport=40100, dport=80, flags="FPA", seq=1001 + len(payload),
                             ack=1) / payload[:3000]
    part = eth / ip / TCP(sport=40100, dport=80, flags="PA", seq=1001, ack=1) / b"partial"
    udp = eth / ip / UDP(sport=4000, dport=9) / b"partial udp"
    ping = eth / IP(src=GUEST, dst="10.0.2.2") / ICMP(id=9, seq=1) / (b"x" * 32)
    good_tso = meta(gso=1, hdr_len=54, gso_size=1448)
    good_csum = meta()
    for cfg in (16, 0):
        conn = [(F | LISTEN, syn, None), (F | LISTEN, ack, None),
                (FIXIP | META | LISTEN, tso, good_tso),
                (FIXIP | META | LISTEN, tso_fin, good_tso)]
        put("fuzz_gateway_frames", recs(cfg, conn))
        put("fuzz_gateway_frames", recs(cfg, [
            (F | LISTEN, syn, None), (F | LISTEN, ack, None),
            (FIXIP | META | LISTEN, part, good_csum),
            (FIXIP | META | LISTEN, part, meta(start=36)),
            (FIXIP | META, udp, meta(off=6)),
            (FIXIP | META, ping, meta(off=2))]))
        # hostile: gso_size 0, offsets outside, IPv6 type on IPv4, ECN
        put("fuzz_gateway_frames", recs(cfg, [
            (F | LISTEN, syn, None), (F | LISTEN, ack, None),
            (FIXIP | META | RAW | LISTEN, tso, meta(gso=1, hdr_len=54, gso_size=0)),
            (FIXIP | META | RAW | LISTEN, tso, meta(start=65535, off=65535)),
            (FIXIP | META | RAW | LISTEN, tso, meta(gso=2, hdr_len=54, gso_size=1448)),
            (FIXIP | META | RAW | LISTEN, tso, meta(flags=3, gso=1, hdr_len=54, gso_size=1448)),
            (META | LISTEN, tso, good_tso),
            (FIXIP | META | LISTEN, tso, meta(gso=3, hdr_len=42, gso_size=1448, off=6))]))


# ---- two guests behind one gateway: see fuzz_two_guests.c ----
def two_guests():
    B, FIXIP, FIXL4, TOGW, OWN, LEAVE, SWEEP, LISTEN = 1, 2, 4, 8, 16, 32, 64, 128
    F = FIXIP | FIXL4 | TOGW | OWN
    A_MAC, B_MAC = "52:54:00:00:00:0a", "52:54:00:00:00:0b"

    def eth(mac):
        return Ether(src=mac, dst=GW_MAC)

    def udp(mac, ip, sport, dst="192.0.2.1"):
        return eth(mac) / IP(src=ip, dst=dst) / UDP(sport=sport, dport=9) / b"x"

    def syn(mac, ip, sport):
        return eth(mac) / IP(src=ip, dst="192.0.2.1") / TCP(sport=sport, dport=80, flags="S",
                                                            seq=1000)

    def ack(mac, ip, sport):
        return eth(mac) / IP(src=ip, dst="192.0.2.1") / TCP(sport=sport, dport=80, flags="A",
                                                            seq=1001, ack=1)

    def ooo(mac, ip, sport):
        return eth(mac) / IP(src=ip, dst="192.0.2.1") / TCP(sport=sport, dport=80, flags="PA",
                                                            seq=5001, ack=1) / (b"o" * 1000)

    def q(mac, ip, sport):
        return (eth(mac) / IP(src=ip, dst="10.0.2.3") / UDP(sport=sport, dport=53) /
                DNS(id=sport, rd=1, qd=DNSQR(qname="example.com", qtype="A")))

    def frag(mac, ip, ident):
        return eth(mac) / IP(src=ip, dst="10.0.2.2", id=ident, flags="MF") / UDP(sport=1, dport=9) / (b"f" * 64)

    def disc(mac):
        return (Ether(src=mac, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") /
                UDP(sport=68, dport=67) / dhcp_msg("discover"))

    A, Bi = "10.0.2.50", "10.0.2.51"
    spoof_arp = Ether(src=A_MAC, dst=BCAST) / ARP(op=2, hwsrc=A_MAC, psrc="10.0.2.2", pdst=Bi)
    steal = Ether(src=B_MAC, dst=GW_MAC) / IP(src=Bi, dst="10.0.2.2") / ICMP()
    fill = [(F, udp(A_MAC, A, 1000 + i)) for i in range(8)] + [(F | B, udp(B_MAC, Bi, 2000))]
    put("fuzz_two_guests", records(0, fill + [(F, udp(A_MAC, A, 3000))]))
    put("fuzz_two_guests", records(0, [(F, q(A_MAC, A, 100 + i)) for i in range(6)] +
                                   [(F | B, q(B_MAC, Bi, 200)), (F | SWEEP, q(A_MAC, A, 300))]))
    put("fuzz_two_guests", records(0, [(F, frag(A_MAC, A, i)) for i in range(4)] +
                                   [(F | B, frag(B_MAC, Bi, 9)), (F, frag(A_MAC, Bi, 9))]))
    put("fuzz_two_guests", records(4, [(F, disc(A_MAC)), (F | B, disc(B_MAC)),
                                       (FIXIP | FIXL4 | TOGW, steal), (0, spoof_arp)]))
    put("fuzz_two_guests", records(8, [(FIXIP | FIXL4 | TOGW, eth("52:54:00:00:01:%02x" % i) /
                                        IP(src=A, dst="10.0.2.2") / ICMP()) for i in range(4)]))
    put("fuzz_two_guests", records(2, [(F | B, disc(B_MAC)), (F, udp(A_MAC, Bi, 7))]))
    # loop mode: TCP flows of both guests to the listener, one leaves
    conn_a = [(F | LISTEN, syn(A_MAC, A, 40000 + i)) for i in range(5)]
    put("fuzz_two_guests", records(1, conn_a + [(F | B | LISTEN, syn(B_MAC, Bi, 41000)),
                                                (F | LISTEN, ack(A_MAC, A, 40000)),
                                                (F | LISTEN, ooo(A_MAC, A, 40000)),
                                                (F | LEAVE | LISTEN, ack(A_MAC, A, 40001)),
                                                (F | B | LISTEN, ack(B_MAC, Bi, 41000))]))
    put("fuzz_two_guests", records(5, conn_a + fill + [(F | B | LISTEN, syn(B_MAC, Bi, 41000)),
                                                       (F | B, udp(B_MAC, Bi, 2001)),
                                                       (F | LEAVE, udp(A_MAC, A, 1))]))


# ---- L2TPv3 decap: cfg, offset, rxsession, rxcookie, packet ----
def l2tpv3():
    frame = raw(Ether(dst=BCAST, src=VM1) / ARP(psrc=GUEST, pdst="10.0.2.2"))
    for cfg, off, cookie in ((1, 0, 0), (5, 0, 0xdeadbeef), (9, 0, 0x0102030405060708),
                             (0x19, 0, 0x1122334455667788), (0x39, 4, 7), (0, 0, 0),
                             (8, 0, 0xfeedf00dcafe0001), (0x12, 2, 0), (0x16, 0, 0xabcdef01)):
        sess = 0x1234
        clen = (0, 4, 8, 8)[(cfg >> 2) & 3]
        hdr = b"\0\3\0\0" if cfg & 1 else b""
        hdr += struct.pack(">I", sess)
        hdr += cookie.to_bytes(8, "big")[8 - clen:] if clen else b""
        hdr += struct.pack(">I", 1) if cfg & 0x10 else b""
        hdr += b"\0" * off
        if cfg & 2:
            hdr = raw(IP(src="10.0.0.1", dst="10.0.0.2", proto=115, len=20 + len(hdr) + len(frame))) + hdr
        put("fuzz_l2tpv3_decap", bytes([cfg, off]) + struct.pack(">IQ", sess, cookie) + hdr + frame)
        put("fuzz_l2tpv3_decap", bytes([cfg, off]) + struct.pack(">IQ", sess, cookie) + hdr)


# ---- vhost-user: messages as QEMU sends them; rings in a fake memory ----
def vhost_user():
    def msg(req, payload=b"", flags=1):
        return struct.pack("<III", req, flags, len(payload)) + payload
    region = struct.pack("<QQQQ", 0, 0x10000000, 0x7f0000000000, 0)
    stream = (msg(1) + msg(15) + msg(16, struct.pack("<Q", 0x1000b)) + msg(3) +
              msg(2, struct.pack("<Q", 0x170008000)) +
              msg(5, struct.pack("<II", 1, 0) + region, flags=9) +
              msg(8, struct.pack("<II", 0, 256)) + msg(10, struct.pack("<II", 0, 0)) +
              msg(9, struct.pack("<IIQQQQ", 0, 0, 0x7f0000001000, 0x7f0000002000,
                                 0x7f0000003000, 0)) +
              msg(12, struct.pack("<Q", 0)) + msg(18, struct.pack("<II", 0, 1)) +
              msg(6, struct.pack("<QQ", 4096, 0)) + msg(24, struct.pack("<III", 0, 6, 0) + b"\0" * 6) +
              msg(11, struct.pack("<II", 1, 0)))
    put("fuzz_vhost_user_msg", stream)
    put("fuzz_vhost_user_msg", msg(5, struct.pack("<II", 9, 0) + region * 9))
    put("fuzz_vhost_user_msg", msg(2, b"\1" * 8, flags=2))
    # virtq: cfg, last_avail, then memory (desc at 0x1000, avail 0x2000, used 0x3000)
    for cfg in (0x03, 0x13, 0x33, 0x53, 0x18):
        m = bytearray(0x4000)
        # chain 0 -> 1, an indirect table at 0x3800 in descriptor 2
        wr = 2 if cfg & 0x40 else 0
        struct.pack_into("<QIHH", m, 0x1000, 0x8000, 12, 1 | wr, 1)
        struct.pack_into("<QIHH", m, 0x1010, 0x7ff0, 64, wr, 0)  # crosses the region edge
        struct.pack_into("<QIHH", m, 0x1020, 0x3800, 32, 4, 0)
        struct.pack_into("<QIHH", m, 0x3800, 0x9000, 100, 1 | wr, 1)
        struct.pack_into("<QIHH", m, 0x3810, 0x9100, 100, wr, 0)
        struct.pack_into("<HHHH", m, 0x2000, 0, 2, 0, 2)
        put("fuzz_virtq", bytes([cfg, 0]) + bytes(m))
    m = bytearray(0x2010)
    struct.pack_into("<QIHH", m, 0x1000, 0x8000, 12, 1, 0)  # a loop
    struct.pack_into("<HHH", m, 0x2000, 0, 1, 0)
    put("fuzz_virtq", bytes([0x03, 0]) + bytes(m))
# ---- vde_switch control request: max-ports byte, then the request ----
def vde():
    def req(path, typ=0, descr=b"vdeplug: user=root pid=1", magic=0xfeedface, version=3):
        p = path.encode()
        return struct.pack("=III", magic, version, typ) + struct.pack("=H", 1) + p + \
            b"\0" * (108 - len(p)) + descr
    for r in (req("/run/vde/.01234-00000"), req("/tmp/s", typ=5 << 8), req("/tmp/s", typ=1),
              req("/tmp/s", descr=b"x" * 128), req("/tmp/s", descr=b"x" * 129),
              req("/tmp/s", magic=0xfeedfacf), req("/tmp/s", version=2), req("s"),
              req("/tmp/s")[:121], req("/tmp/s", descr=b"a\x01b\0c")):
        put("fuzz_vde_request", bytes([2]) + r)


# ---- bridge ACL: name selector byte, then a bridge.conf ----
def bridge_acl():
    for sel, text in ((0, b"allow br0\n"), (0, b"# c\n\n allow all\n deny br0\n"),
                      (1, b"allow all\n"), (2, b"deny all\nallow b\n"),
                      (3, b"allow\tabcdefghijklmno  \r\n"), (0, b"include /x\n"),
                      (0, b"permit br0\n"), (0, b"allow\n"), (0, b"allow br0 br1\n")):
        put("fuzz_bridge_acl", bytes([sel]) + text)


# ---- TFTP: cfg, then records ctl, len (1 byte), UDP payload ----
def tftp():
    def rec(ctl, payload):
        return bytes([ctl, len(payload)]) + payload

    ack = b"\0\4\0\0"
    for cfg, name, opts in ((0, b"a", b""), (0, b"big", b"blksize\0" b"8\0"),
                            (1, b"big", b"blksize\0" b"1468\0windowsize\0" b"8\0tsize\0" b"0\0"),
                            (2, b"sub/c", b"timeout\0" b"1\0"), (0, b"../a", b""),
                            (0, b"/a", b""), (0, b"out", b""), (0, b"fifo", b""),
                            (0, b"sub", b""), (0, b"missing", b"")):
        rrq = b"\0\1" + name + b"\0octet\0" + opts
        put("fuzz_tftp", bytes([cfg]) + rec(0, rrq) + b"".join(rec(17, ack) for _ in range(12)))
        put("fuzz_tftp", bytes([cfg]) + rec(0, rrq) + rec(8, b"") + rec(8, b"") +
            rec(21, ack) + rec(1, b"\0\5\0\0x\0"))
    put("fuzz_tftp", b"\2" + rec(0, b"\0\2up\0octet\0") + rec(0, b"\0\1a\0netascii\0") +
        rec(0, b"\0\1a\0octet\0") + rec(4, b"\0\1a\0octet\0") + rec(2, ack) +
        rec(3, ack) + rec(1, b"\0\7"))


# ---- slirp4netns API: requests cut at NUL bytes ----
def slirp_api():
    add = ('{"execute":"add_hostfwd","arguments":{"proto":"%s","host_addr":"%s",'
           '"host_port":%s,"guest_addr":"%s","guest_port":%s}}')
    reqs = [add % ("tcp", "127.0.0.1", 8080, "10.0.2.100", 80),
            add % ("udp", "", 5353, "", 53), add % ("tcp", "0.0.0.0", 7, "10.0.2.100", 1),
            add % ("sctp", "::1", 65536, "x", -1), add % ("tcp", "1.2.3.4", "8.5", "", "80"),
            '{"execute":"list_hostfwd"}', '{"execute":"remove_hostfwd","arguments":{"id":1}}',
            '{"execute":"remove_hostfwd","arguments":{"id":1e9}}', '{"execute":"add_hostfwd"}',
            '{"execute":"get_info"}', '{}', '[1,2]', 'garbage', '{"execute":1}',
            '{"execute":"list_hostfwd"} {"x":1}', '{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}']
    for r in reqs:
        put("fuzz_slirp_api", r.encode())
    seq = [add % ("tcp", "", 1000 + i, "", 80) for i in range(20)]
    seq += ['{"execute":"remove_hostfwd","arguments":{"id":%d}}' % i for i in (3, 4, 22)]
    seq += ['{"execute":"list_hostfwd"}']
    put("fuzz_slirp_api", "\0".join(seq).encode())
    put("fuzz_slirp_api", "\0".join(reqs).encode())


# ---- TCP SACK scoreboard: 9-byte operations (kind, a, b) ----
def tcp_sack():
    def op(kind, a, b):
        return struct.pack("!BII", kind, a & 0xffffffff, b & 0xffffffff)
    sent = op(2, 0, 900) * 7  # the window: 1000 + 6300 bytes
    blocks = b"".join(op(0, 100 * k + 100, 60) for k in range(0, 70, 2))
    put("fuzz_tcp_sack", sent + blocks)
    put("fuzz_tcp_sack", sent + blocks + op(1, 3000, 0) + op(3, 0, 700) + op(4, 2920, 700))
    put("fuzz_tcp_sack", sent + op(0, 0x80000000, 0x7fffffff) + op(0, 0xfffffff0, 0x10) +
        op(0, 100, 0) + op(1, 5000, 0))
    put("fuzz_tcp_sack", sent + b"".join(op(3, 300 * k, 200) for k in range(20)) +
        b"".join(op(4, 300 * k + 100, 500) for k in range(20)))


if __name__ == "__main__":
    for fn in (deframer, switch, gateway, gateway_offload, dhcp_options, dns, keyval, cli,
               l2tpv3, vhost_user, vde, bridge_acl, tftp, slirp_api, two_guests, tcp_sack):
        fn()
    for t in sorted(os.listdir(ROOT)):
        print(t, len(os.listdir(os.path.join(ROOT, t))), file=sys.stderr)
