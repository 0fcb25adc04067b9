# SPDX-License-Identifier: MIT
#
# vhost_dpdk.py - the stream-port side of vhost_dpdk.sh's offload check.
#
# Usage: vhost_dpdk.py SOCKET DST_MAC PAYLOAD MSS [send]
# Connects to vmwire's unix stream SOCKET (QEMU framing: 4-byte big-endian
# length, then the frame) as MAC 02:00:00:00:00:aa, sends one IPv4/TCP
# frame of PAYLOAD bytes to DST_MAC (testpmd, which sends it back with TSO
# to segment size MSS and checksum offload), then collects the TCP frames
# of that flow coming back for up to 15 s. Passes (exit 0, one summary
# line) when they carry exactly the payload sent, in order, each segment
# at most MSS bytes of payload with valid IPv4 and TCP checksums, and a
# single frame only if it is the whole payload (it arrived unsegmented
# with correct checksums). Anything else: a line saying what, exit 1.
# With "send" it only sends the frame (the caller checks where it went).
import socket
import struct
import sys
import time

path, dst, plen, mss = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3]), int(sys.argv[4])
SRC = bytes.fromhex("0200000000aa")
SIP, DIP = bytes([10, 77, 0, 1]), bytes([10, 77, 0, 2])
SPORT, DPORT, SEQ = 40000, 5001, 1000


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_csum(ip_src, ip_dst, seg):
    return csum(ip_src + ip_dst + struct.pack("!BBH", 0, 6, len(seg)) + seg)


payload = bytes((i * 7 + 3) & 0xFF for i in range(plen))
tcp = struct.pack("!HHIIBBHHH", SPORT, DPORT, SEQ, 1, 5 << 4, 0x18, 65535, 0, 0) + payload
tcp = tcp[:16] + struct.pack("!H", tcp_csum(SIP, DIP, tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, SIP, DIP)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
frame = dst + SRC + b"\x08\x00" + ip + tcp

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(struct.pack(">I", len(frame)) + frame)
if sys.argv[5:] == ["send"]:
    time.sleep(0.5)
    sys.exit(0)

segs = []  # (seq, payload)
buf = b""
got = 0
deadline = time.time() + 15
s.settimeout(0.5)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


while got < plen and time.time() < deadline:
    try:
        d = s.recv(65536)
    except socket.timeout:
        continue
    if not d:
        break
    buf += d
    while len(buf) >= 4:
        (n,) = struct.unpack(">I", buf[:4])
        if len(buf) < 4 + n:
            break
        f, buf = buf[4:4 + n], buf[4 + n:]
        if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 15) * 4
        iph = f[14:14 + ihl]
        tot = struct.unpack("!H", iph[2:4])[0]
        seg = f[14 + ihl:14 + tot]
        sp, dp, seq = struct.unpack("!HHI", seg[:8])
        if (sp, dp) != (SPORT, DPORT) or iph[12:16] != SIP:
            continue
        if f[0:6] != SRC:
            fail("segment to %s, not to us" % f[0:6].hex(":"))
        if csum(iph) != 0:
            fail("bad IPv4 header checksum in the segment at seq %d" % seq)
        if tcp_csum(iph[12:16], iph[16:20], seg) != 0:
            fail("bad TCP checksum in the segment at seq %d (%d bytes)" % (seq, len(seg)))
        doff = (seg[12] >> 4) * 4
        segs.append((seq, seg[doff:]))
        got += len(seg) - doff

if not segs:
    fail("no TCP frame of the flow came back in 15 s")
segs.sort()
data = b""
for seq, p in segs:
    if seq != SEQ + len(data):
        fail("segment at seq %d, expected %d (%d segments)" % (seq, SEQ + len(data), len(segs)))
    data += p
if data != payload:
    fail("payload differs: got %d bytes in %d segments, sent %d" % (len(data), len(segs), plen))
if len(segs) > 1 and max(len(p) for _, p in segs) > mss:
    fail("a segment carries %d bytes, more than the MSS %d" % (max(len(p) for _, p in segs), mss))
print("%d segments, %d payload bytes, largest %d, checksums valid" %
      (len(segs), len(data), max(len(p) for _, p in segs)))
