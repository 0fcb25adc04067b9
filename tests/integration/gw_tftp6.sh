#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_tftp6.sh - the gateway's TFTP server (tftp=DIR) over IPv6, at
# ipv6-host fec0::2, and the DHCPv6 boot file URL (option 59), to clients
# nobody here wrote, in a namespace behind a TAP port that got its address
# by SLAAC:
#  - dhclient -6 -S (isc-dhcp-client) asking for dhcp6.bootfile-url gets
#    tftp://[fec0::2]/boot.ipxe in the Reply to its Information-Request;
#    without asking, none; curl fetches that URL over IPv6, intact;
#  - tftp-hpa (tftp -6), curl tftp://[fec0::2]/ (--tftp-blksize), atftp
#    and busybox tftp fetch files of 0, 512, 513 B and 4 MiB, sha256-checked;
#  - a client asking blksize 1468 (IPv4's limit at mtu 1500) is given 1448,
#    what an IPv6/UDP datagram carries, and its blocks are that size;
#  - traversal (../, a symlink out) refused with "access violation", a
#    write request refused, nothing written;
#  - info usernet lists a transfer to the guest's IPv6 address;
#  - TFTP over IPv4 from the same namespace still works beside it.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static curl tftp-hpa atftp isc-dhcp-client
vw_tmpdir

T=gw_tftp6
PY=/usr/bin/python3
BB=$(command -v busybox) || vw_skip "busybox not found"
MON=$VW_TMP/mon.sock
D=$VW_TMP/tftp
O=$VW_TMP/out
mkdir -p "$D/sub" "$O" "$VW_TMP/outside"
: >"$D/empty"
for n in 512 513; do head -c $n /dev/urandom >"$D/f$n"; done
head -c $((4 << 20)) /dev/urandom >"$D/sub/f4m"
echo '#!ipxe' >"$D/boot.ipxe"
echo secret >"$VW_TMP/outside/secret"
ln -s "$VW_TMP/outside/secret" "$D/link-out"
chmod 755 "$VW_TMP"

vw_netns_add ns
NS=$(vw_ns ns)
nsx() { ip netns exec "$NS" "$@"; }

vw_start gw -monitor "unix:$MON,server=on,wait=off" \
	-netdev tap,id=t,ifname=vw0,netns="$NS" \
	-netdev user,id=gw,tftp="$D",bootfile=boot.ipxe
nsx sysctl -qw net.ipv6.conf.vw0.accept_ra=1 net.ipv6.conf.vw0.autoconf=1
nsx ip link set lo up
nsx ip link set vw0 up
vw_wait_for -t 20 sh -c "ip netns exec $NS ip -6 addr show dev vw0 | grep -q 'inet6 fec0::' && ! ip netns exec $NS ip -6 addr show dev vw0 | grep -q tentative" ||
	vw_fail $T "no SLAAC address: $(nsx ip -6 addr show dev vw0)"
MYADDR=$(nsx ip -6 -o addr show dev vw0 | awk '$4 ~ /^fec0::/ {print $4}' | cut -d/ -f1)
vw_pass "$T: SLAAC gave the namespace $MYADDR"

# DHCPv6: the boot file URL, asked for and not.
printf '#!/bin/sh\nenv >>"%s/dh6-env.$$"\nexit 0\n' "$VW_TMP" >"$VW_TMP/dh6-script"
chmod +x "$VW_TMP/dh6-script"
printf 'request dhcp6.name-servers, dhcp6.bootfile-url;\n' >"$VW_TMP/ask.conf"
printf 'request dhcp6.name-servers;\n' >"$VW_TMP/noask.conf"
dh6() { # name conf
	rm -f "$VW_TMP"/dh6-env.*
	nsx timeout 30 dhclient -6 -S -1 -v -cf "$VW_TMP/$2" -lf "$VW_TMP/$1.leases" \
		-pf "$VW_TMP/$1.pid" -sf "$VW_TMP/dh6-script" vw0 >"$VW_TMP/$1.log" 2>&1
	local rc=$?
	[ -s "$VW_TMP/$1.pid" ] && kill "$(cat "$VW_TMP/$1.pid")" 2>/dev/null
	cat "$VW_TMP"/dh6-env.* >"$VW_TMP/$1.env" 2>/dev/null
	return $rc
}
dh6 ask ask.conf || vw_fail $T "dhclient -6 -S: $(cat "$VW_TMP/ask.log")"
URL=$(sed -n 's/^new_dhcp6_bootfile_url=//p' "$VW_TMP/ask.env" | head -1)
[ "$URL" = "tftp://[fec0::2]/boot.ipxe" ] ||
	vw_fail $T "option 59: '$URL': $(cat "$VW_TMP/ask.env" "$VW_TMP/ask.log")"
grep -q "^new_dhcp6_name_servers=fec0::3$" "$VW_TMP/ask.env" ||
	vw_fail $T "no name server beside the URL: $(cat "$VW_TMP/ask.env")"
dh6 noask noask.conf || vw_fail $T "dhclient -6 -S (not asking): $(cat "$VW_TMP/noask.log")"
grep -q "^new_dhcp6_name_servers=fec0::3$" "$VW_TMP/noask.env" ||
	vw_fail $T "not asking: no reply: $(cat "$VW_TMP/noask.env" "$VW_TMP/noask.log")"
if grep -q bootfile_url "$VW_TMP/noask.env"; then
	vw_fail $T "option 59 sent unasked: $(grep bootfile "$VW_TMP/noask.env")"
fi
nsx timeout 30 curl -sS -o "$O/boot" "$URL" >"$VW_TMP/url.log" 2>&1 ||
	vw_fail $T "curl $URL: $(cat "$VW_TMP/url.log")"
cmp -s "$D/boot.ipxe" "$O/boot" || vw_fail $T "curl $URL: content differs"
vw_pass "$T: dhclient -6 gets option 59 $URL when it asks (none unasked); curl fetches it over IPv6"

sumof() { sha256sum <"$1" | cut -d' ' -f1; }
same() { # SRC GOT CLIENT
	[ -f "$2" ] || vw_fail $T "$3: $(basename "$1") not fetched"
	[ "$(sumof "$1")" = "$(sumof "$2")" ] || vw_fail $T "$3: $(basename "$1") differs"
}
fetch_all() { # CLIENT FUNCTION
	local f
	for f in empty f512 f513 sub/f4m; do
		rm -f "$O/got"
		"$2" "$f" "$O/got" >"$VW_TMP/$1.log" 2>&1 ||
			vw_fail $T "$1 get $f: $(tail -3 "$VW_TMP/$1.log")"
		same "$D/$f" "$O/got" "$1"
	done
}

hpa() { (cd "$O" && nsx timeout 120 tftp -6 -m binary fec0::2 -c get "$1" "$2") &&
	! grep -qi "error\|refused\|timed out" "$VW_TMP/hpa.log"; }
fetch_all hpa hpa
vw_pass "$T: tftp-hpa -6: 0, 512, 513 B and 4 MiB intact"

curl_get() { nsx timeout 60 curl -sS --tftp-blksize 1024 -o "$2" "tftp://[fec0::2]/$1"; }
fetch_all curl curl_get
vw_pass "$T: curl tftp://[fec0::2]/ --tftp-blksize 1024: all sizes intact"

atftp_get() { nsx timeout 60 atftp --option "blksize 1024" --option "windowsize 8" \
	-g -r "$1" -l "$2" fec0::2; }
fetch_all atftp atftp_get
vw_pass "$T: atftp blksize 1024 windowsize 8 over IPv6: all sizes intact"

bb_get() { nsx timeout 60 "$BB" tftp -b 1448 -g -r "$1" -l "$2" fec0::2; }
fetch_all busybox bb_get
vw_pass "$T: busybox tftp -b 1448 over IPv6: all sizes intact"

# blksize: 1468 fits an IPv4 datagram at mtu 1500, not an IPv6 one.
nsx $PY - >"$VW_TMP/blk.log" 2>&1 <<'PYEOF' || vw_fail $T "blksize over IPv6: $(cat "$VW_TMP/blk.log")"
import socket, struct, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"\0\1sub/f4m\0octet\0blksize\0" b"1468\0", ("fec0::2", 69))
d, srv = s.recvfrom(4096)
print("oack", d)
if d != b"\0\6blksize\0" b"1448\0":
    sys.exit("want OACK blksize 1448, got %r" % d)
s.sendto(b"\0\4\0\0", srv)
d, a = s.recvfrom(4096)
print("data", len(d), a == srv)
if d[:4] != b"\0\3\0\1" or len(d) != 4 + 1448 or a != srv:
    sys.exit("want DATA 1 of 1448 bytes from the TID, got %r len %d" % (d[:4], len(d)))
s.sendto(b"\0\5\0\0done\0", srv)
PYEOF
vw_pass "$T: blksize 1468 asked over IPv6 is given as 1448; blocks are 1448 bytes"

# Refusals: curl exits 69 on "access violation" (see gw_tftp.sh).
refused() { # NAME CURL-EXIT
	local rc=0
	rm -f "$O/got"
	nsx timeout 20 curl -sS -o "$O/got" "tftp://[fec0::2]/$1" >"$VW_TMP/ref.log" 2>&1 || rc=$?
	[ $rc -eq "$2" ] || vw_fail $T "'$1': curl exit $rc, want $2: $(cat "$VW_TMP/ref.log")"
	if [ -s "$O/got" ]; then vw_fail $T "'$1': data written"; fi
}
refused "..%2f..%2foutside%2fsecret" 69
refused "link-out" 69
refused "missing" 68
(cd "$O" && nsx timeout 20 tftp -6 -m binary fec0::2 -c get ../outside/secret s) >"$VW_TMP/hparef.log" 2>&1
grep -qi "access violation" "$VW_TMP/hparef.log" || vw_fail $T "tftp-hpa -6 ../: $(cat "$VW_TMP/hparef.log")"
[ ! -s "$O/s" ] || vw_fail $T "tftp-hpa -6 ../: data written"
echo upload >"$O/up"
(cd "$O" && nsx timeout 20 tftp -6 -m binary fec0::2 -c put up up) >"$VW_TMP/put.log" 2>&1
grep -qi "refused\|violation" "$VW_TMP/put.log" || vw_fail $T "WRQ: $(cat "$VW_TMP/put.log")"
[ ! -e "$D/up" ] || vw_fail $T "WRQ created a file"
vw_pass "$T: over IPv6 too ../ and a symlink out are refused (access violation), a write request refused"

# A transfer held open (no ACK) shows in info usernet with the guest's
# IPv6 address; IPv4 works beside it.
nsx $PY - >"$VW_TMP/hold.log" 2>&1 <<'PYEOF' &
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 45678))
s.sendto(b"\0\1sub/f4m\0octet\0", ("fec0::2", 69))
s.settimeout(3)
print(s.recvfrom(2048)[0][:4])
time.sleep(3)
PYEOF
HOLD=$!
vw_wait_for -t 5 sh -c "'$VMWIRE' ctl '$MON' info usernet | grep -qF '[$MYADDR]:45678'" || {
	"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/info" 2>&1
	vw_fail $T "info usernet: no IPv6 transfer row: $(grep -i -A3 tftp "$VW_TMP/info")"
}
wait $HOLD
nsx ip addr add 10.0.2.15/24 dev vw0
rm -f "$O/got"
nsx timeout 30 curl -sS -o "$O/got" "tftp://10.0.2.2/f513" >"$VW_TMP/v4.log" 2>&1 ||
	vw_fail $T "IPv4 beside IPv6: $(cat "$VW_TMP/v4.log")"
same "$D/f513" "$O/got" "curl over IPv4"
"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/info"
for c in rrq completed access_denied wrq_refused; do
	v=$(sed -n "s/.*tftp_$c[ =:]*\([0-9][0-9]*\).*/\1/p" "$VW_TMP/info" | head -1)
	[ "${v:-0}" -gt 0 ] || vw_fail $T "counter tftp_$c is ${v:-absent}"
done
kill -0 "${VW_PID[gw]}" || vw_fail $T "daemon died"
vw_pass "$T: info usernet lists the IPv6 transfer [$MYADDR]:45678; IPv4 TFTP works beside it"
