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
 * The "+fields" program: filetrace's whole record of an open, every field
 * it reports (the header, return value, name, fd, flags, mode, inode,
 * device, size and the kernel-resolved path), made by the same reads and
 * the same walk (tk_path.bpf.h) into one per-CPU buffer and copied into
 * the ring as +record's is. What filetrace's machinery costs on top of its
 * fields (the call dispatch, the filters, the wakeup policy, the
 * nesting-safe scratch slot, the emitted counter) is what it adds over
 * this. A failed open gets no path here (filetrace joins its name with the
 * cwd): the bench's opens all succeed.
 *
 * And the "+count" program: the least that any counter of system calls by
 * number does at sys_exit (tp_btf, as syscalltrace's), syscalltrace -s
 * --no-latency's floor: the number from the saved registers, one per-CPU
 * slot per number (the last for any beyond), its count and, for a return
 * in the errno range, its errors. No filter, no self-exclusion, no
 * 32-bit check: what syscalltrace adds is measured against this.
 */
#include "tk.bpf.h"
#include "tk_path.bpf.h"

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
	struct pt_regs *regs = tk_task_regs(t);
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

/* +fields: filetrace's record (struct tk_file_event, then the name and the
 * path, packed) and the walk's work area */
#define FIXED sizeof(struct tk_file_event)

struct floor_fields_buf {
	char rec[FIXED + TK_FILE_NAME_LEN + TK_PATH_MAX];
	struct tk_path_work pw;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_fields_buf);
} floor_fields_buf SEC(".maps");

SEC("tp/syscalls/sys_exit_openat")
int floor_fields(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = tk_task_regs(t);
	struct floor_fields_buf *b;
	struct tk_file_event *e;
	struct file *f = NULL;
	long ret = ctx->ret, n;
	__u32 zero = 0, len = 0, flen;

	b = bpf_map_lookup_elem(&floor_fields_buf, &zero);
	if (!b)
		return TK_TP_KEEP;
	e = (struct tk_file_event *)b->rec;
	n = bpf_probe_read_user_str(b->rec + FIXED, TK_FILE_NAME_LEN, (const void *)regs->si);
	if (n <= 0) {
		b->rec[FIXED] = 0;
		n = 1;
	}
	flen = tk_bounded(n, TK_FILE_NAME_LEN);
	e->call = TK_FC_openat;
	e->ret = ret;
	e->fd = ret >= 0 ? ret : -1;
	e->__pad0 = 0;
	e->requested = 0;
	e->bytes = 0;
	if (ret >= 0)
		f = tk_fd_file(t, ret);
	b->pw.cut = 0;
	if (f) {
		struct inode *ino = f->f_inode;

		e->inode = ino->i_ino;
		e->dev = ino->i_sb->s_dev;
		e->size = ino->i_size;
		len = tk_path_of(&b->pw, &(struct tk_path_req){ .task = t, .at = &f->f_path });
	} else {
		e->inode = 0;
		e->dev = 0;
		e->size = 0;
		tk_path_none(&b->pw);
	}
	/* as filetrace: what was asked for (O_CREAT, O_TMPFILE: the mode) */
	e->flags = regs->dx;
	e->mode = regs->dx & (0100 | 020000000) ? regs->r10 : 0;
	e->truncated = b->pw.cut;
	e->filename_len = flen;
	n = tk_path_copy(b->rec + FIXED + flen, &b->pw, len);
	e->path_len = n;
	e->__pad1 = 0;
	tk_fill_hdr_task(&e->hdr, TK_EV_open, t, tk_task_cgroup_id(t));
	if (bpf_ringbuf_output(&floor_rb, b->rec, tk_bounded(FIXED + flen + n, sizeof(b->rec)),
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
