// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* syscalltrace: strace-like stream and syscount-like summary of syscalls. */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/bpf.h>
#include "tk.h"
#include "tk_cgroup.h"
#include "tk_metrics.h"
#include "syscalltrace.skel.h"

enum { OPT_SORT = 256, OPT_TOP, OPT_MIN_DURATION, OPT_NO_LATENCY, OPT_PER_CGROUP };
enum sort_key { SORT_COUNT, SORT_TIME };

static struct {
	bool summary, per_process, per_cgroup, failed, filter, no_latency;
	__u64 bitmap[TK_SYS_NR_SLOTS / 64];
	__u64 min_ns;
	double interval;
	__u64 top;
	enum sort_key sort;
} opt;

static const struct tk_tool_event events[] = {
	{ "syscall", TK_EV_syscall, true, NULL },
	{ NULL },
};

static const struct tk_tool_opt opts[] = {
	{ "summary", 's', NULL, "count calls, errors and latency per syscall in the kernel; print a table at the end" },
	{ "per-process", 'P', NULL, "summary per process (implies -s)" },
	{ "per-cgroup", OPT_PER_CGROUP, NULL, "summary per cgroup, grouped, with its path and container (implies -s; with -P, per process within each)" },
	{ "interval", 'i', "SECONDS", "summary: print and restart the table every SECONDS (implies -s)" },
	{ "no-latency", OPT_NO_LATENCY, NULL, "summary of counts and errors only, from sys_exit alone: about half the cost; exit and exit_group (which never return) are not seen (implies -s)" },
	{ "sort", OPT_SORT, "count|time", "summary order: 'count' (default) or 'time' (total latency)" },
	{ "top", OPT_TOP, "N", "summary: only the N first rows" },
	{ "syscall", 'e', "LIST", "only these syscalls: names or numbers, comma-separated" },
	{ "failed", 'x', NULL, "only failed calls (return value -4095..-1)" },
	{ "min-duration", OPT_MIN_DURATION, "NS", "only calls that took at least NS nanoseconds" },
	{ NULL },
};

static int parse_syscalls(const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return tk_fail("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int nr = tk_syscall_nr(tok);
		__u64 v;

		if (nr < 0 && !strncmp(tok, "syscall_", 8) && tok[8])
			tok += 8;
		if (nr < 0 && !tk_parse_u64(tok, 0, TK_SYS_NR_OTHER - 1, false, &v))
			nr = (int)v;
		if (nr < 0) {
			rc = tk_usage_error("unknown syscall '%s'", tok);
			break;
		}
		opt.bitmap[nr / 64] |= 1ULL << (nr % 64);
		opt.filter = true;
	}
	if (!rc && !opt.filter)
		rc = tk_usage_error("no syscalls in '%s'", list);
	free(copy);
	return rc ? -1 : 0;
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 's':
		opt.summary = true;
		return 0;
	case 'P':
		opt.summary = opt.per_process = true;
		return 0;
	case OPT_PER_CGROUP:
		opt.summary = opt.per_cgroup = true;
		return 0;
	case 'i':
		if (tk_parse_seconds(arg, &opt.interval) || opt.interval < 0.01) {
			tk_usage_error("invalid interval '%s' (seconds, >= 0.01)", arg);
			return -1;
		}
		opt.summary = true;
		return 0;
	case OPT_SORT:
		if (!strcmp(arg, "count"))
			opt.sort = SORT_COUNT;
		else if (!strcmp(arg, "time"))
			opt.sort = SORT_TIME;
		else {
			tk_usage_error("invalid sort key '%s': count or time", arg);
			return -1;
		}
		opt.summary = true;
		return 0;
	case OPT_TOP:
		if (tk_parse_u64(arg, 1, 1000000, false, &opt.top)) {
			tk_usage_error("invalid --top '%s' (1..1000000)", arg);
			return -1;
		}
		opt.summary = true;
		return 0;
	case OPT_NO_LATENCY:
		opt.summary = opt.no_latency = true;
		return 0;
	case 'e':
		return parse_syscalls(arg);
	case 'x':
		opt.failed = true;
		return 0;
	case OPT_MIN_DURATION:
		if (tk_parse_u64(arg, 0, ~0ULL, false, &opt.min_ns)) {
			tk_usage_error("invalid --min-duration '%s' (nanoseconds)", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static int check_args(const struct tk_env *env)
{
	if (opt.summary && env->count)
		return tk_usage_error("-n counts records; a summary (-s) prints none");
	if (opt.no_latency && (opt.min_ns || opt.sort == SORT_TIME))
		return tk_usage_error("--no-latency measures no time (--min-duration, --sort time)");
	return 0;
}

static const struct tk_tool tool = {
	.name = "syscalltrace",
	.summary = "Trace syscalls: one record per completed call (strace-like), or a\n"
		   "per-syscall count/error/latency summary aggregated in the kernel (-s).",
	.examples = "  syscalltrace -- ls /tmp              # every call of ls, like strace -f\n"
		    "  syscalltrace -s -- make -j2           # summary of make's tree, like strace -f -c\n"
		    "  syscalltrace -s -i 1 --top 10         # system-wide top 10 each second\n"
		    "  syscalltrace -s -P --sort time -d 5   # per process, by total latency\n"
		    "  syscalltrace -s --per-cgroup -d 5     # per container / systemd unit\n"
		    "  syscalltrace -x -e openat,stat -c nginx   # failed opens/stats of nginx\n"
		    "  syscalltrace --min-duration 10000000 -p 1234  # calls slower than 10 ms\n",
	.events = events,
	.opts = opts,
	.parse_opt = parse_opt,
	.trace_on_request = true, /* tracekit trace: the heaviest, on request */
	.check_args = check_args,
};

/* ---- argument kinds, from the running kernel's syscall signatures ---------- */

/* A tracefs event name (sys_enter_X) to a syscall number: X, or X without
 * the "new" of newstat/newuname, without the "64" of sendfile64, or with
 * the "2" of umount2. */
static int event_nr(const char *x)
{
	char buf[64];
	size_t n = strlen(x);
	int nr = tk_syscall_nr(x);

	if (nr < 0 && !strncmp(x, "new", 3))
		nr = tk_syscall_nr(x + 3);
	if (nr < 0 && n > 2 && n < sizeof(buf) && !strcmp(x + n - 2, "64")) {
		memcpy(buf, x, n - 2);
		buf[n - 2] = 0;
		nr = tk_syscall_nr(buf);
	}
	if (nr < 0 && n + 2 <= sizeof(buf)) {
		snprintf(buf, sizeof(buf), "%s2", x);
		nr = tk_syscall_nr(buf);
	}
	return nr;
}

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

/*
 * Parses one format file: after __syscall_nr come the arguments in order,
 * "field:TYPE NAME;". Returns the arg-kinds byte (see the BPF side).
 */
static __u8 format_kinds(FILE *f)
{
	static const char *const path_names[] = {
		"filename", "pathname", "path", "oldname", "from_pathname", "to_pathname",
		"specialfile", "special", "new_root", "dir_name", "library", NULL,
	};
	static const char *const fd_names[] = {
		"fd", "fildes", "ufd", "epfd", "oldfd", "fd_in", "fdin", "out_fd", "pidfd",
		"dfd", "olddfd", NULL, /* *at(): AT_FDCWD is negative, so not shown */
	};
	char line[512];
	int arg = -1;
	__u8 kinds = 0;

	while (fgets(line, sizeof(line), f)) {
		char *field = strstr(line, "field:"), *semi, *name;

		if (!field || !(semi = strchr(field, ';')))
			continue;
		*semi = 0;
		field += 6;
		if (arg < 0) {
			if (strstr(field, "__syscall_nr"))
				arg = 0;
			continue;
		}
		name = strrchr(field, ' ');
		if (!name || arg >= 6)
			break;
		*name++ = 0;
		/* field is now the type */
		if (!(kinds & 0x0f) && (!strcmp(field, "const char *") || !strcmp(field, "char *")) &&
		    in_list(name, path_names))
			kinds |= arg + 1;
		if (!(kinds & 0xf0) && !strchr(field, '*') && in_list(name, fd_names))
			kinds |= (arg + 1) << 4;
		arg++;
	}
	return kinds;
}

/* Fills kinds[]; returns how many syscalls have a path or fd argument. */
static int load_arg_kinds(volatile __u8 *kinds, bool verbose)
{
	char dir[64]; /* tk_tracefs_events() + "/syscalls" */
	DIR *d;
	struct dirent *de;
	int found = 0;

	snprintf(dir, sizeof(dir), "%s/syscalls", tk_tracefs_events());
	d = opendir(dir);
	if (!d) {
		if (verbose)
			fprintf(stderr, "%s: no syscall tracepoint formats: paths and fds not decoded\n",
				tk_prog);
		return 0;
	}
	while ((de = readdir(d))) {
		char path[512];
		FILE *f;
		int nr;
		__u8 k;

		if (strncmp(de->d_name, "sys_enter_", 10))
			continue;
		nr = event_nr(de->d_name + 10);
		if (nr < 0 || nr >= TK_SYS_NR_OTHER) {
			if (verbose)
				fprintf(stderr, "%s: tracepoint %s: no syscall of that name\n", tk_prog,
					de->d_name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/format", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		k = format_kinds(f);
		fclose(f);
		kinds[nr] = k;
		found += k != 0;
	}
	closedir(d);
	return found;
}

/* ---- summary -------------------------------------------------------------------- */

struct row {
	__u64 cgroup_id;
	__u64 group;  /* --per-cgroup: its cgroup's total, by the sort key */
	__u32 pid, nr;
	char comm[TK_COMM_LEN];
	__u64 count, errors, total_ns, max_ns;
	bool dead; /* -i: its process or cgroup was gone before the last read */
};

struct rows {
	struct row *v;
	size_t n, cap;
};

struct summary {
	struct syscalltrace_bpf *skel;
	struct rows prev;   /* totals at the previous interval (-i) */
	__u64 *vals;        /* per-CPU lookup buffer */
	int ncpu;
	unsigned interval;  /* 1-based number of the table being printed */
	__u64 counted;      /* calls in all printed tables */
	__s64 since_ns;     /* start of the current table's span */
	bool failed;        /* out of memory */
	struct tk_out out;  /* where records would go: filled by the runtime */
};

static int row_cmp_key(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->cgroup_id != y->cgroup_id)
		return x->cgroup_id < y->cgroup_id ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static struct row *rows_add(struct rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct row *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	return &r->v[r->n++];
}

/* Sums one key's per-CPU values; max only from the current epoch. */
static void sum_cpus(struct summary *s, const void *vals, size_t stride, struct row *out)
{
	__u32 epoch = s->skel->bss->sys_epoch;

	for (int c = 0; c < s->ncpu; c++) {
		const struct tk_sys_stat *st = (const void *)((const char *)vals + c * stride);

		out->count += st->count;
		out->errors += st->errors;
		out->total_ns += st->total_ns;
		if (st->epoch == epoch && st->max_ns > out->max_ns)
			out->max_ns = st->max_ns;
		if (stride == sizeof(struct tk_sys_pstat) && !out->comm[0])
			memcpy(out->comm, ((const struct tk_sys_pstat *)st)->comm, TK_COMM_LEN);
	}
}

/* Reads the kernel's statistics: cumulative totals, one row per key. */
static int read_stats(struct summary *s, struct rows *cur)
{
	if (!opt.per_process && !opt.per_cgroup) {
		int fd = bpf_map__fd(s->skel->maps.sys_stats);

		for (__u32 k = 0; k < TK_SYS_NR_SLOTS; k++) {
			struct row r = { .nr = k }, *p;

			if (bpf_map_lookup_elem(fd, &k, s->vals))
				continue;
			sum_cpus(s, s->vals, sizeof(struct tk_sys_stat), &r);
			if (!r.count)
				continue;
			if (!(p = rows_add(cur)))
				return -1;
			*p = r;
		}
	} else {
		int fd = bpf_map__fd(s->skel->maps.sys_pstats);
		struct tk_sys_pkey key, next;
		void *prev = NULL;

		while (!bpf_map_get_next_key(fd, prev, &next)) {
			struct row r = { .cgroup_id = next.cgroup_id, .pid = next.pid, .nr = next.nr }, *p;

			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, s->vals))
				continue;
			sum_cpus(s, s->vals, sizeof(struct tk_sys_pstat), &r);
			if (!(p = rows_add(cur)))
				return -1;
			*p = r;
		}
	}
	qsort(cur->v, cur->n, sizeof(cur->v[0]), row_cmp_key);
	return 0;
}

static int row_cmp_sort(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	__u64 kx = opt.sort == SORT_TIME ? x->total_ns : x->count;
	__u64 ky = opt.sort == SORT_TIME ? y->total_ns : y->count;

	/* --per-cgroup: the busiest cgroup's rows first, then the next's */
	if (x->group != y->group)
		return x->group > y->group ? -1 : 1;
	if (x->cgroup_id != y->cgroup_id)
		return x->cgroup_id < y->cgroup_id ? -1 : 1;
	if (kx != ky)
		return kx > ky ? -1 : 1;
	return row_cmp_key(a, b);
}

static const char *nr_name(__u32 nr, char *buf, size_t len)
{
	const char *n = tk_syscall_name(nr);

	if (n)
		return n;
	if (nr == TK_SYS_NR_OTHER)
		return "other";
	snprintf(buf, len, "syscall_%u", nr);
	return buf;
}

static void print_table(struct summary *s, struct rows *d, bool final)
{
	const struct tk_out *out = &s->out;
	struct tk_col cols[10 + TK_CG_COLS];
	struct tk_cell cells[10 + TK_CG_COLS];
	struct row total = { 0 };
	char title[128], tbuf[32], nbuf[32];
	size_t shown = 0;
	int n = 0, c;
	__s64 now = tk_now_ns(CLOCK_MONOTONIC);
	struct tm tm;
	time_t t = time(NULL);

	localtime_r(&t, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	snprintf(title, sizeof(title), "%s syscalls%s%s over %.3f s%s", tbuf,
		 opt.per_cgroup ? " per cgroup" : "", opt.per_process ? " per process" : "",
		 (now - s->since_ns) / 1e9,
		 final && opt.interval ? " (last interval)" : "");
	s->since_ns = now;

	if (opt.interval)
		cols[n++] = (struct tk_col){ "interval", 8 };
	if (opt.per_cgroup)
		n += tk_table_cgroup(out, false, 0, NULL, cols + n, cells);
	if (opt.per_process) {
		cols[n++] = (struct tk_col){ "pid", 7 };
		cols[n++] = (struct tk_col){ "comm", -16 };
	}
	cols[n++] = (struct tk_col){ "syscall", -22 };
	cols[n++] = (struct tk_col){ "nr", 4 };
	cols[n++] = (struct tk_col){ "count", 10 };
	cols[n++] = (struct tk_col){ "errors", 8 };
	if (!opt.no_latency) {
		cols[n++] = (struct tk_col){ "total_ns", 14 };
		cols[n++] = (struct tk_col){ "avg_ns", 11 };
		cols[n++] = (struct tk_col){ "max_ns", 12 };
	}
	if (opt.per_cgroup)
		n += tk_table_cgroup(out, true, 0, NULL, cols + n, cells);

	/* --per-cgroup: each row gets its cgroup's total; d is in key order,
	 * so the rows of a cgroup are together */
	for (size_t i = 0, g = 0; opt.per_cgroup && i < d->n; i = g) {
		__u64 sum = 0;

		for (g = i; g < d->n && d->v[g].cgroup_id == d->v[i].cgroup_id; g++)
			sum += opt.sort == SORT_TIME ? d->v[g].total_ns : d->v[g].count;
		for (size_t j = i; j < g; j++)
			d->v[j].group = sum;
	}
	qsort(d->v, d->n, sizeof(d->v[0]), row_cmp_sort);
	tk_table_begin(out, title, cols, n);
	for (size_t i = 0, in_group = 0; i < d->n; i++, in_group++) {
		const struct row *r = &d->v[i];
		const struct tk_cg_info *ci = NULL;

		total.count += r->count;
		total.errors += r->errors;
		total.total_ns += r->total_ns;
		if (r->max_ns > total.max_ns)
			total.max_ns = r->max_ns;
		if (i && r->cgroup_id != r[-1].cgroup_id)
			in_group = 0;
		/* --per-cgroup: the top rows of each cgroup */
		if (opt.top && in_group >= opt.top)
			continue;
		shown++;
		c = 0;
		if (opt.interval)
			cells[c++] = (struct tk_cell){ .num = s->interval, .integer = true };
		if (opt.per_cgroup) {
			ci = out->cg ? tk_cgroup_lookup(out->cg, r->cgroup_id) : NULL;
			c += tk_table_cgroup(out, false, r->cgroup_id, ci, cols + c, cells + c);
		}
		if (opt.per_process) {
			cells[c++] = (struct tk_cell){ .num = r->pid, .integer = true };
			cells[c++] = (struct tk_cell){ .s = r->comm };
		}
		cells[c++] = (struct tk_cell){ .s = nr_name(r->nr, nbuf, sizeof(nbuf)) };
		cells[c++] = (struct tk_cell){ .num = r->nr, .integer = true };
		cells[c++] = (struct tk_cell){ .num = r->count, .integer = true };
		cells[c++] = (struct tk_cell){ .num = r->errors, .integer = true };
		if (!opt.no_latency) {
			cells[c++] = (struct tk_cell){ .num = r->total_ns, .integer = true };
			cells[c++] = (struct tk_cell){ .num = (double)r->total_ns / r->count,
						      .integer = true };
			cells[c++] = (struct tk_cell){ .num = r->max_ns, .integer = true };
		}
		if (opt.per_cgroup)
			c += tk_table_cgroup(out, true, r->cgroup_id, ci, cols + c, cells + c);
		tk_table_row(out, "syscall_summary", cols, cells, c);
	}
	s->counted += total.count;
	if (out->json)
		return;
	/* strace -c's total line (text only: JSON consumers sum rows) */
	fprintf(out->f, "total: %llu calls, %llu failed", (unsigned long long)total.count,
		(unsigned long long)total.errors);
	if (!opt.no_latency)
		fprintf(out->f, ", %.3f ms in syscalls", total.total_ns / 1e6);
	if (shown < d->n && opt.per_cgroup)
		fprintf(out->f, " (%zu of %zu rows shown: the top %llu of each cgroup)", shown, d->n,
			(unsigned long long)opt.top);
	else if (shown < d->n)
		fprintf(out->f, " (top %zu of %zu syscalls shown)", shown, d->n);
	fputc('\n', out->f);
}

/* Attached: the first table's span starts now. */
static int ready(void *ctx)
{
	struct summary *s = ctx;

	if (opt.per_cgroup && !s->out.cg)
		return tk_fail_no_cgroups(&s->out, "--per-cgroup");
	s->since_ns = tk_now_ns(CLOCK_MONOTONIC);
	return 0;
}

/*
 * -i with -P or --per-cgroup: a process gone before this read made its
 * last calls before it, and so did (nearly) a removed cgroup, so once
 * they are printed their keys can go, and the map does not fill up with
 * the dead over a long run. A call in flight when its cgroup went is
 * counted at its exit under a fresh key: a later table shows it, and
 * reaps it.
 */
static void mark_dead(struct summary *s, struct rows *prev)
{
	bool cg_dead = false;

	/* rows in key order (cgroup, pid, nr): one check per cgroup, and one
	 * per process in it */
	for (size_t i = 0; i < prev->n; i++) {
		struct row *r = &prev->v[i];

		if (opt.per_cgroup && (!i || r->cgroup_id != r[-1].cgroup_id))
			cg_dead = tk_cgroup_removed(s->out.cg, r->cgroup_id);
		if (i && r->pid == r[-1].pid && r->cgroup_id == r[-1].cgroup_id)
			r->dead = r[-1].dead;
		else
			r->dead = cg_dead ||
				  (opt.per_process && kill(r->pid, 0) && errno == ESRCH);
	}
}

static void reap_dead(struct summary *s, struct rows *cur)
{
	int fd = bpf_map__fd(s->skel->maps.sys_pstats);
	size_t n = 0;

	for (size_t i = 0; i < cur->n; i++) {
		struct tk_sys_pkey k = { cur->v[i].cgroup_id, cur->v[i].pid, cur->v[i].nr };

		if (cur->v[i].dead)
			bpf_map_delete_elem(fd, &k);
		else
			cur->v[n++] = cur->v[i];
	}
	cur->n = n;
}

/* The count of one TK_SYS_CNT_* counter; 0 if it cannot be read. */
static __u64 counter(struct summary *s, __u32 which)
{
	__u64 n;

	return tk_percpu_sum(s->skel->maps.sys_counters, &which, &n) ? 0 : n;
}

/* Calls the full per-process/cgroup map could not count, if any. */
static void report_nospace(struct summary *s)
{
	__u64 n = counter(s, TK_SYS_CNT_NOSPACE);

	if (n)
		fprintf(stderr, "%s: %llu calls not counted: per-process/cgroup table full (%u "
				"entries)\n", tk_prog, (unsigned long long)n,
			bpf_map__max_entries(s->skel->maps.sys_pstats));
}

static void tick(void *ctx, bool final)
{
	struct summary *s = ctx;
	struct rows cur = { 0 }, delta = { 0 };
	size_t j = 0;

	if (s->failed)
		return;
	if ((opt.per_process || opt.per_cgroup) && opt.interval)
		mark_dead(s, &s->prev);
	if (read_stats(s, &cur))
		goto oom;
	/* the interval's table: cumulative totals minus the previous ones */
	for (size_t i = 0; i < cur.n; i++) {
		struct row *c = &cur.v[i], *d;

		while (j < s->prev.n && row_cmp_key(&s->prev.v[j], c) < 0)
			j++;
		if (!(d = rows_add(&delta)))
			goto oom;
		*d = *c;
		if (j < s->prev.n && !row_cmp_key(&s->prev.v[j], c)) {
			d->count -= s->prev.v[j].count;
			d->errors -= s->prev.v[j].errors;
			d->total_ns -= s->prev.v[j].total_ns;
			c->dead = s->prev.v[j].dead;
		}
		if (!d->count)
			delta.n--;
	}
	s->interval++;
	print_table(s, &delta, final);
	/* -i: with each table (the last one's is finish()'s) */
	if (opt.interval && !final)
		report_nospace(s);
	if (opt.interval) {
		/* the next interval's max_ns starts from zero */
		s->skel->bss->sys_epoch++;
		if (opt.per_process || opt.per_cgroup)
			reap_dead(s, &cur);
		free(s->prev.v);
		s->prev = cur;
		cur.v = NULL;
	}
	free(cur.v);
	free(delta.v);
	return;
oom:
	free(cur.v);
	free(delta.v);
	s->failed = true;
	tk_fail("out of memory reading the statistics");
}

/*
 * --metrics: the kernel's totals, cumulative (the map is never reset;
 * -P's ended processes leave once a tick has printed them), a series per
 * row of the table -s would print: syscall, and cgroup / pid and comm.
 */
static void put_metrics(void *ctx, struct tk_metrics *m)
{
	static const struct { const char *name, *help; } fam[] = {
		{ "tracekit_syscalls_total", "System calls made, counted in the kernel at their exit." },
		{ "tracekit_syscall_errors_total", "System calls that returned an error (-4095..-1)." },
		{ "tracekit_syscall_seconds_total", "Time spent in system calls, from entry to exit." },
	};
	static const char *const uncounted[] = { "table_full", "compat", "no_task_storage" };
	const __u32 which[] = { TK_SYS_CNT_NOSPACE, TK_SYS_CNT_COMPAT, TK_SYS_CNT_NOSTORE };
	struct summary *s = ctx;
	struct rows cur = { 0 };

	if (read_stats(s, &cur)) {
		free(cur.v);
		tk_metrics_fail(m, ENOMEM);
		return;
	}
	for (int f = 0; f < (opt.no_latency ? 2 : 3); f++) {
		tk_metrics_family(m, fam[f].name, "counter", fam[f].help);
		for (size_t i = 0; i < cur.n; i++) {
			const struct row *r = &cur.v[i];
			char nbuf[32], pid[16], cgid[24];
			struct tk_label l[3 + TK_CG_LABELS];
			int nl = 0;

			l[nl++] = (struct tk_label){ "syscall", nr_name(r->nr, nbuf, sizeof(nbuf)), 0 };
			if (opt.per_cgroup)
				nl += tk_metrics_cgroup(s->out.cg, r->cgroup_id, cgid, l + nl);
			if (opt.per_process) {
				snprintf(pid, sizeof(pid), "%u", r->pid);
				l[nl++] = (struct tk_label){ "pid", pid, 0 };
				l[nl++] = (struct tk_label){ "comm", r->comm, TK_COMM_LEN };
			}
			tk_metrics_sample(m, l, nl, f == 0 ? r->count : f == 1 ? r->errors
								  : r->total_ns / 1e9);
		}
	}
	free(cur.v);
	tk_metrics_family(m, "tracekit_syscalls_uncounted_total", "counter",
			  "System calls not counted: the per-process/cgroup table full, "
			  "32-bit tasks, no task storage.");
	for (int k = 0; k < 3; k++)
		tk_metrics_sample(m, &(struct tk_label){ "reason", uncounted[k], 0 }, 1,
				  counter(s, which[k]));
}

/* ---- settings ---------------------------------------------------------------------- */

static void set_nr(volatile __u32 *dst, const char *name)
{
	int nr = tk_syscall_nr(name);

	if (nr >= 0)
		*dst = nr;
}

/* The tool's own counters, of calls it did not trace or count. */
static int finish(void *ctx, int rc)
{
	struct summary *s = ctx;
	__u64 n;

	if (bpf_map__fd(s->skel->maps.sys_counters) >= 0) { /* loaded */
		if (opt.summary)
			fprintf(stderr, "%s: %llu calls counted in the kernel\n", tk_prog,
				(unsigned long long)s->counted);
		if ((n = counter(s, TK_SYS_CNT_COMPAT)))
			fprintf(stderr, "%s: %llu calls of 32-bit tasks not traced\n", tk_prog,
				(unsigned long long)n);
		report_nospace(s);
		if ((n = counter(s, TK_SYS_CNT_NOSTORE)))
			fprintf(stderr, "%s: %llu calls not traced: no task storage (kernel memory)\n",
				tk_prog, (unsigned long long)n);
	}
	if (s->failed && !rc)
		rc = 1;
	free(s->vals);
	free(s->prev.v);
	return rc;
}

static int setup(struct syscalltrace_bpf *skel, struct tk_env *env, struct tk_hooks *hooks)
{
	static struct summary sum;
	int ncpu = libbpf_num_possible_cpus(), err;
	__u64 n;

	sum.skel = skel;
	hooks->ctx = &sum;
	hooks->finish = finish;
	if (opt.summary)
		env->ringbuf_size = 4096; /* nothing is streamed */
	skel->rodata->tk_failed_only = opt.failed;
	skel->rodata->targ_summary = opt.summary;
	skel->rodata->targ_per_process = opt.per_process;
	skel->rodata->targ_per_cgroup = opt.per_cgroup;
	skel->rodata->targ_keyed = opt.per_process || opt.per_cgroup;
	skel->rodata->targ_no_latency = opt.no_latency;
	if (opt.no_latency) {
		bpf_program__set_autoload(skel->progs.sys_call_enter, false);
		bpf_program__set_autoload(skel->progs.sys_call_switch, false);
	}
	skel->rodata->targ_filter_nr = opt.filter;
	memcpy((void *)skel->rodata->targ_nr_bitmap, opt.bitmap, sizeof(opt.bitmap));
	skel->rodata->targ_min_ns = opt.min_ns;
	set_nr(&skel->rodata->targ_nr_exit, "exit");
	set_nr(&skel->rodata->targ_nr_exit_group, "exit_group");
	set_nr(&skel->rodata->targ_nr_execve, "execve");
	set_nr(&skel->rodata->targ_nr_execveat, "execveat");
	if (!opt.summary) {
		n = load_arg_kinds(skel->rodata->targ_arg_kinds, env->verbose);
		if (env->verbose)
			fprintf(stderr, "%s: %llu syscalls with a path or fd argument\n", tk_prog,
				(unsigned long long)n);
	}
	if (!opt.per_process && !opt.per_cgroup &&
	    (err = bpf_map__set_max_entries(skel->maps.sys_pstats, 1)))
		return tk_fail("cannot size the sys_pstats map: %s", strerror(-err));
	if (!opt.summary)
		return 0;
	if (ncpu <= 0)
		return tk_fail("cannot count the CPUs: %s", strerror(-ncpu));
	sum.ncpu = ncpu;
	sum.vals = calloc(ncpu, sizeof(struct tk_sys_pstat));
	if (!sum.vals)
		return tk_fail("out of memory");
	hooks->out = &sum.out;
	hooks->ready = ready;
	hooks->tick = tick;
	hooks->metrics = put_metrics;
	hooks->interval_ms = (unsigned)(opt.interval * 1000);
	return 0;
}

TK_TOOL_MAIN(syscalltrace, &tool, setup)
