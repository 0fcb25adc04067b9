/* SPDX-License-Identifier: MIT
 *
 * test_log.c - LOG_ONCE_FOR(): "once" is per object and per condition bit,
 * not per call site. The same call site reached for two objects logs for
 * each; a second condition of the same object has its own bit; a repeat
 * of either logs nothing. Lines are captured with log_set_hook().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/log.h"

static char lines[8][128];
static enum log_level levels[8];
static unsigned nlines;

static void capture(enum log_level level, const char *msg)
{
	if (nlines < 8) {
		levels[nlines] = level;
		snprintf(lines[nlines], sizeof(lines[nlines]), "%s", msg);
	}
	nlines++;
}

static int setup(void **state)
{
	nlines = 0;
	log_set_hook(capture);
	return 0;
}

static int teardown(void **state)
{
	log_set_hook(NULL);
	return 0;
}

enum { COND_FULL, COND_BAD, COND_LAST = 31 };

struct table {
	const char *name;
	struct log_once logged;
};

/* One call site, as in a data path: whichever table is full says so. */
static void table_full(struct table *t, int n)
{
	LOG_ONCE_FOR(&t->logged, COND_FULL, LOG_LVL_WARN, "table %s full (%d)", t->name, n);
}

static void test_once_per_object(void **state)
{
	struct table a = { .name = "a" }, b = { .name = "b" };

	for (int i = 0; i < 5; i++)
		table_full(&a, i);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "table a full (0)");
	assert_int_equal(levels[0], LOG_LVL_WARN);

	/* The second table's condition is news, however often a's repeats. */
	for (int i = 0; i < 5; i++) {
		table_full(&b, i);
		table_full(&a, i);
	}
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[1], "table b full (0)");
}

static void test_bits_are_separate(void **state)
{
	struct table a = { .name = "a" };

	table_full(&a, 1);
	LOG_ONCE_FOR(&a.logged, COND_BAD, LOG_LVL_INFO, "table %s: bad", a.name);
	LOG_ONCE_FOR(&a.logged, COND_LAST, LOG_LVL_DEBUG, "table %s: last bit", a.name);
	LOG_ONCE_FOR(&a.logged, COND_BAD, LOG_LVL_INFO, "table %s: bad", a.name);
	table_full(&a, 2);
	assert_int_equal(nlines, 3);
	assert_string_equal(lines[1], "table a: bad");
	assert_int_equal(levels[1], LOG_LVL_INFO);
	assert_string_equal(lines[2], "table a: last bit");
	assert_int_equal(a.logged.said, 1u << COND_FULL | 1u << COND_BAD | 1u << COND_LAST);

	/* A fresh (zeroed) object starts with nothing said. */
	memset(&a.logged, 0, sizeof(a.logged));
	table_full(&a, 3);
	assert_int_equal(nlines, 4);
	assert_string_equal(lines[3], "table a full (3)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_once_per_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bits_are_separate, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
