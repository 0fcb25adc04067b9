/* SPDX-License-Identifier: MIT
 *
 * tftp_path.h - open a file a TFTP client named, never outside the served
 * directory.
 *
 * Theory of operation: the name comes from the guest, so it is hostile.
 * Leading slashes are dropped first, as QEMU's server does (it prefixes the
 * directory to the name, so "/pxelinux.0" is DIR/pxelinux.0): an absolute
 * name is a name beneath DIR, never a path on the host. A ".." component
 * anywhere is refused outright (QEMU refuses "../" too), as is an empty
 * name or one ending in "/" (a directory). What is left is opened relative
 * to the directory's O_PATH descriptor, opened once before the sandbox:
 *
 *   - with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) where the
 *     kernel has it (5.6+): the kernel refuses any step that leaves the
 *     directory, symlinks included, so a symlink that stays inside works;
 *   - else component by component with openat(O_NOFOLLOW): each directory
 *     opened O_PATH from the one before, the file last, and any symlink on
 *     the way refused (stricter: symlinks inside DIR are refused too).
 *
 * The file is opened O_NONBLOCK | O_NOCTTY (a FIFO or a tty must not block
 * or adopt us) and kept only if fstat() says it is a regular file. Refusals
 * map to TFTP error codes: 1 (file not found) when nothing is there, 2
 * (access violation) for everything that tried to get out or is not a
 * regular file.
 */
#ifndef VMWIRE_GATEWAY_TFTP_PATH_H
#define VMWIRE_GATEWAY_TFTP_PATH_H

#include <stdbool.h>
#include <stdint.h>

#define TFTP_ERR_UNDEF 0
#define TFTP_ERR_NOT_FOUND 1
#define TFTP_ERR_ACCESS 2
#define TFTP_ERR_ILLEGAL_OP 4
#define TFTP_ERR_UNKNOWN_TID 5
#define TFTP_ERR_OPTIONS 8

/* The longest name resolved (RRQs are one datagram; PXE names are short). */
#define TFTP_PATH_MAX 511

struct tftp_root {
	int dirfd;          /* O_PATH | O_DIRECTORY, opened before the sandbox */
	bool no_openat2;    /* the kernel (or a test) said no: walk by hand */
};

/* Open name beneath root for reading: an fd of a regular file (its size in
 * *size), or -1 with *code the TFTP error code to answer. Sets
 * root->no_openat2 when the kernel lacks openat2. */
int tftp_path_open(struct tftp_root *root, const char *name, uint64_t *size, int *code);

#endif
