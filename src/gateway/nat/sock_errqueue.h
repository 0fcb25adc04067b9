/* SPDX-License-Identifier: MIT
 *
 * sock_errqueue.h - ICMP errors about datagrams we sent, from a socket's
 * error queue (IP_RECVERR).
 *
 * Theory of operation: the NAT sockets of the user-mode gateway (UDP, and
 * ICMP echo) are unconnected datagram sockets. With IP_RECVERR on, the
 * kernel queues an ICMP error the host receives for one of our datagrams
 * on the socket that sent it, with the error's type and code in a
 * sock_extended_err control message, the address the datagram was going
 * to in msg_name, and the datagram's payload (what the kernel kept of it)
 * as the data. The gateway turns the unreachable and time-exceeded ones
 * into ICMP errors for the guest, so its traceroute and "port closed"
 * handling see what they would on a real network. Anything else on the
 * queue (local errors, other ICMP types) is read and skipped so that it
 * cannot stay at the head and hide the errors behind it.
 */
#ifndef VMWIRE_GATEWAY_SOCK_ERRQUEUE_H
#define VMWIRE_GATEWAY_SOCK_ERRQUEUE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct sock_icmp_err {
	uint8_t type;	    /* 3 (destination unreachable) or 11 (time exceeded) */
	uint8_t code;
	struct sockaddr_in to; /* where our datagram was going */
	size_t len;	    /* bytes of its payload copied to the caller's buffer */
};

/* Ask the kernel to queue ICMP errors on fd; best effort. */
void sock_errqueue_enable(int fd);

/* Take one message off fd's error queue without blocking; its payload
 * goes to buf (at most size bytes). Returns 1 for an ICMP unreachable or
 * time exceeded error (*e filled), 0 for any other message (skipped), -1
 * when the queue is empty or cannot be read. */
int sock_errqueue_read(int fd, void *buf, size_t size, struct sock_icmp_err *e);

#endif
