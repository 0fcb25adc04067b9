#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu_gw_tcp.sh - bulk TCP through the user-mode gateway from a real
# guest kernel (virtio-net over QEMU's -netdev stream).
#
# vmwire runs a unix stream server and "-netdev user" on the same switch,
# with two hostfwd rules from 127.0.0.1 to the guest's default address (the
# first DHCP lease, 10.0.2.15). The guest gets its address by udhcpc, then:
#   - wgets an 8 MiB random file from a host HTTP server on 127.0.0.1
#     through 10.0.2.2 and prints its sha256 and size: both must match the
#     host's (guest <- host, NAT flow);
#   - wgets it 4 times in parallel: 4 concurrent flows, all intact;
#   - generates a 3 MiB file and serves it with busybox httpd; the host
#     fetches it with curl through the first hostfwd and checks it against
#     the sha256 and size the guest printed (host <- guest, hostfwd);
#   - listens with nc -e: the host uploads 4 MiB through the second hostfwd,
#     half-closes, and the guest answers the sha256 of what it read over the
#     same connection (host -> guest, hostfwd, half-close).
# While the upload is half sent, "info usernet" must show the forwarding
# rules and the hostfwd flow as ESTABLISHED towards 10.0.2.15:8081.
#
# Measured under TCG on the 2-core CI machine (no /dev/kvm, 8 fuzzers busy):
# about 20 s with build/vmwire, about 28 s with the ASan build.

set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/guest.sh"

T=qemu_gw_tcp
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 python3 curl
vw_guest_build

PY=/usr/bin/python3
MON=$VW_TMP/mon.sock
# Fixed ports are safe: this netns is ours alone.
P_HTTP=8000      # host HTTP server, seen by the guest as 10.0.2.2:8000
P_FWD_HTTPD=18080 # hostfwd -> guest httpd :8080
P_FWD_NC=18081    # hostfwd -> guest nc :8081

ctl() { "$VMWIRE" ctl "$MON" "$@"; }
sha() { sha256sum "$1" | cut -c1-64; }
# marker NAME: the words after "NAME " on the guest console, CR stripped
marker() { { grep -m1 "^$1 " "$VW_TMP/vm.log" || true; } | tr -d '\r' | cut -d' ' -f2-; }

mkdir -p "$VW_TMP/www"
head -c $((8 << 20)) /dev/urandom >"$VW_TMP/www/blob"
head -c $((4 << 20)) /dev/urandom >"$VW_TMP/up.bin"
BLOB_SHA=$(sha "$VW_TMP/www/blob")
UP_SHA=$(sha "$VW_TMP/up.bin")

$PY -m http.server --bind 127.0.0.1 --directory "$VW_TMP/www" $P_HTTP \
	>"$VW_TMP/http.log" 2>&1 &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for sh -c "ss -ltn | grep -q '127.0.0.1:$P_HTTP '" ||
	vw_fail $T "host HTTP server did not come up: $(cat "$VW_TMP/http.log")"

vw_start sw \
	-netdev "stream,id=a,server=on,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	-netdev "user,id=gw,hostfwd=tcp:127.0.0.1:$P_FWD_HTTPD-:8080,hostfwd=tcp:127.0.0.1:$P_FWD_NC-:8081" \
	-monitor "unix:$MON,server=on,wait=off"

ctl info usernet >"$VW_TMP/usernet0" || vw_fail $T "info usernet failed"
for p in $P_FWD_HTTPD $P_FWD_NC; do
	grep -Eq "TCP\[HOST_FORWARD\] .* 127\.0\.0\.1 +$p +10\.0\.2\.15 +$((p - 10000)) " \
		"$VW_TMP/usernet0" ||
		vw_fail $T "info usernet does not list the hostfwd rule for $p: $(cat "$VW_TMP/usernet0")"
done
vw_pass "$T: info usernet lists both hostfwd rules towards 10.0.2.15"

# Runs in the guest after udhcpc configured eth0. Kept short: it travels
# base64-encoded on the kernel command line (2048 bytes at most on x86).
GUEST_CMD='
t=$(date +%s)
wget -q -O /tmp/b http://10.0.2.2:'$P_HTTP'/blob || { echo "VWTEST-INFO wget failed"; exit 1; }
echo "VWTEST-WGET $(sha256sum </tmp/b | cut -c1-64) $(wc -c </tmp/b) $(($(date +%s) - t))s"
rm -f /tmp/b
for i in 1 2 3 4; do wget -q -O /tmp/p$i http://10.0.2.2:'$P_HTTP'/blob & done
wait
echo "VWTEST-PAR$(for i in 1 2 3 4; do printf " %s" $(sha256sum </tmp/p$i | cut -c1-64); done)"
rm -f /tmp/p?
mkdir /www
dd if=/dev/urandom of=/www/g.bin bs=64k count=48 2>/dev/null
echo "VWTEST-GFILE $(sha256sum </www/g.bin | cut -c1-64) $(wc -c </www/g.bin)"
printf "#!/bin/sh\ns=\$(sha256sum | cut -c1-64)\necho \$s >/tmp/up.sha\necho \$s\n" >/tmp/r.sh
chmod +x /tmp/r.sh
httpd -p 8080 -h /www || exit 1
nc -l -p 8081 -e /tmp/r.sh &
n=$!
until netstat -ltn | grep -q ":8080 " && netstat -ltn | grep -q ":8081 "; do sleep 0.2; done
echo VWTEST-LISTENING
wait $n
[ -s /tmp/up.sha ] || { echo "VWTEST-INFO nothing uploaded"; exit 1; }
echo "VWTEST-UPLOAD $(cat /tmp/up.sha)"
'

vw_guest_run vm \
	"stream,id=n0,server=off,addr.type=unix,addr.path=$VW_TMP/a.sock" \
	"virtio-net-pci,netdev=n0,mac=52:54:00:70:00:01" \
	vw.dhcp=1 vw.timeout=420 "$(vw_guest_cmd "$GUEST_CMD")"

if ! vw_guest_wait vm VWTEST-LISTENING 450; then
	grep VWTEST "$VW_TMP/vm.log" >&2 || true
	vw_fail $T "guest never reached its listeners"
fi

lease=$(marker VWTEST-DHCP)
case " $lease " in
*" ip=10.0.2.15 "*) ;;
*) vw_fail $T "unexpected lease (hostfwd defaults to 10.0.2.15): $lease" ;;
esac

read -r got_sha got_size got_secs <<<"$(marker VWTEST-WGET)" ||
	vw_fail $T "guest printed no wget result"
[ "$got_size" = $((8 << 20)) ] || vw_fail $T "guest wget $got_size bytes, expected $((8 << 20))"
[ "$got_sha" = "$BLOB_SHA" ] || vw_fail $T "guest wget sha256 $got_sha, host has $BLOB_SHA"
vw_pass "$T: guest wget 8 MiB from 10.0.2.2:$P_HTTP intact (${got_secs} in the guest)"

par=$(marker VWTEST-PAR)
[ "$par" = "$BLOB_SHA $BLOB_SHA $BLOB_SHA $BLOB_SHA" ] ||
	vw_fail $T "4 parallel guest wgets gave sha256s '$par', expected 4 x $BLOB_SHA"
vw_pass "$T: 4 parallel guest wgets of the 8 MiB file intact"

read -r g_sha g_size <<<"$(marker VWTEST-GFILE)" || vw_fail $T "guest printed no file sha256"
curl -sS --max-time 180 -o "$VW_TMP/g.bin" "http://127.0.0.1:$P_FWD_HTTPD/g.bin" \
	2>"$VW_TMP/curl.err" || vw_fail $T "curl through hostfwd failed: $(cat "$VW_TMP/curl.err")"
[ "$(stat -c %s "$VW_TMP/g.bin")" = "$g_size" ] ||
	vw_fail $T "hostfwd fetch got $(stat -c %s "$VW_TMP/g.bin") bytes, guest serves $g_size"
[ "$(sha "$VW_TMP/g.bin")" = "$g_sha" ] ||
	vw_fail $T "hostfwd fetch sha256 $(sha "$VW_TMP/g.bin"), guest serves $g_sha"
vw_pass "$T: host fetched the guest's $g_size-byte file through hostfwd $P_FWD_HTTPD intact"

# Upload through the second hostfwd: half, look at the flow, the rest,
# half-close, then read the guest's sha256 of what it got.
cat >"$VW_TMP/upload.py" <<'EOF'
import socket, subprocess, sys
port, path, vmwire, mon, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
data = open(path, "rb").read()
s = socket.create_connection(("127.0.0.1", port), timeout=180)
s.sendall(data[: len(data) // 2])
with open(out, "w") as f:
    subprocess.run([vmwire, "ctl", mon, "info", "usernet"], stdout=f, check=True)
s.sendall(data[len(data) // 2 :])
s.shutdown(socket.SHUT_WR)
reply = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    reply += d
print(reply.decode(errors="replace").strip())
EOF
reply=$($PY "$VW_TMP/upload.py" $P_FWD_NC "$VW_TMP/up.bin" "$VMWIRE" "$MON" \
	"$VW_TMP/usernet1" 2>"$VW_TMP/upload.err") ||
	vw_fail $T "upload through hostfwd failed: $(cat "$VW_TMP/upload.err")"
[ "$reply" = "$UP_SHA" ] ||
	vw_fail $T "guest read sha256 '$reply' from the upload, host sent $UP_SHA"
vw_pass "$T: 4 MiB uploaded through hostfwd $P_FWD_NC, guest answered the right sha256 after the half-close"

grep -Eq "TCP\[ESTABLISHED\] .* 10\.0\.2\.15 +8081 +127\.0\.0\.1 " "$VW_TMP/usernet1" ||
	vw_fail $T "info usernet does not show the upload flow: $(cat "$VW_TMP/usernet1")"
vw_pass "$T: info usernet shows the hostfwd flow ESTABLISHED while it carries data"

if ! vw_guest_result vm 120; then
	grep VWTEST "$VW_TMP/vm.log" >&2 || true
	vw_fail $T "guest did not finish cleanly"
fi
[ "$(marker VWTEST-UPLOAD)" = "$UP_SHA" ] ||
	vw_fail $T "guest console shows upload sha256 '$(marker VWTEST-UPLOAD)', expected $UP_SHA"

vw_stop sw
vw_pass $T
