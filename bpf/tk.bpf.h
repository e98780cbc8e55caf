/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk.bpf.h — what every tracekit BPF object shares. Include it first
 * (it includes vmlinux.h and the libbpf headers) from each <tool>.bpf.c.
 *
 * It provides, so that no tool writes them again:
 *
 *  - the settings userspace fills before load (const volatile rodata, set by
 *    tk_apply_rodata() in user/tk.h): pid/uid/comm/cgroup filters, follow mode,
 *    transport and wakeup policy, the event mask;
 *  - the maps: tk_rb (ring buffer; not created with --perfbuf, see
 *    tk_probe_kernel() in user/tk_probe.c), tk_pb (perf buffer, --perfbuf),
 *    tk_stats (per-CPU emitted/lost counters), tk_follow (command mode's
 *    traced process tree), tk_cgroups (--cgroup's directories),
 *    tk_wake (the bounded wakeup policy's consumer flag: tk_rb_committed()),
 *    tk_scratch (per-CPU, per-nesting-level buffers
 *    for --perfbuf and for building large events: tk_scratch_get/put);
 *  - tk_want(): the in-kernel filter, applied before any work is done;
 *  - tk_reserve()/tk_submit() and tk_output(): the only ways to emit
 *    (tk_begin(): tk_want(), tk_reserve() and the header in one). Every
 *    failed reserve or output is counted in tk_stats[TK_STAT_LOST], a
 *    record with no scratch slot left in TK_STAT_NO_SCRATCH; the consumer
 *    adds the runs the kernel skipped (recursion_misses) and prints
 *    exactly how many events it did not get.
 */
#ifndef TK_BPF_H
#define TK_BPF_H

/*
 * Program names: every program of a tool starts with the tool's prefix
 * (proctrace: proc_, filetrace: file_, nettrace: net_, syscalltrace: sys_,
 * rbbench: tk_bench_). Tests check by prefix that a tool left nothing
 * loaded, and `bpftool prog show | grep -E 'name (proc|file|net|sys|tk)_'`
 * finds anything of ours.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "tk_events.h"
#include "tk_abi.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * What a classic tracepoint program (SEC("tp/..."), BPF_PROG_TYPE_TRACEPOINT)
 * returns. The kernel ANDs the return values of every BPF program on the
 * tracepoint (bpf_prog_run_array) and, if the result is 0, drops the event
 * for every perf consumer of that tracepoint (perf_trace_run_bpf_submit,
 * perf_syscall_enter/exit in kernel/trace/): `perf stat -e
 * syscalls:sys_enter_openat` would count 0 while any tool is loaded, even
 * one whose filter matches nothing. Returning 1 leaves the event to them;
 * ftrace instances are not affected either way. tp_btf/raw_tp return
 * values are ignored, so only tp/ programs return this.
 */
#define TK_TP_KEEP 1

/* ---- settings (rodata: the verifier prunes disabled branches) --------- */
const volatile __u32 tk_targ_pid = 0;     /* 0: any process */
const volatile __u32 tk_targ_uid = 0;
const volatile bool tk_filter_uid = false;
const volatile char tk_targ_comm[TK_COMM_LEN] = {};
const volatile bool tk_follow = false;    /* command mode: only tk_follow tree */
const volatile __u32 tk_self_pid = 0;     /* never trace the tracer itself */
const volatile bool tk_use_perfbuf = false;
const volatile __u32 tk_wakeup = TK_WAKEUP_BOUNDED;
const volatile __u64 tk_wakeup_bytes = 0; /* batch: force a wakeup past this */
/* the watermark is looked at on every (tk_wakeup_mask + 1)th submit of a
 * CPU: tk_rb_watermark(), tk_watermark_mask() in user/tk.h */
const volatile __u32 tk_wakeup_mask = 0;
/* bit per event id (TK_ID: 16 bits), TK_EV_WORDS words; all by default */
const volatile __u64 tk_events_mask[TK_EV_WORDS] = { [0 ... TK_EV_WORDS - 1] = ~0ULL };
const volatile bool tk_failed_only = false; /* -x, tools that support it */
const volatile __u32 tk_ncgroups = 0;       /* --cgroup: slots of tk_cgroups in use */
/*
 * Any of -p, -u, -c, --cgroup or command mode. The verifier removes a
 * branch on rodata but not the load it tests, so without this each filter
 * left 1-2 loads on every hot path; unfiltered, tk_want_id() is the
 * self check alone (3 ns of syscalltrace -s --no-latency's 12 over an
 * empty program, bpf_stats).
 */
const volatile bool tk_filtered = false;

/* ---- maps -------------------------------------------------------------- */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* resized by --ringbuf-size before load */
} tk_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tk_pb SEC(".maps");

/*
 * The bounded wakeup policy's consumer flag (tk_rb_committed()): 1 while the
 * consumer is polling (it will look within TK_WAKEUP_BOUND_NS), 0 once it
 * has gone to its long wait. One flag shared by every CPU and, in tracekit
 * trace, by every unit (bpf_map__reuse_fd): there is one consumer. Mmapable, so the
 * consumer clears and sets it with real atomics (tk_wake_next() in
 * user/tk_run.c), not a bpf() syscall.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} tk_wake SEC(".maps");

/* Submits of this CPU under batch and bounded, for tk_rb_watermark()'s stride. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tk_wm_tick SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TK_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} tk_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);   /* tgid */
	__type(value, __u8);
} tk_follow_map SEC(".maps");

/*
 * --cgroup: the selected cgroup v2 directories, filled by userspace with
 * their fds after load and before attach (the map holds a reference to
 * each cgroup, so the fds are closed again). Why this and not comparing
 * bpf_get_current_ancestor_cgroup_id(level) with the target's id: the
 * kernel answers "current is in this cgroup or below it" from the
 * cgroup's ancestor table in one helper call, with no level to compute
 * from a path (which a cgroup namespace or a bind mount would make
 * wrong), on pure v2 and hybrid hosts alike.
 */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, TK_MAX_CGROUPS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tk_cgroups SEC(".maps");

/*
 * Scratch space for records that cannot be reserved in place: every record
 * with --perfbuf (bpf_perf_event_output() copies from program memory) and
 * large records built before a tk_output(). It is per CPU, and programs
 * nest on one CPU: a TCP state change in softirq interrupts a program that
 * runs for a connect() or close() in process context, a hardirq can
 * interrupt the softirq, an NMI anything. With one slot per CPU, the inner
 * program overwrote the record the outer one was half-way through building
 * (duplicated and mixed records). So each CPU has one slot per nesting
 * level: tk_scratch_get() takes the next free one, tk_scratch_put()
 * returns it. Four levels: task, softirq, hardirq, NMI.
 *
 * The depth is a plain per-CPU counter, not an atomic: a program is never
 * preempted or migrated, only interrupted, and an interruption always
 * returns before the interrupted code goes on (LIFO), so a nested get/put
 * pair leaves the counter as it found it even between our load and store.
 * That is also why every program must put what it got before it returns.
 *
 * A tool that needs larger slots defines TK_SCRATCH_SIZE before including
 * this header (per-CPU values are limited to 32 KiB each).
 */
#ifndef TK_SCRATCH_SIZE
#define TK_SCRATCH_SIZE 1024 /* any fixed-size event of any domain */
#endif
#define TK_SCRATCH_DEPTH 4
struct tk_scratch_buf {
	char data[TK_SCRATCH_SIZE];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TK_SCRATCH_DEPTH);
	__type(key, __u32);
	__type(value, struct tk_scratch_buf);
} tk_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32); /* slots in use on this CPU */
} tk_scratch_depth SEC(".maps");

/* ---- counters ----------------------------------------------------------- */
static __always_inline void tk_count_n(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&tk_stats, &which);

	/* per-CPU, but programs can nest on one CPU (a softirq tracepoint
	 * inside a syscall one): an atomic add loses no increment */
	if (v)
		__sync_fetch_and_add(v, n);
}

static __always_inline void tk_count(__u32 which)
{
	tk_count_n(which, 1);
}

/*
 * This nesting level's scratch slot (TK_SCRATCH_SIZE bytes, not zeroed:
 * the caller writes every byte it sends), or NULL when every level is in
 * use, which is counted in TK_STAT_NO_SCRATCH: the event is lost. Pair
 * each non-NULL get with one tk_scratch_put() before the program returns.
 */
static __always_inline void *tk_scratch_get(void)
{
	__u32 zero = 0, level, *depth = bpf_map_lookup_elem(&tk_scratch_depth, &zero);
	void *p;

	if (!depth)
		goto none;
	level = *depth;
	if (level >= TK_SCRATCH_DEPTH)
		goto none;
	p = bpf_map_lookup_elem(&tk_scratch, &level);
	if (!p)
		goto none;
	*depth = level + 1;
	return p;
none:
	tk_count(TK_STAT_NO_SCRATCH);
	return NULL;
}

/* Gives back the slot the last tk_scratch_get() on this level took. */
static __always_inline void tk_scratch_put(void)
{
	__u32 zero = 0, *depth = bpf_map_lookup_elem(&tk_scratch_depth, &zero);

	if (depth && *depth)
		*depth -= 1;
}

/* ---- filtering ----------------------------------------------------------- */
/* id is a TK_EV_* constant at every call site: the word read is a known
 * rodata value, and the verifier prunes the disabled event's branch. */
static __always_inline bool tk_event_enabled(__u32 id)
{
	return tk_events_mask[(id & TK_ID_MAX) / 64] >> (id % 64) & 1;
}

/* -c against a given command name (true when there is no -c). */
static __always_inline bool tk_comm_is(const char *comm)
{
	if (!tk_targ_comm[0])
		return true;
	for (int i = 0; i < TK_COMM_LEN; i++) {
		if (comm[i] != tk_targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool tk_comm_match(void)
{
	char comm[TK_COMM_LEN];

	if (!tk_targ_comm[0])
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	return tk_comm_is(comm);
}

/*
 * Process-level filter: cheap checks first. tgid is the process id.
 * Tools call this before reading anything else from the kernel.
 */
static __always_inline bool tk_want_pid(__u32 tgid)
{
	if (tgid == tk_self_pid)
		return false;
	return !tk_targ_pid || tgid == tk_targ_pid;
}

/* Command mode: is tgid in the traced tree now? (Always, otherwise.) */
static __always_inline bool tk_in_tree(__u32 tgid)
{
	return !tk_follow || bpf_map_lookup_elem(&tk_follow_map, &tgid);
}

static __always_inline bool tk_want_tgid(__u32 tgid)
{
	return tk_want_pid(tgid) && tk_in_tree(tgid);
}

/* -u against the current task (no helper call without -u). */
static __always_inline bool tk_want_current_uid(void)
{
	return !tk_filter_uid || (__u32)bpf_get_current_uid_gid() == tk_targ_uid;
}

/*
 * --cgroup against the current task: in one of the selected cgroups or
 * below it (the union of the options). Without --cgroup tk_ncgroups is 0
 * in rodata and the verifier removes the loop: no helper call.
 */
static __always_inline bool tk_want_current_cgroup(void)
{
	for (__u32 i = 0; i < TK_MAX_CGROUPS; i++) {
		if (i >= tk_ncgroups)
			break;
		if (bpf_current_task_under_cgroup(&tk_cgroups, i) == 1)
			return true;
	}
	return !tk_ncgroups;
}

/* tk_want() with the current task's tgid already at hand: from
 * bpf_get_current_pid_tgid() or a load through its BTF task pointer. */
static __always_inline bool tk_want_current_tgid(__u32 tgid)
{
	if (!tk_filtered)
		return tgid != tk_self_pid;
	return tk_want_tgid(tgid) && tk_want_current_uid() && tk_want_current_cgroup() &&
	       tk_comm_match();
}

/* tk_want() for a caller that already has bpf_get_current_pid_tgid(): a
 * helper call costs ~25 ns on hot paths (syscalltrace's sys_enter). */
static __always_inline bool tk_want_id(__u64 pid_tgid)
{
	return tk_want_current_tgid(pid_tgid >> 32);
}

static __always_inline bool tk_want(void)
{
	return tk_want_id(bpf_get_current_pid_tgid());
}

/*
 * -p/-u/-c for an event attributed to a task that is not current: one the
 * tool remembered (nettrace's socket owners, whose state changes run in
 * softirq on behalf of whatever task was interrupted). The command-mode
 * tree and --cgroup are left to the caller: it records tk_in_tree() and
 * tk_want_current_cgroup() when it remembers the task (in that task),
 * because the task may exit (and leave the tree) while what it started
 * goes on, such as a TCP close waiting for the peer.
 */
static __always_inline bool tk_want_task(__u32 tgid, __u32 uid, const char *comm)
{
	if (!tk_want_pid(tgid))
		return false;
	if (tk_filter_uid && uid != tk_targ_uid)
		return false;
	return tk_comm_is(comm);
}

/*
 * tk_want() for current, given as its BTF task pointer
 * (bpf_get_current_task_btf()): -p/-u/-c from loads through the task
 * (tk_want_task(), as tk_fill_hdr_task() reads them: the values of
 * bpf_get_current_uid_gid() and bpf_get_current_comm() without their
 * helper calls, each ~25 ns or more with return thunks), then the
 * command-mode tree and --cgroup. The uid is loaded only under -u, the
 * name only under -c.
 */
static __always_inline bool tk_want_current_task(struct task_struct *t)
{
	char comm[TK_COMM_LEN] = {};

	if (!tk_filtered)
		return t->tgid != tk_self_pid;
	if (tk_targ_comm[0])
		__builtin_memcpy(comm, t->comm, sizeof(comm));
	return tk_want_task(t->tgid, tk_filter_uid ? t->cred->uid.val : 0, comm) &&
	       tk_in_tree(t->tgid) && tk_want_current_cgroup();
}

/*
 * Command mode follows the traced tree through fork here, in the kernel,
 * so a child is tracked before it can run a single instruction.
 */
static __always_inline void tk_follow_fork(__u32 parent_tgid, __u32 child_tgid)
{
	__u8 one = 1;

	if (!tk_follow || parent_tgid == child_tgid)
		return;
	if (bpf_map_lookup_elem(&tk_follow_map, &parent_tgid))
		bpf_map_update_elem(&tk_follow_map, &child_tgid, &one, BPF_ANY);
}

static __always_inline void tk_follow_exit(__u32 tgid)
{
	if (tk_follow)
		bpf_map_delete_elem(&tk_follow_map, &tgid);
}

/* True when the exiting task is the last thread of its process. */
static __always_inline bool tk_group_dead(struct task_struct *task)
{
	return BPF_CORE_READ(task, signal, live.counter) == 0;
}

/*
 * Tools without their own fork/exit handlers expand this once to get
 * command mode (tp_btf needs no tracefs and costs nothing when !tk_follow).
 * prefix is the tool's program prefix (see "Program names" below).
 * TK_FOLLOW_PROGRAMS_AND runs on_exit (a statement; task in scope) at every
 * task's exit first, for a tool that needs to see exits too.
 */
#define TK_FOLLOW_PROGRAMS_AND(prefix, on_exit)                              \
	SEC("tp_btf/sched_process_fork")                                     \
	int BPF_PROG(prefix##_follow_fork, struct task_struct *parent,       \
		     struct task_struct *child)                              \
	{                                                                    \
		tk_follow_fork(BPF_CORE_READ(parent, tgid),                  \
			       BPF_CORE_READ(child, tgid));                  \
		return 0;                                                    \
	}                                                                    \
	SEC("tp_btf/sched_process_exit")                                     \
	int BPF_PROG(prefix##_follow_exit, struct task_struct *task)         \
	{                                                                    \
		on_exit;                                                     \
		if (tk_follow && tk_group_dead(task))                        \
			tk_follow_exit(BPF_CORE_READ(task, tgid));           \
		return 0;                                                    \
	}
#define TK_FOLLOW_PROGRAMS(prefix) TK_FOLLOW_PROGRAMS_AND(prefix, (void)task)

/* ---- time ------------------------------------------------------------------ */
/*
 * The records' clock: CLOCK_BOOTTIME (bpf_ktime_get_boot_ns, Linux 5.8)
 * keeps counting across suspend, so wall-clock times stay right. Kernels
 * without that helper get CLOCK_MONOTONIC (bpf_ktime_get_ns): the check is
 * a CO-RE relocation against the running kernel's enum bpf_func_id, so the
 * verifier sees a constant and the branch the kernel cannot run is
 * removed before helper ids are resolved. Userspace makes the same check
 * (tk_event_clock() in user/tk_probe.c) to convert with the same clock.
 */
static __always_inline __u64 tk_ktime_ns(void)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_ktime_get_boot_ns))
		return bpf_ktime_get_boot_ns();
	return bpf_ktime_get_ns();
}

/* ---- emitting ------------------------------------------------------------ */
/*
 * The header from the current task, with the cgroup id given: a program
 * that reports a syscall at its exit passes the id it took at the entry,
 * so a call is attributed to (and --cgroup-filtered by) the cgroup it
 * started in, even when the task moves during the call.
 */
static __always_inline void tk_fill_hdr_cg(struct tk_hdr *h, __u32 event, __u64 cgroup_id)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->ts_ns = tk_ktime_ns();
	h->event = event;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	h->cgroup_id = cgroup_id;
}

/*
 * bpf_get_current_cgroup_id()'s value (task_dfl_cgroup(t)->kn->id) from a
 * BTF task pointer: four dependent loads instead of a helper call, which
 * costs ~65 ns here with the return-thunk mitigations (bpf_stats of
 * filetrace's enter program: 226 -> 160 ns/run). The pointers are __rcu;
 * tracing programs run in an RCU read-side section, as the helper does.
 */
static __always_inline __u64 tk_task_cgroup_id(struct task_struct *t)
{
	return t->cgroups->dfl_cgrp->kn->id;
}

static __always_inline void tk_fill_hdr(struct tk_hdr *h, __u32 event)
{
	tk_fill_hdr_cg(h, event, bpf_get_current_cgroup_id());
}

/*
 * tk_fill_hdr() from a BTF task pointer (bpf_get_current_task_btf()):
 * pid, tid, uid and comm are plain loads instead of three helper calls,
 * for hot paths of tracing programs (the helpers cost ~50 ns each on
 * kernels with return-thunk mitigations). Same values as tk_fill_hdr_cg();
 * cgroup_id as there (the caller's: bpf_get_current_cgroup_id(), or
 * tk_task_cgroup_id() where it has the task pointer).
 */
static __always_inline void tk_fill_hdr_task(struct tk_hdr *h, __u32 event,
					     struct task_struct *t, __u64 cgroup_id)
{
	h->ts_ns = tk_ktime_ns();
	h->event = event;
	h->pid = t->tgid;
	h->tid = t->pid;
	h->uid = t->cred->uid.val;
	__builtin_memcpy(h->comm, t->comm, sizeof(h->comm));
	h->cgroup_id = cgroup_id;
}

/*
 * Ring-buffer submit flags for the wakeup policy (see user/tk.h):
 *  BOUNDED (the default): see below.
 *  BATCH: never wake the consumer per event (a wakeup costs ~8 µs of
 *         consumer time against ~60 ns for the submit itself); the consumer
 *         drains every --drain-ms.
 *  EVENT: the kernel's default: wake on every submit (if the consumer has
 *         caught up).
 * Under BATCH and BOUNDED, once more than tk_wakeup_bytes (half the ring)
 * are waiting, the submit wakes the consumer anyway, so a burst cannot
 * overflow the buffer while it sleeps or between two of its polls.
 *
 * BOUNDED decides by the consumer's state, not by a clock. tk_wake[0] is
 * 1 while the consumer polls (it consumes at least every B =
 * TK_WAKEUP_BOUND_NS) and 0 once it has gone to its long wait. After
 * every commit the producer looks at it (tk_rb_committed()): 1, and the
 * record is left to the next poll; 0, and it swaps in 1 and, if it was
 * the one to turn 0 into 1, wakes the consumer with a forced discard of
 * an empty record (the kernel queues the wakeup for a discard as for a
 * submit, bpf_ringbuf_commit(), and the consumer skips discarded
 * records). A lone event wakes a sleeping consumer at once; while the
 * consumer polls nothing forces, so a flood costs the consumer its 1/B
 * polls and no wakeups (one per burst that finds it asleep), and the
 * producer one plain load per record: the locked swap (and the empty
 * record) only when the consumer sleeps. A swap on every submit cost
 * filetrace's exit program ~15 ns an open (bpf_stats, both versions
 * attached at once, their order swapped). The consumer's half
 * (tk_wake_next() in user/tk_run.c): after a wakeup or a consume that got
 * records it polls (waits at most B); after 2 B with neither it goes idle:
 * it swaps 0 into the flag, then reads the ring's producer_pos; if that
 * is past its consumer_pos it puts 1 back and goes on polling, else it
 * takes the long wait.
 *
 * Why no record is left behind (a Dekker pair). Producer: the record's
 * reservation advances producer_pos (smp_store_release in
 * __bpf_ringbuf_reserve(), kernel/bpf/ringbuf.c, under the ring's lock);
 * its commit then swaps the busy bit out of the record's header with
 * xchg(), which the kernel's memory model makes fully ordered on every
 * architecture (the kernel relies on it for its own consumer_pos check
 * just after); only then do we load the flag. So the look must come after
 * the commit, never between reserve and submit: there nothing orders the
 * store of producer_pos before our load. Consumer: a seq_cst exchange of
 * 0, then a seq_cst load of producer_pos. If our load reads 1 from before
 * the consumer's swap of 0, both sides' fences mean its load of
 * producer_pos sees our reservation: it finds the ring not empty and
 * polls on, even while the record is busy (tk_ring's consume stops at it
 * and a later poll takes it). If it reads a 1 written after that swap,
 * the 1 is from a producer that turned 0 into 1 and forced, or from the
 * consumer deciding to poll on: either way the consumer is polling or
 * about to be woken, and it can only go idle again through a later swap,
 * whose load sees our record. If it reads 0 we swap: the producer that
 * gets 0 back forces, the others see 1 as above. So no record waits for
 * the long wait, and none for more than one poll interval once the
 * consumer polls.
 * A wakeup raised while the consumer is not yet in epoll_wait is not
 * lost: the epoll item is on the ring's wait queue from the start, and
 * the ring's poll (ringbuf_map_poll_kern) reports EPOLLIN while
 * producer_pos != consumer_pos, so the next epoll_wait returns at once.
 *
 * Latency: a record that finds the consumer idle is delivered after one
 * wakeup (tens of µs); one that does not is consumed by its next poll, within
 * B of its commit (plus the consumer's scheduling delay). At one event
 * every 20 ms the consumer is idle again (2 B after the last) when the
 * next event comes, so every event wakes it: p99 is one wakeup.
 *
 * Under --perfbuf there are no per-event flags: bounded behaves as batch
 * there (a watermark, and a drain every --drain-ms).
 */
/*
 * Under BATCH and BOUNDED: wake past the watermark, else leave it to the
 * poll. The query is a helper call (4.4 % of filetrace's whole exit
 * tracepoint, ~33 ns an open, in a perf profile) for a wakeup that comes
 * only once the ring is half full, so with a large ring each CPU asks on
 * every (tk_wakeup_mask + 1)th submit only (a per-CPU counter: an inlined
 * array lookup and an add). A CPU's skipped submits add at most
 * tk_wakeup_mask records past half before its next look; userspace sizes
 * the mask so that all CPUs together stay under 1/16 of the ring even
 * with 16 KiB records (tk_watermark_mask()).
 */
static __always_inline __u64 tk_rb_watermark(void)
{
	if (tk_wakeup_mask) {
		__u32 zero = 0, *tick = bpf_map_lookup_elem(&tk_wm_tick, &zero);

		if (tick && (++*tick & tk_wakeup_mask))
			return BPF_RB_NO_WAKEUP;
	}
	if (bpf_ringbuf_query(&tk_rb, BPF_RB_AVAIL_DATA) > tk_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * BOUNDED, after a commit (see above: never between reserve and submit):
 * true when the consumer was not polling and this call marked it so, the
 * one caller that must wake it. A plain load first: while the consumer
 * polls, the flag is 1 and stays in this CPU's cache. Only at 0 the swap
 * (BPF_XCHG, fully ordered; values are 0 and 1 only, so this is a
 * fetch-or in one instruction, where the x86 JIT makes a cmpxchg loop of
 * a fetch-or), which one of several racing producers wins.
 */
static __always_inline bool tk_wake_claim(void)
{
	__u32 zero = 0;
	__u64 *polling = bpf_map_lookup_elem(&tk_wake, &zero);

	/* no slot cannot happen (an array's slot 0): wake to be safe */
	if (!polling)
		return true;
	if (*(volatile __u64 *)polling)
		return false;
	return !__atomic_exchange_n(polling, 1, __ATOMIC_SEQ_CST);
}

/* The flags of a record's own commit: the kernel's default under EVENT,
 * else the watermark (BOUNDED's per-event wakeup follows the commit:
 * tk_rb_committed()). */
static __always_inline __u64 tk_rb_flags(void)
{
	if (tk_wakeup == TK_WAKEUP_EVENT)
		return 0;
	return tk_rb_watermark();
}

/*
 * Every commit to tk_rb (bpf_ringbuf_submit, _output, _submit_dynptr)
 * with tk_rb_flags() is followed by this: under BOUNDED, a consumer found
 * idle is woken by a forced discard of an empty record. Should that
 * reserve fail (the ring full), the watermark forces a later submit.
 */
static __always_inline void tk_rb_committed(void)
{
	void *kick;

	if (tk_wakeup != TK_WAKEUP_BOUNDED || !tk_wake_claim())
		return;
	kick = bpf_ringbuf_reserve(&tk_rb, 0, 0);
	if (kick)
		bpf_ringbuf_discard(kick, BPF_RB_FORCE_WAKEUP);
}

/* bpf_ringbuf_output() under the wakeup policy: 0 or its error. */
static __always_inline long tk_rb_output(void *data, __u64 size)
{
	long err = bpf_ringbuf_output(&tk_rb, data, size, tk_rb_flags());

	if (!err)
		tk_rb_committed();
	return err;
}

/*
 * Zero-copy path for fixed-size events: reserve in place (ring buffer) or
 * in this nesting level's scratch slot (perf buffer). size must be a
 * constant. Returns NULL (and counts a loss) when there is no room. Every
 * non-NULL reserve ends in tk_submit() or tk_discard(), which also give
 * the scratch slot back.
 */
static __always_inline void *tk_reserve(__u32 size)
{
	void *p;

	if (tk_use_perfbuf)
		return tk_scratch_get(); /* NULL: counted there */
	p = bpf_ringbuf_reserve(&tk_rb, size, 0);
	if (!p)
		tk_count(TK_STAT_LOST);
	return p;
}

/*
 * A fixed-size event's usual start, shared by the tools whose programs
 * have nothing to read before the filter: tk_want(), then tk_reserve(),
 * then the header from the current task. NULL when filtered out or when
 * there is no room (counted); otherwise end it as tk_reserve() says.
 */
static __always_inline void *tk_begin(__u32 size, __u32 event)
{
	struct tk_hdr *h;

	if (!tk_want())
		return NULL;
	h = tk_reserve(size);
	if (h)
		tk_fill_hdr(h, event);
	return h;
}

/*
 * Bytes a perf buffer adds to a raw sample of size bytes: the kernel rounds
 * the u32 size word plus the data up to 8 bytes and SKIPS the pad, so the
 * consumer would receive whatever the ring held there before. Senders
 * write that pad themselves, as zeros, and send it: no byte reaches the
 * consumer that this program did not write.
 */
#define TK_PERF_PAD(size) ((4 - (size)) & 7)

static __always_inline void tk_submit(void *ctx, void *p, __u32 size)
{
	if (tk_use_perfbuf) {
		__builtin_memset((char *)p + size, 0, TK_PERF_PAD(size));
		size += TK_PERF_PAD(size);
		if (bpf_perf_event_output(ctx, &tk_pb, BPF_F_CURRENT_CPU, p, size))
			tk_count(TK_STAT_LOST);
		else
			tk_count(TK_STAT_EMITTED);
		tk_scratch_put();
		return;
	}
	bpf_ringbuf_submit(p, tk_rb_flags());
	tk_rb_committed();
	tk_count(TK_STAT_EMITTED);
}

/* Undo a tk_reserve() after deciding not to send (not a loss). */
static __always_inline void tk_discard(void *p)
{
	if (tk_use_perfbuf)
		tk_scratch_put();
	else
		bpf_ringbuf_discard(p, BPF_RB_NO_WAKEUP);
}

/*
 * Copy path for variable-length events built elsewhere (a map value):
 * sends only `size` bytes. The caller bounds size by the buffer's size.
 */
static __always_inline void tk_output(void *ctx, void *data, __u64 size)
{
	long err;

	if (tk_use_perfbuf)
		err = bpf_perf_event_output(ctx, &tk_pb, BPF_F_CURRENT_CPU, data, size);
	else
		err = tk_rb_output(data, size);
	tk_count(err ? TK_STAT_LOST : TK_STAT_EMITTED);
}

/* A length read back from memory (or computed), bounded again so the
 * verifier sees max; 64-bit so clang cannot test a zero-extended copy. */
static __always_inline __u64 tk_bounded(__u64 v, const __u64 max)
{
	barrier_var(v);
	return v > max ? max : v;
}

/*
 * tk_output() for a variable-length record (tk_event.h) of size bytes in
 * rec, size <= max (a constant the caller's buffer proves): under
 * --perfbuf the pad (TK_PERF_PAD) is written as zeros and sent. rec must
 * have max + 7 writable bytes.
 */
static __always_inline void tk_output_var(void *ctx, char *rec, __u64 size, const __u64 max)
{
	/* 64-bit and behind barriers: clang otherwise tests a zero-extended
	 * copy and sends the unclamped register (verifier: unbounded) */
	barrier_var(size);
	if (size > max)
		size = max;
	barrier_var(size);
	if (tk_use_perfbuf) {
		/* unconditional byte stores: the verifier sees one bounded
		 * access each; those past the pad are never sent */
		for (int i = 0; i < 7; i++)
			rec[size + i] = 0;
		size += TK_PERF_PAD(size);
	}
	tk_output(ctx, rec, size);
}

#endif /* TK_BPF_H */
