#!/bin/bash
# SPDX-License-Identifier: MIT
#
# socket_acl.sh - mode=, owner=, group= of listening unix sockets
# (ports/unix_acl.c) for stream, seqpacket and vhost-user listeners and
# dgram local unix sockets.
#
# 1. Right after "ready", each socket file has exactly the mode, owner and
#    group asked for, and no private bind name (.vw-acl-*) is left in the
#    directory.
# 2. An unprivileged user (nobody) connects where the mode lets it: a
#    stream client of nobody sends a QEMU-framed broadcast that a root
#    client on the same listener receives; nobody may send to the dgram
#    socket. Where the mode does not (0600, owned by root), its connect
#    is refused with EACCES.
# 3. Hot-plugged after the sandbox (QMP netdev_add): mode= works (the
#    seccomp filter allows fchmodat/rename); group= fails, since the
#    sandbox dropped CAP_CHOWN, saying so, and leaves no private name.
# 4. Bad values and a client's use of the keys exit 2 naming the key.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs passwd util-linux python3
vw_tmpdir
T=$VW_TMP
G=vwsockacl$$
groupadd "$G"
vw_on_exit "groupdel $G 2>/dev/null; true"
chmod 0711 "$T" # nobody must reach the sockets' directory
D=$T/acl
mkdir -m 0755 "$D"

vw_start acl -qmp "unix:$T/q.sock,server=on,wait=off" \
	-netdev "stream,id=s,server=on,addr.type=unix,addr.path=$D/s,mode=0660,group=$G,owner=nobody" \
	-netdev "seqpacket,id=q,server=on,addr.type=unix,addr.path=$D/q,mode=0660,group=$G,owner=nobody" \
	-netdev "vhost-user,id=v,path=$D/v,mode=0660,group=$G,owner=nobody" \
	-netdev "seqpacket,id=r,server=on,addr.type=unix,addr.path=$D/r,mode=0600" \
	-netdev "dgram,id=d,local.type=unix,local.path=$D/d,mode=0660,group=$G,owner=nobody" \
	-netdev "dgram,id=e,local.type=unix,local.path=$D/e,mode=0600"
for f in s q v d; do
	got=$(stat -c '%F %a %U %G' "$D/$f")
	[ "$got" = "socket 660 nobody $G" ] || vw_fail acl "$f is '$got', not 'socket 660 nobody $G'"
done
for f in r e; do
	got=$(stat -c '%a %U' "$D/$f")
	[ "$got" = "600 root" ] || vw_fail acl "$f is '$got', not '600 root'"
done
left=$(ls -A "$D" | grep -c '^\.vw-acl-' || true)
[ "$left" = 0 ] || vw_fail acl "private bind names left: $(ls -A "$D")"
vw_pass "stream, seqpacket, vhost-user listeners, dgram: mode 0660, owner nobody, group $G; no private name left"

# a root client listens on s; nobody's client sends one framed broadcast
/usr/bin/python3 - "$D/s" "$T/rx" <<'PY' &
import socket, struct, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
open(sys.argv[2] + ".up", "w").close()
c.settimeout(20)
buf = b""
while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
    d = c.recv(4096)
    if not d:
        sys.exit(1)
    buf += d
open(sys.argv[2], "wb").write(buf[4:4 + struct.unpack(">I", buf[:4])[0]])
PY
RX=$!
vw_on_exit "kill $RX 2>/dev/null; true"
vw_wait_for test -e "$T/rx.up" || vw_fail acl "the root client did not connect to s"
sleep 0.5 # its port is on the switch once accepted
cat >"$T/client.py" <<'PY'
import socket, sys
kind = {"seq": socket.SOCK_SEQPACKET, "dgram": socket.SOCK_DGRAM}.get(sys.argv[2],
                                                                   socket.SOCK_STREAM)
c = socket.socket(socket.AF_UNIX, kind)
try:
    c.connect(sys.argv[1])
    if kind == socket.SOCK_DGRAM:
        c.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x08" + b"\x88\xb5" + bytes(50))
except PermissionError:
    print("EACCES")
    sys.exit(3)
if sys.argv[2] == "framed":
    frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x07" + b"\x88\xb5" + bytes(range(50))
    c.sendall(len(frame).to_bytes(4, "big") + frame)
print("connected")
PY
chmod 0644 "$T/client.py"
as_nobody() { runuser -u nobody -- /usr/bin/python3 "$T/client.py" "$@"; }
as_nobody "$D/s" framed >/dev/null || vw_fail acl "nobody could not connect to s (0660, its own)"
vw_wait_for test -s "$T/rx" || vw_fail acl "nobody's framed frame on s never reached the root client"
[ "$(stat -c %s "$T/rx")" = 64 ] || vw_fail acl "the root client got $(stat -c %s "$T/rx") bytes, want 64"
as_nobody "$D/q" seq >/dev/null || vw_fail acl "nobody could not connect to q (0660, its own)"
as_nobody "$D/v" stream >/dev/null || vw_fail acl "nobody could not connect to v (0660, its own)"
as_nobody "$D/d" dgram >/dev/null || vw_fail acl "nobody could not send to d (0660, its own)"
for f in r:seq e:dgram; do
	rc=0
	out=$(as_nobody "$D/${f%:*}" "${f#*:}") || rc=$?
	[ $rc = 3 ] && [ "$out" = EACCES ] ||
		vw_fail acl "nobody on ${f%:*} (0600 root): rc $rc, '$out', want EACCES"
done
vw_pass "nobody: a framed frame through s reaches a root client; q, v and d accept it; r and e (0600 root) refuse it"

qmp() { "$VMWIRE" ctl "$T/q.sock" "$1"; }
qmp "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"stream\",\"id\":\"h\",\"server\":true,\"addr\":{\"type\":\"unix\",\"path\":\"$D/h\"},\"mode\":\"0640\"}}" >"$T/h.out" ||
	vw_fail acl "hot-plugged stream with mode=0640: $(cat "$T/h.out")"
got=$(stat -c '%a %U' "$D/h")
[ "$got" = "640 root" ] || vw_fail acl "hot-plugged h is '$got', not '640 root'"
rc=0
qmp "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"seqpacket\",\"id\":\"i\",\"server\":true,\"addr\":{\"type\":\"unix\",\"path\":\"$D/i\"},\"group\":\"$G\"}}" >"$T/i.out" || rc=$?
[ $rc != 0 ] && grep -q "Operation not permitted" "$T/i.out" ||
	vw_fail acl "hot-plugged seqpacket with group=: rc $rc, $(cat "$T/i.out"), want EPERM"
[ ! -e "$D/i" ] && [ "$(ls -A "$D" | grep -c '^\.vw-acl-' || true)" = 0 ] ||
	vw_fail acl "a failed hot-plug left files: $(ls -A "$D")"
vw_pass "hot-plugged after the sandbox: mode=0640 applied; group= refused (no CAP_CHOWN), nothing left behind"

bad() {
	local key=$1 rc=0
	shift
	"$VMWIRE" "$@" >"$T/bad" 2>&1 || rc=$?
	[ $rc = 2 ] && grep -q "'$key'" "$T/bad" && [ "$(wc -l <"$T/bad")" = 1 ] ||
		vw_fail acl "$* : rc $rc, '$(cat "$T/bad")', want exit 2 naming '$key'"
}
bad mode -netdev "stream,id=x,server=on,addr.type=unix,addr.path=$D/x,mode=0888"
bad owner -netdev "stream,id=x,server=on,addr.type=unix,addr.path=$D/x,owner=no-such-user-vw"
bad group -netdev "seqpacket,id=x,server=on,addr.type=unix,addr.path=$D/x,group=no-such-group-vw"
bad mode -netdev "stream,id=x,server=off,addr.type=unix,addr.path=$D/s,mode=0660"
bad owner -netdev "seqpacket,id=x,server=off,addr.type=unix,addr.path=$D/q,owner=0"
bad group -netdev "vhost-user,id=x,server=off,path=$D/v,group=0"
bad mode -netdev "stream,id=x,server=on,addr.type=inet,addr.port=0,mode=0600"
bad owner -netdev "dgram,id=x,local.type=unix,local.path=$D/x,owner=4294967295"
bad group -netdev "dgram,id=x,local.type=inet,local.port=0,remote.type=inet,remote.host=127.0.0.1,remote.port=9,group=0"
[ ! -e "$D/x" ] || vw_fail acl "a refused listener left $D/x"
vw_pass "bad mode/owner/group values and a client's use exit 2 naming the key"
vw_stop acl
