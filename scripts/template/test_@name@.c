// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* @name@ end to end (root; from `make new-tool`): assert your tool's exact records here. */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include "testlib.h"

#define TOOL tl_path("bin/@name@")

/* Command mode: the command's one exec, and nothing else. */
static void test_command_exec(void **state)
{
	char *argv[] = { (char *)TOOL, "-j", "--", "/bin/true", NULL };
	struct records r;
	struct proc p;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 30000), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(r.invalid, 0);
	assert_int_equal(r.n, 2);
	ASSERT_ONE_RECORD(&r, "event=exec comm=true old_tid=%lld", json_int(r.v[0], "pid", -1));
	ASSERT_ONE_RECORD(&r, "event=summary events=1 lost=0");
	records_free(&r);
	proc_cleanup(&p);
	ASSERT_NO_PROGS_LEFT();
}

static void test_bad_args_exit_2(void **state)
{
	char *argv[] = { (char *)TOOL, "-e", "nope", NULL };

	(void)state;
	assert_int_equal(run_quiet(argv), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_exec),
		cmocka_unit_test(test_bad_args_exit_2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
