# SPDX-License-Identifier: MIT
#
# stream_guest.py - a scapy guest on a QEMU -netdev stream listener, and
# the ok/FAIL checks of the python tests that drive such guests
# (port_security.py, tenant_quota.py).
#
# Theory of operation: vmwire's stream listener makes every accepted unix
# connection a switch port, so a python process can be any number of
# guests: each StreamGuest is one connection speaking QEMU's framing (a
# 4-byte big-endian length, then the frame), padding what it sends to
# Ethernet's 60-byte minimum. Received frames are parsed with scapy and
# queued until taken (take) or matched (wait), so a test can look for one
# answer among a guest's own background traffic (ARP, IPv6). Checks print
# "ok NAME" or "FAIL NAME: why" and count the failures; the script exits
# non-zero when check.failed.
#
# Import with the folder on sys.path:
#   sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import socket
import struct
import time

from scapy.all import IP, Ether

GW_MAC = "52:55:0a:00:02:02"  # the gateway's MAC on the default 10.0.2.0/24


class Checks:
    """check(name, cond, why): print the outcome, count failures."""

    def __init__(self):
        self.failed = 0

    def __call__(self, name, cond, why=""):
        if cond:
            print("ok", name, flush=True)
        else:
            self.failed += 1
            print("FAIL", name + ":", why, flush=True)


class StreamGuest:
    """One stream connection: 4-byte big-endian length, then the frame."""

    def __init__(self, path, mac, ip=None):
        self.mac, self.ip = mac, ip
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""
        self.frames = []

    def send(self, pkt):
        b = bytes(pkt)
        b += b"\0" * max(0, 60 - len(b))
        self.s.sendall(struct.pack(">I", len(b)) + b)

    def ip_to(self, dst="10.0.2.2"):
        """Ethernet to the gateway and IPv4 from our address to dst."""
        return Ether(src=self.mac, dst=GW_MAC) / IP(src=self.ip, dst=dst)

    def pump(self, secs):
        """Receive for secs (less on EOF), queueing whole frames."""
        end = time.time() + secs
        while True:
            left = end - time.time()
            if left <= 0:
                return
            self.s.settimeout(left)
            try:
                d = self.s.recv(262144)
            except socket.timeout:
                return
            if not d:
                return
            self.buf += d
            while len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) < 4 + n:
                    break
                self.frames.append(Ether(self.buf[4:4 + n]))
                self.buf = self.buf[4 + n:]

    def take(self):
        f, self.frames = self.frames, []
        return f

    def wait(self, pred, secs=3.0):
        """The first frame matching pred within secs (others are kept)."""
        end = time.time() + secs
        while time.time() < end:
            for i, f in enumerate(self.frames):
                if pred(f):
                    del self.frames[i]
                    return f
            self.pump(0.05)
        return None

    def close(self):
        self.s.close()
