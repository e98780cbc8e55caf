// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tkfloor: the floor of a tracer — empty BPF programs (r0 = 0 or 1; exit) of
 * the attach type the tracer uses, on the tracepoints it uses, so a bench
 * can tell what the kernel's dispatch to a program costs from what the
 * tracer's own instructions cost, in the same run.
 *
 *	tkfloor tp:syscalls/sys_enter_openat tp:syscalls/sys_exit_openat
 *	tkfloor tp_btf:sys_enter tp_btf:sys_exit
 *	tkfloor raw_tp:sched_switch
 *	tkfloor tp_btf:sys_enter+ktime tp_btf:sys_exit+ktime
 *
 * A "+ktime" program calls bpf_ktime_get_ns() once and returns: the floor
 * of a tracer that times something (syscalltrace -s's latency), whose two
 * clock reads are a cost no program body can avoid.
 *
 *	tkfloor tp:syscalls/sys_enter_openat tp:syscalls/sys_exit_openat+record
 *
 * "+record" (sys_exit_openat only) is benchmarks/tkfloor.bpf.c's program
 * instead of an empty one: the least a tracer that reports each open by
 * name does (a record's header, the return value and the name, copied into
 * a ring buffer that tkfloor drains); the floor of filetrace's record.
 * "+fields" (sys_exit_openat too) is that file's floor_fields: filetrace's
 * whole record of an open, every field it reports with its kernel-resolved
 * path, made by the same reads and walk with none of filetrace's
 * machinery (dispatch, filters, wakeup policy, nesting-safe scratch).
 * With -j first, tkfloor prints each +fields record to stdout as
 * filetrace -j would (the one decoder): what a test checks the floor's
 * records against. Without it the records are taken and dropped.
 *
 *	tkfloor tp_btf:sys_exit+count
 *
 * "+count" (tp_btf:sys_exit only) is that file's floor_count: a per-CPU
 * count and error count per syscall number, the floor of syscalltrace -s
 * --no-latency (and of any syscall counter).
 * Each attach type goes through the kernel's own path for it (a perf
 * event's tracepoint hook for tp:, the raw tracepoint for raw_tp: and, with
 * BTF-typed arguments, for tp_btf:), which is what differs between them in
 * cost.
 * The programs are built here, not compiled: two instructions need no
 * object file. They are named floor_<tracepoint> (15 bytes at most, the
 * kernel's limit) and the ready line gives each one's id, so a bench reads
 * bpf_stats by id even with several tkfloors running.
 */
#include <errno.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tk.h"
#include "tkfloor.skel.h"

#define MAX_SPECS 16
/* the specs that take a program of tkfloor.bpf.c instead of an empty one */
#define SPEC_RECORD "tp:syscalls/sys_exit_openat+record"
#define SPEC_FIELDS "tp:syscalls/sys_exit_openat+fields"
#define SPEC_COUNT "tp_btf:sys_exit+count"

struct floor {
	const char *spec;
	char tp[64]; /* the spec without +ktime, +record, +fields or +count */
	bool ktime, record, fields, count;
	int prog_fd, link_fd, perf_fd;
	__u32 id;
};

static int usage(void)
{
	fprintf(stderr, "usage: tkfloor [-j] SPEC... (SPEC: tp:CATEGORY/NAME, raw_tp:NAME or "
			"tp_btf:NAME, each optionally +ktime; or "
			SPEC_RECORD ", " SPEC_FIELDS ", " SPEC_COUNT "; at most %d)\n",
		MAX_SPECS);
	return 2;
}

static int bad_spec(const char *s)
{
	fprintf(stderr, "tkfloor: '%s' is not tp:CATEGORY/NAME, raw_tp:NAME or tp_btf:NAME "
			"(+ktime), " SPEC_RECORD ", " SPEC_FIELDS " or " SPEC_COUNT "\n", s);
	return 2;
}

/* A tracepoint name as tracefs and BTF spell it: [a-z0-9_], not empty. */
static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* tracefs's id of CAT/NAME: what PERF_TYPE_TRACEPOINT's config names. */
static int tracepoint_id(const char *cat_name, long *id)
{
	char path[PATH_MAX];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s/id", tk_tracefs_events(), cat_name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%ld", id);
	fclose(f);
	return n == 1 ? 0 : -EINVAL;
}

static struct tkfloor_bpf *skel; /* +record's, +fields' and +count's programs, if asked for */
/* which of the skeleton's programs the specs ask for: only those are
 * loaded (a bench reads the programs a tkfloor holds as its floor) */
static bool want_record, want_fields, want_count;

static int load(struct floor *fl, enum bpf_prog_type type, const char *tp,
		const struct bpf_prog_load_opts *opts)
{
	/*
	 * [call bpf_ktime_get_ns;] r0 = 0 or 1; exit. A tp: program returns 1
	 * as the tools' do (TK_TP_KEEP in bpf/tk.bpf.h: the event stays for
	 * perf), so the floor pays the same perf pass after the program that
	 * they do; other types' return values are ignored.
	 */
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_ktime_get_ns },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = type == BPF_PROG_TYPE_TRACEPOINT },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int skip = fl->ktime ? 0 : 1;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char name[BPF_OBJ_NAME_LEN];

	snprintf(name, sizeof(name), "floor_%s", tp);
	if (fl->record || fl->fields || fl->count) {
		/* the skeleton's, loaded once; its fd is the skeleton's */
		if (!skel) {
			if (!(skel = tkfloor_bpf__open()))
				return -errno;
			bpf_program__set_autoload(skel->progs.floor_record, want_record);
			bpf_program__set_autoload(skel->progs.floor_fields, want_fields);
			bpf_program__set_autoload(skel->progs.floor_count, want_count);
			if (tkfloor_bpf__load(skel))
				return -errno;
		}
		fl->prog_fd = dup(bpf_program__fd(fl->record   ? skel->progs.floor_record
						  : fl->fields ? skel->progs.floor_fields
							       : skel->progs.floor_count));
	} else {
		fl->prog_fd = bpf_prog_load(type, name, "Dual BSD/GPL", insns + skip, 3 - skip, opts);
	}
	if (fl->prog_fd < 0)
		return fl->prog_fd;
	if (bpf_obj_get_info_by_fd(fl->prog_fd, &info, &len))
		return -errno;
	fl->id = info.id;
	return 0;
}

/* Loads and attaches one spec: 0, 2 (not a spec) or 1 (one line said why). */
static int attach(struct floor *fl)
{
	const char *s = fl->tp, *name, *plus = strchr(fl->spec, '+');
	int err;

	if (plus && strcmp(plus, "+ktime") && strcmp(fl->spec, SPEC_RECORD) &&
	    strcmp(fl->spec, SPEC_FIELDS) && strcmp(fl->spec, SPEC_COUNT))
		return bad_spec(fl->spec);
	if (snprintf(fl->tp, sizeof(fl->tp), "%.*s", plus ? (int)(plus - fl->spec) : (int)strlen(fl->spec),
		     fl->spec) >= (int)sizeof(fl->tp))
		return bad_spec(fl->spec);
	fl->record = plus && !strcmp(plus, "+record");
	fl->fields = plus && !strcmp(plus, "+fields");
	fl->count = plus && !strcmp(plus, "+count");
	fl->ktime = plus && !fl->record && !fl->fields && !fl->count;

	if (!strncmp(s, "tp:", 3)) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_TRACEPOINT,
			.size = sizeof(attr),
			/* a counting event, as libbpf opens for the tools'
			 * tp: programs (bpf_program__attach_tracepoint) */
		};
		const char *slash = strchr(s + 3, '/');
		char cat[64];
		long id;

		if (!slash || slash - (s + 3) >= (long)sizeof(cat))
			return bad_spec(fl->spec);
		snprintf(cat, sizeof(cat), "%.*s", (int)(slash - (s + 3)), s + 3);
		name = slash + 1;
		if (!valid_name(cat) || !valid_name(name))
			return bad_spec(fl->spec);
		err = tracepoint_id(s + 3, &id);
		if (err)
			return tk_fail("%s: no such tracepoint in tracefs (%s)", s, strerror(-err));
		err = load(fl, BPF_PROG_TYPE_TRACEPOINT, name, NULL);
		if (err)
			return tk_fail("%s: loading the program failed: %s", s, strerror(-err));
		attr.config = id;
		/* one event on CPU 0 is enough: a tracepoint's BPF programs run
		 * on every CPU, whichever perf event attached them */
		fl->perf_fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		if (fl->perf_fd < 0)
			return tk_fail("%s: perf_event_open failed: %s", s, strerror(errno));
		fl->link_fd = bpf_link_create(fl->prog_fd, fl->perf_fd, BPF_PERF_EVENT, NULL);
	} else if (!strncmp(s, "raw_tp:", 7)) {
		name = s + 7;
		if (!valid_name(name))
			return bad_spec(fl->spec);
		err = load(fl, BPF_PROG_TYPE_RAW_TRACEPOINT, name, NULL);
		if (err)
			return tk_fail("%s: loading the program failed: %s", s, strerror(-err));
		fl->link_fd = bpf_raw_tracepoint_open(name, fl->prog_fd);
	} else if (!strncmp(s, "tp_btf:", 7)) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP);
		int btf_id;

		name = s + 7;
		if (!valid_name(name))
			return bad_spec(fl->spec);
		/* the type btf_trace_<name>: what the verifier checks the
		 * program's context against */
		btf_id = libbpf_find_vmlinux_btf_id(name, BPF_TRACE_RAW_TP);
		if (btf_id < 0)
			return tk_fail("%s: no btf_trace_%s in the kernel's BTF", s, name);
		opts.attach_btf_id = btf_id;
		err = load(fl, BPF_PROG_TYPE_TRACING, name, &opts);
		if (err)
			return tk_fail("%s: loading the program failed: %s", s, strerror(-err));
		fl->link_fd = bpf_raw_tracepoint_open(NULL, fl->prog_fd);
	} else {
		return bad_spec(fl->spec);
	}
	if (fl->link_fd < 0)
		return tk_fail("%s: attaching failed: %s", s, strerror(-fl->link_fd));
	return 0;
}

static int discard(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

/* -j: +fields' records (event ids are never 0; +record's header has 0) as
 * JSON lines; a failed write ends the drain (its errno, negated) */
static int print_fields(void *ctx, void *data, size_t size)
{
	const struct tk_out *o = ctx;
	const struct tk_hdr *h = data;

	if (size < sizeof(*h) || !h->event)
		return 0;
	errno = 0;
	if (tk_print_record(o, data, size) || ferror(o->f))
		return errno ? -errno : -EIO;
	return 0;
}

/*
 * +record's and +fields' consumer (one ring): takes the records every 10 ms (they come without a
 * wakeup) until SIGINT or SIGTERM, and says how many it took, so that a
 * bench knows the records were made and not dropped at a full ring.
 */
static int drain(const sigset_t *set, bool json)
{
	static struct tk_out out = { .json = true };
	struct tk_ring rb;
	const struct timespec tick = { .tv_nsec = 10 * 1000000 };
	long long taken = 0;
	bool done;
	int got;

	out.f = stdout;
	if (tk_ring_open(&rb, bpf_map__fd(skel->maps.floor_rb), json ? print_fields : discard,
			 &out))
		return tk_fail("cannot read the record ring: %s", strerror(errno));
	do {
		/* the wait is the signal's; without a wakeup an epoll wait
		 * would report nothing, so every turn consumes */
		done = sigtimedwait(set, NULL, &tick) >= 0;
		got = tk_ring_consume(&rb);
		if (got < 0) {
			tk_ring_close(&rb);
			return tk_fail("taking the records failed: %s", strerror(-got));
		}
		taken += got;
	} while (!done);
	tk_ring_close(&rb);
	if (fflush(stdout))
		return tk_fail("writing the records failed: %s", strerror(errno));
	fprintf(stderr, "tkfloor: %lld records taken, %llu lost at a full ring\n", taken,
		skel->bss->floor_lost);
	return 0;
}

int main(int argc, char **argv)
{
	struct floor fl[MAX_SPECS];
	int i, n, rc = 0, sig;
	bool json = argc > 1 && !strcmp(argv[1], "-j");
	sigset_t set;

	tk_prog = "tkfloor";
	if (json) {
		argv++, argc--;
		/* a reader gone is a failed write (EPIPE, exit 1), not a kill */
		signal(SIGPIPE, SIG_IGN);
	}
	n = argc - 1;
	if (n < 1 || n > MAX_SPECS || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage();
	for (i = 0; i < n; i++) {
		fl[i] = (struct floor){ .spec = argv[i + 1], .prog_fd = -1, .link_fd = -1,
					.perf_fd = -1 };
		want_record |= !strcmp(argv[i + 1], SPEC_RECORD);
		want_fields |= !strcmp(argv[i + 1], SPEC_FIELDS);
		want_count |= !strcmp(argv[i + 1], SPEC_COUNT);
	}
	rc = tk_preflight();
	if (rc)
		return rc;
	libbpf_set_print(NULL);
	/* blocked before attaching: a signal that comes early still ends it */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n && !rc; i++)
		rc = attach(&fl[i]);
	if (!rc) {
		fprintf(stderr, "tkfloor: %d %s attached (ids", n,
			skel ? "programs" : "empty programs");
		for (i = 0; i < n; i++)
			fprintf(stderr, " %u", fl[i].id);
		fprintf(stderr, "), Ctrl-C to end\n");
		/* every spec attached: one of them is +record's or +fields' */
		if (want_record || want_fields)
			rc = drain(&set, json);
		else
			sigwait(&set, &sig);
	}
	if (skel)
		tkfloor_bpf__destroy(skel);
	/* links first: the programs stop running before they are freed */
	for (i = 0; i < n; i++) {
		if (fl[i].link_fd >= 0)
			close(fl[i].link_fd);
		if (fl[i].perf_fd >= 0)
			close(fl[i].perf_fd);
		if (fl[i].prog_fd >= 0)
			close(fl[i].prog_fd);
	}
	return rc;
}
