#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# overlay_hostile.py HOST - crafted VXLAN (port 4789) and Geneve (port 6081)
# packets for overlay_hostile.sh, sent from a plain UDP socket. Prints, as
# "name count" lines, how many of each kind it sent, so the shell test can
# compare vmwire's counters with them exactly.
import socket
import struct
import sys

host = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

# An inner broadcast frame from a MAC nobody else uses (ARP ethertype).
INNER = b"\xff" * 6 + b"\x02\x00\x00\x00\x0b\xad" + b"\x08\x06" + b"\x00" * 46


def vx(flags=0x08, b1=0, vni=7, last=0):
    return bytes([flags, b1, 0, 0]) + struct.pack("!I", vni)[1:] + bytes([last])


def gn(ver=0, optlen=0, o=0, c=0, proto=0x6558, vni=100, opts=b""):
    b0 = ver << 6 | optlen
    b1 = o << 7 | c << 6
    return struct.pack("!BBH", b0, b1, proto) + struct.pack("!I", vni << 8) + opts


def opt(cls=0x0102, typ=0x01, data=b"\0" * 4, lenfield=None):
    ln = len(data) // 4 if lenfield is None else lenfield
    return struct.pack("!HBB", cls, typ, ln & 0x1F) + data


sent = {}


def send(port, name, pkt, n=3):
    for _ in range(n):
        s.sendto(pkt, (host, port))
    sent[name] = sent.get(name, 0) + n


# VXLAN
send(4789, "vx-short", b"\x08\x00\x00")
send(4789, "vx-i-bit", vx(flags=0x00) + INNER)
send(4789, "vx-reserved", vx(flags=0x0C) + INNER)
send(4789, "vx-reserved", vx(b1=0x01) + INNER)
send(4789, "vx-last-byte", vx(last=1) + INNER)
send(4789, "vx-unknown-vni", vx(vni=9) + INNER)
send(4789, "vx-runt", vx() + INNER[:10])
send(4789, "vx-ok-7", vx(vni=7) + INNER)
send(4789, "vx-ok-8", vx(vni=8) + INNER)
send(4789, "vx-oversized-ok-7", vx(vni=7) + INNER[:14] + b"\0" * 65000, n=1)
# Geneve
send(6081, "gn-short", gn()[:7])
send(6081, "gn-version", gn(ver=1) + INNER)
send(6081, "gn-protocol", gn(proto=0x0800) + INNER)
send(6081, "gn-oam", gn(o=1) + INNER)
send(6081, "gn-short", gn(optlen=10) + b"\0" * 8)  # options past the packet
send(6081, "gn-option-bounds", gn(optlen=2, opts=opt(lenfield=3)) + INNER)
send(6081, "gn-short", gn(optlen=1, opts=b"\x01\x02\x03"))  # options cut
send(6081, "gn-option-bounds", gn(optlen=1, opts=opt(lenfield=1)[:4]) + INNER)
send(6081, "gn-critical", gn(optlen=2, opts=opt(typ=0x81)) + INNER)
send(6081, "gn-critical", gn(c=1) + INNER)
send(6081, "gn-unknown-vni", gn(vni=101) + INNER)
two = opt(data=b"\1" * 4) + opt(cls=0xFFFF, typ=0x7F, data=b"\2" * 8)
send(6081, "gn-ok", gn(optlen=len(two) // 4, opts=two) + INNER)

for k, v in sorted(sent.items()):
    print(k, v)
