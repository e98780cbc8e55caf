// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Option parsing: every bad input is a usage error (2); good ones parse. */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tk.h"
#include "testlib.h"

static int seen_x;
static int tool_opt(int key, const char *arg)
{
	(void)arg;
	if (key == 'x') {
		seen_x++;
		return 0;
	}
	return -1;
}

static const struct tk_tool_event events[] = {
	{ "exec", TK_EV_exec, true, NULL },
	{ "fork", TK_EV_fork, true, NULL },
	{ "exit", TK_EV_exit, false, NULL },
	{ NULL },
};
static const struct tk_tool_opt opts[] = {
	{ "failed", 'x', NULL, "failed" },
	{ NULL },
};
static const struct tk_tool tool = {
	.name = "testtool", .summary = "s", .events = events, .opts = opts,
	.parse_opt = tool_opt,
};

/*
 * Which of events[] the mask selects, as bits by index (exec 1, fork 2,
 * exit 4); -1 if it has any other bit set: the mask holds nothing else.
 */
static int selected(const struct tk_env *env, const struct tk_tool_event *evs)
{
	int got = 0, bits = 0, n = 0;

	for (int i = 0; evs[i].name; i++, n++)
		if (tk_event_selected(env, evs[i].id))
			got |= 1 << i;
	for (size_t w = 0; w < TK_EV_WORDS; w++)
		bits += __builtin_popcountll(env->events_mask[w]);
	return bits == __builtin_popcount(got) ? got : -1;
}

#define MAXARGS 16
static int parse(struct tk_env *env, const char *first, ...)
{
	char *argv[MAXARGS] = { "testtool" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && argc < MAXARGS - 1; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return tk_parse_args(&tool, argc, argv, env);
}

static void test_bad_inputs_exit_2(void **state)
{
	static const char *bad[][3] = {
		{ "-p", "abc" }, { "-p", "-5" }, { "-p", "0" }, { "-p", "12x" },
		{ "-p", "99999999999999999999" }, { "-p", "" }, { "--pid", "+3" },
		{ "-u", "x" }, { "-u", "-1" }, { "-u", "4294967296" },
		{ "-c", "" }, { "-c", "0123456789abcdef" },
		{ "-e", "nope" }, { "-e", "exec,bogus" }, { "-e", "," },
		{ "-d", "0" }, { "-d", "-1" }, { "-d", "abc" }, { "-d", "nan" }, { "-d", "inf" },
		/* durations are decimal: strtod would read 16 s, 1000 s, 2 s */
		{ "-d", "0x10" }, { "-d", "1e3" }, { "-d", "2." "e0" }, { "-d", "." },
		{ "-d", " 1" }, { "-d", "1 " }, { "-d", "1..2" }, { "-d", "0.0" },
		/* "--" and nothing after it: not system-wide */
		{ "--" }, { "-j", "--" },
		{ "-n", "0" }, { "-n", "-3" }, { "-n", "1e3" },
		{ "--ringbuf-size", "1000" }, { "--ringbuf-size", "4095" },
		{ "--ringbuf-size", "12288" }, { "--ringbuf-size", "2048" },
		{ "--ringbuf-size", "2G" }, { "--ringbuf-size", "64Q" }, { "--ringbuf-size", "-4096" },
		{ "--wakeup", "sometimes" }, { "--drain-ms", "0" }, { "--drain-ms", "1001" },
		{ "--bogus" }, { "-Z" }, { "--pid" }, { "-p" },
		/* --append with no file to add to */
		{ "--append" }, { "--append", "-j" },
		/* --cgroup: a cgroup v2 directory, nothing else */
		{ "--cgroup" }, { "--cgroup", "" }, { "--cgroup", "/nonexistent-tk-cgroup" },
		{ "--cgroup", "/tmp" }, { "--cgroup", "/proc/self/status" }, { "--cgroup", "/proc" },
		{ "-p", "5", "--" /* then a command: -p and command conflict */ },
	};
	struct tk_env env;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = i == sizeof(bad) / sizeof(bad[0]) - 1
				 ? parse(&env, bad[i][0], bad[i][1], bad[i][2], "true", NULL)
				 : parse(&env, bad[i][0], bad[i][1], bad[i][2], NULL);

		if (rc != 2)
			fail_msg("args '%s %s' gave %d, expected 2", bad[i][0],
				 bad[i][1] ? bad[i][1] : "", rc);
	}
}

static void test_good_inputs(void **state)
{
	struct tk_env env;

	(void)state;
	assert_int_equal(parse(&env, "-p", "123", "-u", "0", "-c", "bash", "-j", "-T", NULL), 0);
	assert_int_equal(env.pid, 123);
	assert_true(env.have_uid);
	assert_int_equal(env.uid, 0);
	assert_string_equal(env.comm, "bash");
	assert_true(env.json && env.timestamp);
	assert_false(env.containers);
	assert_null(env.cmd);
	/* defaults: exec+fork on, exit off; 4 MiB ring; bounded wakeup, 5 ms drain */
	assert_int_equal(selected(&env, events), 1 | 2);
	assert_int_equal(env.ringbuf_size, 4 << 20);
	assert_int_equal(env.wakeup, TK_WAKEUP_BOUNDED);
	assert_int_equal(env.drain_ms, 5);
	assert_int_equal(parse(&env, "--wakeup", "batch", NULL), 0);
	assert_int_equal(env.wakeup, TK_WAKEUP_BATCH);
	assert_int_equal(parse(&env, "--wakeup", "bounded", NULL), 0);
	assert_int_equal(env.wakeup, TK_WAKEUP_BOUNDED);

	assert_int_equal(parse(&env, "-e", "exit,exec", "--ringbuf-size", "64K", "--perfbuf",
			       "--wakeup", "event", "--drain-ms", "20", "-d", "1.5", "-n", "10", NULL), 0);
	assert_int_equal(selected(&env, events), 1 | 4);
	assert_int_equal(env.ringbuf_size, 65536);
	assert_true(env.perfbuf);
	assert_int_equal(env.wakeup, TK_WAKEUP_EVENT);
	assert_int_equal(env.drain_ms, 20);
	assert_true(env.duration == 1.5);
	assert_int_equal(env.count, 10);
	assert_int_equal(parse(&env, "-C", NULL), 0);
	assert_true(env.containers);
	assert_int_equal(parse(&env, "--containers", NULL), 0);
	assert_true(env.containers);

	assert_int_equal(parse(&env, "-d", "0.25", NULL), 0);
	assert_true(env.duration == 0.25);
	assert_int_equal(parse(&env, "-d", ".5", NULL), 0);
	assert_true(env.duration == 0.5);
	assert_int_equal(parse(&env, "-d", "010", NULL), 0); /* decimal, not octal */
	assert_true(env.duration == 10);
	assert_int_equal(parse(&env, "-d", "3.", NULL), 0);
	assert_true(env.duration == 3);

	assert_int_equal(parse(&env, "-e", "all", "--ringbuf-size", "4096", NULL), 0);
	assert_int_equal(selected(&env, events), 1 | 2 | 4);
	assert_int_equal(env.ringbuf_size, 4096);

	assert_int_equal(parse(&env, "-o", "f", NULL), 0);
	assert_false(env.append);
	assert_int_equal(parse(&env, "--append", "-o", "f", NULL), 0);
	assert_true(env.append);
	assert_int_equal(parse(&env, "--raw", "f", "--append", NULL), 0);
	assert_true(env.append);

	seen_x = 0;
	assert_int_equal(parse(&env, "-x", "--failed", NULL), 0);
	assert_int_equal(seen_x, 2);
}

static void test_command_mode(void **state)
{
	struct tk_env env;

	(void)state;
	/* options after the command belong to the command */
	assert_int_equal(parse(&env, "-j", "--", "ls", "-l", "-p", NULL), 0);
	assert_non_null(env.cmd);
	assert_string_equal(env.cmd[0], "ls");
	assert_string_equal(env.cmd[1], "-l");
	assert_string_equal(env.cmd[2], "-p");
	assert_null(env.cmd[3]);
	/* a "--" that is an option's argument is not the separator */
	assert_int_equal(parse(&env, "-o", "--", NULL), 0);
	assert_string_equal(env.output, "--");
	assert_null(env.cmd);
	/* bare form without -- */
	assert_int_equal(parse(&env, "-j", "sh", "-c", "exit 3", NULL), 0);
	assert_string_equal(env.cmd[0], "sh");
	assert_string_equal(env.cmd[2], "exit 3");
}

static void test_number_parser(void **state)
{
	__u64 v;

	(void)state;
	assert_int_equal(tk_parse_u64("0x10", 0, 100, false, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(tk_parse_u64("4M", 0, ~0ULL, true, &v), 0);
	assert_int_equal(v, 4 << 20);
	assert_int_equal(tk_parse_u64("18446744073709551615", 0, ~0ULL, false, &v), 0);
	assert_int_equal(tk_parse_u64("18446744073709551616", 0, ~0ULL, false, &v), -1);
	assert_int_equal(tk_parse_u64("17179869184G", 0, ~0ULL, true, &v), -1); /* shift overflow */
	assert_int_equal(tk_parse_u64(" 5", 0, 10, false, &v), -1);
	assert_int_equal(tk_parse_u64("5 ", 0, 10, false, &v), -1);
	assert_int_equal(tk_parse_u64("11", 0, 10, false, &v), -1);
	assert_int_equal(tk_parse_u64("010", 0, 100, false, &v), 0); /* decimal, not octal */
	assert_int_equal(v, 10);
	assert_int_equal(tk_parse_u64("09", 0, 100, false, &v), 0);
	assert_int_equal(v, 9);
	assert_int_equal(tk_parse_u64("0x", 0, 100, false, &v), -1);
}

/* A tool option with a common option's short key replaces it, long form
 * included (syscalltrace's -e/--syscall instead of -e/--events). */
static const char *own_e;
static int own_e_opt(int key, const char *arg)
{
	if (key != 'e')
		return -1;
	own_e = arg;
	return 0;
}
static const struct tk_tool_opt own_e_opts[] = {
	{ "syscall", 'e', "LIST", "mine" },
	{ NULL },
};
/* combinations: -e with -n is refused after all options are seen */
static int own_e_check(const struct tk_env *env)
{
	return own_e && env->count ? tk_usage_error("-e and -n") : 0;
}
static const struct tk_tool own_e_tool = {
	.name = "testtool", .summary = "s", .events = events, .opts = own_e_opts,
	.parse_opt = own_e_opt, .check_args = own_e_check,
};

static void test_tool_overrides_common_key(void **state)
{
	char *a1[] = { "t", "-e", "read,write", "-p", "5", NULL };
	char *a2[] = { "t", "--syscall", "open", NULL };
	char *a3[] = { "t", "--events", "exec", NULL };
	struct tk_env env;

	(void)state;
	own_e = NULL;
	assert_int_equal(tk_parse_args(&own_e_tool, 5, a1, &env), 0);
	assert_string_equal(own_e, "read,write");
	assert_int_equal(env.pid, 5);
	/* the default events stay selected: -e never reached parse_events */
	assert_int_equal(selected(&env, events), 1 | 2);
	assert_int_equal(tk_parse_args(&own_e_tool, 3, a2, &env), 0);
	assert_string_equal(own_e, "open");
	/* the replaced long form is gone */
	assert_int_equal(tk_parse_args(&own_e_tool, 3, a3, &env), 2);
	/* check_args sees the whole command line, in any order */
	{
		char *a4[] = { "t", "-n", "3", "-e", "read", NULL };

		assert_int_equal(tk_parse_args(&own_e_tool, 5, a4, &env), 2);
		own_e = NULL;
		assert_int_equal(tk_parse_args(&own_e_tool, 3, a4, &env), 0);
	}
	/* tools that do not override keep the common -e */
	assert_int_equal(parse(&env, "-e", "exit", NULL), 0);
	assert_int_equal(selected(&env, events), 4);
}

/* tk_tool_opts (the man pages' and completion's list): --help's order, the
 * tool's own first, a replaced common option left out, the count whole */
static void test_tool_opts(void **state)
{
	const struct tk_tool_opt *o[64], *few[2];
	size_t n = tk_tool_opts(&own_e_tool, o, 64);
	bool events = false, pid = false;

	(void)state;
	assert_true(n > 10 && n < 64);
	assert_string_equal(o[0]->name, "syscall");
	for (size_t i = 1; i < n; i++) {
		assert_true(o[i]->key != 'e');
		events |= !strcmp(o[i]->name, "events");
		pid |= !strcmp(o[i]->name, "pid");
	}
	assert_false(events);
	assert_true(pid);
	/* a tool that replaces nothing: one own option, and every common one */
	assert_int_equal(tk_tool_opts(&tool, o, 64), n + 1);
	assert_string_equal(o[0]->name, "failed");
	/* a short out[]: the first max, and still the whole count */
	assert_int_equal(tk_tool_opts(&own_e_tool, few, 2), n);
	assert_string_equal(few[0]->name, "syscall");
	assert_string_equal(few[1]->name, "pid");
}

/* --path PREFIX and the like: what the kernel would resolve to, lexically */
/* -e is not capped at 64 ids: events of high domains select their own
 * bit only, and two ids 64 apart (one bit in a single u64) stay apart. */
static void test_events_beyond_64(void **state)
{
	static const struct tk_tool_event wide[] = {
		{ "a", TK_ID(200, 7), true, NULL },
		{ "b", TK_ID(255, 255), false, NULL },
		{ "c", TK_ID(200, 7) + 64, false, NULL },
		{ NULL },
	};
	static const struct tk_tool wide_tool = { .name = "wide", .summary = "s", .events = wide };
	char *a1[] = { "wide", NULL }, *a2[] = { "wide", "-e", "b,c", NULL };
	struct tk_env env;

	(void)state;
	assert_int_equal(tk_parse_args(&wide_tool, 1, a1, &env), 0);
	assert_int_equal(selected(&env, wide), 1);
	assert_int_equal(tk_parse_args(&wide_tool, 3, a2, &env), 0);
	assert_int_equal(selected(&env, wide), 2 | 4);
	assert_true(env.events_mask[TK_ID_MAX / 64] >> 63 & 1);
	tk_event_select(&env, TK_ID(255, 255), false);
	assert_int_equal(selected(&env, wide), 4);
	assert_false(tk_event_selected(&env, TK_ID_MAX + 1));
}

/* --cgroup repeats, up to TK_MAX_CGROUPS; a v1 directory is refused. */
static void test_cgroup_option(void **state)
{
	const char *root = tl_cgroup2_root();
	char *argv[2 * TK_MAX_CGROUPS + 4] = { "testtool" };
	struct tk_env env;
	int argc = 1;

	(void)state;
	if (!root)
		skip(); /* no cgroup2 mounted here */
	for (int i = 0; i < TK_MAX_CGROUPS; i++) {
		argv[argc++] = "--cgroup";
		argv[argc++] = (char *)root;
	}
	assert_int_equal(tk_parse_args(&tool, argc, argv, &env), 0);
	assert_int_equal(env.ncgroups, TK_MAX_CGROUPS);
	assert_ptr_equal(env.cgroups[TK_MAX_CGROUPS - 1], root);
	argv[argc++] = "--cgroup";
	argv[argc++] = (char *)root;
	assert_int_equal(tk_parse_args(&tool, argc, argv, &env), 2);
	assert_int_equal(parse(&env, "-p", "1", "--cgroup", root, "-j", NULL), 0);
	assert_int_equal(env.ncgroups, 1);
	assert_int_equal(env.pid, 1);
	/* a hybrid host's v1 controllers are directories too */
	if (!access("/sys/fs/cgroup/pids/cgroup.procs", F_OK))
		assert_int_equal(parse(&env, "--cgroup", "/sys/fs/cgroup/pids", NULL), 2);
}

static void test_path_normalize(void **state)
{
	static const char *cases[][2] = {
		{ "/", "/" }, { "//", "/" }, { "/tmp", "/tmp" }, { "/tmp/", "/tmp" },
		{ "//tmp//x", "/tmp/x" }, { "/tmp/./x", "/tmp/x" }, { "/tmp/x/../x", "/tmp/x" },
		{ "/tmp/x/..", "/tmp" }, { "/..", "/" }, { "/../../a", "/a" }, { "/a/b/../../..", "/" },
		{ "/./.", "/" }, { "/a/.b/..c/...", "/a/.b/..c/..." }, { "/a/b/c/../../d/", "/a/d" },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(tk_path_normalize(cases[i][0], out, sizeof(out)), 0);
		if (strcmp(out, cases[i][1]))
			fail_msg("'%s' -> '%s', expected '%s'", cases[i][0], out, cases[i][1]);
	}
	assert_int_equal(tk_path_normalize("tmp/x", out, sizeof(out)), -1);
	assert_int_equal(tk_path_normalize("", out, sizeof(out)), -1);
	/* 8 bytes hold "/abcdef" and its NUL, not one byte more */
	assert_int_equal(tk_path_normalize("/abcdef", out, 8), 0);
	assert_string_equal(out, "/abcdef");
	assert_int_equal(tk_path_normalize("/abcdefg", out, 8), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_inputs_exit_2),
		cmocka_unit_test(test_good_inputs),
		cmocka_unit_test(test_command_mode),
		cmocka_unit_test(test_number_parser),
		cmocka_unit_test(test_tool_overrides_common_key),
		cmocka_unit_test(test_tool_opts),
		cmocka_unit_test(test_events_beyond_64),
		cmocka_unit_test(test_cgroup_option),
		cmocka_unit_test(test_path_normalize),
	};
	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
