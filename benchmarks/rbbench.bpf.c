/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rbbench: produces synthetic events in the kernel through one transport
 * and one wakeup policy, so userspace can measure what each costs.
 *
 * Each getpgid() of the benchmark's own process makes rbb_batch events
 * (bpf_loop), so the syscall's own cost is spread over the batch and the
 * transport's cost shows; rbb_batch = 1 is what a real tracer does. The
 * tracepoint is syscalls/sys_enter_getpgid, so no other syscall on the
 * machine runs these programs.
 *
 * tk_bench_noop runs at the same tracepoint and does only the filter: its
 * run time (bpf_stats) is what any program costs there, and userspace
 * subtracts it from tk_bench_trigger's to get the cost of the events.
 *
 * The ring and perf buffers, the counters and the 'batch' and 'bounded'
 * wakeup policies are tracekit's own (bpf/tk.bpf.h): the bench measures
 * what the tools do.
 */
#include "tk.bpf.h"
#include "rbbench.h"

const volatile __u32 rbb_tgid = 0;
const volatile __u32 rbb_transport = RBB_T_RESERVE;
const volatile __u32 rbb_policy = RBB_W_BATCH;
const volatile __u32 rbb_every = 64;
const volatile __u32 rbb_size = 64;
const volatile __u32 rbb_batch = 1;

/*
 * The dynptr path takes its size from writable data, so the verifier cannot
 * treat it as a constant: that is the variable-length case dynptrs exist for.
 */
__u32 rbb_dyn_size = 64;

/* Payload source: tracers copy kernel data into events; so do we. */
char rbb_src[RBB_MAX_SIZE];

struct rbb_scratch_buf {
	char data[RBB_MAX_SIZE];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rbb_scratch_buf);
} rbb_scratch SEC(".maps");

/* Per-CPU sequence, kept across triggers (every-N counts events per CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rbb_seq SEC(".maps");

struct rbb_loop {
	void *ctx;
	struct rbb_event *scratch;
	__u32 seq;
	__u32 cpu;
	__u64 emitted;
	__u64 lost;
};

static __always_inline __u64 rbb_flags(__u32 seq)
{
	switch (rbb_policy) {
	case RBB_W_EVENT:
		return 0;
	case RBB_W_EVERY:
		return (seq + 1) % rbb_every ? BPF_RB_NO_WAKEUP : BPF_RB_FORCE_WAKEUP;
	case RBB_W_NOWAKE:
		return BPF_RB_NO_WAKEUP;
	default:
		return tk_rb_flags();
	}
}

static __always_inline void rbb_fill_hdr(struct rbb_event *e, const struct rbb_loop *l,
					 __u32 size)
{
	e->ts_ns = tk_ktime_ns(); /* the tools' record clock */
	e->seq = l->seq;
	e->cpu = l->cpu;
	e->size = size;
}

/* rbb_size is rodata: a constant to the verifier, so this fits the record. */
static __always_inline void rbb_fill_payload(struct rbb_event *e)
{
	if (rbb_size > sizeof(*e))
		bpf_probe_read_kernel(e + 1, rbb_size - sizeof(*e), rbb_src);
}

static __always_inline long rbb_emit_dynptr(struct rbb_loop *l)
{
	__u32 size = rbb_dyn_size, len;
	struct bpf_dynptr dp;
	struct rbb_event *e;

	if (size < sizeof(*e) || size > RBB_MAX_SIZE)
		return -1;
	/* the dynptr must be released even when the reservation failed */
	if (bpf_ringbuf_reserve_dynptr(&tk_rb, size, 0, &dp)) {
		bpf_ringbuf_discard_dynptr(&dp, 0);
		return -1;
	}
	e = bpf_dynptr_data(&dp, 0, sizeof(*e));
	if (!e) {
		bpf_ringbuf_discard_dynptr(&dp, 0);
		return -1;
	}
	rbb_fill_hdr(e, l, size);
	len = size - sizeof(*e);
	/* clang knows len < RBB_MAX_SIZE from the check above and would drop
	 * the mask; the verifier needs it to bound the read from rbb_src */
	barrier_var(len);
	len &= RBB_MAX_SIZE - 1;
	if (len)
		bpf_dynptr_write(&dp, sizeof(*e), rbb_src, len, 0);
	bpf_ringbuf_submit_dynptr(&dp, rbb_flags(l->seq));
	tk_rb_committed();
	return 0;
}

static long rbb_emit_one(__u32 i, void *data)
{
	struct rbb_loop *l = data;
	struct rbb_event *e;
	long err = 0;

	(void)i;
	switch (rbb_transport) {
	case RBB_T_RESERVE:
		e = bpf_ringbuf_reserve(&tk_rb, rbb_size, 0);
		if (!e) {
			err = -1;
			break;
		}
		rbb_fill_hdr(e, l, rbb_size);
		rbb_fill_payload(e);
		bpf_ringbuf_submit(e, rbb_flags(l->seq));
		tk_rb_committed(); /* as tk_submit(): a no-op but under bounded */
		break;
	case RBB_T_DYNPTR:
		err = rbb_emit_dynptr(l);
		break;
	default:
		/* copy paths, and the reference that builds the event only */
		e = l->scratch;
		rbb_fill_hdr(e, l, rbb_size);
		rbb_fill_payload(e);
		if (rbb_transport == RBB_T_OUTPUT && rbb_policy >= RBB_W_BATCH)
			err = tk_rb_output(e, rbb_size); /* tracekit's own policies */
		else if (rbb_transport == RBB_T_OUTPUT)
			err = bpf_ringbuf_output(&tk_rb, e, rbb_size, rbb_flags(l->seq));
		else if (rbb_transport == RBB_T_PERF)
			err = bpf_perf_event_output(l->ctx, &tk_pb, BPF_F_CURRENT_CPU, e,
						    rbb_size);
		break;
	}
	l->seq++;
	if (err)
		l->lost++;
	else
		l->emitted++;
	return 0;
}

static __always_inline void rbb_count(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&tk_stats, &which);

	if (v)
		*v += n;
}

SEC("tp/syscalls/sys_enter_getpgid")
int tk_bench_trigger(void *ctx)
{
	struct rbb_loop l = { .ctx = ctx };
	__u32 zero = 0, *seq;

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != rbb_tgid)
		return TK_TP_KEEP;
	seq = bpf_map_lookup_elem(&rbb_seq, &zero);
	l.scratch = bpf_map_lookup_elem(&rbb_scratch, &zero);
	if (!seq || !l.scratch)
		return TK_TP_KEEP;
	l.seq = *seq;
	l.cpu = bpf_get_smp_processor_id();
	bpf_loop(rbb_batch, rbb_emit_one, &l, 0);
	*seq = l.seq;
	/* once per trigger, not per event: counting is not what we measure */
	rbb_count(TK_STAT_EMITTED, l.emitted);
	rbb_count(TK_STAT_LOST, l.lost);
	return TK_TP_KEEP;
}

SEC("tp/syscalls/sys_enter_getpgid")
int tk_bench_noop(void *ctx)
{
	(void)ctx;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != rbb_tgid)
		return TK_TP_KEEP;
	return TK_TP_KEEP;
}
