/* SPDX-License-Identifier: MIT
 *
 * vde_proto.h - the control request of vde_switch (VDE 2, version 3), as
 * vdeplug4 (QEMU's -netdev vde, vde_plug) sends it and vde_switch reads it.
 *
 * Theory of operation: a client connects to DIR/ctl (a unix stream socket)
 * and writes one request in host byte order: u32 magic 0xfeedface, u32
 * version 3, u32 type (low byte: 0 NEW_CONTROL, 1 NEW_PORT0; bits 8 and up:
 * the port it asks for, 0 = any), the 110-byte sockaddr_un of the client's
 * datagram socket, then a description of up to 128 bytes, unterminated.
 * The switch answers with the 110-byte sockaddr_un of a datagram socket it
 * made for that port, connected to the client's; from then on each
 * datagram is one raw Ethernet frame, and the control connection closing
 * ends the port. vde_request_parse() is the one parser of that input (it
 * comes from any local user allowed on the socket): a fixed layout, every
 * field checked, nothing kept from the buffer but copies.
 */
#ifndef VMWIRE_PORTS_VDE_PROTO_H
#define VMWIRE_PORTS_VDE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#define VDE_MAGIC 0xfeedfaceu
#define VDE_VERSION 3u
#define VDE_REQ_NEW_CONTROL 0u
#define VDE_REQ_NEW_PORT0 1u
#define VDE_DESCR_MAX 128
#define VDE_SUN_SIZE ((size_t)sizeof(struct sockaddr_un)) /* 110 on Linux */
#define VDE_REQ_FIXED (12 + VDE_SUN_SIZE)                 /* 122 */
#define VDE_REQ_MAX (VDE_REQ_FIXED + VDE_DESCR_MAX)       /* 250 */
#define VDE_PORT_LIMIT 4096 /* the most ports one switch may have (max-ports=) */

struct vde_request {
	bool port0;    /* NEW_PORT0: the client asked for port 0 */
	unsigned port; /* the port asked for; 0 = any, unless port0 */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* absolute, NUL-terminated */
	/* printable ASCII copy of the description ('?' for other bytes) */
	char descr[VDE_DESCR_MAX + 1];
};

/* Parse one request of len bytes (the whole of what the client wrote
 * before waiting for the answer). Ports above max_port are refused.
 * 0 on success; -1 with *why set to a static reason. */
int vde_request_parse(const uint8_t *buf, size_t len, unsigned max_port,
		      struct vde_request *out, const char **why);

/* Build a NEW_CONTROL request for port (0 = any) from the client socket
 * path and description (cut at VDE_DESCR_MAX). Returns its length, or 0 if
 * path does not fit a sockaddr_un or buf is smaller than VDE_REQ_MAX. */
size_t vde_request_build(uint8_t *buf, size_t size, unsigned port, const char *path,
			 const char *descr);

#endif

/* The socket ACL keys both ends take: mode=OCTAL (0..0777, default
 * def_mode) and group=NAME|GID (default: none, *has_group false). Return
 * -1 with err naming the key. */
struct kvlist;
int vde_parse_acl(struct kvlist *kv, unsigned def_mode, unsigned *mode, bool *has_group,
		  unsigned *gid, char *err, size_t errlen);
