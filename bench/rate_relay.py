#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# rate_relay.py - a slow guest for bench/nat.sh: a stream-socket relay that
# reads from vmwire's stream port no faster than RATE Mbit/s.
#
# Theory of operation: QEMU stops reading its -netdev stream socket when the
# guest's virtio receive ring is full (a guest under load); the socket's
# buffer and then vmwire's 1 MiB port ring fill, and what vmwire sends
# beyond that is dropped (the stream port's tx_drops) unless its TCP engine
# waits for the port's room. This relay is that reader: it accepts one
# connection on LISTEN (the peer vmwire's -netdev stream,server=off), then
# connects to UPSTREAM (the gateway's -netdev stream,server=on) and copies
# bytes both ways, the gateway -> peer direction paced to RATE Mbit/s (a
# clock-based budget: it never reads ahead of rate * elapsed), the other
# direction (the guest's ACKs) unpaced. It does not parse frames: pacing a
# byte stream is what a slow reader does. It ends when either side closes.
#
# usage: rate_relay.py LISTEN UPSTREAM RATE_MBIT
import socket
import sys
import threading
import time

CHUNK = 16384  # 0.26 ms of wire at 500 Mbit/s: fine-grained pacing
BURST = 0.002  # seconds of unused rate that may be caught up at once


def paced(src, dst, rate_bps):
    start = time.monotonic()
    sent = 0
    while True:
        # sleep until the budget covers what was already passed on
        ahead = sent * 8 / rate_bps - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
        elif ahead < -BURST:
            # idle time is not credit: at most BURST seconds of it (a
            # token bucket's depth), or the first second after an idle
            # minute would pass at wire speed
            start += -ahead - BURST
        data = src.recv(CHUNK)
        if not data:
            break
        dst.sendall(data)
        sent += len(data)
    dst.shutdown(socket.SHUT_WR)


def plain(src, dst):
    while True:
        data = src.recv(65536)
        if not data:
            break
        dst.sendall(data)
    dst.shutdown(socket.SHUT_WR)


def main():
    listen, upstream, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(listen)
    ls.listen(1)
    print("listening", flush=True)
    peer, _ = ls.accept()
    gw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    gw.connect(upstream)
    # a small receive buffer: the gateway's sends meet the pacing soon
    gw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    t = threading.Thread(target=plain, args=(peer, gw), daemon=True)
    t.start()
    try:
        paced(gw, peer, rate * 1e6)
    except OSError:
        pass


if __name__ == "__main__":
    main()
