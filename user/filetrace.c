// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* filetrace: trace file activity with absolute paths, flags, errors and
 * inode/dev/size; or, with -s, a top-like table of files per interval. */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <bpf/bpf.h>
#include "tk.h"
#include "tk_cgroup.h"
#include "tk_metrics.h"
#include "filetrace.skel.h"

enum { OPT_PATH = 256, OPT_TOP, OPT_PER_CGROUP };

static bool opt_failed, opt_summary, opt_per_cgroup;
static double opt_interval = 1.0;
static bool have_interval, have_top;
static __u64 opt_top = 20;
static char opt_path[TK_FILE_NAME_LEN];

/*
 * One enter and one exit program serve every call (bpf/filetrace.bpf.c):
 * each event names the tracepoints they are attached at (PROG@TRACEPOINT).
 * A '?' marks a call this kernel or architecture may not have (arm64 has
 * no open, creat, rename, unlink, mkdir or rmdir, only their *at forms;
 * older kernels lack openat2, preadv2, pwritev2 and renameat2): it is skipped
 * where its tracepoint is missing, and its event traces with the others.
 */
#define TP(sys) "file_enter@syscalls/sys_enter_" #sys ",file_exit@syscalls/sys_exit_" #sys
#define OPT(sys) "?file_enter@syscalls/sys_enter_" #sys ",?file_exit@syscalls/sys_exit_" #sys
#define RW_TPS(rw) TP(rw) "," TP(p##rw##64) "," TP(rw##v) "," TP(p##rw##v) "," OPT(p##rw##v2)

static const struct tk_tool_event events[] = {
	{ "open", TK_EV_open, true, TP(openat) "," OPT(open) "," OPT(openat2) "," OPT(creat) },
	{ "read", TK_EV_read, false, RW_TPS(read) },
	{ "write", TK_EV_write, false, RW_TPS(write) },
	{ "close", TK_EV_close, false, TP(close) },
	{ "unlink", TK_EV_unlink, true, TP(unlinkat) "," OPT(unlink) "," OPT(rmdir) },
	{ "rename", TK_EV_rename, true,
	  TP(renameat) "," OPT(rename) "," OPT(renameat2) },
	{ "truncate", TK_EV_truncate, false, TP(truncate) "," TP(ftruncate) },
	{ "mkdir", TK_EV_mkdir, false, TP(mkdirat) "," OPT(mkdir) },
	{ NULL },
};

static const struct tk_tool_opt opts[] = {
	{ "failed", 'x', NULL, "failed calls only (ret < 0)" },
	{ "path", OPT_PATH, "PREFIX", "only paths under PREFIX (absolute; filtered in the kernel; symlinks, '.', '..' and '//' resolved as the kernel does)" },
	{ "summary", 's', NULL, "top-like table of files by bytes read/written, per interval" },
	{ "interval", 'i', "SECONDS", "-s: table interval (default 1)" },
	{ "top", OPT_TOP, "N", "-s: rows per table, 0 = all (default 20); per cgroup with --per-cgroup" },
	{ "per-cgroup", OPT_PER_CGROUP, NULL, "-s: files per cgroup (all its processes together), grouped, with its path and container" },
	{ NULL },
};

/*
 * The kernel reports absolute, symlink-resolved paths and the filter
 * compares bytes, so "//tmp/x", "/tmp/./x", "/tmp/x/../x" or a symlinked
 * directory would silently match nothing. An existing PREFIX is resolved
 * with realpath(); one that does not exist (yet) is normalised lexically,
 * with its longest existing leading part resolved.
 */
static int canonical_prefix(const char *arg, char *out, size_t size)
{
	char norm[PATH_MAX], real[PATH_MAX];
	const char *rest = "";
	size_t end;

	if (arg[0] != '/')
		return -1;
	if (!realpath(arg, real)) {
		if (tk_path_normalize(arg, norm, sizeof(norm)))
			return -1;
		rest = NULL;
		for (end = strlen(norm); end > 0 && !rest; end--) {
			char head[PATH_MAX];

			if (norm[end] != '/' && norm[end] != 0)
				continue;
			memcpy(head, norm, end);
			head[end] = 0;
			if (realpath(head, real))
				rest = norm + end;
		}
		if (!rest) { /* nothing but "/" exists */
			strcpy(real, "/");
			rest = norm;
		}
	}
	/* "/" + "/x" is "/x" */
	if (!strcmp(real, "/") && *rest)
		real[0] = 0;
	if ((size_t)snprintf(out, size, "%s%s", real, rest) >= size)
		return -1;
	return 0;
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'x':
		opt_failed = true;
		return 0;
	case 's':
		opt_summary = true;
		return 0;
	case 'i':
		if (tk_parse_seconds(arg, &opt_interval) || opt_interval < 0.01) {
			tk_usage_error("invalid interval '%s' (seconds, >= 0.01)", arg);
			return -1;
		}
		have_interval = true;
		return 0;
	case OPT_TOP:
		if (tk_parse_u64(arg, 0, 1000000, false, &opt_top)) {
			tk_usage_error("invalid row count '%s'", arg);
			return -1;
		}
		have_top = true;
		return 0;
	case OPT_PER_CGROUP:
		opt_per_cgroup = true;
		return 0;
	case OPT_PATH:
		if (canonical_prefix(arg, opt_path, sizeof(opt_path))) {
			tk_usage_error("invalid path prefix '%s' (absolute, < %d bytes)", arg,
				       TK_FILE_NAME_LEN);
			return -1;
		}
		return 0;
	}
	return -1;
}

static int check_args(const struct tk_env *env)
{
	(void)env;
	if (!opt_summary && (have_interval || have_top || opt_per_cgroup))
		return tk_usage_error("-i, --top and --per-cgroup need -s");
	return 0;
}

static const struct tk_tool tool = {
	.name = "filetrace",
	.summary = "Trace file opens, reads/writes, close, unlink, rename, truncate and mkdir,\n"
		   "with absolute paths, flags, errors, inode, device and size.",
	.examples = "  filetrace                          # opens, unlinks, renames, system-wide\n"
		    "  filetrace -e all --path /etc       # everything under /etc\n"
		    "  filetrace -x                       # failed calls only (ENOENT, EACCES, ...)\n"
		    "  filetrace -e all -j -- make        # run make, trace its tree as JSON\n"
		    "  filetrace -s -i 2                  # top files by bytes, every 2 s\n"
		    "  filetrace -s --per-cgroup          # top files of each container / unit\n",
	.events = events,
	.opts = opts,
	.parse_opt = parse_opt,
	.check_args = check_args,
};

/* ---- -s: the per-interval table ---------------------------------------- */

struct top_row {
	struct tk_file_top_key k;
	struct tk_file_top_val v;
	__u64 group; /* --per-cgroup: bytes of its cgroup's files */
	bool shown;  /* within --top */
};

/* --metrics: cumulative counts per comm, or per cgroup with --per-cgroup
 * (per file would grow without bound), sorted by key. Comms are chosen by
 * whoever runs (a process can rename itself at will): past
 * FILE_MAX_SERIES keys, new ones are folded into one "other" series, so
 * memory and the scrape stay bounded. */
#define FILE_MAX_SERIES 1024
struct file_total {
	__u64 cgroup_id;
	char comm[TK_COMM_LEN];
	__u64 v[5]; /* opens, reads, writes, rbytes, wbytes */
};

struct top_state {
	struct filetrace_bpf *skel;
	int map_fd;
	__u32 max;
	/* rows taken out of the map since the last table; room for max, or
	 * two drains with --metrics (it drains just before each table),
	 * merged by key */
	__u32 pending, room;
	bool metrics;
	struct file_total *totals;
	size_t ntotals, cap_totals;
	struct file_total other; /* the keys past FILE_MAX_SERIES */
	__u64 folded;            /* drained rows added to other */
	bool failed; /* no memory for a total: the metrics write fails */
	struct tk_file_top_key *keys;
	struct tk_file_top_val *vals;
	struct top_row *rows;
	struct tk_out out;
};

static int row_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	__u64 bx = x->v.rbytes + x->v.wbytes, by = y->v.rbytes + y->v.wbytes;
	__u64 ox = x->v.reads + x->v.writes + x->v.opens, oy = y->v.reads + y->v.writes + y->v.opens;

	/* --per-cgroup: the busiest cgroup's files first, then the next's */
	if (x->group != y->group)
		return x->group < y->group ? 1 : -1;
	if (x->k.cgroup_id != y->k.cgroup_id)
		return x->k.cgroup_id < y->k.cgroup_id ? -1 : 1;
	if (bx != by)
		return bx < by ? 1 : -1;
	if (ox != oy)
		return ox < oy ? 1 : -1;
	return strcmp(x->v.path, y->v.path);
}

static int cgroup_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return x->k.cgroup_id < y->k.cgroup_id ? -1 : x->k.cgroup_id > y->k.cgroup_id;
}

/* Each row gets its cgroup's total bytes, for row_cmp to group by. */
static void group_totals(struct top_row *r, __u32 n)
{
	qsort(r, n, sizeof(*r), cgroup_cmp);
	for (__u32 i = 0, g = 0; i < n; i = g) {
		__u64 sum = 0;

		for (g = i; g < n && r[g].k.cgroup_id == r[i].k.cgroup_id; g++)
			sum += r[g].v.rbytes + r[g].v.wbytes;
		for (__u32 j = i; j < g; j++)
			r[j].group = sum;
	}
}

static const char *type_name(__u32 mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "R";
	case S_IFDIR: return "D";
	case S_IFIFO: return "P";
	case S_IFSOCK: return "S";
	case S_IFCHR: return "C";
	case S_IFBLK: return "B";
	case S_IFLNK: return "L";
	default: return "?";
	}
}

static int total_cmp(const struct file_total *t, const struct top_row *r)
{
	if (opt_per_cgroup)
		return t->cgroup_id < r->k.cgroup_id ? -1 : t->cgroup_id > r->k.cgroup_id;
	return strncmp(t->comm, r->v.comm, TK_COMM_LEN);
}

/* Adds a drained row to its comm's (cgroup's) total. */
static void fold_total(struct top_state *st, const struct top_row *r)
{
	size_t lo = 0, hi = st->ntotals;
	struct file_total *t;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = total_cmp(&st->totals[mid], r);

		if (!c) {
			lo = mid;
			goto add;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (st->ntotals == FILE_MAX_SERIES) {
		t = &st->other;
		st->folded++;
		goto sum;
	}
	if (st->ntotals == st->cap_totals) {
		size_t cap = st->cap_totals ? st->cap_totals * 2 : 64;

		t = realloc(st->totals, cap * sizeof(*t));
		if (!t) {
			st->failed = true;
			return;
		}
		st->totals = t;
		st->cap_totals = cap;
	}
	t = &st->totals[lo];
	memmove(t + 1, t, (st->ntotals++ - lo) * sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->cgroup_id = r->k.cgroup_id;
	if (!opt_per_cgroup)
		memcpy(t->comm, r->v.comm, TK_COMM_LEN);
add:
	t = &st->totals[lo];
sum:
	t->v[0] += r->v.opens;
	t->v[1] += r->v.reads;
	t->v[2] += r->v.writes;
	t->v[3] += r->v.rbytes;
	t->v[4] += r->v.wbytes;
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct top_row *)a)->k, &((const struct top_row *)b)->k,
		      sizeof(struct tk_file_top_key));
}

/* One row per file again, where two drains both had it. */
static __u32 merge_rows(struct top_row *r, __u32 n)
{
	__u32 m = 0;

	qsort(r, n, sizeof(*r), key_cmp);
	for (__u32 i = 0; i < n; i++) {
		if (m && !key_cmp(&r[m - 1], &r[i])) {
			r[m - 1].v.opens += r[i].v.opens;
			r[m - 1].v.reads += r[i].v.reads;
			r[m - 1].v.writes += r[i].v.writes;
			r[m - 1].v.rbytes += r[i].v.rbytes;
			r[m - 1].v.wbytes += r[i].v.wbytes;
		} else {
			r[m++] = r[i];
		}
	}
	return m;
}

/* Takes the interval's counters out of the map (each entry read and
 * deleted atomically, so no increment is counted twice or dropped),
 * after the rows already taken since the last table. */
static void top_drain(struct top_state *st)
{
	__u32 n = st->pending, token = 0;
	bool first = true;

	for (;;) {
		__u32 cnt = st->room - n;
		int err;

		if (!cnt)
			break;
		err = bpf_map_lookup_and_delete_batch(st->map_fd, first ? NULL : &token, &token,
						      st->keys + n, st->vals + n, &cnt, NULL);
		first = false;
		n += cnt;
		if (err)
			break; /* -ENOENT: done */
	}
	for (__u32 i = st->pending; i < n; i++) {
		st->rows[i].k = st->keys[i];
		st->rows[i].v = st->vals[i];
		st->rows[i].group = 0;
		if (st->metrics)
			fold_total(st, &st->rows[i]);
	}
	st->pending = n;
}

/* --metrics: the totals, with what the map holds now. */
static void top_metrics(void *ctx, struct tk_metrics *m)
{
	static const struct { const char *name, *help; } fam[5] = {
		{ "tracekit_file_opens_total", "Files opened (open, openat, openat2, creat)." },
		{ "tracekit_file_reads_total", "Read calls (read, pread64, readv, preadv, preadv2)." },
		{ "tracekit_file_writes_total", "Write calls (write, pwrite64, writev, pwritev, pwritev2)." },
		{ "tracekit_file_read_bytes_total", "Bytes read by the read calls." },
		{ "tracekit_file_written_bytes_total", "Bytes written by the write calls." },
	};
	struct top_state *st = ctx;
	char help[96];

	top_drain(st);
	if (st->failed)
		tk_metrics_fail(m, ENOMEM);
	for (int f = 0; f < 5; f++) {
		tk_metrics_family(m, fam[f].name, "counter", fam[f].help);
		for (size_t i = 0; i < st->ntotals; i++) {
			const struct file_total *t = &st->totals[i];
			struct tk_label l[TK_CG_LABELS];
			char cgid[24];

			if (opt_per_cgroup)
				tk_metrics_sample(m, l, tk_metrics_cgroup(st->out.cg, t->cgroup_id, cgid, l),
						  t->v[f]);
			else
				tk_metrics_sample(m, &(struct tk_label){ "comm", t->comm, TK_COMM_LEN }, 1,
						  t->v[f]);
		}
		/* folded="true": apart from a process that calls itself "other" */
		if (st->folded)
			tk_metrics_sample(m, (struct tk_label[]){ { opt_per_cgroup ? "cgroup_id" : "comm",
								     "other", 0 },
								   { "folded", "true", 0 } },
					  2, st->other.v[f]);
	}
	snprintf(help, sizeof(help), "Summary rows counted in the other series: their %s came after "
		 "%d others.", opt_per_cgroup ? "cgroup" : "comm", FILE_MAX_SERIES);
	tk_metrics_family(m, "tracekit_file_series_folded_total", "counter", help);
	tk_metrics_sample(m, NULL, 0, st->folded);
}

/* After load: the map's fd exists only now. */
static int top_ready(void *ctx)
{
	struct top_state *st = ctx;

	st->map_fd = bpf_map__fd(st->skel->maps.file_top);
	if (opt_per_cgroup && !st->out.cg)
		return tk_fail_no_cgroups(&st->out, "--per-cgroup");
	return 0;
}

static void top_tick(void *ctx, bool final)
{
	static const struct tk_col file_cols[] = {
		{ "opens", 6 }, { "reads", 7 }, { "writes", 7 }, { "rbytes", 11 },
		{ "wbytes", 11 }, { "type", 4 }, { "path", -1 },
	};
	struct tk_col cols[9 + TK_CG_COLS];
	struct top_state *st = ctx;
	__u32 n, shown = 0, in_group = 0;
	char title[128], tbuf[32];
	time_t now = time(NULL);
	struct tm tm;
	int nc = 0;

	(void)final;
	top_drain(st);
	n = merge_rows(st->rows, st->pending);
	st->pending = 0;
	if (opt_per_cgroup)
		group_totals(st->rows, n);
	qsort(st->rows, n, sizeof(*st->rows), row_cmp);
	/* --top: the first rows of the table, or of each cgroup's part */
	for (__u32 i = 0; i < n; i++, in_group++) {
		if (opt_per_cgroup && i && st->rows[i].k.cgroup_id != st->rows[i - 1].k.cgroup_id)
			in_group = 0;
		st->rows[i].shown = !opt_top || in_group < opt_top;
		shown += st->rows[i].shown;
	}
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	snprintf(title, sizeof(title), "%s  files by bytes read+written%s (%u of %u)", tbuf,
		 opt_per_cgroup ? " per cgroup" : "", shown, n);
	if (opt_per_cgroup) {
		struct tk_cell unused[TK_CG_COLS];

		nc += tk_table_cgroup(&st->out, false, 0, NULL, cols, unused);
	} else {
		cols[nc++] = (struct tk_col){ "pid", 7 };
		cols[nc++] = (struct tk_col){ "comm", -16 };
	}
	memcpy(cols + nc, file_cols, sizeof(file_cols));
	nc += 7;
	if (opt_per_cgroup) {
		struct tk_cell unused[TK_CG_COLS];

		nc += tk_table_cgroup(&st->out, true, 0, NULL, cols + nc, unused);
	}
	tk_table_begin(&st->out, title, cols, nc);
	for (__u32 i = 0; i < n; i++) {
		const struct tk_file_top_key *k = &st->rows[i].k;
		const struct tk_file_top_val *v = &st->rows[i].v;
		const struct tk_cg_info *ci = NULL;
		char comm[TK_COMM_LEN + 1], path[TK_FILE_TOP_PATH_LEN + 1];
		struct tk_cell c[9 + TK_CG_COLS];
		int m = 0;

		if (!st->rows[i].shown)
			continue;
		memcpy(comm, v->comm, TK_COMM_LEN);
		comm[TK_COMM_LEN] = 0;
		memcpy(path, v->path, TK_FILE_TOP_PATH_LEN);
		path[TK_FILE_TOP_PATH_LEN] = 0;
		if (opt_per_cgroup) {
			ci = st->out.cg ? tk_cgroup_lookup(st->out.cg, k->cgroup_id) : NULL;
			m += tk_table_cgroup(&st->out, false, k->cgroup_id, ci, cols + m, c + m);
		} else {
			c[m++] = (struct tk_cell){ .num = k->pid, .integer = true };
			c[m++] = (struct tk_cell){ .s = comm };
		}
		c[m++] = (struct tk_cell){ .num = v->opens, .integer = true };
		c[m++] = (struct tk_cell){ .num = v->reads, .integer = true };
		c[m++] = (struct tk_cell){ .num = v->writes, .integer = true };
		c[m++] = (struct tk_cell){ .num = v->rbytes, .integer = true };
		c[m++] = (struct tk_cell){ .num = v->wbytes, .integer = true };
		c[m++] = (struct tk_cell){ .s = type_name(v->i_mode) };
		c[m++] = (struct tk_cell){ .s = path };
		if (opt_per_cgroup)
			m += tk_table_cgroup(&st->out, true, k->cgroup_id, ci, cols + m, c + m);
		tk_table_row(&st->out, "top", cols, c, m);
	}
}

static int top_finish(void *ctx, int rc)
{
	struct top_state *st = ctx;

	free(st->keys);
	free(st->vals);
	free(st->rows);
	free(st->totals);
	return rc;
}

static int setup(struct filetrace_bpf *skel, struct tk_env *env, struct tk_hooks *hooks)
{
	static struct top_state st = { .map_fd = -1 };
	int err;

	/* the programs' syscall numbers: this architecture's */
#define TK__NR(name, n) skel->rodata->targ_call_of_nr[SYS_##name] = TK_FC_##name;
	TK_FILE_CALLS(TK__NR)
#undef TK__NR
	/*
	 * The enter program only where a call's start is needed: --cgroup
	 * and --per-cgroup decide by the cgroup the call started in, and
	 * close's file is gone from the fd table by its exit (-s does not
	 * count close). Otherwise the exit reads everything (issue 13: the
	 * enter's tracepoint and body were ~270 ns of ~1150 per open+close).
	 */
	skel->rodata->targ_cgroup_at_entry = opt_per_cgroup || env->ncgroups;
	skel->rodata->targ_entry = skel->rodata->targ_cgroup_at_entry ||
				   (!opt_summary && tk_event_selected(env, TK_EV_close));
	if (!skel->rodata->targ_entry)
		bpf_program__set_autoload(skel->progs.file_enter, false);
	skel->rodata->tk_failed_only = opt_failed;
	skel->rodata->targ_summary = opt_summary;
	skel->rodata->targ_per_cgroup = opt_per_cgroup;
	memcpy((void *)skel->rodata->targ_path, opt_path, sizeof(opt_path));
	skel->rodata->targ_path_len = strlen(opt_path);
	if (!opt_summary) {
		err = bpf_map__set_max_entries(skel->maps.file_top, 1);
		return err ? tk_fail("cannot size the file_top map: %s", strerror(-err)) : 0;
	}
	/* the table counts opens, reads and writes */
	memset(env->events_mask, 0, sizeof(env->events_mask));
	tk_event_select(env, TK_EV_open, true);
	tk_event_select(env, TK_EV_read, true);
	tk_event_select(env, TK_EV_write, true);
	st.skel = skel;
	st.max = bpf_map__max_entries(skel->maps.file_top);
	*hooks = (struct tk_hooks){ .ctx = &st, .ready = top_ready, .tick = top_tick,
				    .interval_ms = (unsigned)(opt_interval * 1000), .out = &st.out,
				    .finish = top_finish };
	if (env->metrics) {
		st.metrics = true;
		hooks->metrics = top_metrics;
	}
	st.room = (st.metrics ? 2 : 1) * st.max;
	st.keys = calloc(st.room, sizeof(*st.keys));
	st.vals = calloc(st.room, sizeof(*st.vals));
	st.rows = calloc(st.room, sizeof(*st.rows));
	if (!st.keys || !st.vals || !st.rows)
		return tk_fail("out of memory");
	return 0;
}

TK_TOOL_MAIN(filetrace, &tool, setup)
