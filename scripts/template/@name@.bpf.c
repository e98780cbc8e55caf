/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* @name@: every exec (from `make new-tool`; docs/new-tool.md). */
#include "tk.bpf.h"

SEC("tp_btf/sched_process_exec")
int BPF_PROG(@name@_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct tk_@name@_exec_event *e = tk_begin(sizeof(*e), TK_EV_@name@_exec);

	if (!e)
		return 0;
	e->old_tid = old_pid;
	e->__pad0 = 0;
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

TK_FOLLOW_PROGRAMS(@name@)
