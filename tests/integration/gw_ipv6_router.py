# SPDX-License-Identifier: MIT
#
# gw_ipv6_router.py - the guest side of gw_ipv6_router.sh, run inside the
# guest namespace (fec0::98 via fec0::2). Scapy sends the probes and a
# sniffer on vw0 takes every ICMPv6 error that comes back, so each check
# sees the exact frame the guest got. Each check prints "ok NAME" or exits
# non-zero with what it saw.
#   hop1     UDP with hop limit 1 and 0 to the target: time exceeded from
#            fec0::2 quoting the packet as sent
#   hop2     UDP with hop limit 2: time exceeded from the router, mapped
#            back from the host's error queue with the guest's own
#            addresses and ports
#   ptb      1400 bytes of UDP to the target behind the 1280-byte link:
#            packet too big, MTU 1280, from the router (error queue) the
#            first time, from fec0::2 (the host's EMSGSIZE) after that
#   big-echo 3000 bytes through a real socket: the guest fragments, the
#            path fragments again, the answer comes back in fragments
import socket
import sys
import time

from scapy.all import (AsyncSniffer, Ether, ICMPv6PacketTooBig, ICMPv6TimeExceeded, IPerror6,
                       IPv6, Raw, UDP, UDPerror, conf, get_if_hwaddr, sendp)

conf.verb = 0
GUEST = "fec0::98"
GW = "fec0::2"
ROUTER = "fd00:97::2"
TARGET = "fd00:99::2"
IFACE = "vw0"
GW_MAC = "52:55:0a:00:02:02"  # 52:55 + the v4 host address, as QEMU


def fail(what, pkt=None):
    sys.exit("FAIL %s: %s" % (what, pkt.show(dump=True) if pkt is not None else "no answer"))


def errors_for(probe, kind, wait=2.0):
    """Send probe; the ICMPv6 errors of class kind the guest got for it."""
    sport = probe[UDP].sport
    sn = AsyncSniffer(iface=IFACE, lfilter=lambda p: IPv6 in p and p[IPv6].dst == GUEST and
                      kind in p and UDPerror in p and p[UDPerror].sport == sport)
    sn.start()
    time.sleep(0.3)
    # Framed by hand: the gateway is the next hop, whatever scapy's own
    # routing table makes of the namespace's.
    sendp(Ether(src=get_if_hwaddr(IFACE), dst=GW_MAC) / probe, iface=IFACE)
    time.sleep(wait)
    return sn.stop()


def check_quote(what, a, probe):
    q = a[IPerror6]
    if q.src != GUEST or q.dst != probe[IPv6].dst or q.nh != 17:
        fail(what + ": quoted addresses", a)
    if a[UDPerror].sport != probe[UDP].sport or a[UDPerror].dport != probe[UDP].dport:
        fail(what + ": quoted ports", a)


def hop1():
    for hlim in (1, 0):
        probe = IPv6(src=GUEST, dst=TARGET, hlim=hlim) / UDP(sport=40100 + hlim, dport=7000) / \
            Raw(b"probe")
        got = errors_for(probe, ICMPv6TimeExceeded)
        if len(got) != 1:
            fail("hop limit %d: %d time exceeded" % (hlim, len(got)), got[0] if got else None)
        a = got[0]
        if a[IPv6].src != GW or a[ICMPv6TimeExceeded].code != 0:
            fail("hop limit %d: source or code" % hlim, a)
        # The whole packet as it left the guest, hop limit and all.
        if bytes(a[ICMPv6TimeExceeded].payload) != bytes(probe):
            fail("hop limit %d: quote is not the packet" % hlim, a)
        check_quote("hop limit %d" % hlim, a, probe)
    print("ok hop limit 1 and 0: time exceeded from the gateway, quoting the packet")


def hop2():
    probe = IPv6(src=GUEST, dst=TARGET, hlim=2) / UDP(sport=40200, dport=7000) / Raw(b"probe")
    got = errors_for(probe, ICMPv6TimeExceeded)
    if len(got) != 1:
        fail("hop limit 2: %d time exceeded" % len(got), got[0] if got else None)
    a = got[0]
    if a[IPv6].src != ROUTER or a[ICMPv6TimeExceeded].code != 0:
        fail("hop limit 2: not from the router", a)
    check_quote("hop limit 2", a, probe)
    if bytes(a[UDPerror].payload)[:5] != b"probe":
        fail("hop limit 2: quoted payload", a)
    print("ok hop limit 2: the router's time exceeded, mapped back from the error queue")


def ptb():
    for n, src, what in ((1, ROUTER, "router, error queue"), (2, GW, "gateway, EMSGSIZE")):
        probe = IPv6(src=GUEST, dst=TARGET) / UDP(sport=40300 + n, dport=7000) / \
            Raw(b"B" * 1400)
        got = errors_for(probe, ICMPv6PacketTooBig)
        if len(got) != 1:
            fail("ptb %d: %d packet too big" % (n, len(got)), got[0] if got else None)
        a = got[0]
        if a[IPv6].src != src or a[ICMPv6PacketTooBig].mtu != 1280:
            fail("ptb %d (%s): source or MTU" % (n, what), a)
        check_quote("ptb %d" % n, a, probe)
        if len(a[IPv6]) > 1280:
            fail("ptb %d: error larger than 1280 bytes" % n, a)
        if n == 2 and (a[IPerror6].plen != 1408 or a[UDPerror].len != 1408):
            fail("ptb 2: the quoted lengths are not the datagram's", a)
        print("ok 1400-byte UDP: packet too big, MTU 1280, from the %s" % what)


def big_echo():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(2)
    msg = bytes((i * 13) & 0xff for i in range(3000))
    for _ in range(5):
        s.sendto(msg, (TARGET, 7000))
        try:
            got = s.recv(65535)
        except socket.timeout:
            continue
        if got != msg:
            sys.exit("FAIL big echo: %d bytes back, not the ones sent" % len(got))
        print("ok 3000-byte UDP echo through the 1280-byte link")
        return
    sys.exit("FAIL big echo: no answer")


{"hop1": hop1, "hop2": hop2, "ptb": ptb, "big-echo": big_echo}[sys.argv[1]]()
