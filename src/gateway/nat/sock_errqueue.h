/* SPDX-License-Identifier: MIT
 *
 * sock_errqueue.h - ICMP errors about datagrams we sent, from a socket's
 * error queue (IP_RECVERR, IPV6_RECVERR).
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
 * cannot stay at the head and hide the errors behind it. IPv6 sockets
 * work the same with IPV6_RECVERR: destination unreachable (1), packet
 * too big (2, the MTU in info) and time exceeded (3) are kept.
 *
 * The router that sent the error (SO_EE_OFFENDER) is kept too, so a
 * time exceeded names the hop it came from (traceroute). One local error
 * is kept as well: a datagram too big for the path with fragmentation off
 * (IPV6_DONTFRAG, IP_PMTUDISC_DO) fails sendto() with EMSGSIZE and queues
 * a local error whose info is the path MTU; it comes back as a packet too
 * big (ICMP frag needed) with local set, and no payload (the kernel keeps
 * none): the caller still has the datagram it tried to send.
 */
#ifndef VMWIRE_GATEWAY_SOCK_ERRQUEUE_H
#define VMWIRE_GATEWAY_SOCK_ERRQUEUE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sock_icmp_err {
	bool v6;	    /* an ICMPv6 error (types 1, 2, 3), else ICMP (3, 11) */
	uint8_t type;
	uint8_t code;
	uint32_t info;	    /* packet too big: the MTU */
	union {
		struct sockaddr_in sa4;
		struct sockaddr_in6 sa6;
	} to;		    /* where our datagram was going */
	size_t len;	    /* bytes of its payload copied to the caller's buffer */
	bool local;	    /* our own EMSGSIZE (info: the path MTU), not a peer's */
	bool has_offender;  /* the ICMP error's source is in offender */
	union {
		struct sockaddr_in sa4;
		struct sockaddr_in6 sa6;
	} offender;
};

/* Ask the kernel to queue ICMP errors on fd (an AF_INET socket, or with
 * v6 an AF_INET6 one); best effort. */
void sock_errqueue_enable(int fd);
void sock_errqueue_enable6(int fd);

/* Take one message off fd's error queue without blocking; its payload
 * goes to buf (at most size bytes). Returns 1 for an ICMP unreachable,
 * packet too big or time exceeded error, or a local EMSGSIZE (*e
 * filled), 0 for any other message (skipped), -1 when the queue is empty
 * or cannot be read. */
int sock_errqueue_read(int fd, void *buf, size_t size, struct sock_icmp_err *e);

#endif
