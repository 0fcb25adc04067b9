# SPDX-License-Identifier: MIT
#
# gw_hostile.py IFACE COUNT - send at least COUNT malformed frames at the
# user-mode gateway (10.0.2.2, MAC 52:55:0a:00:02:02) out of IFACE. Used by
# gw_hostile.sh; deterministic (seeded) so a failure can be replayed.
import random
import struct
import sys

from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSQR, ICMP, IP, UDP, Ether, Raw,
                       conf, fuzz)

iface, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(20240229)
GW = "52:55:0a:00:02:02"
ME = "52:54:00:66:66:66"
BC = "ff:ff:ff:ff:ff:ff"
sock = conf.L2socket(iface=iface)
sent = 0


def send(frame):
    global sent
    b = bytes(frame)
    if len(b) < 14:
        b = b + b"\0" * (14 - len(b))
    sock.send(b)
    sent += 1


def eth(dst=GW, t=0x0800):
    return Ether(dst=dst, src=ME, type=t)


def dhcp_discover():
    return (eth(BC) / IP(src="0.0.0.0", dst="255.255.255.255") /
            UDP(sport=68, dport=67) /
            BOOTP(chaddr=bytes.fromhex("525400666666") + b"\0" * 10, xid=rng.getrandbits(32)) /
            DHCP(options=[("message-type", "discover"), "end"]))


def dns_query():
    return (eth() / IP(src="10.0.2.15", dst="10.0.2.3") / UDP(sport=rng.randint(1024, 65535), dport=53) /
            DNS(rd=1, qd=DNSQR(qname="www.example.test")))


def valid():
    return rng.choice([
        lambda: eth(BC, 0x0806) / ARP(op=1, hwsrc=ME, psrc="10.0.2.15", pdst="10.0.2.2"),
        lambda: eth() / IP(src="10.0.2.15", dst="10.0.2.2") / ICMP(id=7, seq=1) / Raw(b"x" * 32),
        lambda: eth() / IP(src="10.0.2.15", dst="192.0.2.77") / ICMP(id=8, seq=1) / Raw(b"y" * 16),
        lambda: eth() / IP(src="10.0.2.15", dst="10.0.2.2") / UDP(sport=5000, dport=7777) / Raw(b"z" * 20),
        dhcp_discover,
        dns_query,
    ])()


def truncate(b):
    return b[:rng.randint(0, len(b))]


def mutate(b):
    b = bytearray(b)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] = rng.getrandbits(8)
    return bytes(b)


def ip_lies():
    p = bytearray(bytes(eth() / IP(src="10.0.2.15", dst="10.0.2.2") / UDP(sport=5001, dport=7777) / Raw(b"q" * 40)))
    kind = rng.randrange(4)
    if kind == 0:    # IHL claims options beyond the packet, or less than 5
        p[14] = 0x40 | rng.choice([0, 1, 4, 15])
    elif kind == 1:  # total length longer than the frame
        struct.pack_into("!H", p, 16, rng.choice([len(p), 1500, 65535]))
    elif kind == 2:  # total length shorter than the header
        struct.pack_into("!H", p, 16, rng.randint(0, 19))
    else:            # fragments, first and middle
        struct.pack_into("!H", p, 20, rng.choice([0x2000, 0x2001, 0x0010]))
    # keep the header checksum right so the lie itself is what is tested
    ihl = min((p[14] & 0xf) * 4, len(p) - 14)
    p[24:26] = b"\0\0"
    if ihl >= 20:
        s = sum(struct.unpack("!%dH" % (ihl // 2), bytes(p[14:14 + ihl])))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        struct.pack_into("!H", p, 24, ~s & 0xffff)
    return bytes(p)


def udp_len_lie():
    dst, dport = rng.choice([("10.0.2.2", 67), ("10.0.2.3", 53), ("10.0.2.2", 7777), ("192.0.2.9", 9)])
    p = eth() / IP(src="10.0.2.15", dst=dst) / UDP(sport=5002, dport=dport, len=rng.choice([0, 7, 9, 500, 65535]), chksum=0) / Raw(b"l" * 12)
    return p


def bootp_short():
    # CVE-2021-3592/3594 class: BOOTP cut inside its fixed header or options.
    b = bytes(dhcp_discover()[UDP].payload)
    cut = b[:rng.choice([0, 1, 20, 100, 235, 236, 239, 240, 241])]
    return eth(BC) / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67, chksum=0) / Raw(cut)


def dhcp_bad_options():
    # CVE-2017-11434 class: an option whose length runs off the packet.
    b = bytearray(bytes(dhcp_discover()[UDP].payload))
    opts = bytes([53, 1, 1, rng.choice([12, 50, 55, 61, 52]), rng.choice([200, 255, 4])]) + b"A" * rng.randint(0, 3)
    b = b[:240] + opts
    return eth(BC) / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67, chksum=0) / Raw(bytes(b))


def dns_loop():
    # a name that points at itself, and one cut mid label
    hdr = struct.pack("!HHHHHH", rng.getrandbits(16), 0x0100, 1, 0, 0, 0)
    body = rng.choice([b"\xc0\x0c\x00\x01\x00\x01", b"\x07exam", b"\x3fabc", b"\xc0\xff"])
    return eth() / IP(src="10.0.2.15", dst="10.0.2.3") / UDP(sport=5353, dport=53, chksum=0) / Raw(hdr + body)


def short_frames():
    # CVE-2020-29129 class: NCSI (0x88f8), ARP and IP frames shorter than
    # their headers.
    t = rng.choice([0x88f8, 0x0806, 0x0800])
    return bytes(eth(BC, t))[:14] + bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 30)))


def icmp_short():
    p = eth() / IP(src="10.0.2.15", dst=rng.choice(["10.0.2.2", "192.0.2.5"]), proto=1) / Raw(b"\x08\x00" + b"\0" * rng.randint(0, 5))
    return p


gens = [
    lambda: truncate(bytes(valid())),
    lambda: mutate(bytes(valid())),
    ip_lies, udp_len_lie, bootp_short, dhcp_bad_options, dns_loop, short_frames, icmp_short,
    lambda: eth() / fuzz(IP(src="10.0.2.15", dst="10.0.2.2") / UDP()),
    lambda: eth(BC, 0x0806) / fuzz(ARP()),
    lambda: eth(BC) / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) / fuzz(BOOTP()),
]

# Every generator at least once, then random picks.
for g in gens:
    send(g())
while sent < count:
    send(rng.choice(gens)())
sock.close()
print("sent", sent)
