// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* @name@ end to end (root; from `make new-tool`): assert your tool's exact records here. */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include "testlib.h"

#define TOOL "@name@"

/* The standard checks (testlib.h): execchain's 1000 execs of one pid. */
static const tl_args bad[] = { { "-e", "nope" }, { NULL } };
static const tl_args valgrind[] = { { "-j", "--", "/bin/true" }, { NULL } };
static const struct tl_tool tool = {
	.name = TOOL, .prog_prefix = "@name@_",
	.workload = TL_ARGS("build/tests/execchain", "1000"), .filter = TL_ARGS("-e", "exec"),
	.event = "exec", .n = 1001 /* and the harness's exec of it */,
	.bad = bad, .valgrind = valgrind,
};

/* Command mode: the command's one exec, and nothing else. */
static void test_command_exec(void **state)
{
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "--", "/bin/true"));
	assert_int_equal(run.r.n, 1);
	ASSERT_ONE_RECORD(&run.r, "event=exec comm=true old_tid=%lld",
			  json_int(run.r.v[0], "pid", -1));
	tl_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_STANDARD_TESTS(&tool),
		TL_TEST(test_command_exec),
	};

	return TL_RUN_GROUP(TOOL, tests, NULL, NULL);
}
