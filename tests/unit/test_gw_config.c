/* SPDX-License-Identifier: MIT
 *
 * test_gw_config.c - "-netdev user" option parsing: QEMU's defaults and
 * relocation rules, and one error naming the key for every bad value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/keyval.h"
#include "gateway/config.h"

static char err[KV_ERR_MAX];
static char resolv_path[64];

static int parse(const char *opts, struct gw_config *c)
{
	struct kvlist kv;
	char text[8192];
	int rc;

	snprintf(text, sizeof(text), "user,id=gw%s%s", *opts ? "," : "", opts);
	err[0] = '\0';
	assert_int_equal(kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)), 0);
	kv_get(&kv, "id");
	kv_get(&kv, "type");
	rc = gw_config_parse(c, &kv, resolv_path, err, sizeof(err));
	if (!rc) /* everything we were given was consumed */
		assert_int_equal(kv_check_unused(&kv, NULL, err, sizeof(err)), 0);
	kv_free(&kv);
	return rc;
}

static void expect_err(const char *opts, const char *key)
{
	struct gw_config c;
	char quoted[64];

	snprintf(quoted, sizeof(quoted), "'%s", key);
	if (parse(opts, &c) != -1)
		fail_msg("'%s' was accepted", opts);
	if (!strstr(err, quoted))
		fail_msg("error for '%s' does not name %s: %s", opts, key, err);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, "-netdev user: "));
}

/* Rule addresses and CIDRs are inany (core/inany.h); the assertions
 * compare their IPv4 view. */
static uint32_t addr4(const union inany_addr *a)
{
	return inany_ip4(a);
}

static uint32_t mask4(const struct inany_cidr *c)
{
	unsigned n = c->plen - 96u;

	assert_true(inany_is_v4(&c->addr));
	assert_true(c->plen >= 96);
	return n ? 0xffffffffu << (32 - n) : 0;
}

/* Rejected, and the one-line error contains what. */
static void expect_part(const char *opts, const char *what)
{
	expect_err(opts, "hostfwd");
	if (!strstr(err, what))
		fail_msg("error for '%s' lacks '%s': %s", opts, what, err);
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

static int setup(void **state)
{
	FILE *f;

	snprintf(resolv_path, sizeof(resolv_path), "/tmp/test_gw_resolv.%d", (int)getpid());
	f = fopen(resolv_path, "w");
	assert_non_null(f);
	fputs("# comment\nsearch example.org\nnameserver 192.0.2.53\n"
	      "nameserver fe80::1%eth0\nnameserver 2001:db8::53\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	unlink(resolv_path);
	return 0;
}

static void test_defaults(void **state)
{
	struct gw_config c;
	static const uint8_t mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

	assert_int_equal(parse("", &c), 0);
	assert_int_equal(c.net, ip("10.0.2.0"));
	assert_int_equal(c.mask, ip("255.255.255.0"));
	assert_int_equal(c.host, ip("10.0.2.2"));
	assert_int_equal(c.dns, ip("10.0.2.3"));
	assert_int_equal(c.dhcp_start, ip("10.0.2.15"));
	assert_memory_equal(c.mac, mac, 6);
	assert_int_equal(c.mtu, 1500);
	assert_false(c.mtu_set);
	assert_false(c.restrict_);
	assert_true(c.ipv6);
	assert_true(c.host_loopback);
	assert_int_equal(c.max_leases, 16);
	/* resolv.conf: the IPv4 and global IPv6 servers, not link-local. */
	assert_int_equal(c.n_upstream, 2);
	assert_int_equal(c.upstream[0].sa.ss_family, AF_INET);
	assert_int_equal(c.upstream[1].sa.ss_family, AF_INET6);
}

static void test_net_relocates_defaults(void **state)
{
	struct gw_config c;
	static const uint8_t mac[6] = { 0x52, 0x55, 0xc0, 0xa8, 0x4c, 0x02 };

	assert_int_equal(parse("net=192.168.76.0/24", &c), 0);
	assert_int_equal(c.host, ip("192.168.76.2"));
	assert_int_equal(c.dns, ip("192.168.76.3"));
	assert_int_equal(c.dhcp_start, ip("192.168.76.15"));
	assert_memory_equal(c.mac, mac, 6);

	assert_int_equal(parse("net=10.1.2.0/255.255.255.0", &c), 0);
	assert_int_equal(c.mask, ip("255.255.255.0"));
	assert_int_equal(c.host, ip("10.1.2.2"));

	/* Host bits in net= are masked off, as QEMU does. */
	assert_int_equal(parse("net=10.9.8.7/16", &c), 0);
	assert_int_equal(c.net, ip("10.9.0.0"));
	assert_int_equal(c.host, ip("10.9.2.2"));
	assert_int_equal(c.dhcp_start, ip("10.9.2.15"));
}

static void test_net_classful(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("net=10.0.2.0", &c), 0);
	assert_int_equal(c.mask, ip("255.0.0.0"));
	assert_int_equal(c.net, ip("10.0.0.0"));
	assert_int_equal(c.host, ip("10.0.2.2"));
	assert_int_equal(parse("net=172.20.0.0", &c), 0);
	assert_int_equal(c.mask, ip("255.240.0.0"));
	assert_int_equal(c.net, ip("172.16.0.0"));
	assert_int_equal(parse("net=192.168.5.0", &c), 0);
	assert_int_equal(c.mask, ip("255.255.0.0"));
	assert_int_equal(parse("net=130.1.0.0", &c), 0);
	assert_int_equal(c.mask, ip("255.255.0.0"));
}

static void test_net_errors(void **state)
{
	expect_err("net=10.0.2.0/3", "net");
	expect_err("net=10.0.2.0/33", "net");
	expect_err("net=10.0.2.0/", "net");
	expect_err("net=10.0.2.0/24x", "net");
	expect_err("net=10.0.2/24", "net");
	expect_err("net=banana", "net");
	expect_err("net=10.0.2.0/255.0.255.0", "net");
}

static void test_address_rules(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("host=10.0.2.1,dns=10.0.2.254,dhcpstart=10.0.2.100", &c), 0);
	assert_int_equal(c.host, ip("10.0.2.1"));
	assert_int_equal(c.mac[5], 1);
	assert_int_equal(c.dns, ip("10.0.2.254"));
	assert_int_equal(c.dhcp_start, ip("10.0.2.100"));
	expect_err("host=10.0.3.2", "host");
	expect_err("host=10.0.2.0", "host");
	expect_err("host=10.0.2.255", "host");
	expect_err("host=ten", "host");
	expect_err("dns=10.0.3.3", "dns");
	expect_err("dns=10.0.2.2", "dns");
	expect_err("host=10.0.2.3", "dns"); /* default dns now equals host */
	expect_err("dhcpstart=10.0.3.15", "dhcpstart");
	expect_err("dhcpstart=10.0.2.2", "dhcpstart");
	expect_err("dhcpstart=10.0.2.3", "dhcpstart");
	expect_err("dhcpstart=10.0.2.255", "dhcpstart");
	expect_err("dhcpstart=10.0.2.0", "dhcpstart");
	/* net= moves the defaults, explicit ones must follow */
	expect_err("net=192.168.0.0/24,host=10.0.2.2", "host");
}

static void test_names(void **state)
{
	struct gw_config c;
	char opts[600], name[300];

	assert_int_equal(parse("hostname=vm1,domainname=example.test,dnssearch=a.test,"
			       "dnssearch=b.example.test", &c), 0);
	assert_string_equal(c.hostname, "vm1");
	assert_string_equal(c.domainname, "example.test");
	assert_int_equal(c.n_dnssearch, 2);
	assert_string_equal(c.dnssearch[1], "b.example.test");
	/* TFTP: the directory is only opened at start; the names go to DHCP. */
	assert_int_equal(parse("tftp=/,bootfile=pxelinux.0,tftp-server-name=boot.test", &c), 0);
	assert_string_equal(c.tftp, "/");
	assert_string_equal(c.bootfile, "pxelinux.0");
	assert_string_equal(c.tftp_server_name, "boot.test");
	assert_int_equal(c.max_tftp_transfers, GW_DEFAULT_MAX_TFTP);
	assert_int_equal(parse("tftp=/,max-tftp-transfers=1", &c), 0);
	assert_int_equal(c.max_tftp_transfers, 1);
	expect_err("tftp=/nonexistent-vmwire-dir", "tftp");
	expect_err("tftp=/etc/passwd", "tftp");
	expect_err("max-tftp-transfers=0", "max-tftp-transfers");
	expect_err("max-tftp-transfers=1025", "max-tftp-transfers");

	memset(name, 'h', 255);
	name[255] = '\0';
	snprintf(opts, sizeof(opts), "hostname=%s", name);
	assert_int_equal(parse(opts, &c), 0);
	snprintf(opts, sizeof(opts), "hostname=%sh", name);
	expect_err(opts, "hostname");
	snprintf(opts, sizeof(opts), "tftp-server-name=%sh", name);
	expect_err(opts, "tftp-server-name");
	snprintf(opts, sizeof(opts), "bootfile=%sh", name);
	expect_err(opts, "bootfile");
	expect_err("domainname=", "domainname");
	expect_err("domainname=bad..name", "domainname");
	expect_err("dnssearch=a.test,dnssearch=-x y", "dnssearch");
	memset(name, 'l', 64);
	name[64] = '\0';
	snprintf(opts, sizeof(opts), "dnssearch=%s.test", name);
	expect_err(opts, "dnssearch");
}

static void test_lease_time(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("", &c), 0);
	assert_int_equal(c.lease_time_s, 86400);
	assert_int_equal(parse("lease-time=60", &c), 0);
	assert_int_equal(c.lease_time_s, 60);
	assert_int_equal(parse("lease-time=2147483647", &c), 0);
	assert_int_equal(c.lease_time_s, 2147483647u);
	expect_err("lease-time=59", "lease-time");
	expect_err("lease-time=0", "lease-time");
	expect_err("lease-time=2147483648", "lease-time");
	expect_err("lease-time=1h", "lease-time");
	expect_err("lease-time=", "lease-time");
}

static void test_bools(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("restrict=on,ipv6=off,ipv4=on,host-loopback=off", &c), 0);
	assert_true(c.restrict_);
	assert_false(c.ipv6);
	assert_false(c.host_loopback);
	assert_int_equal(parse("restrict=yes", &c), 0);
	assert_true(c.restrict_);
	expect_err("restrict=maybe", "restrict");
	expect_err("ipv4=off", "ipv4");
	expect_err("ipv6=2", "ipv6");
	expect_err("host-loopback=x", "host-loopback");
	assert_int_equal(parse("", &c), 0);
	assert_false(c.hostfwd_source_host);
	assert_int_equal(parse("hostfwd-source=host", &c), 0);
	assert_true(c.hostfwd_source_host);
	assert_int_equal(parse("hostfwd-source=client", &c), 0);
	assert_false(c.hostfwd_source_host);
	expect_err("hostfwd-source=on", "hostfwd-source");
}

static void test_hostfwd(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("hostfwd=tcp::2222-:22,hostfwd=udp:127.0.0.1:5353-10.0.2.15:53,"
			       "hostfwd=::8080-:80", &c), 0);
	assert_int_equal(c.n_hostfwd, 3);
	assert_false(c.hostfwd[0].udp);
	assert_int_equal(c.hostfwd[0].host_port, 2222);
	assert_int_equal(addr4(&c.hostfwd[0].guest_addr), 0);
	assert_int_equal(c.hostfwd[0].guest_port, 22);
	assert_true(c.hostfwd[1].udp);
	assert_int_equal(addr4(&c.hostfwd[1].host_addr), ip("127.0.0.1"));
	assert_int_equal(addr4(&c.hostfwd[1].guest_addr), ip("10.0.2.15"));
	expect_err("hostfwd=sctp::1-:2", "hostfwd");
	expect_err("hostfwd=tcp::70000-:22", "hostfwd");
	expect_err("hostfwd=tcp::22-10.0.3.5:22", "hostfwd");
	expect_err("hostfwd=tcp::22-10.0.2.2:22", "hostfwd");
	expect_err("hostfwd=tcp::22", "hostfwd");
	expect_err("hostfwd=tcp::22-:0", "hostfwd");
	expect_err("hostfwd=tcp::22-:22x", "hostfwd");
	expect_err("hostfwd=tcp:1.2.3:22-:22", "hostfwd");

	/* Each mistake names its part, not always the guest address. */
	expect_part("hostfwd=tcp::99999-:22", "host port is out of range");
	expect_part("hostfwd=tcp::22x-:22", "host port is out of range");
	expect_part("hostfwd=tcp::123456789-:22", "host port is out of range");
	expect_part("hostfwd=sctp::1-:2", "protocol must be tcp or udp");
	expect_part("hostfwd=toolongproto::1-:2", "protocol must be tcp or udp");
	expect_part("hostfwd=tcp:1.2.3:22-:22", "host address is not an IPv4");
	expect_part("hostfwd=tcp:localhost:22-:22", "host address is not an IPv4");
	expect_part("hostfwd=tcp::2222:22", "missing '-'");
	expect_part("hostfwd=tcp::22-10.0.3.5:22", "guest address is not a guest host address");
	expect_part("hostfwd=tcp::22-10.0.2.3:22", "guest address is not a guest host address");
	expect_part("hostfwd=tcp::22-10.0.2.x:22", "guest address is not an IPv4");
	expect_part("hostfwd=tcp::22-:0", "guest port is out of range");
	expect_part("hostfwd=tcp::22-:70000", "guest port is out of range");
	expect_part("hostfwd=tcp::22-22", "missing ':' before the guest port");
	expect_part("hostfwd=tcp::22", "missing '-'");
	assert_non_null(strstr(err, "'hostfwd=tcp::22'"));

	/* Two rules on one protocol and host port: one line naming both.
	 * An empty host address is every address. */
	expect_part("hostfwd=tcp::2222-:22,hostfwd=tcp::2222-:23",
		    "'hostfwd=tcp::2222-:22' and 'hostfwd=tcp::2222-:23'");
	expect_part("hostfwd=tcp::2222-:22,hostfwd=tcp:127.0.0.1:2222-:23", "same TCP host port 2222");
	expect_part("hostfwd=udp:127.0.0.1:53-:53,hostfwd=udp::53-:54", "same UDP host port 53");
	expect_part("hostfwd=tcp:127.0.0.1:80-:80,hostfwd=tcp:127.0.0.1:80-:81", "same TCP");
	assert_int_equal(parse("hostfwd=tcp::2222-:22,hostfwd=udp::2222-:22,"
			       "hostfwd=tcp:127.0.0.1:80-:80,hostfwd=tcp:127.0.0.2:80-:80,"
			       "hostfwd=tcp::0-:22,hostfwd=tcp::0-:23", &c), 0);
	assert_int_equal(c.n_hostfwd, 6);
}

static void test_guestfwd(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("guestfwd=tcp:10.0.2.100:1234-cmd:netcat 127.0.0.1 22,"
			       "guestfwd=::80-unix:/run/x.sock,guestfwd=:10.0.2.5:81-tcp:127.0.0.1:80",
			       &c), 0);
	assert_int_equal(c.n_guestfwd, 3);
	assert_int_equal(addr4(&c.guestfwd[0].guest_addr), ip("10.0.2.100"));
	assert_int_equal(c.guestfwd[0].guest_port, 1234);
	assert_string_equal(c.guestfwd[0].dev, "cmd:netcat 127.0.0.1 22");
	assert_int_equal(addr4(&c.guestfwd[1].guest_addr), ip("10.0.2.4"));
	expect_err("guestfwd=tcp:10.0.2.100:1234", "guestfwd");
	expect_err("guestfwd=tcp:10.0.2.100:1234-", "guestfwd");
	expect_err("guestfwd=udp:10.0.2.100:1234-x", "guestfwd");
	expect_err("guestfwd=tcp:10.9.2.100:1234-x", "guestfwd");
	expect_err("guestfwd=tcp:10.0.2.100:0-x", "guestfwd");
	/* vmwire has no -chardev: only the devs it can open are accepted */
	expect_err("guestfwd=::80-chr0", "guestfwd");
	expect_err("guestfwd=::80-tcp:127.0.0.1", "guestfwd");
	expect_err("guestfwd=::80-unix:", "guestfwd");
	expect_err("guestfwd=::80-cmd:", "guestfwd");
	/* a [V6] server inside ipv6-net, not the gateway's nor DNS address */
	assert_int_equal(parse("guestfwd=tcp:[fec0::64]:8080-tcp:[::1]:80,"
			       "guestfwd=:[fec0::65]:81-cmd:cat", &c), 0);
	assert_int_equal(c.n_guestfwd, 2);
	assert_true(c.guestfwd[0].guest_v6);
	assert_false(inany_is_v4(&c.guestfwd[0].guest_addr));
	assert_int_equal(c.guestfwd[0].guest_addr.a6.s6_addr[15], 0x64);
	assert_int_equal(c.guestfwd[0].guest_port, 8080);
	assert_string_equal(c.guestfwd[0].dev, "tcp:[::1]:80");
	assert_int_equal(c.guestfwd[1].guest_addr.a6.s6_addr[15], 0x65);
	assert_int_equal(parse("ipv6-net=fd00:1::/64,guestfwd=tcp:[fd00:1::9]:80-cmd:cat", &c), 0);
	expect_err("guestfwd=tcp:[fd00:1::9]:80-cmd:cat", "guestfwd"); /* not in fec0::/64 */
	expect_err("guestfwd=tcp:[fec0::2]:80-cmd:cat", "guestfwd");   /* the gateway's */
	expect_err("guestfwd=tcp:[fec0::3]:80-cmd:cat", "guestfwd");   /* DNS */
	expect_err("guestfwd=tcp:[fec0::]:80-cmd:cat", "guestfwd");    /* the prefix itself */
	expect_err("guestfwd=tcp:[fe80::64]:80-cmd:cat", "guestfwd");
	expect_err("guestfwd=tcp:[fec0::64:80-cmd:cat", "guestfwd");
	expect_err("guestfwd=tcp:[::ffff:10.0.2.9]:80-cmd:cat", "guestfwd");
	expect_err("ipv6=off,guestfwd=tcp:[fec0::64]:80-cmd:cat", "guestfwd");
}

static void test_upstream(void **state)
{
	struct gw_config c;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;

	assert_int_equal(parse("dns-upstream=127.0.0.1:5353,dns-upstream=[::1]:54,"
			       "dns-upstream=2001:db8::1,dns-upstream=192.0.2.1", &c), 0);
	assert_int_equal(c.n_upstream, 4); /* resolv.conf not read */
	sin = (struct sockaddr_in *)&c.upstream[0].sa;
	assert_int_equal(ntohs(sin->sin_port), 5353);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), ip("127.0.0.1"));
	sin6 = (struct sockaddr_in6 *)&c.upstream[1].sa;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 54);
	sin6 = (struct sockaddr_in6 *)&c.upstream[2].sa;
	assert_int_equal(ntohs(sin6->sin6_port), 53);
	sin = (struct sockaddr_in *)&c.upstream[3].sa;
	assert_int_equal(ntohs(sin->sin_port), 53);
	expect_err("dns-upstream=1.2.3.4:0", "dns-upstream");
	expect_err("dns-upstream=1.2.3.4:65536", "dns-upstream");
	expect_err("dns-upstream=resolver", "dns-upstream");
	expect_err("dns-upstream=[::1", "dns-upstream");
	expect_err("dns-upstream=1.1.1.1,dns-upstream=1.1.1.2,dns-upstream=1.1.1.3,"
		   "dns-upstream=1.1.1.4,dns-upstream=1.1.1.5", "dns-upstream");
}

/* resolv-conf= names the file; a nameserver at the gateway's own dns
 * address is skipped (it would loop); the path is kept for reloads only
 * when the list came from it. */
static void test_resolv_conf(void **state)
{
	char path[64], opt[160];
	struct gw_config c;
	struct sockaddr_in *sin;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_gw_resolv_key.%d", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("nameserver 10.0.2.3\nnameserver 198.51.100.7\n", f);
	fclose(f);
	snprintf(opt, sizeof(opt), "resolv-conf=%s", path);
	assert_int_equal(parse(opt, &c), 0);
	assert_string_equal(c.resolv_conf, path);
	assert_int_equal(c.n_upstream, 1);
	sin = (struct sockaddr_in *)&c.upstream[0].sa;
	assert_int_equal(ntohl(sin->sin_addr.s_addr), ip("198.51.100.7"));
	assert_int_equal(ntohs(sin->sin_port), 53);

	/* With net= moving dns to 10.0.3.3, 10.0.2.3 is an outer gateway. */
	snprintf(opt, sizeof(opt), "net=10.0.3.0/24,resolv-conf=%s", path);
	assert_int_equal(parse(opt, &c), 0);
	assert_int_equal(c.n_upstream, 2);

	/* Without the key, the caller's default path is the one watched. */
	assert_int_equal(parse("", &c), 0);
	assert_string_equal(c.resolv_conf, resolv_path);
	assert_int_equal(parse("dns-upstream=192.0.2.1", &c), 0);
	assert_string_equal(c.resolv_conf, "");

	/* A missing file is accepted: it is watched and may appear later. */
	assert_int_equal(parse("resolv-conf=/nonexistent/resolv.conf", &c), 0);
	assert_int_equal(c.n_upstream, 0);
	expect_err("resolv-conf=", "resolv-conf");
	snprintf(opt, sizeof(opt), "dns-upstream=192.0.2.1,resolv-conf=%s", path);
	expect_err(opt, "resolv-conf");
	unlink(path);
}

static void test_leases(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("lease=10.0.2.50@52:54:00:12:34:56,"
			       "lease=10.0.2.51@52:54:00:12:34:57", &c), 0);
	assert_int_equal(c.n_leases, 2);
	assert_int_equal(c.leases[0].addr, ip("10.0.2.50"));
	assert_int_equal(c.leases[1].mac[5], 0x57);
	expect_err("lease=10.0.3.50@52:54:00:12:34:56", "lease");
	expect_err("lease=10.0.2.2@52:54:00:12:34:56", "lease");
	expect_err("lease=10.0.2.255@52:54:00:12:34:56", "lease");
	expect_err("lease=10.0.2.50@01:00:5e:00:00:01", "lease");
	expect_err("lease=10.0.2.50", "lease");
	expect_err("lease=10.0.2.50@52:54:00:12:34", "lease");
	expect_err("lease=10.0.2.50@52:54:00:12:34:56,lease=10.0.2.50@52:54:00:12:34:57",
		   "lease");
	expect_err("lease=10.0.2.50@52:54:00:12:34:56,lease=10.0.2.51@52:54:00:12:34:56",
		   "lease");
}

static void test_numbers_and_lists(void **state)
{
	struct gw_config c;

	assert_int_equal(parse("mtu=576,max-leases=100,max-udp-flows=10", &c), 0);
	assert_int_equal(c.mtu, 576);
	assert_true(c.mtu_set);
	assert_int_equal(c.max_leases, 100);
	assert_int_equal(c.max_udp_flows, 10);
	assert_int_equal(parse("mtu=65520", &c), 0);
	expect_err("mtu=575", "mtu");
	expect_err("mtu=65521", "mtu");
	expect_err("mtu=-1", "mtu");
	expect_err("max-leases=0", "max-leases");
	expect_err("max-udp-flows=x", "max-udp-flows");

	assert_int_equal(parse("egress-allow=10.0.0.0/8:192.168.1.7,egress-deny=0.0.0.0/0", &c),
			 0);
	assert_int_equal(c.n_egress_allow, 2);
	assert_int_equal(mask4(&c.egress_allow[0]), ip("255.0.0.0"));
	assert_int_equal(mask4(&c.egress_allow[1]), 0xffffffff);
	assert_int_equal(c.n_egress_deny, 1);
	assert_int_equal(mask4(&c.egress_deny[0]), 0);
	expect_err("egress-allow=10.0.0.0/33", "egress-allow");
	expect_err("egress-allow=10.0.0.0/8:", "egress-allow");
	expect_err("egress-deny=10.0.0.0/8::1.2.3.4", "egress-deny");
	expect_err("egress-deny=", "egress-deny");
}

static void assert_addr6(const struct in6_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* QEMU's IPv6 names and defaults, the old prefix pair, and errors naming
 * the key. */
static void test_ipv6(void **state)
{
	struct gw_config c;

	(void)state;
	assert_int_equal(parse("", &c), 0);
	assert_true(c.v6.on);
	assert_addr6(&c.v6.net, "fec0::");
	assert_int_equal(c.v6.prefixlen, 64);
	assert_addr6(&c.v6.host, "fec0::2");
	assert_addr6(&c.v6.dns, "fec0::3");
	assert_addr6(&c.v6.host_ll, "fe80::2");
	assert_addr6(&c.v6.dns_ll, "fe80::3");
	assert_int_equal(c.v6.dhcp, GW_DHCP6_STATELESS);
	assert_int_equal(parse("ipv6-net=fd00:1::/64", &c), 0);
	assert_addr6(&c.v6.host, "fd00:1::2");
	assert_addr6(&c.v6.dns, "fd00:1::3");
	assert_int_equal(parse("ipv6-prefix=fd00:2::,ipv6-prefixlen=80,ipv6-host=fd00:2::9", &c), 0);
	assert_int_equal(c.v6.prefixlen, 80);
	assert_addr6(&c.v6.host, "fd00:2::9");
	assert_int_equal(parse("ipv6-net=fd00:3::1/64,ipv6-dhcp=stateful,"
			       "lease6=fd00:3::15@52:54:00:12:34:56,ipv6-dns=fd00:3::53", &c), 0);
	assert_addr6(&c.v6.net, "fd00:3::"); /* host bits cleared */
	assert_int_equal(c.v6.dhcp, GW_DHCP6_STATEFUL);
	assert_int_equal(c.v6.n_leases, 1);
	assert_addr6(&c.v6.leases[0].addr, "fd00:3::15");
	assert_int_equal(parse("ipv6=off,ipv6-dhcp=off", &c), 0);
	assert_false(c.v6.on);
	assert_false(c.ipv6);
	expect_err("ipv6-net=10.0.0.0/8", "ipv6-net");
	expect_err("ipv6-net=fec0::/0", "ipv6-net");
	expect_err("ipv6-net=fec0::/127", "ipv6-net");
	expect_err("ipv6-net=fe80::/64", "ipv6-net");
	expect_err("ipv6-net=ff02::/64", "ipv6-net");
	expect_err("ipv6-net=fec0::/64,ipv6-prefixlen=64", "ipv6-net");
	expect_err("ipv6-prefix=nope", "ipv6-prefix");
	expect_err("ipv6-prefixlen=-1", "ipv6-prefixlen");
	expect_err("ipv6-prefixlen=64x", "ipv6-prefixlen");
	expect_err("ipv6-host=fd00::2", "ipv6-host");
	expect_err("ipv6-host=fec0::", "ipv6-host");
	expect_err("ipv6-dns=fec0::2", "ipv6-dns");
	expect_err("ipv6-dns=10.0.2.3", "ipv6-dns");
	expect_err("ipv6-dhcp=yes", "ipv6-dhcp");
	expect_err("lease6=fec0::2@52:54:00:12:34:56", "lease6");
	expect_err("lease6=fd00::15@52:54:00:12:34:56", "lease6");
	expect_err("lease6=fec0::15@01:00:00:00:00:01", "lease6");
	expect_err("lease6=fec0::15", "lease6");
	expect_err("lease6=fec0::15@52:54:00:12:34:56,lease6=fec0::16@52:54:00:12:34:56",
		   "lease6");
	expect_err("ra-interval=1", "ra-interval");
}

/* hostfwd= with IPv6 host and guest addresses, egress CIDRs in []. */
static void test_ipv6_rules(void **state)
{
	struct gw_config c;

	(void)state;
	assert_int_equal(parse("hostfwd=tcp:[::1]:2222-[fec0::15]:22,hostfwd=udp::53-[]:53,"
			       "hostfwd=tcp:[::]:80-10.0.2.15:80", &c), 0);
	assert_int_equal(c.n_hostfwd, 3);
	assert_true(inany_is_loopback(&c.hostfwd[0].host_addr));
	assert_false(inany_is_v4(&c.hostfwd[0].host_addr));
	assert_true(c.hostfwd[0].guest_v6);
	assert_addr6(&c.hostfwd[0].guest_addr.a6, "fec0::15");
	assert_true(c.hostfwd[1].guest_v6);
	assert_true(inany_is_unspecified(&c.hostfwd[1].guest_addr));
	assert_false(c.hostfwd[2].guest_v6);
	assert_int_equal(addr4(&c.hostfwd[2].guest_addr), 0x0a00020f);
	expect_err("hostfwd=tcp:[::1]:22-[fd00::1]:22", "hostfwd");
	expect_err("hostfwd=tcp:[::1]:22-[fec0::2]:22", "hostfwd");
	expect_err("hostfwd=tcp:[::1:22-:22", "hostfwd");
	expect_err("hostfwd=tcp:[nope]:22-:22", "hostfwd");
	expect_err("hostfwd=tcp:[::ffff:1.2.3.4]:22-:22", "hostfwd");
	assert_int_equal(parse("egress-allow=10.0.0.0/8:[fd00::]/8:[2001:db8::1],"
			       "egress-deny=[::1]", &c), 0);
	assert_int_equal(c.n_egress_allow, 3);
	assert_int_equal(c.egress_allow[1].plen, 8);
	assert_int_equal(c.egress_allow[2].plen, 128);
	assert_int_equal(c.n_egress_deny, 1);
	assert_true(inany_is_loopback(&c.egress_deny[0].addr));
	expect_err("egress-allow=[fd00::/8", "egress-allow");
	expect_err("egress-allow=[10.0.0.0]/8", "egress-allow");
	expect_err("egress-allow=[fd00::]/129", "egress-allow");
	expect_err("egress-allow=[fd00::]:", "egress-allow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_net_relocates_defaults),
		cmocka_unit_test(test_net_classful),
		cmocka_unit_test(test_net_errors),
		cmocka_unit_test(test_address_rules),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_lease_time),
		cmocka_unit_test(test_hostfwd),
		cmocka_unit_test(test_guestfwd),
		cmocka_unit_test(test_upstream),
		cmocka_unit_test(test_resolv_conf),
		cmocka_unit_test(test_leases),
		cmocka_unit_test(test_numbers_and_lists),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv6_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
