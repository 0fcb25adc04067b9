#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_dns_records.sh - the gateway's own DNS names (issue 13 item 3), asked
# with busybox nslookup from two namespace guests behind vmwire TAPs:
#  - dns-record= (A and AAAA) and dns-zone= names resolve over IPv4
#    (10.0.2.3) and IPv6 (fec0::3), in any case; a name with only an A
#    record gets no AAAA answer (NODATA, not forwarded: the upstream's
#    counter does not move);
#  - a name added with QMP dns-record-add resolves, removed with
#    dns-record-remove it no longer does; the text monitor's
#    dns_record_add works too; info usernet lists the records;
#  - a guest whose udhcpc sends hostname vm1 resolves as vm1.lab.test (A
#    its lease, AAAA the IPv6 address it used towards fec0::3); a
#    second guest sending vm1 does not take the name; a guest claiming a
#    name a static record has does not get it either;
#  - names not in the table are still forwarded (dnsmasq upstream on
#    127.0.0.1:5353: example.test -> 127.0.0.7);
#  - a bad zone file line is a one-line error naming FILE:LINE; the keys
#    work from a -readconfig file too.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 busybox-static dnsmasq-base procps
vw_tmpdir

T=gw_dns_records
MON=$VW_TMP/dnsrec-mon.sock
QMP=$VW_TMP/dnsrec-qmp.sock
BB=$(command -v busybox) || vw_skip "busybox not found"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || vw_skip "dnsmasq not found"
vw_dnsmasq_upstream "$DNSMASQ"

ZONE=$VW_TMP/lab.zone
cat >"$ZONE" <<'Z'
# the lab's zone
web.zone   10.0.2.60
web.zone   fec0::60    # both families

Mixed.Case.Zone. 10.0.2.61
vm2.lab.test 10.0.2.62
Z

# A bad line is refused before anything starts, naming the file and line.
printf 'ok.zone 10.0.2.1\nbad.zone not-an-address\n' >"$VW_TMP/bad.zone"
out=$("$VMWIRE" -netdev user,id=gw,dns-zone="$VW_TMP/bad.zone" 2>&1) &&
	vw_fail $T "a bad zone file was accepted"
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && grep -q "dns-zone.*bad.zone:2:" <<<"$out" ||
	vw_fail $T "bad zone file error: $out"
vw_pass "$T: a bad zone line is one error naming FILE:LINE ($out)"

# The same keys from a -readconfig file: listed by info usernet.
printf -- '-netdev user,id=rc,dns-record=Rc.Lab=10.0.2.80,dns-zone=%s\nmonitor %s\n' \
	"$ZONE" "$VW_TMP/rc-mon.sock" >"$VW_TMP/rc.cfg"
vw_start rc -readconfig "$VW_TMP/rc.cfg"
"$VMWIRE" ctl "$VW_TMP/rc-mon.sock" info usernet >"$VW_TMP/rc.usernet" ||
	vw_fail $T "info usernet (readconfig)"
grep -qE "rc\.lab +A +10\.0\.2\.80" "$VW_TMP/rc.usernet" &&
	grep -qE "web\.zone +AAAA +fec0::60" "$VW_TMP/rc.usernet" ||
	vw_fail $T "-readconfig records not listed: $(cat "$VW_TMP/rc.usernet")"
vw_stop rc
vw_pass "$T: dns-record= and dns-zone= in a -readconfig file"

vw_netns_add a
vw_netns_add b
NSA=$(vw_ns a)
NSB=$(vw_ns b)
vw_start gw -v -monitor "unix:$MON,server=on,wait=off" -qmp "unix:$QMP,server=on,wait=off" \
	-netdev tap,id=ta,ifname=vw0,netns="$NSA" -netdev tap,id=tb,ifname=vw1,netns="$NSB" \
	-netdev user,id=gw,domainname=lab.test,dns-upstream=127.0.0.1:5353,dns-record=db.lab=10.0.2.50,dns-record=DB.lab.=fec0::50,dns-record=v4only.lab=10.0.2.51,dns-zone="$ZONE"

cat >"$VW_TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$subnet" dev "$interface"
	ip route replace default via "$router" dev "$interface"
	;;
esac
exit 0
SCRIPT
chmod +x "$VW_TMP/udhcpc.sh"
# lease NS IF HOSTNAME: a DHCP lease for NS, option 12 = HOSTNAME.
lease() {
	# No SLAAC: the gateway's RA would give the guest a second IPv6
	# address, learned or not depending on which one the kernel picks
	# for its queries; the AAAA check below wants fec0::15 alone.
	ip netns exec "$1" sysctl -qw net.ipv6.conf."$2".autoconf=0 ||
		vw_fail $T "cannot turn SLAAC off on $2 in $1"
	ip netns exec "$1" ip link set "$2" up
	ip netns exec "$1" timeout 30 "$BB" udhcpc -i "$2" -s "$VW_TMP/udhcpc.sh" -q -n -f \
		-t 5 -T 2 -x hostname:"$3" >"$VW_TMP/udhcpc-$1.log" 2>&1 ||
		vw_fail $T "no lease in $1: $(cat "$VW_TMP/udhcpc-$1.log")"
	ip netns exec "$1" ip -o -4 addr show dev "$2" | awk '{ sub("/.*", "", $4); print $4 }'
}
A_IP=$(lease "$NSA" vw0 vm1)
B_IP=$(lease "$NSB" vw1 vm1)
[ -n "$A_IP" ] && [ -n "$B_IP" ] && [ "$A_IP" != "$B_IP" ] ||
	vw_fail $T "leases: a '$A_IP', b '$B_IP'"
ip netns exec "$NSA" ip addr add fec0::15/64 dev vw0 nodad

# look NAME [TYPE [SERVER]]: the addresses busybox nslookup gets, one a line.
look() {
	ip netns exec "$NSA" timeout 20 "$BB" nslookup -type="${2:-a}" "$1" "${3:-10.0.2.3}" \
		>"$VW_TMP/ns.out" 2>&1
	sed -n '/^Name:/,$p' "$VW_TMP/ns.out" | awk '/^Address/ { print $NF }' | sort
}
# expect NAME TYPE SERVER WANT...: exactly these addresses.
expect() {
	local name=$1 type=$2 server=$3 got
	shift 3
	got=$(look "$name" "$type" "$server" | tr '\n' ' ')
	[ "$got" = "$* " ] || [ "$got$*" = "" ] ||
		vw_fail $T "$type $name via $server: got '$got', want '$*': $(cat "$VW_TMP/ns.out")"
}
# counter NAME: its value in info usernet.
counter() {
	"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet failed"
	grep -oE "\b$1 [0-9]+" "$VW_TMP/usernet" | awk '{ print $2 } END { if (!NR) print 0 }'
}

for server in 10.0.2.3 fec0::3; do
	expect db.lab a $server 10.0.2.50
	expect Db.Lab aaaa $server fec0::50
	expect web.zone a $server 10.0.2.60
	expect WEB.zone aaaa $server fec0::60
	expect mixed.case.zone a $server 10.0.2.61
done
vw_pass "$T: dns-record= and dns-zone= names, A and AAAA, any case, over 10.0.2.3 and fec0::3"

fwd=$(counter dns_forwarded)
expect v4only.lab aaaa 10.0.2.3
expect v4only.lab a 10.0.2.3 10.0.2.51
grep -q "v4only.lab" "$VW_TMP/ns.out" || vw_fail $T "no answer for v4only.lab"
[ "$(counter dns_forwarded)" = "$fwd" ] ||
	vw_fail $T "a name of ours was forwarded: dns_forwarded $fwd -> $(counter dns_forwarded)"
vw_pass "$T: AAAA of an A-only name is NODATA from the gateway, not forwarded"

expect example.test a 10.0.2.3 127.0.0.7
[ "$(counter dns_forwarded)" -gt "$fwd" ] || vw_fail $T "example.test was not forwarded"
vw_pass "$T: names not in the table are forwarded to the upstream (example.test -> 127.0.0.7)"

# QMP add, resolve, remove, gone (forwarded again: dnsmasq knows nothing).
qmp() {
	"$VMWIRE" ctl "$QMP" "$1" >"$VW_TMP/qmp.out" 2>&1 ||
		vw_fail $T "QMP $1: $(cat "$VW_TMP/qmp.out")"
}
qmp '{"execute":"dns-record-add","arguments":{"netdev":"gw","name":"new.lab","address":"10.0.2.70"}}'
qmp '{"execute":"dns-record-add","arguments":{"name":"new.lab","address":"fec0::70"}}'
expect new.lab a 10.0.2.3 10.0.2.70
expect new.lab aaaa fec0::3 fec0::70
"$VMWIRE" ctl "$MON" info usernet | grep -qE "new.lab +AAAA +fec0::70" ||
	vw_fail $T "info usernet does not list new.lab: $("$VMWIRE" ctl "$MON" info usernet)"
qmp '{"execute":"dns-record-remove","arguments":{"netdev":"gw","name":"new.lab","address":"10.0.2.70"}}'
expect new.lab a 10.0.2.3
expect new.lab aaaa 10.0.2.3 fec0::70
qmp '{"execute":"dns-record-remove","arguments":{"name":"NEW.lab"}}'
fwd=$(counter dns_forwarded)
expect new.lab aaaa 10.0.2.3
[ "$(counter dns_forwarded)" -gt "$fwd" ] || vw_fail $T "a removed name was not forwarded"
rc=0
"$VMWIRE" ctl "$QMP" '{"execute":"dns-record-add","arguments":{"name":"x..y","address":"10.0.2.9"}}' \
	>"$VW_TMP/qmp.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "invalid name" "$VW_TMP/qmp.out" ||
	vw_fail $T "a bad name over QMP: rc $rc, $(cat "$VW_TMP/qmp.out")"
"$VMWIRE" ctl "$MON" dns_record_add gw mon.lab 10.0.2.71 >"$VW_TMP/mon.out" 2>&1 ||
	vw_fail $T "dns_record_add: $(cat "$VW_TMP/mon.out")"
expect mon.lab a 10.0.2.3 10.0.2.71
"$VMWIRE" ctl "$MON" dns_record_remove mon.lab 10.0.2.71 >"$VW_TMP/mon.out" 2>&1 ||
	vw_fail $T "dns_record_remove: $(cat "$VW_TMP/mon.out")"
"$VMWIRE" ctl "$MON" info usernet | grep -q "mon.lab" && vw_fail $T "mon.lab still listed"
vw_pass "$T: QMP dns-record-add/-remove and monitor dns_record_add/_remove change answers at once"

# DHCP host names: a's vm1 is vm1.lab.test; b's later claim lost.
expect vm1.lab.test a 10.0.2.3 "$A_IP"
expect VM1.lab.test. a fec0::3 "$A_IP"
# AAAA: a's IPv6 address, which the gateway learned (NDP) from a's queries
# to fec0::3 above.
expect vm1.lab.test aaaa 10.0.2.3 fec0::15
[ "$(counter dhcp_hostname_taken)" -ge 1 ] || vw_fail $T "b's claim of vm1 was not counted"
"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet"
grep -qE "vm1\.lab\.test +A +$A_IP \(DHCP host name\)" "$VW_TMP/usernet" &&
	grep -qE "vm1\.lab\.test +AAAA +fec0::15 \(DHCP host name, learned by NDP\)" "$VW_TMP/usernet" ||
	vw_fail $T "info usernet does not list vm1.lab.test: $(cat "$VW_TMP/usernet")"
# b renews as vm2, which the zone file has: the static record still wins.
ip netns exec "$NSB" timeout 30 "$BB" udhcpc -i vw1 -s "$VW_TMP/udhcpc.sh" -q -n -f -t 5 -T 2 \
	-x hostname:vm2 >"$VW_TMP/udhcpc-b2.log" 2>&1 || vw_fail $T "b's renewal failed"
expect vm2.lab.test a 10.0.2.3 10.0.2.62
[ "$(counter dhcp_hostname_taken)" -ge 2 ] || vw_fail $T "b's claim of vm2 was not counted"
# b as vm3: a name of its own.
ip netns exec "$NSB" timeout 30 "$BB" udhcpc -i vw1 -s "$VW_TMP/udhcpc.sh" -q -n -f -t 5 -T 2 \
	-x hostname:vm3 >"$VW_TMP/udhcpc-b3.log" 2>&1 || vw_fail $T "b's second renewal failed"
expect vm3.lab.test a 10.0.2.3 "$B_IP"
vw_pass "$T: DHCP hostname vm1 -> vm1.lab.test ($A_IP, AAAA fec0::15); a second guest cannot take vm1 nor a static name, gets vm3 ($B_IP)"

kill -0 "${VW_PID[gw]}" || vw_fail $T "vmwire died"
vw_stop gw
