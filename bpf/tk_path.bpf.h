/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_path.bpf.h — kernel paths for any tracekit BPF object. Include it
 * after tk.bpf.h.
 *
 *   tk_fd_file(t, fd)        fd -> struct file * in task t's fd table
 *   tk_path_of(w, &req)      a struct path (an open file's f_path, a
 *                            task's fs->pwd, ...) -> absolute path, as
 *                            d_path() gives it for /proc/PID/fd; pipes,
 *                            sockets and anonymous inodes get their
 *                            pseudo-file names (pipe:[N], socket:[N],
 *                            anon_inode:NAME, FSTYPE:[N])
 *   tk_path_at(w, &req)      a name passed to a syscall, joined with the
 *                            cwd or a dirfd's path unless it is absolute
 *                            (read from the caller, or given: req.kname)
 *   tk_path_copy(dst, w, len) the result into a record (inline for short ones)
 *   tk_task_regs(t)          the registers task t saved on syscall entry:
 *                            a syscall's arguments, read at its exit
 *
 * fd -> path is tk_fd_file() then tk_path_of() on the file's f_path (a
 * tool usually wants the struct file for more than its path).
 *
 * Arguments come as a struct tk_path_req, written with designated
 * initialisers at the call site:
 *
 *   len = tk_path_of(&s->pw, &(struct tk_path_req){ .task = t, .at = &f->f_path });
 *   len = tk_path_at(&s->pw, &(struct tk_path_req){ .task = t, .fd = dirfd, .name = name });
 *
 * Both functions are always inlined, so the struct costs nothing: clang
 * folds its constants (cap) and the verifier sees the same code as with
 * plain arguments.
 *
 * Work area. A path needs room a 512-byte BPF stack does not have, so it
 * is built in a struct tk_path_work inside the caller's map value, in
 * practice its tk_scratch slot (tk.bpf.h: per CPU and per nesting level,
 * which is what lets a nested program build a path without overwriting
 * ours). The result is tk_path_str(w), NUL-terminated; the functions
 * return its length without the NUL. w->cut is sticky: set on any truncation, cleared
 * only by the caller, so it can also carry the caller's own truncations
 * (filetrace's filename) into one "truncated" flag.
 *
 * Limits and why:
 *   TK_PATH_MAX       PATH_MAX; the room for a result. A longer path keeps
 *                     its file end (the components nearest the file) and
 *                     sets cut, like a truncated d_path() would not: the
 *                     end is the part that tells files apart.
 *   TK_PATH_NAME_MAX  NAME_MAX: one component. Used as a mask, so the
 *                     verifier sees every copy bounded by 255 bytes.
 *   TK_PATH_WALK_MAX  dentries plus mount crossings walked per path (48).
 *                     Deeper paths are cut at their root end. It bounds
 *                     the walk's steps, bpf_loop() taking TK__WALK_STEPS a
 *                     call: more costs time only on deep paths.
 *   slack             tk_path_at() joins a name after the directory at a
 *                     variable length; the verifier only knows that length
 *                     is below TK_PATH_MAX, so the work area extends a
 *                     whole path past the directory's end.
 *
 * Verifier cost. The walk is a global function, tk__walk(), around a
 * bpf_loop() callback (Linux 5.17) of four steps: the verifier checks it
 * once per program, not once per iteration (an unrolled 48-step walk cost
 * ~60k verifier instructions and ~90 ms of load time per program) nor
 * once per call site of tk_path_of() (filetrace's file_exit has eight:
 * the walk inlined there took 62k processed instructions and 0.64 s to
 * verify, as a global function 40k and 0.32 s). The position in the
 * result (start, lim, cut) lives in the work area, memory the verifier
 * does not track, and the walk's pointers in tk__walk()'s frame are never
 * compared with a constant it could keep, so the callback's states
 * converge at once. The pseudo-file name is a global function too.
 *
 * Kernel structures are read through BTF pointers (bpf_get_current_task_btf
 * and bpf_rdonly_cast, Linux 6.2): each field is one inlined, fault-safe
 * load instead of a bpf_probe_read_kernel() call, which is what makes a
 * path walk cheap. All offsets are CO-RE relocated against the running
 * kernel's BTF.
 */
#ifndef TK_PATH_BPF_H
#define TK_PATH_BPF_H

#define TK_PATH_MAX 4096
#define TK_PATH_NAME_MAX 255
#define TK_PATH_WALK_MAX 48
#define TK_PATH_PSEUDO_MAX 64 /* a pseudo-file name, NUL included */
#define TK_AT_FDCWD (-100)
#define TK_PATH_KNAME_MAX 256 /* tk_path_req.klen */

/* Offsets in tk_path_work.buf: tk_path_of() builds a path backwards from
 * the file end (as the kernel's d_path() prepends), so it ends at
 * TK_PATH_END, its NUL there; tk_path_at() joins a name after it. */
#define TK_PATH_HEAD 64 /* see "head" below */
#define TK_PATH_END (TK_PATH_HEAD + TK_PATH_MAX)

struct tk_path_work {
	/*
	 * [0, TK_PATH_HEAD): the head. A short name is stored with five word
	 * copies ending where the name ends, so up to 39 bytes before a
	 * component are written too (later overwritten by its parent, or
	 * left before the result, never part of it); a pseudo-file name is
	 * built here before it is moved to end at TK_PATH_END.
	 * [TK_PATH_HEAD, TK_PATH_END): tk_path_of()'s result, at its end.
	 * From TK_PATH_END: its NUL, or tk_path_at()'s joined name (up to a
	 * whole path more: see "slack" above).
	 */
	char buf[TK_PATH_END + TK_PATH_MAX + 64];
	__u64 dentry; /* tk_path_pseudo_name()'s argument, passed through memory */
	__u64 walk[4]; /* tk__walk()'s arguments, passed through memory */
	__u32 start;  /* the result is buf + start (tk_path_str()) */
	__u32 lim;    /* while walking: the lowest start the cap allows */
	__u32 cut;    /* something was truncated (sticky) */
	__u32 pad;
};

/* The last result, NUL-terminated (tk_path_of, tk_path_at, tk_path_none). */
static __always_inline char *tk_path_str(struct tk_path_work *w)
{
	__u64 start = w->start;

	barrier_var(start);
	if (start > TK_PATH_END)
		start = TK_PATH_END;
	barrier_var(start);
	return w->buf + start;
}

/* No path: the empty string, as a result. */
static __always_inline void tk_path_none(struct tk_path_work *w)
{
	w->start = TK_PATH_END;
	w->buf[TK_PATH_END] = 0;
}

/*
 * What to resolve, and for whom. tk_path_of() reads task, at and cap;
 * tk_path_at() reads task, fd and name.
 */
struct tk_path_req {
	struct task_struct *task; /* whose root ends the walk; whose cwd and fds */
	const struct path *at;    /* tk_path_of: the (mount, dentry) to name */
	int fd;                   /* tk_path_at: the dirfd, or TK_AT_FDCWD */
	const char *name;         /* tk_path_at: user pointer to the name */
	__u32 cap;                /* tk_path_of: room for the result, its NUL
				   * included, <= TK_PATH_MAX (a shorter map
				   * value field it is copied to); 0: TK_PATH_MAX */
	const char *kname;        /* tk_path_at: a copy of name the caller has
				   * already read (klen bytes, its NUL included,
				   * klen <= TK_PATH_KNAME_MAX), used instead of
				   * reading the user's memory again; NULL: none */
	__u32 klen;
};

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * A number (read from a map, or computed), or a BTF pointer, as a
 * read-only, untrusted BTF pointer of type: its fields are inlined,
 * fault-safe loads, as through any BTF pointer (the verifier turns the
 * kfunc into a register move: nothing at run time).
 *
 * Why the walks here cast even a trusted pointer (bpf_get_current_task_btf()'s):
 * every load of a pointer field through a trusted or RCU pointer makes the
 * verifier look up, by name, the types that would keep the result trusted
 * ("task_struct__safe_trusted", ..._or_null, the RCU kinds), each a linear
 * scan of the kernel's whole BTF with strcmp (btf_nested_type_is_trusted()
 * -> btf_find_by_name_kind(), Linux 6.18), on every path it verifies.
 * Through an untrusted pointer it looks up nothing. That was most of
 * filetrace's load time (file_exit 165 -> 18 ms: strace -T of its
 * BPF_PROG_LOAD). A trusted pointer is needed only where a helper takes it
 * (bpf_task_storage_get(), bpf_task_pt_regs()): callers keep it for those.
 */
#define TK_CAST(type, p) ((type *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(type)))

/*
 * Where a thread's registers are saved on a syscall: task_pt_regs(), the
 * top of its kernel stack less the architecture's padding and a struct
 * pt_regs, so at one offset from task->stack for every thread (the stack
 * size and padding are the kernel's build constants). The helper (2.2 % of
 * the exit tracepoint in a perf profile, ~16 ns) gives it once, to
 * whichever program runs first; after that it is one BTF load and an add,
 * with no per-thread entry to keep it in. tk__regs_at holds the helper's
 * pointer as a number: stored and read back (volatile), the difference is
 * arithmetic on scalars, not on a pointer. task->stack is a void *, which
 * some verifiers type as a number and newer ones (seen on a 6.18 build) as
 * read-only untrusted memory, a pointer: so the once-only difference takes
 * it through bpf_probe_read_kernel() as a number, and the load on every
 * call only adds a number to it, which either typing accepts.
 */
__u64 tk__regs_off = 0;
__u64 tk__regs_at = 0;

static __always_inline struct pt_regs *tk_task_regs(struct task_struct *t)
{
	__u64 off = tk__regs_off;

	if (!off) {
		__u64 stack = 0;

		bpf_probe_read_kernel(&stack, sizeof(stack), &t->stack);
		tk__regs_at = (__u64)bpf_task_pt_regs(t);
		off = *(volatile __u64 *)&tk__regs_at - stack;
		tk__regs_off = off;
	}
	return TK_CAST(struct pt_regs, (__u64)TK_CAST(struct task_struct, t)->stack + off);
}

/*
 * The struct file behind fd in task t, or NULL. fdt->fd is a struct file
 * ** which BTF access gives as a number; the slot is read through a cast
 * to struct kiocb, whose first member is a struct file * (ki_filp): one
 * inlined load instead of a bpf_probe_read_kernel() call.
 */
static __always_inline struct file *tk_fd_file(struct task_struct *t, int fd)
{
	struct fdtable *fdt = TK_CAST(struct task_struct, t)->files->fdt;
	struct file **arr;

	if (fd < 0 || (__u32)fd >= fdt->max_fds)
		return NULL;
	arr = fdt->fd;
	return TK_CAST(struct kiocb, &arr[fd])->ki_filp;
}

static __always_inline struct mount *tk__real_mount(struct vfsmount *vm)
{
	return TK_CAST(struct mount, (unsigned long)vm - bpf_core_field_offset(struct mount, mnt));
}

/*
 * The walk: d_parent up to the mount's root, then to the mountpoint in the
 * parent mount, repeated until the task's root (or the namespace's). One
 * pass: each step puts its dentry's name, after a '/', in front of what
 * the steps below it wrote (deepest first, as d_path() does), so a
 * dentry is visited once and no list of them is kept. A name stored inside
 * the dentry (d_shortname, names up to 39 bytes) is copied with five plain
 * loads, others with one bpf_probe_read_kernel().
 */
struct tk__walk {
	struct dentry *d, *root_d;
	struct vfsmount *vm, *root_m;
	struct mount *m;
	struct tk_path_work *w;
	__u32 done;
};

static __always_inline long tk__walk_one(struct tk__walk *k)
{
	struct tk_path_work *w = k->w;
	struct dentry *d = k->d, *parent;
	struct vfsmount *vm = k->vm;
	__u64 len, end, pos;
	const void *name;

	if (d == k->root_d && vm == k->root_m)
		goto done;
	parent = d->d_parent;
	if (d == vm->mnt_root || d == parent) {
		struct mount *pm = k->m->mnt_parent;

		if (k->m == pm || !pm)
			goto done; /* namespace root, or an internal mount */
		k->d = k->m->mnt_mountpoint;
		k->m = pm;
		k->vm = &pm->mnt;
		return 0;
	}
	len = d->d_name.len;
	end = w->start;
	/* a name too long, or no room for "/name" within the cap: the path
	 * keeps what is below (its file end) and is marked cut. The bounds
	 * on end and pos are also what the verifier needs for the copies. */
	if (len > TK_PATH_NAME_MAX || end > TK_PATH_END || end < len + 1 + w->lim)
		goto cut;
	pos = end - len - 1;
	if (pos < TK_PATH_HEAD || pos > TK_PATH_END)
		goto cut;
	name = d->d_name.name;
	if (bpf_core_field_exists(d->d_shortname) &&
	    name == (void *)&d->d_shortname && len < sizeof(d->d_shortname)) {
		/* the 40 bytes that end with the name's last byte: read from
		 * a dentry pointer moved back by 40 - len, so each load is a
		 * constant offset of a BTF pointer (a fault-safe load) */
		struct dentry *b = TK_CAST(struct dentry, (__u64)d + len - sizeof(d->d_shortname));
		__u64 at = pos + 1 + len - sizeof(d->d_shortname), *o;

		/* at is end - 40 as clang computes it, with no lower bound the
		 * verifier knows (end's comes from an unknown lim): the one
		 * unsigned test bounds it on both sides (a negative at wraps
		 * above TK_PATH_END), and never fires (at <= TK_PATH_END - 40) */
		barrier_var(at);
		if (at > TK_PATH_END)
			goto cut;
		o = (__u64 *)&w->buf[at];

		o[0] = b->d_shortname.words[0];
		o[1] = b->d_shortname.words[1];
		o[2] = b->d_shortname.words[2];
		o[3] = b->d_shortname.words[3];
		o[4] = b->d_shortname.words[4];
	} else {
		bpf_probe_read_kernel(&w->buf[pos + 1], len, name);
	}
	w->buf[pos] = '/';
	w->start = pos;
	k->d = parent;
	return 0;
cut:
	w->cut = 1;
done:
	k->done = 1;
	return 1;
}

/* bpf_loop()'s callback: TK__WALK_STEPS steps a call. A call and its
 * return are costly with return-thunk mitigations: four steps a call
 * instead of one took ~30 ns off filetrace's exit program for a path
 * three components deep (bpf_stats, two filetraces on one loop, attach
 * order alternated), for 4k more verified instructions. */
#define TK__WALK_STEPS 4
_Static_assert(TK_PATH_WALK_MAX % TK__WALK_STEPS == 0, "whole calls");

static long tk__walk_step(__u32 i, void *arg)
{
	for (int j = 0; j < TK__WALK_STEPS; j++)
		if (tk__walk_one(arg))
			return 1;
	return 0;
}

/*
 * The walk from w->walk[] (dentry, vfsmount, root dentry, root vfsmount,
 * as numbers: a global function takes no kernel pointers), into w. A
 * global function, so the verifier checks the walk once per program, not
 * once per call site of tk_path_of().
 */
__noinline int tk__walk(struct tk_path_work *w)
{
	struct tk__walk k = {};
	struct vfsmount *vm;

	if (!w)
		return 0;
	vm = TK_CAST(struct vfsmount, w->walk[1]);
	k.d = TK_CAST(struct dentry, w->walk[0]);
	k.vm = vm;
	k.m = tk__real_mount(vm);
	k.root_d = TK_CAST(struct dentry, w->walk[2]);
	k.root_m = TK_CAST(struct vfsmount, w->walk[3]);
	k.w = w;
	bpf_loop(TK_PATH_WALK_MAX / TK__WALK_STEPS, tk__walk_step, &k, 0);
	if (!k.done) {
		/* TK_PATH_WALK_MAX steps taken: a path of exactly that many ends
		 * here, at the root; a deeper one is cut. One more step with no
		 * room (lim at start) tells which: it stops at a root, and cuts at
		 * a name; a mount crossing (0, not done) is a step too many. */
		w->lim = w->start;
		if (!tk__walk_one(&k))
			w->cut = 1;
	}
	return 0;
}

/*
 * Pipes, sockets and anonymous inodes live on internal mounts and have no
 * path; like the kernel's d_dname() (/proc/PID/fd), name them
 * pipe:[ino], socket:[ino], anon_inode:NAME, or FSTYPE:[ino].
 */
#define TK__PIPEFS_MAGIC 0x50495045
#define TK__SOCKFS_MAGIC 0x534F434B
#define TK__ANON_INODE_FS_MAGIC 0x09041934

struct tk__pseudo_buf {
	char s[TK_PATH_PSEUDO_MAX];
};

/* A global function: the verifier checks it once per program, not once
 * per call site. dentry comes as a number (global functions take no
 * kernel pointers) and is cast back. Returns the name's length. */
__noinline __u32 tk_path_pseudo_name(struct tk__pseudo_buf *buf, __u64 dentry)
{
	struct dentry *d = TK_CAST(struct dentry, dentry);
	char *dst = buf ? buf->s : NULL;
	struct super_block *sb = d->d_sb;
	__u64 ino = d->d_inode->i_ino;
	__u32 off = 0, magic = sb->s_magic;
	char digits[32];
	int i, n = 0;
	long r;

	if (!dst)
		return 0;
	if (magic == TK__ANON_INODE_FS_MAGIC) {
		__builtin_memcpy(dst, "anon_inode:", 11);
		r = bpf_probe_read_kernel_str(dst + 11, sizeof(buf->s) - 11, d->d_name.name);
		return r > 0 ? 11 + r - 1 : 11;
	}
	if (magic == TK__PIPEFS_MAGIC) {
		__builtin_memcpy(dst, "pipe:[", 6);
		off = 6;
	} else if (magic == TK__SOCKFS_MAGIC) {
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
		dst[(off + i) & (TK_PATH_PSEUDO_MAX - 1)] = digits[(n - 1 - i) & 31];
	off = (off + n) & (TK_PATH_PSEUDO_MAX - 1);
	dst[off++] = ']';
	dst[off] = 0;
	return off;
}

/*
 * The absolute path of r->at (mount and dentry), relative to r->task's
 * root, as d_path() gives it; a pseudo-file's name for a dentry of an
 * internal mount. The result ends at TK_PATH_END (tk_path_str()). Returns
 * its length. A path longer than r->cap - 1 bytes keeps its file end (the
 * deepest components that fit) and sets w->cut; so does one deeper than
 * TK_PATH_WALK_MAX steps.
 */
static __always_inline __u32 tk_path_of(struct tk_path_work *w, const struct tk_path_req *r)
{
	struct dentry *d = r->at->dentry;
	struct vfsmount *vm = r->at->mnt;
	struct fs_struct *fs = TK_CAST(struct task_struct, r->task)->fs;
	const struct dentry_operations *op = d->d_op;
	__u32 cap = r->cap ? r->cap : TK_PATH_MAX;
	__u64 n;

	w->buf[TK_PATH_END] = 0;
	if (op && op->d_dname && d == d->d_parent) {
		/* through memory: the verifier then sees a number, not a pointer */
		w->dentry = (__u64)d;
		n = tk_path_pseudo_name((struct tk__pseudo_buf *)w->buf,
					*(volatile __u64 *)&w->dentry) &
		    (TK_PATH_PSEUDO_MAX - 1);
		/* built in the head, moved to end at TK_PATH_END */
		bpf_probe_read_kernel(&w->buf[TK_PATH_END - n], n, w->buf);
		w->start = TK_PATH_END - n;
		return n;
	}
	w->start = TK_PATH_END;
	w->lim = TK_PATH_END - (cap - 1);
	w->walk[0] = (__u64)d;
	w->walk[1] = (__u64)vm;
	w->walk[2] = (__u64)fs->root.dentry;
	w->walk[3] = (__u64)fs->root.mnt;
	tk__walk(w);
	if (w->start == TK_PATH_END) {
		w->buf[TK_PATH_END - 1] = '/';
		w->start = TK_PATH_END - 1;
		return 1;
	}
	return TK_PATH_END - w->start;
}

/*
 * The absolute path for a name passed to a syscall (tk_path_str()): the name
 * itself when absolute, else the cwd's (r->fd == TK_AT_FDCWD) or r->fd's
 * path joined with it; a bad dirfd gives the name as passed. Lexical, like
 * the kernel's own view before lookup: "..", "." and symlinks stay as
 * given. Returns the length without the NUL.
 */
static __always_inline __u32 tk_path_at(struct tk_path_work *w, const struct tk_path_req *r)
{
	__u64 at = TK_PATH_END; /* where the name goes */
	__u32 len = 0;
	char c = 0;
	long n;

	w->start = TK_PATH_END; /* the name alone, unless a directory comes first */
	if (r->kname)
		c = r->kname[0];
	else
		bpf_probe_read_user(&c, 1, r->name);
	if (c != '/') {
		const struct path *at_dir;

		if (r->fd == TK_AT_FDCWD) {
			at_dir = &TK_CAST(struct task_struct, r->task)->fs->pwd;
		} else {
			struct file *f = tk_fd_file(r->task, r->fd);

			if (!f)
				goto join;
			at_dir = &f->f_path;
		}
		len = tk_path_of(w, &(struct tk_path_req){ .task = r->task, .at = at_dir });
		if (len >= TK_PATH_MAX - 1) {
			/* no room for "/name": keep the directory, marked cut */
			w->cut = 1;
			len = TK_PATH_MAX - 1;
		} else if (len > 1) { /* not "/" */
			w->buf[TK_PATH_END] = '/';
			at = TK_PATH_END + 1;
			len++;
		} else {
			len = 1;
		}
	}
join:
	len &= TK_PATH_MAX - 1;
	if (r->kname) {
		/* a kernel copy: no user read (~150 ns with its access checks);
		 * room for it past the directory is the slack's */
		n = tk_bounded(r->klen, TK_PATH_KNAME_MAX);
		if (!n || bpf_probe_read_kernel(&w->buf[at], n, r->kname)) {
			w->buf[at] = 0;
			return len;
		}
		if (len + n >= TK_PATH_MAX) { /* as a user read would: filled to the end */
			w->cut = 1;
			tk_path_str(w)[TK_PATH_MAX - 1] = 0;
			return TK_PATH_MAX - 1;
		}
		return len + n - 1;
	}
	n = bpf_probe_read_user_str(&w->buf[at], tk_bounded(TK_PATH_MAX - len, TK_PATH_MAX), r->name);
	if (n <= 0) {
		w->buf[at] = 0;
		return len;
	}
	if ((__u32)n == TK_PATH_MAX - len)
		w->cut = 1; /* filled to the end: the name may go on */
	return len + n - 1;
}

/*
 * Copies the last result (len bytes, as returned, and its NUL) to dst,
 * which must have TK_PATH_MAX bytes of room in the caller's map value;
 * returns the bytes copied. A short path, most of them, is copied as
 * TK__COPY_INLINE bytes in 8-byte words: the bytes past its NUL land
 * after it (the caller's next part overwrites them, or they are never
 * sent), and a helper call here cost ~40 ns (perf, filetrace under an
 * open loop), its copy loop and the return-thunk mitigations' calls more
 * than the copy.
 */
#define TK__COPY_INLINE 128

static __always_inline __u32 tk_path_copy(char *dst, struct tk_path_work *w, __u32 len)
{
	__u32 n = tk_bounded(len + 1, TK_PATH_MAX);
	const char *src = tk_path_str(w);

	if (n <= TK__COPY_INLINE) {
		__u64 *d = (__u64 *)dst;
		const __u64 *o = (const __u64 *)src;

		for (int i = 0; i < TK__COPY_INLINE / 8; i++)
			d[i] = o[i];
	} else {
		bpf_probe_read_kernel(dst, n, src);
	}
	return n;
}

#endif /* TK_PATH_BPF_H */
