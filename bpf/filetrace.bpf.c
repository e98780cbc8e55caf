/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filetrace: opens, reads/writes, close, unlink, rename, truncate, mkdir,
 * with absolute paths, inode/dev/size, and errors.
 *
 * Shape: each syscall's sys_enter_* program stashes its arguments in a
 * per-thread entry (pending, keyed by tid) after the cheap process filters;
 * its sys_exit_* program takes the entry, applies the result filters (-x),
 * builds the paths in a per-CPU work area (paths need room a BPF stack
 * does not have), applies --path, and only then appends them to the
 * record (include/tk_event.h: strings packed at their lengths): a rejected
 * path never enters a byte that is sent.
 *
 * Kernel structures are read through BTF pointers (bpf_get_current_task_btf
 * and bpf_rdonly_cast): each field is one inlined, fault-safe load instead
 * of a bpf_probe_read_kernel() call, which is what makes a path walk cheap.
 * All offsets are CO-RE relocated against the running kernel's BTF.
 */
/* the scratch area holds struct scratch below (a static assert checks) */
#define TK_SCRATCH_SIZE (18 * 1024)
#include "tk.bpf.h"

const volatile bool targ_summary = false;      /* -s: aggregate, emit nothing */
const volatile char targ_path[TK_FILE_NAME_LEN] = {}; /* --path, no trailing '/' */
const volatile __u32 targ_path_len = 0;        /* 0: no --path */

#define AT_FDCWD_ (-100)
/* asm-generic values (x86, arm64, riscv, s390, powerpc); alpha/sparc/parisc
 * differ and would need their own */
#define O_CREAT_ 0100
#define O_WRONLY_ 01
#define O_TRUNC_ 01000
#define O_TMPFILE_ 020000000
#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000

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
 * Per-CPU build area: tk.bpf.h's scratch map. Syscall tracepoint programs
 * run with preemption disabled (perf's syscall probes guard it), so one
 * CPU's buffer has one user at a time. The slack area lets the verifier
 * accept a component copied at a variable offset up to the end of path.
 */
#define NAME_MASK 255 /* NAME_MAX: one component */
#define WALK_MAX 48   /* components + mount crossings per path */
#define COMP_MAX 64   /* >= WALK_MAX, a power of two */
#define SLACK (TK_FILE_PATH_LEN + 64) /* path_at joins a name of up to a full path */

struct scratch {
	/* the record as sent: fixed part, filename, [newpath,] path; 8 more
	 * bytes for the perf pad (tk_output_var) */
	union {
		struct tk_file_event f;
		struct tk_rename_event r;
		char rec[TK_RENAME_MAX + 8];
	};
	char path[TK_FILE_PATH_LEN]; /* the path being built */
	char slack[SLACK];
	struct tk_file_top_val top;
	__u64 comp[COMP_MAX]; /* the path's dentries, deepest first */
	__u32 ncomp;          /* entries in comp */
	__u32 total;          /* bytes of "/name" for all of them */
	__u32 off;            /* write position while copying */
	__u32 cut;            /* something was truncated */
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

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define CAST(type, p) ((type *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(type)))

/*
 * The struct file behind fd in task t, or NULL. fdt->fd is a struct file
 * ** which BTF access gives as a number; the slot is read through a cast
 * to struct kiocb, whose first member is a struct file * (ki_filp): one
 * inlined load instead of a bpf_probe_read_kernel() call.
 */
static __always_inline struct file *fd_file(struct task_struct *t, int fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct file **arr;

	if (fd < 0 || (__u32)fd >= fdt->max_fds)
		return NULL;
	arr = fdt->fd;
	return CAST(struct kiocb, &arr[fd])->ki_filp;
}

static __always_inline struct mount *real_mount(struct vfsmount *vm)
{
	return CAST(struct mount, (unsigned long)vm - bpf_core_field_offset(struct mount, mnt));
}

/*
 * The absolute path of (d, vm), as d_path() would give it, relative to the
 * current process's root: walk d_parent to the mount's root, step to the
 * mountpoint in the parent mount, repeat; then copy the names root first.
 *
 * Two passes, each a bpf_loop() callback: the verifier checks a step once,
 * not once per iteration and call site (an unrolled 48-step walk cost ~60k
 * verifier instructions and ~90 ms of load time per program). Loop state
 * lives in the map value, where the verifier sees it as unknown, so the
 * callbacks' states converge at once.
 *
 * Pass 1 (walk_step) records the dentries. Pass 2 (copy_step) copies each
 * name after a '/': a name stored inside the dentry (d_shortname, names
 * up to 39 bytes) is copied with five plain loads, others with one
 * bpf_probe_read_kernel(). A path longer than its buffer keeps its file
 * end and sets s->cut; so does one deeper than WALK_MAX steps.
 */
struct walk {
	struct dentry *d, *root_d;
	struct vfsmount *vm, *root_m;
	struct mount *m;
	struct scratch *s;
	__u32 done;
};

static long walk_step(__u32 i, void *arg)
{
	struct walk *w = arg;
	struct scratch *s = w->s;
	struct dentry *d = w->d, *parent;
	struct vfsmount *vm = w->vm;
	__u32 n, len;

	if (!s)
		return 1;
	if (d == w->root_d && vm == w->root_m)
		goto done;
	parent = d->d_parent;
	if (d == vm->mnt_root || d == parent) {
		struct mount *pm = w->m->mnt_parent;

		if (w->m == pm || !pm)
			goto done; /* namespace root, or an internal mount */
		w->d = w->m->mnt_mountpoint;
		w->m = pm;
		w->vm = &pm->mnt;
		return 0;
	}
	len = d->d_name.len;
	n = s->ncomp;
	if (len > NAME_MASK || n >= COMP_MAX) {
		s->cut = 1;
		goto done;
	}
	s->comp[n & (COMP_MAX - 1)] = (__u64)d;
	s->ncomp = n + 1;
	s->total += len + 1;
	w->d = parent;
	return 0;
done:
	w->done = 1;
	return 1;
}

struct copy {
	struct scratch *s;
	char *dst;
	__u32 cap; /* dst's size: a power of two */
};

static long copy_step(__u32 i, void *arg)
{
	struct copy *c = arg;
	struct scratch *s = c->s;
	char *dst = c->dst;
	__u32 n, mask = c->cap - 1, off, len, total;
	struct dentry *d;
	const void *name;

	if (!s || !dst)
		return 1;
	n = s->ncomp;
	if (i >= n)
		return 1;
	d = CAST(struct dentry, s->comp[(n - 1 - i) & (COMP_MAX - 1)]);
	len = d->d_name.len & NAME_MASK;
	total = s->total;
	if (total + 1 > c->cap) {
		/* does not fit: drop this top component */
		s->total = total - (len + 1);
		s->cut = 1;
		return 0;
	}
	off = s->off;
	dst[off & mask] = '/';
	off = (off + 1) & mask;
	name = d->d_name.name;
	if (bpf_core_field_exists(d->d_shortname) &&
	    name == (void *)&d->d_shortname && len < sizeof(d->d_shortname)) {
		__u64 *o = (__u64 *)&dst[off];

		o[0] = d->d_shortname.words[0];
		o[1] = d->d_shortname.words[1];
		o[2] = d->d_shortname.words[2];
		o[3] = d->d_shortname.words[3];
		o[4] = d->d_shortname.words[4];
	} else {
		bpf_probe_read_kernel(&dst[off], len, name);
	}
	s->off = off + len;
	return 0;
}

/*
 * Pipes, sockets and anonymous inodes live on internal mounts and have no
 * path; like the kernel's d_dname() (/proc/PID/fd), name them
 * pipe:[ino], socket:[ino], anon_inode:NAME, or FSTYPE:[ino].
 */
#define PIPEFS_MAGIC_ 0x50495045
#define SOCKFS_MAGIC_ 0x534F434B
#define ANON_INODE_FS_MAGIC_ 0x09041934

struct pseudo_buf {
	char s[64];
};

/* A global function: the verifier checks it once per program, not once
 * per call site. dentry comes as a number (global functions take no
 * kernel pointers) and is cast back. */
__noinline __u32 file_pseudo_name(struct pseudo_buf *buf, __u64 dentry)
{
	struct dentry *d = CAST(struct dentry, dentry);
	char *dst = buf ? buf->s : NULL;
	struct super_block *sb = d->d_sb;
	__u64 ino = d->d_inode->i_ino;
	__u32 off = 0, magic = sb->s_magic;
	char digits[32];
	int i, n = 0;
	long r;

	if (!dst)
		return 0;
	if (magic == ANON_INODE_FS_MAGIC_) {
		__builtin_memcpy(dst, "anon_inode:", 11);
		r = bpf_probe_read_kernel_str(dst + 11, sizeof(buf->s) - 11, d->d_name.name);
		return r > 0 ? 11 + r - 1 : 11;
	}
	if (magic == PIPEFS_MAGIC_) {
		__builtin_memcpy(dst, "pipe:[", 6);
		off = 6;
	} else if (magic == SOCKFS_MAGIC_) {
		__builtin_memcpy(dst, "socket:[", 8);
		off = 8;
	} else {
		r = bpf_probe_read_kernel_str(dst, 32, sb->s_type->name);
		off = r > 0 ? (r - 1) & 31 : 0;
		dst[off++] = ':';
		dst[off++] = '[';
	}
	do { /* decimal, least significant digit first */
		digits[n & 31] = '0' + ino % 10;
		ino /= 10;
		n++;
	} while (ino && n < 20);
	for (i = 0; i < 20 && i < n; i++)
		dst[(off + i) & 63] = digits[(n - 1 - i) & 31];
	off = (off + n) & 63;
	dst[off++] = ']';
	dst[off] = 0;
	return off;
}

/* Writes the path of (d, vm) to dst (cap bytes); returns its length. */
static __always_inline __u32 path_of(struct task_struct *t, struct scratch *s, char *dst, __u32 cap,
				     struct dentry *d, struct vfsmount *vm)
{
	struct fs_struct *fs = t->fs;
	struct walk w = {
		.d = d, .vm = vm, .m = real_mount(vm), .s = s,
		.root_d = fs->root.dentry, .root_m = fs->root.mnt,
	};
	struct copy c = { .s = s, .dst = dst, .cap = cap };
	const struct dentry_operations *op = d->d_op;
	__u32 off;

	if (op && op->d_dname && d == d->d_parent)
	{
		/* through memory: the verifier then sees a number, not a pointer */
		s->comp[0] = (__u64)d;
		return file_pseudo_name((struct pseudo_buf *)dst, *(volatile __u64 *)&s->comp[0]) &
		       63;
	}
	s->ncomp = 0;
	s->total = 0;
	s->off = 0;
	bpf_loop(WALK_MAX, walk_step, &w, 0);
	if (!w.done)
		s->cut = 1; /* deeper than WALK_MAX */
	if (!s->ncomp) {
		dst[0] = '/';
		dst[1] = 0;
		return 1;
	}
	bpf_loop(COMP_MAX, copy_step, &c, 0);
	off = s->off & (cap - 1);
	dst[off] = 0;
	return off;
}

/*
 * The absolute path for a name passed to a syscall: the name itself when
 * absolute, else the cwd's (dirfd == AT_FDCWD) or dirfd's path joined with
 * it. Lexical, like the kernel's own view before lookup: "..", "." and
 * symlinks stay as given. Returns the length without the NUL.
 */
static __always_inline __u32 path_at(struct task_struct *t, struct scratch *s, char *dst, int dirfd,
				     const char *name)
{
	__u32 len = 0;
	char c = 0;
	long n;

	bpf_probe_read_user(&c, 1, name);
	if (c != '/') {
		struct dentry *d;
		struct vfsmount *vm;

		if (dirfd == AT_FDCWD_) {
			struct fs_struct *fs = t->fs;

			d = fs->pwd.dentry;
			vm = fs->pwd.mnt;
		} else {
			struct file *f = fd_file(t, dirfd);

			if (!f)
				goto join; /* bad dirfd: the name as given */
			d = f->f_path.dentry;
			vm = f->f_path.mnt;
		}
		len = path_of(t, s, dst, TK_FILE_PATH_LEN, d, vm);
		if (len >= TK_FILE_PATH_LEN - 1) {
			/* no room for "/name": keep the directory, marked cut
			 * (masking len past the end would wrap it to 0) */
			s->cut = 1;
			len = TK_FILE_PATH_LEN - 1;
		} else if (len > 1) { /* not "/" */
			dst[len++ & (TK_FILE_PATH_LEN - 1)] = '/';
		} else {
			len = 1;
		}
	}
join:
	len &= TK_FILE_PATH_LEN - 1;
	n = bpf_probe_read_user_str(&dst[len], TK_FILE_PATH_LEN - len, name);
	if (n <= 0) {
		dst[len] = 0;
		return len;
	}
	if ((__u32)n == TK_FILE_PATH_LEN - len)
		s->cut = 1; /* filled to the end: the name may go on */
	return len + n - 1;
}

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
			s->cut = 1;
	}
	return tk_bounded(n, TK_FILE_NAME_LEN);
}

/* Appends the path built in s->path (len bytes and its NUL) to the record
 * at offset at; returns the bytes appended. */
static __always_inline __u32 put_path(struct scratch *s, __u32 at, __u32 len)
{
	__u32 n = tk_bounded(len + 1, TK_FILE_PATH_LEN);

	at = tk_bounded(at, TK_RENAME_MAX - TK_FILE_PATH_LEN);
	bpf_probe_read_kernel(s->rec + at, n, s->path);
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

static __always_inline void stash(__u16 call, int fd, const char *name, const char *name2,
				  __u64 arg, __u32 flags, __u32 mode, int fd2)
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
	p->name = name;
	p->name2 = name2;
	p->arg = arg;
	p->fd = fd;
	p->fd2 = fd2;
	p->flags = flags;
	p->mode = mode;
	/* close: the file leaves the fd table before sys_exit */
	p->file = call == TK_FC_close ? fd_file(t, fd) : NULL;
	p->call = call;
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

/* -s: count the operation against (dev, inode, pid). */
static __always_inline void top_account(struct task_struct *t, struct scratch *s, struct file *f,
					__u32 ev, long ret)
{
	struct tk_file_top_key key = {};
	struct tk_file_top_val *v;
	struct inode *ino = f->f_inode;

	key.dev = ino->i_sb->s_dev;
	key.inode = ino->i_ino;
	key.pid = t->tgid;
	key.generation = ino->i_generation;
	v = bpf_map_lookup_elem(&file_top, &key);
	if (!v) {
		struct tk_file_top_val *n = &s->top;
		__u32 len;

		/* built aside and copied at its length: the value's path tail
		 * stays zero (userspace reads the whole value) */
		len = path_of(t, s, s->path, sizeof(n->path), f->f_path.dentry, f->f_path.mnt);
		if (targ_path_len && !path_match(s->path))
			return;
		__builtin_memset(n, 0, sizeof(*n));
		n->i_mode = ino->i_mode;
		bpf_get_current_comm(n->comm, sizeof(n->comm));
		bpf_probe_read_kernel(n->path, tk_bounded(len + 1, sizeof(n->path)), s->path);
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
		f = fd_file(t, ev == TK_EV_open ? ret : p.fd);
		if (f)
			top_account(t, s, f, ev, ret);
		return;
	}

	s->cut = 0;
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
			f = fd_file(t, ret);
		if (f) {
			fill_file(e, f);
			len = path_of(t, s, s->path, TK_FILE_PATH_LEN, f->f_path.dentry,
				      f->f_path.mnt);
		} else {
			clear_file(e);
			len = path_at(t, s, s->path, p.fd, p.name);
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
			len = path_at(t, s, s->path, AT_FDCWD_, p.name);
			break;
		}
		flen = no_filename(s);
		e->fd = p.fd;
		/* a file pointer from a map is a number to the verifier: cast it
		 * back. It is still valid here: close's final fput runs from
		 * task_work on the way back to user space, after sys_exit. */
		if (call == TK_FC_close)
			f = p.file ? CAST(struct file, p.file) : NULL;
		else
			f = fd_file(t, p.fd);
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
			s->path[0] = 0;
			len = 0;
			break;
		}
		fill_file(e, f);
		len = path_of(t, s, s->path, TK_FILE_PATH_LEN, f->f_path.dentry, f->f_path.mnt);
		break;
	case TK_EV_unlink:
	case TK_EV_mkdir:
		flen = get_filename(s, p.name);
		e->fd = -1;
		clear_file(e);
		if (ev == TK_EV_mkdir)
			e->mode = p.mode;
		len = path_at(t, s, s->path, p.fd, p.name);
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
		len = path_at(t, s, s->path, p.fd2, p.name2);
		nmatch = !targ_path_len || path_match(s->path);
		nlen = put_path(s, FIXED + flen, len);
		len = path_at(t, s, s->path, p.fd, p.name);
		if (!nmatch && !path_match(s->path))
			return;
		r->truncated = s->cut;
		r->filename_len = flen;
		r->newpath_len = nlen;
		n = put_path(s, FIXED + flen + nlen, len);
		r->path_len = n;
		r->__pad1 = 0;
		tk_fill_hdr_task(&r->hdr, ev, t);
		tk_output_var(ctx, s->rec, FIXED + flen + nlen + n, TK_RENAME_MAX);
		return;
	}
	default:
		return;
	}
	if (targ_path_len && !path_match(s->path))
		return;
	e->truncated = s->cut;
	e->filename_len = flen;
	n = put_path(s, FIXED + flen, len);
	e->path_len = n;
	e->__pad1 = 0;
	tk_fill_hdr_task(&e->hdr, ev, t);
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

/* open */
ENTER(open)
{
	stash(TK_FC_open, AT_FDCWD_, (const char *)A(0), NULL, 0, A(1), A(2), 0);
	return TK_TP_KEEP;
}
ENTER(openat)
{
	stash(TK_FC_openat, A(0), (const char *)A(1), NULL, 0, A(2), A(3), 0);
	return TK_TP_KEEP;
}
ENTER(openat2)
{
	stash(TK_FC_openat2, A(0), (const char *)A(1), NULL, A(2), 0, 0, 0);
	return TK_TP_KEEP;
}
ENTER(creat)
{
	stash(TK_FC_creat, AT_FDCWD_, (const char *)A(0), NULL, 0,
	      O_CREAT_ | O_WRONLY_ | O_TRUNC_, A(1), 0);
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
		stash(TK_FC_##sys, A(0), NULL, NULL, A(vec ? 1 : 2),             \
		      vec ? A(2) : 0, 0, 0);                                     \
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
	stash(TK_FC_close, A(0), NULL, NULL, 0, 0, 0, 0);
	return TK_TP_KEEP;
}
EXIT(close, close)

ENTER(unlink)
{
	stash(TK_FC_unlink, AT_FDCWD_, (const char *)A(0), NULL, 0, 0, 0, 0);
	return TK_TP_KEEP;
}
ENTER(unlinkat)
{
	stash(TK_FC_unlinkat, A(0), (const char *)A(1), NULL, 0, 0, 0, 0);
	return TK_TP_KEEP;
}
ENTER(rmdir)
{
	stash(TK_FC_rmdir, AT_FDCWD_, (const char *)A(0), NULL, 0, 0, 0, 0);
	return TK_TP_KEEP;
}
EXIT(unlink, unlink)
EXIT(unlinkat, unlink)
EXIT(rmdir, unlink)

ENTER(rename)
{
	stash(TK_FC_rename, AT_FDCWD_, (const char *)A(0), (const char *)A(1), 0, 0, 0,
	      AT_FDCWD_);
	return TK_TP_KEEP;
}
ENTER(renameat)
{
	stash(TK_FC_renameat, A(0), (const char *)A(1), (const char *)A(3), 0, 0, 0, A(2));
	return TK_TP_KEEP;
}
ENTER(renameat2)
{
	stash(TK_FC_renameat2, A(0), (const char *)A(1), (const char *)A(3), 0, A(4), 0, A(2));
	return TK_TP_KEEP;
}
EXIT(rename, rename)
EXIT(renameat, rename)
EXIT(renameat2, rename)

ENTER(truncate)
{
	stash(TK_FC_truncate, AT_FDCWD_, (const char *)A(0), NULL, A(1), 0, 0, 0);
	return TK_TP_KEEP;
}
ENTER(ftruncate)
{
	stash(TK_FC_ftruncate, A(0), NULL, NULL, A(1), 0, 0, 0);
	return TK_TP_KEEP;
}
EXIT(truncate, truncate)
EXIT(ftruncate, truncate)

ENTER(mkdir)
{
	stash(TK_FC_mkdir, AT_FDCWD_, (const char *)A(0), NULL, 0, 0, A(1), 0);
	return TK_TP_KEEP;
}
ENTER(mkdirat)
{
	stash(TK_FC_mkdirat, A(0), (const char *)A(1), NULL, 0, 0, A(2), 0);
	return TK_TP_KEEP;
}
EXIT(mkdir, mkdir)
EXIT(mkdirat, mkdir)

TK_FOLLOW_PROGRAMS(file)
