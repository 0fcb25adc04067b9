/* SPDX-License-Identifier: MIT
 *
 * unix_file.h - remove a listener's socket file at exit only if it is
 * still the one this process bound.
 *
 * Theory of operation: a listener's path may be taken over while we run
 * (an operator removes the file and starts another listener there, or
 * mv's another socket in place). Unlinking the path blindly at exit would
 * then cut the new owner off. So right after bind() the file's device and
 * inode are recorded, and at exit the path is unlinked only if it still
 * names that same file. The check and the unlink are two steps (no
 * unlinkat-if-inode exists), which is the best a path allows.
 */
#ifndef VMWIRE_PORTS_UNIX_FILE_H
#define VMWIRE_PORTS_UNIX_FILE_H

#include <stdbool.h>
#include <sys/types.h>

struct unix_file {
	bool ours; /* recorded: unlink at exit if unchanged */
	dev_t dev;
	ino_t ino;
};

/* Record the file now at path (just bound by us); if it can't be stat'ed
 * nothing is recorded and nothing will be unlinked. */
void unix_file_remember(struct unix_file *f, const char *path);

/* Unlink path if it is still the recorded file; forget it either way. */
void unix_file_unlink_if_ours(struct unix_file *f, const char *path);

#endif
