# SPDX-License-Identifier: MIT
#
# port_security.py SOCKET HOSTFWD_PORT - a victim and a hostile guest on
# one switch behind the gateway, both QEMU -netdev stream peers of the unix
# listener SOCKET. Used by port_security.sh, which starts vmwire with
# max-leases=4 and hostfwd=tcp:127.0.0.1:HOSTFWD_PORT-10.0.2.15:22.
#
# The victim takes the first lease (10.0.2.15), then the attacker tries
# each attack of issue 14 that the switch and the gateway now stop; after
# each, the script checks what the victim still gets and that the attacker
# got nothing it should not. Prints "ok NAME" or "FAIL NAME: why" per
# check and exits non-zero on any failure.
import os
import random
import socket
import sys
import time

from scapy.all import ARP, BOOTP, DHCP, ICMP, IP, TCP, Ether, Raw

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from stream_guest import Checks, StreamGuest  # noqa: E402

path, hostfwd_port = sys.argv[1], int(sys.argv[2])
GW = "52:55:0a:00:02:02"
BC = "ff:ff:ff:ff:ff:ff"
VIC = "52:54:00:00:00:01"
ATT = "52:54:00:00:00:0a"
VIC2 = "52:54:00:00:00:02"
rng = random.Random(14)
check = Checks()


def pump(*peers, secs=0.5):
    end = time.time() + secs
    while time.time() < end:
        for p in peers:
            p.pump(0.05)


def dhcp(mac, chaddr, kind, ip="0.0.0.0", req=None, ciaddr="0.0.0.0", xid=None):
    opts = [("message-type", kind)]
    if req:
        opts += [("requested_addr", req), ("server_id", "10.0.2.2")]
    if kind in ("release", "decline"):
        opts += [("server_id", "10.0.2.2")]
    opts.append("end")
    return (Ether(src=mac, dst=BC) / IP(src=ip, dst="255.255.255.255") /
            UDP_(68, 67) /
            BOOTP(chaddr=bytes.fromhex(chaddr.replace(":", "")) + b"\0" * 10,
                  ciaddr=ciaddr, xid=xid if xid is not None else rng.getrandbits(32),
                  flags=0x8000) /
            DHCP(options=opts))


def UDP_(sport, dport):
    from scapy.all import UDP
    return UDP(sport=sport, dport=dport)


def offers(frames, kind=2):
    """(chaddr, yiaddr) of the DHCP replies of message type kind."""
    out = []
    for f in frames:
        if BOOTP in f and DHCP in f:
            t = [o[1] for o in f[DHCP].options if isinstance(o, tuple) and o[0] == "message-type"]
            if t and t[0] == kind:
                out.append((f[BOOTP].chaddr[:6].hex(":"), f[BOOTP].yiaddr))
    return out


def lease(peer, *others):
    """DISCOVER/REQUEST for peer's own MAC; returns the address or None."""
    peer.send(dhcp(peer.mac, peer.mac, "discover", xid=1))
    pump(peer, *others, secs=0.5)
    o = [y for c, y in offers(peer.take()) if c == peer.mac]
    if not o:
        return None
    peer.send(dhcp(peer.mac, peer.mac, "request", req=o[0], xid=2))
    pump(peer, *others, secs=0.5)
    a = [y for c, y in offers(peer.take(), 5) if c == peer.mac]
    return a[0] if a else None


def ping(peer, src, seq):
    peer.send(Ether(src=peer.mac, dst=GW) / IP(src=src, dst="10.0.2.2") /
              ICMP(id=0x77, seq=seq) / Raw(b"p" * 16))


def got_reply(frames, seq):
    return any(ICMP in f and f[ICMP].type == 0 and f[ICMP].seq == seq for f in frames)


def to_mac(frames, mac):
    return [f for f in frames if f.dst == mac]


vic = StreamGuest(path, VIC)
att = StreamGuest(path, ATT)
time.sleep(0.2)

vip = lease(vic, att)
check("victim lease", vip == "10.0.2.15", "got %r" % vip)
aip = lease(att, vic)
check("attacker lease", aip is not None and aip != vip, "got %r" % aip)
# The victim talks first, so its MAC is fresh on its port.
ping(vic, vip, 1)
pump(vic, att)
check("victim ping", got_reply(vic.take(), 1))
att.take()

# 1. ARP with the victim's MAC from the attacker's port: the MAC stays.
att.send(Ether(src=VIC, dst=BC) / ARP(op=1, hwsrc=VIC, psrc=vip, pdst="10.0.2.2"))
pump(vic, att, secs=0.3)
vic.take()
ping(vic, vip, 2)
pump(vic, att)
check("MAC move refused: victim still gets its traffic", got_reply(vic.take(), 2))
check("MAC move refused: attacker gets none of it", not to_mac(att.take(), VIC))

# 2. The gateway's MAC from the attacker's port: refused, never learned.
att.send(Ether(src=GW, dst=BC) / ARP(op=2, hwsrc=GW, psrc="10.0.2.2", pdst=vip))
pump(vic, att, secs=0.3)
v = vic.take()
check("gateway MAC spoof not forwarded", not [f for f in v if f.src == GW and ARP in f and f[ARP].op == 2],
      "victim got %s" % [f.summary() for f in v])
ping(vic, vip, 3)
pump(vic, att)
check("gateway MAC spoof: victim still reaches the gateway", got_reply(vic.take(), 3))
check("gateway MAC spoof: attacker gets no gateway traffic", not to_mac(att.take(), GW))

# 3. A MAC flood from the attacker's port stops at max-macs-per-port.
for i in range(64):
    m = "02:00:%02x:%02x:%02x:%02x" % (i, rng.getrandbits(8), rng.getrandbits(8), rng.getrandbits(8))
    att.send(Ether(src=m, dst=BC, type=0x88b5) / Raw(b"flood%d" % i))
pump(vic, att, secs=0.5)
flood = [f for f in vic.take() if f.type == 0x88b5]
check("MAC flood capped", len(flood) <= 8, "victim got %d flood frames" % len(flood))
ping(vic, vip, 4)
pump(vic, att)
check("MAC flood: victim not evicted", got_reply(vic.take(), 4))
check("MAC flood: attacker gets none of it", not to_mac(att.take(), VIC))

# 4. ICMP from the victim's address via the attacker's MAC must not rebind
# the gateway's ARP entry: a hostfwd connection still reaches the victim.
att.send(Ether(src=ATT, dst=GW) / IP(src=vip, dst="10.0.2.2") / ICMP(id=9, seq=9))
att.send(Ether(src=ATT, dst=GW) / ARP(op=2, hwsrc=ATT, psrc=vip, hwdst=GW, pdst="10.0.2.2"))
pump(vic, att, secs=0.3)
vic.take()
att.take()
c = socket.socket()
c.setblocking(False)
c.connect_ex(("127.0.0.1", hostfwd_port))
pump(vic, att, secs=1.0)
syn_v = [f for f in vic.take() if TCP in f and f[TCP].dport == 22 and f[TCP].flags & 2]
syn_a = [f for f in att.take() if TCP in f and f[TCP].dport == 22]
c.close()
check("hostfwd SYN still reaches the victim", syn_v, "no SYN on the victim's port")
check("hostfwd SYN not sent to the attacker", not syn_a)

# 5. Gratuitous ARP "10.0.2.2 is-at attacker" never reaches the victim.
att.send(Ether(src=ATT, dst=BC) / ARP(op=2, hwsrc=ATT, psrc="10.0.2.2", hwdst=BC, pdst="10.0.2.2"))
att.send(Ether(src=ATT, dst=BC) / ARP(op=1, hwsrc=ATT, psrc="10.0.2.3", pdst="10.0.2.3"))
pump(vic, att, secs=0.3)
g = [f for f in vic.take() if ARP in f and f[ARP].hwsrc == ATT]
check("gratuitous ARP for the gateway not forwarded", not g, [f.summary() for f in g])

# 6. 16 DISCOVERs with random chaddr from one port: at most the per-port cap
# (2, one of which the attacker holds), and a second victim still gets one.
for i in range(16):
    ch = "52:54:01:%02x:%02x:%02x" % (i, rng.getrandbits(8), rng.getrandbits(8))
    att.send(dhcp(ATT, ch, "discover"))
pump(vic, att, secs=0.8)
got = set(offers(att.take()))
check("DISCOVER flood capped", len(got) <= 1, "attacker got offers %s" % sorted(got))
vic.take()
vic2 = StreamGuest(path, VIC2)
v2 = lease(vic2, vic, att)
check("second victim still gets a lease", v2 is not None, "no lease for %s" % VIC2)

# 7. A forged RELEASE for the victim's lease, from the attacker's MAC and
# port: not honoured. A released lease would show as "released" in info
# usernet, which port_security.sh checks after this script.
att.send(dhcp(ATT, VIC, "release", ip=vip, ciaddr=vip))
pump(vic, att, secs=0.3)

print("done", check.failed, flush=True)
sys.exit(1 if check.failed else 0)
