// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bin/tkfloor (root): the benches' floor. Each spec becomes one program of
 * its attach type, named floor_<tracepoint>, listed by id in the ready
 * line, held while it runs and gone once it has ended on SIGINT/SIGTERM;
 * +ktime adds exactly one instruction (the clock call); +record's program
 * makes a record of every open and tkfloor takes them all; +fields' makes
 * filetrace's whole record of an open, field for field (tkfloor -j prints
 * them through the decoder); +count's counts
 * every syscall by number, its errors too; a bad spec is
 * one line and exit 2, a tracepoint the kernel lacks one line and exit 1.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "testlib.h"

#define READY "Ctrl-C to end"

static char *tkfloor(void)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bin/tkfloor", tl_root);
	return path;
}

/* The ids of the ready line "tkfloor: N empty programs attached (ids A B), ...". */
static int ready_ids(struct proc *p, __u32 *ids, int max)
{
	char *err = slurp(p->err), *s;
	int n = 0;

	assert_non_null(err);
	s = strstr(err, "(ids");
	assert_non_null(s);
	for (s += 4; n < max && *s == ' '; n++)
		ids[n] = strtoul(s + 1, &s, 10);
	free(err);
	return n;
}

static int prog_info(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id), rc;

	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	rc = bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	return rc;
}

/* Gone within 5 s (the kernel frees programs after an RCU grace period). */
static bool gone(__u32 id)
{
	struct bpf_prog_info info;

	for (int i = 0; i < 50; i++) {
		if (prog_info(id, &info) == -ENOENT)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static void run_specs(int sig)
{
	char *argv[] = { tkfloor(), "tp:syscalls/sys_enter_getppid", "tp_btf:sys_exit",
			 "raw_tp:sys_enter", "tp_btf:sched_switch+ktime", NULL };
	static const struct {
		__u32 type;
		const char *name;
		__u32 insns;
	} want[] = {
		{ BPF_PROG_TYPE_TRACEPOINT, "floor_sys_enter", 2 }, /* 15 bytes at most */
		{ BPF_PROG_TYPE_TRACING, "floor_sys_exit", 2 },
		{ BPF_PROG_TYPE_RAW_TRACEPOINT, "floor_sys_enter", 2 },
		{ BPF_PROG_TYPE_TRACING, "floor_sched_swi", 3 },
	};
	struct bpf_prog_info info;
	struct proc p;
	__u32 ids[8];
	int n;

	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 10000));
	n = ready_ids(&p, ids, 8);
	assert_int_equal(n, 4);
	assert_int_equal(tk_progs_held(p.pid, "floor_"), 4);
	for (int i = 0; i < n; i++) {
		assert_int_equal(prog_info(ids[i], &info), 0);
		if (info.type != want[i].type || strcmp(info.name, want[i].name) ||
		    info.xlated_prog_len != want[i].insns * 8)
			fail_msg("program %d (id %u): type %u name %s %u insns, want %u %s %u", i,
				 ids[i], info.type, info.name, info.xlated_prog_len / 8,
				 want[i].type, want[i].name, want[i].insns);
	}
	kill(p.pid, sig);
	assert_int_equal(proc_wait(&p, 10000), 0);
	for (int i = 0; i < n; i++)
		if (!gone(ids[i]))
			fail_msg("program id %u still loaded after tkfloor ended", ids[i]);
	assert_int_equal(tk_progs_left(), 0);
	proc_cleanup(&p);
}

static void test_attach_sigint(void **state)
{
	(void)state;
	run_specs(SIGINT);
}

static void test_attach_sigterm(void **state)
{
	(void)state;
	run_specs(SIGTERM);
}

/*
 * n opens (and closes) of path, read-only; then SIGINT to the tkfloor p and
 * its summary line, the one after the ready line: records taken, lost at a
 * full ring. Returns the fd number the opens got (the lowest free one).
 */
static int opens_then_end(struct proc *p, const char *path, int n, unsigned long long *taken,
			  unsigned long long *lost)
{
	char *err, *s;
	int fd = -1;

	for (int i = 0; i < n; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		close(fd);
	}
	kill(p->pid, SIGINT);
	assert_int_equal(proc_wait(p, 10000), 0);
	err = slurp(p->err);
	s = strstr(err, "tkfloor: ");
	s = s ? strstr(s + 1, "tkfloor: ") : NULL;
	if (!s || sscanf(s, "tkfloor: %llu records taken, %llu lost", taken, lost) != 2)
		fail_msg("no 'records taken' line: %s", err);
	free(err);
	return fd;
}

/*
 * +record: a record of each of the test's 20,000 opens (and of whatever
 * else opens meanwhile) reaches tkfloor's ring and is taken, none lost at
 * a full ring: the ring is drained although nothing wakes its reader.
 */
static void test_record(void **state)
{
	char *argv[] = { tkfloor(), "tp:syscalls/sys_enter_openat",
			 "tp:syscalls/sys_exit_openat+record", NULL };
	unsigned long long taken = 0, lost = 1;
	struct proc p;
	__u32 ids[4];

	(void)state;
	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 10000));
	assert_int_equal(ready_ids(&p, ids, 4), 2);
	assert_int_equal(tk_progs_held(p.pid, "floor_"), 2);
	opens_then_end(&p, "/dev/null", 20000, &taken, &lost);
	print_message("records taken %llu (want >= 20000), lost %llu (want 0)\n", taken, lost);
	assert_true(taken >= 20000);
	assert_int_equal(lost, 0);
	for (int i = 0; i < 2; i++)
		assert_true(gone(ids[i]));
	proc_cleanup(&p);
}

/*
 * +fields: filetrace's record of an open, made by the floor's one program.
 * The test opens a file of its own 2,000 times, by its absolute name, from
 * a directory of its own (a mount's depth below /tmp or /var/tmp): every
 * open is one record of this pid with the fd, inode, size, flags and
 * kernel-resolved path the test knows, and nothing is lost.
 */
static void test_fields(void **state)
{
	char *argv[] = { tkfloor(), "-j", "tp:syscalls/sys_exit_openat+fields", NULL };
	char dir[] = "/tmp/tkfloor-fields.XXXXXX", file[256], real[PATH_MAX], spec[2 * PATH_MAX + 512];
	unsigned long long taken = 0, lost = 1;
	struct records r = { 0 };
	struct stat st;
	struct proc p;
	size_t got;
	int fd = -1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/target", dir);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "floor\n", 6), 6);
	close(fd);
	assert_int_equal(stat(file, &st), 0);
	assert_non_null(realpath(file, real));
	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 10000));
	fd = opens_then_end(&p, file, 2000, &taken, &lost);
	assert_int_equal(records_load(p.out, &r), 0);
	/* fd and ret apart: testlib's sampler thread opens /proc files in
	 * this process meanwhile, so an open can get another number than
	 * the last one (fd); each record's fd must still be its ret */
	snprintf(spec, sizeof(spec),
		 "event=open pid=%d call_str=openat flags_str=O_RDONLY|O_CLOEXEC "
		 "mode=0 inode=%llu size=6 truncated=false filename=%s path=%s",
		 getpid(), (unsigned long long)st.st_ino, file, real);
	got = records_match(&r, spec);
	for (size_t i = 0; i < r.n; i++) {
		const char *fn = json_str(r.v[i], "filename");
		long long rfd = json_int(r.v[i], "fd", -2);

		if (json_int(r.v[i], "pid", -1) != getpid() || !fn || strcmp(fn, file))
			continue;
		if (rfd < 0 || rfd != json_int(r.v[i], "ret", -3))
			fail_msg("an open of %s has fd %lld, ret %lld", file, rfd,
				 json_int(r.v[i], "ret", -3));
	}
	assert_true(fd >= 0);
	print_message("records of the test's opens with every field right: %zu (want 2000); "
		      "of this pid: %zu; unparsable lines: %zu (want 0); lost %llu (want 0)\n",
		      got, records_count(&r, "open", getpid()), r.invalid, lost);
	assert_int_equal(got, 2000);
	assert_int_equal(r.invalid, 0);
	assert_int_equal(lost, 0);
	records_free(&r);
	proc_cleanup(&p);
	unlink(file);
	rmdir(dir);
}

/*
 * +count: a per-CPU count and error count per syscall number. The test's
 * own 10,000 getppid calls and 5,000 failing close(-1) (EBADF) are in the
 * program's map, read through the program's map ids, summed over the
 * CPUs (other processes' calls may add more, never less).
 */
static void test_count(void **state)
{
	char *argv[] = { tkfloor(), "tp_btf:sys_exit+count", NULL };
	unsigned long long ppid = 0, ppid_err = 0, cl = 0, cl_err = 0;
	int ncpu = libbpf_num_possible_cpus(), map_fd = -1;
	struct bpf_prog_info info;
	__u32 ids[2], map_ids[4];
	struct proc p;

	(void)state;
	assert_true(ncpu > 0);
	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 10000));
	assert_int_equal(ready_ids(&p, ids, 2), 1);
	assert_int_equal(tk_progs_held(p.pid, "floor_"), 1);
	for (int i = 0; i < 10000; i++)
		syscall(SYS_getppid);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(syscall(SYS_close, -1), -1);
	{
		int fd = bpf_prog_get_fd_by_id(ids[0]);
		__u32 len = sizeof(info);

		assert_true(fd >= 0);
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = 4;
		info.map_ids = (__u64)(unsigned long)map_ids;
		assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
		close(fd);
		assert_string_equal(info.name, "floor_count");
		for (__u32 i = 0; i < info.nr_map_ids && map_fd < 0; i++) {
			struct bpf_map_info mi = {};
			__u32 mlen = sizeof(mi);
			int m = bpf_map_get_fd_by_id(map_ids[i]);

			assert_true(m >= 0);
			if (!bpf_obj_get_info_by_fd(m, &mi, &mlen) && !strcmp(mi.name, "floor_counts"))
				map_fd = m;
			else
				close(m);
		}
	}
	assert_true(map_fd >= 0);
	{
		struct { __u64 count, errors; } v[ncpu];
		__u32 k = SYS_getppid;

		assert_int_equal(bpf_map_lookup_elem(map_fd, &k, v), 0);
		for (int c = 0; c < ncpu; c++)
			ppid += v[c].count, ppid_err += v[c].errors;
		k = SYS_close;
		assert_int_equal(bpf_map_lookup_elem(map_fd, &k, v), 0);
		for (int c = 0; c < ncpu; c++)
			cl += v[c].count, cl_err += v[c].errors;
	}
	close(map_fd);
	print_message("getppid: count %llu (want >= 10000), errors %llu (want 0); close: count %llu, "
		      "errors %llu (want >= 5000)\n", ppid, ppid_err, cl, cl_err);
	assert_true(ppid >= 10000);
	assert_int_equal(ppid_err, 0);
	assert_true(cl_err >= 5000);
	assert_true(cl >= cl_err);
	kill(p.pid, SIGINT);
	assert_int_equal(proc_wait(&p, 10000), 0);
	assert_true(gone(ids[0]));
	proc_cleanup(&p);
}

/* One line on stderr and the exit code; nothing left loaded. */
static void bad(const char *spec, int rc, const char *msg)
{
	char *argv[] = { tkfloor(), "tp_btf:sys_exit", (char *)spec, NULL };
	struct proc p;
	char *err, *nl;

	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 10000), rc);
	err = slurp(p.err);
	assert_non_null(err);
	nl = strchr(err, '\n');
	if (!strstr(err, msg) || !nl || nl[1])
		fail_msg("'%s': stderr '%s', want one line with '%s'", spec, err, msg);
	free(err);
	assert_int_equal(tk_progs_left(), 0);
	proc_cleanup(&p);
}

static void test_bad_specs(void **state)
{
	(void)state;
	bad("kprobe:do_sys_open", 2, "'kprobe:do_sys_open' is not tp:");
	bad("tp:sys_enter_openat", 2, "'tp:sys_enter_openat' is not tp:");
	bad("tp_btf:sys_exit+clock", 2, "'tp_btf:sys_exit+clock' is not");
	bad("raw_tp:", 2, "'raw_tp:' is not");
	bad("tp:syscalls/sys_exit_close+record", 2, "'tp:syscalls/sys_exit_close+record' is not");
	bad("tp:syscalls/sys_enter_openat+fields", 2, "'tp:syscalls/sys_enter_openat+fields' is not");
	bad("tp_btf:sys_enter+count", 2, "'tp_btf:sys_enter+count' is not");
	bad("tp:syscalls/sys_enter_no_such_call", 1, "no such tracepoint");
	bad("tp_btf:no_such_tracepoint", 1, "no btf_trace_no_such_tracepoint");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_sigint),
		cmocka_unit_test(test_attach_sigterm),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_bad_specs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
