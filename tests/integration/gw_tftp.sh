#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_tftp.sh - the gateway's TFTP server (tftp=DIR) to clients nobody here
# wrote, in a namespace behind a TAP port: udhcpc is told the boot file and
# server (options 66/67, BOOTP file/sname, next-server); tftp-hpa, atftp
# (blksize 1428, windowsize 8), curl (--tftp-blksize) and busybox tftp fetch
# files of 0, 511, 512, 513 B and 3 MiB, sha256-checked; a 40 MiB file
# (81920 blocks of 512 B: the block number wraps past 65535) by tftp-hpa,
# which negotiates nothing and takes the rollover; traversal (../, an
# absolute path, a symlink out, a FIFO, a device, a directory) and write
# requests refused; max-tftp-transfers honoured (a request beyond it is
# answered with an error, logged once); info usernet shows the counters.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static curl tftp-hpa atftp
vw_tmpdir

T=gw_tftp
BB=$(command -v busybox) || vw_skip "busybox not found"
MON=$VW_TMP/mon.sock
D=$VW_TMP/tftp
mkdir -p "$D/sub" "$VW_TMP/out" "$VW_TMP/outside"
: >"$D/empty"
for n in 511 512 513; do head -c $n /dev/urandom >"$D/f$n"; done
head -c $((3 << 20)) /dev/urandom >"$D/sub/f3m"
head -c $((40 << 20)) /dev/urandom >"$D/f40m"
echo secret >"$VW_TMP/outside/secret"
ln -s "$VW_TMP/outside/secret" "$D/link-out"
ln -s ../f511 "$D/sub/link-in"
mkfifo "$D/fifo"
mknod "$D/null" c 1 3
chmod 755 "$VW_TMP"

vw_netns_add ns
NS=$(vw_ns ns)
nsx() { ip netns exec "$NS" "$@"; }

vw_start gw -monitor "unix:$MON,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw0,netns="$NS" \
	-netdev user,id=gw,tftp="$D",bootfile=boot.ipxe,tftp-server-name=boot.test,max-tftp-transfers=4

cat >"$VW_TMP/udhcpc.sh" <<SCRIPT
#!/bin/sh
env | grep -E '^(ip|siaddr|sname|boot_file|bootfile|tftp)=' >"$VW_TMP/lease.\$1"
case "\$1" in
bound|renew)
	ip addr flush dev "\$interface"
	ip addr add "\$ip/\$subnet" dev "\$interface"
	;;
esac
exit 0
SCRIPT
chmod +x "$VW_TMP/udhcpc.sh"
nsx timeout 30 "$BB" udhcpc -i vw0 -s "$VW_TMP/udhcpc.sh" -q -n -f -t 5 -T 2 \
	-O tftp -O bootfile >"$VW_TMP/udhcpc.log" 2>&1 ||
	vw_fail $T "udhcpc got no lease: $(cat "$VW_TMP/udhcpc.log")"
L=$VW_TMP/lease.bound
for want in ip=10.0.2.15 siaddr=10.0.2.2 boot_file=boot.ipxe sname=boot.test \
	bootfile=boot.ipxe tftp=boot.test; do
	grep -qx "$want" "$L" || vw_fail $T "lease lacks '$want': $(tr '\n' ' ' <"$L")"
done
vw_pass "$T: DHCP names the boot file and server (options 66/67, file, sname, siaddr)"

sumof() { sha256sum <"$1" | cut -d' ' -f1; }
same() { # same SRC GOT CLIENT
	[ -f "$2" ] || vw_fail $T "$3: $(basename "$1") not fetched"
	[ "$(sumof "$1")" = "$(sumof "$2")" ] || vw_fail $T "$3: $(basename "$1") differs"
}
O=$VW_TMP/out
fetch_all() { # CLIENT FUNCTION
	local f
	for f in empty f511 f512 f513 sub/f3m; do
		rm -f "$O/got"
		"$2" "$f" "$O/got" >"$VW_TMP/$1.log" 2>&1 ||
			vw_fail $T "$1 get $f: $(tail -3 "$VW_TMP/$1.log")"
		same "$D/$f" "$O/got" "$1"
	done
}

hpa() { (cd "$O" && nsx timeout 60 tftp -m binary 10.0.2.2 -c get "$1" "$2") &&
	! grep -q "Error\|error" "$VW_TMP/hpa.log"; }
fetch_all hpa hpa
vw_pass "$T: tftp-hpa: 0, 511, 512, 513 B and 3 MiB intact"

atftp_get() { nsx timeout 60 atftp --option "blksize 1428" --option "windowsize 8" \
	-g -r "$1" -l "$2" 10.0.2.2; }
fetch_all atftp atftp_get
vw_pass "$T: atftp blksize 1428 windowsize 8: all sizes intact"

curl_get() { nsx timeout 60 curl -sS --tftp-blksize 1024 -o "$2" "tftp://10.0.2.2/$1"; }
fetch_all curl curl_get
vw_pass "$T: curl --tftp-blksize 1024: all sizes intact"

bb_get() { nsx timeout 60 "$BB" tftp -g -r "$1" -l "$2" 10.0.2.2; }
fetch_all busybox bb_get
bb_big() { nsx timeout 60 "$BB" tftp -b 1468 -g -r "$1" -l "$2" 10.0.2.2; }
fetch_all busybox-1468 bb_big
vw_pass "$T: busybox tftp (blksize 512 and 1468, the MTU's): all sizes intact"

# Rollover: 40 MiB at 512 B a block is 81920 blocks, past 65535.
rm -f "$O/got"
t0=$(date +%s.%N)
hpa f40m "$O/got" >"$VW_TMP/hpa40.log" 2>&1 || vw_fail $T "tftp-hpa 40 MiB: $(cat "$VW_TMP/hpa40.log")"
t1=$(date +%s.%N)
same "$D/f40m" "$O/got" "tftp-hpa 40 MiB"
vw_pass "$T: tftp-hpa 40 MiB at blksize 512, block number wrapped ($(echo "$t0 $t1" | awk '{printf "%.1f s", $2-$1}'))"
rm -f "$O/got"
curl_get f40m "$O/got" >"$VW_TMP/curl40.log" 2>&1 || vw_fail $T "curl 40 MiB: $(cat "$VW_TMP/curl40.log")"
same "$D/f40m" "$O/got" "curl 40 MiB"
vw_pass "$T: curl 40 MiB intact"

# Refusals: each answered by an error packet, nothing written. curl's exit
# status names the TFTP error (68 file not found, 69 access violation); its
# message is hidden by a stale getpeername() one in Debian 12's curl
# (curl/curl#11332), so tftp-hpa, which prints the server's text, checks
# the wording once.
refused() { # NAME CURL-EXIT
	local rc=0
	rm -f "$O/got"
	nsx timeout 20 curl -sS -o "$O/got" "tftp://10.0.2.2/$1" >"$VW_TMP/ref.log" 2>&1 || rc=$?
	[ $rc -eq "$2" ] || vw_fail $T "'$1': curl exit $rc, want $2: $(cat "$VW_TMP/ref.log")"
	if [ -s "$O/got" ]; then vw_fail $T "'$1': data written"; fi
}
refused "..%2f..%2foutside%2fsecret" 69
refused "sub%2f..%2f..%2foutside%2fsecret" 69
refused "link-out" 69
refused "fifo" 69
refused "null" 69
refused "sub" 69
refused "%2fetc%2fpasswd" 68
refused "missing" 68
(cd "$O" && nsx timeout 20 tftp -m binary 10.0.2.2 -c get ../outside/secret s) >"$VW_TMP/hparef.log" 2>&1
grep -qi "access violation" "$VW_TMP/hparef.log" || vw_fail $T "tftp-hpa ../: $(cat "$VW_TMP/hparef.log")"
[ ! -s "$O/s" ] || vw_fail $T "tftp-hpa ../: data written"
# An absolute name is a name beneath DIR (QEMU's behaviour).
rm -f "$O/got"
curl_get "%2Ff511" "$O/got" >"$VW_TMP/abs.log" 2>&1 || vw_fail $T "/f511: $(cat "$VW_TMP/abs.log")"
same "$D/f511" "$O/got" "/f511"
# A symlink that stays inside DIR is followed (openat2 RESOLVE_BENEATH).
rm -f "$O/got"
curl_get "sub/link-in" "$O/got" >"$VW_TMP/in.log" 2>&1 || vw_fail $T "sub/link-in: $(cat "$VW_TMP/in.log")"
same "$D/f511" "$O/got" "sub/link-in"
vw_pass "$T: ../, a symlink out, FIFO, device, directory refused; /etc/passwd is DIR/etc/passwd (absent); /f511 and an inside symlink served"

echo upload >"$O/up"
(cd "$O" && nsx timeout 20 tftp -m binary 10.0.2.2 -c put up up) >"$VW_TMP/put.log" 2>&1
grep -qi "refused\|violation" "$VW_TMP/put.log" || vw_fail $T "WRQ: $(cat "$VW_TMP/put.log")"
[ ! -e "$D/up" ] || vw_fail $T "WRQ created a file"
vw_pass "$T: write request refused with an error packet"

# max-tftp-transfers=4: five clients that ask and never acknowledge hold
# their slots for the retransmission time (5 tries of 1 s); the fifth
# request is refused while the four are held.
nsx /usr/bin/python3 - >"$VW_TMP/full.log" 2>&1 <<'PYEOF' || vw_fail $T "max-tftp-transfers: $(cat "$VW_TMP/full.log")"
import socket, struct, sys
socks = []
for i in range(5):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(b"\0\1f3m\0octet\0".replace(b"f3m", b"sub/f3m"), ("10.0.2.2", 69))
    socks.append(s)
got = []
for s in socks:
    d, a = s.recvfrom(2048)
    got.append(struct.unpack("!H", d[:2])[0])
print(got)
if got[:4] != [3, 3, 3, 3] or got[4] != 5:
    sys.exit("want four DATA then one ERROR, got %r" % got)
print("ok", d[4:-1])
PYEOF
grep -q "TFTP transfers in progress" "$VW_TMP/gw.log" || vw_fail $T "full table not logged"
"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/info" || vw_fail $T "info usernet"
grep -q "TFTP transfers: 4 of 4" "$VW_TMP/info" || vw_fail $T "info usernet: $(grep -i tftp "$VW_TMP/info")"
grep -qE "10\.0\.2\.15:[0-9]+ +sub/f3m" "$VW_TMP/info" || vw_fail $T "no transfer row: $(cat "$VW_TMP/info")"
vw_pass "$T: max-tftp-transfers=4: the fifth request refused, logged; info usernet lists the four"

vw_wait_for -t 20 sh -c "'$VMWIRE' ctl '$MON' info usernet | grep -q 'TFTP transfers: 0 of 4'" ||
	vw_fail $T "held transfers not dropped after their timeouts"
"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/info"
for c in rrq wrq_refused completed full timeouts access_denied not_found; do
	v=$(sed -n "s/.*tftp_$c[ =:]*\([0-9][0-9]*\).*/\1/p" "$VW_TMP/info" | head -1)
	[ "${v:-0}" -gt 0 ] || vw_fail $T "counter tftp_$c is ${v:-absent}: $(grep tftp_ "$VW_TMP/info")"
done
vw_pass "$T: unacknowledged transfers time out; counters rrq, wrq_refused, completed, full, timeouts, access_denied, not_found counted"

# Hostile datagrams: shorter than a header, no NUL after the name, 600
# options, unknown opcodes, DATA and RRQ to a transfer's port, ACKs of
# blocks never sent, a stranger's port on a live transfer. Each is dropped
# or refused and counted; the transfer it aimed at, and the server, go on.
nsx /usr/bin/python3 - >"$VW_TMP/hostile.log" 2>&1 <<'PYEOF' || vw_fail $T "hostile: $(cat "$VW_TMP/hostile.log")"
import socket, struct, sys
GW = ("10.0.2.2", 69)
def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    return s
def expect_silence(s, what, resend=None):
    # resend: what the server may send anyway, its timeout's resend
    try:
        while True:
            d, a = s.recvfrom(2048)
            if resend is None or d[:4] != resend:
                sys.exit("%s: answered %r" % (what, d[:16]))
    except socket.timeout:
        pass
s = sock()
for junk in (b"", b"\0", b"\0\1", b"\0\1abc", b"\0\1abc\0oct", b"\0\1" + b"x" * 1400):
    s.sendto(junk, GW)
expect_silence(s, "truncated requests")
s.sendto(b"\0\1f511\0octet\0" + b"a\0b\0" * 300, GW)
d, a = s.recvfrom(2048)
assert d[:4] == b"\0\5\0\10", ("too many options", d)
for op in (0, 3, 4, 5, 6, 7, 0xffff):
    s.sendto(struct.pack("!H", op) + b"f511\0octet\0", GW)
expect_silence(s, "unknown opcodes to port 69")
# A live transfer: blksize 512 of sub/f3m; hostile packets at its port.
c = sock()
c.sendto(b"\0\1sub/f3m\0octet\0", GW)
d, srv = c.recvfrom(2048)
assert d[:4] == b"\0\3\0\1", d[:4]
c.sendto(b"\0\4\0\7", srv)           # ACK of a block never sent
c.sendto(b"\0\4", srv)                 # shorter than its header
c.sendto(b"\0\3\0\1data", srv)         # DATA to a server
c.sendto(b"\0\1f511\0octet\0", srv)    # a request to a transfer port
# Briefly: unacknowledged, the server gives the transfer up after 5 resends.
c.settimeout(0.5)
expect_silence(c, "junk on the transfer port", b"\0\3\0\1")
c.settimeout(2)
x = sock()
x.sendto(b"\0\4\0\1", srv)           # another port: unknown TID
d, a = x.recvfrom(2048)
assert d[:4] == b"\0\5\0\5" and a == srv, (d, a)
c.sendto(b"\0\4\0\1", srv)           # the real client goes on
d = b"\0\3\0\1"
while d[:4] == b"\0\3\0\1":          # a resend may still be queued
    d, a = c.recvfrom(2048)
assert d[:4] == b"\0\3\0\2" and a == srv, (d[:4], a)
c.sendto(b"\0\5\0\0done\0", srv)
print("ok")
PYEOF
"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/info"
for c in bad_packets bad_acks unknown_tid client_errors; do
	v=$(sed -n "s/.*tftp_$c[ =:]*\([0-9][0-9]*\).*/\1/p" "$VW_TMP/info" | head -1)
	[ "${v:-0}" -gt 0 ] || vw_fail $T "counter tftp_$c is ${v:-absent}"
done
rm -f "$O/got"
bb_get f513 "$O/got" >"$VW_TMP/after.log" 2>&1 || vw_fail $T "after hostile: $(cat "$VW_TMP/after.log")"
same "$D/f513" "$O/got" "after hostile"
kill -0 "${VW_PID[gw]}" || vw_fail $T "daemon died"
vw_pass "$T: hostile TFTP datagrams dropped or refused and counted; the transfer and the server go on"
