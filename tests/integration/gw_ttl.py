# SPDX-License-Identifier: MIT
#
# gw_ttl.py - the guest side of gw_ttl.sh, run inside the guest namespace
# (10.0.2.15 via 10.0.2.2). Each check prints "ok NAME" or exits non-zero
# with what it saw.
import socket
import sys
import time

from scapy.all import ICMP, IP, TCP, UDP, IPerror, UDPerror, TCPerror, Raw, conf, sr, sr1

conf.verb = 0
GW = "10.0.2.2"
FAR = "192.0.2.1"  # an address of lo in vmwire's namespace: the outside


def fail(what, pkt=None):
    sys.exit("FAIL %s: %s" % (what, pkt.summary() if pkt is not None else "no answer"))


def time_exceeded(what, probe, check_quote):
    a = sr1(probe, timeout=2)
    if a is None or ICMP not in a or a[ICMP].type != 11 or a[ICMP].code != 0 or a[IP].src != GW:
        fail(what, a)
    q = a[IPerror]
    if q.dst != probe[IP].dst or q.ttl != probe[IP].ttl or q.id != probe[IP].id:
        fail(what + " quote header", a)
    # RFC 792: the header and 8 bytes, nothing more
    if len(bytes(a[ICMP].payload)) != 20 + 8:
        fail(what + " quote length %d" % len(bytes(a[ICMP].payload)), a)
    check_quote(a)
    print("ok", what)


def main():
    mode = sys.argv[1]
    if mode == "ttl":
        time_exceeded("udp ttl 1", IP(dst=FAR, ttl=1, id=4242) / UDP(sport=40001, dport=33434) /
                      Raw(b"probe"),
                      lambda a: a[UDPerror].dport == 33434 or fail("udp quote", a))
        time_exceeded("udp ttl 0", IP(dst=FAR, ttl=0, id=4243) / UDP(sport=40001, dport=33435),
                      lambda a: a[UDPerror].sport == 40001 or fail("udp quote", a))
        time_exceeded("tcp syn ttl 1", IP(dst=FAR, ttl=1, id=4244) /
                      TCP(sport=40002, dport=80, flags="S", seq=1234567),
                      lambda a: a[TCPerror].seq == 1234567 or fail("tcp quote", a))
        time_exceeded("icmp echo ttl 1", IP(dst=FAR, ttl=1, id=4245) / ICMP(id=77, seq=1),
                      lambda a: a[IPerror].proto == 1 or fail("icmp quote", a))
        # To the gateway itself TTL 1 is fine.
        a = sr1(IP(dst=GW, ttl=1) / ICMP(id=78, seq=1), timeout=2)
        if a is None or ICMP not in a or a[ICMP].type != 0:
            fail("echo to the gateway with ttl 1", a)
        print("ok gateway answers its own ttl-1 echo")
        # A flood: answered at the per-guest rate, not one for one.
        time.sleep(1.2)  # refill the bucket
        probes = [IP(dst=FAR, ttl=1, id=5000 + i) / UDP(sport=41000 + i, dport=33434)
                  for i in range(60)]
        ans, _ = sr(probes, timeout=2, inter=0)
        n = sum(1 for _, r in ans if ICMP in r and r[ICMP].type == 11)
        if not 8 <= n <= 20:
            sys.exit("FAIL rate limit: %d of 60 ttl-1 probes answered" % n)
        print("ok rate limit: %d of 60 answered" % n)
    elif mode == "hop":
        # The translated datagram leaves the host socket with TTL - 1:
        # the listener on FAR:7000 (gw_ttl.sh) reports what it got.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(3)
        for ttl in (7, 2, 64):
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            s.sendto(b"what ttl", (FAR, 7000))
            got = s.recvfrom(64)[0].decode()
            if got != "ttl %d" % (ttl - 1):
                sys.exit("FAIL hop: sent ttl %d, host side saw '%s'" % (ttl, got))
        print("ok host side sees the guest ttl less one")
    elif mode == "tftp":
        rrq = b"\x00\x01pxelinux.0\x00octet\x00"
        a = sr1(IP(dst=GW) / UDP(sport=40069, dport=69) / Raw(rrq), timeout=2)
        if a is None or ICMP not in a or a[ICMP].type != 3 or a[ICMP].code != 3 or \
                a[IP].src != GW or a[UDPerror].dport != 69:
            fail("tftp to the gateway: port unreachable", a)
        print("ok tftp to the gateway is port unreachable")
    else:
        sys.exit("unknown mode " + mode)


main()
