#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# gw_tcp_more.py - endpoints for gw_tcp_more.sh.
#
#   unix-sink PATH            accept forever on a unix socket: read to EOF,
#                             reply hex sha256, close
#   echo HOST PORT BYTES      send BYTES random bytes, half-close, expect
#                             them back (cmd:cat) intact before EOF
#   banner HOST PORT TEXT     expect exactly TEXT then EOF
#   ident PORT TEXT           accept forever: send TEXT, close
#   whois HOST PORT           print what the server sends before EOF
#   limit HOST PORT N         with a gateway at max-tcp-flows=N: N held
#                             connections, the N+1st refused at once, the
#                             held ones still carry data, then new ones work
#   rst HOST PORT             connect, 2 s later close with a RST (linger 0)
import hashlib, os, socket, struct, sys, threading, time



def put(host, port, total):
    c = socket.create_connection((host, port), timeout=30)
    data = os.urandom(total)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    got = read_to_eof(c).decode()
    c.close()
    if got != hashlib.sha256(data).hexdigest():
        raise SystemExit(f"put: sha256 mismatch, peer saw {got!r}")


def unix_sink(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    s.bind(path)
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=sink_one, args=(c,), daemon=True).start()


def sink_one(c):
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(f"unix-sink: {n} bytes", flush=True)
    c.sendall(h.hexdigest().encode())
    c.close()


def echo(host, port, total):
    c = socket.create_connection((host, port), timeout=30)
    data = os.urandom(total)
    got = bytearray()

    def reader():
        while True:
            b = c.recv(1 << 20)
            if not b:
                return
            got.extend(b)
    t = threading.Thread(target=reader)
    t.start()
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    t.join(60)
    c.close()
    if bytes(got) != data:
        raise SystemExit(f"echo: sent {len(data)} got {len(got)} bytes, "
                         f"{'equal prefix' if data.startswith(bytes(got)) else 'different'}")


def read_to_eof(c):
    out = b""
    while True:
        b = c.recv(65536)
        if not b:
            return out
        out += b


def banner(host, port, text):
    c = socket.create_connection((host, port), timeout=10)
    got = read_to_eof(c).decode(errors="replace")
    c.close()
    if got != text + "\n":
        raise SystemExit(f"banner: got {got!r}")


def ident(port, text):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.sendall(text.encode())
        c.close()


def whois(host, port):
    c = socket.create_connection((host, port), timeout=10)
    print(read_to_eof(c).decode(errors="replace"))
    c.close()


def limit(host, port, n):
    held = [socket.create_connection((host, port), timeout=10) for _ in range(n)]
    for c in held:
        c.sendall(b"x" * 1000)
    t0 = time.monotonic()
    try:
        socket.create_connection((host, port), timeout=10).close()
        raise SystemExit(f"limit: connection {n + 1} was accepted")
    except ConnectionRefusedError:
        if time.monotonic() - t0 > 3:
            raise SystemExit("limit: refused only after 3 s")
    # the held flows keep working after the refusal
    for c in held:
        c.sendall(b"y" * 100000)
        c.shutdown(socket.SHUT_WR)
        d = read_to_eof(c).decode()
        want = hashlib.sha256(b"x" * 1000 + b"y" * 100000).hexdigest()
        if d != want:
            raise SystemExit(f"limit: a held flow's sha256 is {d!r}")
        c.close()
    # the slots come back once those flows are through
    deadline = time.monotonic() + 10
    while True:
        try:
            put(host, port, 4096)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise SystemExit("limit: still refused 10 s after the flows closed")
            time.sleep(0.2)
    again = [socket.create_connection((host, port), timeout=10) for _ in range(n)]
    for c in again:
        c.close()


def rst(host, port):
    c = socket.create_connection((host, port), timeout=10)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(2)
    c.close()


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "unix-sink":
        unix_sink(a[0])
    elif cmd == "echo":
        echo(a[0], int(a[1]), int(a[2]))
    elif cmd == "banner":
        banner(a[0], int(a[1]), a[2])
    elif cmd == "ident":
        ident(int(a[0]), a[1])
    elif cmd == "whois":
        whois(a[0], int(a[1]))
    elif cmd == "limit":
        limit(a[0], int(a[1]), int(a[2]))
    elif cmd == "rst":
        rst(a[0], int(a[1]))
    else:
        raise SystemExit("unknown command")


main()
