# SPDX-License-Identifier: MIT
#
# framed_peer.py - a QEMU -netdev stream peer for the shell tests.
#
# Usage: framed_peer.py SOCKET send|recv OUT
# Connects to the unix stream SOCKET, touches OUT.up once connected, and
# with "send" sends one broadcast frame (source 52:54:00:12:34:56, 46 zero
# bytes of IPv4 payload) with the 4-byte big-endian length prefix QEMU
# uses. Everything received is written to OUT as it arrives (raw, prefixes
# included), until EOF or 20 s without data.
import socket
import struct
import sys
import time

path, send, out = sys.argv[1], sys.argv[2] == "send", sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
open(out + ".up", "w").close()
if send:
    time.sleep(0.3)  # let the other peer connect first
    frame = b"\xff" * 6 + bytes.fromhex("525400123456") + b"\x08\x00" + bytes(46)
    s.sendall(struct.pack(">I", len(frame)) + frame)
buf = b""
s.settimeout(20)
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
        open(out, "wb").write(buf)
except socket.timeout:
    pass
