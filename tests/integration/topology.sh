#!/bin/bash
# SPDX-License-Identifier: MIT
#
# topology.sh - "info topology" over the monitor and over QMP: a namespace
# behind a TAP takes a DHCP lease (busybox udhcpc), a QEMU-framed stream
# peer sends a frame, a second switch has a trunk listener nobody joined;
# the text view must show each switch, netdev, port, learned MAC and the
# lease, and --format=dot must be a graph Graphviz's own dot accepts, with
# a node per switch and port, an edge per port, the lease in the
# gateway's label and a hostile socket path (a double quote) escaped.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static graphviz
vw_tmpdir
BB=$(command -v busybox) || vw_skip "busybox not found"
T=$VW_TMP

vw_netns_add ns
NS=$(vw_ns ns)
vw_start vw -netdev tap,id=t,ifname=vw0,netns="$NS" -netdev user,id=gw \
	-netdev "stream,id=s0,server=on,addr.type=unix,addr.path=$T/s0.sock" \
	-switch id=lab -netdev "stream,id=tr,server=on,addr.type=unix,addr.path=$T/q\"x.sock,switch=lab,trunk=10:20" \
	-monitor "$T/mon.sock" -qmp "$T/qmp.sock"

ip netns exec "$NS" timeout 30 "$BB" udhcpc -i vw0 -s /bin/true -q -n -f -t 5 -T 2 \
	>"$T/udhcpc.log" 2>&1 || vw_fail dhcp "udhcpc got no lease: $(cat "$T/udhcpc.log")"
python3 "$VW_ROOT/tests/lib/framed_peer.py" "$T/s0.sock" send "$T/peer.rx" &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for sh -c "'$VMWIRE' ctl '$T/mon.sock' info network | grep -q 52:54:00:12:34:56" ||
	vw_fail peer "the stream peer's MAC was never learned"
MAC=$(ip netns exec "$NS" cat /sys/class/net/vw0/address)

"$VMWIRE" ctl "$T/mon.sock" info topology >"$T/topo.txt" || vw_fail text "exit $?"
cat "$T/topo.txt"
for want in '^switch lab: 0 ports' '^switch default: 3 ports' '^  netdev tr \(stream\): listening' \
	'^    port t \(tap, vlan 1\)' "^      macs: $MAC\$" '^    port gw \(user, vlan 1\)' \
	"^      lease $MAC 10.0.2.15 bound\$" '^      macs: 52:54:00:12:34:56'; do
	grep -qE -- "$want" "$T/topo.txt" || vw_fail text "no line matching '$want'"
done
vw_pass "info topology: switches, netdevs, ports, MACs and the lease"

"$VMWIRE" ctl "$T/mon.sock" info topology --format=dot >"$T/topo.dot" || vw_fail dot "exit $?"
dot -Tsvg "$T/topo.dot" -o "$T/topo.svg" 2>"$T/dot.err" ||
	vw_fail dot "Graphviz rejects the graph: $(cat "$T/dot.err")"
grep -q '<svg' "$T/topo.svg" || vw_fail dot "no SVG from dot"
for want in '"switch:default" \[shape=box' '"switch:lab" \[shape=box' '"port:gw" \[shape=house' \
	"\\\\n$MAC 10.0.2.15 bound" '"port:t" -- "switch:default" \[label="vlan 1"' \
	'"netdev:tr" -- "switch:lab"' 'q\\"x.sock'; do
	grep -qE -- "$want" "$T/topo.dot" || vw_fail dot "no line matching '$want'"
done
edges=$(grep -c -- ' -- "switch:' "$T/topo.dot")
[ "$edges" = 4 ] || vw_fail dot "$edges edges to switches, want 4 (3 ports and a listener)"
vw_pass "info topology --format=dot is a valid Graphviz graph with the lease and escaped labels"

rc=0
"$VMWIRE" ctl "$T/mon.sock" info topology --format=png >/dev/null || rc=$?
[ $rc = 1 ] || vw_fail usage "an unknown format exited $rc, want 1"
"$VMWIRE" ctl "$T/qmp.sock" info topology --format=dot >"$T/qmp.dot" || vw_fail qmp "exit $?"
cmp -s <(grep -v 'fd [0-9]' "$T/topo.dot") <(grep -v 'fd [0-9]' "$T/qmp.dot") ||
	vw_fail qmp "the QMP view differs from the monitor's"
vw_pass "the same graph through QMP (human-monitor-command); a bad format is an error"
