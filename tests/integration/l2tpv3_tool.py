#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# l2tpv3_tool.py - the far ends of the l2tpv3_qemu.sh topologies.
#
#   relay A_LOCAL A_PEER B_LOCAL B_PEER N
#       Two UDP sockets carrying one Ethernet frame per datagram: A faces
#       QEMU's -netdev dgram, B faces vmwire's. N frames of varied sizes go
#       A->B and N go B->A; each must arrive byte for byte, in order.
#   peer L2_LOCAL VW_L2 B_LOCAL B_PEER SESSION COOKIE_HEX
#       We are the L2TPv3 peer (UDP, counter=on): a frame sent into
#       vmwire's dgram port must come out of its l2tpv3 netdev as exactly
#       00 03 00 00 | session | cookie | counter 1, 2 | frame; then hostile
#       packets (truncated, control, wrong session, wrong cookie, empty,
#       runt frame) must not come out of B, and a good one must.
import socket
import struct
import sys


def udp(local, peer):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    h, p = local.rsplit(":", 1)
    s.bind((h, int(p)))
    h, p = peer.rsplit(":", 1)
    s.settimeout(3)
    return s, (h, int(p))


def frame(src, i, size):
    body = struct.pack(">I", i) + bytes((i * 7 + k) & 0xff for k in range(size - 18))
    return b"\xff" * 6 + src + b"\x88\xb5" + body


def expect(sock, want, what):
    try:
        got = sock.recv(70000)
    except socket.timeout:
        sys.exit("FAIL %s: nothing arrived" % what)
    if got != want:
        sys.exit("FAIL %s: got %d bytes %s, want %d bytes %s" %
                 (what, len(got), got[:40].hex(), len(want), want[:40].hex()))


def relay(a_local, a_peer, b_local, b_peer, n):
    a, ap = udp(a_local, a_peer)
    b, bp = udp(b_local, b_peer)
    sizes = [60, 61, 64, 128, 333, 1000, 1514, 1518, 1800, 2000]
    for i in range(int(n)):
        size = sizes[i % len(sizes)]
        f = frame(b"\x52\x54\x00\x00\x00\x0a", i, size)
        a.sendto(f, ap)
        expect(b, f, "A->B frame %d (%d bytes)" % (i, size))
        f = frame(b"\x52\x54\x00\x00\x00\x0b", i, size)
        b.sendto(f, bp)
        expect(a, f, "B->A frame %d (%d bytes)" % (i, size))
    print("relay: %s frames each way intact" % n)


def peer(l2_local, vw_l2, b_local, b_peer, session, cookie_hex):
    l2, l2p = udp(l2_local, vw_l2)
    b, bp = udp(b_local, b_peer)
    session = int(session)
    cookie = bytes.fromhex(cookie_hex)
    hdr = b"\0\3\0\0" + struct.pack(">I", session) + cookie
    for seq in (1, 2):
        f = frame(b"\x52\x54\x00\x00\x00\x0b", seq, 100)
        b.sendto(f, bp)
        expect(l2, hdr + struct.pack(">I", seq) + f, "vmwire's encapsulation #%d" % seq)
    print("peer: vmwire's L2TPv3 bytes are exact, counter 1 and 2")
    # vmwire's rxsession is session + 1, the same cookie
    good = b"\0\3\0\0" + struct.pack(">I", session + 1) + cookie + b"\0\0\0\x09"
    bad_cookie = bytes([cookie[0] ^ 1]) + cookie[1:] if cookie else b""
    hostile = [
        b"\0\3\0",                                                    # truncated
        good[:len(good) - 1],                                         # truncated
        b"\x80\3\0\0" + good[4:] + frame(b"\x52\x54\0\0\0\x0c", 0, 60),  # control
        b"\0\3\0\0" + struct.pack(">I", session + 2) + good[8:] +
        frame(b"\x52\x54\0\0\0\x0c", 1, 60),                           # wrong session
        good,                                                         # empty
        good + b"\x01" * 10,                                          # runt frame
    ]
    if cookie:
        hostile.append(b"\0\3\0\0" + struct.pack(">I", session + 1) + bad_cookie +
                       b"\0\0\0\x09" + frame(b"\x52\x54\0\0\0\x0c", 2, 60))
    for h in hostile:
        l2.sendto(h, l2p)
    f = frame(b"\x52\x54\x00\x00\x00\x0d", 3, 200)
    l2.sendto(good + f, l2p)
    expect(b, f, "the good frame after the hostile ones")
    print("peer: %d hostile packets dropped, the good one delivered" % len(hostile))


if __name__ == "__main__":
    {"relay": relay, "peer": peer}[sys.argv[1]](*sys.argv[2:])
