// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report (user/tk_report.h) on real records (root): a tool's --raw
 * file of a small command, fed to tk_report in timestamp order, gives the
 * command's tree with the numbers its JSON records state.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tk.h"
#include "tk_report.h"
#include "testlib.h"

#define CMD "cat /etc/hostname >/dev/null; exit 5"

struct rec {
	__u64 ts;
	size_t seq, size;
	char *data;
};

static int by_time(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* The report of a --raw file (u32 size, then the bytes), as JSON. Records
 * of several CPUs reach the consumer slightly out of order: sorted first. */
static struct jv *report_of(const char *raw)
{
	FILE *f = fopen(raw, "re");
	struct rec *v = NULL;
	size_t n = 0, len = 0;
	struct tk_report *r = tk_report_new();
	char *buf = NULL;
	FILE *out;
	struct jv *j;
	__u32 size;

	assert_non_null(f);
	assert_non_null(r);
	while (fread(&size, sizeof(size), 1, f) == 1) {
		assert_non_null(v = reallocarray(v, n + 1, sizeof(*v)));
		assert_non_null(v[n].data = malloc(size));
		assert_int_equal(fread(v[n].data, 1, size, f), size);
		assert_true(size >= sizeof(v[n].ts));
		memcpy(&v[n].ts, v[n].data, sizeof(v[n].ts));
		v[n].seq = n;
		v[n].size = size;
		n++;
	}
	fclose(f);
	qsort(v, n, sizeof(*v), by_time);
	for (size_t i = 0; i < n; i++) {
		tk_report_add(r, v[i].data, v[i].size);
		free(v[i].data);
	}
	free(v);
	assert_non_null(out = open_memstream(&buf, &len));
	assert_int_equal(tk_report_write(r, out, true, false), 0);
	fclose(out);
	tk_report_free(r);
	if (!(j = json_parse(buf)))
		fail_msg("report not valid JSON: %s", buf);
	free(buf);
	return j;
}

static const struct jv *at(const struct jv *arr, size_t i)
{
	assert_non_null(arr);
	assert_int_equal(arr->type, J_ARR);
	if (i >= arr->len)
		fail_msg("no element %zu in an array of %zu", i, arr->len);
	return &arr->items[i];
}

static void assert_argv(const struct jv *p, const char *const *want, size_t n)
{
	const struct jv *argv = json_get(p, "argv");

	assert_non_null(argv);
	assert_int_equal(argv->len, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(at(argv, i)->str, want[i]);
}

/* proctrace: sh, and its child cat, with their argv and exit codes. */
static void test_proc_tree(void **state)
{
	static const char *const sh[] = { "/bin/sh", "-c", CMD }, *const cat[] = {
		"cat", "/etc/hostname" };
	char raw[] = "/tmp/tk-report-XXXXXX";
	struct tl_run run;
	struct jv *v;
	const struct jv *root, *child, *t, *exec_cat;

	(void)state;
	NEED_ROOT();
	close(mkstemp(raw));
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j", "--raw", raw, "--", "/bin/sh", "-c", CMD),
	       .rc = 5);
	v = report_of(raw);
	unlink(raw);
	assert_int_equal(json_int(v, "records", -1), (long long)run.events);
	assert_int_equal(json_int(v, "ignored", -1), 0);
	t = json_get(v, "totals");
	assert_int_equal(json_int(t, "processes", -1), 2);
	assert_int_equal(json_int(t, "execs", -1), (long long)records_count(&run.r, "exec", 0));
	assert_int_equal(json_int(t, "execs", -1), 2);
	assert_int_equal(json_get(v, "processes")->len, 1);
	root = at(json_get(v, "processes"), 0);
	assert_argv(root, sh, 3);
	assert_int_equal(json_int(root, "exit_code", -1), 5);
	assert_int_equal(json_int(root, "signal", -1), 0);
	assert_int_equal(json_get(root, "children")->len, 1);
	child = at(json_get(root, "children"), 0);
	assert_argv(child, cat, 2);
	assert_int_equal(json_int(child, "exit_code", -1), 0);
	assert_int_equal(json_int(child, "ppid", -1), json_int(root, "pid", -2));
	assert_non_null(exec_cat = tl_find(&run, "exec", json_int(child, "pid", -1)));
	assert_string_equal(json_str(at(json_get(child, "execs"), 0), "filename"),
			    json_str(exec_cat, "filename"));
	assert_true(json_int(child, "start_ns", -1) > json_int(root, "start_ns", -1));
	assert_true(json_int(child, "end_ns", -1) < json_int(root, "end_ns", -1));
	json_free(v);
	tl_run_free(&run);
}

/* filetrace: cat's open and reads of /etc/hostname, as many as the records
 * say, and its bytes read the file's size. */
static void test_file_bytes(void **state)
{
	char raw[] = "/tmp/tk-report-XXXXXX";
	struct tl_run run;
	struct jv *v;
	const struct jv *procs, *files, *cat = NULL, *fl = NULL;
	struct stat st;
	long long pid = -1, opens = 0, reads = 0;

	(void)state;
	NEED_ROOT();
	assert_int_equal(stat("/etc/hostname", &st), 0);
	close(mkstemp(raw));
	tl_run(&run, .tool = "filetrace",
	       .args = TL_ARGS("-j", "-e", "open,read", "--raw", raw, "--", "/bin/sh", "-c", CMD),
	       .rc = 5);
	v = report_of(raw);
	unlink(raw);
	assert_int_equal(json_int(v, "records", -1), (long long)run.events);
	for (size_t i = 0; i < run.r.n; i++) {
		const char *path = json_str(run.r.v[i], "path"), *ev = json_str(run.r.v[i], "event");

		if (!path || strcmp(path, "/etc/hostname"))
			continue;
		pid = json_int(run.r.v[i], "pid", -1);
		opens += !strcmp(ev, "open");
		reads += !strcmp(ev, "read");
	}
	assert_int_equal(opens, 1);
	procs = json_get(v, "processes");
	for (size_t i = 0; procs && i < procs->len; i++)
		if (json_int(at(procs, i), "pid", -1) == pid)
			cat = at(procs, i);
	assert_non_null(cat);
	assert_string_equal(json_str(cat, "comm"), "cat");
	files = json_get(cat, "files");
	for (size_t i = 0; files && i < files->len; i++)
		if (!strcmp(json_str(at(files, i), "path"), "/etc/hostname"))
			fl = at(files, i);
	assert_non_null(fl);
	assert_int_equal(json_int(fl, "opens", -1), 1);
	assert_int_equal(json_int(fl, "reads", -1), reads);
	assert_int_equal(json_int(fl, "bytes_read", -1), st.st_size);
	assert_int_equal(json_get(fl, "errors")->len, 0);
	json_free(v);
	tl_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_proc_tree),
		TL_TEST(test_file_bytes),
	};
	return TL_RUN_GROUP("reportraw", tests, NULL, NULL);
}
