/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rbbench.h — what benchmarks/rbbench.bpf.c and benchmarks/rbbench.c share:
 * the transports, the wakeup policies and the benchmark's record header.
 */
#ifndef RBBENCH_H
#define RBBENCH_H

#if !defined(__bpf__) && !defined(__BPF__)
#include <linux/types.h>
#endif

/* How the BPF side hands an event to userspace. */
enum rbb_transport {
	RBB_T_NONE = 0,    /* build the event in scratch, send nothing (reference) */
	RBB_T_PERF = 1,    /* bpf_perf_event_output: copy into a per-CPU perf buffer */
	RBB_T_OUTPUT = 2,  /* bpf_ringbuf_output: copy into the ring buffer */
	RBB_T_RESERVE = 3, /* bpf_ringbuf_reserve + submit: built in place */
	RBB_T_DYNPTR = 4,  /* bpf_ringbuf_reserve_dynptr: built in place, run-time size */
	RBB_T__COUNT,
};

/*
 * When the consumer is woken. The ring buffer's are submit flags (BPF side);
 * the perf buffer's are perf_event_attr settings (userspace side).
 */
enum rbb_policy {
	/* ring: flags 0 (the kernel wakes only if the consumer had caught up);
	 * perf: wakeup_events = 1 */
	RBB_W_EVENT = 0,
	/* ring: BPF_RB_FORCE_WAKEUP on every Nth event of a CPU, NO_WAKEUP
	 * otherwise; perf: wakeup_events = N */
	RBB_W_EVERY = 1,
	/* ring: BPF_RB_NO_WAKEUP always; perf: watermark = whole buffer.
	 * The consumer drains every drain-ms. */
	RBB_W_NOWAKE = 2,
	/* tracekit's batch policy (tk_rb_flags(), user/tk_run.c): NO_WAKEUP,
	 * forced wakeup past half full, drain every drain-ms; perf: watermark
	 * = half */
	RBB_W_BATCH = 3,
	/* tracekit's default (tk_rb_flags(), tk_wake_next()): a forced wakeup
	 * only when the consumer is not polling (its flag, tk_wake), which
	 * after a wakeup polls every TK_WAKEUP_BOUND_NS; perf: as batch (no
	 * per-event flags) */
	RBB_W_BOUNDED = 4,
	RBB_W__COUNT,
};

#define RBB_MIN_SIZE 16
#define RBB_MAX_SIZE 4096
#define RBB_MAX_BATCH 4096

/*
 * Every benchmark record starts with this; the rest of the `size` bytes is
 * payload copied from a source buffer (as a tracer copies kernel data).
 * ts_ns is the tools' record clock (tk_ktime_ns(): CLOCK_BOOTTIME where
 * the kernel has it), which the consumer reads too (tk_event_clock()).
 */
struct rbb_event {
	__u64 ts_ns;
	__u32 seq;  /* per-CPU sequence number */
	__u16 cpu;
	__u16 size; /* record size in bytes, header included */
};

#endif
