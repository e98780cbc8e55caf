// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench end to end (root): a small matrix through every transport, with
 * its files; exact event accounting; pacing; the default wakeup policy's
 * flood accounting; the proctrace row's and the pipe check's exact event
 * counts; nothing left loaded. Numbers themselves are not asserted
 * (they belong to the benchmark's report, not to a test), only facts.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testlib.h"

#define RBBENCH tl_path("bin/rbbench")
#define PROCTRACE tl_path("bin/proctrace")

static char outdir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(outdir, "/tmp/tk-rbbench-XXXXXX");
	return mkdtemp(outdir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = {
		"rbbench.txt", "rbbench.csv", "rbbench.jsonl", "rbbench.png", "rbbench.gp",
		"rbbench-chart.dat", "rbbench-policy.dat", "rbbench-latency.dat", "rbbench-e2e.csv",
	};
	char path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, files[i]);
		unlink(path);
	}
	rmdir(outdir);
	return 0;
}

static double num(const struct jv *v, const char *key)
{
	const struct jv *x = json_get(v, key);

	return x && x->type == J_NUM ? x->num : NAN;
}

static const struct jv *find_row(const struct records *r, const char *ev, const char *key,
				 const char *val)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *e = json_str(r->v[i], "event"), *s = json_str(r->v[i], key);

		if (e && !strcmp(e, ev) && s && !strcmp(s, val))
			return r->v[i];
	}
	return NULL;
}

static void load_jsonl(struct records *r)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/rbbench.jsonl", outdir);
	assert_int_equal(records_load(path, r), 0);
	assert_int_equal(r->invalid, 0);
}

/* Runs rbbench with argv to a clean exit (timeout_ms at most), then its
 * JSON Lines into *r. */
static void run_ok(char *const argv[], int timeout_ms, struct records *r)
{
	struct proc p;

	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, timeout_ms), 0);
	proc_cleanup(&p);
	load_jsonl(r);
}

/* Bad input: one line on stderr, exit 2, before any BPF is loaded. */
static void test_bad_input(void **state)
{
	static const char *const bad[][3] = {
		{ "-s", "15" }, { "-s", "4104" }, { "-s", "64,,128" }, { "-t", "zerocopy" },
		{ "-w", "every:0" }, { "-b", "0" }, { "-P", "999" }, { "-r", "1G" },
		{ "-d", "0" }, { "-R", "0" }, { "--ringbuf-size", "65537" }, { "--bogus" },
		{ "stray" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[4] = { (char *)RBBENCH, (char *)bad[i][0], (char *)bad[i][1], NULL };
		struct proc p;
		size_t lines = 0;
		char *err;

		assert_int_equal(proc_start(&p, argv), 0);
		assert_int_equal(proc_wait(&p, 10000), 2);
		err = slurp(p.err);
		assert_non_null(err);
		assert_true(!strncmp(err, "rbbench: ", 9));
		for (char *c = err; (c = strchr(c, '\n')); c++)
			lines++;
		assert_int_equal(lines, 1);
		free(err);
		proc_cleanup(&p);
	}
}

/*
 * Every transport once: the run succeeds, every event the kernel accepted
 * was consumed (balanced), the sending transports consumed something, the
 * build-only one consumed nothing, and the files are there. 0.5 s per
 * transport: on a loaded 2-core machine a 0.1 s window could pass without
 * the consumer thread being scheduled at all.
 */
static void test_every_transport(void **state)
{
	char *argv[] = { (char *)RBBENCH, "-t", "perf,output,reserve,dynptr,none", "-s", "64",
			 "-w", "batch", "-R", "1", "-d", "0.5", "-o", outdir, NULL };
	static const char *const ts[] = { "perf", "output", "reserve", "dynptr", "none" };
	struct records r;
	struct proc p;
	char path[128], *csv, *png;
	size_t lines = 0;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 60000), 0);
	proc_cleanup(&p);
	ASSERT_NO_PROGS_LEFT();

	load_jsonl(&r);
	for (size_t i = 0; i < 5; i++) {
		const struct jv *row = find_row(&r, "rbbench", "transport", ts[i]);

		assert_non_null(row);
		assert_string_equal(json_str(row, "balanced"), "yes");
		assert_int_equal(json_int(row, "size", 0), 64);
		assert_int_equal(json_int(row, "rounds", 0), 1);
		assert_true(num(row, "prod_eps_med") > 0);
		assert_true(isfinite(num(row, "bpf_ns_ev_med")));
		if (strcmp(ts[i], "none")) {
			assert_true(num(row, "cons_eps_med") > 0);
			assert_true(num(row, "lat_p50_us_med") > 0);
			assert_true(num(row, "lat_max_us_med") >= num(row, "lat_p99_us_med"));
			assert_true(num(row, "lat_p99_us_med") >= num(row, "lat_p50_us_med"));
		} else {
			assert_true(isnan(num(row, "cons_eps_med")));
		}
	}
	/* same-round ratios of the transports against reserve */
	assert_non_null(find_row(&r, "rbbench_ratio", "column", "output/reserve ns"));
	records_free(&r);

	snprintf(path, sizeof(path), "%s/rbbench.csv", outdir);
	csv = slurp(path);
	assert_non_null(csv);
	for (char *c = csv; (c = strchr(c, '\n')); c++)
		lines++;
	assert_int_equal(lines, 1 + 5); /* header + one row per configuration */
	assert_true(!strncmp(csv, "group,transport,wakeup,size,", 28));
	free(csv);

	snprintf(path, sizeof(path), "%s/rbbench.png", outdir);
	png = slurp(path);
	assert_non_null(png);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	free(png);
}

/* A paced run produces at the rate asked, not flat out. */
static void test_paced_rate(void **state)
{
	char *argv[] = { (char *)RBBENCH, "-t", "reserve", "-s", "32", "-r", "100K", "-w", "event",
			 "-R", "1", "-d", "0.3", "-o", outdir, NULL };
	const struct jv *row;
	struct records r;

	(void)state;
	NEED_ROOT();
	run_ok(argv, 60000, &r);
	row = find_row(&r, "rbbench", "transport", "reserve");
	assert_non_null(row);
	assert_int_equal(json_int(row, "target_eps", 0), 100000);
	/* never above the target; flat out this would be millions */
	assert_true(num(row, "prod_eps_med") <= 105000);
	assert_true(num(row, "prod_eps_med") >= 50000);
	assert_string_equal(json_str(row, "balanced"), "yes");
	records_free(&r);
	ASSERT_NO_PROGS_LEFT();
}

/*
 * tracekit's default policy under a flood (1 M events/s asked): every
 * event the kernel produced was received or counted lost, over the whole
 * run (the row's produced/received/lost), and wakeups/s were measured.
 */
static void test_bounded_flood_accounting(void **state)
{
	char *argv[] = { (char *)RBBENCH, "-t", "reserve", "-s", "32", "-b", "64", "-r", "1M",
			 "-w", "bounded", "-R", "2", "-d", "0.3", "-o", outdir, NULL };
	const struct jv *row;
	long long produced, received, lost;
	struct records r;

	(void)state;
	NEED_ROOT();
	run_ok(argv, 60000, &r);
	row = find_row(&r, "rbbench", "wakeup", "bounded");
	assert_non_null(row);
	assert_int_equal(json_int(row, "rounds", 0), 2);
	assert_string_equal(json_str(row, "balanced"), "yes");
	produced = json_int(row, "produced", -1);
	received = json_int(row, "received", -1);
	lost = json_int(row, "lost", -1);
	if (produced <= 0 || received < 0 || lost < 0 || received + lost != produced)
		fail_msg("produced %lld, received %lld + lost %lld", produced, received, lost);
	assert_true(num(row, "wake_per_s_med") > 0);
	assert_true(num(row, "lat_p99_us_med") >= num(row, "lat_p50_us_med"));
	records_free(&r);
	ASSERT_NO_PROGS_LEFT();
}

/* Whether this kernel has a per-task fair slice (6.12+ prints se.slice). */
static bool kernel_has_slice(void)
{
	char *s = slurp("/proc/self/sched");
	bool has = s && strstr(s, "\nse.slice");

	free(s);
	return has;
}

/* The end-to-end row: proctrace sees exactly 2 events per exec each way;
 * the reader on a pipe gets every exec record under each policy, and
 * every stamp through the relay (the no-tracer floor). */
static void test_proctrace_row(void **state)
{
	char *argv[] = { (char *)RBBENCH, "-t", "none", "-s", "16", "-R", "1", "-d", "0.05",
			 "--proctrace", (char *)PROCTRACE, "--execs", "60", "-o", outdir, NULL };
	static const char *const traced[] = { "ringbuf", "perfbuf", "ringbuf-event",
					      "perfbuf-event" };
	struct records r;

	(void)state;
	NEED_ROOT();
	run_ok(argv, 120000, &r);
	assert_non_null(find_row(&r, "rbbench_e2e", "variant", "untraced"));
	for (size_t i = 0; i < 4; i++) {
		const struct jv *row = find_row(&r, "rbbench_e2e", "variant", traced[i]);

		assert_non_null(row);
		assert_int_equal(json_int(row, "execs", 0), 60);
		assert_int_equal(json_int(row, "events_med", -1) + json_int(row, "lost_med", -1),
				 120);
		assert_true(num(row, "us_per_exec_med") > 0);
		assert_true(num(row, "tracer_cpu_us_per_exec_med") > 0);
	}
	for (size_t i = 0; i < 4; i++) {
		static const char *const pol[] = { "bounded", "batch", "event", "relay" };
		const struct jv *row = find_row(&r, "rbbench_pipe", "wakeup", pol[i]);

		assert_non_null(row);
		/* -R 1: one run of RBB_PIPE_EXECS execs */
		assert_int_equal(json_int(row, "expected", -1), 250);
		assert_int_equal(json_int(row, "received", -1), 250);
		assert_int_equal(json_int(row, "lost", -1), 0);
		assert_true(num(row, "lat_max_us") >= num(row, "lat_p99_us"));
		/* one round: its own p99 is the pooled one */
		assert_true(num(row, "p99_run_lo_us") == num(row, "lat_p99_us"));
		assert_true(num(row, "p99_run_hi_us") == num(row, "lat_p99_us"));
		/* the reader asked for proctrace's consumer's short slice (6.12+) */
		if (kernel_has_slice())
			assert_true(num(row, "reader_slice_us") == 100);
	}
	records_free(&r);
	ASSERT_NO_PROGS_LEFT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_every_transport),
		cmocka_unit_test(test_paced_rate),
		cmocka_unit_test(test_bounded_flood_accounting),
		cmocka_unit_test(test_proctrace_row),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
