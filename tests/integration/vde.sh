#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vde.sh - VDE, both ends, against the real VDE tools (vde2, vdeplug4).
#
# 1. vmwire's -netdev vde-switch serves DIR; vde_plug (vdeplug4) plugs a
#    TAP in namespace b into it ("vde_plug vde://DIR tap://IF"), and a
#    vmwire TAP in namespace a sits on the same switch: the two kernel
#    stacks ping and move 2 MiB over TCP intact.
# 2. Hostile control requests (bad magic, bad version, short, oversized
#    description, NEW_PORT0 with a port, a path that is a regular file, a
#    symlink to a socket, a socket of another user named by a non-root
#    client, a connection that never writes) are refused by closing, and
#    the daemon goes on: a well-formed python client still gets a port,
#    exchanges frames byte for byte with vde_plug's side, and its port goes
#    away when its control connection closes.
# 3. A QEMU busybox guest with -netdev vde,sock=DIR gets a DHCP lease from
#    vmwire's gateway on that switch and pings it.
# 4. vmwire as a client (-netdev vde) of a real vde_switch reaches another
#    client of that vde_switch (vde_plug with a TAP in namespace c).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tcp_copy.sh"
. "$(dirname "$0")/../lib/guest.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs vde2 vdeplug iproute2
T=$VW_TMP
vw_netns_add a
vw_netns_add b
NA=$(vw_ns a)
NB=$(vw_ns b)
SW=$T/sw

vw_start sw -netdev "vde-switch,id=vs,sock=$SW,mode=0666,group=nogroup,max-ports=8" \
	-netdev "tap,id=t0,ifname=vwvdea0,netns=$NA" \
	-netdev "user,id=gw" -monitor "unix:$T/mon.sock,server=on,wait=off"
[ -S "$SW/ctl" ] || vw_fail vde-switch "no $SW/ctl"
[ "$(stat -c %a "$SW/ctl")" = 666 ] || vw_fail vde-switch "ctl mode $(stat -c %a "$SW/ctl"), not 666"
[ "$(stat -c %a "$SW")" = 3777 ] || vw_fail vde-switch "DIR mode $(stat -c %a "$SW"), not 3777 (sticky, set-group-ID)"
[ "$(stat -c %G "$SW/ctl")" = nogroup ] || vw_fail vde-switch "ctl group $(stat -c %G "$SW/ctl"), not nogroup"

ip netns exec "$NB" vde_plug "vde://$SW" tap://vwvdeb0 >"$T/plug.log" 2>&1 &
PLUG=$!
vw_on_exit "kill $PLUG 2>/dev/null; true"
vw_wait_for ip -n "$NB" link show vwvdeb0 || vw_fail vde_plug "no tap from vde_plug: $(cat "$T/plug.log")"
ip -n "$NA" addr add 10.0.2.201/24 dev vwvdea0
ip -n "$NA" link set vwvdea0 up
ip -n "$NB" addr add 10.0.2.202/24 dev vwvdeb0
ip -n "$NB" link set vwvdeb0 up
vw_wait_for ip netns exec "$NA" ping -c1 -W1 10.0.2.202 ||
	vw_fail vde_plug "no ping between a vmwire TAP and vde_plug's TAP"
ls -la "$SW" >"$T/swdir"
# (its mode is libvdeplug's to change: as root it chmods our socket to its own mode)
grep -q '^s.* nogroup .* \.vw-001-' "$T/swdir" ||
	vw_fail vde-switch "the port's data socket is not in group nogroup: $(cat "$T/swdir")"
vw_pass "vde_plug (vdeplug4) on vmwire's vde-switch: ping (sockets in group nogroup, made after the sandbox)"

vw_tcp_copy vde_plug 2097152 "$NA" "$NB" 10.0.2.202
vw_pass "vde_plug: 2 MiB TCP transfer intact"

# --- hostile and well-formed requests from python ------------------------
cat >"$T/client.py" <<'PYEOF'
import os, socket, struct, sys, time
sw, mode = sys.argv[1], sys.argv[2]
ctl = sw + "/ctl"
def sun(path):
    b = path.encode()
    return struct.pack("=H", socket.AF_UNIX) + b + b"\0" * (108 - len(b))
def req(path, magic=0xfeedface, version=3, typ=0, descr=b"vwtest"):
    return struct.pack("=III", magic, version, typ) + sun(path) + descr
def refused(what, data, path=None):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.settimeout(8); c.connect(ctl)
    if data is not None:
        c.send(data)
    try:
        got = c.recv(200)
    except socket.timeout:
        sys.exit("FAIL %s: neither answered nor closed" % what)
    if got:
        sys.exit("FAIL %s: answered %d bytes" % (what, len(got)))
    print("refused:", what)
def dsock(name):
    p = os.path.join(sw, name)
    try: os.unlink(p)
    except FileNotFoundError: pass
    d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d.bind(p); return d, p
if mode == "hostile":
    d, p = dsock("py-h")
    refused("bad magic", req(p, magic=0xfeedfacf))
    refused("version 2", req(p, version=2))
    refused("short", req(p)[:100])
    refused("description over 128 bytes", req(p, descr=b"x" * 129))
    refused("unknown type", req(p, typ=7))
    refused("NEW_PORT0 with a port", req(p, typ=1 | 3 << 8))
    refused("port over max-ports", req(p, typ=9 << 8))
    refused("relative path", req("relative/sock"))
    open(sw + "/plain", "w").close()
    refused("path is a regular file", req(sw + "/plain"))
    os.symlink(p, sw + "/link")
    refused("path is a symlink", req(sw + "/link"))
    refused("path missing", req(sw + "/nothing"))
    refused("empty path", struct.pack("=III", 0xfeedface, 3, 0) + b"\1\0" + b"\0" * 108)
    refused("no request (timeout)", None)
elif mode == "foreign":
    # run as nobody: names a socket owned by root
    refused("socket owned by another user", req(sys.argv[3]))
elif mode == "good":
    d, p = dsock("py-g")
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.settimeout(5); c.connect(ctl)
    c.send(req(p, typ=5 << 8, descr=b"x" * 128))
    ans = c.recv(200)
    if len(ans) != 110:
        sys.exit("FAIL good: answer of %d bytes, not a 110-byte sockaddr_un" % len(ans))
    fam, = struct.unpack("=H", ans[:2])
    there = ans[2:].split(b"\0")[0].decode()
    if fam != socket.AF_UNIX or not there.startswith(sw + "/"):
        sys.exit("FAIL good: answer %r" % ans)
    d.connect(there); d.settimeout(5)
    os.unlink(p)
    # an IPv4 ping from 10.0.2.203 to the vde_plug TAP in namespace b
    mine = bytes.fromhex("02aabbccdd05")
    arp = b"\xff" * 6 + mine + b"\x08\x06" + bytes.fromhex("0001080006040001") + mine + \
        socket.inet_aton("10.0.2.203") + b"\0" * 6 + socket.inet_aton("10.0.2.202")
    deadline = time.time() + 10
    while time.time() < deadline:
        d.send(arp)
        try:
            f = d.recv(70000)
        except socket.timeout:
            continue
        if f[12:14] == b"\x08\x06" and f[20:22] == b"\0\2" and f[28:32] == socket.inet_aton("10.0.2.202"):
            print("arp reply from", f[6:12].hex())
            break
    else:
        sys.exit("FAIL good: no ARP reply from 10.0.2.202 through the vde port")
    time.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 0)
    c.close()
PYEOF
chmod 711 "$T" # nobody's client below reaches DIR and reads the script
chmod 644 "$T/client.py"
/usr/bin/python3 "$T/client.py" "$SW" hostile >"$T/hostile.log" 2>&1 ||
	vw_fail hostile "$(cat "$T/hostile.log")"
# another user's socket: root's, named by nobody
/usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(sys.argv[1])' "$SW/root-owned"
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$T/client.py" "$SW" foreign \
	"$SW/root-owned" >>"$T/hostile.log" 2>&1 || vw_fail hostile "$(cat "$T/hostile.log")"
n=$(grep -c '^refused:' "$T/hostile.log")
[ "$n" = 14 ] || vw_fail hostile "$n of 14 hostile requests refused: $(cat "$T/hostile.log")"
kill -0 "${VW_PID[sw]}" || vw_fail hostile "daemon died"
"$VMWIRE" ctl "$T/mon.sock" info network >"$T/info"
grep -q '14 clients refused' "$T/info" || vw_fail hostile "refusals not counted: $(cat "$T/info")"
vw_pass "vde-switch refused 14 hostile control requests, counted them, and lives"

/usr/bin/python3 "$T/client.py" "$SW" good 2 >"$T/good.log" 2>&1 &
good=$!
vw_wait_for -t 10 sh -c "'$VMWIRE' ctl '$T/mon.sock' info network | grep -q 'vs#5'" ||
	vw_fail good "no port vs#5 for the python client: $(cat "$T/good.log")"
wait $good || vw_fail good "$(cat "$T/good.log")"
vw_pass "a python client asking for port 5 got vs#5, its answer, and an ARP reply from vde_plug's side"
vw_wait_for sh -c "! '$VMWIRE' ctl '$T/mon.sock' info network | grep -q 'vs#5'" ||
	vw_fail good "vs#5 stayed after its control connection closed"
vw_pass "closing the control connection removed the port"

# --- a QEMU guest on -netdev vde,sock=DIR ---------------------------------
vw_guest_build
vw_guest_run vm1 "vde,id=n0,sock=$SW" "virtio-net-pci,netdev=n0,mac=52:54:00:76:de:01" \
	vw.dhcp=1 vw.timeout=240 "$(vw_guest_cmd 'ping_until 10.0.2.2 120 || exit 1
ping -c 3 -W 2 10.0.2.201 >/dev/null || { echo "VWTEST-INFO no ping to the vmwire TAP"; exit 1; }')"
if ! vw_guest_result vm1 300; then
	grep VWTEST "$T/vm1.log" >&2 || true
	cat "$T/vm1.qemu.log" >&2 || true
	vw_fail qemu "the guest on -netdev vde could not use the gateway"
fi
lease=$(grep -m1 '^VWTEST-DHCP ' "$T/vm1.log" | tr -d '\r')
case " $lease " in
*" ip=10.0.2.15 "*" router=10.0.2.2 "*) ;;
*) vw_fail qemu "unexpected lease: $lease" ;;
esac
grep -q 'port [0-9]* for pid [0-9]* uid 0 ("QEMU' "$T/sw.log" ||
	vw_fail qemu "QEMU's client did not show up as a vde-switch port"
vw_pass "QEMU -netdev vde,sock=DIR on vmwire: DHCP lease 10.0.2.15 from the gateway, pings 10.0.2.2 and a TAP"

# --- vmwire as a client of a real vde_switch ------------------------------
vw_netns_add c
vw_netns_add d
NC=$(vw_ns c)
ND=$(vw_ns d)
RSW=$T/rsw
vde_switch -s "$RSW" -d -p "$T/vde_switch.pid" >"$T/vde_switch.log" 2>&1 ||
	vw_fail vde_switch "did not start: $(cat "$T/vde_switch.log")"
vw_on_exit 'kill "$(cat "$VW_TMP/vde_switch.pid")" 2>/dev/null; true'
vw_wait_for test -S "$RSW/ctl" || vw_fail vde_switch "no $RSW/ctl"
ip netns exec "$NC" vde_plug "vde://$RSW" tap://vwvdec0 >"$T/plug2.log" 2>&1 &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for ip -n "$NC" link show vwvdec0 || vw_fail vde_switch "no tap from vde_plug: $(cat "$T/plug2.log")"
vw_start cl -netdev "vde,id=v,sock=$RSW,port=4" -netdev "tap,id=t,ifname=vwvded0,netns=$ND" \
	-monitor "unix:$T/cl.sock,server=on,wait=off"
ip -n "$NC" addr add 10.7.0.1/24 dev vwvdec0
ip -n "$NC" link set vwvdec0 up
ip -n "$ND" addr add 10.7.0.2/24 dev vwvded0
ip -n "$ND" link set vwvded0 up
vw_wait_for ip netns exec "$ND" ping -c1 -W1 10.7.0.1 ||
	vw_fail client "vmwire's TAP cannot reach vde_plug's TAP through vde_switch"
ip netns exec "$ND" ping -c 20 -i 0.05 -s 1400 -W 2 10.7.0.1 >"$T/ping" ||
	vw_fail client "large pings lost: $(tail -2 "$T/ping")"
"$VMWIRE" ctl "$T/cl.sock" info network >"$T/clinfo"
grep -q "vde_switch $RSW, port 4 " "$T/clinfo" || vw_fail client "not on port 4: $(cat "$T/clinfo")"
vw_pass "vmwire -netdev vde,port=4 on a real vde_switch reaches vde_plug's TAP (ping, 1400-byte pings)"

# the switch going away takes the port down; the daemon lives
kill "$(cat "$T/vde_switch.pid")"
vw_wait_for sh -c "'$VMWIRE' ctl '$T/cl.sock' info network | grep -q 'down: vde_switch'" ||
	vw_fail client "port not down after vde_switch exited: $("$VMWIRE" ctl "$T/cl.sock" info network)"
grep -q "the port is down and stays down (-netdev vde does not reconnect" "$T/cl.log" ||
	vw_fail client "the log does not say the port stays down: $(cat "$T/cl.log")"
vw_stop cl
vw_pass "vde_switch exiting takes the client port down (the log says it stays down), vmwire stops cleanly"
vw_stop sw
vw_pass vde
