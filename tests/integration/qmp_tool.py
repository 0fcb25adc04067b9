# SPDX-License-Identifier: MIT
#
# qmp_tool.py - the QMP client side of qmp.sh: a real daemon, driven over
# its -qmp socket the way libvirt drives QEMU's.
#
# Usage: qmp_tool.py QMP_SOCK DIR
# Hot-plugs stream and TAP netdevs and checks that they carry frames and
# show up everywhere (query-ports, human-monitor-command, events), unplugs
# them (connections closed, sockets removed, TAP gone), checks hostfwd-add
# and hostfwd-remove against a real listening socket, QEMU's error classes
# and wording, a back-to-back netdev_del + netdev_add of the same id and
# path in one write, and the limits (garbage, deep nesting, a request over
# 64 KiB). Prints a PASS line per check; exits 1 at the first failure.
import json
import os
import socket
import struct
import subprocess
import sys
import time

qmp_path, tmp = sys.argv[1], sys.argv[2]


def fail(msg):
    print("FAIL: qmp: " + msg)
    sys.exit(1)


def ok(msg):
    print("PASS: " + msg)


class QMP:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.settimeout(10)
        self.buf = b""
        self.events = []

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        ln, self.buf = self.buf.split(b"\n", 1)
        if not ln.endswith(b"\r"):
            fail("message not ended by CR LF: %r" % ln[:80])
        return json.loads(ln)

    def reply(self):
        while True:
            m = self.line()
            if "event" in m:
                self.events.append(m)
                continue
            return m

    def send(self, raw):
        self.s.sendall(raw if isinstance(raw, bytes) else raw.encode())

    def cmd(self, name, args=None, **extra):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        req.update(extra)
        self.send(json.dumps(req) + "\n")
        return self.reply()

    def ret(self, name, args=None):
        r = self.cmd(name, args)
        if "return" not in r:
            fail("%s %s: %s" % (name, args, r))
        return r["return"]

    def err(self, name, args, cls, desc):
        r = self.cmd(name, args)
        e = r.get("error")
        if not e or e["class"] != cls or desc not in e["desc"]:
            fail("%s %s: want %s '%s', got %s" % (name, args, cls, desc, r))

    def wait_event(self, name, port):
        deadline = time.time() + 10
        while time.time() < deadline:
            for e in self.events:
                if e["event"] == name and e["data"].get("port") == port:
                    self.events.remove(e)
                    return e
            try:
                self.s.settimeout(max(0.1, deadline - time.time()))
                m = self.line()
            except socket.timeout:
                break
            finally:
                self.s.settimeout(10)
            if "event" in m:
                self.events.append(m)
            else:
                fail("unexpected reply while waiting for %s: %s" % (name, m))
        fail("no %s event for %s (have %s)" % (name, port, self.events))


def framed(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(10)
    return s


def frame_from(mac):
    return b"\xff" * 6 + bytes.fromhex(mac) + b"\x08\x00" + bytes(46)


def recv_frame(s):
    buf = b""
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
        d = s.recv(65536)
        if not d:
            fail("stream closed before a frame arrived")
        buf += d
    return buf[4:4 + struct.unpack(">I", buf[:4])[0]]


q = QMP(qmp_path)
g = q.line()
if set(g) != {"QMP"} or "qemu" not in g["QMP"]["version"] or g["QMP"]["capabilities"] != []:
    fail("greeting %s" % g)
q.err("query-ports", None, "CommandNotFound", "Expecting capabilities negotiation")
r = q.cmd("qmp_capabilities", id="n1")
if r != {"return": {}, "id": "n1"}:
    fail("qmp_capabilities: %s" % r)
ok("greeting, negotiation, id echoed")

# Hot-plug two stream listeners; a frame crosses between them.
a_sock, b_sock = os.path.join(tmp, "a.sock"), os.path.join(tmp, "b.sock")
for nid, p in (("a", a_sock), ("b", b_sock)):
    q.ret("netdev_add", {"type": "stream", "id": nid, "server": True,
                         "addr": {"type": "unix", "path": p}})
    if not os.path.exists(p):
        fail("netdev_add %s: %s not created" % (nid, p))
sb = framed(b_sock)
q.wait_event("VMWIRE_PORT_UP", "b#1")
sa = framed(a_sock)
q.wait_event("VMWIRE_PORT_UP", "a#1")
sa.sendall(struct.pack(">I", 60) + frame_from("525400aa0001"))
if recv_frame(sb)[6:12] != bytes.fromhex("525400aa0001"):
    fail("frame from a#1 did not reach b#1")
ok("hot-plugged stream netdevs carry a frame, PORT_UP events")

ports = {p["port"]: p for p in q.ret("query-ports")}
if "a#1" not in ports or ports["a#1"]["macs"] != [{"mac": "52:54:00:aa:00:01", "vlan": 1}]:
    fail("query-ports: %s" % ports.get("a#1"))
if ports["a#1"]["stats"]["rx-frames"] != 1 or ports["b#1"]["stats"]["tx-frames"] != 1:
    fail("query-ports counters: %s" % ports)
text = q.ret("human-monitor-command", {"command-line": "info network"})
if "\\ a#1: stream" not in text or "\r\n" not in text:
    fail("human-monitor-command info network: %r" % text)
ok("query-ports (MAC, counters) and human-monitor-command")

# A duplicate id, an unknown type, a bad key: the -netdev parser's errors.
q.err("netdev_add", {"type": "stream", "id": "a", "server": True,
                     "addr": {"type": "unix", "path": os.path.join(tmp, "c.sock")}},
      "GenericError", "duplicate id 'a'")
q.err("netdev_add", {"type": "nope", "id": "c"}, "GenericError", "unknown type 'nope'")
q.err("netdev_add", {"type": "stream", "id": "c", "server": True, "colour": "red",
                     "addr": {"type": "unix", "path": os.path.join(tmp, "c.sock")}},
      "GenericError", "colour")
if os.path.exists(os.path.join(tmp, "c.sock")):
    fail("a refused netdev_add left its socket")
q.err("netdev_del", {"id": "zz"}, "DeviceNotFound", "Device 'zz' not found")
q.err("netdev_del", {}, "GenericError", "Parameter 'id' is missing")
q.err("no-such-command", None, "CommandNotFound", "The command no-such-command has not been found")
ok("netdev_add/netdev_del errors with QEMU's classes")

# Under the sandbox: a TAP (netlink, CAP_NET_ADMIN) is refused with the
# reason; a second gateway, which only opens sockets, starts and serves.
q.err("netdev_add", {"type": "tap", "id": "t0", "ifname": "vwqmp0"}, "GenericError",
      "can't be hot-plugged while the sandbox is on")
q.ret("netdev_add", {"type": "user", "id": "gw2", "net": "10.9.0.0/24",
                     "hostfwd": [{"str": "tcp:127.0.0.1:45124-:22"}]})
flows = q.ret("query-flows", {"netdev": "gw2"})
if [f["host-port"] for f in flows] != [45124] or flows[0]["guest-address"] != "10.9.0.15":
    fail("query-flows of the hot-plugged gateway: %s" % flows)
socket.create_connection(("127.0.0.1", 45124), timeout=5).close()
q.ret("netdev_del", {"id": "gw2"})
q.ret("query-version")  # after the deferred destroy ran
try:
    socket.create_connection(("127.0.0.1", 45124), timeout=5).close()
    fail("netdev_del gw2 left its hostfwd listener open")
except ConnectionRefusedError:
    pass
ok("under the sandbox: TAP refused with the reason, a gateway hot-plugged and removed")

# hostfwd-add opens a real listener, hostfwd-remove closes it.
q.ret("hostfwd-add", {"rule": "tcp:127.0.0.1:45123-:22"})
flows = q.ret("query-flows")
if not any(f["host-port"] == 45123 and f["protocol"] == "tcp" for f in flows):
    fail("query-flows lacks the hostfwd: %s" % flows)
c = socket.create_connection(("127.0.0.1", 45123), timeout=5)
c.close()
q.err("hostfwd-add", {"rule": "tcp:127.0.0.1:45123-:22"}, "GenericError", "")
q.ret("hostfwd-remove", {"rule": "tcp:127.0.0.1:45123"})
try:
    socket.create_connection(("127.0.0.1", 45123), timeout=5).close()
    fail("hostfwd-remove left the listener open")
except ConnectionRefusedError:
    pass
q.err("hostfwd-add", {"netdev": "a", "rule": "tcp::1-:2"}, "DeviceNotFound",
      "no user-mode gateway with id 'a'")
leases = q.ret("query-leases", {"netdev": "gw"})
if leases != []:
    fail("query-leases: %s" % leases)
ok("hostfwd-add/hostfwd-remove, query-flows, query-leases")

# netdev_del: the connection closes, the socket goes, PORT_DOWN.
q.ret("netdev_del", {"id": "a"})
q.wait_event("VMWIRE_PORT_DOWN", "a#1")
sa.settimeout(5)
try:
    while sa.recv(65536):  # frames flooded to it before, then EOF
        pass
except socket.timeout:
    fail("a#1's client still connected after netdev_del")
if os.path.exists(a_sock):
    fail("netdev_del a left %s" % a_sock)
ok("netdev_del closes connections, removes the socket, PORT_DOWN")

# Delete and re-add b (same id, same path) in one write: the second must
# see the first finished.
args = {"type": "stream", "id": "b", "server": True, "addr": {"type": "unix", "path": b_sock}}
q.send(json.dumps({"execute": "netdev_del", "arguments": {"id": "b"}, "id": 1}) +
       json.dumps({"execute": "netdev_add", "arguments": args, "id": 2}) + "\n")
r1, r2 = q.reply(), q.reply()
if r1 != {"return": {}, "id": 1} or r2 != {"return": {}, "id": 2}:
    fail("netdev_del + netdev_add back to back: %s %s" % (r1, r2))
framed(b_sock).close()
ok("netdev_del then netdev_add of the same id and path in one write")

# Limits: garbage, nesting, an oversized request (which ends the session).
q.send("}}}} garbage\n")
r = q.reply()
if r.get("error", {}).get("class") != "GenericError" or "JSON parse error" not in r["error"]["desc"]:
    fail("garbage: %s" % r)
q.send("[" * 100 + "\n")
r = q.reply()
if "JSON parse error" not in r.get("error", {}).get("desc", ""):
    fail("deep nesting: %s" % r)
q.ret("query-version")
q2 = QMP(qmp_path)
q2.line()
q2.cmd("qmp_capabilities")
q2.send('{"execute": "' + "x" * 70000)
try:
    r = q2.reply()
    if "longer than 65536" not in r.get("error", {}).get("desc", ""):
        fail("oversized request: %s" % r)
    while q2.s.recv(65536):
        pass
except (EOFError, ConnectionResetError):
    pass
q.ret("query-version")
ok("garbage, deep nesting and a 70 KB request handled; the daemon answers")
