/* SPDX-License-Identifier: MIT
 *
 * pcap.h - classic libpcap file writer (LINKTYPE_ETHERNET), readable by
 * tcpdump and tshark. Several ports may share one file (a stream server's
 * connections), hence the reference count. Writes are buffered by stdio and
 * flushed at most every second and at close, so capture does not add a
 * syscall per frame.
 */
#ifndef VMWIRE_CORE_PCAP_H
#define VMWIRE_CORE_PCAP_H

#include <stddef.h>
#include <stdint.h>

struct pcap_writer;

/* Opens (truncates) path; returns NULL and sets errno on failure. */
struct pcap_writer *pcap_open(const char *path);
struct pcap_writer *pcap_get(struct pcap_writer *w);
void pcap_put(struct pcap_writer *w);
void pcap_write(struct pcap_writer *w, const uint8_t *frame, size_t len);
void pcap_flush(struct pcap_writer *w);

#endif
