// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The consumer's scheduler slice. */
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tk.h"

/*
 * sched_attr as the kernel's ABI has it (its first version, 48 bytes: the
 * fields this needs). <linux/sched/types.h> cannot be used: it redefines
 * glibc's struct sched_param (every libtk header is compiled together by
 * the name check). glibc before 2.41 has no sched_setattr() wrapper.
 */
struct tk_sched_attr {
	__u32 size;
	__u32 sched_policy;
	__u64 sched_flags;
	__s32 sched_nice;
	__u32 sched_priority;
	__u64 sched_runtime; /* SCHED_OTHER (6.12+): the slice, ns */
	__u64 sched_deadline;
	__u64 sched_period;
};
_Static_assert(sizeof(struct tk_sched_attr) == 48, "SCHED_ATTR_SIZE_VER0");
#define TK_SCHED_FLAG_RESET_ON_FORK 0x01ULL

/*
 * Why the consumer asks for a short slice: a ring-buffer wakeup is sent
 * from the traced task's own context (the irq_work a submit raises), so
 * the consumer is usually queued on the CPU of the very task that made the
 * event, and on a busy machine the other CPUs are taken too. Under EEVDF
 * (6.6+) the woken consumer preempts only if it is the pick, and
 * RUN_TO_PARITY keeps the current task on until its slice is used up:
 * 1.4 ms on 2 CPUs (0.7 ms x (1 + log2 CPUs)), which /bin/true starting
 * up after its exec never reaches, so the consumer waited for it to exit.
 * Since 6.12 a SCHED_OTHER task may set its own slice (sched_runtime,
 * 0.1..100 ms), and PREEMPT_SHORT lets a waking task with a shorter slice
 * than the current one preempt it when it is eligible.
 *
 * This changes when the consumer runs, not how much: its CPU share still
 * comes from its weight (nice), and once it has had more than its share
 * (negative lag) it is not eligible and preempts nobody. A short slice
 * means a shorter request, an earlier deadline, more frequent but
 * smaller turns when it competes for a CPU (a flood); the only thing it
 * takes from others is the rest of a slice at the moment it wakes.
 */
const char *tk_short_slice(__u64 *was_ns)
{
	struct tk_sched_attr a = { 0 };

	*was_ns = 0;
	/* the calling thread (pid 0): threads have their own slice */
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0))
		return strerror(errno);
	*was_ns = a.sched_runtime;
	/* RT preempts anyway; BATCH and IDLE asked not to preempt */
	if (a.sched_policy != SCHED_OTHER)
		return "not a SCHED_OTHER thread";
	/* a kernel before 6.12 reports no fair slice, and ignores one */
	if (!a.sched_runtime)
		return "the kernel has no per-task slice (6.12+)";
	if (a.sched_runtime <= TK_SHORT_SLICE_NS)
		return NULL;
	/*
	 * Everything else as it was: sched_setattr() sets the nice value
	 * and reset-on-fork from the attr too. sched_flags as read may
	 * carry bits that sched_setattr() reads as requests (util clamp):
	 * only reset-on-fork is passed on.
	 */
	a.sched_flags &= TK_SCHED_FLAG_RESET_ON_FORK;
	a.sched_runtime = TK_SHORT_SLICE_NS;
	if (syscall(SYS_sched_setattr, 0, &a, 0))
		return strerror(errno);
	return NULL;
}
