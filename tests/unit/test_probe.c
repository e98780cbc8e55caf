// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel feature probing (user/tk_probe.c) against fake kernels: a BTF
 * built here with everything the generated tables name except what a test
 * leaves out, and a fake tracefs. The tables are the real ones,
 * generated from the built objects. Last, the real kernel and the real
 * objects: every tool's probe passes here.
 */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "tk.h"
#include "testlib.h"

static const char *const tools[] = { "proctrace", "filetrace", "nettrace", "syscalltrace" };

static bool dropped(const char *name, const char *const *drop)
{
	for (; drop && *drop; drop++)
		if (!strcmp(name, *drop))
			return true;
	return false;
}

/* Adds to enum ename every enumerator the tables name for it, once. */
static void add_enum(struct btf *btf, const char *ename, const char *const *drop)
{
	const struct tk_feature *tables[] = { tk_tool_features, tk_prog_features };
	size_t n = strlen(ename);
	int value = 0;

	assert_true(btf__add_enum(btf, ename, 4) > 0);
	for (int t = 0; t < 2; t++)
		for (const struct tk_feature *f = tables[t]; f->name; f++) {
			const char *v = f->btf + n + 1;
			const struct tk_feature *g;

			if (strncmp(f->btf, ename, n) || f->btf[n] != ':' || dropped(v, drop))
				continue;
			for (g = tables[t]; g != f && strcmp(g->btf, f->btf); g++)
				;
			if (g == f)
				assert_int_equal(btf__add_enum_value(btf, v, value++), 0);
		}
}

/* A kernel BTF with every helper, map type, program type, kfunc and
 * btf_trace_ typedef the tables name, minus drop[]. */
static struct btf *fake_btf(const char *const *drop)
{
	struct btf *btf = btf__new_empty();
	int int_id, proto;
	char name[128];

	assert_non_null(btf);
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	assert_true(int_id > 0);
	add_enum(btf, "bpf_func_id", drop);
	add_enum(btf, "bpf_map_type", drop);
	add_enum(btf, "bpf_prog_type", drop);
	add_enum(btf, "bpf_attach_type", drop);
	proto = btf__add_func_proto(btf, int_id);
	assert_true(proto > 0);
	for (const struct tk_feature *f = tk_tool_features; f->tool; f++)
		if (f->kind == TK_FEAT_KFUNC && !dropped(f->btf, drop) &&
		    btf__find_by_name_kind(btf, f->btf, BTF_KIND_FUNC) < 0)
			assert_true(btf__add_func(btf, f->btf, BTF_FUNC_GLOBAL, proto) > 0);
	for (const struct tk_feature *f = tk_prog_features; f->name; f++) {
		if (f->kind != TK_FEAT_TRACEPOINT || strchr(f->name, '*'))
			continue;
		snprintf(name, sizeof(name), "btf_trace_%s", f->name);
		if (!dropped(name, drop))
			assert_true(btf__add_typedef(btf, name, int_id) > 0);
	}
	return btf;
}

static char events[64];

/* A tracefs events directory with the syscall tracepoints used below. */
static int make_tracefs(void **state)
{
	static const char *const tps[] = { "syscalls", "syscalls/sys_enter_openat",
					   "syscalls/sys_exit_openat", "syscalls/sys_enter_execve" };
	char path[128];

	(void)state;
	strcpy(events, "/tmp/tk_probe_events.XXXXXX");
	if (!mkdtemp(events))
		return -1;
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", events, tps[i]);
		if (mkdir(path, 0755))
			return -1;
	}
	return 0;
}

static int remove_tracefs(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", events);
	return system(cmd);
}

/* tk_probe_check() on a fake kernel; returns its result, msg filled. */
static int check(const char *tool, const char *const *secs, size_t n, bool perfbuf,
		 const char *const *drop, char *msg, size_t len)
{
	struct btf *btf = fake_btf(drop);
	struct tk_kernel k = { .btf = btf, .events = events };
	int rc;

	msg[0] = 0;
	rc = tk_probe_check(tool, secs, n, perfbuf, &k, msg, len);
	btf__free(btf);
	return rc;
}

static const char *const file_secs[] = { "tp/syscalls/sys_enter_openat",
					 "tp/syscalls/sys_exit_openat",
					 "tp_btf/sched_process_fork" };
#define NSECS(a) (sizeof(a) / sizeof((a)[0]))

static void test_release_order(void **state)
{
	(void)state;
	assert_true(tk_linux_cmp("5.8", "5.17") < 0);
	assert_true(tk_linux_cmp("6.2", "5.19") > 0);
	assert_true(tk_linux_cmp("2.6.33", "3.0") < 0);
	assert_true(tk_linux_cmp("4.15", "4.16") < 0);
	assert_int_equal(tk_linux_cmp("5.5", "5.5.0"), 0);
}

/* The generated minimum follows what the objects really use. */
static void test_minimum_from_objects(void **state)
{
	(void)state;
	/* filetrace casts with the bpf_rdonly_cast kfunc (6.2) */
	assert_string_equal(tk_min_linux("filetrace", false), "6.2");
	for (size_t i = 0; i < NSECS(tools); i++) {
		const char *ring = tk_min_linux(tools[i], false);
		const char *perf = tk_min_linux(tools[i], true);

		assert_non_null(ring);
		assert_non_null(perf);
		/* every tool's ring-buffer path needs the ring buffer (5.8) */
		assert_true(tk_linux_cmp(ring, "5.8") >= 0);
		assert_true(tk_linux_cmp(perf, ring) <= 0);
	}
	assert_null(tk_min_linux("notatool", false));
}

static void test_full_kernel_passes(void **state)
{
	char msg[256];

	(void)state;
	for (size_t i = 0; i < NSECS(tools); i++) {
		assert_int_equal(check(tools[i], file_secs, NSECS(file_secs), false, NULL, msg,
				       sizeof(msg)), 0);
		assert_int_equal(check(tools[i], file_secs, NSECS(file_secs), true, NULL, msg,
				       sizeof(msg)), 0);
	}
}

static void test_missing_helper_named(void **state)
{
	static const char *const no_loop[] = { "BPF_FUNC_loop", NULL };
	static const char *const no_two[] = { "BPF_FUNC_loop", "bpf_rdonly_cast", NULL };
	char msg[256];

	(void)state;
	assert_int_equal(check("filetrace", file_secs, NSECS(file_secs), false, no_loop, msg,
			       sizeof(msg)), -1);
	assert_string_equal(msg, "this kernel lacks bpf_loop (Linux 5.17); filetrace needs "
				 "Linux 6.2 or later");
	/* the newest missing one is named */
	assert_int_equal(check("filetrace", file_secs, NSECS(file_secs), true, no_two, msg,
			       sizeof(msg)), -1);
	assert_string_equal(msg, "this kernel lacks bpf_rdonly_cast (Linux 6.2) and 1 more; "
				 "filetrace needs Linux 6.2 or later");
}

/* A kernel before 5.8: no ring buffer, no bpf_ktime_get_boot_ns. */
static void test_perfbuf_needs_no_ring_buffer(void **state)
{
	static const char *const pre58[] = {
		"BPF_MAP_TYPE_RINGBUF", "BPF_FUNC_ringbuf_output", "BPF_FUNC_ringbuf_reserve",
		"BPF_FUNC_ringbuf_submit", "BPF_FUNC_ringbuf_discard", "BPF_FUNC_ringbuf_query",
		"BPF_FUNC_ktime_get_boot_ns", NULL
	};
	static const char *const secs[] = { "tp/syscalls/sys_enter_execve",
					    "tp_btf/sched_process_exec" };
	char msg[256], want[256];
	struct btf *btf;

	(void)state;
	for (size_t i = 0; i < NSECS(tools); i++) {
		/* --perfbuf needs none of it, in any tool */
		if (check(tools[i], secs, NSECS(secs), true, pre58, msg, sizeof(msg)))
			fail_msg("%s --perfbuf: %s", tools[i], msg);
		assert_int_equal(check(tools[i], secs, NSECS(secs), false, pre58, msg,
				       sizeof(msg)), -1);
		assert_non_null(strstr(msg, "(Linux 5.8)"));
		snprintf(want, sizeof(want), "; %s needs Linux %s or later", tools[i],
			 tk_min_linux(tools[i], false));
		assert_non_null(strstr(msg, want));
	}
	/* and its records' clock is the monotonic one (tk_ktime_ns()) */
	btf = fake_btf(pre58);
	assert_int_equal(tk_event_clock(btf), CLOCK_MONOTONIC);
	btf__free(btf);
	btf = fake_btf(NULL);
	assert_int_equal(tk_event_clock(btf), CLOCK_BOOTTIME);
	btf__free(btf);
}

static void test_tracepoints_of_loaded_programs(void **state)
{
	static const char *const with_openat2[] = { "tp/syscalls/sys_enter_openat",
						    "tp/syscalls/sys_enter_openat2" };
	static const char *const net[] = { "tp_btf/inet_sock_set_state" };
	static const char *const no_tp[] = { "btf_trace_inet_sock_set_state", NULL };
	static const char *const no_tp_btf[] = { "BPF_TRACE_RAW_TP", NULL };
	char msg[256], want[256];

	(void)state;
	/* the fake tracefs has no sys_enter_openat2: only a loaded program needs it */
	assert_int_equal(check("filetrace", with_openat2, 1, false, NULL, msg, sizeof(msg)), 0);
	assert_int_equal(check("filetrace", with_openat2, 2, false, NULL, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "this kernel lacks tracepoint syscalls/sys_enter_openat2 "
				 "(Linux 5.6); filetrace needs Linux 6.2 or later");
	assert_int_equal(check("nettrace", net, 1, false, no_tp, msg, sizeof(msg)), -1);
	snprintf(want, sizeof(want), "this kernel lacks tracepoint inet_sock_set_state "
		 "(Linux 4.16); nettrace needs Linux %s or later", tk_min_linux("nettrace", false));
	assert_string_equal(msg, want);
	assert_int_equal(check("nettrace", net, 1, false, no_tp_btf, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "lacks tp_btf programs (Linux 5.5)"));
}

/* proctrace's object against the fake kernel, whose tracefs has
 * sys_enter_execve but not sys_exit_execve: tk_probe_optional() with the
 * given tool description. Returns its result; *enter_loads, *exit_loads:
 * whether proc_exec_enter (SEC sys_enter_execve) and proc_exec_exit (SEC
 * sys_exit_execve) still load. */
static int optional(const char *optional_progs, const char *event_progs, bool *enter_loads,
		    bool *exit_loads)
{
	const struct tk_tool_event evs[] = { { "exec", TK_EV_exec, true, event_progs }, { NULL } };
	const struct tk_tool tool = { .name = "proctrace", .events = evs,
				      .optional_progs = optional_progs };
	static struct tk_env env; /* events_mask is 8 KiB */
	struct bpf_object *o = bpf_object__open_file(tl_path("build/proctrace.bpf.o"), NULL);
	struct btf *btf = fake_btf(NULL);
	struct tk_kernel k = { .btf = btf, .events = events };
	struct bpf_program *enter, *exit_;
	struct tk_bpf b;
	int rc;

	assert_non_null(o);
	enter = bpf_object__find_program_by_name(o, "proc_exec_enter");
	exit_ = bpf_object__find_program_by_name(o, "proc_exec_exit");
	assert_non_null(enter);
	assert_non_null(exit_);
	memset(&env, 0, sizeof(env));
	env.tool = &tool;
	tk_event_select(&env, TK_EV_exec, true);
	b = (struct tk_bpf){ .obj = o };
	rc = tk_probe_optional(&env, &b, &k);
	*enter_loads = bpf_program__autoload(enter);
	*exit_loads = bpf_program__autoload(exit_);
	bpf_object__close(o);
	btf__free(btf);
	return rc;
}

/* An optional program whose tracepoint is missing is left out, a required
 * one is left for tk_probe_check() to name; an event left with no program,
 * or an optional entry that names none, is an error. */
static void test_optional_programs(void **state)
{
	bool enter, exit_;

	(void)state;
	assert_int_equal(optional("proc_exec_*", "proc_exec_enter,proc_exec_exit", &enter, &exit_),
			 0);
	assert_true(enter);  /* optional, its tracepoint is there */
	assert_false(exit_); /* optional, no sys_exit_execve here */
	assert_int_equal(optional("proc_exec_enter", "proc_exec_enter,proc_exec_exit", &enter,
				  &exit_), 0);
	assert_true(enter);
	assert_true(exit_);  /* missing too, but required */
	assert_int_equal(optional(NULL, "proc_exec_exit", &enter, &exit_), 0);
	assert_true(exit_);  /* nothing optional: nothing left out */
	assert_int_equal(optional("proc_exec_exit", "proc_exec_exit", &enter, &exit_), 1);
	assert_false(exit_); /* the event's only program, left out: an error */
	assert_int_equal(optional("proc_exec_exit,file_nosuch_*", "proc_exec_enter", &enter, &exit_),
			 1);
}

static void test_unknown_tool(void **state)
{
	char msg[256];

	(void)state;
	assert_int_equal(check("notatool", file_secs, 1, false, NULL, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "no kernel feature table for notatool (a build error)");
}

/* The running kernel has everything every tool's programs need. */
static void test_this_kernel_passes(void **state)
{
	struct tk_kernel k = { .events = "/sys/kernel/tracing/events" };
	struct stat st;
	char msg[256], obj[64];

	(void)state;
	NEED_ROOT(); /* tracefs is root's */
	if (stat(k.events, &st))
		skip();
	k.btf = btf__load_vmlinux_btf();
	assert_non_null(k.btf);
	for (size_t i = 0; i < NSECS(tools); i++) {
		const char *secs[128];
		struct bpf_object *o;
		struct bpf_program *p;
		size_t n = 0;

		snprintf(obj, sizeof(obj), "build/%s.bpf.o", tools[i]);
		o = bpf_object__open_file(tl_path(obj), NULL);
		assert_non_null(o);
		bpf_object__for_each_program(p, o) {
			assert_true(n < NSECS(secs));
			secs[n++] = bpf_program__section_name(p);
		}
		assert_true(n > 0);
		for (int perfbuf = 0; perfbuf < 2; perfbuf++)
			if (tk_probe_check(tools[i], secs, n, perfbuf, &k, msg, sizeof(msg)))
				fail_msg("%s%s: %s", tools[i], perfbuf ? " --perfbuf" : "", msg);
		bpf_object__close(o);
	}
	assert_int_equal(tk_event_clock(k.btf), CLOCK_BOOTTIME);
	btf__free((struct btf *)k.btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_order),
		cmocka_unit_test(test_minimum_from_objects),
		cmocka_unit_test(test_full_kernel_passes),
		cmocka_unit_test(test_missing_helper_named),
		cmocka_unit_test(test_perfbuf_needs_no_ring_buffer),
		cmocka_unit_test(test_tracepoints_of_loaded_programs),
		cmocka_unit_test(test_optional_programs),
		cmocka_unit_test(test_unknown_tool),
		cmocka_unit_test(test_this_kernel_passes),
	};

	return cmocka_run_group_tests(tests, make_tracefs, remove_tracefs);
}
