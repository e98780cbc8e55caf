/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_abi.h — constants shared by bpf/tk.bpf.h and the userspace runtime
 * that are not event layouts: counter slots, wakeup policies, limits.
 */
#ifndef TK_ABI_H
#define TK_ABI_H

/* Slots of the per-CPU tk_stats map. */
enum tk_stat {
	TK_STAT_EMITTED = 0, /* records handed to the ring/perf buffer */
	TK_STAT_LOST = 1,    /* records the buffer had no room for */
	TK_STAT_NO_SCRATCH = 2, /* nested deeper than the scratch slots */
	/* Runs the kernel skipped (a program's recursion_misses) that another
	 * program of the tool took over (nettrace's net_state_nested): shown
	 * with -v; what was not taken over the tool counts in TK_STAT_UNSEEN. */
	TK_STAT_TAKEN_OVER = 3,
	/* Events lost to changes no program of the tool saw (runs the kernel
	 * skipped, or never made and never counted), found afterwards from
	 * what they left behind (nettrace: a socket's next change does not
	 * start where its last seen one ended). */
	TK_STAT_UNSEEN = 4,
	TK_STAT__COUNT,
};

/* --wakeup policies (see tk_rb_flags() in bpf/tk.bpf.h). */
enum tk_wakeup {
	TK_WAKEUP_BATCH = 0, /* no per-event wakeup; periodic drain */
	TK_WAKEUP_EVENT = 1, /* wake the consumer on every event */
	TK_WAKEUP_BOUNDED = 2, /* the default: wake an idle consumer, else its poll */
};

/* The bounded policy's bound: the polling consumer's longest wait between
 * two looks at the ring, after a wakeup (tk_rb_flags(), tk_wake_next()). */
#define TK_WAKEUP_BOUND_NS 1000000ULL

/* --cgroup options a run takes: the slots of tk_cgroups (bpf/tk.bpf.h). */
#define TK_MAX_CGROUPS 8

#endif
