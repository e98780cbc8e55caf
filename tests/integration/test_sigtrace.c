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
#include <unistd.h>
#include "testlib.h"

#define TOOL "sigtrace"
#define SIGSEND "build/tests/sigsend"

/* The standard checks: sigsend's 2000 ignored SIGUSR2s to itself, by pid,
 * and the SIGCHLD its exit sends (the harness runs -p PID, not its tree). */
static const tl_args bad[] = { { "--target", "0" }, { "-t", "x" }, { NULL } };
static const tl_args valgrind[] = { { "-j", "-e", "all", "--", SIGSEND }, { NULL } };
static const struct tl_tool tool = {
	.name = TOOL, .prog_prefix = "sig_",
	.workload = TL_ARGS(SIGSEND, "2000"), .filter = TL_ARGS("-e", "generate"),
	.event = "generate", .n = 2001, .bad = bad, .valgrind = valgrind,
};

#define GEN "event=generate pid=%d target_pid=%d target_tid=%d sig=%d code_str=%s " \
	"result_str=%s group=%s"
#define DLV "event=deliver pid=%d sig=%d code_str=%s handler=%s sa_flags=%d"

/* Command mode: sigsend's signals, and none of a second sigsend beside it. */
static void test_command_exact(void **state)
{
	char *outside[] = { (char *)tl_path(SIGSEND), NULL }, *at, h[32];
	int P, C, f = SA_SIGINFO | SA_RESTART | 0x04000000; /* the SA_RESTORER libc adds */
	struct tl_run run;
	pid_t noise;

	(void)state;
	NEED_ROOT();
	if ((noise = fork()) == 0)
		_exit(run_quiet(outside));
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "all", "--", SIGSEND));
	assert_int_equal(waitpid(noise, NULL, 0), noise);
	assert_non_null(at = strstr(run.err, "sigsend "));
	assert_int_equal(sscanf(at, "sigsend %d %d %31s", &P, &C, h), 3);
	/* no SIGCHLD: an exiting process has left the traced tree when it sends it */
	assert_int_equal(run.r.n, 8);
	ASSERT_ONE_RECORD(&run.r, GEN, P, C, C, SIGUSR2, "SI_USER", "ignored", "true");
	ASSERT_ONE_RECORD(&run.r, GEN, P, C, C, SIGUSR1, "SI_USER", "delivered", "true");
	ASSERT_ONE_RECORD(&run.r, GEN, P, C, C, SIGUSR1, "SI_USER", "already_pending", "true");
	ASSERT_ONE_RECORD(&run.r, GEN, P, C, C, SIGUSR1, "SI_TKILL", "delivered", "false");
	ASSERT_ONE_RECORD(&run.r, GEN, P, C, C, SIGRTMIN, "SI_QUEUE", "delivered", "true");
	ASSERT_ONE_RECORD(&run.r, DLV, C, SIGUSR1, "SI_TKILL", h, f);
	ASSERT_ONE_RECORD(&run.r, DLV, C, SIGUSR1, "SI_USER", h, f);
	ASSERT_ONE_RECORD(&run.r, DLV, C, SIGRTMIN, "SI_QUEUE", h, f);
	tl_run_free(&run);
}

/* System-wide, -t in the kernel: of the signals this test sends, the one to T. */
static void target_kill(struct tl_run *run, void *arg)
{
	pid_t T = *(pid_t *)arg;

	(void)run;
	assert_int_equal(kill(T, SIGUSR1), 0);
	assert_int_equal(waitpid(T, NULL, 0), T);
}

static void test_target(void **state)
{
	struct tl_run run;
	char t[16];
	pid_t T;

	(void)state;
	NEED_ROOT();
	if ((T = fork()) == 0)
		_exit(pause());
	snprintf(t, sizeof(t), "%d", T);
	/* T's SIGCHLD to this test and the SIGINT to sigtrace are not for T */
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-t", t), .during = target_kill, .arg = &T);
	assert_int_equal(run.r.n, 1);
	ASSERT_ONE_RECORD(&run.r, GEN, getpid(), T, T, SIGUSR1, "SI_USER", "delivered", "true");
	tl_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_STANDARD_TESTS(&tool),
		TL_TEST(test_command_exact),
		TL_TEST(test_target),
	};

	return TL_RUN_GROUP(TOOL, tests, NULL, NULL);
}
