# SPDX-License-Identifier: MIT
#
# vhost_hostile.py - a vhost-user frontend for vhost_hostile.sh, speaking
# the real protocol (QEMU docs/interop/vhost-user.rst, virtio 1.2 split
# rings) to vmwire's vhost-user socket, well or badly.
#
# Usage: vhost_hostile.py SOCK good STREAM_SOCK
#        vhost_hostile.py SOCK hostile [CASE...]
#        vhost_hostile.py list
# (the default CASE list is "list"'s)
#
# "good": a well-behaved frontend with guest memory in a memfd: it
# negotiates, maps one region, sets up the receive (0) and transmit (1)
# split rings with kick/call eventfds, sends one frame on its transmit
# ring and expects it on vmwire's stream port STREAM_SOCK (QEMU framing),
# then sends one frame from that stream port and expects it in a receive
# buffer, with the virtio-net header in front. Exit 0 when both arrive.
#
# "hostile": each case opens its own connection, sends its bad input,
# then asks GET_FEATURES: a protocol case passes only if vmwire closes
# the connection (EOF or reset) instead of answering; a ring case (bad
# descriptors behind a good handshake) passes if vmwire closes it, or
# answers and never marked the bad buffer used with a length beyond
# what the guest offered. Every case then checks that the socket still
# accepts a connection (the daemon lives). One line per case; exit 1 if
# any case failed. No scapy: os.memfd_create, os.eventfd and sendmsg with
# SCM_RIGHTS are the whole toolkit.
import array
import mmap
import os
import socket
import struct
import sys
import time

GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE = 1, 2, 3, 4, 5
SET_LOG_BASE, SET_LOG_FD, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE = 6, 7, 8, 9, 10
GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR = 11, 12, 13, 14
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE = 15, 16, 17, 18
GET_CONFIG, SET_CONFIG = 24, 25
VERSION, REPLY, NEED_REPLY = 1, 4, 8
F_VERSION_1, F_PROTOCOL_FEATURES, F_INDIRECT = 1 << 32, 1 << 30, 1 << 28
D_NEXT, D_WRITE, D_INDIRECT = 1, 2, 4
NOFD = 1 << 8

MEM = 1 << 21          # guest memory: one 2 MiB region
GPA = 0x40000000       # its guest-physical address
UVA = 0x7F1200000000   # the "user address" we claim it has in our process
NUM = 256
# Ring layout (offsets in the region): queue q at q * 0x8000.
DESC, AVAIL, USED = 0x0000, 0x1000, 0x2000
BUF = 0x20000          # buffers from here
HDR = 12               # virtio-net header with VERSION_1
SRC_MAC = bytes.fromhex("0200000000c1")
STREAM_MAC = bytes.fromhex("0200000000c2")


class Closed(Exception):
    pass


class Frontend:
    def __init__(self, path, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.mem = None
        self.fds = []

    def close(self):
        self.s.close()
        for fd in self.fds:
            os.close(fd)
        if self.mem is not None:
            self.mem.close()

    def raw(self, data, fds=()):
        try:
            if fds:
                self.s.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
            else:
                self.s.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed(str(e))

    def send(self, req, payload=b"", fds=(), flags=VERSION, size=None):
        hdr = struct.pack("<III", req, flags, len(payload) if size is None else size)
        self.raw(hdr + payload, fds)

    def recv_exact(self, n):
        b = b""
        while len(b) < n:
            try:
                d = self.s.recv(n - len(b))
            except ConnectionResetError as e:
                raise Closed(str(e))
            if not d:
                raise Closed("EOF")
            b += d
        return b

    def reply(self, req):
        r, flags, size = struct.unpack("<III", self.recv_exact(12))
        payload = self.recv_exact(size)
        if r != req or not flags & REPLY:
            raise RuntimeError("reply to %d: request %d flags %#x" % (req, r, flags))
        return payload

    def get_u64(self, req):
        self.send(req)
        p = self.reply(req)
        return struct.unpack("<Q", p[:8])[0]

    def u64(self, req, v, fds=()):
        self.send(req, struct.pack("<Q", v), fds)

    def state(self, req, index, num):
        self.send(req, struct.pack("<II", index, num))

    # -- a normal session ---------------------------------------------
    def negotiate(self, extra=0):
        self.features = self.get_u64(GET_FEATURES)
        if not self.features & F_VERSION_1:
            raise RuntimeError("vmwire does not offer VERSION_1: %#x" % self.features)
        self.send(SET_OWNER)
        want = F_VERSION_1 | (self.features & F_PROTOCOL_FEATURES) | (self.features & extra)
        if self.features & F_PROTOCOL_FEATURES:
            self.get_u64(GET_PROTOCOL_FEATURES)
            self.u64(SET_PROTOCOL_FEATURES, 0)
        self.u64(SET_FEATURES, want)
        self.acked = want

    def memory(self, size=MEM, claim=None, offset=0):
        fd = os.memfd_create("vw-hostile")
        os.ftruncate(fd, size)
        self.fds.append(fd)
        self.mem = mmap.mmap(fd, size)
        self.memfd = fd
        return fd

    def mem_table(self, regions, fds):
        p = struct.pack("<II", len(regions), 0)
        for gpa, size, uva, off in regions:
            p += struct.pack("<QQQQ", gpa, size, uva, off)
        self.send(SET_MEM_TABLE, p, fds)

    def ring(self, q, desc=None, avail=None, used=None, num=NUM):
        base = q * 0x8000
        desc = UVA + base + DESC if desc is None else desc
        avail = UVA + base + AVAIL if avail is None else avail
        used = UVA + base + USED if used is None else used
        self.state(SET_VRING_NUM, q, num)
        self.state(SET_VRING_BASE, q, 0)
        self.send(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, 0, desc, used, avail, 0))
        kick, call = os.eventfd(0, os.EFD_NONBLOCK), os.eventfd(0, os.EFD_NONBLOCK)
        self.fds += [kick, call]
        self.u64(SET_VRING_KICK, q, [kick])
        self.u64(SET_VRING_CALL, q, [call])
        if self.acked & F_PROTOCOL_FEATURES:
            self.state(SET_VRING_ENABLE, q, 1)
        setattr(self, "kick%d" % q, kick)

    def setup(self, extra=0):
        self.negotiate(extra)
        fd = self.memory()
        self.mem_table([(GPA, MEM, UVA, 0)], [fd])
        self.ring(0)
        self.ring(1)

    # -- guest memory -------------------------------------------------
    def desc(self, q, i, addr, length, flags=0, nxt=0):
        struct.pack_into("<QIHH", self.mem, q * 0x8000 + DESC + 16 * i, addr, length, flags, nxt)

    def avail(self, q, heads, idx=None):
        a = q * 0x8000 + AVAIL
        old = struct.unpack_from("<H", self.mem, a + 2)[0]
        for k, h in enumerate(heads):
            struct.pack_into("<H", self.mem, a + 4 + 2 * ((old + k) % NUM), h)
        struct.pack_into("<H", self.mem, a + 2, (old + len(heads)) & 0xFFFF if idx is None else idx)

    def used_idx(self, q):
        return struct.unpack_from("<H", self.mem, q * 0x8000 + USED + 2)[0]

    def used_elem(self, q, k):
        return struct.unpack_from("<II", self.mem, q * 0x8000 + USED + 4 + 8 * (k % NUM))

    def kick(self, q):
        os.eventfd_write(getattr(self, "kick%d" % q), 1)

    def wait_used(self, q, n, secs=5):
        end = time.time() + secs
        while time.time() < end:
            if self.used_idx(q) >= n:
                return True
            time.sleep(0.01)
        return False

    def probe(self):
        """True if the connection is closed: GET_FEATURES gets EOF/reset."""
        try:
            self.send(GET_FEATURES)
            self.reply(GET_FEATURES)
            return False
        except Closed:
            return True
        except socket.timeout:
            raise RuntimeError("vmwire neither answered GET_FEATURES nor closed in 5 s")


def frame(dst, src, tag):
    return dst + src + b"\x88\xb5" + tag.ljust(50, b"\0")


# -- good ----------------------------------------------------------------
def stream_frames(st, want, secs=5):
    buf = b""
    end = time.time() + secs
    st.settimeout(0.2)
    while time.time() < end:
        try:
            d = st.recv(65536)
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
            if f == want:
                return True
    return False


def good(path, stream_path):
    for attempt in range(10):
        fe = Frontend(path)
        try:
            fe.setup()
            break
        except Closed:
            fe.close()  # the previous connection may still be winding down
            time.sleep(0.3)
    else:
        raise SystemExit("FAIL: good: vmwire closed 10 connections during the handshake")
    st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    st.connect(stream_path)
    # Let vmwire learn the stream peer's MAC first: a frame to nobody.
    hello = frame(b"\xff" * 6, STREAM_MAC, b"hello")
    st.sendall(struct.pack(">I", len(hello)) + hello)
    time.sleep(0.3)

    # Transmit: one descriptor with the header and the frame.
    out = frame(STREAM_MAC, SRC_MAC, b"good tx %d" % os.getpid())
    fe.mem[BUF:BUF + HDR] = bytes(HDR)
    fe.mem[BUF + HDR:BUF + HDR + len(out)] = out
    fe.desc(1, 0, GPA + BUF, HDR + len(out))
    fe.avail(1, [0])
    fe.kick(1)
    if not fe.wait_used(1, 1):
        raise SystemExit("FAIL: good: vmwire did not use the transmit descriptor in 5 s")
    if not stream_frames(st, out):
        raise SystemExit("FAIL: good: the transmitted frame did not reach the stream port")

    # Receive: post two 2 KiB buffers, send a frame from the stream port.
    for i in range(2):
        fe.desc(0, i, GPA + BUF + 0x1000 * (i + 1), 2048, D_WRITE)
    fe.avail(0, [0, 1])
    fe.kick(0)
    inp = frame(SRC_MAC, STREAM_MAC, b"good rx %d" % os.getpid())
    st.sendall(struct.pack(">I", len(inp)) + inp)
    if not fe.wait_used(0, 1):
        raise SystemExit("FAIL: good: no frame in the receive ring in 5 s")
    head, length = fe.used_elem(0, 0)
    if head not in (0, 1) or length != HDR + len(inp):
        raise SystemExit("FAIL: good: used element id %d len %d, want len %d" % (head, length, HDR + len(inp)))
    at = BUF + 0x1000 * (head + 1)
    got = bytes(fe.mem[at + HDR:at + HDR + len(inp)])
    if got != inp:
        raise SystemExit("FAIL: good: received frame differs: %s" % got.hex())
    # SET_MEM_TABLE again while running (QEMU does on memory hotplug): the
    # same layout in a new memfd; the next frame must go through the new
    # mapping, the old one must no longer be written.
    fd2 = os.memfd_create("vw-hostile-2")
    os.ftruncate(fd2, MEM)
    fe.fds.append(fd2)
    m2 = mmap.mmap(fd2, MEM)
    m2[:] = fe.mem[:]
    fe.mem_table([(GPA, MEM, UVA, 0)], [fd2])
    old, fe.mem = fe.mem, m2
    out = frame(STREAM_MAC, SRC_MAC, b"good tx after remap %d" % os.getpid())
    at = BUF + 0x800
    fe.mem[at:at + HDR] = bytes(HDR)
    fe.mem[at + HDR:at + HDR + len(out)] = out
    fe.desc(1, 1, GPA + at, HDR + len(out))
    fe.avail(1, [1])
    fe.kick(1)
    if not fe.wait_used(1, 2):
        raise SystemExit("FAIL: good: after SET_MEM_TABLE again, the transmit descriptor was not used in 5 s")
    if not stream_frames(st, out):
        raise SystemExit("FAIL: good: after SET_MEM_TABLE again, the frame did not reach the stream port")
    if struct.unpack_from("<H", old, 0x8000 + USED + 2)[0] != 1:
        raise SystemExit("FAIL: good: vmwire still wrote the old memory after SET_MEM_TABLE")
    old.close()
    print("good: one frame each way through the split rings, and one more after a new memory table")
    st.close()
    fe.close()


# -- hostile cases ---------------------------------------------------------
# Protocol cases: a function(fe) that sends bad input; vmwire must close.
def c_bad_version(fe):
    fe.send(GET_FEATURES, flags=2)


def c_oversized(fe):
    fe.send(SET_FEATURES, struct.pack("<Q", F_VERSION_1), size=1 << 20)
    fe.raw(bytes(4096))


def c_size_huge(fe):
    fe.send(SET_OWNER, size=0xFFFFFFFF)


def c_unknown_request(fe):
    fe.send(999, struct.pack("<Q", 0))


def c_unknown_need_reply(fe):
    fe.send(0x7FFF, flags=VERSION | NEED_REPLY)


def c_request_zero(fe):
    fe.send(0)


def c_short_u64(fe):
    fe.send(SET_FEATURES, b"\x01\x02\x03")


def c_short_state(fe):
    fe.send(SET_VRING_NUM, struct.pack("<I", 0))


def c_short_addr(fe):
    fe.send(SET_VRING_ADDR, struct.pack("<IIQ", 0, 0, UVA))


def c_long_u64(fe):
    fe.send(SET_FEATURES, struct.pack("<QQ", F_VERSION_1, 0))


def c_reply_flag(fe):
    fe.send(SET_OWNER, flags=VERSION | REPLY)


def c_too_many_fds(fe):
    fds = [os.eventfd(0) for _ in range(12)]
    fe.fds += fds
    fe.u64(SET_VRING_KICK, 0, fds)


def c_kick_no_fd(fe):
    fe.negotiate()
    fe.u64(SET_VRING_KICK, 0)  # no NOFD bit and no fd


def c_kick_two_fds(fe):
    fe.negotiate()
    a, b = os.eventfd(0), os.eventfd(0)
    fe.fds += [a, b]
    fe.u64(SET_VRING_KICK, 0, [a, b])


def c_kick_bad_index(fe):
    fe.negotiate()
    a = os.eventfd(0)
    fe.fds.append(a)
    fe.u64(SET_VRING_KICK, 200, [a])


def c_num_zero(fe):
    fe.negotiate()
    fe.state(SET_VRING_NUM, 0, 0)


def c_num_not_pow2(fe):
    fe.negotiate()
    fe.state(SET_VRING_NUM, 0, 255)


def c_num_huge(fe):
    fe.negotiate()
    fe.state(SET_VRING_NUM, 0, 1 << 20)


def c_vring_index_huge(fe):
    fe.negotiate()
    fe.state(SET_VRING_NUM, 0xFFFFFFFF, 256)


def c_base_beyond(fe):
    fe.negotiate()
    fe.state(SET_VRING_NUM, 0, 256)
    fe.state(SET_VRING_BASE, 0, 0x10000)


def c_get_base_bad_index(fe):
    fe.negotiate()
    fe.state(GET_VRING_BASE, 77, 0)


def c_mem_no_fd(fe):
    fe.negotiate()
    fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0)], [])


def c_mem_fd_count(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0), (GPA + MEM, MEM, UVA + MEM, 0)], [fd])


def c_mem_extra_fds(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0)], [fd, fd, fd])


def c_mem_nregions_huge(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.send(SET_MEM_TABLE, struct.pack("<II", 0xFFFFFFFF, 0) + struct.pack("<QQQQ", GPA, MEM, UVA, 0), [fd])


def c_mem_nregions_nine(fe):
    fe.negotiate()
    fd = fe.memory()
    regs = [(GPA + i * MEM, MEM, UVA + i * MEM, 0) for i in range(9)]
    p = struct.pack("<II", 9, 0) + b"".join(struct.pack("<QQQQ", *r) for r in regs)
    fe.send(SET_MEM_TABLE, p, [fd] * 8)


def c_mem_zero_regions(fe):
    fe.negotiate()
    fe.send(SET_MEM_TABLE, struct.pack("<II", 0, 0))


def c_mem_zero_size(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, 0, UVA, 0)], [fd])


def c_mem_overlap(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0), (GPA + MEM // 2, MEM, UVA + 4 * MEM, 0)], [fd, fd])


def c_mem_overlap_uva(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0), (GPA + 4 * MEM, MEM, UVA + MEM // 2, 0)], [fd, fd])


def c_mem_offset_huge(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0x7FFFFFFFFFFFF000)], [fd])


def c_mem_offset_wrap(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0xFFFFFFFFFFFFF000)], [fd])


def c_mem_gpa_wrap(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(0xFFFFFFFFFFF00000, MEM, UVA, 0)], [fd])


def c_mem_uva_wrap(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, 0xFFFFFFFFFFF00000, 0)], [fd])


def c_mem_beyond_fd(fe):
    # A region bigger than its file: mmap succeeds, touching it is SIGBUS.
    fe.negotiate()
    fd = os.memfd_create("vw-small")
    os.ftruncate(fd, 4096)
    fe.fds.append(fd)
    fe.mem_table([(GPA, MEM, UVA, 0)], [fd])
    fe.mem = None
    # If vmwire took it, point rings into the part beyond the file and kick.
    fe.state(SET_VRING_NUM, 1, NUM)
    fe.state(SET_VRING_BASE, 1, 0)
    fe.send(SET_VRING_ADDR, struct.pack("<IIQQQQ", 1, 0, UVA + 0x10000, UVA + 0x12000, UVA + 0x11000, 0))
    kick = os.eventfd(0)
    fe.fds.append(kick)
    fe.u64(SET_VRING_KICK, 1, [kick])
    fe.state(SET_VRING_ENABLE, 1, 1)
    os.eventfd_write(kick, 1)


def c_mem_not_mappable(fe):
    fe.negotiate()
    r, w = os.pipe()
    fe.fds += [r, w]
    fe.mem_table([(GPA, MEM, UVA, 0)], [r])


def c_ring_outside(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0)], [fd])
    fe.ring(1, desc=0xDEAD0000)
    fe.kick(1)


def c_ring_straddles(fe):
    # The used ring starts inside the region and ends past its end.
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0)], [fd])
    fe.ring(1, used=UVA + MEM - 64)
    fe.kick(1)


def c_ring_unaligned(fe):
    fe.negotiate()
    fd = fe.memory()
    fe.mem_table([(GPA, MEM, UVA, 0)], [fd])
    fe.ring(1, desc=UVA + 0x8000 + 3)
    fe.kick(1)


def c_kick_before_mem(fe):
    fe.negotiate()
    fe.state(SET_VRING_NUM, 1, NUM)
    fe.send(SET_VRING_ADDR, struct.pack("<IIQQQQ", 1, 0, UVA, UVA + 0x2000, UVA + 0x1000, 0))
    kick = os.eventfd(0)
    fe.fds.append(kick)
    fe.u64(SET_VRING_KICK, 1, [kick])
    fe.state(SET_VRING_ENABLE, 1, 1)
    os.eventfd_write(kick, 1)


def c_partial_then_close(fe):
    fe.raw(struct.pack("<II", SET_FEATURES, VERSION))  # 8 of 12 header bytes
    raise Closed("closed by us mid-header")  # not a probe: just hang up


def c_log_base_bogus(fe):
    fe.negotiate()
    a = os.eventfd(0)  # not mappable as a log
    fe.fds.append(a)
    fe.send(SET_LOG_BASE, struct.pack("<QQ", 1 << 40, 1 << 62), [a])


def c_fds_on_owner(fe):
    # fds riding on a request that takes none: vmwire may close the
    # connection or go on, but must not keep them (the shell counts fds).
    fds = [os.eventfd(0) for _ in range(3)]
    fe.fds += fds
    fe.send(SET_OWNER, b"", fds)


def c_config_huge(fe):
    fe.negotiate()
    fe.send(GET_CONFIG, struct.pack("<III", 0, 0xFFFF, 0) + bytes(16))


PROTOCOL = [c_bad_version, c_oversized, c_size_huge, c_unknown_request, c_unknown_need_reply,
            c_request_zero, c_short_u64, c_short_state, c_short_addr, c_long_u64,
            c_too_many_fds, c_kick_no_fd, c_kick_two_fds, c_kick_bad_index, c_num_zero,
            c_num_not_pow2, c_num_huge, c_vring_index_huge, c_get_base_bad_index,
            c_mem_no_fd, c_mem_fd_count, c_mem_extra_fds, c_mem_nregions_huge,
            c_mem_nregions_nine, c_mem_zero_size, c_mem_overlap,
            c_mem_offset_huge, c_mem_offset_wrap, c_mem_gpa_wrap, c_mem_uva_wrap,
            c_mem_beyond_fd, c_mem_not_mappable, c_ring_outside, c_ring_straddles,
            c_log_base_bogus]
# Hang-ups: nothing to probe, the daemon must just live.
HANGUP = [c_partial_then_close, c_kick_before_mem]
# Odd but harmless when handled with care: vmwire may close or go on
# (a REPLY flag it ignores, a base it masks, a misaligned ring it reads
# with memcpy, a config read it clamps; regions whose frontend addresses
# overlap while their guest-physical ranges do not, which only makes
# ring-address translation pick one of two bounds-checked mappings);
# either way it must live.
LENIENT = [c_reply_flag, c_base_beyond, c_ring_unaligned, c_config_huge, c_mem_overlap_uva,
           c_fds_on_owner]


# Ring cases: a good setup, then bad descriptors on the transmit ring (1)
# or the receive ring (0). fn(fe) returns (queue, the used length beyond
# which vmwire has believed a lie, or None).
def r_loop(fe):
    fe.desc(1, 0, GPA + BUF, 64, D_NEXT, 1)
    fe.desc(1, 1, GPA + BUF + 64, 64, D_NEXT, 0)
    fe.avail(1, [0])
    return 1


def r_self_loop(fe):
    fe.desc(1, 5, GPA + BUF, 64, D_NEXT, 5)
    fe.avail(1, [5])
    return 1


def r_next_out_of_range(fe):
    fe.desc(1, 0, GPA + BUF, 64, D_NEXT, 4000)
    fe.avail(1, [0])
    return 1


def r_head_out_of_range(fe):
    fe.desc(1, 0, GPA + BUF, 64)
    fe.avail(1, [9999])
    return 1


def r_addr_outside(fe):
    fe.desc(1, 0, 0x10, 64)
    fe.avail(1, [0])
    return 1


def r_len_lie(fe):
    fe.desc(1, 0, GPA + MEM - 256, 0xFFFFFFF0)
    fe.avail(1, [0])
    return 1


def r_len_wrap(fe):
    fe.desc(1, 0, 0xFFFFFFFFFFFFFF00, 0x200)
    fe.avail(1, [0])
    return 1


def r_zero_len(fe):
    fe.desc(1, 0, GPA + BUF, 0)
    fe.avail(1, [0])
    return 1


def r_chain_huge(fe):
    # A chain of all 256 descriptors summing to 16 MiB: longer than any frame.
    for i in range(NUM):
        fe.desc(1, i, GPA + BUF, 0xFFFF, D_NEXT if i < NUM - 1 else 0, i + 1)
    fe.avail(1, [0])
    return 1


def r_indirect_self(fe):
    # An indirect descriptor whose table is the descriptor table itself.
    fe.desc(1, 0, GPA + 0x8000 + DESC, 16 * NUM, D_INDIRECT)
    fe.avail(1, [0])
    return 1


def r_indirect_loop(fe):
    t = BUF + 0x4000
    struct.pack_into("<QIHH", fe.mem, t, GPA + BUF, 64, D_NEXT, 1)
    struct.pack_into("<QIHH", fe.mem, t + 16, GPA + BUF, 64, D_NEXT, 0)
    fe.desc(1, 0, GPA + t, 32, D_INDIRECT)
    fe.avail(1, [0])
    return 1


def r_indirect_nested(fe):
    t = BUF + 0x4000
    struct.pack_into("<QIHH", fe.mem, t, GPA + t, 16, D_INDIRECT, 0)
    fe.desc(1, 0, GPA + t, 16, D_INDIRECT)
    fe.avail(1, [0])
    return 1


def r_indirect_odd_len(fe):
    t = BUF + 0x4000
    struct.pack_into("<QIHH", fe.mem, t, GPA + BUF, 64, 0, 0)
    fe.desc(1, 0, GPA + t, 17, D_INDIRECT)
    fe.avail(1, [0])
    return 1


def r_indirect_outside(fe):
    fe.desc(1, 0, GPA + MEM - 8, 4096, D_INDIRECT)
    fe.avail(1, [0])
    return 1


def r_avail_jump(fe):
    fe.desc(1, 0, GPA + BUF, 64)
    fe.avail(1, [0], idx=NUM + 1000)
    return 1


def r_tx_write_only(fe):
    # The transmit ring offers only a device-writable buffer.
    fe.desc(1, 0, GPA + BUF, 64, D_WRITE)
    fe.avail(1, [0])
    return 1


def r_rx_read_only(fe):
    # The receive ring offers a buffer vmwire may not write; then traffic.
    fe.desc(0, 0, GPA + BUF, 2048, 0)
    fe.avail(0, [0])
    return 0


def r_rx_avail_jump(fe):
    fe.desc(0, 0, GPA + BUF, 2048, D_WRITE)
    fe.avail(0, [0], idx=0x8000)
    return 0


def r_rx_tiny(fe):
    # Receive buffers smaller than the virtio-net header.
    for i in range(4):
        fe.desc(0, i, GPA + BUF + 64 * i, 4, D_WRITE)
    fe.avail(0, [0, 1, 2, 3])
    return 0


def r_remap_away(fe):
    # A new memory table that no longer holds the rings (use after unmap
    # if vmwire kept the old translation), then a descriptor and a kick.
    fd2 = os.memfd_create("vw-hostile-away")
    os.ftruncate(fd2, MEM)
    fe.fds.append(fd2)
    fe.mem_table([(GPA + 16 * MEM, MEM, UVA + 16 * MEM, 0)], [fd2])
    fe.desc(1, 0, GPA + BUF, 64)
    fe.avail(1, [0])
    return 1


def r_reset_then_kick(fe):
    # RESET_OWNER drops the memory and the rings; a descriptor and a kick
    # on the old eventfd afterwards must touch nothing.
    fe.send(RESET_OWNER)
    fe.desc(1, 0, GPA + BUF, 64)
    fe.avail(1, [0])
    return 1


def r_stop_then_kick(fe):
    # GET_VRING_BASE stops the ring; work queued afterwards is not taken.
    fe.state(GET_VRING_BASE, 1, 0)
    fe.reply(GET_VRING_BASE)
    fe.desc(1, 0, GPA + BUF, 64)
    fe.avail(1, [0])
    return 1


RING = [r_reset_then_kick, r_stop_then_kick, r_loop, r_self_loop, r_next_out_of_range, r_head_out_of_range, r_addr_outside, r_len_lie,
        r_len_wrap, r_zero_len, r_chain_huge, r_indirect_self, r_indirect_loop, r_indirect_nested,
        r_indirect_odd_len, r_indirect_outside, r_avail_jump, r_tx_write_only, r_rx_read_only,
        r_rx_avail_jump, r_rx_tiny, r_remap_away]

# A frontend that shrinks its memfd after SET_MEM_TABLE: the next ring
# access is SIGBUS, which vmwire's guard (ports/guest_mem_guard.c) turns
# into a closed connection instead of a dead daemon.
def x_mem_shrink(fe):
    os.ftruncate(fe.memfd, 4096)
    fe.kick(1)


ALL = {f.__name__[2:]: f for f in PROTOCOL + HANGUP + LENIENT + RING + [x_mem_shrink]}
EXTRA = {}


def alive(path):
    """The daemon answers GET_FEATURES on a fresh connection. vmwire takes
    one frontend at a time, so this connection is closed and given time
    to be noticed before the next case connects."""
    try:
        for attempt in range(10):
            fe = Frontend(path)
            try:
                fe.get_u64(GET_FEATURES)
                return True
            except Closed:
                time.sleep(0.3)  # the previous connection is still going away
            finally:
                fe.close()
        return False
    except (OSError, socket.timeout):
        return False
    finally:
        time.sleep(0.3)


def handshake(path, extra):
    """A good setup for a ring case, on a fresh connection (retried like
    alive(): a connection made while the last one winds down is refused)."""
    for attempt in range(10):
        fe = Frontend(path)
        try:
            fe.setup(extra)
            return fe
        except Closed:
            fe.close()
            time.sleep(0.3)
    raise RuntimeError("vmwire closed 10 good handshakes in a row")


def run_case(path, name, fn, stream_path):
    if fn is r_remap_away:
        fn = None
        try:
            fe = handshake(path, 0)
            r_remap_away(fe)
            fe.kick(1)
            time.sleep(0.3)
            closed = fe.probe()
            fe.close()
            return "ok: %s: %s" % (name, "closed" if closed else "kept")
        except (RuntimeError, Closed) as e:
            return "ok: %s: closed (%s)" % (name, e)
    if fn is x_mem_shrink:
        try:
            fe = handshake(path, 0)
            fn(fe)
            time.sleep(0.5)
            closed = fe.probe()
            fe.close()
            if not closed:
                return "FAIL: %s: the connection survived a shrunk memory file" % name
            return "ok: %s: closed" % name
        except (RuntimeError, Closed) as e:
            return "ok: %s: closed (%s)" % (name, e)
    try:
        fe = handshake(path, F_INDIRECT) if fn in RING else Frontend(path)
    except RuntimeError as e:
        return "FAIL: %s: %s" % (name, e)
    try:
        if fn in RING:
            q = fn(fe)
            fe.kick(q)
            if q == 0 and stream_path:
                # Give vmwire a frame to put in the bad receive buffers.
                st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                st.connect(stream_path)
                f = frame(b"\xff" * 6, STREAM_MAC, b"to the bad rx ring")
                st.sendall(struct.pack(">I", len(f)) + f)
                time.sleep(0.3)
                st.close()
            time.sleep(0.3)
            closed = fe.probe()
            if not closed:
                # Still open: vmwire must not have used a buffer it could
                # not have handled (what it used must fit what was offered).
                if fn in (r_stop_then_kick, r_reset_then_kick) and fe.used_idx(q):
                    return "FAIL: %s: vmwire used a descriptor of a ring it was told to stop" % name
                for k in range(min(fe.used_idx(q), NUM)):
                    head, length = fe.used_elem(q, k)
                    if q == 0 and length > 0:
                        return "FAIL: %s: vmwire wrote %d bytes into a bad receive buffer" % (name, length)
            return "ok: %s: %s" % (name, "closed" if closed else "dropped, connection kept")
        try:
            fn(fe)
        except Closed as e:
            if fn in HANGUP:
                return "ok: %s: %s" % (name, e)
            return "ok: %s: closed while sending (%s)" % (name, e)
        if fn in HANGUP:
            time.sleep(0.3)
            return "ok: %s: sent" % name
        time.sleep(0.1)
        if fe.probe():
            return "ok: %s: closed" % name
        if fn in LENIENT:
            return "ok: %s: accepted, connection kept" % name
        return "FAIL: %s: vmwire answered GET_FEATURES after it instead of closing" % name
    except RuntimeError as e:
        return "FAIL: %s: %s" % (name, e)
    except socket.timeout:
        return "FAIL: %s: vmwire did not answer a handshake message in 5 s" % name
    except Closed as e:
        if fn in RING:
            return "FAIL: %s: closed during the good handshake (%s)" % (name, e)
        return "ok: %s: closed (%s)" % (name, e)
    finally:
        fe.close()


def main():
    if sys.argv[1] == "list":
        print(" ".join(ALL))
        return 0
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "good":
        good(path, sys.argv[3])
        return 0
    stream_path = os.environ.get("VW_STREAM")
    names = sys.argv[3:] or list(ALL)
    bad = 0
    for name in names:
        line = run_case(path, name, ALL.get(name) or EXTRA[name], stream_path)
        if not alive(path):
            line += "; and then the socket refused a connection: vmwire died?"
            print("FAIL: " + line if not line.startswith("FAIL") else line, flush=True)
            return 1
        bad += line.startswith("FAIL")
        print(line, flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
