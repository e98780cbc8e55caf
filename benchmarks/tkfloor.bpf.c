// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tkfloor's "+record" program: the least that any tracer of opens which
 * reports the file's name must do per call, so that bench-file can say how
 * much of filetrace's cost is its record and how much is what it adds (the
 * file's identity: fd, flags, mode, inode, device, size, its full path).
 *
 * At sys_exit_openat, as filetrace: the header every tracekit record
 * carries (clock, pid, tid, uid, comm, cgroup: tk_fill_hdr_task's plain
 * loads, its cheapest form), the call's return value, and the name the
 * caller passed, read from user memory through the registers the task
 * saved on entry (x86-64: the second argument is si); then the record is
 * copied into a ring buffer, variable length, without a wakeup (tkfloor
 * polls it). Nothing else: no filter, no per-thread state, no path walk.
 *
 * And the "+count" program: the least that any counter of system calls by
 * number does at sys_exit (tp_btf, as syscalltrace's), syscalltrace -s
 * --no-latency's floor: the number from the saved registers, one per-CPU
 * slot per number (the last for any beyond), its count and, for a return
 * in the errno range, its errors. No filter, no self-exclusion, no
 * 32-bit check: what syscalltrace adds is measured against this.
 */
#include "tk.bpf.h"

#define FLOOR_NAME_LEN 256

struct floor_rec {
	struct tk_hdr hdr;
	__s64 ret;
	char name[FLOOR_NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} floor_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_rec);
} floor_buf SEC(".maps");

__u64 floor_lost = 0; /* records the ring had no room for (tkfloor says how many) */

SEC("tp/syscalls/sys_exit_openat")
int floor_record(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	struct floor_rec *r;
	__u32 zero = 0;
	long n;

	r = bpf_map_lookup_elem(&floor_buf, &zero);
	if (!r)
		return TK_TP_KEEP;
	tk_fill_hdr_task(&r->hdr, 0, t, tk_task_cgroup_id(t));
	r->ret = ctx->ret;
	n = bpf_probe_read_user_str(r->name, sizeof(r->name), (const void *)regs->si);
	if (n < 0)
		n = 0;
	if (n > FLOOR_NAME_LEN)
		n = FLOOR_NAME_LEN;
	if (bpf_ringbuf_output(&floor_rb, r, offsetof(struct floor_rec, name) + n,
			       BPF_RB_NO_WAKEUP))
		__sync_fetch_and_add(&floor_lost, 1);
	return TK_TP_KEEP;
}

#define FLOOR_NR_SLOTS 1024

struct floor_stat {
	__u64 count, errors;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOOR_NR_SLOTS);
	__type(key, __u32);
	__type(value, struct floor_stat);
} floor_counts SEC(".maps");

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_count, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	__u32 slot = (unsigned long)nr < FLOOR_NR_SLOTS ? nr : FLOOR_NR_SLOTS - 1;
	struct floor_stat *st = bpf_map_lookup_elem(&floor_counts, &slot);

	if (!st)
		return 0;
	st->count++;
	if (ret < 0 && ret >= -4095)
		st->errors++;
	return 0;
}
