// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Compatibility end to end (root): --perfbuf really runs without the BPF
 * ring buffer (the tool holds no ring-buffer map, and records still come),
 * and the feature probe passes on this kernel for every tool.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

#define READY "tracing, Ctrl-C to end"
#define BPF_MAP_TYPE_RINGBUF 27 /* UAPI value; also in vmlinux.h */

static const char *const tools[] = { "proctrace", "filetrace", "nettrace", "syscalltrace" };

/* How many BPF maps of type `type` process pid holds (fdinfo's map_type). */
static int maps_of_type(pid_t pid, int type, int *total)
{
	char dir[64], link[PATH_MAX], target[64], path[PATH_MAX], *info, *mt;
	struct dirent *d;
	DIR *fds;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	assert_non_null(fds);
	*total = 0;
	while ((d = readdir(fds))) {
		ssize_t len;

		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		if (strcmp(target, "anon_inode:bpf-map"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, d->d_name);
		info = slurp(path);
		assert_non_null(info);
		mt = strstr(info, "map_type:");
		assert_non_null(mt);
		(*total)++;
		n += atoi(mt + strlen("map_type:")) == type;
		free(info);
	}
	closedir(fds);
	return n;
}

/* Each tool, each transport: loads here (the probe passes), and holds a
 * ring-buffer map exactly when it uses the ring buffer. */
static void test_perfbuf_creates_no_ring_buffer(void **state)
{
	(void)state;
	NEED_ROOT();
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		for (int perfbuf = 0; perfbuf < 2; perfbuf++) {
			char bin[PATH_MAX];
			char *argv[] = { bin, "-p", "1", "-d", "1", perfbuf ? "--perfbuf" : "-v",
					 NULL };
			struct proc p;
			int total, rings;

			snprintf(bin, sizeof(bin), "%s/bin/%s", tl_root, tools[i]);
			assert_int_equal(proc_start(&p, argv), 0);
			if (!proc_wait_stderr(&p, READY, 15000)) {
				char *err = slurp(p.err);

				fail_msg("%s did not start: %s", tools[i], err ? err : "?");
			}
			rings = maps_of_type(p.pid, BPF_MAP_TYPE_RINGBUF, &total);
			assert_int_equal(proc_wait(&p, 20000), 0);
			proc_cleanup(&p);
			if (total == 0)
				fail_msg("%s: no BPF maps seen", tools[i]);
			if (rings != !perfbuf)
				fail_msg("%s%s: %d ring-buffer maps", tools[i],
					 perfbuf ? " --perfbuf" : "", rings);
		}
	}
}

/* Records still arrive without the ring buffer: the command's own exec. */
static void test_perfbuf_records(void **state)
{
	char *argv[] = { (char *)tl_path("bin/proctrace"), "--perfbuf", "-j", "-e", "exec",
			 "--", "/bin/sh", "-c", "exit 7", NULL };
	unsigned long long events, lost;
	struct records r;
	struct proc p;
	size_t execs = 0;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 20000), 7);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(r.invalid, 0);
	for (size_t i = 0; i < r.n; i++) {
		const char *ev = json_str(r.v[i], "event"), *f = json_str(r.v[i], "filename");

		if (ev && !strcmp(ev, "exec") && f && !strcmp(f, "/bin/sh"))
			execs++;
	}
	assert_int_equal(execs, 1);
	assert_int_equal(proc_summary(&p, &events, &lost), 0);
	assert_int_equal(events, 1);
	assert_int_equal(lost, 0);
	records_free(&r);
	proc_cleanup(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perfbuf_creates_no_ring_buffer),
		cmocka_unit_test(test_perfbuf_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
