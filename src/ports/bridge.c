/* SPDX-License-Identifier: MIT
 *
 * bridge.c - "-netdev bridge,id=ID,br=BRIDGE": a TAP that vmwire creates,
 * puts on an existing Linux bridge and joins to its switch, the way QEMU's
 * -netdev bridge does through qemu-bridge-helper.
 *
 * Theory of operation: this is a -netdev tap with three differences, so it
 * is a tap netdev (ports/tap.c) with tap_config.bridge set and this type's
 * name: at start the ACL (config/bridge_acl.h, qemu-bridge-helper's
 * bridge.conf syntax) must allow BRIDGE, then the TAP is created with the
 * vnet header and offloads like any vmwire TAP, gets the bridge's MTU and
 * MAC[0] = 0xFE, and is enslaved to the bridge and brought up. Its port
 * is an uplink: a whole LAN is behind it, so port security is off unless
 * port-security= turns it on. Closing vmwire deletes the TAP, which takes
 * it off the bridge. "vmwire bridge-helper" (control/bridge_helper.c) is
 * the same TAP handed to QEMU instead.
 */
#include "config/bridge_acl.h"
#include "config/keyval.h"
#include "config/netdev.h"
#include "ports/tap.h"

#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>

extern const struct netdev_type netdev_bridge_type;

static struct netdev *bridge_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct tap_config cfg = { 0 };
	const char *br = NULL, *acl = NULL, *ifname = NULL;
	struct netdev *nd;

	kv_get(kv, "type");
	/* QEMU's key, refused by name: vmwire is the helper here */
	for (unsigned i = 0; i < kv->n; i++) {
		if (!strcmp(kv->items[i].key, "helper")) {
			kv_errorf(err, errlen, kv, "'helper' is not supported by vmwire: it creates "
				  "the TAP itself (QEMU can use 'vmwire bridge-helper' as its helper)");
			return NULL;
		}
	}
	if (kv_get_str(kv, "br", IFNAMSIZ - 1, &br, err, errlen) < 0)
		return NULL;
	if (!br || !tap_ifname_valid(br)) {
		kv_errorf(err, errlen, kv, "'br' expects the name of a Linux bridge%s%s%s",
			  br ? ", not '" : "", br ? br : "", br ? "'" : "");
		return NULL;
	}
	if (kv_get_str(kv, "acl", sizeof(cfg.acl) - 1, &acl, err, errlen) < 0)
		return NULL;
	if (acl && !*acl) {
		kv_errorf(err, errlen, kv, "'acl' expects a file");
		return NULL;
	}
	if (kv_get_str(kv, "ifname", IFNAMSIZ - 1, &ifname, err, errlen) < 0)
		return NULL;
	if (ifname && !tap_ifname_valid(ifname)) {
		kv_errorf(err, errlen, kv, "'ifname' is not a valid interface name: '%s'", ifname);
		return NULL;
	}
	snprintf(cfg.bridge, sizeof(cfg.bridge), "%s", br);
	snprintf(cfg.acl, sizeof(cfg.acl), "%s", acl ? acl : BRIDGE_ACL_DEFAULT);
	if (ifname)
		snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", ifname);
	nd = tap_netdev_new(&cfg);
	if (!nd) {
		kv_errorf(err, errlen, kv, "out of memory");
		return NULL;
	}
	nd->type = &netdev_bridge_type; /* the name in messages; tap's ops run it */
	return nd;
}

static const struct netdev_key bridge_keys[] = {
	{ "br=BRIDGE", "the existing Linux bridge to put the TAP on", NULL },
	{ "acl=FILE", "the ACL that must allow BRIDGE (default " BRIDGE_ACL_DEFAULT ")",
	  "qemu-bridge-helper's syntax: lines \"allow NAME|all\", \"deny NAME|all\",\n"
	  "\"include PATH\", \"#\" comments; allowed when an allow rule matches and no\n"
	  "deny rule does. A missing file (included ones too), an unknown keyword or\n"
	  "a bad line denies." },
	{ "ifname=NAME", "the TAP's name (default: the kernel picks vmwireN)", NULL },
	{ NULL, NULL, NULL },
};

static const unsigned long bridge_ioctls[] = { TUNSETOFFLOAD, 0 };

const struct netdev_type netdev_bridge_type = {
	.name = "bridge",
	.summary = "a TAP on an existing Linux bridge, checked against bridge.conf",
	.man = "A TAP that vmwire creates with offloads, puts on an existing Linux bridge\n"
	       "(the bridge's MTU, MAC[0] = 0xFE, as\n.BR qemu-bridge-helper )\nand joins "
	       "to its switch as an uplink (port security off unless\n.B port-security=on\n"
	       "is given), after the ACL allowed the bridge; as QEMU's\n.BR \"\\-netdev "
	       "bridge\" .",
	.keys = bridge_keys,
	.man_notes = "For QEMU itself,\n.B vmwire bridge-helper\nis a drop-in "
		     "qemu-bridge-helper: see BRIDGE HELPER.",
	.parse = bridge_parse,
	.sandbox = {
		.ioctls = bridge_ioctls,
	},
	.uplink = true,
};
