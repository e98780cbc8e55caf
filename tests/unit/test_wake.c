// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The consumer's half of the bounded wakeup policy (tk_wake_next(),
 * user/tk_run.c): the waits it asks for after wakeups, consumes and quiet
 * timeouts, on a clock the test moves.
 */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include "tk.h"

#define B ((__s64)TK_WAKEUP_BOUND_NS)
#define LONG_MS 100
/* the bound in epoll's milliseconds, rounded up */
#define BACKSTOP_MS ((int)((TK_WAKEUP_BOUND_NS + 999999) / 1000000))

static const __s64 t0 = 5000 * 1000000000LL; /* a CLOCK_MONOTONIC time */

/* Nothing has happened yet: the long wait, no timer wakeups. */
static void test_idle_from_the_start(void **state)
{
	struct tk_wake w = { 0 };

	(void)state;
	assert_int_equal(tk_wake_next(&w, false, t0, LONG_MS), LONG_MS);
	assert_int_equal(tk_wake_next(&w, false, t0 + 10 * B, LONG_MS), LONG_MS);
}

/*
 * A wakeup, then quiet: backstop waits until 2 bounds have passed since
 * it, the long wait from then on (what tk_rb_flags()'s argument needs: no
 * long wait before W + 2 B).
 */
static void test_backstop_then_long(void **state)
{
	struct tk_wake w = { 0 };

	(void)state;
	assert_int_equal(tk_wake_next(&w, true, t0, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&w, false, t0 + B + B / 20, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&w, false, t0 + 2 * B - 1, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&w, false, t0 + 2 * B, LONG_MS), LONG_MS);
	assert_int_equal(tk_wake_next(&w, false, t0 + 3 * B, LONG_MS), LONG_MS);
}

/* Every activity starts the 2 bounds again: a flood never waits long. */
static void test_activity_extends(void **state)
{
	struct tk_wake w = { 0 };
	__s64 t = t0;

	(void)state;
	for (int i = 0; i < 1000; i++, t += B)
		assert_int_equal(tk_wake_next(&w, true, t, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&w, false, t + B / 2, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&w, false, t - B + 2 * B, LONG_MS), LONG_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_from_the_start),
		cmocka_unit_test(test_backstop_then_long),
		cmocka_unit_test(test_activity_extends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
