/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* sigtrace: signals generated (sender -> target) and delivered. */
#include "tk.bpf.h"

const volatile __u32 targ_target = 0; /* --target: the target's tgid; 0 = any */

/* info may be SEND_SIG_NOINFO (0: from user space: SI_USER) or SEND_SIG_PRIV
 * (1: the kernel: SI_KERNEL), as the tracepoint's TP_STORE_SIGINFO shows them */
static __always_inline __s32 si_code(struct kernel_siginfo *info)
{
	return (unsigned long)info <= 1 ? (info ? 0x80 : 0) : BPF_CORE_READ(info, si_code);
}

/* -p/-u/-c and the command's tree select the header's task: the sender of
 * a generated signal, the receiver of a delivered one. */
SEC("tp_btf/signal_generate")
int BPF_PROG(sig_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct tk_sig_generate_event *e;

	if (targ_target && task->tgid != targ_target)
		return 0;
	e = tk_begin(sizeof(*e), TK_EV_sig_generate);
	if (!e)
		return 0;
	e->target_pid = task->tgid;
	e->target_tid = task->pid;
	__builtin_memcpy(e->target_comm, task->comm, sizeof(e->target_comm));
	e->sig = sig;
	e->code = si_code(info);
	e->result = result;
	e->group = group != 0;
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(sig_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct tk_sig_deliver_event *e;

	if (targ_target && bpf_get_current_pid_tgid() >> 32 != targ_target)
		return 0;
	e = tk_begin(sizeof(*e), TK_EV_sig_deliver);
	if (!e)
		return 0;
	e->sig = sig;
	e->code = si_code(info);
	e->handler = (unsigned long)ka->sa.sa_handler;
	e->sa_flags = ka->sa.sa_flags;
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

TK_FOLLOW_PROGRAMS(sig)
