/* SPDX-License-Identifier: MIT
 *
 * pcap.c - see pcap.h. Format: 24-byte global header, then per packet a
 * 16-byte record header (seconds, microseconds, captured and original
 * length) and the frame, all in host byte order, which readers detect from
 * the magic number.
 */
#include "core/pcap.h"
#include "core/frame.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/time.h>
#include <time.h>

struct pcap_writer {
	FILE *f;
	unsigned refs;
	time_t last_flush;
};

/* Never through a symlink (O_NOFOLLOW: ELOOP), never into a file someone
 * else owns or that has other names (a hard link to a file we, as root,
 * may write): such a path is refused, not truncated. A file of our own from
 * an earlier run is overwritten as before. Mode 0600: guest traffic. */
static FILE *open_capture(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
		      0600);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1) {
		close(fd);
		errno = EPERM;
		return NULL;
	}
	if (ftruncate(fd, 0) < 0 || fcntl(fd, F_SETFL, 0) < 0 || !(f = fdopen(fd, "w"))) {
		close(fd);
		return NULL;
	}
	return f;
}

struct pcap_writer *pcap_open(const char *path)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = { 0xa1b2c3d4, 2, 4, 0, 0, FRAME_MAX, 1 };
	struct pcap_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->f = open_capture(path);
	if (!w->f || fwrite(&hdr, sizeof(hdr), 1, w->f) != 1) {
		if (w->f)
			fclose(w->f);
		free(w);
		return NULL;
	}
	fflush(w->f);
	w->refs = 1;
	return w;
}

struct pcap_writer *pcap_get(struct pcap_writer *w)
{
	w->refs++;
	return w;
}

void pcap_put(struct pcap_writer *w)
{
	if (--w->refs)
		return;
	fclose(w->f);
	free(w);
}

void pcap_flush(struct pcap_writer *w) { fflush(w->f); }

void pcap_write(struct pcap_writer *w, const uint8_t *frame, size_t len)
{
	struct timeval tv;
	uint32_t rec[4];

	gettimeofday(&tv, NULL);
	rec[0] = (uint32_t)tv.tv_sec;
	rec[1] = (uint32_t)tv.tv_usec;
	rec[2] = rec[3] = (uint32_t)len;
	fwrite(rec, sizeof(rec), 1, w->f);
	fwrite(frame, len, 1, w->f);
	if (tv.tv_sec != w->last_flush) {
		w->last_flush = tv.tv_sec;
		fflush(w->f);
	}
}
