/* SPDX-License-Identifier: MIT
 *
 * keyval.c - see keyval.h.
 */
#include "config/keyval.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kv_errorf(char *err, size_t errlen, const struct kvlist *kv, const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;
	const char *type = NULL;
	unsigned i;

	if (!err || !errlen)
		return;
	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->items[i].key, "type"))
			type = kv->items[i].value;
	off = (size_t)snprintf(err, errlen, "%s%s%s: ", kv->option ? kv->option : "option",
			       type ? " " : "", type ? type : "");
	if (off >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + off, errlen - off, fmt, ap);
	va_end(ap);
}

int kv_parse(struct kvlist *kv, const char *option, const char *text,
	     const char *implied_key, char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *out, *elem;
	const char *p = text;
	bool first = true;

	memset(kv, 0, sizeof(*kv));
	kv->option = strdup(option ? option : "option");
	/* Worst case each element gains the implied key and a terminator. */
	kv->buf = malloc(len + (implied_key ? strlen(implied_key) : 0) + 2 * len + 8);
	if (!kv->option || !kv->buf) {
		snprintf(err, errlen, "%s: out of memory", option ? option : "option");
		kv_free(kv);
		return -1;
	}
	out = kv->buf;
	for (;;) {
		char *eq = NULL;

		elem = out;
		/* Copy one element, unescaping ",," and stopping at a lone ','. */
		while (*p) {
			if (*p == ',') {
				if (p[1] == ',') {
					*out++ = ',';
					p += 2;
					continue;
				}
				break;
			}
			if (*p == '=' && !eq)
				eq = out;
			*out++ = *p++;
		}
		*out++ = '\0';
		if (!*elem && !*p && first && !kv->n)
			break; /* empty string: no elements */
		if (kv->n == KV_MAX) {
			snprintf(err, errlen, "%s: too many keys (at most %d)", kv->option, KV_MAX);
			goto fail;
		}
		if (!*elem) {
			snprintf(err, errlen, "%s: empty element in '%s'", kv->option, text);
			goto fail;
		}
		if (eq) {
			*eq = '\0';
			kv->items[kv->n].key = elem;
			kv->items[kv->n].value = eq + 1;
		} else if (first && implied_key) {
			kv->items[kv->n].key = (char *)implied_key;
			kv->items[kv->n].value = elem;
		} else {
			/* QEMU accepts "key" alone as key=on for booleans. */
			kv->items[kv->n].key = elem;
			kv->items[kv->n].value = (char *)"on";
		}
		if (!*kv->items[kv->n].key) {
			snprintf(err, errlen, "%s: empty key in '%s'", kv->option, text);
			goto fail;
		}
		kv->n++;
		first = false;
		if (!*p)
			break;
		p++; /* skip ',' */
		if (!*p) {
			snprintf(err, errlen, "%s: trailing ',' in '%s'", kv->option, text);
			goto fail;
		}
	}
	return 0;

fail:
	/* Nothing half-parsed escapes; kv_free() on the result stays safe. */
	kv_free(kv);
	return -1;
}

void kv_free(struct kvlist *kv)
{
	free(kv->option);
	free(kv->buf);
	memset(kv, 0, sizeof(*kv));
}

const char *kv_next(struct kvlist *kv, const char *key, unsigned *iter)
{
	for (; *iter < kv->n; (*iter)++) {
		if (!strcmp(kv->items[*iter].key, key)) {
			kv->items[*iter].used = true;
			return kv->items[(*iter)++].value;
		}
	}
	return NULL;
}

const char *kv_get(struct kvlist *kv, const char *key)
{
	const char *v = NULL, *last = NULL;
	unsigned it = 0;

	while ((v = kv_next(kv, key, &it)))
		last = v;
	return last;
}

bool kv_has(const struct kvlist *kv, const char *key)
{
	unsigned i;

	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->items[i].key, key))
			return true;
	return false;
}

int kv_get_bool(struct kvlist *kv, const char *key, bool *out, char *err, size_t errlen)
{
	const char *v = kv_get(kv, key);

	if (!v)
		return 0;
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "y")) {
		*out = true;
		return 1;
	}
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "n")) {
		*out = false;
		return 1;
	}
	kv_errorf(err, errlen, kv, "'%s' expects on or off, not '%s'", key, v);
	return -1;
}

int kv_get_uint(struct kvlist *kv, const char *key, uint64_t min, uint64_t max,
		uint64_t *out, char *err, size_t errlen)
{
	const char *v = kv_get(kv, key);
	unsigned long long n;
	char *end;

	if (!v)
		return 0;
	/* strtoull() would take " 5", "+5" and wrap "-1" around: digits only
	 * (base 0 like QEMU: 0x10 and 010 are hex and octal). */
	errno = 0;
	n = strtoull(v, &end, 0);
	if (!isdigit((unsigned char)v[0]) || *end || errno || n < min || n > max) {
		kv_errorf(err, errlen, kv, "'%s' expects a number from %" PRIu64 " to %" PRIu64
			  ", not '%s'", key, min, max, v);
		return -1;
	}
	*out = n;
	return 1;
}

int kv_get_str(struct kvlist *kv, const char *key, size_t maxlen,
	       const char **out, char *err, size_t errlen)
{
	const char *v = kv_get(kv, key);

	if (!v)
		return 0;
	if (!*v || strlen(v) > maxlen) {
		kv_errorf(err, errlen, kv, "'%s' must be 1 to %zu characters", key, maxlen);
		return -1;
	}
	*out = v;
	return 1;
}

int kv_check_unused(const struct kvlist *kv, const char *what, char *err, size_t errlen)
{
	unsigned i;

	for (i = 0; i < kv->n; i++) {
		if (!kv->items[i].used) {
			kv_errorf(err, errlen, kv, "unknown key '%s'%s%s", kv->items[i].key,
				  what ? " for " : "", what ? what : "");
			return -1;
		}
	}
	return 0;
}
