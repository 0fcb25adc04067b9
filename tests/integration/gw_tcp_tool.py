#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# gw_tcp_tool.py - TCP endpoints for gw_tcp_namespace.sh. Every transfer
# is checked end to end by SHA-256 exchanged over the same connection after
# a half-close, so both directions of FIN are exercised too.
#
#   sink PORT            accept forever: read to EOF, reply hex sha256, close
#   source PORT BYTES    accept forever: send BYTES random bytes, shut down
#                        writing, read the peer's sha256, log match/MISMATCH
#   put HOST PORT BYTES  send BYTES, shut down writing, compare sha256 reply
#   get HOST PORT        read to EOF, send our sha256, print size and sha256
#   many HOST PORT N BYTES  N parallel puts
#   refused HOST PORT    expect ECONNREFUSED within 5 s
import hashlib, os, socket, sys, threading, time

CHUNK = 1 << 16


def serve(port, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(512)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def read_text(c):
    out = b""
    while len(out) < 4096:
        b = c.recv(4096)
        if not b:
            break
        out += b
    return out.decode(errors="replace")


def read_all(c):
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            return h.hexdigest(), n
        h.update(b)
        n += len(b)


def send_random(c, total):
    h = hashlib.sha256()
    left = total
    while left:
        b = os.urandom(min(CHUNK, left))
        c.sendall(b)
        h.update(b)
        left -= len(b)
    return h.hexdigest()


def sink(c):
    d, n = read_all(c)
    print(f"sink: {n} bytes {d}", flush=True)
    c.sendall(d.encode())
    c.close()


def source(total):
    def h(c):
        d = send_random(c, total)
        c.shutdown(socket.SHUT_WR)
        peer = read_text(c)
        print(f"source: {'match' if peer == d else 'MISMATCH'} {d} {peer}", flush=True)
        c.close()
    return h


def put(host, port, total):
    c = socket.create_connection((host, port), timeout=60)
    d = send_random(c, total)
    c.shutdown(socket.SHUT_WR)
    got = read_text(c)
    c.close()
    if got != d:
        raise SystemExit(f"put: sha256 mismatch: sent {d} peer saw {got}")


def get(host, port):
    c = socket.create_connection((host, port), timeout=60)
    d, n = read_all(c)
    c.sendall(d.encode())
    c.close()
    print(n, d)


def main():
    cmd = sys.argv[1]
    if cmd == "sink":
        serve(int(sys.argv[2]), sink)
    elif cmd == "source":
        serve(int(sys.argv[2]), source(int(sys.argv[3])))
    elif cmd == "put":
        put(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "get":
        get(sys.argv[2], int(sys.argv[3]))
    elif cmd == "many":
        host, port, n, total = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        errs = []

        def one():
            try:
                put(host, port, total)
            except BaseException as e:  # SystemExit included
                errs.append(str(e))
        ts = [threading.Thread(target=one) for _ in range(n)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errs:
            raise SystemExit(f"many: {len(errs)} of {n} failed: {errs[0]}")
    elif cmd == "refused":
        t0 = time.monotonic()
        try:
            socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=10)
        except ConnectionRefusedError:
            dt = time.monotonic() - t0
            if dt > 5:
                raise SystemExit(f"refused only after {dt:.1f} s")
            return
        except OSError as e:
            raise SystemExit(f"expected connection refused, got {e}")
        raise SystemExit("connection was accepted")
    else:
        raise SystemExit("unknown command")


main()
