# SPDX-License-Identifier: MIT
#
# tenant_quota.py MODE SOCKET DNS_PORT SINK_PORT ECHO_PORT PID [ADDR]
#
# A victim and a hostile guest on one switch behind the gateway, both QEMU
# -netdev stream peers of the unix listener SOCKET (issue 14, items 4-6).
# Used by tenant_quota.sh, which starts vmwire with small tables and
# dns-upstream=127.0.0.1:DNS_PORT. This script plays the host side too, on
# the private netns's loopback: a DNS upstream on DNS_PORT that answers
# victim.test, never answers blackhole.test and answers spoof.test with
# three forgeries (wrong ID, wrong question, from another port) before the
# real answer; a TCP listener on SINK_PORT that never accepts; a TCP and
# UDP echo on ECHO_PORT.
#
# MODE quota ADDR: the attacker fills each table alone (ICMP echo to ADDR,
# a host address), then the victim arrives: its TCP connection, UDP, DNS,
# ping and a fragmented datagram work, and the
# attacker's next try is refused out loud (RST, ICMP admin-prohibited,
# SERVFAIL). The spoofing upstream's forgeries never reach the victim.
# MODE disconnect: the attacker opens 200 TCP and 40 UDP flows, then
# disconnects: vmwire (PID) is back to its fd count at once.
# MODE hostaddr ADDR: with host-loopback=off, UDP to ADDR, which the host
# got after vmwire started, gets no echo (the policy refuses it).
#
# Prints "ok NAME" or "FAIL NAME: why" per check, "done" at the end, and
# exits non-zero on any failure.
import os
import socket
import subprocess
import sys
import threading
import time

from scapy.all import ARP, DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Ether, Raw, UDPerror, fragment

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from stream_guest import Checks, StreamGuest  # noqa: E402

mode, path = sys.argv[1], sys.argv[2]
dns_port, sink_port, echo_port, pid = (int(a) for a in sys.argv[3:7])
GW = "52:55:0a:00:02:02"
VIC, VIC_IP = "52:54:00:00:00:01", "10.0.2.15"
ATT, ATT_IP = "52:54:00:00:00:0a", "10.0.2.99"
check = Checks()


# ---- the host side --------------------------------------------------------

def upstream():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", dns_port))
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    while True:
        data, peer = s.recvfrom(4096)
        try:
            q = DNS(data)
            name = q[DNSQR].qname.decode().rstrip(".")
        except Exception:
            continue
        if name == "blackhole.test":
            continue

        def answer(ip, qname=None, ident=None):
            return bytes(DNS(id=q.id if ident is None else ident, qr=1, aa=1, rd=q.rd, ra=1,
                             qd=DNSQR(qname=qname or q[DNSQR].qname, qtype="A"),
                             an=DNSRR(rrname=qname or q[DNSQR].qname, type="A", ttl=60,
                                      rdata=ip)))
        if name == "spoof.test":
            s.sendto(answer("6.6.6.1", ident=(q.id + 1) & 0xffff), peer)
            s.sendto(answer("6.6.6.2", qname="spoof.tesT."), peer)
            other.sendto(answer("6.6.6.3"), peer)
            time.sleep(0.05)
            s.sendto(answer("10.9.9.9"), peer)
        else:
            s.sendto(answer("10.8.8.8"), peer)


def sink():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", sink_port))
    s.listen(1024)  # never accepted: the handshakes complete in the kernel
    while True:
        time.sleep(3600)


def tcp_echo():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", echo_port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=lambda c=c: [c.sendall(d) for d in iter(lambda: c.recv(4096), b"")],
                         daemon=True).start()


def udp_echo():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", echo_port))  # any host address: see hostaddr()
    while True:
        d, peer = s.recvfrom(65536)
        s.sendto(d, peer)


for fn in (upstream, sink, tcp_echo, udp_echo):
    threading.Thread(target=fn, daemon=True).start()
time.sleep(0.3)


# ---- the guests -----------------------------------------------------------

def tcp_from(p, sport, flags):
    return lambda f: TCP in f and f[IP].dst == p.ip and f[TCP].dport == sport and \
        (f[TCP].flags & flags) == flags


def syn(p, sport, dport):
    p.send(p.ip_to() / TCP(sport=sport, dport=dport, flags="S", seq=1000, window=65535))


def dns_query(p, sport, name, ident):
    p.send(p.ip_to("10.0.2.3") / UDP(sport=sport, dport=53) /
           DNS(id=ident, rd=1, qd=DNSQR(qname=name, qtype="A")))


def dns_reply(p, sport):
    return lambda f: DNS in f and UDP in f and f[IP].dst == p.ip and f[UDP].dport == sport


def unreach13(p, sport):
    return lambda f: ICMP in f and f[IP].dst == p.ip and f[ICMP].type == 3 and \
        f[ICMP].code == 13 and UDPerror in f and f[UDPerror].sport == sport


def nfds():
    return len(os.listdir("/proc/%d/fd" % pid))


def quota():
    att = StreamGuest(path, ATT, ATT_IP)
    # The attacker speaks first so the switch learns it; alone, it may fill.
    # TCP (max-tcp-flows=32): 32 handshakes to a listener that never accepts.
    for i in range(32):
        syn(att, 20000 + i, sink_port)
    att.pump(1.0)
    acks = {f[TCP].dport for f in att.take() if TCP in f and f[TCP].flags & 0x12 == 0x12}
    check("attacker alone fills the TCP table", len(acks) == 32, "%d SYN-ACKed" % len(acks))
    # UDP (max-udp-flows=16): 16 flows.
    for i in range(16):
        att.send(att.ip_to() / UDP(sport=30000 + i, dport=echo_port) / Raw(b"att"))
    att.pump(1.0)
    echoes = [f for f in att.take() if UDP in f and f[UDP].sport == echo_port]
    check("attacker alone fills the UDP table", len(echoes) == 16, "%d echoes" % len(echoes))
    # Reassembly (max-frags=4): first fragments of 4 datagrams never completed.
    for i in range(4):
        big = att.ip_to() / UDP(sport=31000 + i, dport=echo_port) / Raw(b"x" * 3000)
        big[IP].id = 100 + i
        att.send(Ether(src=ATT, dst=GW) / fragment(big[IP], 1480)[0])
    att.pump(0.5)
    att.take()

    vic = StreamGuest(path, VIC, VIC_IP)
    # The victim's TCP connection: the quota takes a slot of the attacker's.
    syn(vic, 5000, echo_port)
    sa = vic.wait(tcp_from(vic, 5000, 0x12))
    check("victim's SYN answered in a full TCP table", sa is not None)
    if sa is not None:
        y = sa[TCP].seq + 1
        vic.send(vic.ip_to() / TCP(sport=5000, dport=echo_port, flags="A", seq=1001, ack=y))
        vic.send(vic.ip_to() / TCP(sport=5000, dport=echo_port, flags="PA", seq=1001, ack=y) /
                 Raw(b"hello victim"))
        d = vic.wait(lambda f: TCP in f and f[TCP].dport == 5000 and Raw in f and
                     b"hello victim" in bytes(f[Raw]))
        check("victim's TCP data echoed", d is not None)
    # The attacker, now over its share next to an active victim: RST.
    syn(att, 21000, sink_port)
    rst = att.wait(tcp_from(att, 21000, 0x04))
    check("attacker over its TCP share gets RST", rst is not None)

    # UDP: the victim gets a flow in the full table, the attacker ICMP 3/13.
    vic.send(vic.ip_to() / UDP(sport=6000, dport=echo_port) / Raw(b"vic-udp"))
    e = vic.wait(lambda f: UDP in f and f[UDP].dport == 6000 and Raw in f)
    check("victim's UDP echoed in a full UDP table", e is not None)
    att.send(att.ip_to() / UDP(sport=30100, dport=echo_port) / Raw(b"att"))
    u = att.wait(unreach13(att, 30100))
    check("attacker over its UDP share gets ICMP admin-prohibited", u is not None)

    # DNS (64 in flight): the attacker's 64 queries the upstream never
    # answers stay 4 s (two tries); right after them the victim's query is
    # answered, the attacker's next gets SERVFAIL.
    for i in range(64):
        dns_query(att, 40000 + i, "blackhole.test", i)
    att.pump(0.3)
    dns_query(vic, 7000, "victim.test", 77)
    r = vic.wait(dns_reply(vic, 7000), 4.0)
    check("victim's DNS answered next to 64 queries in flight",
          r is not None and r[DNS].rcode == 0 and r[DNS].ancount == 1 and
          r[DNS].an.rdata == "10.8.8.8", r and r[DNS].summary())
    dns_query(att, 40100, "blackhole.test", 500)
    r = att.wait(dns_reply(att, 40100), 1.5)
    check("attacker over its DNS share gets SERVFAIL at once",
          r is not None and r[DNS].rcode == 2, r and r[DNS].summary())

    # Reassembly: the victim's fragmented datagram is put together and echoed.
    big = vic.ip_to() / UDP(sport=6001, dport=echo_port) / Raw(b"v" * 3000)
    big[IP].id = 100  # the attacker's pending datagrams used 100..103
    for fr in fragment(big[IP], 1480):
        vic.send(Ether(src=VIC, dst=GW) / fr)
    e = vic.wait(lambda f: UDP in f and f[UDP].dport == 6001 or
                 (IP in f and f[IP].dst == VIC_IP and f[IP].flags.MF), 3.0)
    check("victim's fragmented datagram reassembled and echoed", e is not None)
    # A fragment the attacker forges with the victim's address and IP ID
    # does not join (or spoil) the victim's datagram.
    big = vic.ip_to() / UDP(sport=6002, dport=echo_port) / Raw(b"w" * 3000)
    big[IP].id = 200
    frs = fragment(big[IP], 1480)
    vic.send(Ether(src=VIC, dst=GW) / frs[0])
    bad = frs[1].copy()
    bad[Raw].load = b"Z" * len(bad[Raw].load)
    att.send(Ether(src=ATT, dst=GW) / bad)
    for fr in frs[1:]:
        vic.send(Ether(src=VIC, dst=GW) / fr)
    vic.pump(1.0)
    got = b""
    for f in vic.take():
        if IP in f and f[IP].dst == VIC_IP and (UDP in f or f[IP].frag):
            got += bytes(f[IP].payload)
    check("attacker's forged fragment did not spoil the victim's datagram",
          b"Z" not in got and b"w" * 100 in got, "%d bytes, Z in it: %s" % (len(got), b"Z" in got))

    # ICMP echo through the NAT (64 flows): the attacker's 64 echo IDs to a
    # host address, then the victim's ping is answered and the attacker's
    # next ID gets ICMP admin-prohibited.
    ping_dst = sys.argv[7]
    for i in range(64):
        att.send(att.ip_to(ping_dst) / ICMP(id=1000 + i, seq=1) / b"att")
    att.pump(1.0)
    att.take()
    vic.send(vic.ip_to(ping_dst) / ICMP(id=77, seq=1) / b"vic")
    r = vic.wait(lambda f: ICMP in f and f[ICMP].type == 0 and f[ICMP].id == 77)
    check("victim's ping answered next to 64 attacker ICMP flows", r is not None)
    att.send(att.ip_to(ping_dst) / ICMP(id=2000, seq=1) / b"att")
    r = att.wait(lambda f: ICMP in f and f[ICMP].type == 3 and f[ICMP].code == 13)
    check("attacker over its ICMP share gets ICMP admin-prohibited", r is not None)

    # The victim's address is static (no lease holds it): the attacker's
    # ARP reply claiming it does not move it at the gateway, the victim's
    # replies keep coming to the victim.
    att.send(Ether(src=ATT, dst=GW) / ARP(op=2, hwsrc=ATT, psrc=VIC_IP, hwdst=GW,
                                          pdst="10.0.2.2"))
    att.pump(0.3)
    att.take()
    vic.send(vic.ip_to() / UDP(sport=6003, dport=echo_port) / Raw(b"after-arp"))
    e = vic.wait(lambda f: UDP in f and f[UDP].dport == 6003)
    att.pump(0.5)
    stolen = [f for f in att.take() if UDP in f and f[UDP].dport == 6003]
    check("an ARP claim for the victim's unleased address does not move it",
          e is not None and not stolen, "victim got %s, attacker %d" % (e is not None, len(stolen)))

    # A spoofing upstream: only the real answer reaches the victim.
    dns_query(vic, 7001, "spoof.test", 4242)
    vic.pump(4.5)
    rs = [f for f in vic.take() if dns_reply(vic, 7001)(f)]
    check("spoofed upstream answers dropped, the real one passed",
          len(rs) == 1 and rs[0][DNS].id == 4242 and rs[0][DNS].an.rdata == "10.9.9.9",
          [f[DNS].summary() for f in rs])
    att.close()
    vic.close()


def usernet_lines(addr):
    """Lines of info usernet naming addr (VW_CTL: the ctl command line)."""
    out = subprocess.run(os.environ["VW_CTL"].split() + ["info", "usernet"],
                         capture_output=True, text=True, timeout=20).stdout
    return sum(1 for line in out.splitlines() if " %s " % addr in " %s " % line.replace(":", " "))


def disconnect():
    vic = StreamGuest(path, VIC, VIC_IP)
    vic.send(vic.ip_to() / UDP(sport=6000, dport=echo_port) / Raw(b"vic-udp"))
    check("victim's UDP echoed", vic.wait(lambda f: UDP in f and f[UDP].dport == 6000) is not None)
    time.sleep(0.5)
    base = nfds()
    att = StreamGuest(path, ATT, ATT_IP)
    for i in range(200):
        syn(att, 20000 + i, sink_port)
        if i % 50 == 49:
            att.pump(0.2)
    for i in range(40):
        att.send(att.ip_to() / UDP(sport=30000 + i, dport=echo_port) / Raw(b"att"))
    att.pump(1.5)
    acks = {f[TCP].dport for f in att.take() if TCP in f and f[TCP].flags & 0x12 == 0x12}
    held = nfds()
    listed = usernet_lines(ATT_IP)
    check("info usernet lists the attacker's flows", listed >= 240, "%d lines" % listed)
    check("attacker holds 200 TCP + 40 UDP flows", held - base >= 240 and len(acks) >= 200,
          "fds %d -> %d, %d SYN-ACKs" % (base, held, len(acks)))
    print("fds before %d, with the attacker %d" % (base, held), flush=True)
    att.close()
    t0 = time.time()
    while time.time() - t0 < 3 and nfds() > base + 2:
        time.sleep(0.05)
    after = nfds()
    print("fds after the attacker left: %d (%.2f s)" % (after, time.time() - t0), flush=True)
    check("the attacker's flows and fds are gone at once", after <= base + 2,
          "%d fds left, base %d" % (after, base))
    listed = usernet_lines(ATT_IP)
    check("info usernet lists none of them", listed == 0, "%d lines" % listed)
    vic.send(vic.ip_to() / UDP(sport=6000, dport=echo_port) / Raw(b"vic-udp"))
    check("victim's UDP still echoed",
          vic.wait(lambda f: UDP in f and f[UDP].dport == 6000) is not None)
    vic.close()


def hostaddr():
    """host-loopback=off: an address the host got after the gateway
    started (argv[7]) is the host too: refused, so no echo comes back."""
    vic = StreamGuest(path, VIC, VIC_IP)
    vic.send(vic.ip_to(sys.argv[7]) / UDP(sport=6100, dport=echo_port) / Raw(b"to-new-addr"))
    e = vic.wait(lambda f: UDP in f and f[UDP].dport == 6100, 1.5)
    check("a host address added after start is refused with host-loopback=off", e is None,
          e and e.summary())
    vic.close()


{"quota": quota, "disconnect": disconnect, "hostaddr": hostaddr}[mode]()
print("done", flush=True)
sys.exit(1 if check.failed else 0)
