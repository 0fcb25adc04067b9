# SPDX-License-Identifier: MIT
#
# gw_limits.py - the guest side of gw_limits.sh (run with /usr/bin/python3
# inside the guest namespace). Subcommands:
#   bigudp HOST PORT SIZE       one SIZE-byte datagram to an echo, the same
#                               bytes must come back (both ways fragmented)
#   synflood IFACE HOST PORT N MAXFLOWS
#                               a TCP echo connection opened first; then N
#                               SYNs from spoofed 10.0.2.99 (random ports,
#                               never ACKed) fill max-tcp-flows; the held
#                               connection still echoes, a new one is
#                               refused, and new ones work again once the
#                               half-open flows expire (within 60 s)
#   udpflows HOST PORT N        N UDP flows (one socket each) to an echo,
#                               all answered, kept open; then one more that
#                               must get no answer; the first N still echo;
#                               after the udp-timeout a new one works
#   fdflows HOST UPORT TPORT    many UDP and TCP flows against a gateway
#                               with a tiny fd limit: some fail, the flows
#                               opened first keep working, and after all
#                               close new flows work again
#   udpstorm SRC HOST PORT N RATE
#                               N datagrams from distinct source ports of
#                               SRC (a raw socket, IP_HDRINCL), RATE per s
import os, random, socket, struct, sys, time


def echo_ok(s, msg):
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        d = s.recv(65536)
        if not d:
            break
        got += d
    return got == msg


def bigudp(host, port, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    data = os.urandom(size)
    for _ in range(3):
        s.sendto(data, (host, port))
        try:
            got, _ = s.recvfrom(70000)
        except socket.timeout:
            continue
        if got == data:
            return
        raise SystemExit(f"bigudp: got {len(got)} bytes back, not the {size} sent")
    raise SystemExit(f"bigudp: no answer to a {size}-byte datagram")


def synflood(iface, host, port, n, maxflows):
    from scapy.all import Ether, IP, TCP, sendp, conf, get_if_hwaddr, getmacbyip
    conf.verb = 0
    held = socket.create_connection((host, port), timeout=10)
    if not echo_ok(held, b"before-the-flood"):
        raise SystemExit("synflood: no echo before the flood")
    gwmac = getmacbyip(host)
    mine = get_if_hwaddr(iface)
    ports = random.sample(range(1024, 65536), n)
    pkts = [Ether(src=mine, dst=gwmac) / IP(src="10.0.2.99", dst=host) /
            TCP(sport=p, dport=port, flags="S", seq=random.getrandbits(32))
            for p in ports]
    sendp(pkts, iface=iface)
    time.sleep(1)
    if not echo_ok(held, b"during-the-flood" * 1000):
        raise SystemExit("synflood: the held connection stopped echoing")
    try:
        socket.create_connection((host, port), timeout=5).close()
        raise SystemExit("synflood: a new connection was accepted with the table full")
    except ConnectionRefusedError:
        pass
    t0 = time.monotonic()
    while True:
        try:
            c = socket.create_connection((host, port), timeout=5)
            break
        except (ConnectionRefusedError, socket.timeout):
            if time.monotonic() - t0 > 60:
                raise SystemExit("synflood: no new connection 60 s after the flood")
            time.sleep(1)
    if not echo_ok(c, b"after-the-flood"):
        raise SystemExit("synflood: the new connection does not echo")
    if not echo_ok(held, b"still-here"):
        raise SystemExit("synflood: the held connection stopped echoing")
    print(f"synflood: new connections again after {time.monotonic() - t0:.1f} s")


def udp_echo(s, addr, msg, timeout=2, tries=3):
    """One echo on socket s (one NAT flow). UDP may lose a datagram on a
    loaded machine, so a flow gets a few tries: a flow the gateway refuses
    stays silent on every try, so the negative checks keep their meaning."""
    s.settimeout(timeout)
    for _ in range(tries):
        s.sendto(msg, addr)
        try:
            while True:
                got, _ = s.recvfrom(2048)
                if got == msg:
                    return True
        except socket.timeout:
            pass
    return False


def udpflows(host, port, n):
    addr = (host, port)
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for i, s in enumerate(socks):
        if not udp_echo(s, addr, b"flow-%d" % i):
            raise SystemExit(f"udpflows: flow {i} got no answer")
    extra = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if udp_echo(extra, addr, b"one-too-many", 1):
        raise SystemExit(f"udpflows: flow {n + 1} was answered with max-udp-flows={n}")
    for i, s in enumerate(socks):
        if not udp_echo(s, addr, b"again-%d" % i):
            raise SystemExit(f"udpflows: flow {i} stopped working when the table was full")
    for s in socks:
        s.close()
    t0 = time.monotonic()
    while not udp_echo(extra, addr, b"later", 1):
        if time.monotonic() - t0 > 20:
            raise SystemExit("udpflows: no new flow 20 s after the old ones went idle")


def fdflows(host, uport, tport):
    uaddr = (host, uport)
    first = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if not udp_echo(first, uaddr, b"first"):
        raise SystemExit("fdflows: the first UDP flow got no answer")
    tfirst = socket.create_connection((host, tport), timeout=10)
    if not echo_ok(tfirst, b"first-tcp"):
        raise SystemExit("fdflows: the first TCP flow does not echo")
    # All at once, so the flows hold their fds together.
    usocks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(100)]
    for s in usocks:
        s.sendto(b"u", uaddr)
    time.sleep(0.5)
    answered = 0
    for s in usocks:
        s.setblocking(False)
        try:
            answered += s.recv(16) == b"u"
        except BlockingIOError:
            pass
    if not udp_echo(first, uaddr, b"first-again"):
        raise SystemExit("fdflows: the first UDP flow stopped working")
    tsocks, refused = [], 0
    for _ in range(100):
        try:
            tsocks.append(socket.create_connection((host, tport), timeout=3))
        except (ConnectionRefusedError, socket.timeout, OSError):
            refused += 1
    print(f"fdflows: {answered}/100 UDP flows answered, {refused}/100 TCP refused")
    if answered == 100 and refused == 0:
        raise SystemExit("fdflows: the fd limit was never reached")
    if not udp_echo(first, uaddr, b"first-again"):
        raise SystemExit("fdflows: the first UDP flow stopped working")
    if not echo_ok(tfirst, b"first-tcp-again"):
        raise SystemExit("fdflows: the first TCP flow stopped working")
    for s in usocks + tsocks:
        s.close()
    t0 = time.monotonic()
    while True:
        fresh = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        ok = udp_echo(fresh, uaddr, b"fresh", 1)
        fresh.close()
        if ok:
            break
        if time.monotonic() - t0 > 20:
            raise SystemExit("fdflows: UDP did not recover after the flows closed")
    c = socket.create_connection((host, tport), timeout=10)
    if not echo_ok(c, b"fresh-tcp"):
        raise SystemExit("fdflows: TCP did not recover after the flows closed")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udpstorm(src, host, port, n, rate):
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    r.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    s, d = socket.inet_aton(src), socket.inet_aton(host)
    payload = b"storm"
    t0 = time.monotonic()
    for i in range(n):
        sport = 1024 + i % 64000
        udp = struct.pack("!HHHH", sport, port, 8 + len(payload), 0) + payload
        c = csum(s + d + struct.pack("!BBH", 0, 17, len(udp)) + udp) or 0xffff
        udp = udp[:6] + struct.pack("!H", c) + udp[8:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17,
                         0, s, d)
        r.sendto(ip + udp, (host, 0))
        if i % 500 == 499:
            ahead = (i + 1) / rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    print(f"udpstorm: {n} datagrams in {time.monotonic() - t0:.1f} s")


def main():
    a = sys.argv[1:]
    if a[0] == "bigudp":
        bigudp(a[1], int(a[2]), int(a[3]))
    elif a[0] == "synflood":
        synflood(a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
    elif a[0] == "udpflows":
        udpflows(a[1], int(a[2]), int(a[3]))
    elif a[0] == "fdflows":
        fdflows(a[1], int(a[2]), int(a[3]))
    elif a[0] == "udpstorm":
        udpstorm(a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
    else:
        raise SystemExit(f"unknown command {a[0]}")


if __name__ == "__main__":
    main()
