#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# gw_ipv6_tool.py - small IPv6 peers for gw_ipv6_namespace.sh:
#   udp-echo PORT              echo datagrams on [::1]:PORT
#   udp-ask ADDR PORT TEXT     send TEXT, print the answer (2 s timeout)
#   aaaa SERVER NAME           one AAAA query over UDP, print the addresses
#   aaaa-tcp SERVER NAME       the same over TCP (RFC 7766 length prefix)
import socket
import struct
import sys


def query(name, qtype=28):
    q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", qtype, 1)


def answers(m):
    an = struct.unpack("!H", m[6:8])[0]
    i = 12
    while m[i]:
        i += 1 + m[i]
    i += 5
    out = []
    for _ in range(an):
        if m[i] & 0xC0 == 0xC0:
            i += 2
        else:
            while m[i]:
                i += 1 + m[i]
            i += 1
        t, _, _, rdlen = struct.unpack("!HHIH", m[i:i + 10])
        i += 10
        if t == 28:
            out.append(socket.inet_ntop(socket.AF_INET6, m[i:i + rdlen]))
        i += rdlen
    return out


def main():
    cmd = sys.argv[1]
    if cmd == "udp-echo":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", int(sys.argv[2])))
        while True:
            d, a = s.recvfrom(65535)
            s.sendto(d, a)
    elif cmd == "udp-ask":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.settimeout(2)
        s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
        print(s.recv(65535).decode())
    elif cmd == "aaaa":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.settimeout(3)
        s.sendto(query(sys.argv[3]), (sys.argv[2], 53))
        print(" ".join(answers(s.recv(65535))))
    elif cmd == "aaaa-tcp":
        s = socket.create_connection((sys.argv[2], 53), timeout=5)
        q = query(sys.argv[3])
        s.sendall(struct.pack("!H", len(q)) + q)
        n = struct.unpack("!H", s.recv(2))[0]
        m = b""
        while len(m) < n:
            m += s.recv(n - len(m))
        print(" ".join(answers(m)))


main()
