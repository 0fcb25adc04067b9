#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gw_dhcp_namespace.sh - the user-mode gateway serves a namespace behind a
# TAP port: busybox udhcpc gets 10.0.2.15 with router 10.0.2.2, DNS
# 10.0.2.3, the domain and search list; ping to the gateway works; a name
# served by a local dnsmasq (the only upstream, 127.0.0.1:5353 in this
# test's private namespace) resolves through 10.0.2.3, and so does the
# built-in host.vmwire.internal. With lease-time=60 the lease says 60 s and
# udhcpc renews it at T1 (30 s) with the same address.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs iproute2 iputils-ping busybox-static dnsmasq-base
vw_tmpdir

T=gw_dhcp_namespace
BB=$(command -v busybox) || vw_skip "busybox not found"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || vw_skip "dnsmasq not found"

vw_netns_add ns
NS=$(vw_ns ns)

vw_dnsmasq_upstream "$DNSMASQ"

vw_start gw -netdev tap,id=t,ifname=vw0,netns="$NS" \
	-netdev user,id=gw,dns-upstream=127.0.0.1:5353,domainname=vm.test,dnssearch=vm.test,dnssearch=example.test,hostname=guest1

# udhcpc hands what it got to this script in the environment.
cat >"$VW_TMP/udhcpc.sh" <<SCRIPT
#!/bin/sh
env | grep -E '^(ip|subnet|router|dns|domain|search|hostname|serverid|lease)=' \
	>"$VW_TMP/lease.\$1"
case "\$1" in
bound|renew)
	ip addr flush dev "\$interface"
	ip addr add "\$ip/\$subnet" dev "\$interface"
	ip route add default via "\$router" dev "\$interface"
	;;
esac
exit 0
SCRIPT
chmod +x "$VW_TMP/udhcpc.sh"

ip netns exec "$NS" timeout 30 "$BB" udhcpc -i vw0 -s "$VW_TMP/udhcpc.sh" -q -n -f \
	-t 5 -T 2 -O search -O domain -O hostname >"$VW_TMP/udhcpc.log" 2>&1 ||
	vw_fail $T "udhcpc got no lease: $(cat "$VW_TMP/udhcpc.log")"
L=$VW_TMP/lease.bound
[ -s "$L" ] || vw_fail $T "udhcpc script did not run 'bound': $(ls "$VW_TMP")"
expect() {
	grep -qx "$1" "$L" || vw_fail $T "lease lacks '$1': $(tr '\n' ' ' <"$L")"
}
expect ip=10.0.2.15
expect subnet=255.255.255.0
expect router=10.0.2.2
expect dns=10.0.2.3
expect serverid=10.0.2.2
expect domain=vm.test
expect hostname=guest1
expect lease=86400
expect "search=vm.test example.test"
vw_pass "$T: udhcpc lease 10.0.2.15, router, dns, domain, search list, hostname"

ip netns exec "$NS" ping -q -c 3 -i 0.2 -W 2 10.0.2.2 >/dev/null ||
	vw_fail $T "ping 10.0.2.2"
ip netns exec "$NS" ping -q -c 2 -i 0.2 -W 2 10.0.2.3 >/dev/null ||
	vw_fail $T "ping 10.0.2.3"
vw_pass "$T: ping the gateway's host and dns addresses"

ip netns exec "$NS" timeout 10 "$BB" nslookup -type=a www.example.test 10.0.2.3 \
	>"$VW_TMP/ns1" 2>&1 || vw_fail $T "nslookup via 10.0.2.3: $(cat "$VW_TMP/ns1")"
grep -q '127.0.0.7' "$VW_TMP/ns1" ||
	vw_fail $T "www.example.test did not resolve to 127.0.0.7: $(cat "$VW_TMP/ns1")"
vw_pass "$T: DNS forwarded to the dnsmasq upstream"

ip netns exec "$NS" timeout 10 "$BB" nslookup -type=a host.vmwire.internal 10.0.2.3 \
	>"$VW_TMP/ns2" 2>&1
grep -q '10.0.2.2' "$VW_TMP/ns2" ||
	vw_fail $T "host.vmwire.internal: $(cat "$VW_TMP/ns2")"
vw_pass "$T: built-in host.vmwire.internal answers 10.0.2.2"

vw_stop gw

MON=$VW_TMP/mon.sock
vw_start gw2 -monitor "unix:$MON,server=on,wait=off" -netdev tap,id=t,ifname=vw0,netns="$NS" \
	-netdev user,id=gw,lease-time=60,dns-upstream=127.0.0.1:5353
rm -f "$VW_TMP"/lease.*
ip netns exec "$NS" ip addr flush dev vw0
ip netns exec "$NS" timeout 50 "$BB" udhcpc -i vw0 -s "$VW_TMP/udhcpc.sh" -f -t 5 -T 2 \
	>"$VW_TMP/udhcpc2.log" 2>&1 &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for -t 15 test -s "$VW_TMP/lease.bound" ||
	vw_fail $T "lease-time=60: no lease: $(cat "$VW_TMP/udhcpc2.log")"
L=$VW_TMP/lease.bound
expect lease=60
"$VMWIRE" ctl "$MON" info usernet >"$VW_TMP/usernet" || vw_fail $T "info usernet"
grep -Eq "10\.0\.2\.15 +bound +dynamic +(5[0-9]|60)s$" "$VW_TMP/usernet" ||
	vw_fail $T "lease-time=60: the lease does not expire within 60 s: $(cat "$VW_TMP/usernet")"
vw_wait_for -t 45 test -s "$VW_TMP/lease.renew" ||
	vw_fail $T "lease-time=60: no renewal at T1: $(cat "$VW_TMP/udhcpc2.log")"
L=$VW_TMP/lease.renew
expect ip=10.0.2.15
expect lease=60
vw_pass "$T: lease-time=60 is the lease udhcpc gets and renews at T1"
vw_stop gw2
