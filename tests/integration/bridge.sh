#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bridge.sh - -netdev bridge and "vmwire bridge-helper" against a real Linux
# bridge.
#
# This test's private namespace holds br0 (MTU 1400) with a veth into
# namespace c. vmwire puts a TAP on br0 with -netdev bridge next to its
# user-mode gateway: busybox udhcpc in c gets 10.0.2.15 through the bridge
# and downloads 3 MB from a server on 127.0.0.1 via 10.0.2.2 (curl). The
# TAP has br0's MTU, MAC[0] 0xFE and is br0's port. ACL cases: no rule,
# another bridge's allow, deny wins over allow all, include, an unknown
# keyword, a missing file, a missing included file, an include loop, all
# refused at start with the file named; allow all and an included allow
# accepted. bridge-helper called as QEMU calls it (--use-vnet --fd=N
# --br=br0) sends a TAP fd with one byte over the socket: IFF_VNET_HDR
# set, on br0 with its MTU and MAC[0] 0xFE; without --use-vnet no vnet
# header; denied or bad usage exit non-zero with one line on stderr and
# send nothing. Last, QEMU runs it: a busybox guest with -netdev
# bridge,br=br0,helper="vmwire bridge-helper --acl=..." gets a lease from
# vmwire's gateway across br0 and pings namespace c.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/guest.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static curl
T=$VW_TMP
BB=$(command -v busybox) || vw_skip "busybox not found"
vw_netns_add c
NC=$(vw_ns c)
nsc() { ip netns exec "$NC" "$@"; }

ip link add br0 type bridge
ip link add vwbrv0 mtu 1400 type veth peer name vwbrv1 mtu 1400
ip link set vwbrv0 master br0
ip link set br0 mtu 1400
ip link set vwbrv1 netns "$NC"
ip link set vwbrv0 up
ip link set br0 up
nsc ip link set vwbrv1 up

acl() { printf '%s\n' "$2" >"$T/$1"; }
acl ok.conf "# vmwire test
allow br0"
# --- ACL refusals: vmwire must not start, and say why -----------------------
refuse() {
	local what=$1 file=$2 want=$3 rc=0
	"$VMWIRE" -netdev "bridge,id=b,br=br0,acl=$file" >"$T/refuse.log" 2>&1 || rc=$?
	[ $rc -ne 0 ] || vw_fail acl "$what: vmwire started"
	grep -q -- "$want" "$T/refuse.log" || vw_fail acl "$what: no '$want' in: $(cat "$T/refuse.log")"
	[ "$(wc -l <"$T/refuse.log")" -eq 1 ] || vw_fail acl "$what: not one line: $(cat "$T/refuse.log")"
	ip link show master br0 | grep -q vmwire && vw_fail acl "$what: a TAP was left on br0"
	return 0
}
acl none.conf "# nothing"
refuse "no rule" "$T/none.conf" "no allow rule matches"
acl other.conf "allow br1"
refuse "another bridge allowed" "$T/other.conf" "no allow rule matches"
acl denywins.conf "allow all
deny br0"
refuse "deny wins" "$T/denywins.conf" "a deny rule matches"
acl denyall.conf "allow br0
deny all"
refuse "deny all" "$T/denyall.conf" "a deny rule matches"
acl incdeny.conf "allow br0
include $T/denywins.conf"
refuse "deny in an include" "$T/incdeny.conf" "a deny rule matches"
acl unknown.conf "allow br0
permit br0"
refuse "unknown keyword" "$T/unknown.conf" "unknown keyword 'permit'"
refuse "missing file" "$T/nonexistent.conf" "No such file"
acl incmissing.conf "allow br0
include $T/nonexistent.conf"
refuse "missing include" "$T/incmissing.conf" "No such file"
acl loop.conf "include $T/loop.conf"
refuse "include loop" "$T/loop.conf" "nested deeper"
acl noarg.conf "allow"
refuse "no argument" "$T/noarg.conf" "without an argument"
acl long.conf "allow abcdefghijklmnopq"
refuse "name too long" "$T/long.conf" "not an interface name"
vw_pass "ACL: no rule, other bridge, deny wins, deny all, deny via include, unknown keyword, missing file/include, include loop, bad lines all refused"

# --- -netdev bridge next to the gateway -----------------------------------
mkdir -p "$T/www"
head -c 3000000 /dev/urandom >"$T/www/file"
(cd "$T/www" && exec /usr/bin/python3 -m http.server --bind 127.0.0.1 8080) >"$T/http.log" 2>&1 &
vw_on_exit "kill $!"
vw_wait_for sh -c 'ss -ltn | grep -q "127.0.0.1:8080 "' || vw_fail http "server did not come up"
acl inc.conf "include $T/ok.conf"
# max-macs-per-port=1: were the bridge port held to port security, the
# second MAC behind it (c's, after the TAP's own) could not get a lease.
vw_start sw -switch id=s1,max-macs-per-port=1 \
	-netdev "bridge,id=b,br=br0,acl=$T/inc.conf,ifname=vwbrtap0,switch=s1" \
	-netdev user,id=gw,switch=s1 -monitor "unix:$T/mon.sock,server=on,wait=off"
ip -d link show vwbrtap0 >"$T/tap.txt"
grep -q 'master br0' "$T/tap.txt" || vw_fail bridge "TAP not on br0: $(cat "$T/tap.txt")"
grep -q 'mtu 1400' "$T/tap.txt" || vw_fail bridge "TAP MTU not br0's 1400: $(cat "$T/tap.txt")"
grep -q 'link/ether fe:' "$T/tap.txt" || vw_fail bridge "TAP MAC[0] not 0xfe: $(cat "$T/tap.txt")"
"$VMWIRE" ctl "$T/mon.sock" info network >"$T/info"
grep -q 'vwbrtap0 on bridge br0' "$T/info" || vw_fail bridge "info network: $(cat "$T/info")"
vw_pass "-netdev bridge: TAP on br0 with MTU 1400, MAC fe:..., ACL allowed through an include"

cat >"$T/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$subnet" dev "$interface"
	ip route add default via "$router" dev "$interface"
	;;
esac
exit 0
SCRIPT
chmod +x "$T/udhcpc.sh"
nsc timeout 30 "$BB" udhcpc -i vwbrv1 -s "$T/udhcpc.sh" -q -n -f -t 5 -T 2 \
	>"$T/udhcpc.log" 2>&1 || vw_fail dhcp "no lease through br0: $(cat "$T/udhcpc.log")"
nsc ip -o addr show vwbrv1 | grep -q 10.0.2.15 || vw_fail dhcp "no 10.0.2.15 in c"
nsc ping -c 2 -W 2 10.0.2.2 >/dev/null || vw_fail dhcp "no ping to the gateway across br0"
nsc timeout 30 curl -sS -o "$T/got" http://10.0.2.2:8080/file 2>"$T/curl.err" ||
	vw_fail data "curl via 10.0.2.2: $(cat "$T/curl.err")"
cmp -s "$T/got" "$T/www/file" || vw_fail data "3 MB arrived altered"
"$VMWIRE" ctl "$T/mon.sock" info network >"$T/info"
grep -q 'port security' "$T/info" && vw_fail bridge "port security dropped frames on the uplink: $(cat "$T/info")"
vw_pass "namespace c on br0: DHCP lease 10.0.2.15 from vmwire's gateway, ping, 3 MB by curl intact (an uplink: 2+ MACs on a max-macs-per-port=1 switch)"

# --- bridge-helper as QEMU calls it ----------------------------------------
cat >"$T/helper.py" <<'PYEOF'
import array, fcntl, os, socket, struct, subprocess, sys
vmwire, acl, use_vnet = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
args = [vmwire, "bridge-helper"] + (["--use-vnet"] if use_vnet else []) + \
    ["--fd=%d" % b.fileno(), "--br=br0", "--acl=" + acl]
p = subprocess.run(args, pass_fds=[b.fileno()], stderr=subprocess.PIPE)
b.close()
if p.returncode != 0:
    print("EXIT", p.returncode, p.stderr.decode().strip())
    a.settimeout(1)
    try:
        msg = a.recvmsg(1, socket.CMSG_SPACE(4))
        if msg[0] or msg[1]:
            print("SENT", len(msg[0]), len(msg[1]))
    except (socket.timeout, OSError):
        pass
    sys.exit(0)
msg, anc, flags, _ = a.recvmsg(16, socket.CMSG_SPACE(4))
if len(msg) != 1 or len(anc) != 1 or anc[0][1] != socket.SCM_RIGHTS:
    sys.exit("FAIL: got %r %r" % (msg, anc))
fd = struct.unpack("i", anc[0][2][:4])[0]
ifr = fcntl.ioctl(fd, 0x800454d2, b"\0" * 40)  # TUNGETIFF
name = ifr[:16].split(b"\0")[0].decode()
fl, = struct.unpack("H", ifr[16:18])
print("OK", name, "vnet" if fl & 0x4000 else "novnet", "tap" if fl & 0x2 else "notap")
out = subprocess.run(["ip", "-d", "link", "show", name], capture_output=True, text=True).stdout
print("LINK", " ".join(out.split()))
os.close(fd)
PYEOF
/usr/bin/python3 "$T/helper.py" "$VMWIRE" "$T/ok.conf" 1 >"$T/h1" 2>&1 || vw_fail helper "$(cat "$T/h1")"
grep -q '^OK .* vnet tap' "$T/h1" || vw_fail helper "--use-vnet: $(cat "$T/h1")"
grep -q 'mtu 1400 .*master br0' "$T/h1" || vw_fail helper "not on br0 with mtu 1400: $(cat "$T/h1")"
grep -q 'link/ether fe:' "$T/h1" || vw_fail helper "MAC[0] not 0xfe: $(cat "$T/h1")"
/usr/bin/python3 "$T/helper.py" "$VMWIRE" "$T/ok.conf" 0 >"$T/h2" 2>&1 || vw_fail helper "$(cat "$T/h2")"
grep -q '^OK .* novnet tap' "$T/h2" || vw_fail helper "without --use-vnet: $(cat "$T/h2")"
/usr/bin/python3 "$T/helper.py" "$VMWIRE" "$T/denywins.conf" 1 >"$T/h3" 2>&1 || vw_fail helper "$(cat "$T/h3")"
grep -q '^EXIT 1 vmwire bridge-helper: bridge br0: access denied' "$T/h3" || vw_fail helper "denied: $(cat "$T/h3")"
grep -q '^SENT' "$T/h3" && vw_fail helper "denied, yet it sent something: $(cat "$T/h3")"
rc=0
"$VMWIRE" bridge-helper --use-vnet --br=br0 2>"$T/h4" || rc=$?
[ $rc = 2 ] && grep -q 'required' "$T/h4" || vw_fail helper "no --fd: rc $rc, $(cat "$T/h4")"
rc=0
"$VMWIRE" bridge-helper --fd=99 --br=br0 --bogus 2>"$T/h5" || rc=$?
[ $rc = 2 ] && grep -q "unknown argument '--bogus'" "$T/h5" || vw_fail helper "bad arg: rc $rc, $(cat "$T/h5")"
vw_pass "bridge-helper: one byte + the TAP fd (vnet header with --use-vnet only), on br0 with its MTU and MAC fe:..; denied and bad usage exit non-zero, sending nothing"

# --- QEMU runs the helper ---------------------------------------------------
vw_guest_build
vw_guest_run vm1 "bridge,id=n0,br=br0,helper=$VMWIRE bridge-helper --acl=$T/ok.conf" \
	"virtio-net-pci,netdev=n0,mac=52:54:00:b7:1d:01" vw.dhcp=1 vw.timeout=240 \
	"$(vw_guest_cmd 'ping_until 10.0.2.2 120 || exit 1
ping -c 3 -W 2 10.0.2.15 >/dev/null || { echo "VWTEST-INFO no ping to namespace c"; exit 1; }')"
if ! vw_guest_result vm1 300; then
	grep VWTEST "$T/vm1.log" >&2 || true
	cat "$T/vm1.qemu.log" >&2 || true
	vw_fail qemu "the guest on -netdev bridge,helper=vmwire bridge-helper failed"
fi
grep -q '^VWTEST-DHCP ip=10.0.2.16 ' "$T/vm1.log" || vw_fail qemu "lease: $(grep VWTEST-DHCP "$T/vm1.log")"
vw_pass "QEMU -netdev bridge with helper=\"vmwire bridge-helper\": guest leases 10.0.2.16 across br0 and pings namespace c"
vw_stop sw
vw_pass bridge
