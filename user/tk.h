/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk.h — the tracekit runtime every tool is built on (libtk.a).
 *
 * A tool's user/<x>.c is its description, its options and its settings;
 * main() is one line, the same in every tool:
 *
 *     #include "tk.h"
 *     #include "mytool.skel.h"
 *
 *     static bool opt_x;                            // the tool's own options
 *     static const struct tk_tool_opt opts[] = { … };
 *     static int parse_opt(int key, const char *arg) { … }
 *     static const struct tk_tool tool = { name, summary, events, opts, … };
 *
 *     // The tool's settings, after parsing, before load: its rodata from
 *     // its options, program autoload, map sizes, hooks. 0 or an exit code.
 *     static int setup(struct mytool_bpf *skel, struct tk_env *env,
 *                      struct tk_hooks *hooks)
 *     {
 *         skel->rodata->targ_x = opt_x;
 *         return 0;
 *     }
 *
 *     TK_TOOL_MAIN(mytool, &tool, setup)
 *
 * The runtime (tk_main) then does, once for every tool: parse argv (2 and
 * one line on a usage error), preflight (root, BTF, tracefs), open the
 * skeleton, setup(), the common rodata (-p/-u/-c/-e, command mode,
 * transport), leave out the programs of unselected events and optional
 * programs whose tracepoint this kernel lacks, probe the kernel, load
 * (a rejected program is named with the verifier log's last lines),
 * attach, start the command in command mode, consume the ring (or perf)
 * buffer with the chosen wakeup policy, print every record through the
 * generic decoder, handle SIGINT/SIGTERM/EPIPE/-d/-n (and SIGHUP: reopen
 * -o FILE), write --metrics FILE every interval, detach, drain,
 * print "TOOL: N events, M lost", hooks->finish, destroy.
 *
 * A tool that does more than print records (a summary table, a state it
 * keeps across records, counters of its own to report) fills *hooks in
 * setup(); see struct tk_hooks. setup may change *env before the common
 * rodata is written (filetrace -s selects the events its table counts).
 */
#ifndef TK_H
#define TK_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "tk_events.h"
#include "tk_abi.h"

#include "tk_version.h"	/* TK_VERSION, from debian/changelog (Makefile) */

/* ---- tool description -------------------------------------------------- */

/* One selectable event of a tool (-e NAME). */
struct tk_tool_event {
	const char *name;
	__u32 id;          /* TK_EV_* */
	bool on_by_default;
	/* BPF programs (comma-separated) used only by this event: not loaded
	 * when it is not selected. A name the object does not have is a
	 * start-up error (tk_run). An entry PROG@CATEGORY/NAME (a leading '?':
	 * skipped where this kernel lacks that tracepoint) is where the
	 * runtime attaches a program shared by several events: one program,
	 * verified once, for many tracepoints of one layout (filetrace's
	 * syscalls). Such a program is loaded when a selected event lists it
	 * (unless the tool's setup() chose not to load it), attached at the
	 * selected events' tracepoints only, never at its SEC() name; a
	 * selected event left with none of them is an error. */
	const char *progs;
};

struct tk_env;
struct tk_metrics;

/* A tool-specific option; key is a unique int >= 256 or a short char. */
struct tk_tool_opt {
	const char *name;  /* long name */
	int key;           /* short option char, or >= 256 for long-only */
	const char *arg;   /* argument name for --help, NULL for a flag; also what
			    * completion offers (FILE, PID, a|b: tk_describe) */
	const char *help;
};

struct tk_tool {
	const char *name;
	const char *summary;     /* one line */
	const char *examples;    /* multi-line, shown by --help */
	const struct tk_tool_event *events; /* terminated by {NULL} */
	const struct tk_tool_opt *opts;     /* terminated by {NULL}; may be NULL */
	/* Called for each tool option; return 0, or print nothing and return
	 * -1 after calling tk_usage_error(). */
	int (*parse_opt)(int key, const char *arg);
	/* Optional: after all options are parsed (before the root/BTF checks),
	 * for combinations; return 0 or tk_usage_error()'s 2. */
	int (*check_args)(const struct tk_env *env);
	/* Programs (comma-separated names; a trailing '*' matches a prefix)
	 * for a call this kernel or architecture may not have (arm64 has no
	 * open(2), 5.5 no openat2): where their tracepoint is missing they
	 * are not loaded, and their event traces with the others. A selected
	 * event left with none of its programs, or any other program whose
	 * tracepoint is missing, is an error naming it. NULL: none. */
	const char *optional_progs;
	/* Programs (a list as optional_progs) whose skipped runs the tool
	 * finds and counts itself, after its filters, in TK_STAT_UNSEEN: their
	 * recursion_misses are left out of lost (-v still shows them), or
	 * each would count twice. NULL: none. */
	const char *self_counted_progs;
	/* tracekit trace loads this domain only when -e names it (the
	 * heaviest, syscalltrace); every other registered tool by default. */
	bool trace_on_request;
};

/* ---- environment: the parsed common options ---------------------------- */

struct tk_env {
	const struct tk_tool *tool;
	__u32 pid;            /* -p; 0 = any */
	__u32 uid;            /* -u */
	bool have_uid;
	char comm[TK_COMM_LEN]; /* -c; "" = any */
	bool json;            /* -j */
	bool timestamp;       /* -T */
	bool containers;      /* -C */
	bool verbose;         /* -v */
	double duration;      /* -d seconds; 0 = until interrupted */
	__u64 count;          /* -n records; 0 = unlimited */
	/* -e: bit per TK_EV_* id (tk_event_selected/tk_event_select) */
	__u64 events_mask[TK_EV_WORDS];
	__u64 ringbuf_size;   /* --ringbuf-size */
	bool perfbuf;         /* --perfbuf */
	int wakeup;           /* --wakeup: TK_WAKEUP_* */
	int drain_ms;         /* --drain-ms */
	char **cmd;           /* command mode: argv of CMD, or NULL */
	const char *output;   /* -o FILE; NULL = stdout */
	/* --raw FILE: every record exactly as the consumer received it, each
	 * a native-endian u32 size then the bytes. What the kernel sent, not
	 * what the decoder made of it: tests check records byte by byte
	 * (no stale or filtered-out bytes) and it seeds the decoder's fuzzer. */
	const char *raw;
	bool append;          /* --append: -o and --raw add to their files */
	/* --cgroup PATH (repeatable): only tasks in one of these cgroup v2
	 * directories or below them, checked to be such directories when
	 * parsed; opened and handed to the kernel after load (tk_run.c). */
	const char *cgroups[TK_MAX_CGROUPS];
	__u32 ncgroups;
	/* tracekit trace --report: at the end, the records folded into a
	 * process tree (user/tk_report.h) on stdout; the records themselves
	 * go to -o FILE only (none without it), as strace -c replaces its
	 * stream with its table. */
	bool report;
	/* --metrics FILE: the summary's counters in Prometheus's text format,
	 * rewritten atomically every interval (user/tk_metrics.h); only for
	 * a tool whose mode has a metrics hook (struct tk_hooks). */
	const char *metrics;
};

#define TK_DEFAULT_RINGBUF_SIZE (1ULL << 22) /* 4 MiB */
#define TK_DEFAULT_DRAIN_MS 5

/* ---- the pieces of a skeleton the runtime drives ------------------------ */

struct tk_bpf {
	struct bpf_object_skeleton *skel;
	struct bpf_object *obj;
	struct bpf_map *rb, *pb, *stats, *follow, *cgroups, *wake;
	/* the perf-event tracepoint attachments (tp/ sections and the
	 * events' PROG@TRACEPOINT entries, tk_tool_event.progs) */
	struct bpf_link **links;
	size_t nlinks;
	/* a perf-event-array map holding a reference to each of their perf
	 * events (tk_run.c, "detach"), kept_cap slots; none while 0 */
	int kept_fd;
	__u32 kept_cap, nkept;
};

/* Every tracekit skeleton has these maps (bpf/tk.bpf.h declares them).
 * TK_BPF and TK_APPLY_RODATA are TK_TOOL_MAIN's; a tool calls neither. */
#define TK_BPF(s)                                                            \
	(&(struct tk_bpf){ .skel = (s)->skeleton, .obj = (s)->obj,           \
			   .rb = (s)->maps.tk_rb, .pb = (s)->maps.tk_pb,     \
			   .stats = (s)->maps.tk_stats,                      \
			   .follow = (s)->maps.tk_follow_map,                \
			   .cgroups = (s)->maps.tk_cgroups,                  \
			   .wake = (s)->maps.tk_wake })

/*
 * The stride of the watermark (bpf/tk.bpf.h, tk_rb_watermark()): each CPU
 * asks how full the ring is on every (mask + 1)th submit. Skipped submits
 * may put up to mask records per CPU past the half-full mark before a CPU
 * looks again, so the mask is the largest 2^k - 1 (at most 63) with every
 * CPU's mask records of 16 KiB (above any tool's largest) under 1/16 of the
 * ring: 0 (every submit) for rings under 512 KiB on 2 CPUs; 7 for the
 * default 4 MiB there. (tracekit trace's units count each on its own: the
 * bound is per unit, and the half-full mark leaves room for all of them.)
 */
__u32 tk_watermark_mask(__u64 ringbuf_size);

/* Copies the common settings into a skeleton's rodata (before load). */
#define TK_APPLY_RODATA(s, env)                                              \
	do {                                                                 \
		const struct tk_env *e__ = (env);                            \
		(s)->rodata->tk_targ_pid = e__->pid;                         \
		(s)->rodata->tk_targ_uid = e__->uid;                         \
		(s)->rodata->tk_filter_uid = e__->have_uid;                  \
		memcpy((void *)(s)->rodata->tk_targ_comm, e__->comm,         \
		       TK_COMM_LEN);                                         \
		(s)->rodata->tk_follow = e__->cmd != NULL;                   \
		(s)->rodata->tk_ncgroups = e__->ncgroups;                    \
		(s)->rodata->tk_filtered = e__->pid || e__->have_uid ||      \
					   e__->comm[0] || e__->cmd ||       \
					   e__->ncgroups;                    \
		(s)->rodata->tk_self_pid = getpid();                         \
		(s)->rodata->tk_use_perfbuf = e__->perfbuf;                  \
		(s)->rodata->tk_wakeup = e__->wakeup;                        \
		(s)->rodata->tk_wakeup_bytes = e__->ringbuf_size / 2;        \
		(s)->rodata->tk_wakeup_mask = tk_watermark_mask(e__->ringbuf_size); \
		_Static_assert(sizeof((s)->rodata->tk_events_mask) ==        \
				       sizeof(e__->events_mask), "event mask"); \
		memcpy((void *)(s)->rodata->tk_events_mask, e__->events_mask, \
		       sizeof(e__->events_mask));                            \
	} while (0)

/* Whether -e (or the defaults) selected event id; and (de)selecting one,
 * for tools whose modes need given events (filetrace -s). */
static inline bool tk_event_selected(const struct tk_env *env, __u32 id)
{
	return id <= TK_ID_MAX && (env->events_mask[id / 64] >> (id % 64) & 1);
}

static inline void tk_event_select(struct tk_env *env, __u32 id, bool on)
{
	if (id > TK_ID_MAX)
		return;
	if (on)
		env->events_mask[id / 64] |= 1ULL << (id % 64);
	else
		env->events_mask[id / 64] &= ~(1ULL << (id % 64));
}

/* ---- the one main ---------------------------------------------------------- */

/*
 * Extension points for tools that do more than print each record
 * (summary modes, aggregation, post-attach setup). All optional; a tool's
 * setup() fills the ones it needs.
 */
struct tk_hooks {
	void *ctx;
	/* After load and attach, before the command (if any) is released.
	 * Non-zero return aborts with that exit code. */
	int (*ready)(void *ctx);
	/* Each record before it is printed; return true if the tool consumed
	 * it (then it is not printed; it still counts as received). */
	bool (*record)(void *ctx, const void *data, size_t size);
	/* Every interval_ms (0 = never) and once more after the final drain
	 * (final = true), e.g. to print a summary table. */
	void (*tick)(void *ctx, bool final);
	unsigned interval_ms;
	/* If set, receives the output settings (stream: stdout or -o FILE,
	 * JSON or text) before ready is called, so a tool's tables go where
	 * its records would. */
	struct tk_out *out;
	/* Command mode: after the command exits, keep tracing while this
	 * returns true — what it started is still finishing (a TCP close
	 * waiting for the peer's FIN) — for at most linger_ms. */
	bool (*pending)(void *ctx);
	unsigned linger_ms;
	/* Once at the end, while the programs are still attached, just before
	 * they are detached: for what a tool can count only then (nettrace
	 * test-runs a program that finds the changes nothing followed). Its
	 * counts are in the loss summary. Non-zero return: the exit code. */
	int (*stopping)(void *ctx);
	/* Last, once setup() has returned (whatever it returned, so setup may
	 * set it before allocating), after the summary line and before the
	 * skeleton is destroyed: the tool reports its own counters (its maps
	 * are still readable if they were loaded: bpf_map__fd() >= 0) and
	 * frees what it allocated. Gets the exit code so far, returns the
	 * exit code. */
	int (*finish)(void *ctx, int rc);
	/* --metrics: the tool's families, cumulative since the start
	 * (tk_metrics_family/_sample, user/tk_metrics.h), each time the file
	 * is written: at the start, every interval_ms (TK_METRICS_INTERVAL_MS
	 * if 0) just before tick, and at the end just before the last tick
	 * (what a tick then lets go of, such as -P's ended processes, is
	 * still in the file). Set only in a mode that has counters: elsewhere
	 * --metrics is a usage error. */
	void (*metrics)(void *ctx, struct tk_metrics *m);
};

/*
 * What the runtime needs of a tool's skeleton, whose type is the tool's
 * own: TK_TOOL_MAIN writes these adapters, nobody else does.
 */
struct tk_skel_ops {
	void *(*open)(void);          /* <x>_bpf__open(); NULL and errno on failure */
	void (*destroy)(void *skel);  /* <x>_bpf__destroy(), NULL-safe */
	/* The tool's settings (its setup(), or nothing): 0 or an exit code. */
	int (*setup)(void *skel, struct tk_env *env, struct tk_hooks *hooks);
	/* The common settings into the rodata (TK_APPLY_RODATA), after setup,
	 * and the pieces the runtime drives (TK_BPF) into *b. */
	void (*common)(void *skel, const struct tk_env *env, struct tk_bpf *b);
};

/*
 * Everything between argv and the exit code, for every tool (see the top
 * of this file): returns 0, the command's exit status in command mode, 1
 * (a runtime failure, after one line) or 2 (a usage error, after one
 * line); exits 0 itself for --help and --version.
 */
int tk_main(const struct tk_tool *tool, const struct tk_skel_ops *ops, int argc, char **argv);

/*
 * A tool as tracekit finds it: TK_TOOL_MAIN places one of these in the
 * ELF section "tk_tools" of the tool's object; bin/tracekit links every
 * tool's object and walks the section (__start_tk_tools..__stop_tk_tools,
 * which the linker defines), so a new tool is in tracekit with no edit.
 * Its domain is its events' (tk_tool_domain()).
 */
struct tk_tool_reg {
	const struct tk_tool *tool;
	const struct tk_skel_ops *ops;
};

/* A tool's domain name ("net"), from its first event's id; NULL if none. */
const char *tk_tool_domain(const struct tk_tool *tool);

/*
 * One loaded tool inside a run: tk_main() runs one, tracekit trace
 * several (one shared ring, follow map and consumer loop; see
 * user/tk_run.c). The caller fills tool, ops and env (env->tool = tool);
 * the runtime the rest.
 */
struct tk_unit {
	const struct tk_tool *tool;
	const struct tk_skel_ops *ops;
	struct tk_env env;     /* the shared options, this tool's events */
	const char *domain;
	void *skel;
	struct tk_bpf b;
	struct tk_hooks hooks;
	__u64 received;        /* records of this domain */
	__s64 next_tick;
};

/*
 * Opens, sets up, loads and attaches every unit, runs the command (env
 * of the first unit: the shared options), consumes the one stream,
 * prints the summary and calls every finish hook. With trace (tracekit
 * trace, even for one domain), records name their domain and the summary
 * has each domain's loss. The exit code as tk_main's.
 */
int tk_run_units(struct tk_unit *u, size_t n, bool trace);

/*
 * tracekit trace [-e DOMAINS] [OPTIONS] [-- CMD ARGS...] over the tools
 * given (user/tk_trace.c); argv[0] is "trace". The exit code.
 */
int tk_trace_main(const struct tk_tool_reg *regs, size_t nregs, int argc, char **argv);
/* tracekit trace's description (tk_describe) on f: 0, or 1 after one line. */
int tk_trace_describe(const struct tk_tool_reg *regs, size_t nregs, FILE *f);

/*
 * Defines main() for the skeleton <name>.skel.h declares (struct
 * <name>_bpf): tk_main() with adapters for that skeleton type. setup_fn is
 *     int setup(struct <name>_bpf *skel, struct tk_env *env, struct tk_hooks *hooks)
 * — the compiler checks its type — or NULL for a tool with no settings
 * of its own. It also registers the tool for tracekit (struct
 * tk_tool_reg). main is weak: bin/<name> links one object, so it is the
 * main there; bin/tracekit links every tool's object with its own
 * (strong) main, which the linker prefers — one object serves both.
 */
#define TK_TOOL_MAIN(name, tool, setup_fn)                                       \
	static void *name##_tk_open(void)                                     \
	{                                                                     \
		return name##_bpf__open();                                    \
	}                                                                     \
	static void name##_tk_destroy(void *skel)                             \
	{                                                                     \
		name##_bpf__destroy(skel);                                    \
	}                                                                     \
	static int name##_tk_setup(void *skel, struct tk_env *env,            \
				   struct tk_hooks *hooks)                    \
	{                                                                     \
		int (*fn)(struct name##_bpf *, struct tk_env *,               \
			  struct tk_hooks *) = (setup_fn);                       \
		return fn ? fn(skel, env, hooks) : 0;                         \
	}                                                                     \
	static void name##_tk_common(void *skel, const struct tk_env *env,    \
				     struct tk_bpf *b)                        \
	{                                                                     \
		struct name##_bpf *s = skel;                                  \
		TK_APPLY_RODATA(s, env);                                      \
		*b = *TK_BPF(s);                                              \
	}                                                                     \
	static const struct tk_skel_ops name##_tk_ops = {                     \
		.open = name##_tk_open,                                       \
		.destroy = name##_tk_destroy,                                 \
		.setup = name##_tk_setup,                                     \
		.common = name##_tk_common,                                   \
	};                                                                    \
	static const struct tk_tool_reg name##_tk_reg                         \
		__attribute__((used, section("tk_tools"))) = {                \
			(tool), &name##_tk_ops, /* .tool, .ops */          \
		};                                                            \
	__attribute__((weak)) int main(int argc, char **argv)                 \
	{                                                                     \
		return tk_main((tool), &name##_tk_ops, argc, argv);           \
	}

/* Whether a common option has this short key (0..255; -1: none) or this
 * long name (NULL: none). */
bool tk_common_opt(int key, const char *name);
/* The same for an option list (terminated by a NULL name; NULL: empty). */
bool tk_opt_in(const struct tk_tool_opt *list, int key, const char *name);
/* The options a tool takes, in --help's order (its own, then the common
 * ones it does not replace) into out[0..max): how many there are (more
 * than max: only max were written). */
size_t tk_tool_opts(const struct tk_tool *tool, const struct tk_tool_opt **out, size_t max);
/*
 * The tool's machine-readable description on f, for the man pages and
 * the bash completion the build generates (scripts/gen-docs), so that
 * neither can drift from the binary. One line per item, tab-separated,
 * the item's kind first and the tool's name second:
 *   tool NAME DOMAIN               summary NAME LINE    example NAME LINE
 *   kernel NAME RELEASE PERF_RELEASE
 *   opt NAME SHORT|- LONG ARG|- HELP
 *   event NAME EVENT 1|0 (selected by default)
 *   field NAME EVENT|- TEXT_KEY JSON_KEYS (comma-separated; EVENT -: the header)
 * (tracekit --describe adds "version VERSION" and "syscall NAME" lines:
 * the syscall names.)
 * The ARG names are the completion's types: FILE, DIR and PATH complete
 * file names, PID a process, UID a user, an ARG of fixed words is written
 * "a|b" (--sort count|time) and completes them, --events' LIST the tool's
 * events, --syscall's the syscall names and DOMAINS tracekit trace's.
 */
int tk_describe(FILE *f, const struct tk_tool *tool); /* 0, or 1 after one line */
/* -e's two rules, for -e and tracekit trace -e alike: env selects tool's
 * default events only; event name (or "all": every one) is added, false
 * if the tool has no such event. */
void tk_select_defaults(const struct tk_tool *tool, struct tk_env *env);
bool tk_select_event(const struct tk_tool *tool, struct tk_env *env, const char *name);

/* Parses argv only; no preflight. Used by tk_main() and the unit tests. */
int tk_parse_args(const struct tk_tool *tool, int argc, char **argv, struct tk_env *env);

/* Detaches every attached program of a skeleton, in parallel (each
 * tracepoint detach waits for a grace period; concurrent ones share it).
 * The skeleton's destroy then has no links left to release. */
void tk_detach_all(struct bpf_object_skeleton *s);

/*
 * A perf buffer with the memory a ring buffer of total_bytes would have,
 * split per CPU. Records go to sink->sample (a ring_buffer_sample_fn);
 * PERF_RECORD_LOST counts add up in sink->lost. The consumer is woken every
 * wakeup_events records, or (wakeup_events = 0) when a CPU's buffer is
 * watermark_pct % full (0: half). NULL and errno on failure.
 */
struct tk_perf_sink {
	int (*sample)(void *ctx, void *data, size_t size);
	void *ctx;
	__u64 lost;
};
struct perf_buffer *tk_perfbuf_new(int map_fd, __u64 total_bytes, unsigned wakeup_events,
				   unsigned watermark_pct, struct tk_perf_sink *sink);

/*
 * The consumer of a BPF ring buffer map (libbpf's ring_buffer__consume(),
 * but giving the position back to the producer once per 1/16 of the ring
 * and at the end of a pass instead of after every record: tk_ring.c says
 * why). tk_ring_open() maps the ring and makes an epoll fd (r->epfd,
 * EPOLLIN when the kernel wakes the consumer); r must not be open already.
 * tk_ring_consume() calls fn(ctx, record, size) for every submitted record
 * in order, discarded ones skipped, until it has caught up or fn returns
 * < 0; it returns how many records it passed to fn, or fn's negative
 * value (the records before it and that one are consumed). One consumer
 * per ring, and fn must not consume the same ring (the position would
 * step back). tk_ring_close() unmaps and closes (a zeroed or failed one
 * too).
 */
typedef int (*tk_ring_fn)(void *ctx, void *data, size_t size);
struct tk_ring {
	int epfd;
	unsigned long *cons;       /* consumer_pos: the page we may write */
	const unsigned long *prod; /* producer_pos, followed by the data */
	const char *data;          /* mapped twice in a row: no record wraps */
	unsigned long mask;        /* ring size - 1 */
	unsigned long publish;     /* bytes consumed between stores of cons */
	size_t page;
	tk_ring_fn fn;
	void *ctx;
};
int tk_ring_open(struct tk_ring *r, int map_fd, tk_ring_fn fn, void *ctx);
int tk_ring_consume(struct tk_ring *r);
void tk_ring_close(struct tk_ring *r);

/*
 * The consumer's half of the bounded wakeup policy (the BPF half and the
 * argument for it: tk_rb_committed() in bpf/tk.bpf.h). tk_wake_open() maps the
 * skeleton's tk_wake flag (wake_fd) and reads the ring's positions through
 * ring's mapping (which must outlive w): 0, or -1 with errno. Call
 * tk_wake_next() after every wait for the ring buffer and the consume
 * that follows it; active: the wait returned with a wakeup or the consume
 * got records (or stopped early). It returns the next wait's timeout in
 * ms: the poll interval (TK_WAKEUP_BOUND_NS) until 2 bounds have passed
 * with no activity; then it clears the flag and looks at the ring once
 * more: 0 (consume now, and poll on) if a record was reserved meanwhile,
 * else long_ms, so an idle consumer takes no timer wakeups for the policy
 * and the next record wakes it. Start from a zeroed struct tk_wake (a unit test may point
 * flag, cons and prod at its own memory instead of opening); now_ns is
 * CLOCK_MONOTONIC. tk_wake_close() unmaps (a zeroed one too).
 */
struct tk_wake {
	__s64 active_ns; /* the last activity */
	bool idle;       /* the flag cleared, in the long wait */
	__u64 *flag;     /* tk_wake[0]: 1 while we poll */
	/* the ring's consumer_pos and producer_pos (tk_ring's mapping) */
	const unsigned long *cons, *prod;
	void *map_flag; /* tk_wake_open()'s mapping */
	size_t page;
};
int tk_wake_open(struct tk_wake *w, int wake_fd, const struct tk_ring *ring);
void tk_wake_close(struct tk_wake *w);
int tk_wake_next(struct tk_wake *w, bool active, __s64 now_ns, int long_ms);

/* The sum over every possible CPU of one key's __u64 in a per-CPU map
 * (PERCPU_ARRAY, PERCPU_HASH): 0, or -1 with *sum = 0 if it could not be
 * read (the map not loaded, no such key, no memory). */
int tk_percpu_sum(struct bpf_map *map, const void *key, __u64 *sum);
/* Sums a tool's per-CPU tk_stats map into out[TK_STAT_*]; -1 (out partly
 * zero) if it could not be read, so "0 lost" is never reported unread. */
int tk_read_stats(struct bpf_map *stats, __u64 out[TK_STAT__COUNT]);
/* clock_gettime(clk) in nanoseconds; 0 if the clock cannot be read. */
__s64 tk_now_ns(clockid_t clk);

/*
 * Asks the kernel (6.12+) for a TK_SHORT_SLICE_NS scheduler slice for the
 * calling thread, so that its wakeup preempts a task in the middle of a
 * longer slice (EEVDF's PREEMPT_SHORT; see tk_sched.c for why, and why the
 * CPU share does not change). SCHED_OTHER threads only; nice, policy and
 * reset-on-fork are kept, and a slice already as short is left alone. A
 * child forked after it inherits the slice: call it after the forks whose
 * children must not have it. NULL on success, else why not (the thread is
 * unchanged). *was_ns: the slice before, 0 if unknown.
 */
#define TK_SHORT_SLICE_NS 100000ULL /* the kernel's minimum; a wakeup's work here is ~40 µs */
const char *tk_short_slice(__u64 *was_ns);

/*
 * Starts path with argv in a child process, as command mode starts a
 * command: signals the tool ignores or handles are reset to their
 * defaults; fd 1 and fd 2 become out_fd and err_fd (-1: inherited). With
 * go_fd, the child is held before its exec until a byte is written to
 * *go_fd (closing it unwritten makes the child exit 127), so whoever
 * starts it can attach, or note its pid, first. A failed exec prints one
 * line and exits 127 (not found) or 126. Returns the pid, or -1 and errno.
 */
struct tk_spawn {
	int out_fd;
	int err_fd;
	int *go_fd;
};
pid_t tk_spawn(const char *path, char *const argv[], const struct tk_spawn *o);

/* The machine checks tk_main() makes (root, kernel BTF, tracefs, mounted
 * here if missing), for programs with a main of their own (rbbench);
 * 0, or 1 after one line on stderr. */
int tk_preflight(void);
/* tracefs's events directory: /sys/kernel/tracing/events, or under
 * /sys/kernel/debug/tracing where only debugfs has it (older kernels). */
const char *tk_tracefs_events(void);

/* ---- kernel features (user/tk_probe.c) ---------------------------------------
 * What a tool's BPF object needs from the kernel, checked before load so a
 * missing feature is named with the release that brings it. The tables are
 * generated at build time by scripts/kernel-table from the built objects
 * (what they really call and create) and scripts/bpf-features.tsv (the
 * versions): the list cannot drift from the code.
 */
enum tk_feat_kind {
	TK_FEAT_HELPER,
	TK_FEAT_KFUNC,
	TK_FEAT_MAP,
	TK_FEAT_SECTION,    /* program type, by SEC() prefix: "tp_btf" */
	TK_FEAT_TRACEPOINT, /* by event name; a trailing '*' matches a prefix */
	TK_FEAT_INSN,       /* instruction-set feature; not probed */
};
enum tk_feat_use {
	TK_USE_ALWAYS,
	TK_USE_RINGBUF,  /* only the ring-buffer transport (not --perfbuf) */
	TK_USE_OPTIONAL, /* the object falls back where it is missing */
};
struct tk_feature {
	const char *tool;  /* NULL in tk_prog_features */
	__u8 kind;         /* enum tk_feat_kind */
	const char *name;  /* "bpf_loop", "ringbuf", "tp_btf", "sys_enter_*" */
	const char *release; /* first release with it: "5.17" */
	/* how the kernel's BTF shows it: "ENUM:ENUMERATOR", a FUNC name
	 * (kfunc), or "" (tracepoints: tracefs or btf_trace_NAME; insns) */
	const char *btf;
	__u8 use;          /* enum tk_feat_use */
};
extern const struct tk_feature tk_tool_features[]; /* {NULL}-terminated */
extern const struct tk_feature tk_prog_features[];

/* The kernel the probe asks; the unit tests pass a fake one. */
struct btf;
struct tk_kernel {
	const struct btf *btf; /* vmlinux BTF */
	const char *events;    /* tracefs events directory */
};

/* Compares two release numbers ("5.8" < "5.17" < "6.2"): <0, 0, >0. */
int tk_linux_cmp(const char *a, const char *b);
/* The newest release tool's object needs: with perfbuf, without what
 * only the ring buffer needs. NULL for a tool not in the table. */
const char *tk_min_linux(const char *tool, bool perfbuf);
/*
 * Whether kernel k has what tool needs to load the programs of the given
 * SEC() names (the ones that will load) over the chosen transport. 0, or
 * -1 with msg = "this kernel lacks bpf_loop (Linux 5.17); filetrace needs
 * Linux 6.2 or later" (the newest missing feature, and how many more).
 */
int tk_probe_check(const char *tool, const char *const *sections, size_t nsections,
		   bool perfbuf, const struct tk_kernel *k, char *msg, size_t len);
/* The tool's optional programs (struct tk_tool) whose tracepoint kernel k
 * lacks are set not to load; then every selected event must keep one of
 * its programs. 0, or 1 after one line on stderr naming the event, or
 * the entry of optional_progs that names no program of the object. */
int tk_probe_optional(const struct tk_env *env, const struct tk_bpf *b,
		      const struct tk_kernel *k);
/* Whether a program name is in a list as struct tk_tool's take them:
 * comma-separated, a trailing '*' matching any rest. */
bool tk_prog_in_list(const char *name, const char *list);
/* Before load: --perfbuf drops the ring-buffer map, tk_probe_optional(),
 * then tk_probe_check()
 * on the running kernel for the programs that will load. 0, or 1 after
 * one line on stderr. */
int tk_probe_kernel(const struct tk_env *env, const struct tk_bpf *b, clockid_t *clock);
/* The clock of the records' ts_ns on the kernel btf describes, as
 * tk_ktime_ns() in bpf/tk.bpf.h chooses it: CLOCK_BOOTTIME, or
 * CLOCK_MONOTONIC on kernels without bpf_ktime_get_boot_ns.
 * tk_probe_kernel() gives it, from the BTF it reads anyway. */
clockid_t tk_event_clock(const struct btf *btf);
/* The running kernel's BTF (/sys/kernel/btf/vmlinux), parsed once per
 * process however many units and tools' setup() ask (parsing it costs
 * tens of ms of start-up); NULL with errno set if it cannot be read.
 * Main thread only. tk_run_units() frees it once every unit is loaded
 * (tk_vmlinux_btf_free(); a later call parses it again). */
const struct btf *tk_vmlinux_btf(void);
void tk_vmlinux_btf_free(void);

/* ---- messages ---------------------------------------------------------------- */

extern const char *tk_prog; /* tool name used as the prefix of messages */

/* "TOOL: message" on stderr; returns 1 (runtime failure exit code). */
int tk_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* tk_fail() for an option that needs attribution where o->cg is NULL:
 * "WHAT: no cgroup v2 hierarchy is mounted", or o->cg_errno's reason. */
int tk_fail_no_cgroups(const struct tk_out *o, const char *what);
/* "TOOL: message (see --help)" on stderr; returns 2 (usage exit code). */
int tk_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- parsing helpers (also for tools' own options) ------------------------- */

/* Strict unsigned parse: digits only (0x… hex allowed), no sign, no
 * trailing junk, within [min, max]. Optional K/M/G suffix with suffix=true.
 * Returns 0 or -1. */
int tk_parse_u64(const char *s, __u64 min, __u64 max, bool suffix, __u64 *out);
/* Positive decimal seconds, fractions allowed ("0.5"); no hex, exponent,
 * sign or blanks. */
int tk_parse_seconds(const char *s, double *out);
/* An absolute path normalised lexically: "//" and "/./" collapse, ".."
 * drops the previous component, no trailing '/'. Symlinks are not
 * resolved (see filetrace's --path). Returns 0, or -1 if in is not
 * absolute or the result does not fit in size bytes. */
int tk_path_normalize(const char *in, char *out, size_t size);

/* ---- event descriptors (user/tk_events.c) ---------------------------------- */

struct tk_field {
	const char *name;
	__u16 offset;
	__u16 size;   /* total bytes (count * element size) */
	__u8 type;    /* enum tk_type */
	__u8 kind;    /* enum tk_kind */
	__u16 count;  /* 1 for scalars */
	const char *aux; /* as written in the field list; "0" when unused */
	/* FLAGS/ENUM: the table aux names (tk_syms_<aux>, TK_SYMS_END-
	 * terminated); NULL for every other kind */
	const struct tk_sym *syms;
};

struct tk_event_desc {
	const char *name;  /* label, e.g. "exec" */
	__u32 id;
	__u32 size;        /* sizeof the struct: the fixed part of a record */
	const struct tk_field *fields; /* after the header */
	__u32 nfields;
	const char *struct_name;
};

extern const struct tk_field tk_hdr_fields[];
extern const size_t tk_hdr_nfields;
extern const struct tk_event_desc tk_event_table[];
extern const size_t tk_event_count;

const struct tk_event_desc *tk_event_by_id(__u32 id);
/* A domain's name as its header is named (TK_NET_DOMAIN: "net"), or NULL;
 * an event id's domain is id >> 8 (TK_ID). */
const char *tk_domain_name(__u32 domain);
/* The seeds' queries: event-size, event-field-offset, event-fields. */
long tk_event_size(__u32 id);
long tk_event_field_offset(__u32 id, const char *field);
const struct tk_field *tk_event_field(__u32 id, const char *field);
/* Field names (header's first) into names[], returns the count. */
size_t tk_event_fields(__u32 id, const char **names, size_t max);
/* A record's meaningful length: the fixed part plus its packed strings
 * (include/tk_event.h); -1 if size cannot hold them (malformed). */
long tk_record_len(const struct tk_event_desc *d, const void *rec, size_t size);
/* The packed string `name` (a VSTR/ARGV field's aux: "path", "argv") of a
 * record tk_record_len() accepted: its bytes, NULs included, at *at; 0 and
 * *at = NULL when the record has none (length 0, or no such field). */
size_t tk_record_str(const struct tk_event_desc *d, const void *rec, const char *name,
		     const char **at);
/* The keys the decoder writes a field under (the man pages' tables): 0
 * for a field never shown; else *key (its name, a length field's string's)
 * and, returning 2, the key of its value's name in name_key ("ret_str",
 * "syscall": the x + x_str rule, include/tk_event.h). */
int tk_field_keys(const struct tk_field *fd, const char **key, char *name_key, size_t len);

/* ---- names (user/tk_tables.c; FLAGS/ENUM tables are in include/tk_*.h) ---- */

const char *tk_errno_name(int err);   /* "ENOENT", or NULL */
const char *tk_signal_name(int sig);  /* "SIGKILL", or NULL */
const char *tk_syscall_name(__u32 nr); /* "openat", or NULL if unknown */
int tk_syscall_nr(const char *name);   /* the number of "openat", or -1 */

/* ---- output (user/tk_output.c) ------------------------------------------------ */

struct tk_cgroups;
struct tk_cg_info;

struct tk_out {
	FILE *f;
	bool json;
	bool timestamp;
	__s64 boot_to_real_ns; /* add to ts_ns for wall-clock time */
	/* Attribution (user/tk_cgroup.h): NULL where no cgroup2 is mounted.
	 * JSON records then gain "cgroup", "container_id", "pod_uid" and
	 * "unit" where known; text records the -C column if containers. */
	struct tk_cgroups *cg;
	int cg_errno; /* cg NULL: tk_cgroups_new()'s errno (ENOENT: none mounted) */
	bool containers;
	/* tracekit trace: every record names its domain (file close vs net
	 * close) — a "domain" key first in JSON, a DOMAIN column in text */
	bool domain;
};

/* SIGHUP's reopen of -o FILE (and --raw), for log rotation: f's buffer
 * is flushed to the file it had open, then f writes to path, opened anew
 * (created if it is missing, appended to if not; permissions as a new
 * file's, 0666 less the umask, as the first open). f and its fd number
 * stay the same, so whoever holds f (a tool's tk_out) writes on. 0, or
 * -1 with errno: then f still writes to its old file. */
int tk_out_reopen(FILE *f, const char *path);

/* Prints the text column header (no-op in JSON mode). */
void tk_print_header(const struct tk_out *o);
/* Decodes and prints one record. Returns 0, or -1 if the record is
 * malformed (too short, unknown event id); nothing is printed then. */
int tk_print_record(const struct tk_out *o, const void *data, size_t size);

/* Escapers: hostile bytes in, safe text out. len bounds the input; stops at
 * NUL. Text: control bytes, backslash and invalid UTF-8 become \n, \\,
 * \xNN (a C1 control as its two bytes, \xc2\x9b); bidi controls and
 * invisible format characters (U+061C, U+180E, U+200B..U+200F,
 * U+2028..U+202E, U+2060..U+206F, U+FEFF, U+FFF9..U+FFFB, tags
 * U+E0000..U+E007F) become \u202e, or \U000e0041 above U+FFFF;
 * quote=true wraps in '…' when the string has blanks or quotes, or is
 * empty. JSON: a complete "…" string literal, always valid UTF-8: invalid
 * bytes become U+FFFD; C1 controls and those format characters are
 * \uXXXX escapes (a surrogate pair above U+FFFF), never raw. */
void tk_fput_text(FILE *f, const char *s, size_t len, bool quote);
void tk_fput_json_str(FILE *f, const char *s, size_t len);
/* tk_fput_text() (unquoted) padded to |width| columns; negative width
 * left-aligns. For text columns whose content needs escaping. */
void tk_fput_text_padded(FILE *f, const char *s, size_t len, int width);

/* The decoder's forms of a few kinds, for output of other shapes (the
 * report, user/tk_report.h): a DURATION's text (1.500ms); an ARGV string
 * (len bytes of NUL-separated arguments) as text (quoted as needed) or a
 * JSON array; an IPADDR (16 bytes, AF_INET in the first 4; v4-mapped IPv6
 * prints as the IPv4 it is). */
void tk_fput_duration(FILE *f, __u64 ns);
void tk_fput_argv(FILE *f, const char *s, size_t len, bool json);
void tk_fput_ipaddr(FILE *f, int family, const void *addr);
/* The JSON keys a record in cgroup id gains (",\"cgroup\":…" and
 * container_id, pod_uid, unit where known); nothing for a removed one. */
void tk_fput_cgroup_json(FILE *f, struct tk_cgroups *cg, __u64 id);

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. */
int tk_utf8_seq_len(const unsigned char *s, size_t n);

/* ---- summary tables (user/tk_table.c) -------------------------------------
 * For summary modes (-s): one table per interval. Text: a title line, a
 * header and aligned rows. JSON: one object per row,
 * {"event":"<row_event>","<col>":value,…}, numbers unquoted.
 */
struct tk_col {
	const char *name;  /* header in text, key in JSON */
	int width;         /* text column width; negative = left-aligned */
};
struct tk_cell {
	const char *s;     /* string cell (escaped on output), or NULL */
	double num;        /* numeric cell when s == NULL */
	bool integer;      /* print num as an integer */
	size_t len;        /* bytes of s; 0: up to its NUL */
	bool none;         /* no value: the key left out in JSON, "-" in text */
};
void tk_table_begin(const struct tk_out *o, const char *title, const struct tk_col *cols,
		    int ncols);
void tk_table_row(const struct tk_out *o, const char *row_event, const struct tk_col *cols,
		  const struct tk_cell *cells, int ncols);
/*
 * --per-cgroup tables: the columns naming the row's cgroup id, ci its
 * tk_cgroup_lookup() (NULL: unknown). JSON: cgroup_id, cgroup,
 * container_id, pod_uid and unit, each left out where unknown (the id
 * never is). Text: cgroup_id and container (tk_cgroup_label()) at the
 * start, the path at the end (tail = true). Appends at most TK_CG_COLS
 * columns and cells; returns how many. The cells point into ci.
 */
#define TK_CG_COLS 5
int tk_table_cgroup(const struct tk_out *o, bool tail, __u64 id, const struct tk_cg_info *ci,
		    struct tk_col *cols, struct tk_cell *cells);

#endif /* TK_H */
