/* SPDX-License-Identifier: MIT
 *
 * overlay_help.c - the keys of "-netdev vxlan" and "-netdev geneve" and the
 * man page's notes on them, for --help and vmwire(1); apart from overlay.c,
 * which runs them, to keep that file to its data path and setup.
 */
#include "ports/overlay.h"

const struct netdev_key overlay_keys[] = {
	{ "vni=N", "the virtual network identifier, 0-16777215 (required unless vni-map); "
	  "with vni-map, the VNI of the port's native (untagged) VLAN", NULL },
	{ "vni-map=VLAN:VNI[;VLAN:VNI...]", "carry each VLAN in its own VNI: the port becomes "
	  "a trunk of these VLANs, untagged in the tunnel",
	  "Up to 64 pairs, separated by\n.B ;\n(quote it from a shell), each VLAN and VNI once, "
	  "none the native VLAN. Without\n.BR vni= ,\nthe port has no native VLAN. One "
	  "learning table serves all the netdev's VNIs." },
	{ "local=ADDR", "this VTEP's underlay address, IPv4 or IPv6 (required); the socket "
	  "binds it and dstport", NULL },
	{ "remote=ADDR", "a remote VTEP; repeat the key for more: broadcast and unknown "
	  "unicast go to each (head-end replication)", NULL },
	{ "group=MCAST", "a multicast group instead of remotes: floods go to it and it is "
	  "joined (the socket then binds the wildcard address)", NULL },
	{ "dev=IFNAME", "the interface for group (IP_ADD_MEMBERSHIP, IP_MULTICAST_IF)", NULL },
	{ "dstport=PORT", "the UDP port VTEPs listen on (vxlan 4789, geneve 6081)",
	  "Note: Linux's\n.B ip link add ... type vxlan\nwithout\n.B dstport\nuses 8472; "
	  "give it\n.B dstport 4789\nor give vmwire\n.BR dstport=8472 ." },
	{ "srcport=MIN-MAX", "UDP source ports: a hash of the inner flow in this range "
	  "(default 32768-60999, as Linux)", "Needs CAP_NET_RAW at start (a raw socket "
	  "writes the UDP header); without it the source port is dstport." },
	{ "ttl=N", "TTL/hop limit of tunnel packets (default: the system's, 1 towards a "
	  "group)", NULL },
	{ "learning=on|off", "learn which VTEP each inner source MAC is behind (default on); "
	  "off floods every frame to all remotes", NULL },
	{ "ageing=SECONDS", "how long a learned MAC stays (default 300)", NULL },
	{ NULL, NULL, NULL },
};

const char overlay_man_notes[] =
	"One UDP socket serves every VNI on the same local address and dstport: several\n"
	".B \\-netdev\n"
	"of one protocol may share it with different\n"
	".BR vni ,\n"
	"and must then have the same\n"
	".B ttl\n"
	"and\n"
	".BR dev .\n"
	"Outer packets are sent with DF set. The inner MTU is therefore the underlay's\n"
	"minus 50 bytes over IPv4 (20 IP + 8 UDP + 8 VXLAN or Geneve + 14 inner\n"
	"Ethernet) or 70 over IPv6: 1450 on a 1500-byte underlay. A larger frame is\n"
	"dropped and counted as too-big-tx, not fragmented; give the guests that MTU.\n"
	"Tunnel packets with a bad header are dropped and counted by reason\n"
	"(info network): for VXLAN a clear I flag, reserved bits, a nonzero last byte;\n"
	"for Geneve a version other than 0, a protocol other than 0x6558, an OAM packet,\n"
	"option TLVs past the header, the C bit or a critical option (vmwire\n"
	"implements no Geneve options and skips the others); and for both a header\n"
	"cut short, an unknown VNI or an inner frame shorter than Ethernet's header.";
