/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* proctrace: exec (with argv and result), fork and exit. */
#include "tk.bpf.h"

const volatile bool targ_threads = false; /* --threads: fork of threads too */
/* --include-failed: failed execs too (-x, tk_failed_only: failed only) */
const volatile bool targ_include_failed = false;

/*
 * An exec's record is built at sys_enter (argv is only readable then) and
 * sent at sys_exit (the result and the new comm are only known then), in
 * a slot of `exec_slots` that `execs` assigns to the exec'ing task's
 * struct task_struct: a non-leader thread that execs keeps its
 * task_struct although its tid changes (a tid-keyed entry was never found
 * again, and leaked). sys_exit releases it, and so does the task's exit
 * (proc_exit), in case a sys_exit went unseen: only execs in flight hold
 * a slot.
 *
 * Why a slot array beside a hash of slot numbers, not the 8.5 KiB record
 * as the hash's value: a hash update copies its whole value in, and a
 * fresh record must not carry the last exec's bytes, so every exec copied
 * a zeroed 8.5 KiB template into the element (most of proc_exec_enter's
 * time). A slot is never cleared: the record is sent at its lengths, and
 * every byte inside them and every fixed field is written for this exec
 * (read_user_args, exec_exit), so nothing of an earlier exec is sent.
 * (Task local storage did the same job before: every exec allocated its
 * value through bpf_mem_alloc and freed it through call_rcu_tasks_trace,
 * ~22 of the ~28 us proc_exec_enter took per run here.) More than
 * EXEC_INFLIGHT execs between their enter and exit at once (a traced exec
 * stopped by a debugger stays in flight) lose the excess, counted.
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
	__u64 owner;                  /* the task holding the slot; 0: free */
	__u32 incomplete;             /* a user read failed (page not present) */
	__u32 slot;                   /* its own index, for exec_free_hint */
};

#define EXEC_INFLIGHT 512 /* a power of 2: slot numbers are masked */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EXEC_INFLIGHT);
	__type(key, __u32);
	__type(value, struct exec_buf);
} exec_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXEC_INFLIGHT);
	__type(key, __u64);   /* struct task_struct * */
	__type(value, __u32); /* its slot in exec_slots */
} execs SEC(".maps");

/* Where the next claim starts looking: the slot freed last, whose cache
 * lines (and TLB entry: the array is vmalloc'ed) are the likeliest to be
 * still warm. Taking slots in turn instead cost a cold slot per exec,
 * ~30% of proc_exec_enter's time. A plain load and store: the
 * compare-and-swap decides, the hint only saves a search. */
__u32 exec_free_hint = 0;

/*
 * A free slot for task `key`, taken by compare-and-swap of its owner (two
 * CPUs can try the same one), or -1 when all EXEC_INFLIGHT are held. A
 * global function: verified once, not once per caller's path.
 */
__noinline int exec_claim(__u64 key)
{
	__u32 start = exec_free_hint, idx;
	struct exec_buf *b;

	if (!key)
		return -1;
	for (__u32 i = 0; i < EXEC_INFLIGHT; i++) {
		idx = (start + i) & (EXEC_INFLIGHT - 1);
		b = bpf_map_lookup_elem(&exec_slots, &idx);
		if (!b)
			return -1;
		if (!b->owner && __sync_val_compare_and_swap(&b->owner, 0, key) == 0)
			return idx;
	}
	return -1;
}

/* The slot of task `key`, or NULL. */
static __always_inline struct exec_buf *exec_find(__u64 key)
{
	__u32 *idx = bpf_map_lookup_elem(&execs, &key);
	struct exec_buf *b;

	if (!idx)
		return NULL;
	b = bpf_map_lookup_elem(&exec_slots, idx);
	return b && b->owner == key ? b : NULL;
}

/* Frees task key's slot b. A compare-and-swap, as the claim: fully
 * ordered after every read of the record before it, and the one atomic
 * instruction proctrace uses (Linux 5.12; README's kernel table). */
static __always_inline void exec_free(struct exec_buf *b, __u64 key)
{
	__sync_val_compare_and_swap(&b->owner, key, 0);
}

/* Ends task key's exec: its entry deleted, then its slot freed. */
static __always_inline void exec_release(__u64 key, struct exec_buf *b)
{
	bpf_map_delete_elem(&execs, &key);
	if (b) {
		exec_free(b, key);
		exec_free_hint = b->slot;
	}
}

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
	/* the same address as bpf_get_current_task_btf()'s, as a scalar:
	 * what exec_claim(), a global function, can take */
	__u64 key = bpf_get_current_task();
	struct exec_buf *b, *old;
	__u32 idx;
	int slot;

	/* the uid and cgroup survive exec: filter on them before taking a slot */
	if (!tk_want_tgid(bpf_get_current_pid_tgid() >> 32) || !tk_want_current_uid() ||
	    !tk_want_current_cgroup())
		return;
	slot = exec_claim(key);
	if (slot < 0)
		goto lost;
	idx = slot;
	b = bpf_map_lookup_elem(&exec_slots, &idx);
	if (!b)
		goto lost; /* cannot happen: idx < EXEC_INFLIGHT */
	if (bpf_map_update_elem(&execs, &key, &idx, BPF_NOEXIST)) {
		/* the task holds a slot already: an exec whose sys_exit went
		 * unseen (the tracer attached in between). Freed, replaced. */
		old = exec_find(key);
		if (old)
			exec_free(old, key);
		if (bpf_map_update_elem(&execs, &key, &idx, BPF_ANY)) {
			exec_free(b, key);
			goto lost;
		}
	}
	b->slot = idx;
	b->filename_ptr = (__u64)filename;
	b->argv_ptr = (__u64)argv;
	read_user_args(b);
	return;
lost:
	tk_count(TK_STAT_LOST); /* no room to build it: a lost exec */
}

static __always_inline void exec_exit(void *ctx, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 key = (__u64)t;
	struct exec_buf *b = exec_find(key);
	struct tk_exec_event *e;

	if (!b) {
		bpf_map_delete_elem(&execs, &key); /* none, or a stale one */
		return;
	}
	e = &b->e;
	if ((ret < 0 ? !targ_include_failed && !tk_failed_only : tk_failed_only) ||
	    !tk_want_current_task(t))
		goto out;
	/* a failed exec still faulted its strings in: read them again */
	if (ret < 0 && b->incomplete)
		read_user_args(b);
	tk_fill_hdr_task(&e->hdr, TK_EV_exec, t, tk_task_cgroup_id(t));
	e->ppid = t->real_parent->tgid;
	e->ret = ret;
	tk_output_var(ctx, b->rec,
		      sizeof(*e) + tk_bounded(e->filename_len, TK_EXEC_FILENAME_LEN) +
			      tk_bounded(e->args_size, TK_EXEC_ARGS_LEN),
		      TK_EXEC_MAX);
out:
	exec_release(key, b);
}

/*
 * One program for both exec calls, attached by the runtime at each one's
 * tracepoints (user/proctrace.c): verified once, not twice (each took
 * ~33 ms to load on an AMD EPYC VM, a tenth of `tracekit trace`'s start).
 * Every sys_enter_* record has one layout (trace_event_raw_sys_enter: the
 * syscall number, then the arguments), and execve's, the shorter, holds
 * three: args[2] is the most read, so the kernel attaches it at either.
 * The number tells them apart: execveat(dirfd, filename, argv, ...).
 */
const volatile __u32 targ_nr_execveat = ~0U;

SEC("tp/syscalls/sys_enter_execve")
int proc_exec_enter(struct trace_event_raw_sys_enter *ctx)
{
	/* each read at a constant offset: the verifier refuses a context
	 * access at a computed one */
	__u64 a0 = ctx->args[0], a1 = ctx->args[1], a2 = ctx->args[2];

	barrier_var(a0);
	barrier_var(a1);
	barrier_var(a2);
	/* the record's number is an int, and the 4 bytes after it (the
	 * struct's `long id`) are padding the kernel does not write: only
	 * the low 32 bits are the number */
	__u32 nr = (__u32)ctx->id;

	/* one call: exec_enter is inlined, and verified, once */
	if (nr == targ_nr_execveat) {
		a0 = a1;
		a1 = a2;
	}
	exec_enter((const char *)a0, (const char *const *)a1);
	return TK_TP_KEEP;
}

SEC("tp/syscalls/sys_exit_execve")
int proc_exec_exit(struct trace_event_raw_sys_exit *ctx)
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
	struct exec_buf *b = exec_find((__u64)p);
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

/*
 * sched_process_fork and sched_process_exit run in the task they report
 * (the forking parent, the exiting task): the header is filled from the
 * BTF task pointer the tracepoint passes, and its fields are read by
 * direct loads, not BPF_CORE_READ()'s helper call per pointer (~100 ns
 * each here). bpf_stats, --wakeup batch: proc_fork 1034 -> 541 ns/run,
 * proc_exit 1492 -> 917 (3 interleaved rounds, medians).
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid;
	__u32 ctgid = child->tgid;
	__u32 ctid = child->pid;
	struct tk_fork_event *e;

	tk_follow_fork(ptgid, ctgid);
	if (!targ_exit_group_dead && ctid == ctgid)
		bpf_map_delete_elem(&exited, &ctgid); /* a new process: pid reused */
	/* -x: failed calls only, and a fork that happened did not fail */
	if (!tk_event_enabled(TK_EV_fork) || tk_failed_only || (ctid != ctgid && !targ_threads) ||
	    !tk_want_current_task(parent))
		return 0;
	e = tk_reserve(sizeof(*e));
	if (!e)
		return 0;
	tk_fill_hdr_task(&e->hdr, TK_EV_fork, parent, tk_task_cgroup_id(parent));
	e->ppid = parent->real_parent->tgid;
	e->child_pid = ctgid;
	e->child_tid = ctid;
	e->__pad0 = 0;
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *task)
{
	__u32 code, tgid = task->tgid;
	__u64 key = (__u64)task;
	struct tk_exit_event *e;
	__u8 one = 1;

	/* an exec whose sys_exit went unseen; looked up first: a delete takes
	 * the bucket's lock, and almost no exiting task has an entry */
	if (bpf_map_lookup_elem(&execs, &key))
		exec_release(key, exec_find(key));
	if (targ_exit_group_dead) {
		if (!ctx[1]) /* group_dead */
			return 0;
	} else if (!tk_group_dead(task) ||
		   bpf_map_update_elem(&exited, &tgid, &one, BPF_NOEXIST)) {
		return 0; /* not the last thread, or another one reported it */
	}
	if (tk_event_enabled(TK_EV_exit) && !tk_failed_only && tk_want_current_task(task)) {
		e = tk_reserve(sizeof(*e));
		if (e) {
			tk_fill_hdr_task(&e->hdr, TK_EV_exit, task, tk_task_cgroup_id(task));
			code = task->exit_code;
			e->ppid = task->real_parent->tgid;
			e->exit_code = (code >> 8) & 0xff;
			e->signal = code & 0x7f;
			e->core_dumped = !!(code & 0x80);
			e->duration_ns = bpf_ktime_get_ns() - task->group_leader->start_time;
			tk_submit(ctx, e, sizeof(*e));
		}
	}
	/* after the event: the follow filter must still see this process */
	tk_follow_exit(tgid);
	return 0;
}
