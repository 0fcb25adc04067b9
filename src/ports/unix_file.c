/* SPDX-License-Identifier: MIT
 *
 * unix_file.c - unlink a listener's socket file only if still ours; see
 * unix_file.h for the theory of operation.
 */
#include "ports/unix_file.h"

#include <sys/stat.h>
#include <unistd.h>

void unix_file_remember(struct unix_file *f, const char *path)
{
	struct stat st;

	f->ours = false;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		f->ours = true;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
}

void unix_file_unlink_if_ours(struct unix_file *f, const char *path)
{
	struct stat st;

	if (f->ours && lstat(path, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino)
		unlink(path);
	f->ours = false;
}
