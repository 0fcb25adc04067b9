/* SPDX-License-Identifier: MIT
 *
 * vmwire.h - libvmwire, vmwire's switch, gateway and transports inside
 * another program (in the spirit of libslirp).
 *
 * A context is what the vmwire daemon runs, minus the process: switches,
 * netdevs (every -netdev type: user-mode gateway, stream and dgram
 * sockets, TAPs, tunnels, vhost-user...), optionally the text monitor and
 * QMP sockets, all on one event loop. The embedder adds its own ports:
 * frames it feeds with vmwire_port_send() enter the switch, frames the
 * switch sends to the port come back through the port's callback.
 *
 * The event loop runs in the caller's thread, in one of two ways:
 *   - the caller's own poll loop: poll vmwire_fd() for POLLIN with at most
 *     vmwire_timeout() ms, then call vmwire_dispatch(vw, 0);
 *   - or vmwire_run(), until vmwire_stop() (from a callback).
 * A context is not thread-safe: call it from one thread. Callbacks run
 * inside vmwire_dispatch()/vmwire_run(); from a callback, do not destroy
 * the context, a port or a netdev (do it after dispatch returns).
 *
 * Link with `pkg-config --cflags --libs vmwire` (shared) or
 * `pkg-config --static --cflags --libs vmwire`.
 */
#ifndef VMWIRE_H
#define VMWIRE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMWIRE_API_VERSION 1

struct vmwire;
struct vmwire_port;

/* The library's version, "MAJOR.MINOR.MICRO". */
const char *vmwire_version(void);

/*
 * A context from vmwire's own options, as on its command line, e.g.
 * { "-switch", "id=lab", "-netdev", "user,id=gw,switch=lab",
 *   "-monitor", "/run/app/vmwire.mon" }; argv[0] is an option too (no
 * program name). The daemon-only options (-daemonize, -pidfile, -runas,
 * -sandbox) are errors; no -netdev is fine (no default listener). Every
 * netdev is started before this returns. NULL with a one-line reason in
 * err (errlen > 0) on failure.
 */
struct vmwire *vmwire_new(int argc, const char *const *argv, char *err, size_t errlen);

/* Free everything: netdevs, ports, sockets it created. NULL is fine. */
void vmwire_free(struct vmwire *vw);

/* Add and start a netdev at run time: spec as after -netdev
 * ("stream,id=vm2,server=on,addr.type=unix,addr.path=/tmp/vm2.sock").
 * 0, or -1 with the reason in err. */
int vmwire_netdev_add(struct vmwire *vw, const char *spec, char *err, size_t errlen);

/* Remove a netdev and its ports. 0, or -1 if there is no such id. */
int vmwire_netdev_del(struct vmwire *vw, const char *id);

/* Frames the switch sends to an embedder port; frame is valid only during
 * the call. */
typedef void (*vmwire_rx_fn)(void *opaque, const void *frame, size_t len);

/*
 * A port of the embedder's own on switch switch_id (NULL: "default", which
 * is created if missing), an access port on VLAN 1 with port security as
 * the switch sets it. id names it in the monitor. NULL + err on failure.
 */
struct vmwire_port *vmwire_port_add(struct vmwire *vw, const char *id, const char *switch_id,
				    vmwire_rx_fn rx, void *opaque, char *err, size_t errlen);

/* A frame (Ethernet header onward, no FCS) into the switch from the port:
 * forwarded before this returns. 0, or -1 if it was dropped (too short or
 * long, refused by port security: counted in the port's statistics). */
int vmwire_port_send(struct vmwire_port *port, const void *frame, size_t len);

/* Take the port off its switch and free it. */
void vmwire_port_del(struct vmwire_port *port);

/* For the caller's poll loop: readable when vmwire has work, and the
 * longest the caller may sleep (-1: until the fd is readable). */
int vmwire_fd(const struct vmwire *vw);
int vmwire_timeout(const struct vmwire *vw);

/* Run what is due, waiting at most timeout_ms (0: do not wait). Returns
 * the number of events handled, or -1 if the loop failed. */
int vmwire_dispatch(struct vmwire *vw, int timeout_ms);

/* Run until vmwire_stop(); 0, or -1 if the loop failed. */
int vmwire_run(struct vmwire *vw);
void vmwire_stop(struct vmwire *vw);

/* A text monitor command ("info network", "hostfwd_add tcp::2222-:22");
 * the reply, malloc'd for the caller to free(), or NULL out of memory.
 * *failed (may be NULL) says whether the monitor reported an error. */
char *vmwire_monitor(struct vmwire *vw, const char *command, int *failed);

#ifdef __cplusplus
}
#endif

#endif
