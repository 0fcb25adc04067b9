/* SPDX-License-Identifier: MIT
 *
 * vde_proto.c - the vde_switch control request: parse (the switch side,
 * ports/vde_switch.c) and build (the client side, ports/vde.c). The layout
 * and the checks are described in vde_proto.h.
 */
#include "ports/vde_proto.h"
#include "config/keyval.h"
#include "ports/unix_acl.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* host byte order, as vde_switch reads it */
	return v;
}

int vde_request_parse(const uint8_t *buf, size_t len, unsigned max_port,
		      struct vde_request *out, const char **why)
{
	struct sockaddr_un sun;
	uint32_t type;
	size_t plen, i, dlen;

	memset(out, 0, sizeof(*out));
	if (len < VDE_REQ_FIXED) {
		*why = "short request";
		return -1;
	}
	if (len > VDE_REQ_MAX) {
		*why = "request longer than 250 bytes (description over 128)";
		return -1;
	}
	if (get_u32(buf) != VDE_MAGIC) {
		*why = "bad magic";
		return -1;
	}
	if (get_u32(buf + 4) != VDE_VERSION) {
		*why = "not version 3";
		return -1;
	}
	type = get_u32(buf + 8);
	switch (type & 0xff) {
	case VDE_REQ_NEW_CONTROL:
		out->port = type >> 8;
		break;
	case VDE_REQ_NEW_PORT0:
		if (type >> 8) {
			*why = "NEW_PORT0 with a port number";
			return -1;
		}
		out->port0 = true;
		break;
	default:
		*why = "unknown request type";
		return -1;
	}
	if (out->port > max_port) {
		*why = "port number over max-ports";
		return -1;
	}
	memcpy(&sun, buf + 12, sizeof(sun));
	if (sun.sun_family != AF_UNIX) {
		*why = "socket address not AF_UNIX";
		return -1;
	}
	plen = strnlen(sun.sun_path, sizeof(sun.sun_path));
	if (plen == 0) {
		*why = "empty or abstract socket path";
		return -1;
	}
	if (plen == sizeof(sun.sun_path)) {
		*why = "socket path not terminated";
		return -1;
	}
	if (sun.sun_path[0] != '/') {
		*why = "socket path not absolute";
		return -1;
	}
	memcpy(out->path, sun.sun_path, plen + 1);
	dlen = len - VDE_REQ_FIXED;
	for (i = 0; i < dlen; i++) {
		uint8_t c = buf[VDE_REQ_FIXED + i];

		if (c == '\0')
			break; /* strncpy padding of a short description */
		out->descr[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out->descr[i] = '\0';
	return 0;
}

size_t vde_request_build(uint8_t *buf, size_t size, unsigned port, const char *path,
			 const char *descr)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint32_t v;
	size_t dlen = strnlen(descr, VDE_DESCR_MAX);

	if (size < VDE_REQ_MAX || strlen(path) >= sizeof(sun.sun_path) ||
	    port > VDE_PORT_LIMIT)
		return 0;
	memcpy(sun.sun_path, path, strlen(path));
	v = VDE_MAGIC;
	memcpy(buf, &v, 4);
	v = VDE_VERSION;
	memcpy(buf + 4, &v, 4);
	v = VDE_REQ_NEW_CONTROL | (uint32_t)port << 8;
	memcpy(buf + 8, &v, 4);
	memcpy(buf + 12, &sun, sizeof(sun));
	memcpy(buf + VDE_REQ_FIXED, descr, dlen);
	return VDE_REQ_FIXED + dlen;
}

int vde_parse_acl(struct kvlist *kv, unsigned def_mode, unsigned *mode, bool *has_group,
		  unsigned *gid, char *err, size_t errlen)
{
	struct unix_acl acl;

	if (unix_acl_parse(kv, UNIX_ACL_MODE | UNIX_ACL_GROUP, &acl, err, errlen) < 0)
		return -1;
	*mode = acl.has_mode ? acl.mode : def_mode;
	*has_group = acl.has_group;
	if (acl.has_group)
		*gid = acl.gid;
	return 0;
}
