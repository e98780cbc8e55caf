// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* proctrace: trace process exec, fork and exit. */
#include "tk.h"
#include "proctrace.skel.h"

enum { OPT_THREADS = 256 };

static bool opt_failed, opt_threads;

static const struct tk_tool_event events[] = {
	{ "exec", TK_EV_exec, true,
	  "proc_execve_enter,proc_execveat_enter,proc_execve_exit,"
	  "proc_execveat_exit,proc_sched_exec" },
	{ "fork", TK_EV_fork, true, NULL },  /* its program also follows forks */
	{ "exit", TK_EV_exit, true, NULL },
	{ NULL },
};

static const struct tk_tool_opt opts[] = {
	{ "failed", 'x', NULL, "include failed execs (ret is -errno)" },
	{ "threads", OPT_THREADS, NULL, "report thread creation as fork events too" },
	{ NULL },
};

static int parse_opt(int key, const char *arg)
{
	(void)arg;
	if (key == 'x')
		opt_failed = true;
	else if (key == OPT_THREADS)
		opt_threads = true;
	else
		return -1;
	return 0;
}

static const struct tk_tool tool = {
	.name = "proctrace",
	.summary = "Trace process exec (with argv), fork and exit.",
	.examples = "  proctrace                         # every exec, fork and exit\n"
		    "  proctrace -e exec -x              # execs, failed ones too\n"
		    "  proctrace -j -- make -j2          # run make, trace its tree as JSON\n"
		    "  proctrace -c bash -e fork,exit    # what bash shells spawn and reap\n",
	.events = events,
	.opts = opts,
	.parse_opt = parse_opt,
};

int main(int argc, char **argv)
{
	struct proctrace_bpf *skel = NULL;
	struct tk_env env;
	int rc = tk_init(&tool, argc, argv, &env);

	if (rc)
		return rc;
	skel = proctrace_bpf__open();
	if (!skel) {
		rc = tk_fail("cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	TK_APPLY_RODATA(skel, &env);
	skel->rodata->targ_failed = opt_failed;
	skel->rodata->targ_threads = opt_threads;
	rc = tk_run(&env, TK_BPF(skel));
cleanup:
	proctrace_bpf__destroy(skel);
	return rc;
}
