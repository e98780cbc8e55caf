/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filetrace: opens, reads/writes, close, unlink, rename, truncate, mkdir,
 * with absolute paths, inode/dev/size, and errors.
 *
 * Shape: two programs for every syscall, each verified once and attached
 * by the runtime at the selected calls' tracepoints (the events'
 * tracepoints lists in user/filetrace.c): file_enter on sys_enter_*,
 * file_exit on sys_exit_*. Every syscall tracepoint of a kind has one
 * layout (struct sys_tp), and each dispatches on the syscall number
 * through targ_call_of_nr. file_enter keeps only what must be taken when
 * the call starts (the filters' verdict, the cgroup for --cgroup and
 * --per-cgroup, close's file) in a per-thread entry, and is loaded only
 * when one of those is needed (targ_entry): the default opens, unlinks and
 * renames take one program per call. file_exit reads the arguments from the task's saved
 * registers (args_of()), applies the result filters (-x), builds the
 * paths with tk_path.bpf.h in this nesting level's scratch slot (paths
 * need room a BPF stack does not have), applies --path, and only then
 * appends them to the record (include/tk_event.h: strings packed at their
 * lengths): a rejected path never enters a byte that is sent.
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

/*
 * Syscall number -> TK_FC_* (0: not traced), filled by userspace from its
 * <sys/syscall.h>: the numbers are the architecture's. Read with a
 * variable index, so the verifier checks one program for every call.
 */
const volatile __u8 targ_call_of_nr[TK_FILE_NR_MAX] = {};
/*
 * file_enter runs: calls are admitted and (close) looked up when they
 * start. Only with close selected or targ_cgroup_at_entry: else file_exit
 * does it all, and the enter program is not loaded.
 */
const volatile bool targ_entry = true;
/*
 * --cgroup and --per-cgroup: a call is attributed to (and filtered by) the
 * cgroup it started in, kept by file_enter. Without them a record's
 * cgroup_id is the task's at the exit: the same, except for a task moved
 * while in the call (a read blocked on a fifo), which is then reported in
 * the cgroup it ended in.
 */
const volatile bool targ_cgroup_at_entry = true;

/* ---- per-thread state between sys_enter and sys_exit ------------------- */
/*
 * The per-thread map is task-local storage: keyed by the thread itself, so
 * no tid can collide, nothing needs deleting, and an entry goes with its
 * thread. One helper call per enter and per exit; a tid-keyed hash map
 * needed three (update, lookup, delete), each taking a bucket lock
 * (measured: ~300 ns per enter on the reference VM). Only what the exit
 * cannot know is kept: the arguments are still in the saved registers.
 */
struct pending {
	struct file *file; /* close: the file, looked up before it goes */
	__u64 cgroup_id;   /* at entry (records, --per-cgroup): see file_enter */
	__u16 call;        /* TK_FC_*; 0: no call in flight */
	__u16 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending SEC(".maps");

/* A call's arguments and what its entry kept, as the exit uses them. */
struct args {
	const char *name;  /* user pointer: path argument */
	const char *name2; /* user pointer: rename's new path */
	__u64 arg;         /* count, length, or openat2's struct open_how * */
	struct file *file; /* close: from the entry */
	__u64 cgroup_id;   /* from the entry */
	__s32 fd;          /* fd, or dirfd of *at calls */
	__s32 fd2;         /* rename: new dirfd */
	__u32 flags;
	__u32 mode;
};

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

/* tk_path_at()'s copy of the name: the filename just read into the
 * record, so the caller's memory is read once. Not a cut one: the path
 * goes on to PATH_MAX. */
#define KNAME(s, flen) .kname = (flen) < TK_FILE_NAME_LEN ? (s)->rec + FIXED : NULL, .klen = (flen)
_Static_assert(TK_FILE_NAME_LEN <= TK_PATH_KNAME_MAX, "a filename fits tk_path_at's copy");

/* Appends the path built in s->pw (len bytes and its NUL) to the record
 * at offset at; returns the bytes appended. */
static __always_inline __u32 put_path(struct scratch *s, __u32 at, __u32 len)
{
	at = tk_bounded(at, TK_RENAME_MAX - TK_FILE_PATH_LEN);
	return tk_path_copy(s->rec + at, &s->pw, len);
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
		if (targ_path_len && !path_match(tk_path_str(&s->pw)))
			return;
		__builtin_memset(n, 0, sizeof(*n));
		n->i_mode = ino->i_mode;
		bpf_get_current_comm(n->comm, sizeof(n->comm));
		bpf_probe_read_kernel(n->path, tk_bounded(len + 1, sizeof(n->path)), tk_path_str(&s->pw));
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
					   struct task_struct *t, struct args p,
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
			len = tk_path_at(&s->pw, &(struct tk_path_req){
				.task = t, .fd = p.fd, .name = p.name, KNAME(s, flen) });
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
				.task = t, .fd = TK_AT_FDCWD, .name = p.name, KNAME(s, flen) });
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
			tk_path_none(&s->pw);
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
		len = tk_path_at(&s->pw, &(struct tk_path_req){
			.task = t, .fd = p.fd, .name = p.name, KNAME(s, flen) });
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
		nmatch = !targ_path_len || path_match(tk_path_str(&s->pw));
		nlen = put_path(s, FIXED + flen, len);
		len = tk_path_at(&s->pw, &(struct tk_path_req){
			.task = t, .fd = p.fd, .name = p.name, KNAME(s, flen) });
		if (!nmatch && !path_match(tk_path_str(&s->pw)))
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
	if (targ_path_len && !path_match(tk_path_str(&s->pw)))
		return;
	e->truncated = s->pw.cut;
	e->filename_len = flen;
	n = put_path(s, FIXED + flen, len);
	e->path_len = n;
	e->__pad1 = 0;
	tk_fill_hdr_task(&e->hdr, ev, t, p.cgroup_id);
	tk_output_var(ctx, s->rec, FIXED + flen + n, TK_FILE_MAX);
}

/* ---- the programs ---------------------------------------------------------- */

/*
 * What every syscalls:sys_enter_* and sys_exit_* tracepoint starts with
 * (tracefs format: the common fields, __syscall_nr; then ret at exit).
 * Each program reads no further than its kind's shortest record (an
 * enter reads no argument: sys_enter_close's record ends after one), so
 * the kernel lets it attach at every one of them.
 */
struct sys_tp {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret; /* sys_exit_* only */
};

static __always_inline __u32 call_of(const struct sys_tp *ctx)
{
	__u32 nr = ctx->nr;

	return nr < TK_FILE_NR_MAX ? targ_call_of_nr[nr] : 0;
}

/*
 * The syscall's arguments from the registers the task saved on entry: on
 * x86-64 they stay in pt_regs until the return to user space (only ax
 * gets the result, after a ptrace or seccomp change they hold what the
 * call got), so the exit reads what the entry would have. 32-bit calls
 * never reach a syscalls:* tracepoint on x86-64 (the kernel ignores
 * compat syscalls there), so the 64-bit ABI is the only one.
 */
#if defined(__TARGET_ARCH_x86)
#define SYS_ARG(r, i)                                                            \
	((i) == 0 ? (r)->di : (i) == 1 ? (r)->si : (i) == 2 ? (r)->dx :          \
	 (i) == 3 ? (r)->r10 : (i) == 4 ? (r)->r8 : (r)->r9)
#else
#error "filetrace reads syscall arguments at sys_exit from x86-64's saved registers; another architecture needs its own SYS_ARG (its syscall ABI's registers)"
#endif

/* Which argument is which, per call; calls without a dirfd get the cwd's. */
static __always_inline void args_of(struct args *a, __u32 call, const struct pt_regs *r)
{
	const char *arg0 = (const char *)SYS_ARG(r, 0), *arg1 = (const char *)SYS_ARG(r, 1);

	a->fd = TK_AT_FDCWD;
	switch (call) {
	case TK_FC_open:
		a->name = arg0;
		a->flags = SYS_ARG(r, 1);
		a->mode = SYS_ARG(r, 2);
		break;
	case TK_FC_openat:
	case TK_FC_mkdirat:
		a->fd = SYS_ARG(r, 0);
		a->name = arg1;
		a->flags = call == TK_FC_openat ? SYS_ARG(r, 2) : 0;
		a->mode = call == TK_FC_openat ? SYS_ARG(r, 3) : SYS_ARG(r, 2);
		break;
	case TK_FC_openat2:
		a->fd = SYS_ARG(r, 0);
		a->name = arg1;
		a->arg = SYS_ARG(r, 2);
		break;
	case TK_FC_creat:
		a->name = arg0;
		a->flags = O_CREAT_ | O_WRONLY_ | O_TRUNC_;
		a->mode = SYS_ARG(r, 1);
		break;
	case TK_FC_read:
	case TK_FC_pread64:
	case TK_FC_write:
	case TK_FC_pwrite64:
		/* fd, count */
		a->fd = SYS_ARG(r, 0);
		a->arg = SYS_ARG(r, 2);
		break;
	case TK_FC_readv:
	case TK_FC_preadv:
	case TK_FC_preadv2:
	case TK_FC_writev:
	case TK_FC_pwritev:
	case TK_FC_pwritev2:
		/* fd, iovec array, its count (in flags) */
		a->fd = SYS_ARG(r, 0);
		a->arg = SYS_ARG(r, 1);
		a->flags = SYS_ARG(r, 2);
		break;
	case TK_FC_close:
		a->fd = SYS_ARG(r, 0);
		break;
	case TK_FC_unlink:
	case TK_FC_rmdir:
		a->name = arg0;
		break;
	case TK_FC_unlinkat:
		a->fd = SYS_ARG(r, 0);
		a->name = arg1;
		break;
	case TK_FC_rename:
		a->name = arg0;
		a->fd2 = TK_AT_FDCWD;
		a->name2 = arg1;
		break;
	case TK_FC_renameat:
	case TK_FC_renameat2:
		a->fd = SYS_ARG(r, 0);
		a->name = arg1;
		a->fd2 = SYS_ARG(r, 2);
		a->name2 = (const char *)SYS_ARG(r, 3);
		a->flags = call == TK_FC_renameat2 ? SYS_ARG(r, 4) : 0;
		break;
	case TK_FC_truncate:
		a->name = arg0;
		a->arg = SYS_ARG(r, 1);
		break;
	case TK_FC_ftruncate:
		a->fd = SYS_ARG(r, 0);
		a->arg = SYS_ARG(r, 1);
		break;
	case TK_FC_mkdir:
		a->name = arg0;
		a->mode = SYS_ARG(r, 1);
		break;
	}
}

static __always_inline __u32 event_of(__u32 call)
{
	if (call <= TK_FC_creat)
		return TK_EV_open;
	if (call <= TK_FC_preadv2)
		return TK_EV_read;
	if (call <= TK_FC_pwritev2)
		return TK_EV_write;
	if (call == TK_FC_close)
		return TK_EV_close;
	if (call <= TK_FC_rmdir)
		return TK_EV_unlink;
	if (call <= TK_FC_renameat2)
		return TK_EV_rename;
	if (call <= TK_FC_ftruncate)
		return TK_EV_truncate;
	return TK_EV_mkdir;
}

/*
 * Every sys_enter_* of a selected call (loaded only with targ_entry): the
 * process filters, then (targ_cgroup_at_entry) the cgroup the call starts
 * in, the one tk_want() admitted: the record (or the --per-cgroup row) is
 * its, even if the task moves before the exit.
 */
SEC("tp/syscalls/sys_enter_openat")
int file_enter(struct sys_tp *ctx)
{
	__u32 call = call_of(ctx);
	struct task_struct *t;
	struct pending *p;

	if (!call)
		return TK_TP_KEEP;
	t = bpf_get_current_task_btf();
	if (!tk_want_current_task(t))
		return TK_TP_KEEP;
	p = bpf_task_storage_get(&pending, t, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		tk_count(TK_STAT_LOST); /* no memory: the event cannot be reported */
		return TK_TP_KEEP;
	}
	/* close: the file leaves the fd table before sys_exit */
	p->file = call == TK_FC_close ? tk_fd_file(t, SYS_ARG(tk_task_regs(t), 0)) : NULL;
	if (targ_cgroup_at_entry && (!targ_summary || targ_per_cgroup))
		p->cgroup_id = tk_task_cgroup_id(TK_CAST(struct task_struct, t));
	p->call = call;
	return TK_TP_KEEP;
}

/*
 * Every sys_exit_* of a selected call. The record is built in this
 * nesting level's scratch slot, given back on every path
 * (tk_scratch_get()).
 */
SEC("tp/syscalls/sys_exit_openat")
int file_exit(struct sys_tp *ctx)
{
	__u32 call = call_of(ctx);
	struct task_struct *t;
	struct pt_regs *regs;
	struct args a = {};
	struct scratch *s;
	long ret = ctx->ret;

	if (!call)
		return TK_TP_KEEP;
	t = bpf_get_current_task_btf();
	if (targ_entry) {
		struct pending *pp = bpf_task_storage_get(&pending, t, NULL, 0);

		/* no entry, or one left by a call whose exit we did not see */
		if (!pp || pp->call != call)
			return TK_TP_KEEP;
		pp->call = 0;
		a.file = pp->file;
		if (targ_cgroup_at_entry)
			a.cgroup_id = pp->cgroup_id;
	} else if (!tk_want_current_task(t)) {
		return TK_TP_KEEP;
	}
	if (tk_failed_only && ret >= 0)
		return TK_TP_KEEP;
	regs = tk_task_regs(t);
	/* from here on t is only read: untrusted (TK_CAST, tk_path.bpf.h) */
	t = TK_CAST(struct task_struct, t);
	/* the cgroup the record is attributed to, when the entry did not keep it */
	if (!targ_cgroup_at_entry && !targ_summary)
		a.cgroup_id = tk_task_cgroup_id(t);
	args_of(&a, call, regs);
	s = tk_scratch_get();
	if (!s)
		return TK_TP_KEEP; /* counted by tk_scratch_get() */
	build_and_send(ctx, event_of(call), call, ret, t, a, s);
	tk_scratch_put();
	return TK_TP_KEEP;
}

TK_FOLLOW_PROGRAMS(file)
