// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* proctrace: trace process exec, fork and exit. */
#include <sys/syscall.h>
#include <bpf/btf.h>
#include "tk.h"
#include "proctrace.skel.h"

enum { OPT_THREADS = 256, OPT_INCLUDE_FAILED };

static bool opt_failed, opt_include_failed, opt_threads;

static const struct tk_tool_event events[] = {
	/* one enter and one exit program for both calls (bpf/proctrace.bpf.c) */
	{ "exec", TK_EV_exec, true,
	  "proc_exec_enter@syscalls/sys_enter_execve,proc_exec_enter@syscalls/sys_enter_execveat,"
	  "proc_exec_exit@syscalls/sys_exit_execve,proc_exec_exit@syscalls/sys_exit_execveat,"
	  "proc_sched_exec" },
	{ "fork", TK_EV_fork, true, NULL },  /* its program also follows forks */
	{ "exit", TK_EV_exit, true, NULL },
	{ NULL },
};

static const struct tk_tool_opt opts[] = {
	{ "failed", 'x', NULL, "failed execs only (ret is -errno); no fork or exit" },
	{ "include-failed", OPT_INCLUDE_FAILED, NULL, "failed execs too, beside the successful ones" },
	{ "threads", OPT_THREADS, NULL, "report thread creation as fork events too" },
	{ NULL },
};

static int parse_opt(int key, const char *arg)
{
	(void)arg;
	if (key == 'x')
		opt_failed = true;
	else if (key == OPT_INCLUDE_FAILED)
		opt_include_failed = true;
	else if (key == OPT_THREADS)
		opt_threads = true;
	else
		return -1;
	return 0;
}

static int check_args(const struct tk_env *env)
{
	(void)env;
	if (opt_failed && opt_include_failed)
		return tk_usage_error("-x (failed execs only) and --include-failed exclude each other");
	return 0;
}

static const struct tk_tool tool = {
	.name = "proctrace",
	.summary = "Trace process exec (with argv), fork and exit.",
	.examples = "  proctrace                         # every exec, fork and exit\n"
		    "  proctrace -x                      # failed execs only (ENOENT, EACCES, ...)\n"
		    "  proctrace -e exec --include-failed  # execs, failed ones too\n"
		    "  proctrace -j -- make -j2          # run make, trace its tree as JSON\n"
		    "  proctrace -c bash -e fork,exit    # what bash shells spawn and reap\n",
	.events = events,
	.opts = opts,
	.parse_opt = parse_opt,
	.check_args = check_args,
};

/* Whether sched_process_exit passes group_dead after the task (its BTF
 * prototype: void *, struct task_struct *, bool): see proc_exit. Each
 * argument's type is checked, not just their count, so a kernel that puts
 * something else third keeps the older, claim-based path. */
static bool exit_passes_group_dead(void)
{
	const struct btf *btf = tk_vmlinux_btf(); /* the runtime's, parsed once */
	const struct btf_type *t = NULL, *task = NULL, *flag = NULL;
	const struct btf_param *p;
	bool yes = false;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	if (id > 0)
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type); /* the pointer */
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);
	if (t && btf_is_func_proto(t) && btf_vlen(t) == 3) {
		p = btf_params(t);
		task = btf__type_by_id(btf, btf__resolve_type(btf, p[1].type));
		if (task && btf_is_ptr(task))
			task = btf__type_by_id(btf, btf__resolve_type(btf, task->type));
		flag = btf__type_by_id(btf, btf__resolve_type(btf, p[2].type));
		yes = task && btf_is_struct(task) &&
		      !strcmp(btf__name_by_offset(btf, task->name_off), "task_struct") &&
		      flag && btf_is_int(flag) && (btf_int_encoding(flag) & BTF_INT_BOOL);
	}
	return yes;
}

static int setup(struct proctrace_bpf *skel, struct tk_env *env, struct tk_hooks *hooks)
{
	(void)env;
	(void)hooks;
	if (exit_passes_group_dead()) {
		skel->rodata->targ_exit_group_dead = true;
		bpf_map__set_max_entries(skel->maps.exited, 1); /* never used */
	}
	skel->rodata->targ_nr_execveat = SYS_execveat; /* this architecture's number */
	skel->rodata->tk_failed_only = opt_failed;
	skel->rodata->targ_include_failed = opt_include_failed;
	skel->rodata->targ_threads = opt_threads;
	return 0;
}

TK_TOOL_MAIN(proctrace, &tool, setup)
