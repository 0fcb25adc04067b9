/* SPDX-License-Identifier: MIT
 *
 * info.h - pieces the monitor's views share (info.c, topology.c).
 */
#ifndef VMWIRE_CONTROL_INFO_H
#define VMWIRE_CONTROL_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct port;
struct port_vlan;
struct runtime;

/* Is p the port of netdev id ("id") or one of its connections ("id#N")? */
bool info_port_of(const struct port *p, const char *id);

/* "vlan 5" or "trunk 10,20-30 (native 1)". */
void info_format_vlan(const struct port_vlan *v, char *buf, size_t size);

/* "info topology": switches, their netdevs and ports with peers, VLANs and
 * learned MACs, and the gateways with their leases; dot: as a Graphviz
 * graph (vmwire ctl SOCK info topology --format=dot | dot -Tsvg). */
void info_topology(const struct runtime *rt, bool dot, FILE *out);

#endif
