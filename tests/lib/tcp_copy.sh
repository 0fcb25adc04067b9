# SPDX-License-Identifier: MIT
#
# tcp_copy.sh - one bulk TCP transfer between two network namespaces,
# checked byte for byte: the data-path test of a link (vde.sh,
# seqpacket.sh). Source it after common.sh.
#
# Theory of operation: a python receiver listens on ADDR:PORT in the
# receiving namespace and writes what one connection brings to a file; the
# sender waits until the listener is there (ss), sends BYTES of random data
# and closes; both have a timeout, so a link that stalls fails the test
# rather than hanging it. /usr/bin/python3 (not the python3 on PATH) as
# everywhere in the tests.
#
# API:
#   vw_tcp_copy WHAT BYTES FROM_NS TO_NS ADDR [PORT]
#       BYTES random bytes from FROM_NS to ADDR:PORT (default 5001) in
#       TO_NS; vw_fail WHAT ... when a side fails or the data differ.
#       Uses $VW_TMP/blob and $VW_TMP/got.

vw_tcp_copy() {
	local what=$1 bytes=$2 from=$3 to=$4 addr=$5 port=${6:-5001} rx
	head -c "$bytes" /dev/urandom >"$VW_TMP/blob"
	ip netns exec "$to" timeout 30 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept(); f = open(sys.argv[3], "wb")
while True:
    d = c.recv(65536)
    if not d: break
    f.write(d)
' "$addr" "$port" "$VW_TMP/got" &
	rx=$!
	vw_wait_for ip netns exec "$to" sh -c "ss -ltn | grep -q '$addr:$port '" ||
		vw_fail "$what" "no listener on $addr:$port"
	ip netns exec "$from" timeout 30 /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(open(sys.argv[3], "rb").read()); s.close()
' "$addr" "$port" "$VW_TMP/blob" || vw_fail "$what" "sender failed"
	wait $rx || vw_fail "$what" "receiver failed"
	cmp -s "$VW_TMP/blob" "$VW_TMP/got" || vw_fail "$what" "$bytes bytes arrived altered"
}
