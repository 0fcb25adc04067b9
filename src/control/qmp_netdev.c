/* SPDX-License-Identifier: MIT
 *
 * qmp_netdev.c - netdev_add's JSON arguments as a -netdev string; see
 * qmp_netdev.h for why the command line's parser is reused.
 */
#include "control/qmp_netdev.h"

#include <json-c/json.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct spec_buf {
	char *out;
	size_t len, cap;
	bool overflow;
};

static void put(struct spec_buf *b, const char *s, size_t n, bool escape_commas)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned reps = escape_commas && s[i] == ',' ? 2 : 1;

		while (reps--) {
			if (b->len + 1 >= b->cap) {
				b->overflow = true;
				return;
			}
			b->out[b->len++] = s[i];
		}
	}
	b->out[b->len] = '\0';
}

static void put_str(struct spec_buf *b, const char *s, bool escape)
{
	put(b, s, strlen(s), escape);
}

/* A key as keyval sees it: no '=' or ',', nothing empty. */
static bool valid_key(const char *k)
{
	return *k && !strpbrk(k, "=,");
}

static int put_scalar(struct spec_buf *b, const char *key, struct json_object *v, char *err,
		      size_t errlen)
{
	char num[32];

	put_str(b, ",", false);
	put_str(b, key, false);
	put_str(b, "=", false);
	switch (json_object_get_type(v)) {
	case json_type_string:
		put(b, json_object_get_string(v), (size_t)json_object_get_string_len(v), true);
		if (memchr(json_object_get_string(v), '\0',
			   (size_t)json_object_get_string_len(v))) {
			snprintf(err, errlen, "Parameter '%s' contains a NUL byte", key);
			return -1;
		}
		return 0;
	case json_type_boolean:
		put_str(b, json_object_get_boolean(v) ? "on" : "off", false);
		return 0;
	case json_type_int:
		if (json_object_get_int64(v) < 0)
			snprintf(num, sizeof(num), "%" PRId64, json_object_get_int64(v));
		else
			snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(v));
		put_str(b, num, false);
		return 0;
	default:
		snprintf(err, errlen, "Parameter '%s' expects a string, number or boolean", key);
		return -1;
	}
}

static int flatten(struct spec_buf *b, const char *prefix, struct json_object *obj, int depth,
		   char *err, size_t errlen);

/* One member: scalars as key=value, objects one level down with dotted
 * keys, lists as the key repeated (QEMU 7's [{"str": X}] items as X). */
static int put_member(struct spec_buf *b, const char *key, struct json_object *v, int depth,
		      char *err, size_t errlen)
{
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_object:
		return flatten(b, key, v, depth + 1, err, errlen);
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			struct json_object *item = json_object_array_get_idx(v, i), *str;

			if (json_object_is_type(item, json_type_object) &&
			    json_object_object_length(item) == 1 &&
			    json_object_object_get_ex(item, "str", &str))
				item = str;
			if (json_object_is_type(item, json_type_object) ||
			    json_object_is_type(item, json_type_array)) {
				snprintf(err, errlen, "Parameter '%s' expects a list of strings",
					 key);
				return -1;
			}
			if (put_scalar(b, key, item, err, errlen) < 0)
				return -1;
		}
		return 0;
	case json_type_null:
		snprintf(err, errlen, "Parameter '%s' must not be null", key);
		return -1;
	default:
		return put_scalar(b, key, v, err, errlen);
	}
}

static int flatten(struct spec_buf *b, const char *prefix, struct json_object *obj, int depth,
		   char *err, size_t errlen)
{
	char key[256];

	if (depth > QMP_NETDEV_DEPTH_MAX) {
		snprintf(err, errlen, "Parameter '%s' is nested too deeply", prefix);
		return -1;
	}
	json_object_object_foreach(obj, k, v) {
		if (!valid_key(k)) {
			snprintf(err, errlen, "Parameter '%s' is not a valid key", k);
			return -1;
		}
		if (!*prefix && !strcmp(k, "type"))
			continue; /* written first */
		if ((size_t)snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k) >=
		    sizeof(key)) {
			snprintf(err, errlen, "Parameter '%s' has too long a name", k);
			return -1;
		}
		if (put_member(b, key, v, depth, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int qmp_netdev_spec(struct json_object *args, char *out, size_t outlen, char *err,
		    size_t errlen)
{
	struct spec_buf b = { .out = out, .cap = outlen };
	struct json_object *type;

	if (!outlen)
		return -1;
	*out = '\0';
	if (!json_object_is_type(args, json_type_object)) {
		snprintf(err, errlen, "netdev_add expects an object");
		return -1;
	}
	if (!json_object_object_get_ex(args, "type", &type)) {
		snprintf(err, errlen, "Parameter 'type' is missing");
		return -1;
	}
	if (!json_object_is_type(type, json_type_string) || !valid_key(json_object_get_string(type))) {
		snprintf(err, errlen, "Parameter 'type' expects a netdev type name");
		return -1;
	}
	put_str(&b, json_object_get_string(type), false);
	if (flatten(&b, "", args, 0, err, errlen) < 0)
		return -1;
	if (b.overflow) {
		snprintf(err, errlen, "netdev_add: arguments longer than %zu bytes", outlen - 1);
		return -1;
	}
	return 0;
}
