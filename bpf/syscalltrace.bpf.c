/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscalltrace: every syscall, from raw_syscalls sys_enter/sys_exit.
 *
 * sys_enter keeps (start time, nr, args) of the call in flight; sys_exit
 * either sends one record per completed call (stream mode) or adds the
 * call to per-CPU statistics (summary mode), so a summary costs no ring
 * buffer traffic at all.
 *
 * Where the call in flight is kept: in a per-CPU slot, because a CPU runs
 * one task at a time and most calls return without leaving it; the slot
 * is an inlined array lookup, where task storage costs a helper call with
 * locking at both ends (~60 ns per call on the reference VM, measured with
 * bpf_stats). Only when a task is switched out inside a call does
 * sys_sched_switch move its slot into task-local storage, where sys_exit
 * finds it wherever the task resumes. Task storage rather than a
 * tid-keyed hash: entries die with their task (exit_group never reaches
 * sys_exit) and follow it when a non-leader thread's execve changes its tid.
 *
 * Who is calling: the same per-CPU slot also remembers the pid_tgid of the
 * last task seen on the CPU, keyed by that task's pt_regs (sys_current_id()),
 * so a task making call after call pays no helper call to be filtered and
 * keyed. A program's first helper call costs ~22 ns per run on the
 * reference VM, a second ~4 (bpf_stats); without it `-s --no-latency`
 * calls no helper at all.
 */
#include "tk.bpf.h"

/* ---- settings (rodata, filled by user/syscalltrace.c before load) ------ */
const volatile bool targ_summary = false;
const volatile bool targ_per_process = false;
const volatile bool targ_per_cgroup = false;
/* -P or --per-cgroup: sys_pstats, not sys_stats (one load on the hot path) */
const volatile bool targ_keyed = false;
const volatile bool targ_no_latency = false;  /* --no-latency: sys_exit only */
const volatile bool targ_filter_nr = false;           /* -e */
const volatile __u64 targ_nr_bitmap[TK_SYS_NR_SLOTS / 64] = {};
const volatile __u64 targ_min_ns = 0;                 /* --min-duration */
/*
 * Per syscall: low nibble = 1 + index of its path argument, high nibble =
 * 1 + index of its fd argument, 0 = none. Userspace derives them from the
 * running kernel's syscall signatures (tracefs formats); one byte so the
 * hot path pays a single load.
 */
const volatile __u8 targ_arg_kinds[TK_SYS_NR_SLOTS] = {};
/* Syscalls that never return (counted at entry) and the exec family
 * (path read at entry: the caller's memory is gone at a successful exit). */
const volatile __u32 targ_nr_exit = ~0U, targ_nr_exit_group = ~0U;
const volatile __u32 targ_nr_execve = ~0U, targ_nr_execveat = ~0U;

/* Bumped by userspace at each -i interval: max_ns restarts per interval. */
__u32 sys_epoch = 0;

/* Task exits so far (sys_follow_exit): what sys_current_id() is valid for. */
__u64 sys_exits = 0;

/* ---- maps ------------------------------------------------------------------ */
struct sys_start {
	__u64 ts;        /* boot ns (stream) or mono ns (summary) at entry */
	__u64 owner;     /* pid_tgid of the caller at entry */
	__u64 regs;      /* its pt_regs: the same address at sys_exit */
	__u64 exits;     /* sys_exits when owner was read: see sys_current_id() */
	__u64 cgroup_id; /* at entry (stream, --per-cgroup): see sys_call_enter */
	__u64 args[6];
	__u32 nr;
	__u32 active;    /* entered under tracing and not yet exited */
	char path[TK_SYS_PATH_LEN]; /* exec family only */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sys_start);
} sys_cur SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_start);
} sys_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TK_SYS_NR_SLOTS);
	__type(key, __u32);
	__type(value, struct tk_sys_stat);
} sys_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384); /* userspace shrinks it to 1 unless -P or --per-cgroup */
	__type(key, struct tk_sys_pkey);
	__type(value, struct tk_sys_pstat);
} sys_pstats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TK_SYS_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} sys_counters SEC(".maps");

/*
 * Command mode's fork and exit; the exit also counts every task's exit for
 * sys_current_id(), atomically: a lost update could step the count back to
 * a value an entry of a task that is gone was tagged with.
 */
TK_FOLLOW_PROGRAMS_AND(sys, __sync_fetch_and_add(&sys_exits, 1))

/* ---- helpers ------------------------------------------------------------------ */
static __always_inline void sys_count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&sys_counters, &which);

	if (v)
		*v += 1;
}

static __always_inline __u32 nr_slot(__u32 nr)
{
	return nr < TK_SYS_NR_SLOTS ? nr : TK_SYS_NR_OTHER;
}

/* Indexes into the rodata tables are masked where they are used: clang
 * may re-derive them from the unbounded syscall number otherwise. */
static __always_inline __u8 arg_kinds(__u32 slot)
{
	barrier_var(slot);
	return targ_arg_kinds[slot & (TK_SYS_NR_SLOTS - 1)];
}

static __always_inline bool nr_selected(__u32 slot)
{
	barrier_var(slot);
	slot &= TK_SYS_NR_SLOTS - 1;
	return targ_nr_bitmap[slot / 64] & (1ULL << (slot % 64));
}

static __always_inline bool is_error(long ret)
{
	return ret < 0 && ret >= -4095; /* MAX_ERRNO */
}

/*
 * A 32-bit task's numbers are another table's: not traced, but counted.
 * Told by the code segment it trapped from (user_64bit_mode()), which the
 * registers already hold; TS_COMPAT would need the task (a helper call),
 * and differs only for int $0x80 issued from 64-bit code.
 */
static __always_inline bool is_compat(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->cs != 0x33; /* __USER_CS */
#else
	return false;
#endif
}

static __always_inline __u64 sys_arg6(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->r9;
#elif defined(__TARGET_ARCH_arm64)
	return regs->regs[5];
#else
#error "syscalltrace: add the sixth syscall argument register of this architecture"
#endif
}

/* The syscall number at sys_exit (syscall_get_nr()). */
static __always_inline long sys_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return regs->syscallno;
#endif
}

/* pid_tgid of a task from a trusted BTF pointer: plain loads (BPF_CORE_READ
 * would make two probe-read helper calls). Not for current: this kernel's
 * JIT still calls bpf_get_current_task_btf(), so the pid_tgid helper, one
 * call, is as cheap there. */
static __always_inline __u64 task_pid_tgid(struct task_struct *t)
{
	return (__u64)t->tgid << 32 | (__u32)t->pid;
}

/*
 * pid_tgid of current, from the slot s while it is the task last seen on
 * this CPU. pt_regs sit at the top of each task's kernel stack: two live
 * tasks never share the address, but a task that exited may leave its
 * stack to a new one, so an entry is good only while no task has exited
 * since it was made (sys_follow_exit counts exits; the exit runs before
 * the stack can be freed). A thread's pid changes only when it execs from
 * a non-leader thread, after the old leader's exit. System-wide, between
 * exits, a task pays the helper once per CPU it moves to; with exits, at
 * worst one call per syscall, as before.
 */
static __always_inline __u64 sys_current_id(struct sys_start *s, struct pt_regs *regs)
{
	__u64 exits = sys_exits;

	if (s->regs != (__u64)regs || s->exits != exits) {
		s->owner = bpf_get_current_pid_tgid();
		s->regs = (__u64)regs;
		s->exits = exits;
	}
	return s->owner;
}

/*
 * Summary mode: one call into the per-CPU statistics (no atomics needed:
 * BPF programs on syscall tracepoints run with preemption disabled).
 * started: the call's entry, for its cgroup, or NULL: current's. timed:
 * d is a duration (a constant at each call: an untimed call leaves
 * total_ns and max_ns alone, so --no-latency's sys_exit reads neither).
 */
static __always_inline void account(const struct sys_start *started, __u64 pid_tgid, __u32 nr,
				    long ret, __u64 d, bool timed)
{
	__u32 slot = nr_slot(nr);
	struct tk_sys_stat *st;

	if (targ_keyed) {
		struct tk_sys_pkey k = {
			.pid = targ_per_process ? pid_tgid >> 32 : 0,
			.nr = slot,
		};
		struct tk_sys_pstat *p;

		if (targ_per_cgroup)
			k.cgroup_id = started ? started->cgroup_id : bpf_get_current_cgroup_id();
		p = bpf_map_lookup_elem(&sys_pstats, &k);
		if (!p) {
			struct tk_sys_pstat z = {};

			bpf_get_current_comm(z.comm, sizeof(z.comm));
			bpf_map_update_elem(&sys_pstats, &k, &z, BPF_NOEXIST);
			p = bpf_map_lookup_elem(&sys_pstats, &k);
			if (!p) {
				sys_count(TK_SYS_CNT_NOSPACE);
				return;
			}
		}
		st = &p->s;
	} else {
		st = bpf_map_lookup_elem(&sys_stats, &slot);
		if (!st)
			return;
	}
	st->count++;
	if (is_error(ret))
		st->errors++;
	if (!timed)
		return;
	st->total_ns += d;
	if (st->epoch != sys_epoch) {
		st->epoch = sys_epoch;
		st->max_ns = 0;
	}
	if (d > st->max_ns)
		st->max_ns = d;
}

/* ---- the call in flight ------------------------------------------------------- */
/* Defined (so attached) before sys_call_enter: no call can start in a slot
 * that would not follow its task off the CPU. */
/* A task leaves the CPU inside a call: its slot moves to task storage. */
SEC("tp_btf/sched_switch")
int BPF_PROG(sys_call_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct sys_start *s, *st;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&sys_cur, &zero);
	if (!s || !s->active || s->owner != task_pid_tgid(prev))
		return 0;
	s->active = 0;
	st = bpf_task_storage_get(&sys_starts, prev, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		sys_count(TK_SYS_CNT_NOSTORE);
		return 0;
	}
	/* a summary has no path: the 256 bytes of it are not copied */
	if (targ_summary)
		__builtin_memcpy(st, s, offsetof(struct sys_start, path));
	else
		__builtin_memcpy(st, s, sizeof(*st));
	st->active = 1;
	return 0;
}

/* ---- entry ---------------------------------------------------------------------- */
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_call_enter, struct pt_regs *regs, long id)
{
	/* read once: each read of a rodata flag stays a load after the
	 * verifier has removed the branch it decides */
	bool summary = targ_summary;
	struct task_struct *t = NULL;
	struct sys_start *s;
	__u32 nr, slot, zero = 0;
	__u64 pid_tgid;

	if (id < 0) /* -1: cancelled by seccomp or a tracer */
		return 0;
	nr = id;
	slot = nr_slot(nr);
	if (targ_filter_nr && !nr_selected(slot))
		return 0;
	s = bpf_map_lookup_elem(&sys_cur, &zero);
	if (!s)
		return 0;
	/* current has no call in flight: one in the slot was never exited
	 * (and may be another task's, whose regs sys_current_id() replaces) */
	s->active = 0;
	pid_tgid = sys_current_id(s, regs);
	if (!summary || targ_per_cgroup) {
		/* the task pointer, taken for the cgroup below anyway, also
		 * filters: -c and -u by loads, not helper calls */
		t = bpf_get_current_task_btf();
		if (!tk_want_current_task(t))
			return 0;
	} else if (!tk_want_id(pid_tgid)) {
		return 0;
	}
	if (is_compat(regs)) {
		sys_count(TK_SYS_CNT_COMPAT);
		return 0;
	}
	if (nr == targ_nr_exit || nr == targ_nr_exit_group) {
		/* no sys_exit will come: counted now, untimed, never failed */
		if (summary && !tk_failed_only && !targ_min_ns)
			account(NULL, pid_tgid, nr, 0, 0, false);
		return 0;
	}
	s->nr = nr;
	/* the cgroup the call starts in, the one --cgroup just admitted: a
	 * task moved during the call (a shell in wait4) is still reported
	 * there at exit. Taken here, not at sys_exit; read through the task
	 * pointer (tk_task_cgroup_id), ~20 ns less than the cgroup-id helper
	 * on an AMD EPYC VM (bpf_stats). */
	if (t)
		s->cgroup_id = tk_task_cgroup_id(t);
	if (!summary) {
		s->args[0] = PT_REGS_PARM1_SYSCALL(regs);
		s->args[1] = PT_REGS_PARM2_SYSCALL(regs);
		s->args[2] = PT_REGS_PARM3_SYSCALL(regs);
		s->args[3] = PT_REGS_PARM4_SYSCALL(regs);
		s->args[4] = PT_REGS_PARM5_SYSCALL(regs);
		s->args[5] = sys_arg6(regs);
		if (nr == targ_nr_execve || nr == targ_nr_execveat) {
			__u32 i = (arg_kinds(slot) & 0xf) - 1;

			if (i < 6)
				bpf_probe_read_user_str(s->path, sizeof(s->path),
							(const void *)s->args[i]);
			else
				s->path[0] = 0;
		}
	}
	s->active = 1;
	/* last: the entry's own cost is not part of the call's duration */
	s->ts = summary ? bpf_ktime_get_ns() : tk_ktime_ns();
	return 0;
}

/* ---- exit ------------------------------------------------------------------------ */
/*
 * The header from the task pointer (tk_fill_hdr_task): one helper call
 * where pid_tgid, uid_gid and comm were three. On an AMD EPYC VM with
 * return thunks that took this program from ~320 to ~215 ns a record
 * (bpf_stats, 5 interleaved rounds): in stream mode its cost bounds how
 * many records a traced task can make per second. (Building the record
 * aside and copying it with bpf_ringbuf_output, one helper call instead of
 * reserve and submit, measured ~40 ns slower: the reserve stays.)
 */
static __always_inline void fill(struct tk_sys_event *e, const struct sys_start *s, long ret,
				 __u8 kinds)
{
	__u32 fi = (kinds >> 4) - 1;

	tk_fill_hdr_task(&e->hdr, TK_EV_syscall, bpf_get_current_task_btf(), s->cgroup_id);
	e->duration_ns = e->hdr.ts_ns - s->ts;
	e->hdr.ts_ns = s->ts;
	e->nr = s->nr;
	e->fd = fi < 6 ? (__s32)s->args[fi] : -1;
	e->ret = ret;
	for (int i = 0; i < 6; i++)
		e->args[i] = s->args[i];
	e->path_len = 0;
	e->__pad0 = 0;
}

_Static_assert(TK_SYS_MAX + 7 <= TK_SCRATCH_SIZE, "a syscall record fits the scratch area");

static __always_inline void emit(void *ctx, const struct sys_start *s, long ret)
{
	__u8 kinds = arg_kinds(nr_slot(s->nr));
	__u32 pi = (kinds & 0xf) - 1;
	struct tk_sys_event *e;
	char *rec;
	long n;

	if (pi >= 6) {
		/* no path argument: the fixed part alone, reserved in place */
		e = tk_reserve(sizeof(*e));
		if (!e)
			return;
		fill(e, s, ret, kinds);
		tk_submit(ctx, e, sizeof(*e));
		return;
	}
	/* with a path: built in the scratch area, sent at the path's length */
	rec = tk_scratch_get();
	if (!rec)
		return; /* counted by tk_scratch_get() */
	e = (struct tk_sys_event *)rec;
	fill(e, s, ret, kinds);
	/* read now, not at entry: the kernel has just copied the string, so
	 * its page is resident; exec's old memory is gone, so it was kept */
	if (s->nr == targ_nr_execve || s->nr == targ_nr_execveat)
		n = bpf_probe_read_kernel_str(rec + sizeof(*e), TK_SYS_PATH_LEN, s->path);
	else
		n = bpf_probe_read_user_str(rec + sizeof(*e), TK_SYS_PATH_LEN,
					    (const void *)s->args[pi]);
	e->path_len = n > 0 ? n : 0; /* unreadable: no path */
	tk_output_var(ctx, rec, sizeof(*e) + e->path_len, TK_SYS_MAX);
	tk_scratch_put();
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_call_exit, struct pt_regs *regs, long ret)
{
	struct sys_start *s;
	__u32 zero = 0;
	__u64 d;

	/* not selected: done before any lookup */
	if (targ_filter_nr && !nr_selected(nr_slot(sys_nr(regs))))
		return 0;
	if (targ_no_latency) {
		/* counts and errors from sys_exit alone: half the programs */
		long nr = sys_nr(regs);
		__u64 pid_tgid;

		if (nr < 0 || is_compat(regs) || (tk_failed_only && !is_error(ret)))
			return 0;
		/* the slot for sys_current_id() alone: no sys_enter runs */
		s = bpf_map_lookup_elem(&sys_cur, &zero);
		if (!s)
			return 0;
		pid_tgid = sys_current_id(s, regs);
		if (!tk_want_id(pid_tgid))
			return 0;
		/* no entry seen: filtered and keyed at exit alike */
		account(NULL, pid_tgid, nr, ret, 0, false);
		return 0;
	}
	s = bpf_map_lookup_elem(&sys_cur, &zero);
	if (!s)
		return 0;
	/* the same task: pt_regs sit at the top of each task's own stack,
	 * and comparing them needs no helper call (pid_tgid would) */
	if (!s->active || s->regs != (__u64)regs) {
		/* switched out during the call (or never entered under us) */
		s = bpf_task_storage_get(&sys_starts, bpf_get_current_task_btf(), NULL, 0);
		if (!s || !s->active)
			return 0;
	}
	s->active = 0;
	if (tk_failed_only && !is_error(ret))
		return 0;
	if (targ_summary) {
		d = bpf_ktime_get_ns() - s->ts;
		if (d >= targ_min_ns)
			account(s, s->owner, s->nr, ret, d, true);
		return 0;
	}
	if (targ_min_ns && tk_ktime_ns() - s->ts < targ_min_ns)
		return 0;
	emit(ctx, s, ret);
	return 0;
}
