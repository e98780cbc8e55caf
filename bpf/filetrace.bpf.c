/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filetrace: opens, reads/writes, close, unlink, rename, truncate, mkdir,
 * with absolute paths, inode/dev/size, and errors.
 *
 * Shape: each syscall's sys_enter_* program stashes its arguments in a
 * per-thread entry (pending, keyed by tid) after the cheap process filters;
 * its sys_exit_* program takes the entry, applies the result filters (-x),
 * builds the paths with tk_path.bpf.h in this nesting level's scratch slot
 * (paths need room a BPF stack does not have), applies --path, and only
 * then appends them to the record (include/tk_event.h: strings packed at
 * their lengths): a rejected path never enters a byte that is sent.
 *
 * Kernel structures are read through BTF pointers, as in tk_path.bpf.h.
 */
/* the scratch area holds struct scratch below (a static assert checks) */
#define TK_SCRATCH_SIZE (18 * 1024)
#include "tk.bpf.h"
#include "tk_path.bpf.h"

const volatile bool targ_summary = false;      /* -s: aggregate, emit nothing */
const volatile bool targ_per_cgroup = false;   /* -s --per-cgroup: by cgroup, not pid */
const volatile char targ_path[TK_FILE_NAME_LEN] = {}; /* --path, no trailing '/' */
const volatile __u32 targ_path_len = 0;        /* 0: no --path */

/* asm-generic values (x86, arm64, riscv, s390, powerpc); alpha/sparc/parisc
 * differ and would need their own */
#define O_CREAT_ 0100
#define O_WRONLY_ 01
#define O_TRUNC_ 01000
#define O_TMPFILE_ 020000000

/* ---- per-thread state between sys_enter and sys_exit ------------------- */
/*
 * The per-thread map is task-local storage: keyed by the thread itself, so
 * no tid can collide, nothing needs deleting, and an entry goes with its
 * thread. One helper call per enter and per exit; a tid-keyed hash map
 * needed three (update, lookup, delete), each taking a bucket lock
 * (measured: ~300 ns per enter on the reference VM).
 */
struct pending {
	const char *name;  /* user pointer: path argument */
	const char *name2; /* user pointer: rename's new path */
	__u64 arg;         /* count, length, or openat2's struct open_how * */
	struct file *file; /* close: the file, looked up before it goes */
	__u64 cgroup_id;   /* at entry (records, --per-cgroup): see stash() */
	__s32 fd;          /* fd, or dirfd of *at calls */
	__s32 fd2;         /* rename: new dirfd */
	__u32 flags;
	__u32 mode;
	__u16 call;        /* TK_FC_*; 0: no call in flight */
	__u16 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending SEC(".maps");

/*
 * Per-CPU build area: this nesting level's tk_scratch slot (tk.bpf.h).
 * The record is built in rec; paths in pw (tk_path.bpf.h), whose cut flag
 * is also the record's "truncated" (set for a cut filename too).
 */
_Static_assert(TK_FILE_PATH_LEN == TK_PATH_MAX, "paths are built at their record size");
_Static_assert(TK_FILE_TOP_PATH_LEN <= TK_PATH_MAX &&
		       !(TK_FILE_TOP_PATH_LEN & (TK_FILE_TOP_PATH_LEN - 1)),
	       "-s paths are built with a power-of-two cap");

struct scratch {
	/* the record as sent: fixed part, filename, [newpath,] path; 8 more
	 * bytes for the perf pad (tk_output_var) */
	union {
		struct tk_file_event f;
		struct tk_rename_event r;
		char rec[TK_RENAME_MAX + 8];
	};
	struct tk_file_top_val top;
	struct tk_path_work pw;
};
_Static_assert(sizeof(struct scratch) <= TK_SCRATCH_SIZE, "struct scratch fits tk_scratch");

/* -s: per-interval counters, read and cleared by userspace. Not
 * preallocated: an element deleted while a program holds it is freed after
 * RCU, so a racing increment is lost, never credited to another file. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tk_file_top_key);
	__type(value, struct tk_file_top_val);
} file_top SEC(".maps");

/* The record's first string, right after the fixed part (the same size
 * for both structs). */
#define FIXED sizeof(struct tk_file_event)
_Static_assert(sizeof(struct tk_file_event) == sizeof(struct tk_rename_event), "one fixed part");

/* No filename: the empty string, its NUL alone. Returns its length. */
static __always_inline __u32 no_filename(struct scratch *s)
{
	s->rec[FIXED] = 0;
	return 1;
}

/* filename as passed, into the record; exact truncation check. Returns
 * the bytes it occupies (NUL included). */
static __always_inline __u32 get_filename(struct scratch *s, const char *name)
{
	long n = bpf_probe_read_user_str(s->rec + FIXED, TK_FILE_NAME_LEN, name);
	char c = 0;

	if (n <= 0)
		return no_filename(s);
	if (n == TK_FILE_NAME_LEN) {
		bpf_probe_read_user(&c, 1, name + TK_FILE_NAME_LEN - 1);
		if (c)
			s->pw.cut = 1;
	}
	return tk_bounded(n, TK_FILE_NAME_LEN);
}

/* Appends the path built in s->pw (len bytes and its NUL) to the record
 * at offset at; returns the bytes appended. */
static __always_inline __u32 put_path(struct scratch *s, __u32 at, __u32 len)
{
	__u32 n = tk_bounded(len + 1, TK_FILE_PATH_LEN);

	at = tk_bounded(at, TK_RENAME_MAX - TK_FILE_PATH_LEN);
	bpf_probe_read_kernel(s->rec + at, n, s->pw.path);
	return n;
}

/* --path: the path is PREFIX, or under it. targ_path has no trailing '/'
 * (except "/" itself, which matches everything). */
static __always_inline bool path_match(const char *p)
{
	__u32 i, n = targ_path_len;

	if (!n)
		return true;
	for (i = 0; i < TK_FILE_NAME_LEN; i++) {
		if (i >= n)
			break;
		if (p[i] != targ_path[i])
			return false;
	}
	if (n == 1)
		return true;
	return p[n & (TK_FILE_NAME_LEN - 1)] == 0 || p[n & (TK_FILE_NAME_LEN - 1)] == '/';
}

/* ---- enter ---------------------------------------------------------------- */

/* Records a call's arguments for its exit (file: looked up here). */
static __always_inline void stash(const struct pending *a)
{
	struct task_struct *t;
	struct pending *p;

	if (!tk_want())
		return;
	t = bpf_get_current_task_btf();
	p = bpf_task_storage_get(&pending, t, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		tk_count(TK_STAT_LOST); /* no memory: the event cannot be reported */
		return;
	}
	/* field by field: a struct copy had clang copy pad[] through the
	 * stack (9 more instructions per call) */
	p->name = a->name;
	p->name2 = a->name2;
	p->arg = a->arg;
	p->fd = a->fd;
	p->fd2 = a->fd2;
	p->flags = a->flags;
	p->mode = a->mode;
	/* the cgroup the call starts in, the one tk_want() admitted: the
	 * record (or the --per-cgroup row) is its, even if the task moves
	 * before the exit; the helper moves here from sys_exit */
	if (!targ_summary || targ_per_cgroup)
		p->cgroup_id = bpf_get_current_cgroup_id();
	/* close: the file leaves the fd table before sys_exit */
	p->file = a->call == TK_FC_close ? tk_fd_file(t, a->fd) : NULL;
	p->call = a->call;
}

/* ---- exit ---------------------------------------------------------------- */

static __always_inline void fill_file(struct tk_file_event *e, struct file *f)
{
	struct inode *ino = f->f_inode;

	e->flags = f->f_flags;
	e->mode = ino->i_mode;
	e->inode = ino->i_ino;
	e->dev = ino->i_sb->s_dev;
	e->size = ino->i_size;
}

static __always_inline void clear_file(struct tk_file_event *e)
{
	e->flags = 0;
	e->mode = 0;
	e->inode = 0;
	e->dev = 0;
	e->size = 0;
}

/* -s: count the operation against (dev, inode, pid or cgroup). */
static __always_inline void top_account(struct task_struct *t, struct scratch *s, struct file *f,
					__u32 ev, long ret, __u64 cgroup_id)
{
	struct tk_file_top_key key = {};
	struct tk_file_top_val *v;
	struct inode *ino = f->f_inode;

	key.dev = ino->i_sb->s_dev;
	key.inode = ino->i_ino;
	if (targ_per_cgroup)
		key.cgroup_id = cgroup_id;
	else
		key.pid = t->tgid;
	key.generation = ino->i_generation;
	v = bpf_map_lookup_elem(&file_top, &key);
	if (!v) {
		struct tk_file_top_val *n = &s->top;
		__u32 len;

		/* built aside and copied at its length: the value's path tail
		 * stays zero (userspace reads the whole value) */
		len = tk_path_of(&s->pw, &(struct tk_path_req){
			.task = t, .at = &f->f_path, .cap = sizeof(n->path) });
		if (targ_path_len && !path_match(s->pw.path))
			return;
		__builtin_memset(n, 0, sizeof(*n));
		n->i_mode = ino->i_mode;
		bpf_get_current_comm(n->comm, sizeof(n->comm));
		bpf_probe_read_kernel(n->path, tk_bounded(len + 1, sizeof(n->path)), s->pw.path);
		/* EEXIST: another CPU added it first; fine */
		bpf_map_update_elem(&file_top, &key, n, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&file_top, &key);
		if (!v) {
			tk_count(TK_STAT_LOST); /* table full */
			return;
		}
	} else if (targ_path_len && !path_match(v->path)) {
		return;
	}
	if (ev == TK_EV_open) {
		__sync_fetch_and_add(&v->opens, 1);
	} else if (ev == TK_EV_read) {
		__sync_fetch_and_add(&v->reads, 1);
		if (ret > 0)
			__sync_fetch_and_add(&v->rbytes, ret);
	} else {
		__sync_fetch_and_add(&v->writes, 1);
		if (ret > 0)
			__sync_fetch_and_add(&v->wbytes, ret);
	}
}

/* Sum of the iovec lengths of readv/writev & co (the first 64 entries). */
static __always_inline __u64 iov_total(const struct iovec *iov, __u64 cnt)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < 64; i++) {
		struct iovec v;

		if (i >= cnt || bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		sum += v.iov_len;
	}
	return sum;
}

/* The record of one sys_exit, built in s and sent (or dropped by --path). */
static __always_inline void build_and_send(void *ctx, __u32 ev, __u16 call, long ret,
					   struct task_struct *t, struct pending p,
					   struct scratch *s)
{
	struct tk_file_event *e;
	struct file *f = NULL;
	__u32 len, flen, n;

	if (targ_summary) {
		if (ret < 0 && ev == TK_EV_open)
			return;
		f = tk_fd_file(t, ev == TK_EV_open ? ret : p.fd);
		if (f)
			top_account(t, s, f, ev, ret, p.cgroup_id);
		return;
	}

	s->pw.cut = 0;
	e = &s->f;
	e->call = call;
	e->ret = ret;
	e->__pad0 = 0;
	e->requested = 0;
	e->bytes = 0;

	switch (ev) {
	case TK_EV_open:
		if (call == TK_FC_openat2) {
			struct { __u64 flags, mode, resolve; } how = {};

			bpf_probe_read_user(&how, sizeof(how), (void *)p.arg);
			p.flags = how.flags;
			p.mode = how.mode;
		}
		flen = get_filename(s, p.name);
		e->fd = ret >= 0 ? ret : -1;
		if (ret >= 0)
			f = tk_fd_file(t, ret);
		if (f) {
			fill_file(e, f);
			len = tk_path_of(&s->pw, &(struct tk_path_req){ .task = t, .at = &f->f_path });
		} else {
			clear_file(e);
			len = tk_path_at(&s->pw, &(struct tk_path_req){ .task = t, .fd = p.fd, .name = p.name });
		}
		/* what was asked for, not the file's state */
		e->flags = p.flags;
		e->mode = p.flags & (O_CREAT_ | O_TMPFILE_) ? p.mode : 0;
		break;
	case TK_EV_read:
	case TK_EV_write:
	case TK_EV_close:
	case TK_EV_truncate:
		if (call == TK_FC_truncate) {
			/* by name: no open file */
			flen = get_filename(s, p.name);
			e->fd = -1;
			clear_file(e);
			e->requested = p.arg;
			if (ret == 0)
				e->size = p.arg;
			len = tk_path_at(&s->pw, &(struct tk_path_req){
				.task = t, .fd = TK_AT_FDCWD, .name = p.name });
			break;
		}
		flen = no_filename(s);
		e->fd = p.fd;
		/* a file pointer from a map is a number to the verifier: cast it
		 * back. It is still valid here: close's final fput runs from
		 * task_work on the way back to user space, after sys_exit. */
		if (call == TK_FC_close)
			f = p.file ? TK_CAST(struct file, p.file) : NULL;
		else
			f = tk_fd_file(t, p.fd);
		if (ev == TK_EV_read || ev == TK_EV_write) {
			bool vec = call == TK_FC_readv || call == TK_FC_writev ||
				   call == TK_FC_preadv || call == TK_FC_pwritev ||
				   call == TK_FC_preadv2 || call == TK_FC_pwritev2;

			e->requested = vec ? iov_total((const struct iovec *)p.arg, p.flags) : p.arg;
			e->bytes = ret > 0 ? ret : 0;
		} else if (ev == TK_EV_truncate) {
			e->requested = p.arg;
		}
		if (!f) {
			clear_file(e);
			s->pw.path[0] = 0;
			len = 0;
			break;
		}
		fill_file(e, f);
		len = tk_path_of(&s->pw, &(struct tk_path_req){ .task = t, .at = &f->f_path });
		break;
	case TK_EV_unlink:
	case TK_EV_mkdir:
		flen = get_filename(s, p.name);
		e->fd = -1;
		clear_file(e);
		if (ev == TK_EV_mkdir)
			e->mode = p.mode;
		len = tk_path_at(&s->pw, &(struct tk_path_req){ .task = t, .fd = p.fd, .name = p.name });
		break;
	case TK_EV_rename: {
		struct tk_rename_event *r = &s->r;
		__u32 nlen;
		bool nmatch;

		flen = get_filename(s, p.name);
		r->fd = -1;
		clear_file((struct tk_file_event *)r);
		r->flags = p.flags;
		/* newpath first: it is packed before path */
		len = tk_path_at(&s->pw, &(struct tk_path_req){ .task = t, .fd = p.fd2, .name = p.name2 });
		nmatch = !targ_path_len || path_match(s->pw.path);
		nlen = put_path(s, FIXED + flen, len);
		len = tk_path_at(&s->pw, &(struct tk_path_req){ .task = t, .fd = p.fd, .name = p.name });
		if (!nmatch && !path_match(s->pw.path))
			return;
		r->truncated = s->pw.cut;
		r->filename_len = flen;
		r->newpath_len = nlen;
		n = put_path(s, FIXED + flen + nlen, len);
		r->path_len = n;
		r->__pad1 = 0;
		tk_fill_hdr_task(&r->hdr, ev, t, p.cgroup_id);
		tk_output_var(ctx, s->rec, FIXED + flen + nlen + n, TK_RENAME_MAX);
		return;
	}
	default:
		return;
	}
	if (targ_path_len && !path_match(s->pw.path))
		return;
	e->truncated = s->pw.cut;
	e->filename_len = flen;
	n = put_path(s, FIXED + flen, len);
	e->path_len = n;
	e->__pad1 = 0;
	tk_fill_hdr_task(&e->hdr, ev, t, p.cgroup_id);
	tk_output_var(ctx, s->rec, FIXED + flen + n, TK_FILE_MAX);
}

/*
 * One sys_exit handler; ev and call are constants in each program, so each
 * keeps only its own branch. The record is built in this nesting level's
 * scratch slot, given back on every path (tk_scratch_get()).
 */
static __always_inline void on_exit(void *ctx, __u32 ev, __u16 call, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pending *pp = bpf_task_storage_get(&pending, t, NULL, 0);
	struct scratch *s;
	struct pending p;

	/* no entry, or one left by a call whose exit we did not see */
	if (!pp || pp->call != call)
		return;
	p = *pp;
	pp->call = 0;
	if (tk_failed_only && ret >= 0)
		return;
	s = tk_scratch_get();
	if (!s)
		return; /* counted by tk_scratch_get() */
	build_and_send(ctx, ev, call, ret, t, p, s);
	tk_scratch_put();
}

/* ---- programs --------------------------------------------------------------- */

#define A(i) (ctx->args[i])
#define ENTER(sys)                                                               \
	SEC("tp/syscalls/sys_enter_" #sys)                                       \
	int file_##sys##_enter(struct trace_event_raw_sys_enter *ctx)
#define EXIT(sys, ev)                                                            \
	SEC("tp/syscalls/sys_exit_" #sys)                                        \
	int file_##sys##_exit(struct trace_event_raw_sys_exit *ctx)              \
	{                                                                        \
		on_exit(ctx, TK_EV_##ev, TK_FC_##sys, ctx->ret);                 \
		return TK_TP_KEEP;                                               \
	}

/* Each sys_enter names the arguments it keeps; calls without a dirfd pass
 * the cwd's. */
#define STASH(sys, ...) stash(&(struct pending){ .call = TK_FC_##sys, __VA_ARGS__ })

/* open */
ENTER(open)
{
	STASH(open, .fd = TK_AT_FDCWD, .name = (const char *)A(0), .flags = A(1), .mode = A(2));
	return TK_TP_KEEP;
}
ENTER(openat)
{
	STASH(openat, .fd = A(0), .name = (const char *)A(1), .flags = A(2), .mode = A(3));
	return TK_TP_KEEP;
}
ENTER(openat2)
{
	STASH(openat2, .fd = A(0), .name = (const char *)A(1), .arg = A(2));
	return TK_TP_KEEP;
}
ENTER(creat)
{
	STASH(creat, .fd = TK_AT_FDCWD, .name = (const char *)A(0),
	      .flags = O_CREAT_ | O_WRONLY_ | O_TRUNC_, .mode = A(1));
	return TK_TP_KEEP;
}
EXIT(open, open)
EXIT(openat, open)
EXIT(openat2, open)
EXIT(creat, open)

/* read/write: fd, count (or iovec array + count in flags) */
#define RW(sys, ev, vec)                                                         \
	ENTER(sys)                                                               \
	{                                                                        \
		STASH(sys, .fd = A(0), .arg = A(vec ? 1 : 2),                    \
		      .flags = vec ? A(2) : 0);                                  \
		return TK_TP_KEEP;                                               \
	}                                                                        \
	EXIT(sys, ev)
RW(read, read, 0)
RW(pread64, read, 0)
RW(readv, read, 1)
RW(preadv, read, 1)
RW(preadv2, read, 1)
RW(write, write, 0)
RW(pwrite64, write, 0)
RW(writev, write, 1)
RW(pwritev, write, 1)
RW(pwritev2, write, 1)

ENTER(close)
{
	STASH(close, .fd = A(0));
	return TK_TP_KEEP;
}
EXIT(close, close)

ENTER(unlink)
{
	STASH(unlink, .fd = TK_AT_FDCWD, .name = (const char *)A(0));
	return TK_TP_KEEP;
}
ENTER(unlinkat)
{
	STASH(unlinkat, .fd = A(0), .name = (const char *)A(1));
	return TK_TP_KEEP;
}
ENTER(rmdir)
{
	STASH(rmdir, .fd = TK_AT_FDCWD, .name = (const char *)A(0));
	return TK_TP_KEEP;
}
EXIT(unlink, unlink)
EXIT(unlinkat, unlink)
EXIT(rmdir, unlink)

ENTER(rename)
{
	STASH(rename, .fd = TK_AT_FDCWD, .name = (const char *)A(0),
	      .fd2 = TK_AT_FDCWD, .name2 = (const char *)A(1));
	return TK_TP_KEEP;
}
ENTER(renameat)
{
	STASH(renameat, .fd = A(0), .name = (const char *)A(1),
	      .fd2 = A(2), .name2 = (const char *)A(3));
	return TK_TP_KEEP;
}
ENTER(renameat2)
{
	STASH(renameat2, .fd = A(0), .name = (const char *)A(1),
	      .fd2 = A(2), .name2 = (const char *)A(3), .flags = A(4));
	return TK_TP_KEEP;
}
EXIT(rename, rename)
EXIT(renameat, rename)
EXIT(renameat2, rename)

ENTER(truncate)
{
	STASH(truncate, .fd = TK_AT_FDCWD, .name = (const char *)A(0), .arg = A(1));
	return TK_TP_KEEP;
}
ENTER(ftruncate)
{
	STASH(ftruncate, .fd = A(0), .arg = A(1));
	return TK_TP_KEEP;
}
EXIT(truncate, truncate)
EXIT(ftruncate, truncate)

ENTER(mkdir)
{
	STASH(mkdir, .fd = TK_AT_FDCWD, .name = (const char *)A(0), .mode = A(1));
	return TK_TP_KEEP;
}
ENTER(mkdirat)
{
	STASH(mkdirat, .fd = A(0), .name = (const char *)A(1), .mode = A(2));
	return TK_TP_KEEP;
}
EXIT(mkdir, mkdir)
EXIT(mkdirat, mkdir)

TK_FOLLOW_PROGRAMS(file)
