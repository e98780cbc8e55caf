// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The runtime: preflight, load/attach, command mode, consumption with a
 * bounded-latency wakeup policy, signals, drain and the loss summary.
 *
 * Wakeup policy. A consumer wakeup (epoll return, context switch) costs
 * ~8-9 µs on the reference VM; a ring-buffer reserve+submit ~60 ns. Waking
 * per event would make the tracer 10-20x more expensive than it needs to be.
 * With the default 'bounded' policy the BPF side forces a wakeup only when
 * we are not polling (tk_wake[0], a flag we clear before our long wait), so
 * a lone event is delivered at once; after any wakeup we poll (wait at most
 * TK_WAKEUP_BOUND_NS, 1 ms) until 2 bounds pass with no records, so a flood
 * costs ~1000 timer wakeups a second and no forced ones (tk_wake_next();
 * the argument: tk_rb_committed() in bpf/tk.bpf.h). With 'batch' the BPF side
 * submits with BPF_RB_NO_WAKEUP and we drain every --drain-ms, or earlier
 * when it forces a wakeup because the buffer is half full; the perf buffer
 * (no per-event flags) does that under 'bounded' too. On exit the buffer
 * is drained completely, so received + lost == emitted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "tk.h"
#include "tk_cgroup.h"
#include "tk_metrics.h"
#include "tk_report.h"

#ifndef CAP_BPF
#define CAP_BPF 39 /* headers older than 5.8 */
#endif

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t last_signal;

static void on_signal(int sig)
{
	exiting = 1;
	last_signal = sig;
	signals_seen++;
}

/*
 * SIGHUP with -o or --raw: reopen the files, as logrotate's postrotate
 * expects of a daemon (the loop does it between two consumes, so no
 * record is cut or lost). Without a file to reopen it ends the tool as
 * SIGTERM does: then it is the hangup of the terminal it writes to.
 */
static volatile sig_atomic_t reopen_asked;

/*
 * SIGCHLD in command mode: nothing to do but interrupt the loop's wait
 * (epoll_wait returns EINTR whatever SA_RESTART says; writes do restart),
 * so the command's end is seen at once, not at the next timeout.
 */
static void on_child(int sig)
{
	(void)sig;
}

/*
 * The loop's wait: timeout ms, or less if AT (a CLOCK_MONOTONIC time, 0 for
 * none) comes sooner, so a tick, a metrics write, -d or the linger after
 * the command are on time even while the bounded policy waits long.
 */
static int wait_until(int timeout, __s64 now, __s64 at)
{
	__s64 ms;

	if (!at)
		return timeout;
	if (at <= now)
		return 0;
	ms = (at - now + 999999) / 1000000;
	return ms < timeout ? (int)ms : timeout;
}

static void on_hangup(int sig)
{
	(void)sig;
	reopen_asked = 1;
}

static bool verbose;

/*
 * libbpf reports a rejected program only through its print callback: a
 * warning "prog 'NAME': BPF program load failed: ERR", then one with the
 * whole verifier log between BEGIN/END PROG LOAD LOG markers. Both are
 * kept even without -v, so a load failure names the program and the
 * verifier's reason (the log's last lines) instead of guessing.
 */
#define TK_LOG_TAIL_LINES 20
static char rejected_prog[128];
static char *verifier_log; /* the last PROG LOAD LOG, or NULL */

static void keep_load_failure(const char *msg)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --\n";
	const char *p = strstr(msg, "prog '"), *q, *b, *e;

	if (p && (q = strstr(p + 6, "': BPF program load failed")) &&
	    q - (p + 6) < (long)sizeof(rejected_prog)) {
		memcpy(rejected_prog, p + 6, q - (p + 6));
		rejected_prog[q - (p + 6)] = 0;
	}
	b = strstr(msg, begin);
	if (b) {
		b += sizeof(begin) - 1;
		e = strstr(b, "-- END PROG LOAD LOG --");
		free(verifier_log);
		verifier_log = strndup(b, e ? (size_t)(e - b) : strlen(b));
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n = 0;

	if (level == LIBBPF_WARN) {
		char *msg = NULL;
		va_list aq;

		va_copy(aq, ap);
		if (vasprintf(&msg, fmt, aq) >= 0)
			keep_load_failure(msg);
		va_end(aq);
		free(msg);
	}
	if (verbose) /* our own messages name the cause; -v shows libbpf's */
		n = vfprintf(stderr, fmt, ap);
	return n;
}

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

/* Whether cap is in this process's effective set (root's, if capget fails). */
static bool have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &hdr, d))
		return geteuid() == 0;
	return d[cap / 32].effective & (1U << (cap % 32));
}

/* The privilege that loading needs: CAP_BPF (5.8+) or CAP_SYS_ADMIN. */
static bool have_bpf_privilege(void)
{
	return have_cap(CAP_SYS_ADMIN) || have_cap(CAP_BPF);
}

/* Prints the last TK_LOG_TAIL_LINES lines of the verifier log, indented. */
static void print_log_tail(const char *log)
{
	const char *start = log + strlen(log);
	int lines = 0;

	while (start > log && (start[-1] == '\n' || start[-1] == ' '))
		start--;
	for (const char *end = start; start > log; start--)
		if (start[-1] == '\n' && start != end && ++lines == TK_LOG_TAIL_LINES)
			break;
	for (const char *l = start; *l;) {
		size_t len = strcspn(l, "\n");

		if (len)
			fprintf(stderr, "  %.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
}

static int load_failed(int err)
{
	bool refused = err == -EPERM || err == -EACCES;

	if (refused && !have_bpf_privilege())
		return tk_fail("loading BPF programs was refused (%s): run as root (CAP_BPF or "
			       "CAP_SYS_ADMIN is needed)", strerror(-err));
	/* out of fds or memory: whatever log is there is not this failure's */
	if (rejected_prog[0] && verifier_log && verifier_log[0] && err != -EMFILE &&
	    err != -ENFILE && err != -ENOMEM) {
		fprintf(stderr, "%s: the kernel rejected BPF program '%s' (%s); the end of the "
			"verifier log:\n", tk_prog, rejected_prog, strerror(-err));
		print_log_tail(verifier_log);
		return 1;
	}
	if (refused)
		return tk_fail("loading BPF program%s%s%s was refused (%s) although the caller may "
			       "load BPF: a kernel lockdown, LSM or seccomp policy forbids it",
			       rejected_prog[0] ? " '" : "s", rejected_prog,
			       rejected_prog[0] ? "'" : "", strerror(-err));
	return tk_fail("loading BPF program%s%s%s failed: %s (run with -v for libbpf's log)",
		       rejected_prog[0] ? " '" : "s", rejected_prog, rejected_prog[0] ? "'" : "",
		       strerror(-err));
}

#define TK_TRACEFS "/sys/kernel/tracing"
#define TK_TRACEFS_DEBUGFS "/sys/kernel/debug/tracing"

const char *tk_tracefs_events(void)
{
	struct stat st;

	if (stat(TK_TRACEFS "/events", &st) && !stat(TK_TRACEFS_DEBUGFS "/events", &st))
		return TK_TRACEFS_DEBUGFS "/events";
	return TK_TRACEFS "/events";
}

static int ensure_tracefs(void)
{
	struct stat st;

	if (!stat(tk_tracefs_events(), &st))
		return 0;
	/* mounted, mode 0700: a non-root caller with CAP_BPF and CAP_PERFMON
	 * still needs to read the tracepoints' ids there */
	if (errno == EACCES)
		return tk_fail("tracefs (" TK_TRACEFS ") is not readable by this user: run as "
			       "root, or add CAP_DAC_READ_SEARCH");
	if (mount("tracefs", TK_TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return tk_fail("tracefs is not mounted and mounting it failed (%s); run: "
			       "mount -t tracefs tracefs " TK_TRACEFS,
			       strerror(errno));
	return 0;
}

int tk_preflight(void)
{
	/* capabilities, not the uid: a service may run as its own user with
	 * CAP_BPF and CAP_PERFMON (tracing programs, perf events, reading
	 * kernel memory), as systemd's AmbientCapabilities= gives */
	if (!have_cap(CAP_SYS_ADMIN) && !(have_cap(CAP_BPF) && have_cap(CAP_PERFMON)))
		return tk_fail("must run as root, or with CAP_BPF and CAP_PERFMON (loading "
			       "tracing programs needs both)");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return tk_fail("kernel BTF missing: /sys/kernel/btf/vmlinux (%s); a kernel built "
			       "with CONFIG_DEBUG_INFO_BTF=y is required",
			       strerror(errno));
	return ensure_tracefs();
}

/*
 * A closed or read-only stdout is known before anything is loaded. A
 * closed fd 1 would also be taken by the next open(), and records would
 * then be written into whatever that is (a BPF map's fd).
 */
static int check_stdout(void)
{
	int fl = fcntl(STDOUT_FILENO, F_GETFL);

	if (fl < 0)
		return tk_fail("writing to stdout failed: %s (it is closed)", strerror(errno));
	if ((fl & O_ACCMODE) == O_RDONLY || (fl & O_PATH))
		return tk_fail("writing to stdout failed: %s (it is not open for writing)",
			       strerror(EBADF));
	return 0;
}

/* After parsing, the machine checks. 0 or 1. */
static int init(const struct tk_env *env)
{
	if (!env->output && check_stdout())
		return 1;
	verbose = env->verbose;
	libbpf_set_print(libbpf_print);
	return tk_preflight();
}

/* ---- consumption ------------------------------------------------------- */

struct tk_session {
	const struct tk_env *env; /* the shared options: the first unit's */
	struct tk_unit *u;
	size_t n;
	bool trace;      /* tracekit trace: domains named, loss per domain */
	clockid_t clock; /* the records' ts_ns clock */
	struct tk_reorder {
		struct tk_held {
			__u64 ts, seq;
			size_t size;
			void *data;
		} *h;            /* a min-heap by (ts, seq) */
		size_t n, cap;
		__u64 seq;
		__u64 last_ts;   /* of the last record put out */
		__u64 late;      /* put out after a later one: older than the window */
	} ro;
	struct tk_out out;
	FILE *raw;       /* --raw, or NULL */
	struct tk_report *report; /* --report, or NULL: fed in stream order */
	__u64 received;  /* records taken out of the buffer */
	__u64 printed;   /* of them: printed (not consumed by a hook, not past -n) */
	__u64 malformed;
	__u64 after_limit; /* received once -n was reached: not printed */
	struct tk_perf_sink perf; /* its lost: PERF_RECORD_LOST tally (cross-check) */
	/* The first failed write to an output: EPIPE (the reader left, a
	 * normal end) or the errno of a real failure, and the stream's name. */
	int out_err;
	const char *out_err_name;
	const char *out_name;  /* "stdout" or the -o FILE */
	bool done;       /* -n reached */
	bool final;      /* the last drain, after detach: consume everything */
	bool hold;       /* command mode, first signal forwarded: keep going */
	__s64 deadline;  /* -d, CLOCK_MONOTONIC ns; 0 = none */
	unsigned checks;
};

/*
 * Whether consumption must hand control back to the poll loop. A
 * ring-buffer consume (tk_ring_consume()) loops for as long as producers
 * keep the ring busy, so under a sustained flood a poll call would never
 * return and Ctrl-C, -d or EPIPE would go unnoticed; a negative return
 * from the callback is its only way out. The final drain (programs detached) never stops.
 */
static bool must_yield(struct tk_session *s)
{
	if (s->final)
		return false;
	if (s->done || s->out_err || (exiting && !s->hold))
		return true;
	return s->deadline && (++s->checks & 255) == 0 &&
	       tk_now_ns(CLOCK_MONOTONIC) >= s->deadline;
}

#define TK_YIELD (-ECANCELED) /* from on_record: not an error */

/*
 * Notes the first write failure of f, flushing it first if asked. stdio
 * drops its buffer when a write fails and a later fflush() returns 0, so
 * the errno is taken the moment ferror() first shows; callers clear errno
 * before the writes they check. Once per record: ferror_unlocked, as the
 * decoder writes (only this thread uses the streams; ferror's lock was ~2%
 * of a stream's consumer).
 */
static void check_output(struct tk_session *s, FILE *f, const char *name, bool flush)
{
	if (!f || s->out_err)
		return;
	if ((flush && fflush(f)) || ferror_unlocked(f)) {
		s->out_err = errno ? errno : EIO;
		s->out_err_name = name;
	}
}

/* The unit a record is from: its event's domain (one unit: that one). */
static struct tk_unit *record_unit(const struct tk_session *s, const void *data, size_t size)
{
	struct tk_hdr h;

	if (s->n == 1)
		return s->u;
	if (size < sizeof(h))
		return NULL;
	memcpy(&h, data, sizeof(h));
	/* a tool's domain is its events' (tk_tool_domain); ids of domain 0
	 * (a tool without events) are never sent */
	for (size_t i = 0; i < s->n; i++)
		if (h.event >> 8 == s->u[i].tool->events[0].id >> 8)
			return &s->u[i];
	return NULL;
}

/* A record in stream order: its tool's record hook, then the decoder. */
static void emit(struct tk_session *s, const void *data, size_t size)
{
	struct tk_unit *u = record_unit(s, data, size);

	if (s->done) {
		s->after_limit++;
		return;
	}
	if (s->out_err)
		return;
	errno = 0;
	if (s->report)
		tk_report_add(s->report, data, size);
	if (u && u->hooks.record && u->hooks.record(u->hooks.ctx, data, size))
		return;
	if (tk_print_record(&s->out, data, size)) {
		s->malformed++;
		return;
	}
	check_output(s, s->out.f, s->out_name, false);
	if (!s->out_err && ++s->printed == s->env->count)
		s->done = true;
}

/*
 * tracekit trace's one timeline. One shared ring buffer hands records
 * out in reservation order, and a record reserved on one CPU can come
 * before an older one reserved on another (none seen in 29,074 records
 * of a make -j2); the per-CPU perf buffers of --perfbuf are read CPU by
 * CPU (20 inversions in 8,364 records, up to 12.8 ms behind). So records
 * are held, by timestamp, until they are TK_REORDER_NS older than the
 * clock (or more than TK_REORDER_MAX wait), and put out oldest first;
 * the final drain puts out the rest. A record that still arrives after
 * a younger one went out counts as late (JSON summary, -v).
 */
#define TK_REORDER_NS (50 * 1000000LL)
#define TK_REORDER_MAX 65536

static bool held_before(const struct tk_held *a, const struct tk_held *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

/* Holds a copy of the record; false if there is no memory for it. */
static bool hold(struct tk_reorder *ro, const void *data, size_t size)
{
	struct tk_held x = { .seq = ro->seq++, .size = size, .data = malloc(size) };
	struct tk_hdr h;
	size_t i;

	if (!x.data)
		return false;
	if (ro->n == ro->cap) {
		size_t cap = ro->cap ? ro->cap * 2 : 1024;
		struct tk_held *nh = realloc(ro->h, cap * sizeof(*nh));

		if (!nh) {
			free(x.data);
			return false;
		}
		ro->h = nh;
		ro->cap = cap;
	}
	memcpy(&h, data, sizeof(h));
	memcpy(x.data, data, size);
	x.ts = h.ts_ns;
	for (i = ro->n++; i && held_before(&x, &ro->h[(i - 1) / 2]); i = (i - 1) / 2)
		ro->h[i] = ro->h[(i - 1) / 2];
	ro->h[i] = x;
	return true;
}

static struct tk_held unhold(struct tk_reorder *ro)
{
	struct tk_held top = ro->h[0], last = ro->h[--ro->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < ro->n) {
		if (c + 1 < ro->n && held_before(&ro->h[c + 1], &ro->h[c]))
			c++;
		if (!held_before(&ro->h[c], &last))
			break;
		ro->h[i] = ro->h[c];
		i = c;
	}
	if (ro->n)
		ro->h[i] = last;
	return top;
}

/* emit() in the timeline: a record older than one already out is late. */
static void emit_ordered(struct tk_session *s, __u64 ts, const void *data, size_t size)
{
	if (ts < s->ro.last_ts)
		s->ro.late++;
	else
		s->ro.last_ts = ts;
	emit(s, data, size);
}

/* Puts out the records old enough (all: every one). */
static void flush_held(struct tk_session *s, bool all)
{
	struct tk_reorder *ro = &s->ro;
	__s64 now;

	if (!ro->n)
		return; /* nothing held (a single tool never holds): no clock read */
	now = tk_now_ns(s->clock);
	while (ro->n && (all || ro->n > TK_REORDER_MAX ||
			 (__s64)ro->h[0].ts <= now - TK_REORDER_NS)) {
		struct tk_held x = unhold(ro);

		emit_ordered(s, x.ts, x.data, x.size);
		free(x.data);
	}
}

/*
 * Every record of every domain passes here once, as received, with its
 * bytes (a report would take it here, beside --raw); emit() then puts
 * it out in stream order.
 */
static int on_record(void *ctx, void *data, size_t size)
{
	struct tk_session *s = ctx;
	struct tk_unit *u = record_unit(s, data, size);

	s->received++;
	if (u)
		u->received++;
	if (s->done)
		s->after_limit++;
	if (s->done || s->out_err)
		goto out;
	errno = 0;
	if (s->raw) {
		__u32 n = size;

		if (fwrite(&n, sizeof(n), 1, s->raw) == 1)
			fwrite(data, 1, size, s->raw);
		check_output(s, s->raw, s->env->raw, false);
		if (s->out_err)
			goto out;
	}
	if (!s->trace || size < sizeof(struct tk_hdr)) {
		emit(s, data, size);
	} else if (!hold(&s->ro, data, size)) {
		/* without memory to hold it: the held ones first, then this
		 * one, counted late if an older one went before it */
		struct tk_hdr h;

		memcpy(&h, data, sizeof(h)); /* perf records are 4-byte aligned */
		flush_held(s, true);
		emit_ordered(s, h.ts_ns, data, size);
	}
out:
	return must_yield(s) ? TK_YIELD : 0;
}

int tk_percpu_sum(struct bpf_map *map, const void *key, __u64 *sum)
{
	int ncpu = libbpf_num_possible_cpus(), err = -1;
	/* zeroed: valgrind cannot see the kernel write every CPU's value */
	__u64 *vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;

	*sum = 0;
	if (vals && !bpf_map_lookup_elem(bpf_map__fd(map), key, vals)) {
		for (int c = 0; c < ncpu; c++)
			*sum += vals[c];
		err = 0;
	}
	free(vals);
	return err;
}

int tk_read_stats(struct bpf_map *stats, __u64 out[TK_STAT__COUNT])
{
	int err = 0;

	for (__u32 k = 0; k < TK_STAT__COUNT; k++)
		if (tk_percpu_sum(stats, &k, &out[k]))
			err = -1;
	return err;
}

__s64 tk_now_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (__s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the loss summary ----------------------------------------------------- */

/*
 * What the kernel side did not deliver, by cause. Every cause is a lost
 * event and counts in "N events, M lost":
 *  - no_room: a failed ring-buffer reserve/output or perf-buffer output
 *    (the buffer was full), or a tool's own "no memory" (tk_stats LOST);
 *    with --perfbuf these are the samples the kernel also reports in
 *    PERF_RECORD_LOST records, so those are not added again;
 *  - no_scratch: nested deeper than tk.bpf.h's scratch slots;
 *  - skipped: runs of our programs the kernel did not make because they
 *    would have nested on one CPU (recursion_misses), but for the tool's
 *    self_counted_progs (self_skipped, shown with -v only: the tool counts
 *    what they lost in unseen; taken_over of those runs another of its
 *    programs made);
 *  - unseen: events of changes no program of the tool saw (skipped, or
 *    never delivered and never counted), which the tool found from their
 *    traces (TK_STAT_UNSEEN; see nettrace's net_count_gap()).
 */
struct tk_loss {
	bool known;
	__u64 emitted, no_room, no_scratch, skipped, self_skipped, taken_over, unseen, total;
};

/* Read after the final drain: the programs are detached but loaded. */
static int read_loss(const struct tk_tool *t, const struct tk_bpf *b, struct tk_loss *l)
{
	__u64 stats[TK_STAT__COUNT], misses = 0, self_misses = 0;
	int err = tk_read_stats(b->stats, stats);
	struct bpf_program *p;

	bpf_object__for_each_program(p, b->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0)
			continue; /* not loaded: its event was not selected */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = -1;
			continue;
		}
		if (t->self_counted_progs && tk_prog_in_list(bpf_program__name(p), t->self_counted_progs))
			self_misses += info.recursion_misses;
		else
			misses += info.recursion_misses;
	}
	l->emitted = stats[TK_STAT_EMITTED];
	l->no_room = stats[TK_STAT_LOST];
	l->no_scratch = stats[TK_STAT_NO_SCRATCH];
	l->taken_over = stats[TK_STAT_TAKEN_OVER];
	l->unseen = stats[TK_STAT_UNSEEN];
	l->skipped = misses;
	l->self_skipped = self_misses;
	l->total = l->no_room + l->no_scratch + l->skipped + l->unseen;
	return err;
}

/* The units' losses added up (l[0..n-1]); unknown if one is. */
static struct tk_loss loss_sum(const struct tk_loss *l, size_t n)
{
	struct tk_loss t = { .known = true };

	for (size_t i = 0; i < n; i++) {
		t.known = t.known && l[i].known;
		t.emitted += l[i].emitted;
		t.no_room += l[i].no_room;
		t.no_scratch += l[i].no_scratch;
		t.skipped += l[i].skipped;
		t.self_skipped += l[i].self_skipped;
		t.taken_over += l[i].taken_over;
		t.unseen += l[i].unseen;
		t.total += l[i].total;
	}
	return t;
}

/* tk_metrics_begin(), or NULL after one line saying why */
static struct tk_metrics *begin_metrics(const char *path)
{
	struct tk_metrics *m = tk_metrics_begin(path);

	if (!m && errno == EEXIST)
		tk_fail("cannot write the metrics to '%s': not a regular file (the file is "
			"replaced by a rename)", path);
	else if (!m)
		tk_fail("cannot write the metrics to '%s': %s", path, strerror(errno));
	return m;
}

/*
 * --metrics: one write of the file, the tools' families then the
 * runtime's health, every value cumulative. A unit whose loss counters
 * cannot be read has no lost samples (never a 0 it does not know; the
 * end of the run fails on it). 0, or 1 after one line.
 */
static int write_metrics(struct tk_session *s)
{
	static const char *const kinds[] = { "no_room", "no_scratch", "skipped", "unseen" };
	struct tk_metrics *m = begin_metrics(s->env->metrics);

	if (!m)
		return 1;
	for (size_t i = 0; i < s->n; i++)
		if (s->u[i].hooks.metrics)
			s->u[i].hooks.metrics(s->u[i].hooks.ctx, m);
	tk_metrics_family(m, "tracekit_events_total", "counter",
			  "Records the tool received from the kernel.");
	for (size_t i = 0; i < s->n; i++)
		tk_metrics_sample(m, &(struct tk_label){ "tool", s->u[i].tool->name, 0 }, 1,
				  s->u[i].received);
	tk_metrics_family(m, "tracekit_events_lost_total", "counter",
			  "Events the kernel side did not deliver, by cause (kind).");
	for (size_t i = 0; i < s->n; i++) {
		struct tk_loss l;
		__u64 v[4];

		if (read_loss(s->u[i].tool, &s->u[i].b, &l))
			continue;
		v[0] = l.no_room, v[1] = l.no_scratch, v[2] = l.skipped, v[3] = l.unseen;
		for (int k = 0; k < 4; k++) {
			struct tk_label lb[] = { { "tool", s->u[i].tool->name, 0 },
						 { "kind", kinds[k], 0 } };

			tk_metrics_sample(m, lb, 2, v[k]);
		}
	}
	if (tk_metrics_end(m))
		return tk_fail("cannot write the metrics to '%s': %s", s->env->metrics,
			       strerror(errno));
	return 0;
}

/* With several domains, each one's "domain":{"events":N,"lost":M}. */
static void put_json_summary(FILE *out, const struct tk_session *s, const struct tk_loss *ls)
{
	struct tk_loss all = loss_sum(ls, s->n), *l = &all;

	fprintf(out, "{\"event\":\"summary\",\"events\":%llu,\"printed\":%llu,",
		(unsigned long long)s->received, (unsigned long long)s->printed);
	if (!l->known)
		fputs("\"lost\":null", out); /* unknown, never 0 */
	else
		fprintf(out, "\"lost\":%llu,\"lost_no_room\":%llu,\"lost_no_scratch\":%llu,"
			     "\"lost_skipped\":%llu,\"lost_unseen\":%llu,\"perf_lost_reported\":%llu",
			(unsigned long long)l->total, (unsigned long long)l->no_room,
			(unsigned long long)l->no_scratch, (unsigned long long)l->skipped,
			(unsigned long long)l->unseen, (unsigned long long)s->perf.lost);
	if (s->trace) {
		fprintf(out, ",\"late\":%llu,\"domains\":{", (unsigned long long)s->ro.late);
		for (size_t i = 0; i < s->n; i++) {
			fprintf(out, "%s\"%s\":{\"events\":%llu,\"lost\":", i ? "," : "",
				s->u[i].domain, (unsigned long long)s->u[i].received);
			if (ls[i].known)
				fprintf(out, "%llu}", (unsigned long long)ls[i].total);
			else
				fputs("null}", out);
		}
		fputc('}', out);
	}
	fputs("}\n", out);
}

/* "TOOL: N events, M lost", with several domains "(proc A, file B, …)"
 * after it; and what -n left unprinted. */
static void put_summary_line(const struct tk_session *s, const struct tk_loss *ls)
{
	struct tk_loss all = loss_sum(ls, s->n), *l = &all;
	char lost[512] = "lost unknown";
	size_t len;

	if (l->known)
		snprintf(lost, sizeof(lost), "%llu lost", (unsigned long long)l->total);
	for (size_t i = 0; s->trace && i < s->n; i++) {
		char v[24] = "unknown";

		if (ls[i].known)
			snprintf(v, sizeof(v), "%llu", (unsigned long long)ls[i].total);
		len = strlen(lost);
		snprintf(lost + len, sizeof(lost) - len, "%s%s %s%s", i ? ", " : " (",
			 s->u[i].domain, v, i == s->n - 1 ? ")" : "");
	}
	if (s->done)
		fprintf(stderr, "%s: %llu events, %s; %llu printed (-n), %llu received after "
				"the limit not printed\n",
			tk_prog, (unsigned long long)s->received, lost,
			(unsigned long long)s->printed, (unsigned long long)s->after_limit);
	else
		fprintf(stderr, "%s: %llu events, %s\n", tk_prog, (unsigned long long)s->received,
			lost);
	if (s->malformed)
		fprintf(stderr, "%s: %llu malformed records skipped\n", tk_prog,
			(unsigned long long)s->malformed);
	if (s->ro.late)
		fprintf(stderr, "%s: %llu records out of time order (more than %lld ms late)\n",
			tk_prog, (unsigned long long)s->ro.late, TK_REORDER_NS / 1000000);
	if (s->env->verbose && l->known)
		fprintf(stderr, "%s: kernel side: %llu emitted; lost: %llu no room in the buffer, "
				"%llu nested too deep, %llu runs skipped, %llu found missing by the tool "
				"(its self-counted programs' %llu skipped runs, %llu of them taken over, "
				"are in those or were not lost); perf lost records: %llu\n",
			tk_prog, (unsigned long long)l->emitted, (unsigned long long)l->no_room,
			(unsigned long long)l->no_scratch, (unsigned long long)l->skipped,
			(unsigned long long)l->unseen, (unsigned long long)l->self_skipped,
			(unsigned long long)l->taken_over, (unsigned long long)s->perf.lost);
}

/* ---- command mode --------------------------------------------------------- */

/*
 * The command is looked up on PATH here, before the fork, as strace does:
 * execvp() in the traced child would try each PATH entry in turn, and
 * every miss would be traced as a failed exec by the tool itself. Like a
 * shell: a name with a '/' is used as is, an empty PATH entry is the
 * current directory, no PATH means the libc default. Returns 0, or the
 * shell's exit code for a command that cannot run: 127 (not found) or
 * 126 (found, not executable), after one line.
 */
static int resolve_command(const char *name, char *path, size_t size)
{
	const char *dirs = getenv("PATH"), *d, *end;
	bool denied = false;
	struct stat st;

	if (strchr(name, '/')) {
		if (snprintf(path, size, "%s", name) < (int)size)
			return 0;
		tk_fail("cannot run '%s': %s", name, strerror(ENAMETOOLONG));
		return 127;
	}
	if (!dirs)
		dirs = "/bin:/usr/bin";
	for (d = dirs; *name; d = end + 1) {
		int len;

		end = strchrnul(d, ':');
		len = end - d;
		if (snprintf(path, size, "%.*s%s%s", len, d, len ? "/" : "", name) < (int)size &&
		    !stat(path, &st) && S_ISREG(st.st_mode)) {
			if (!access(path, X_OK))
				return 0;
			denied = true;
		}
		if (!*end)
			break;
	}
	if (denied) {
		tk_fail("cannot run '%s': %s", name, strerror(EACCES));
		return 126;
	}
	tk_fail("cannot run '%s': command not found", name);
	return 127;
}

pid_t tk_spawn(const char *path, char *const argv[], const struct tk_spawn *o)
{
	int p[2] = { -1, -1 };
	pid_t pid;

	if (o->go_fd && pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		if (o->go_fd) {
			close(p[0]);
			close(p[1]);
		}
		return -1;
	}
	if (pid == 0) {
		char c;

		if ((o->out_fd >= 0 && dup2(o->out_fd, STDOUT_FILENO) < 0) ||
		    (o->err_fd >= 0 && dup2(o->err_fd, STDERR_FILENO) < 0))
			_exit(127);
		/* ignored signals stay ignored across exec: restore them */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (o->go_fd) {
			close(p[1]);
			if (read(p[0], &c, 1) != 1)
				_exit(127); /* the parent died before releasing us */
		}
		execv(path, argv);
		fprintf(stderr, "%s: cannot run '%s': %s\n", tk_prog, argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (o->go_fd) {
		close(p[0]);
		*o->go_fd = p[1];
	}
	return pid;
}

/*
 * Command mode: the child waits on a pipe until its pid is in the follow
 * map and the programs are attached, so its exec is the first thing traced.
 */
static pid_t spawn_held(const char *path, char **cmd, int *go_fd)
{
	return tk_spawn(path, cmd, &(struct tk_spawn){ .out_fd = -1, .err_fd = -1, .go_fd = go_fd });
}

/*
 * On an output failure a running command is stopped: its records can no
 * longer be written, and a command running on untraced is the last thing
 * someone tracing it (an audit, a test) expects. SIGTERM first, like a
 * shell ending a job, so it can clean up; SIGKILL if it is still there
 * after 5 s. Returns the signal that ended it.
 */
#define TK_STOP_GRACE_MS 5000

static int stop_command(pid_t child)
{
	int status;

	kill(child, SIGTERM);
	for (int ms = 0; ms < TK_STOP_GRACE_MS; ms += 10) {
		if (waitpid(child, &status, WNOHANG) == child)
			return SIGTERM;
		usleep(10000);
	}
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return SIGKILL;
}

static int wait_status_to_rc(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* ---- load / attach ----------------------------------------------------------- */

/*
 * Calls fn(prog, entry, optional, ctx) for each "[?]PROG@CATEGORY/NAME"
 * entry of an event's programs list: entry points at PROG (after the
 * '?'), prog is NULL for a name the object does not have. Stops at the
 * first non-zero return and returns it.
 */
static int for_each_tracepoint(const struct tk_bpf *b, const char *list,
			       int (*fn)(struct bpf_program *p, const char *entry, bool optional,
					 void *ctx),
			       void *ctx)
{
	for (const char *e = list; e && *e;) {
		size_t len = strcspn(e, ",");
		bool optional = *e == '?';
		char prog[128];
		int rc;

		if (!memchr(e, '@', len)) { /* a program of this event alone */
			e += len + (e[len] == ',');
			continue;
		}
		snprintf(prog, sizeof(prog), "%.*s", (int)strcspn(e + optional, "@,"), e + optional);
		rc = fn(bpf_object__find_program_by_name(b->obj, prog), e + optional, optional, ctx);
		if (rc)
			return rc;
		e += len + (e[len] == ',');
	}
	return 0;
}

struct tp_find {
	const struct tk_env *env;
	const struct tk_tool_event *ev;
	const struct bpf_program *prog; /* NULL: only check the names */
	bool found;
};

static int tp_find(struct bpf_program *p, const char *entry, bool optional, void *ctx)
{
	struct tp_find *f = ctx;

	(void)optional;
	if (!p)
		return tk_fail("event '%s' lists '%.*s', which is no program of %s's BPF object",
			       f->ev->name, (int)strcspn(entry, "@,"), entry, f->env->tool->name);
	f->found = f->found || p == f->prog;
	return 0;
}

/*
 * Shared programs (PROG@TRACEPOINT in tk_tool_event.progs) are attached by the
 * runtime, never at their SEC() name; each is loaded when a selected
 * event lists it, unless the tool's setup() already chose not to.
 */
static int select_shared(const struct tk_env *env, const struct tk_bpf *b)
{
	const struct tk_tool_event *e;
	struct bpf_program *p;

	for (e = env->tool->events; e->name; e++)
		if (for_each_tracepoint(b, e->progs, tp_find,
					&(struct tp_find){ .env = env, .ev = e }))
			return 1;
	bpf_object__for_each_program(p, b->obj) {
		bool listed = false, selected = false;

		for (e = env->tool->events; e->name; e++) {
			struct tp_find f = { .env = env, .ev = e, .prog = p };

			for_each_tracepoint(b, e->progs, tp_find, &f);
			listed = listed || f.found;
			selected = selected || (f.found && tk_event_selected(env, e->id));
		}
		if (!listed)
			continue;
		bpf_program__set_autoattach(p, false);
		if (!selected)
			bpf_program__set_autoload(p, false);
	}
	return 0;
}

/*
 * Programs of unselected events are not loaded. Every name in every
 * event's list must be a program of the object, selected or not: a
 * misspelt one would otherwise load its program for events not asked
 * for, silently. 0, or 1 after one line.
 */
static int disable_unselected(const struct tk_env *env, const struct tk_bpf *b)
{
	for (const struct tk_tool_event *e = env->tool->events; e->name; e++) {
		char *list, *save = NULL, *tok;
		int rc = 0;

		if (!e->progs)
			continue;
		list = strdup(e->progs);
		if (!list) /* loading them would emit events not asked for */
			return tk_fail("out of memory");
		for (tok = strtok_r(list, ",", &save); tok && !rc;
		     tok = strtok_r(NULL, ",", &save)) {
			struct bpf_program *p = bpf_object__find_program_by_name(b->obj, tok);

			if (strchr(tok, '@'))
				continue; /* shared: select_shared() */
			if (!p)
				rc = tk_fail("event '%s' lists '%s', which is no program of %s's BPF object",
					     e->name, tok, env->tool->name);
			else if (!tk_event_selected(env, e->id))
				bpf_program__set_autoload(p, false);
		}
		free(list);
		if (rc)
			return rc;
	}
	return select_shared(env, b);
}

/*
 * Detach, and why tp/ programs are attached here, not by libbpf. A tp/
 * program runs from a perf event on its tracepoint. The last close of such
 * an event unregisters the tracepoint and waits, holding the kernel's one
 * event_mutex, for an RCU-tasks-trace and an RCU grace period
 * (perf_trace_destroy, tracepoint_synchronize_unregister): 15-80 ms per
 * tracepoint here, one tracepoint after another however many threads
 * close them, so filetrace's 20 took 0.4-0.8 s to exit. The drain needs
 * less: that no program runs any more. Closing the BPF link takes the
 * program off the tracepoint (perf_event_detach_bpf_prog, which waits for
 * a tasks-trace grace period outside the mutex: concurrent closes share
 * it), and one RCU grace period after every link is gone
 * (membarrier(MEMBARRIER_CMD_GLOBAL) is synchronize_rcu()) covers the
 * programs that run under rcu_read_lock or with preemption off: tp/
 * programs on tracepoints other than syscalls', tp_btf/ and raw_tp/ ones
 * (whose link's close waits for nothing). So each perf event's last
 * reference is a perf-event-array map's (tk_bpf.kept_fd), not the link's:
 * closing the link leaves a disabled event with no program, and closing the
 * map after that drops the events through an RCU callback, so the kernel
 * unregisters them in a worker, not in our close(). Where membarrier
 * cannot wait (no CONFIG_MEMBARRIER, nohz_full CPUs) or a kernel before
 * 5.15 has no perf links (the program then leaves only with the event),
 * nothing is kept and each link's close waits for its event's teardown.
 */
static bool have_rcu_sync(void)
{
	static int have = -1;

	if (have < 0) {
		long mask = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

		have = mask > 0 && (mask & MEMBARRIER_CMD_GLOBAL);
	}
	return have;
}

/* The perf event of tracepoint cat/name, as libbpf's tracepoint attach
 * opens it: on CPU 0 only (a tracepoint's programs run on every CPU). */
static int tp_perf_open(const char *cat, const char *name)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr) };
	unsigned long long id;
	char path[PATH_MAX];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s/id", tk_tracefs_events(), cat, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	fd = fscanf(f, "%llu", &id) == 1 ? 0 : -EINVAL;
	fclose(f);
	if (fd)
		return fd;
	attr.config = id;
	fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* p at tracepoint cat/name; its link into b->links, its perf event into
 * b->kept_fd when there is one. 0 or -errno. */
static int tp_attach(struct tk_bpf *b, struct bpf_program *p, const char *cat, const char *name)
{
	struct bpf_link *l, **links;
	int pfd = tp_perf_open(cat, name), err;

	if (pfd < 0)
		return pfd;
	l = bpf_program__attach_perf_event(p, pfd);
	if (!l) {
		err = -errno;
		close(pfd);
		return err;
	}
	links = realloc(b->links, (b->nlinks + 1) * sizeof(*links));
	if (!links) {
		bpf_link__destroy(l);
		return -ENOMEM;
	}
	links[b->nlinks++] = l;
	b->links = links;
	/* the link's fd is the event's own without a perf link (before 5.15):
	 * that program goes only with the event, which must not be kept */
	if (b->nkept < b->kept_cap && bpf_link__fd(l) != pfd &&
	    !bpf_map_update_elem(b->kept_fd, &b->nkept, &pfd, BPF_ANY))
		b->nkept++;
	return 0;
}

/* The map that keeps the perf events: a slot for each tp/ program and each
 * PROG@TRACEPOINT entry. None if it cannot help (have_rcu_sync()). */
static void create_kept(const struct tk_env *env, struct tk_bpf *b)
{
	struct bpf_program *p;
	__u32 slots = 0;
	int fd;

	if (!have_rcu_sync())
		return;
	bpf_object__for_each_program(p, b->obj) {
		const char *sec = bpf_program__section_name(p);

		slots += !strncmp(sec + (sec[0] == '?'), "tp/", 3);
	}
	for (const struct tk_tool_event *e = env->tool->events; e->name; e++)
		for (const char *c = e->progs; c && *c; c++)
			slots += *c == '@';
	if (!slots)
		return;
	fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "tk_kept", sizeof(__u32),
			    sizeof(__u32), slots, NULL);
	if (fd < 0)
		return; /* each link's close then waits, as without membarrier */
	b->kept_fd = fd;
	b->kept_cap = slots;
}

/* The tp/CATEGORY/NAME programs the skeleton would attach, attached here
 * instead (see "Detach" above); the skeleton then leaves them alone. */
static int attach_tp_programs(struct tk_bpf *b)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, b->obj) {
		const char *sec = bpf_program__section_name(p);
		char cat[64], name[96];
		int err;

		sec += sec[0] == '?';
		if (strncmp(sec, "tp/", 3) || !bpf_program__autoload(p) ||
		    !bpf_program__autoattach(p))
			continue;
		if (sscanf(sec, "tp/%63[^/]/%95s", cat, name) != 2)
			return tk_fail("section '%s' is not tp/CATEGORY/NAME (a build error)", sec);
		err = tp_attach(b, p, cat, name);
		if (err == -ENOENT)
			return tk_fail("attaching failed: a tracepoint is missing (%s); is tracefs "
				       "mounted at " TK_TRACEFS "?",
				       strerror(-err));
		if (err)
			return tk_fail("attaching %s at %s/%s failed: %s", bpf_program__name(p), cat,
				       name, strerror(-err));
		bpf_program__set_autoattach(p, false);
	}
	return 0;
}

struct tp_attach {
	struct tk_bpf *b;
	const struct tk_env *env;
	unsigned attached;
};

/* One "PROG@CATEGORY/NAME" entry: attached, or skipped if optional and
 * missing here. A program the tool's setup() chose not to load is not
 * attached either. */
static int tp_attach_one(struct bpf_program *p, const char *entry, bool optional, void *ctx)
{
	struct tp_attach *a = ctx;
	char cat[64], name[96];
	int err;

	if (!bpf_program__autoload(p))
		return 0;
	if (sscanf(entry, "%*[^@]@%63[^/]/%95[^,]", cat, name) != 2)
		return tk_fail("tracepoint entry '%.*s' is not PROG@CATEGORY/NAME (a build error)",
			       (int)strcspn(entry, ","), entry);
	err = tp_attach(a->b, p, cat, name);
	if (err == -ENOENT && optional) {
		if (a->env->verbose)
			fprintf(stderr, "%s: no tracepoint %s on this kernel: %s not attached there\n",
				tk_prog, name, bpf_program__name(p));
		return 0;
	}
	if (err)
		return tk_fail("attaching %s at %s/%s failed: %s", bpf_program__name(p), cat, name,
			       strerror((int)-err));
	a->attached++;
	return 0;
}

/* The selected events' PROG@TRACEPOINT entries (tk_tool_event.progs). */
static int attach_tracepoints(const struct tk_env *env, struct tk_bpf *b)
{
	for (const struct tk_tool_event *e = env->tool->events; e->name; e++) {
		struct tp_attach a = { .b = b, .env = env };

		if (!e->progs || !strchr(e->progs, '@') || !tk_event_selected(env, e->id))
			continue;
		if (for_each_tracepoint(b, e->progs, tp_attach_one, &a))
			return 1;
		if (!a.attached)
			return tk_fail("this kernel has none of the tracepoints of event '%s'",
				       e->name);
	}
	return 0;
}

/*
 * --cgroup: each directory's fd into tk_cgroups, before attach so no
 * event is filtered against an empty slot. The map keeps a reference to
 * the cgroup itself: the fd is closed, and a cgroup removed while tracing
 * simply has no more tasks. Opened again, not trusted from the parse: the
 * path may have changed since, so it is checked again on the fd.
 */
static int fill_cgroups(const struct tk_env *env, const struct tk_bpf *b)
{
	for (__u32 i = 0; i < env->ncgroups; i++) {
		int fd = open(env->cgroups[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct statfs sfs;
		int err = 0;

		if (fd < 0)
			return tk_fail("cannot open cgroup '%s': %s", env->cgroups[i],
				       strerror(errno));
		if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC)
			err = EINVAL;
		else if (bpf_map_update_elem(bpf_map__fd(b->cgroups), &i, &fd, BPF_ANY))
			err = errno;
		close(fd);
		if (err)
			return tk_fail("cannot select cgroup '%s': %s", env->cgroups[i],
				       err == EINVAL ? "no longer a cgroup v2 directory"
						     : strerror(err));
	}
	return 0;
}

/*
 * *clock: the clock of the records' ts_ns on this kernel (tk_event_clock).
 * share: a loaded unit whose buffer and follow map this one uses (the
 * records of every domain in one stream, one followed tree), or NULL.
 */
static int load_and_attach(const struct tk_env *env, struct tk_bpf *b, clockid_t *clock,
			   const struct tk_bpf *share)
{
	int err;

	if (disable_unselected(env, b))
		return 1;
	/* the unused transport gets the smallest size the kernel accepts */
	err = bpf_map__set_max_entries(b->rb, env->perfbuf ? (__u32)getpagesize()
							   : (__u32)env->ringbuf_size);
	if (err)
		return tk_fail("cannot size the ring buffer: %s", strerror(-err));
	if (tk_probe_kernel(env, b, clock))
		return 1;
	if (share) {
		struct bpf_map *mine = env->perfbuf ? b->pb : b->rb;
		struct bpf_map *theirs = env->perfbuf ? share->pb : share->rb;

		err = bpf_map__reuse_fd(mine, bpf_map__fd(theirs));
		if (!err)
			err = bpf_map__reuse_fd(b->follow, bpf_map__fd(share->follow));
		if (!err) /* one consumer: one flag saying whether it polls */
			err = bpf_map__reuse_fd(b->wake, bpf_map__fd(share->wake));
		if (err)
			return tk_fail("cannot share the buffer, the follow and the wakeup maps: %s",
				       strerror(-err));
	}
	/* a log left by the probes or another unit's load is not this one's */
	rejected_prog[0] = 0;
	free(verifier_log);
	verifier_log = NULL;
	err = bpf_object__load_skeleton(b->skel);
	if (err)
		return load_failed(err);
	if (fill_cgroups(env, b))
		return 1;
	create_kept(env, b);
	if (attach_tp_programs(b))
		return 1;
	err = bpf_object__attach_skeleton(b->skel);
	if (err) {
		if (err == -ENOENT)
			return tk_fail("attaching failed: a tracepoint is missing (%s); is tracefs "
				       "mounted at " TK_TRACEFS "?",
				       strerror(-err));
		return tk_fail("attaching BPF programs failed: %s", strerror(-err));
	}
	return attach_tracepoints(env, b);
}

/* -v: the ids of the programs loaded, for `bpftool prog show id N` and
 * for leak checks that must tell this run's programs from those of other
 * tracekit tools on the host (same names). */
static void print_prog_ids(const struct tk_bpf *b, const char *domain)
{
	struct bpf_program *p;

	fprintf(stderr, "%s: program ids%s%s:", tk_prog, domain ? " of " : "", domain ? domain : "");
	bpf_object__for_each_program(p, b->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			fprintf(stderr, " %u", info.id);
	}
	fputc('\n', stderr);
}

static void *detach_one(void *arg)
{
	bpf_link__destroy(arg);
	return NULL;
}

/*
 * Each perf link's close waits for an RCU-tasks-trace grace period (~15-70
 * ms here; "Detach" above): one after another, a tool with 20 tracepoints
 * would need up to 1.5 s to exit. Concurrent waiters share grace periods,
 * so the links go in parallel. The skeletons' destroy then finds no links
 * left.
 */
static void destroy_links(struct bpf_link **slots[], size_t n)
{
	pthread_t *t = calloc(n, sizeof(*t));
	bool *started = calloc(n, sizeof(*started));

	/* without the arrays, one after another: every link still goes */
	for (size_t i = 0; i < n; i++) {
		struct bpf_link **l = slots[i];

		if (!*l)
			continue;
		if (t && started)
			started[i] = !pthread_create(&t[i], NULL, detach_one, *l);
		if (!t || !started || !started[i])
			bpf_link__destroy(*l);
		*l = NULL;
	}
	for (size_t i = 0; t && started && i < n; i++)
		if (started[i])
			pthread_join(t[i], NULL);
	free(t);
	free(started);
}

/* The link slots of a skeleton and of extra: into slots (if not NULL); their
 * number, the live ones into *live. */
static size_t link_slots(struct bpf_object_skeleton *s, struct bpf_link **extra, size_t nextra,
			 struct bpf_link ***slots, size_t *live)
{
	size_t n = 0;

	for (int i = 0; i < s->prog_cnt; i++, n++) {
		*live += !!*s->progs[i].link;
		if (slots)
			slots[n] = s->progs[i].link;
	}
	for (size_t i = 0; i < nextra; i++, n++) {
		*live += !!extra[i];
		if (slots)
			slots[n] = &extra[i];
	}
	return n;
}

/* Without memory for the threads' arrays: one after another. */
static void destroy_one_by_one(struct bpf_object_skeleton *s, struct bpf_link **extra,
			       size_t nextra)
{
	for (int i = 0; i < s->prog_cnt; i++) {
		bpf_link__destroy(*s->progs[i].link);
		*s->progs[i].link = NULL;
	}
	for (size_t i = 0; i < nextra; i++) {
		bpf_link__destroy(extra[i]);
		extra[i] = NULL;
	}
}

/* Every unit's links (skeleton and PROG@TRACEPOINT ones) destroyed at
 * once; how many were live. */
static size_t destroy_unit_links(struct tk_unit *u, size_t nu)
{
	size_t n = 0, live = 0;
	struct bpf_link ***slots;

	for (size_t i = 0; i < nu; i++)
		n += link_slots(u[i].b.skel, u[i].b.links, u[i].b.nlinks, NULL, &live);
	slots = calloc(n ? n : 1, sizeof(*slots));
	for (size_t i = 0, k = 0; i < nu; i++) {
		struct tk_bpf *b = &u[i].b;

		if (slots)
			k += link_slots(b->skel, b->links, b->nlinks, slots + k, &(size_t){ 0 });
		else
			destroy_one_by_one(b->skel, b->links, b->nlinks);
	}
	if (slots)
		destroy_links(slots, n);
	free(slots);
	return live;
}

void tk_detach_all(struct bpf_object_skeleton *s)
{
	destroy_unit_links(&(struct tk_unit){ .b = { .skel = s } }, 1);
}

/*
 * Every unit's links at once, then the grace period that lets no program
 * run any more ("Detach" above), then the kept perf events go (the kernel
 * unregisters them after we exit). Returns with nothing attached.
 */
static void detach_units(struct tk_unit *u, size_t nu)
{
	size_t live = destroy_unit_links(u, nu);

	/* once MEMBARRIER_CMD_QUERY offered it, GLOBAL cannot fail */
	if (live && have_rcu_sync() && syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		fprintf(stderr, "%s: waiting for the programs to end failed: %s\n", tk_prog,
			strerror(errno));
	for (size_t i = 0; i < nu; i++) {
		struct tk_bpf *b = &u[i].b;

		free(b->links);
		b->links = NULL;
		b->nlinks = 0;
		if (b->kept_cap)
			close(b->kept_fd);
		b->kept_cap = b->nkept = 0;
	}
}

static bool is_follow_prog(const struct bpf_program *p)
{
	const char *name = bpf_program__name(p);
	size_t len = strlen(name);

	return (len > 12 && !strcmp(name + len - 12, "_follow_fork")) ||
	       (len > 12 && !strcmp(name + len - 12, "_follow_exit"));
}

/*
 * Several units share one follow map: one set of fork/exit programs
 * keeps it, or one exit could delete a process from the map before
 * another unit's exit program reported it. A tool that follows inside
 * its own fork/exit handlers (proctrace, no TK_FOLLOW_PROGRAMS) keeps it
 * if selected; else the first unit's TK_FOLLOW_PROGRAMS do.
 */
static void share_follow(struct tk_unit *u, size_t n)
{
	size_t keeper = 0;
	struct bpf_program *p;

	for (size_t i = 0; i < n; i++) {
		bool has = false;

		bpf_object__for_each_program(p, u[i].b.obj)
			has = has || is_follow_prog(p);
		if (!has) {
			keeper = i;
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (i != keeper)
			bpf_object__for_each_program(p, u[i].b.obj)
				if (is_follow_prog(p))
					bpf_program__set_autoload(p, false);
}

/*
 * `tool | head -1`: the reader may go away while nothing is being traced,
 * and EPIPE only shows at the next write. A pipe whose reader is gone
 * polls POLLERR on its write end, so check at every drain.
 */
/* --report on stdout: a tree in text (coloured failures on a terminal,
 * unless NO_COLOR is set) or one JSON document. Its write failing is an
 * error like any other output's; the reader leaving is not. */
static int put_report(struct tk_session *s, int rc)
{
	bool color = !s->env->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

	errno = 0;
	if (tk_report_write(s->report, stdout, s->env->json, color, s->out.cg) || fflush(stdout)) {
		if (errno == EPIPE)
			return rc;
		/* the report is lost: exit 1, whatever the command's status */
		return tk_fail("writing the report to stdout failed: %s",
			       strerror(errno ? errno : EIO));
	}
	return rc;
}

static bool reader_gone(FILE *out)
{
	struct pollfd p = { .fd = fileno(out) };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/*
 * SIGHUP: what was received so far goes out to the files as they were
 * (held records too, and flushed), then -o and --raw are opened anew.
 * One that cannot be is said and kept: no record is dropped for it.
 */
static void reopen_outputs(struct tk_session *s)
{
	const char *paths[] = { s->env->output, s->env->raw };
	FILE *files[] = { s->out.f, s->raw };

	flush_held(s, true);
	errno = 0;
	check_output(s, s->out.f, s->out_name, true);
	check_output(s, s->raw, s->env->raw, true);
	for (int i = 0; i < 2 && !s->out_err; i++)
		if (paths[i] && tk_out_reopen(files[i], paths[i]))
			fprintf(stderr, "%s: cannot reopen '%s': %s; still writing to the file "
					"it had open\n", tk_prog, paths[i], strerror(errno));
}

__u32 tk_watermark_mask(__u64 ringbuf_size)
{
	int cpus = libbpf_num_possible_cpus();
	__u64 n = ringbuf_size / 16 / (16384ULL * (cpus > 0 ? (__u64)cpus : 1024));
	__u32 stride = 1;

	while (stride < 64 && stride * 2 <= n)
		stride *= 2;
	return stride - 1;
}

int tk_wake_open(struct tk_wake *w, int wake_fd, const struct tk_ring *ring)
{
	size_t page = (size_t)getpagesize();
	void *flag = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, wake_fd, 0);

	if (flag == MAP_FAILED)
		return -1;
	*w = (struct tk_wake){ .flag = flag, .cons = ring->cons, .prod = ring->prod,
			       .map_flag = flag, .page = page };
	return 0;
}

void tk_wake_close(struct tk_wake *w)
{
	if (w->map_flag)
		munmap(w->map_flag, w->page);
	*w = (struct tk_wake){ 0 };
}

int tk_wake_next(struct tk_wake *w, bool active, __s64 now_ns, int long_ms)
{
	if (active) {
		w->active_ns = now_ns;
		w->idle = false; /* the producer that woke us set the flag */
	}
	if (w->idle)
		return long_ms;
	if (now_ns - w->active_ns < 2 * (__s64)TK_WAKEUP_BOUND_NS)
		return (int)((TK_WAKEUP_BOUND_NS + 999999) / 1000000);
	/*
	 * Going idle (tk_rb_committed()'s argument): the swap is fully ordered
	 * before the load of producer_pos, so a producer whose look at the
	 * flag (after its commit) came first has its reservation seen here,
	 * and one whose look comes after finds 0 and wakes us. A record
	 * reserved meanwhile, even one still busy: poll on.
	 */
	__atomic_exchange_n(w->flag, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(w->prod, __ATOMIC_SEQ_CST) !=
	    __atomic_load_n(w->cons, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(w->flag, 1, __ATOMIC_SEQ_CST);
		w->active_ns = now_ns;
		return 0;
	}
	w->idle = true;
	return long_ms;
}

#define TK_LONG_WAIT_MS 100

/* Load, attach, (start the command), poll, drain, summary: the exit code. */
static int run(struct tk_unit *u, size_t n, bool trace)
{
	const struct tk_env *env = &u[0].env;
	const struct tk_bpf *b = &u[0].b; /* its buffer and follow map are everyone's */
	struct tk_session s = { .env = env, .u = u, .n = n, .trace = trace,
				.perf = { .sample = on_record } };
	struct tk_ring ring = { .epfd = -1 }, *rb = NULL;
	struct perf_buffer *pb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct tk_loss *loss = calloc(n, sizeof(*loss));
	__s64 linger_end = 0, next_metrics = 0, start, now;
	unsigned linger_ms = 0, metrics_ms = 0;
	bool ticks = false, pending, metrics_failed = false;
	pid_t child = -1;
	int go_fd = -1, rc = 0, status, err, forwarded = 0, stop_sig = 0;
	bool child_done = false, bounded = false;
	struct tk_wake wake = { 0 };
	int wake_timeout;
	static char obuf[1 << 16];
	clockid_t clock = CLOCK_BOOTTIME;
	static char cmd_path[PATH_MAX];

	FILE *out = stdout;

	if (!loss)
		return tk_fail("out of memory");
	for (size_t i = 0; i < n; i++) {
		ticks = ticks || u[i].hooks.tick;
		if (u[i].hooks.linger_ms > linger_ms)
			linger_ms = u[i].hooks.linger_ms;
		/* the shortest interval of the tools that have counters */
		if (u[i].hooks.metrics) {
			unsigned ms = u[i].hooks.interval_ms ? u[i].hooks.interval_ms
							     : TK_METRICS_INTERVAL_MS;

			if (!metrics_ms || ms < metrics_ms)
				metrics_ms = ms;
		}
	}
	if (env->metrics && !metrics_ms) {
		free(loss);
		return tk_usage_error("--metrics needs a mode with counters: a summary (-s), or nettrace");
	}
	if (env->output || env->report) {
		/* before anything is loaded: a bad path is a quick, clean error */
		out = fopen(env->output ? env->output : "/dev/null", env->append ? "ae" : "we");
		if (!out) {
			free(loss);
			return tk_fail("cannot open '%s': %s",
				       env->output ? env->output : "/dev/null", strerror(errno));
		}
	}
	if (env->metrics) {
		/* likewise: a write begun and dropped, before the load */
		struct tk_metrics *m = begin_metrics(env->metrics);

		if (!m) {
			if (out != stdout)
				fclose(out);
			free(loss);
			return 1;
		}
		tk_metrics_fail(m, ECANCELED);
		tk_metrics_end(m);
	}
	if (env->raw) {
		s.raw = fopen(env->raw, env->append ? "ae" : "we");
		if (!s.raw) {
			if (out != stdout)
				fclose(out);
			free(loss);
			return tk_fail("cannot open '%s': %s", env->raw, strerror(errno));
		}
	}
	s.perf.ctx = &s;
	s.out_name = env->output ? env->output : "stdout";
	s.out = (struct tk_out){ .f = out, .json = env->json, .timestamp = env->timestamp,
				 .domain = trace,
				 .containers = env->containers };
	/* attribution is on wherever cgroup v2 is; only -C insists on it */
	s.out.cg = tk_cgroups_new(NULL, 0);
	s.out.cg_errno = s.out.cg ? 0 : errno;
	if (!s.out.cg && env->containers) {
		rc = tk_fail_no_cgroups(&s.out, "-C");
		goto cleanup;
	}
	/* mounted but unusable: said once, not dropped silently */
	if (!s.out.cg && s.out.cg_errno != ENOENT)
		fprintf(stderr, "%s: warning: no cgroup attribution: cannot open the cgroup v2 "
				"hierarchy: %s\n", tk_prog, strerror(s.out.cg_errno));
	if (env->report && ticks) {
		rc = tk_usage_error("--report and a summary table (--sys-summary, "
				    "--file-summary) do not go together: the table would go "
				    "where the records go");
		goto cleanup;
	}
	if (env->report && !(s.report = tk_report_new())) {
		rc = tk_fail("cannot start the report: %s", strerror(errno));
		goto cleanup;
	}
	for (size_t i = 0; s.report && i < n; i++)
		tk_report_traced(s.report, u[i].env.events_mask);
	setvbuf(out, obuf, _IOFBF, sizeof(obuf));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe shows up as EPIPE on write */
	/* SA_RESTART: a HUP during a write blocked on a full pipe or a tty
	 * must not fail it with EINTR (stdio would drop its buffer and the
	 * tool exit 1); epoll_wait is never restarted, so the loop still
	 * sees reopen_asked at once */
	if (env->output || env->raw)
		sigaction(SIGHUP, &(struct sigaction){ .sa_handler = on_hangup, .sa_flags = SA_RESTART },
			  NULL);
	else
		sigaction(SIGHUP, &sa, NULL);

	if (env->cmd) {
		sigaction(SIGCHLD, &(struct sigaction){ .sa_handler = on_child, .sa_flags = SA_RESTART },
			  NULL);
		rc = resolve_command(env->cmd[0], cmd_path, sizeof(cmd_path));
		if (rc)
			goto cleanup;
		child = spawn_held(cmd_path, env->cmd, &go_fd);
		if (child < 0) {
			rc = tk_fail("cannot start '%s': %s", env->cmd[0], strerror(errno));
			goto cleanup;
		}
	}
	/* After the command's fork: it runs with the slice it would have
	 * had untraced. Optional: without it the consumer only waits longer
	 * for a CPU, so a kernel or a policy that refuses it is a -v line. */
	{
		__u64 was;
		const char *why = tk_short_slice(&was);

		if (env->verbose && why)
			fprintf(stderr, "%s: consumer's scheduler slice left as it is: %s\n",
				tk_prog, why);
		else if (env->verbose)
			fprintf(stderr, "%s: consumer's scheduler slice %llu us (was %llu us)\n",
				tk_prog, (was < TK_SHORT_SLICE_NS ? was : TK_SHORT_SLICE_NS) / 1000,
				(unsigned long long)was / 1000);
	}
	if (n > 1)
		share_follow(u, n);
	for (size_t i = 0; i < n && !rc; i++)
		rc = load_and_attach(&u[i].env, &u[i].b, &clock, i ? b : NULL);
	tk_vmlinux_btf_free(); /* every unit's probe is done with it */
	if (rc)
		goto cleanup;
	s.out.boot_to_real_ns = tk_now_ns(CLOCK_REALTIME) - tk_now_ns(clock);
	s.clock = clock;
	for (size_t i = 0; i < n; i++) {
		if (u[i].hooks.out)
			*u[i].hooks.out = s.out;
		if (env->verbose)
			print_prog_ids(&u[i].b, trace ? u[i].domain : NULL);
	}

	if (env->perfbuf)
		pb = tk_perfbuf_new(bpf_map__fd(b->pb), env->ringbuf_size,
				    env->wakeup == TK_WAKEUP_EVENT, 50, &s.perf);
	else
		rb = tk_ring_open(&ring, bpf_map__fd(b->rb), on_record, &s) ? NULL : &ring;
	if (!rb && !pb) {
		rc = tk_fail("cannot open the %s buffer: %s", env->perfbuf ? "perf" : "ring",
			     strerror(errno));
		goto cleanup;
	}
	/* the perf buffer has no per-event flags: under 'bounded' it batches */
	bounded = rb && env->wakeup == TK_WAKEUP_BOUNDED;
	if (bounded && tk_wake_open(&wake, bpf_map__fd(b->wake), rb)) {
		rc = tk_fail("cannot map the wakeup flag: %s", strerror(errno));
		goto cleanup;
	}

	if (env->cmd) {
		__u32 key = child;
		__u8 one = 1;

		if (bpf_map_update_elem(bpf_map__fd(b->follow), &key, &one, BPF_ANY)) {
			rc = tk_fail("cannot track the command: %s", strerror(errno));
			goto cleanup;
		}
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (u[i].hooks.ready)
			rc = u[i].hooks.ready(u[i].hooks.ctx);
	if (rc)
		goto cleanup;
	errno = 0;
	if (!ticks)
		tk_print_header(&s.out);
	check_output(&s, out, s.out_name, true);
	if (s.out_err && s.out_err != EPIPE) {
		/* before the command is released: it never runs */
		rc = tk_fail("writing to %s failed: %s%s", s.out_err_name, strerror(s.out_err),
			     env->cmd ? "; the command was not started" : "");
		goto cleanup;
	}
	/* the first write: a path that cannot be written fails before the command runs */
	if (env->metrics && (rc = write_metrics(&s)))
		goto cleanup;
	if (!env->cmd)
		fprintf(stderr, "%s: tracing, Ctrl-C to end\n", tk_prog);
	/* Interrupted while loading, or the reader already gone: the command
	 * must not run, traced or not. Closing go_fd makes it exit 127
	 * before its exec. */
	if (go_fd >= 0 && exiting) {
		fprintf(stderr, "%s: interrupted (%s) before the command started: not started\n",
			tk_prog, tk_signal_name(last_signal));
		rc = 128 + last_signal;
		goto cleanup;
	}
	if (go_fd >= 0 && s.out_err == EPIPE) {
		rc = tk_fail("the reader of %s left before the command started: not started",
			     s.out_name);
		goto cleanup;
	}
	if (go_fd >= 0) {
		if (write(go_fd, "g", 1) != 1) {
			rc = tk_fail("cannot release the command: %s", strerror(errno));
			goto cleanup;
		}
		close(go_fd);
		go_fd = -1;
	}
	if (env->duration > 0)
		s.deadline = tk_now_ns(CLOCK_MONOTONIC) + (__s64)(env->duration * 1e9);
	/* one start for both: with the same interval the file is written in
	 * the same turn as the table, just before it */
	start = tk_now_ns(CLOCK_MONOTONIC);
	for (size_t i = 0; i < n; i++)
		if (u[i].hooks.tick && u[i].hooks.interval_ms)
			u[i].next_tick = start + u[i].hooks.interval_ms * 1000000LL;
	if (env->metrics)
		next_metrics = start + metrics_ms * 1000000LL;

	/* event and bounded's long wait: records and signals wake us, and
	 * wait_until() shortens it for ticks and deadlines; a backstop */
	wake_timeout = env->wakeup == TK_WAKEUP_EVENT || bounded ? TK_LONG_WAIT_MS : env->drain_ms;
	while (!s.done && !s.out_err) {
		int timeout = wake_timeout, woke = 0, got;
		struct epoll_event ev;

		now = tk_now_ns(CLOCK_MONOTONIC);
		for (size_t i = 0; i < n; i++)
			timeout = wait_until(timeout, now, u[i].next_tick);
		timeout = wait_until(timeout, now, next_metrics);
		timeout = wait_until(timeout, now, s.deadline);
		if (child_done)
			timeout = wait_until(timeout, now, linger_end);

		if (exiting) {
			/* command mode: pass the first signal on, end at the command's exit */
			if (child > 0 && !child_done && signals_seen == 1) {
				if (!forwarded++)
					kill(child, last_signal);
				s.hold = true;
			} else {
				break;
			}
		}
		if (rb) {
			/* the wait apart from the consume: a count of records
			 * cannot tell a wakeup from a timeout */
			woke = epoll_wait(rb->epfd, &ev, 1, timeout);
			err = woke < 0 ? -errno : 0;
		} else {
			err = perf_buffer__poll(pb, timeout);
		}
		if (err < 0 && err != -EINTR && err != TK_YIELD) {
			rc = tk_fail("polling the buffer failed: %s", strerror(-err));
			break;
		}
		/* batch and bounded: what was submitted without a wakeup */
		got = rb ? tk_ring_consume(rb) : perf_buffer__consume(pb);
		if (bounded)
			wake_timeout = tk_wake_next(&wake, woke > 0 || got != 0,
						    tk_now_ns(CLOCK_MONOTONIC), TK_LONG_WAIT_MS);
		flush_held(&s, false);
		if (reopen_asked) {
			reopen_asked = 0;
			reopen_outputs(&s);
		}
		/* Before the ticks: a tick may let go of what it printed (-P's
		 * ended processes). One clock read for both, so a table and the
		 * file due at the same time come in the same turn. */
		now = tk_now_ns(CLOCK_MONOTONIC);
		if (next_metrics && now >= next_metrics) {
			if (write_metrics(&s)) {
				metrics_failed = true;
				break;
			}
			next_metrics += metrics_ms * 1000000LL;
		}
		for (size_t i = 0; i < n; i++) {
			if (u[i].next_tick && now >= u[i].next_tick) {
				u[i].hooks.tick(u[i].hooks.ctx, false);
				u[i].next_tick += u[i].hooks.interval_ms * 1000000LL;
			}
		}
		errno = 0;
		check_output(&s, out, s.out_name, true);
		check_output(&s, s.raw, env->raw, true);
		if (!s.out_err && reader_gone(out)) {
			s.out_err = EPIPE;
			s.out_err_name = s.out_name;
		}
		if (child > 0 && !child_done && waitpid(child, &status, WNOHANG) == child) {
			child_done = true;
			rc = wait_status_to_rc(status);
			linger_end = tk_now_ns(CLOCK_MONOTONIC) + linger_ms * 1000000LL;
		}
		pending = false;
		for (size_t i = 0; child_done && i < n; i++)
			pending = pending || (u[i].hooks.pending && u[i].hooks.pending(u[i].hooks.ctx));
		if (child_done && (!pending || tk_now_ns(CLOCK_MONOTONIC) >= linger_end))
			break;
		if (s.deadline && tk_now_ns(CLOCK_MONOTONIC) >= s.deadline)
			break;
	}
	/*
	 * Detach first, then drain, then read the counters: once every link is
	 * gone (detach waits for running programs), nothing can be submitted
	 * or be half-reserved, so the drain takes everything and
	 * received + lost is exactly what the kernel produced.
	 */
	if (s.out_err && s.out_err != EPIPE && child > 0 && !child_done) {
		stop_sig = stop_command(child);
		child_done = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (u[i].hooks.stopping) {
			int src = u[i].hooks.stopping(u[i].hooks.ctx);

			rc = rc ? rc : src;
		}
	}
	detach_units(u, n);
	s.final = true;
	if (rb)
		tk_ring_consume(rb);
	if (pb)
		perf_buffer__consume(pb);
	flush_held(&s, true);
	if (env->metrics && !metrics_failed && write_metrics(&s))
		metrics_failed = true;
	errno = 0;
	for (size_t i = 0; i < n; i++) {
		if (u[i].hooks.tick && !s.out_err)
			u[i].hooks.tick(u[i].hooks.ctx, true);
		/* "lost unknown" is a failure, whatever the command's status */
		if (read_loss(u[i].tool, &u[i].b, &loss[i]))
			rc = tk_fail("cannot read the loss counters: %s", strerror(errno));
		else
			loss[i].known = true;
	}
	/* the end of the run: the place for whatever sums the whole stream up */
	if (env->json && !s.out_err)
		put_json_summary(out, &s, loss);
	for (size_t i = 0; s.report && i < n; i++)
		tk_report_lost(s.report, u[i].domain, loss[i].known, loss[i].total);
	if (s.report && !s.out_err)
		rc = put_report(&s, rc);
	check_output(&s, out, s.out_name, true);
	check_output(&s, s.raw, env->raw, true);
	put_summary_line(&s, loss);
	/* Only the reader leaving (EPIPE) is a normal end; any other failed
	 * write loses records: exit 1, whatever the command's status. */
	if (s.out_err && s.out_err != EPIPE) {
		if (child > 0 && !child_done) /* first seen at the final flush */
			stop_sig = stop_command(child);
		if (stop_sig)
			rc = tk_fail("writing to %s failed: %s; the command (pid %d) was stopped "
				     "with %s", s.out_err_name, strerror(s.out_err), (int)child,
				     tk_signal_name(stop_sig));
		else
			rc = tk_fail("writing to %s failed: %s", s.out_err_name,
				     strerror(s.out_err));
	}
	if (metrics_failed) /* said when it failed; whatever the command's status */
		rc = 1;

cleanup:
	if (go_fd >= 0)
		close(go_fd); /* EOF: a held child exits 127 without running */
	/* If tracing ended before the command (-d, -n, EPIPE, error), the
	 * command runs on untraced, as after strace detaches. */
	tk_wake_close(&wake);
	tk_ring_close(&ring);
	perf_buffer__free(pb);
	detach_units(u, n);
	while (s.ro.n) /* an error before the final drain: nothing more goes out */
		free(unhold(&s.ro).data);
	free(s.ro.h);
	free(loss);
	tk_report_free(s.report);
	/* everything was flushed and checked above: a failure here is new */
	if (s.raw && fclose(s.raw) && !s.out_err)
		rc = rc ? rc : tk_fail("writing to %s failed: %s", env->raw, strerror(errno));
	if (out != stdout)
		fclose(out);
	tk_cgroups_free(s.out.cg);
	return rc;
}

const char *tk_tool_domain(const struct tk_tool *tool)
{
	return tool->events[0].name ? tk_domain_name(tool->events[0].id >> 8) : NULL;
}

int tk_run_units(struct tk_unit *u, size_t n, bool trace)
{
	size_t opened = 0;
	int rc = init(&u[0].env);

	while (opened < n && !rc) {
		struct tk_unit *x = &u[opened];

		x->domain = tk_tool_domain(x->tool);
		x->skel = x->ops->open();
		if (!x->skel) {
			rc = tk_fail("cannot open the BPF object%s%s: %s", trace ? " of " : "",
				     trace ? x->tool->name : "", strerror(errno));
			break;
		}
		opened++;
		rc = x->ops->setup(x->skel, &x->env, &x->hooks);
		/* after setup: it may have changed env (the events -s counts) */
		if (!rc)
			x->ops->common(x->skel, &x->env, &x->b);
	}
	if (!rc)
		rc = run(u, n, trace);
	tk_vmlinux_btf_free(); /* if run() ended before its loads */
	/* every unit whose setup ran, whatever it returned */
	for (size_t i = 0; i < opened; i++)
		if (u[i].hooks.finish)
			rc = u[i].hooks.finish(u[i].hooks.ctx, rc);
	for (size_t i = 0; i < opened; i++)
		u[i].ops->destroy(u[i].skel);
	return rc;
}

int tk_main(const struct tk_tool *tool, const struct tk_skel_ops *ops, int argc, char **argv)
{
	static struct tk_unit u; /* static: its env's event mask is 8 KiB */
	int rc = tk_parse_args(tool, argc, argv, &u.env);

	if (rc)
		return rc;
	u.tool = tool;
	u.ops = ops;
	return tk_run_units(&u, 1, false);
}
