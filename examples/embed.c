/* SPDX-License-Identifier: MIT
 *
 * embed.c - a program with vmwire inside: a user-mode gateway on a switch,
 * and a port of its own through which it speaks to the gateway, in its
 * own poll() loop.
 *
 * It asks the gateway, by ARP, who has 10.0.2.2, prints the answer, then
 * prints "info network" from the monitor and exits 0. Build it with
 *   cc embed.c $(pkg-config --cflags --libs vmwire) -o embed
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vmwire.h>

static const uint8_t my_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static int answered;

/* Frames the switch sends to our port: look for the ARP reply. */
static void on_frame(void *opaque, const void *frame, size_t len)
{
	const uint8_t *f = frame;

	(void)opaque;
	if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[21] != 2) /* ARP reply */
		return;
	printf("%u.%u.%u.%u is-at %02x:%02x:%02x:%02x:%02x:%02x\n", f[28], f[29], f[30], f[31],
	       f[22], f[23], f[24], f[25], f[26], f[27]);
	answered = 1;
}

int main(void)
{
	const char *opts[] = { "-netdev", "user,id=gw" };
	uint8_t arp[60] = { 0 };
	struct vmwire_port *port;
	struct vmwire *vw;
	char err[512], *info;
	int tries;

	vw = vmwire_new(2, opts, err, sizeof(err));
	if (!vw) {
		fprintf(stderr, "embed: %s\n", err);
		return 1;
	}
	port = vmwire_port_add(vw, "app", NULL, on_frame, NULL, err, sizeof(err));
	if (!port) {
		fprintf(stderr, "embed: %s\n", err);
		vmwire_free(vw);
		return 1;
	}
	/* who-has 10.0.2.2 tell 10.0.2.15, from our MAC */
	memset(arp, 0xff, 6);
	memcpy(arp + 6, my_mac, 6);
	arp[12] = 0x08, arp[13] = 0x06;               /* ARP */
	arp[15] = 1, arp[16] = 0x08, arp[18] = 6, arp[19] = 4;
	arp[21] = 1;                                  /* request */
	memcpy(arp + 22, my_mac, 6);
	arp[28] = 10, arp[29] = 0, arp[30] = 2, arp[31] = 15;
	arp[38] = 10, arp[39] = 0, arp[40] = 2, arp[41] = 2;
	if (vmwire_port_send(port, arp, sizeof(arp)) < 0)
		fprintf(stderr, "embed: the ARP request was dropped\n");
	/* Our own loop: poll vmwire's fd, then let it dispatch. */
	for (tries = 0; !answered && tries < 50; tries++) {
		struct pollfd pfd = { .fd = vmwire_fd(vw), .events = POLLIN };
		int t = vmwire_timeout(vw);

		poll(&pfd, 1, t < 0 || t > 100 ? 100 : t);
		vmwire_dispatch(vw, 0);
	}
	info = vmwire_monitor(vw, "info network", NULL);
	if (info)
		fputs(info, stdout);
	free(info);
	vmwire_port_del(port);
	vmwire_free(vw);
	return answered ? 0 : 1;
}
