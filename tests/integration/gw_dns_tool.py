#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# gw_dns_tool.py - the guest side of gw_dns.sh, plain sockets only:
#   a udp|tcp SERVER NAME   ask for NAME's A records over UDP or TCP
#                           (RFC 1035 4.2.2 length prefix); prints the
#                           addresses, exit 1 on timeout, error or none
#   bad SERVER              send malformed queries over UDP (garbage, a
#                           short header, a reply, a name that is a
#                           compression pointer to itself, two pointers
#                           pointing at each other); exit 1 if any of them
#                           gets an answer; prints how many were sent
import random
import socket
import struct
import sys

TIMEOUT = 5.0


def query(name, qid):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def skip_name(m, off):
    while True:
        n = m[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        if n == 0:
            return off + 1
        off += 1 + n


def parse_a(m, qid):
    qid_, flags, qd, an, _, _ = struct.unpack("!HHHHHH", m[:12])
    if qid_ != qid or not flags & 0x8000:
        raise ValueError("not our reply: id %#x flags %#x" % (qid_, flags))
    if flags & 0xF:
        raise ValueError("rcode %d" % (flags & 0xF))
    off = 12
    for _ in range(qd):
        off = skip_name(m, off) + 4
    out = []
    for _ in range(an):
        off = skip_name(m, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", m[off:off + 10])
        off += 10
        if rtype == 1 and rdlen == 4:
            out.append(socket.inet_ntoa(m[off:off + 4]))
        off += rdlen
    return out


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(b), n))
        b += chunk
    return b


def ask(proto, server, name):
    qid = random.randrange(1, 65536)
    q = query(name, qid)
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT)
        s.sendto(q, (server, 53))
        m, _ = s.recvfrom(65535)
    else:
        s = socket.create_connection((server, 53), timeout=TIMEOUT)
        s.sendall(struct.pack("!H", len(q)) + q)
        (n,) = struct.unpack("!H", recv_exact(s, 2))
        m = recv_exact(s, n)
    s.close()
    return parse_a(m, qid)


def bad(server):
    hdr = lambda qid, flags: struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0)
    tail = struct.pack("!HH", 1, 1)
    msgs = [
        b"\x12\x34" + b"\xff" * 30,           # QR set, garbage counts
        b"\x00\x01\x01\x00\x00",             # shorter than a header
        hdr(7, 0x8180) + query("x.test", 7)[12:],  # a reply, not a query
        hdr(8, 0x0100) + b"\xc0\x0c" + tail,   # name points at itself
        hdr(9, 0x0100) + b"\xc0\x0e\xc0\x0c" + tail,  # two pointers, a cycle
        hdr(10, 0x0100) + b"\x3f" + b"a" * 10,  # label runs past the end
    ]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for m in msgs:
        s.sendto(m, (server, 53))
    s.settimeout(1.5)
    try:
        m, _ = s.recvfrom(65535)
        print("answered a malformed query: %r" % m[:16])
        return 1
    except socket.timeout:
        pass
    print(len(msgs))
    return 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "a" and sys.argv[2] in ("udp", "tcp"):
        try:
            addrs = ask(sys.argv[2], sys.argv[3], sys.argv[4])
        except (OSError, ValueError, EOFError, IndexError, struct.error) as e:
            print("error: %s" % e)
            return 1
        print(" ".join(addrs))
        return 0 if addrs else 1
    if len(sys.argv) == 3 and sys.argv[1] == "bad":
        return bad(sys.argv[2])
    print(__doc__ if __doc__ else "usage: see the header", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
