/* SPDX-License-Identifier: MIT
 *
 * netdev_user.c - "-netdev user": the gateway as a configured attachment.
 *
 * Theory of operation: parse() is pure validation into a gw_config (phase
 * one); start() creates the gateway port, opens its DNS sockets and plugs
 * it into the netdev's network (phase two). Kept apart from gateway.c so
 * the gateway itself links into unit tests without the netdev registry.
 * Its keys and their descriptions here are the --help and vmwire(1) text.
 */
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/fdres.h"
#include "core/port.h"
#include "gateway/gateway.h"
#include "gateway/nat/icmp_nat.h"
#include "gateway/services/dns.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct netdev_ops user_netdev_ops;

struct netdev_user {
	struct netdev nd; /* first: container_of by cast */
	struct gw_config cfg;
	struct gateway *gw;
};

static struct netdev *user_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct netdev_user *u = calloc(1, sizeof(*u));

	if (!u) {
		snprintf(err, errlen, "-netdev user: out of memory");
		return NULL;
	}
	if (gw_config_parse(&u->cfg, kv, NULL, err, errlen)) {
		free(u);
		return NULL;
	}
	u->nd.type = &netdev_user_type;
	u->nd.ops = &user_netdev_ops;
	return &u->nd;
}

/* Every TCP flow and UDP/ICMP NAT flow holds a host socket. A table larger
 * than the fds left would fail at socket() or accept() when full, taking the
 * fds stream listeners and the monitor need with it; so the TCP table (the
 * big one) is cut to what the budget holds, minus a quarter kept for
 * everything else (new VM connections, other netdevs, the monitor). */
static void size_from_fd_budget(struct netdev_user *u)
{
	unsigned avail = fd_budget_free(), fixed, room, want;

	fixed = u->cfg.max_udp_flows + GW_ICMP_FLOWS + GW_DNS_FDS +
		(u->cfg.tftp[0] ? u->cfg.max_tftp_transfers : 0);
	want = u->cfg.max_tcp_flows + fixed;
	room = avail - avail / 4;
	if (want <= room)
		return;
	u->cfg.max_tcp_flows = room > fixed + 16 ? room - fixed : 16;
	info("-netdev user,id=%s: %u file descriptors free (RLIMIT_NOFILE %u): "
	     "max-tcp-flows lowered to %u (%u UDP, %u ICMP, %u DNS sockets kept)",
	     u->nd.common.id, avail, fd_budget_limit(), u->cfg.max_tcp_flows,
	     u->cfg.max_udp_flows, GW_ICMP_FLOWS, GW_DNS_FDS);
}

static int user_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct netdev_user *u = (struct netdev_user *)nd;

	size_from_fd_budget(u);
	u->gw = gateway_new(&u->cfg, nd->common.id, loop);
	if (!u->gw) {
		snprintf(err, errlen, "-netdev user,id=%s: cannot start the gateway: %s",
			 nd->common.id, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	netdev_port_setup(nd, gateway_port(u->gw));
	return 0;
}

static void user_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct netdev_user *u = (const struct netdev_user *)nd;

	if (u->gw && gateway_port(u->gw)->ops->describe)
		gateway_port(u->gw)->ops->describe(gateway_port(u->gw), buf, size);
	else
		snprintf(buf, size, "not started");
}

static void user_destroy(struct netdev *nd)
{
	struct netdev_user *u = (struct netdev_user *)nd;

	if (u->gw)
		port_close(gateway_port(u->gw));
	free(u);
}

struct gw_config *netdev_user_config(struct netdev *nd)
{
	return &((struct netdev_user *)nd)->cfg;
}

/* A guestfwd cmd: runs commands that inherit the seccomp filter. */
static bool user_spawns(const struct netdev *nd)
{
	const struct netdev_user *u = (const struct netdev_user *)nd;
	unsigned i;

	for (i = 0; i < u->cfg.n_guestfwd; i++)
		if (!strncmp(u->cfg.guestfwd[i].dev, "cmd:", 4))
			return true;
	return false;
}

/* tftp=: files are opened beneath the directory with openat2() where the
 * kernel has it (services/tftp_path.c). */
static const char *const user_syscalls[] = { "openat2", NULL };

/* No hint: VMs reach the gateway through another netdev's network. */
static const struct netdev_ops user_netdev_ops = {
	.start = user_start,
	.describe = user_describe,
	.destroy = user_destroy,
};

/* The defaults and limits in the help are the constants themselves. */
#define NUM_(x) #x
#define NUM(x) NUM_(x)

static const struct netdev_key user_keys[] = {
	{ "net=ADDR[/MASK]", "the guest network (default 10.0.2.0/24)", NULL },
	{ "host=ADDR", "the gateway's own address (default .2 of net)", NULL },
	{ "dns=ADDR", "the DNS forwarder's address (default .3 of net)", NULL },
	{ "dhcpstart=ADDR", "the first address DHCP hands out (default .15 of net)", NULL },
	{ "restrict=on|off", "with on, let nothing out but answers to hostfwd peers (default "
	  "off)", NULL },
	{ "hostname=NAME, domainname=DOMAIN", "the host and domain name DHCP gives the guest", NULL },
	{ "dnssearch=DOMAIN", "a DNS search domain DHCP announces (repeatable)", NULL },
	{ "tftp=DIR", "serve DIR read-only by TFTP at the host address and ipv6-host, port 69 "
	  "(no tftp=: the port is closed)", NULL },
	{ "bootfile=FILE, tftp-server-name=NAME", "the boot file and boot server DHCP "
	  "announces (options 67, 66 and BOOTP's file, sname) for PXE; DHCPv6 gives "
	  "tftp://[ipv6-host]/FILE as option 59 to clients that ask", NULL },
	{ "max-tftp-transfers=N", "TFTP transfers at once, 1 to " NUM(GW_MAX_TFTP_MAX)
	  " (default " NUM(GW_DEFAULT_MAX_TFTP) ", QEMU's)", NULL },
	{ "ipv4=on, ipv6=on|off", "as in QEMU (ipv6 default on); ipv4=off is refused", NULL },
	{ "ipv6-net=ADDR[/LEN]", "the guests' IPv6 prefix (default fec0::/64; LEN 1..126; the "
	  "older ipv6-prefix=ADDR,ipv6-prefixlen=LEN also work)", NULL },
	{ "ipv6-host=ADDR, ipv6-dns=ADDR", "the gateway's and the DNS forwarder's IPv6 "
	  "addresses (default ::2 and ::3 of ipv6-net; NDP also answers their fe80:: forms)",
	  NULL },
	{ "ipv6-dhcp=off|stateless|stateful", "what DHCPv6 answers, and the router "
	  "advertisement's M/O flags (default stateless: DNS and search list only)", NULL },
	{ "lease6=ADDR@MAC", "a static DHCPv6 address for a MAC (repeatable)", NULL },
	{ "ra-interval=SECONDS", "time between unsolicited router advertisements, 4 to 1800 "
	  "(default 60)", NULL },
	{ "hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
	  "forward a host port into a guest (repeatable); empty HOSTADDR = every host "
	  "address, empty GUESTADDR = dhcpstart; IPv6 addresses in [] (GUESTADDR [] = the "
	  "guest's address NDP learned); two rules on one protocol and host port are "
	  "an error; monitor: hostfwd_add, hostfwd_remove", NULL },
	{ "guestfwd=[tcp]:[SERVER]:PORT-DEV",
	  "join guest connections to SERVER:PORT (repeatable; SERVER default .4 of net, or "
	  "[V6] in ipv6-net) to "
	  "DEV tcp:HOST:PORT, unix:PATH (vmwire extension) or cmd:COMMAND (sh -c, one "
	  "process per guest connection, its stdin/stdout are the connection; at most 64 "
	  "at once)", NULL },
	{ "dns-upstream=ADDR[:PORT]", "a resolver to forward DNS queries to (repeatable, tried "
	  "in turn)", NULL },
	{ "lease=ADDR@MAC", "a static DHCP lease (repeatable)", NULL },
	{ "dns-record=NAME=ADDR", "answer NAME (any case) with ADDR, an A or AAAA record, "
	  "from the gateway's DNS before forwarding (repeatable, at most "
	  NUM(GW_DNSREC_ARGS_MAX) "); monitor: dns_record_add, dns_record_remove",
	  "answer NAME from the gateway's DNS service (IPv4 and IPv6) itself, "
	  "authoritatively (AA set, TTL " NUM(GW_DNSREC_TTL) "), before any query is "
	  "forwarded: A for an IPv4 ADDR, AAAA for IPv6; a name may have several. A query for "
	  "a name of the table with a type it has no records of is answered NOERROR "
	  "with no answer (NODATA), not forwarded. Repeatable up to "
	  NUM(GW_DNSREC_ARGS_MAX) " times; more records go in a dns-zone= file. Also "
	  "answered with restrict=on. A guest whose DHCP client sends a host name (option "
	  "12) is HOST.DOMAIN (domainname=; HOST alone without it) for its leased address "
	  "(A) and its IPv6 addresses (AAAA: those NDP saw it use from the same MAC and "
	  "port, and its DHCPv6 lease's) while the lease is bound; the first guest to bind a "
	  "name keeps it, and a static record always wins over a guest's name." },
	{ "dns-zone=FILE", "records from FILE, one 'name address' a line ('#' comments)",
	  "read records from FILE, one\n.I \"name address\"\na line; '#' starts a "
	  "comment, blank lines are skipped; an error names FILE:LINE. The file is read "
	  "at start (and checked when the option is parsed)." },
	{ "max-dns-records=N", "size of the DNS record table, 1 to " NUM(GW_DNSREC_LIMIT)
	  " (default " NUM(GW_DNSREC_DEFAULT_MAX) "): the records of dns-record=, dns-zone= "
	  "and the control socket together", NULL },
	{ "lease-time=SECONDS", "the DHCP lease time, " NUM(GW_LEASE_TIME_MIN_S) " to "
	  NUM(GW_LEASE_TIME_MAX_S) " (default " NUM(GW_DEFAULT_LEASE_TIME_S) ", QEMU's 24 h)",
	  NULL },
	{ "host-loopback=on|off", "10.0.2.2 reaches the host's 127.0.0.1 (default on); off "
	  "also refuses every other local address of the host", NULL },
	{ "hostfwd-source=client|host", "where hostfwd connections seem to come from in the "
	  "guest: client (default) the client's real address, host always 10.0.2.2 "
	  "(ipv6-host), as slirp",
	  "With\n.B client\n(the default) a connection or datagram to a hostfwd port "
	  "reaches the guest from the client's own address, the guest's answer going "
	  "back through the gateway (its default route); clients on the host's "
	  "loopback, on an unspecified address or inside the guest network appear "
	  "as the host address (10.0.2.2, or\n.B ipv6\\-host\nfor an IPv6 rule).\nWith\n"
	  ".B host\nevery client appears as the host address, as in QEMU and "
	  "slirp4netns." },
	{ "udp-filter=MODE", "replies a UDP flow takes: address-port (default: only "
	  "from where the guest sent), address, endpoint (anyone: STUN)",
	  "RFC 4787 filtering of replies to a guest's UDP flow:\n.B address-port\n"
	  "(the default) passes datagrams only from a host address and port the guest "
	  "sent to from that port (the last 16 are remembered),\n.B address\n"
	  "from any port of such an address,\n.B endpoint\n"
	  "from anyone (endpoint-independent filtering, for STUN and games)." },
	{ "resolv-conf=PATH", "upstreams when no dns-upstream=, re-read on change (default "
	  "/etc/resolv.conf)", NULL },
	{ "mtu=N", "the gateway's MTU, " NUM(GW_MTU_MIN) " to " NUM(GW_MTU_MAX) " (default "
	  NUM(GW_DEFAULT_MTU) ")", NULL },
	{ "max-leases=N", "dynamic DHCP leases (default " NUM(GW_DEFAULT_MAX_LEASES) ")", NULL },
	{ "max-leases-per-port=N", "dynamic leases the guests behind one switch port may hold "
	  "(default " NUM(GW_DEFAULT_MAX_LEASES_PER_PORT) ", 0: no cap)", NULL },
	{ "source-guard=lease|strict", "lease (default): a leased address belongs to its MAC; "
	  "strict: a MAC may send only from the address it was leased", NULL },
	{ "max-udp-flows=N", "UDP NAT flows (default " NUM(GW_DEFAULT_MAX_UDP_FLOWS) ")", NULL },
	{ "max-tcp-flows=N", "TCP connections in translation (default "
	  NUM(GW_DEFAULT_MAX_TCP_FLOWS) "; beyond it new "
	  "connections are reset)", NULL },
	{ "max-ooo-kib=N", "guest TCP data held out of order, all flows together, a quarter "
	  "per flow (default " NUM(GW_DEFAULT_MAX_OOO_KIB) "; 0 drops it)", NULL },
	{ "delayed-ack-ms=N", "how long the ACK of a small guest TCP segment may wait to ride "
	  "on the host's reply (default " NUM(GW_DEFAULT_DELAYED_ACK_MS) ", at most "
	  NUM(GW_MAX_DELAYED_ACK_MS) "; 0: ACK every segment at once)", NULL },
	{ "egress-allow=CIDR[:CIDR...], egress-deny=CIDR[:CIDR...]",
	  "where guests may send to, where not (deny wins); IPv6 ones in [], [fd00::]/8", NULL },
	{ "udp-timeout=SECONDS", "idle time after which a UDP flow closes (default "
	  NUM(GW_DEFAULT_UDP_TIMEOUT_S) ")", NULL },
	{ "max-frags=N", "IPv4 datagrams pending reassembly (default "
	  NUM(GW_DEFAULT_MAX_FRAGS) "; 0 drops fragments)", NULL },
	{ "max-flows-per-guest=N|P%", "TCP, UDP and ICMP flows one guest (switch port) may "
	  "hold of each table while another guest is active (default "
	  NUM(GW_QUOTA_DEFAULT_PERCENT) "%)",
	  "A guest is the switch port its frames come from; it is active while it holds "
	  "gateway state or asked for some in the last 60 s. A guest alone may fill a "
	  "table; when another guest then finds it full, the oldest entry of the guest "
	  "furthest beyond its share is closed to make room. Over its share a guest's "
	  "new TCP connections are reset and its UDP and ICMP get ICMP "
	  "administratively prohibited; each refusal is counted (quota_refused_*) and "
	  "logged once per guest and table. N is a number of entries, P% a percentage "
	  "of the table (1% to 100%; 100% turns the share off)." },
	{ "max-dns-per-guest=N|P%", "the same for DNS queries in flight (beyond: SERVFAIL)",
	  NULL },
	{ "max-frags-per-guest=N|P%, max-ooo-per-guest=N|P%", "the same for reassembly "
	  "slots and the out-of-order pool", NULL },
	{ "max-tftp-per-guest=N|P%", "the same for TFTP transfers", NULL },
	{ NULL, NULL, NULL },
};

static const char user_man[] =
	"The user-mode gateway, as QEMU's\n"
	".BR \"\\-netdev user\" :\n"
	"a port on the network that answers ARP and DHCP, forwards DNS, answers ping\n"
	"to its own addresses, and translates guest UDP, ICMP echo and TCP to sockets\n"
	"of the host.\n"
	"QEMU's keys\n"
	".BR net ,\n"
	".BR host ,\n"
	".BR dns ,\n"
	".BR dhcpstart ,\n"
	".BR restrict ,\n"
	".BR hostname ,\n"
	".BR domainname ,\n"
	".BR dnssearch ,\n"
	".BR hostfwd ,\n"
	".B guestfwd\n"
	"and\n"
	".BR ipv4 ,\n"
	".BR ipv6 ,\n"
	".BR ipv6\\-net ,\n"
	".BR ipv6\\-prefix ,\n"
	".BR ipv6\\-prefixlen ,\n"
	".B ipv6\\-host\n"
	"and\n"
	".B ipv6\\-dns\n"
	"keep their meaning and defaults\n"
	".RB ( ipv4=off\n"
	"is refused).\n"
	"With IPv6 on (the default) the gateway answers neighbour solicitations for\n"
	"its IPv6 addresses and their fe80:: forms, sends router advertisements with\n"
	"the prefix (SLAAC), the MTU and the DNS address and search list (RFC 8106),\n"
	"and answers ping to its own IPv6 addresses.\n"
	"Without\n"
	".BR tftp ,\n"
	"guest UDP to port 69 of the host address is answered with ICMP port\n"
	"unreachable instead of reaching a TFTP server on the host's 127.0.0.1.\n";

static const char user_man_notes[] =
	"Guest traffic to the host address (10.0.2.2) reaches the host's 127.0.0.1\n"
	"unless\n"
	".BR host\\-loopback=off ;\n"
	"answers from 127.0.0.1 appear to come from the host address.\n"
	".B restrict=on\n"
	"lets nothing out but answers to\n"
	".B hostfwd\n"
	"peers.\n"
	".BI egress\\-allow= CIDR[:CIDR...]\n"
	"limits where guests may send to those networks,\n"
	".BI egress\\-deny= CIDR[:CIDR...]\n"
	"forbids networks and wins over the allow list; both are matched against\n"
	"the host-side address.\n"
	".BI max\\-udp\\-flows= N\n"
	"(default 256) bounds the UDP NAT table; new flows beyond it are dropped and\n"
	"counted. UDP flows close after 60 s idle, ICMP echo flows after 10 s.\n"
	"Guest ping to other addresses, IPv4 or IPv6, uses unprivileged ICMP and\n"
	"ICMPv6 sockets, which need\n"
	".B net.ipv4.ping_group_range\n"
	"to include vmwire's group; as root it falls back to raw sockets. ICMP and\n"
	"ICMPv6 errors the host gets for guest UDP and echo (unreachable, time\n"
	"exceeded, IPv6 packet too big) go back to the guest quoting its packet,\n"
	"from the router that sent them.\n"
	"The gateway is the guests' first hop: a packet it would route that arrives\n"
	"with TTL or hop limit 1 gets ICMP (ICMPv6) time exceeded from the host\n"
	"address, rate-limited per guest, and translated UDP leaves with the guest's\n"
	"TTL or hop limit less one, so traceroute and tracepath show every hop.\n"
	"A guest IPv6 datagram that fits the guest's link leaves unfragmented; when\n"
	"the host's path is narrower the guest gets ICMPv6 packet too big with the\n"
	"path MTU, and fragments, as behind a real router.\n"
	"Datagrams from the host (and IPv4 echo replies) larger than\n"
	".BI mtu= N\n"
	"allows reach the guest as IPv4 or IPv6 fragments; one that would need more\n"
	"fragments than the gateway's reply ring holds (about 47 KB at mtu=1500) is\n"
	"dropped and counted (udp_too_big in\n"
	".BR \"info usernet\" ).\n"
	"Fragments from the guest are reassembled, at most\n"
	".BI max\\-frags= N\n"
	"datagrams at a time (default " NUM(GW_DEFAULT_MAX_FRAGS) ";\n"
	".B max\\-frags=0\n"
	"drops them).\n"
	".BI hostfwd= [tcp|udp]:[HOSTADDR]:HOSTPORT\\-[GUESTADDR]:GUESTPORT\n"
	"(repeatable) listens on the host and forwards into a guest: an empty\n"
	".I HOSTADDR\n"
	"listens on every host address, an empty\n"
	".I GUESTADDR\n"
	"is the first DHCP address\n"
	".RB ( dhcpstart ).\n"
	"A mistake is named by its part (protocol, host address, host port, the\n"
	".RB \\(aq \\- \\(aq,\n"
	"guest address, guest port).\n"
	"Two rules on the same protocol and\n"
	".I HOSTPORT\n"
	"whose host addresses are equal, or one of them empty, are refused while\n"
	"parsing (exit status 2, one line naming both).\n"
	"Several VMs on one network are each reached through their own rules with an\n"
	"explicit\n"
	".IR GUESTADDR ;\n"
	"the gateway finds them by ARP.\n"
	"Rules can be added and removed at run time with the monitor's\n"
	".B hostfwd_add\n"
	"and\n"
	".BR hostfwd_remove .\n"
	".BI guestfwd= [tcp]:[SERVER]:PORT\\-DEV\n"
	"(repeatable; the default\n"
	".I SERVER\n"
	"is address .4 of\n"
	".BR net )\n"
	"joins guest connections to\n"
	".IR SERVER : PORT ,\n"
	"an address the gateway answers ARP for (or an IPv6 one in brackets inside\n"
	".BR ipv6\\-net ,\n"
	"such as\n"
	".BR [fec0::64] ,\n"
	"that it answers neighbour solicitations for), to\n"
	".IR DEV :\n"
	".BI tcp: HOST : PORT\n"
	"(or\n"
	".BI [ V6 ]: PORT\\fR)\n"
	"a host TCP socket,\n"
	".BI unix: PATH\n"
	"a host unix stream socket (a vmwire extension), or\n"
	".BI cmd: COMMAND\n"
	"as in QEMU: COMMAND runs under\n"
	".B /bin/sh \\-c\n"
	"once per guest connection, in its own process group, its standard input and\n"
	"output being the connection; it gets SIGTERM when the connection ends (SIGKILL\n"
	"3 s later) and at most 64 run at once.\n"
	"There are no chardevs in vmwire.\n"
	".B restrict\n"
	"and the egress lists do not apply to guestfwd and hostfwd.\n"
	".BI max\\-tcp\\-flows= N\n"
	"(default 16384) bounds the TCP connections in translation: beyond it a guest\n"
	"SYN is answered with a RST (a warning is logged once) and a host connection\n"
	"to a hostfwd port is reset; established connections are not affected and\n"
	"new ones succeed again as soon as others close.\n"
	".BI max\\-ooo\\-kib= N\n"
	"(default 4096, at most 262144) is the memory, allocated at startup and\n"
	"shared by all TCP connections, for guest data that arrives out of order\n"
	"(after a lost or reordered segment): it is held until the gap is filled and\n"
	"described to the guest in SACK blocks, so the guest resends only what is\n"
	"missing. One connection may use a quarter of it (at least 16 KiB); beyond\n"
	"that, or with\n"
	".BR max\\-ooo\\-kib=0 ,\n"
	"such data is dropped and resent by the guest.\n"
	".BI max\\-leases= N\n"
	"(default 16) bounds the dynamic DHCP leases;\n"
	".BI lease= ADDR @ MAC\n"
	"(repeatable) gives a MAC a fixed address.\n"
	".BI lease\\-time= SECONDS\n"
	"(dnsmasq's name; default 86400, QEMU's 24 hours; 60 to 2147483647) is the\n"
	"lease time the DHCP server grants (option 51, renewal at half of it and\n"
	"rebinding at seven eighths) and after which an unrenewed lease, or a\n"
	"declined address, can be given to another guest.\n"
	".BI mtu= N\n"
	"(default 1500) is the gateway's MTU, announced by DHCP when given.\n"
	".BI hostfwd=udp: ...\n"
	"relays datagrams from a host port to the guest and the guest's answers back\n"
	"to the last host peer.\n"
	"DNS queries to the\n"
	".B dns\n"
	"address (UDP, and TCP to the first upstream) go to the resolvers given by\n"
	".BI dns\\-upstream= ADDR[:PORT]\n"
	"(repeatable, tried in turn when one does not answer within 2 s), else to the\n"
	"nameservers of\n"
	".BI resolv\\-conf= PATH\n"
	"(default\n"
	".IR /etc/resolv.conf ),\n"
	"which is checked again at most once a second as queries arrive and re-read\n"
	"when it changed; queries in flight keep their resolver.\n"
	"A nameserver equal to the gateway's own\n"
	".B dns\n"
	"address is skipped with a warning: it would loop (for instance vmwire\n"
	"started inside a\n"
	".B vmwire run\n"
	"namespace, whose resolv.conf names 10.0.2.3); chain gateways with\n"
	".B dns\\-upstream\n"
	"or a different\n"
	".BR net .\n"
	"The name host.vmwire.internal is answered with the host address.\n"
	".BI tftp= DIR\n"
	"serves the files beneath\n"
	".I DIR\n"
	"(opened at start) to read requests at the host address, UDP port 69, as\n"
	"QEMU does, and at\n"
	".B ipv6\\-host\n"
	"over IPv6 with the same rules and limits: octet mode only, the options\n"
	"blksize (up to what the MTU carries: 1468 over IPv4, 1448 over IPv6 at\n"
	"mtu=1500), timeout, tsize and windowsize (at most 8), block numbers\n"
	"wrapping to 0 past 65535, lost blocks resent after the timeout (default\n"
	"1 s, 5 tries). Write requests are refused. A leading\n"
	".RB \\(aq / \\(aq\n"
	"of a name is dropped (QEMU's behaviour: the name is always beneath\n"
	".IR DIR );\n"
	"a name with a\n"
	".B ..\n"
	"component, a symbolic link leading out of\n"
	".IR DIR ,\n"
	"or anything but a regular file is answered \"access violation\".\n"
	".BI max\\-tftp\\-transfers= N\n"
	"(default " NUM(GW_DEFAULT_MAX_TFTP) ") bounds the transfers in progress; a request beyond\n"
	"it gets an error packet, logged once.\n"
	".BI bootfile= FILE\n"
	"and\n"
	".BI tftp\\-server\\-name= NAME\n"
	"go into every DHCP offer and acknowledgement (options 67 and 66, and the\n"
	"BOOTP file and sname fields), for PXE and iPXE ROMs; the next-server field\n"
	"is always the host address.\n"
	"A DHCPv6 client whose option request lists the boot file URL (option 59,\n"
	"RFC 5970) gets\n"
	".BI tftp://[ ipv6-host ]/ FILE\n"
	"in the reply to its Information-Request and, with\n"
	".BR ipv6\\-dhcp=stateful ,\n"
	"in its Advertise and Reply; it is not sent unasked. A\n"
	".B tftp\\-server\\-name\n"
	"that is an IPv6 address or a DNS name is the URL's host instead; an IPv4\n"
	"one is not (it stays option 66's). A\n"
	".B bootfile\n"
	"that is a URL already\n"
	".RI ( scheme ://...)\n"
	"is sent as it is; otherwise its leading\n"
	".RB \\(aq / \\(aq\n"
	"is dropped and what a URL path cannot hold is percent-encoded.\n";

const struct netdev_type netdev_user_type = {
	.name = "user",
	.summary = "the user-mode gateway (QEMU -netdev user, slirp): DHCP, DNS, NAT of guest "
		   "UDP/ICMP/TCP to the host's network",
	.man = user_man,
	.keys = user_keys,
	.man_notes = user_man_notes,
	.parse = user_parse,
	.sandbox = {
		/* Guest ping falls back to raw ICMP sockets as root, whose
		 * ping_group_range usually leaves it out. */
		.caps = 1ull << CAP_NET_RAW,
		.paths = "the resolv-conf= file (re-read when it changes) and guestfwd "
			 "unix: sockets; tftp= files are opened beneath the directory's "
			 "descriptor",
		.syscalls = user_syscalls,
		.spawns = user_spawns,
	},
};
