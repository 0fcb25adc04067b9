/* SPDX-License-Identifier: MIT
 *
 * fake_port.c - see fake_port.h.
 */
#include "helpers/fake_port.h"
#include "core/frame.h"
#include "fabric/network.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fake_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct fake_port *fp = (struct fake_port *)port;
	uint8_t *copy;

	fp->transmits++;
	if (fp->refuse || fp->n == FAKE_PORT_FRAMES)
		return false;
	if (fp->has_room && fp->room < len + PORT_TX_OVERHEAD)
		return false;
	copy = malloc(len ? len : 1);
	if (!copy)
		return false;
	if (fp->has_room)
		fp->room -= len + PORT_TX_OVERHEAD;
	memcpy(copy, frame, len);
	fp->frames[fp->n].data = copy;
	fp->frames[fp->n].len = len;
	fp->n++;
	if (fp->on_transmit)
		fp->on_transmit(fp, frame, len);
	return true;
}

static size_t fake_tx_room(const struct port *port)
{
	const struct fake_port *fp = (const struct fake_port *)port;

	return fp->has_room ? fp->room : SIZE_MAX;
}

static size_t fake_tx_queued(const struct port *port)
{
	return ((const struct fake_port *)port)->queued;
}

static void fake_resume(struct port *port)
{
	((struct fake_port *)port)->resumed++;
}

static void fake_describe(const struct port *port, char *buf, size_t size)
{
	const struct fake_port *fp = (const struct fake_port *)port;

	snprintf(buf, size, "fake, %u frames recorded", fp->n);
}

static void fake_destroy(struct port *port)
{
	struct fake_port *fp = (struct fake_port *)port;

	fake_port_clear(fp);
	fp->destroyed++;
}

static const struct port_ops fake_ops = {
	.kind = "fake",
	.transmit = fake_transmit,
	.describe = fake_describe,
	.destroy = fake_destroy,
	.tx_room = fake_tx_room,
	.tx_queued = fake_tx_queued,
	.resume = fake_resume,
};

void fake_port_init(struct fake_port *fp, const char *id)
{
	memset(fp, 0, sizeof(*fp));
	port_init(&fp->port, &fake_ops, id);
}

void fake_port_attach(struct fake_port *fp, const char *id, struct network *net)
{
	fake_port_init(fp, id);
	network_attach(net, &fp->port);
}

void fake_port_clear(struct fake_port *fp)
{
	unsigned i;

	for (i = 0; i < fp->n; i++)
		free(fp->frames[i].data);
	memset(fp->frames, 0, sizeof(fp->frames));
	fp->n = 0;
	fp->transmits = 0;
}

const uint8_t *fake_port_frame(const struct fake_port *fp, unsigned i, size_t *len)
{
	if (i >= fp->n)
		return NULL;
	if (len)
		*len = fp->frames[i].len;
	return fp->frames[i].data;
}

bool fake_port_frame_is(const struct fake_port *fp, unsigned i, const uint8_t *data, size_t len)
{
	return i < fp->n && fp->frames[i].len == len && !memcmp(fp->frames[i].data, data, len);
}

void fake_port_inject(struct fake_port *fp, const uint8_t *frame, size_t len)
{
	port_receive(&fp->port, frame, len);
}

void fake_port_access(struct fake_port *fp, uint16_t pvid)
{
	memset(&fp->port.vlan, 0, sizeof(fp->port.vlan));
	fp->port.vlan.pvid = pvid;
}

void fake_port_trunk(struct fake_port *fp, uint16_t native, const uint16_t *vids, size_t n)
{
	size_t i;

	memset(&fp->port.vlan, 0, sizeof(fp->port.vlan));
	fp->port.vlan.trunk = true;
	fp->port.vlan.pvid = native;
	for (i = 0; i < n; i++)
		vlan_set_bit(&fp->port.vlan, vids[i]);
}

size_t fake_frame_build(uint8_t *buf, const uint8_t *dst, const uint8_t *src, bool tagged,
			uint16_t tci, uint16_t ethertype, size_t payload_len, uint8_t seed)
{
	size_t off = 12, i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	if (tagged) {
		wr16be(buf + off, ETHERTYPE_VLAN);
		wr16be(buf + off + 2, tci);
		off += VLAN_TAG_LEN;
	}
	wr16be(buf + off, ethertype);
	off += 2;
	for (i = 0; i < payload_len; i++)
		buf[off + i] = (uint8_t)(seed + i * 7);
	return off + payload_len;
}
