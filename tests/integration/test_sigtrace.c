// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sigtrace end to end (root): the exact records of signals the tests send. */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include "testlib.h"

#define SIGTRACE tl_path("bin/sigtrace")
#define SIGSEND tl_path("build/tests/sigsend")

/* Loads p's records: valid JSON, nrec of them, then a summary without loss. */
static void load(struct proc *p, struct records *r, size_t nrec)
{
	assert_int_equal(records_load(p->out, r), 0);
	assert_int_equal(r->invalid, 0);
	assert_int_equal(r->n, nrec + 1);
	ASSERT_ONE_RECORD(r, "event=summary lost=0");
}

#define GEN "event=generate pid=%d target_pid=%d target_tid=%d sig=%d code=%s result=%s " \
	"group=%s"
#define DLV "event=deliver pid=%d sig=%d code=%s handler=%s sa_flags=%d"

/* Command mode: tests/helpers/sigsend's signals; none of a second one beside it. */
static void test_command_exact(void **state)
{
	char *argv[] = { (char *)SIGTRACE, "-j", "-e", "all", "--", (char *)SIGSEND, NULL };
	char *outside[] = { (char *)SIGSEND, NULL }, *err, h[32];
	int P, C, f = SA_SIGINFO | SA_RESTART | 0x04000000; /* the SA_RESTORER libc adds */
	struct records r;
	struct proc p;
	pid_t noise;

	(void)state;
	NEED_ROOT();
	if ((noise = fork()) == 0)
		_exit(run_quiet(outside));
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 30000), 0);
	assert_int_equal(waitpid(noise, NULL, 0), noise);
	assert_non_null(err = slurp(p.err));
	assert_true(strstr(err, "sigsend ") && sscanf(strstr(err, "sigsend "), "sigsend %d %d %31s",
								&P, &C, h) == 3);
	free(err);
	load(&p, &r, 8);
	ASSERT_ONE_RECORD(&r, GEN, P, C, C, SIGUSR2, "SI_USER", "ignored", "true");
	ASSERT_ONE_RECORD(&r, GEN, P, C, C, SIGUSR1, "SI_USER", "delivered", "true");
	ASSERT_ONE_RECORD(&r, GEN, P, C, C, SIGUSR1, "SI_USER", "already_pending", "true");
	ASSERT_ONE_RECORD(&r, GEN, P, C, C, SIGUSR1, "SI_TKILL", "delivered", "false");
	ASSERT_ONE_RECORD(&r, GEN, P, C, C, SIGRTMIN, "SI_QUEUE", "delivered", "true");
	ASSERT_ONE_RECORD(&r, DLV, C, SIGUSR1, "SI_TKILL", h, f);
	ASSERT_ONE_RECORD(&r, DLV, C, SIGUSR1, "SI_USER", h, f);
	ASSERT_ONE_RECORD(&r, DLV, C, SIGRTMIN, "SI_QUEUE", h, f);
	records_free(&r);
	proc_cleanup(&p);
	ASSERT_NO_PROGS_LEFT();
}

/* System-wide, -t in the kernel: of the signals this test sends, the one to T. */
static void test_target(void **state)
{
	char t[16], *argv[] = { (char *)SIGTRACE, "-j", "-t", t, NULL };
	struct records r;
	struct proc p;
	pid_t T;

	(void)state;
	NEED_ROOT();
	if ((T = fork()) == 0)
		_exit(pause());
	snprintf(t, sizeof(t), "%d", T);
	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, "tracing, Ctrl-C to end", 20000));
	/* T's SIGCHLD to this test and the SIGINT to sigtrace are not for T */
	assert_true(!kill(T, SIGUSR1) && waitpid(T, NULL, 0) == T && !kill(p.pid, SIGINT));
	assert_int_equal(proc_wait(&p, 10000), 0);
	load(&p, &r, 1);
	ASSERT_ONE_RECORD(&r, GEN, getpid(), T, T, SIGUSR1, "SI_USER", "delivered", "true");
	records_free(&r);
	proc_cleanup(&p);
	ASSERT_NO_PROGS_LEFT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_exact),
		cmocka_unit_test(test_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
