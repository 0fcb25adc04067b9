/* SPDX-License-Identifier: MIT
 *
 * keyval.h - QEMU's "type,key=value,key=value" option syntax.
 *
 * Theory of operation: QEMU parses -netdev arguments as a comma separated
 * list where ",," stands for a literal comma and the first element may be a
 * bare value (the type). We parse into a flat list of key/value pairs, each
 * with a "used" flag. Consumers take the keys they understand with the kv_*
 * getters, which validate and produce one-line errors naming the key; after
 * all consumers ran, kv_check_unused() reports the first unknown key. This
 * keeps every option-owning module in charge of its own keys while giving
 * the user QEMU's strictness.
 */
#ifndef VMWIRE_CONTROL_KEYVAL_H
#define VMWIRE_CONTROL_KEYVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KV_MAX 64
#define KV_ERR_MAX 256

struct kv {
	char *key;
	char *value; /* never NULL; "" for "key=" */
	bool used;
};

struct kvlist {
	char *option; /* e.g. "-netdev": used in error messages */
	char *buf;    /* owned storage for keys and values */
	struct kv items[KV_MAX];
	unsigned n;
};

/*
 * Parse text. If implied_key is not NULL and the first element has no '=',
 * it becomes implied_key=element (QEMU's "stream,id=x" -> type=stream).
 * Returns 0, or -1 with a message in err.
 */
int kv_parse(struct kvlist *kv, const char *option, const char *text,
	     const char *implied_key, char *err, size_t errlen);
void kv_free(struct kvlist *kv);

/* Lookup helpers: NULL / false when absent. Each marks the key used. A
 * repeated key: kv_get returns the last one; kv_next iterates all. */
const char *kv_get(struct kvlist *kv, const char *key);
const char *kv_next(struct kvlist *kv, const char *key, unsigned *iter);
bool kv_has(const struct kvlist *kv, const char *key);

/* Typed getters: return 0 if absent (leaving *out untouched), 1 if found
 * and valid, -1 with err set ("-netdev stream: 'reconnect' expects ..."). */
int kv_get_bool(struct kvlist *kv, const char *key, bool *out, char *err, size_t errlen);
int kv_get_uint(struct kvlist *kv, const char *key, uint64_t min, uint64_t max,
		uint64_t *out, char *err, size_t errlen);
int kv_get_str(struct kvlist *kv, const char *key, size_t maxlen,
	       const char **out, char *err, size_t errlen);

/* First key nobody consumed -> -1 and "-netdev stream: unknown key 'foo'". */
int kv_check_unused(const struct kvlist *kv, const char *what, char *err, size_t errlen);

/* Format "OPTION TYPE: " style prefixes consistently. */
void kv_errorf(char *err, size_t errlen, const struct kvlist *kv, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
