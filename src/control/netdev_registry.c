/* SPDX-License-Identifier: MIT
 *
 * netdev_registry.c - the table of netdev types and what is generated from
 * it: lookup by name, the names in error messages, the "Netdev types:" part
 * of --help and the NETDEV TYPES section of vmwire(1).
 *
 * Theory of operation: netdev_types.def has one line per type; each type's
 * file defines its struct netdev_type with its keys and their one-line
 * descriptions. Nothing here knows a type by name, so the help, the man
 * page (make man, checked by test_netdev_registry) and the sandbox's view
 * of the configured netdevs cannot drift from what parse() accepts.
 */
#include "config/netdev.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NETDEV_TYPE(x) extern const struct netdev_type netdev_##x##_type;
#include "control/netdev_types.def"
#undef NETDEV_TYPE

const struct netdev_type *const netdev_types[] = {
#define NETDEV_TYPE(x) &netdev_##x##_type,
#include "control/netdev_types.def"
#undef NETDEV_TYPE
};

const size_t netdev_types_count = sizeof(netdev_types) / sizeof(netdev_types[0]);

const struct netdev_type *netdev_type_find(const char *name)
{
	size_t i;

	for (i = 0; i < netdev_types_count; i++)
		if (!strcmp(netdev_types[i]->name, name))
			return netdev_types[i];
	return NULL;
}

const char *netdev_type_names(void)
{
	static char names[256];
	size_t i, len = 0;

	if (*names)
		return names;
	for (i = 0; i < netdev_types_count; i++)
		len += (size_t)snprintf(names + len, len < sizeof(names) ? sizeof(names) - len : 0,
					"%s%s", i ? ", " : "", netdev_types[i]->name);
	return names;
}

/* ---- --help ------------------------------------------------------------ */

#define HELP_COL 21   /* where descriptions start, as in the rest of --help */
#define HELP_WIDTH 79

/* Print text from column col (HELP_COL) on, wrapping at word boundaries
 * onto lines indented to HELP_COL. */
static void help_wrap(FILE *out, int col, const char *text)
{
	const char *p = text;
	bool first = true;

	while (*p) {
		size_t word = strcspn(p, " ");

		if (!first && col + 1 + (int)word > HELP_WIDTH) {
			fprintf(out, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)word, p);
		col += (int)word;
		first = false;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

/* "LEAD" padded to HELP_COL, or on a line of its own when it leaves less
 * than two spaces. Returns the column. */
static int help_lead(FILE *out, int indent, const char *lead)
{
	int n = fprintf(out, "%*s%s", indent, "", lead);

	if (n + 2 > HELP_COL)
		fprintf(out, "\n%*s", HELP_COL, "");
	else
		fprintf(out, "%*s", HELP_COL - n, "");
	return HELP_COL;
}

void netdev_types_usage(FILE *out)
{
	const struct netdev_key *k;
	size_t i;

	fputs("Netdev types:\n", out);
	for (i = 0; i < netdev_types_count; i++) {
		const struct netdev_type *t = netdev_types[i];

		help_wrap(out, help_lead(out, 2, t->name), t->summary);
		for (k = t->keys; k && k->key; k++)
			help_wrap(out, help_lead(out, 6, k->key), k->help);
	}
}

/* ---- vmwire(1) --------------------------------------------------------- */

/* A key's spelling in troff: metavariables (capitals) in italics, the rest
 * bold, '-' as a real minus so it can be searched and pasted. */
static void man_key(FILE *out, const char *key)
{
	bool italic = false;
	const char *p;

	fputs("\\fB", out);
	for (p = key; *p; p++) {
		bool cap = (*p >= 'A' && *p <= 'Z') ||
			   (italic && *p >= '0' && *p <= '9');

		if (cap != italic) {
			fputs(cap ? "\\fI" : "\\fB", out);
			italic = cap;
		}
		if (*p == '-')
			fputs("\\-", out);
		else if (*p == '\\')
			fputs("\\e", out);
		else
			fputc(*p, out);
	}
	fputs("\\fR\n", out);
}

/* A one-line help as a troff sentence: capital first, full stop last. */
static void man_text(FILE *out, const char *text)
{
	size_t n = strlen(text);
	const char *p;

	if (*text == '.' || *text == '\'')
		fputs("\\&", out);
	for (p = text; *p; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (p == text && *p >= 'a' && *p <= 'z')
			fputc(*p - 'a' + 'A', out);
		else
			fputc(*p, out);
	}
	fputs(n && text[n - 1] != '.' ? ".\n" : "\n", out);
}

/* Raw troff, newline-terminated. */
static void man_raw(FILE *out, const char *troff)
{
	size_t n;

	if (!troff || !*troff)
		return;
	n = strlen(troff);
	fputs(troff, out);
	if (troff[n - 1] != '\n')
		fputc('\n', out);
}

void netdev_types_man(FILE *out)
{
	const struct netdev_key *k;
	size_t i;

	fputs(".SH NETDEV TYPES\n", out);
	for (i = 0; i < netdev_types_count; i++) {
		const struct netdev_type *t = netdev_types[i];

		fprintf(out, ".SS %s\n", t->name);
		man_raw(out, t->man);
		for (k = t->keys; k && k->key; k++) {
			fputs(".TP\n", out);
			man_key(out, k->key);
			man_text(out, k->help);
			man_raw(out, k->man);
		}
		if (t->man_notes) {
			fputs(".PP\n", out);
			man_raw(out, t->man_notes);
		}
		if (t->uplink)
			fputs(".PP\nA tunnel carries a whole LAN, so port security is off on its "
			      "port unless\n.B port-security=on\nis given.\n", out);
		if (t->sandbox.paths)
			fprintf(out, ".PP\nOnce sandboxed it still uses %s.\n", t->sandbox.paths);
	}
}
