/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* proctrace: exec (with argv and result), fork and exit. */
#include "tk.bpf.h"

const volatile bool targ_threads = false; /* --threads: fork of threads too */
/* --include-failed: failed execs too (-x, tk_failed_only: failed only) */
const volatile bool targ_include_failed = false;

/*
 * An exec's record is built at sys_enter (argv is only readable then) and
 * sent at sys_exit (the result and the new comm are only known then), in
 * an entry keyed by the exec'ing task's struct task_struct: a non-leader
 * thread that execs keeps its task_struct although its tid changes (a
 * tid-keyed entry was never found again, and leaked). sys_exit deletes it,
 * and so does the task's exit (proc_exit), in case a sys_exit went unseen:
 * only execs in flight hold an entry.
 *
 * The entries are preallocated. Task local storage did the same job, but
 * every exec allocated its 8.5 KiB value (bpf_mem_alloc refills a cache of
 * such large objects with an irq_work per allocation) and freed it through
 * call_rcu_tasks_trace: ~22 of the ~28 us proc_execve_enter took per run
 * here. A preallocated element costs one copy of the zero template. More
 * than EXEC_INFLIGHT execs between their enter and exit at once (a traced
 * exec stopped by a debugger stays in flight) lose the excess, counted.
 *
 * The record is built packed (include/tk_event.h): fixed part, filename,
 * argv, each at its length, and sent from here as is. The slack lets the
 * verifier prove that every string read at a variable offset (argv starts
 * after a filename of any length) stays inside the value.
 */
struct exec_buf {
	union {
		struct tk_exec_event e;
		char rec[TK_EXEC_MAX];
	};
	char slack[TK_EXEC_ARGS_LEN + 8];
	__u64 filename_ptr, argv_ptr; /* the user pointers, for a re-read */
	__u32 incomplete;             /* a user read failed (page not present) */
	__u32 __pad;
};

#define EXEC_INFLIGHT 512

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXEC_INFLIGHT);
	__type(key, __u64); /* struct task_struct * */
	__type(value, struct exec_buf);
} execs SEC(".maps");

/* A new entry's contents: all zeros (PAD fields included). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_buf);
} exec_zero SEC(".maps");

/* Sets the filename (n bytes read, NUL included, or < 0) and returns
 * where argv starts: right after it. */
static __always_inline char *set_filename(struct exec_buf *b, long n)
{
	__u32 flen;

	if (n <= 0) {
		b->rec[sizeof(b->e)] = 0; /* unreadable: "" */
		n = 1;
	}
	flen = tk_bounded(n, TK_EXEC_FILENAME_LEN);
	b->e.filename_len = flen;
	return b->rec + sizeof(b->e) + flen;
}

/*
 * Reads filename and argv from the caller's memory. A BPF read cannot fault
 * a page in, so strings the process never touched (a literal in an unread
 * .rodata page) fail here; `incomplete` then asks for a second read once the
 * kernel has faulted them in during the exec itself.
 */
static __always_inline void read_user_args(struct exec_buf *b)
{
	const char *const *argv = (const char *const *)b->argv_ptr;
	struct tk_exec_event *e = &b->e;
	__u32 off = 0, o;
	char *args;
	long n;
	int i;

	b->incomplete = 0;
	e->argc = 0;
	e->args_truncated = 0;
	n = bpf_probe_read_user_str(b->rec + sizeof(*e), TK_EXEC_FILENAME_LEN,
				    (const char *)b->filename_ptr);
	if (n < 0)
		b->incomplete = 1;
	args = set_filename(b, n);

	for (i = 0; i < TK_EXEC_MAX_ARGS; i++) {
		const char *arg = NULL;

		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i])) {
			b->incomplete = 1;
			goto done;
		}
		if (!arg)
			goto done;
		if (off >= TK_EXEC_ARGS_LEN) {
			e->args_truncated = 1;
			goto done;
		}
		/* one masked copy feeds both pointer and size, so the
		 * verifier sees off + size <= TK_EXEC_ARGS_LEN + slack */
		o = off;
		barrier_var(o); /* keep clang from proving the mask redundant */
		o &= TK_EXEC_ARGS_LEN - 1;
		n = bpf_probe_read_user_str(&args[o], TK_EXEC_ARGS_LEN - o, arg);
		if (n <= 0) {
			b->incomplete = 1;
			goto done;
		}
		e->argc++;
		off += n;
		/* a string cut at the buffer's end: marked, then stop */
		if (off >= TK_EXEC_ARGS_LEN) {
			e->args_truncated = 1;
			goto done;
		}
	}
	/* All TK_EXEC_MAX_ARGS kept: is there one more? */
	{
		const char *arg = NULL;

		if (!bpf_probe_read_user(&arg, sizeof(arg), &argv[TK_EXEC_MAX_ARGS]) && arg)
			e->args_truncated = 1;
	}
done:
	e->args_size = off;
}

/*
 * Which thread reports a process's exit. The kernel decides it in do_exit()
 * (atomic_dec_and_test(&signal->live): group_dead) and passes it to
 * sched_process_exit on newer kernels (6.18 here): userspace then sets
 * targ_exit_group_dead from the tracepoint's BTF, and the claim below is
 * left out. Older kernels pass the task only, and two threads exiting
 * together can both see signal->live == 0 at the tracepoint (the
 * decrement happens well before it), so the first one claims the tgid in
 * `exited`; a fork that creates that pid again clears it. Those two LRU
 * hash operations were a third of proc_exit's and proc_fork's time.
 */
const volatile bool targ_exit_group_dead = false;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384); /* 1 when unused: set by userspace */
	__type(key, __u32);
	__type(value, __u8);
} exited SEC(".maps");

static __always_inline void exec_enter(const char *filename, const char *const *argv)
{
	__u64 key = (__u64)bpf_get_current_task_btf();
	struct exec_buf *b;
	__u32 zero = 0;
	void *init;

	/* the uid and cgroup survive exec: filter on them before the 8.5 KiB entry */
	if (!tk_want_tgid(bpf_get_current_pid_tgid() >> 32) || !tk_want_current_uid() ||
	    !tk_want_current_cgroup())
		return;
	init = bpf_map_lookup_elem(&exec_zero, &zero);
	if (!init || bpf_map_update_elem(&execs, &key, init, BPF_ANY) ||
	    !(b = bpf_map_lookup_elem(&execs, &key))) {
		tk_count(TK_STAT_LOST); /* no room to build it: a lost exec */
		return;
	}
	b->filename_ptr = (__u64)filename;
	b->argv_ptr = (__u64)argv;
	read_user_args(b);
}

static __always_inline void exec_exit(void *ctx, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 key = (__u64)t;
	struct exec_buf *b = bpf_map_lookup_elem(&execs, &key);
	struct tk_exec_event *e;

	if (!b)
		return;
	e = &b->e;
	if ((ret < 0 ? !targ_include_failed && !tk_failed_only : tk_failed_only) || !tk_want())
		goto out;
	/* a failed exec still faulted its strings in: read them again */
	if (ret < 0 && b->incomplete)
		read_user_args(b);
	tk_fill_hdr(&e->hdr, TK_EV_exec);
	e->ppid = t->real_parent->tgid;
	e->ret = ret;
	tk_output_var(ctx, b->rec,
		      sizeof(*e) + tk_bounded(e->filename_len, TK_EXEC_FILENAME_LEN) +
			      tk_bounded(e->args_size, TK_EXEC_ARGS_LEN),
		      TK_EXEC_MAX);
out:
	bpf_map_delete_elem(&execs, &key);
}

SEC("tp/syscalls/sys_enter_execve")
int proc_execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_enter((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
	return TK_TP_KEEP;
}

SEC("tp/syscalls/sys_enter_execveat")
int proc_execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_enter((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
	return TK_TP_KEEP;
}

SEC("tp/syscalls/sys_exit_execve")
int proc_execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx, ctx->ret);
	return TK_TP_KEEP;
}

SEC("tp/syscalls/sys_exit_execveat")
int proc_execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx, ctx->ret);
	return TK_TP_KEEP;
}

/*
 * Runs once the exec has succeeded, in the new image: if the sys_enter
 * read was incomplete, take filename and argv from the kernel's own
 * copies, bprm->filename and the new stack's argument area.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(proc_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 key = (__u64)p;
	struct exec_buf *b = bpf_map_lookup_elem(&execs, &key);
	struct tk_exec_event *e;
	__u64 start, len;
	char *args;

	if (!b || !b->incomplete)
		return 0;
	e = &b->e;
	args = set_filename(b, bpf_probe_read_kernel_str(b->rec + sizeof(*e), TK_EXEC_FILENAME_LEN,
							 BPF_CORE_READ(bprm, filename)));
	start = BPF_CORE_READ(p, mm, arg_start);
	len = BPF_CORE_READ(p, mm, arg_end) - start;
	e->args_truncated = len > TK_EXEC_ARGS_LEN;
	if (len > TK_EXEC_ARGS_LEN)
		len = TK_EXEC_ARGS_LEN;
	if (!len || bpf_probe_read_user(args, len, (const void *)start)) {
		e->args_size = 0;
		return 0;
	}
	args[(len - 1) & (TK_EXEC_ARGS_LEN - 1)] = 0; /* a cut last argument stays a string */
	e->args_size = len;
	e->argc = BPF_CORE_READ(bprm, argc);
	b->incomplete = 0;
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u32 ctid = BPF_CORE_READ(child, pid);
	struct tk_fork_event *e;

	tk_follow_fork(ptgid, ctgid);
	if (!targ_exit_group_dead && ctid == ctgid)
		bpf_map_delete_elem(&exited, &ctgid); /* a new process: pid reused */
	/* -x: failed calls only, and a fork that happened did not fail */
	if (!tk_event_enabled(TK_EV_fork) || tk_failed_only || (ctid != ctgid && !targ_threads))
		return 0;
	e = tk_begin(sizeof(*e), TK_EV_fork);
	if (!e)
		return 0;
	e->ppid = BPF_CORE_READ(parent, real_parent, tgid);
	e->child_pid = ctgid;
	e->child_tid = ctid;
	e->__pad0 = 0;
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *task)
{
	__u32 code, tgid = BPF_CORE_READ(task, tgid);
	__u64 key = (__u64)task;
	struct tk_exit_event *e;
	__u8 one = 1;

	/* an exec whose sys_exit went unseen; looked up first: a delete takes
	 * the bucket's lock, and almost no exiting task has an entry */
	if (bpf_map_lookup_elem(&execs, &key))
		bpf_map_delete_elem(&execs, &key);
	if (targ_exit_group_dead) {
		if (!ctx[1]) /* group_dead */
			return 0;
	} else if (!tk_group_dead(task) ||
		   bpf_map_update_elem(&exited, &tgid, &one, BPF_NOEXIST)) {
		return 0; /* not the last thread, or another one reported it */
	}
	if (tk_event_enabled(TK_EV_exit) && !tk_failed_only && tk_want()) {
		e = tk_reserve(sizeof(*e));
		if (e) {
			tk_fill_hdr(&e->hdr, TK_EV_exit);
			code = BPF_CORE_READ(task, exit_code);
			e->ppid = BPF_CORE_READ(task, real_parent, tgid);
			e->exit_code = (code >> 8) & 0xff;
			e->signal = code & 0x7f;
			e->core_dumped = !!(code & 0x80);
			e->duration_ns = bpf_ktime_get_ns() -
					 BPF_CORE_READ(task, group_leader, start_time);
			tk_submit(ctx, e, sizeof(*e));
		}
	}
	/* after the event: the follow filter must still see this process */
	tk_follow_exit(tgid);
	return 0;
}
