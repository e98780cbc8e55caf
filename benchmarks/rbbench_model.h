/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rbbench's bottom layer: the data every other layer passes around and the
 * few primitives they all need (names, the clock, the interrupt flag).
 *
 * The layers, each including only the headers below it:
 *
 *   rbbench_model   configurations, results, options; names; clock (this file)
 *   rbbench_run     measurement: one run of a configuration (rbbench_run.c),
 *                   the end-to-end proctrace row (rbbench_e2e.c)
 *   rbbench_agg     aggregation over rounds: summaries, within-round ratios
 *   rbbench_write   writers: text table, CSV, JSON Lines, gnuplot chart
 *   rbbench.c       main: options, the matrix, the round loop, which files
 */
#ifndef RBBENCH_MODEL_H
#define RBBENCH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <time.h>
#include "rbbench.h"
#include "stats.h"

#define RBB_MAX_CPUS 256

/* One point of the matrix. */
struct rbb_config {
	const char *group;   /* which question the row answers (see rbbench.c) */
	int transport;       /* enum rbb_transport */
	int policy;          /* enum rbb_policy */
	unsigned every;      /* RBB_W_EVERY: N */
	unsigned size;       /* bytes per event */
	unsigned producers;  /* threads, one per CPU, calling getpgid() */
	unsigned batch;      /* events per getpgid() */
	double rate;         /* target events/s over all producers; 0 = flat out */
	unsigned long long ringbuf; /* ring buffer bytes (the perf buffer's total) */
	double duration;     /* measured window, s; 0 = --duration */
};

/* What one run of a configuration measured; NaN when not applicable. */
enum rbb_metric {
	RBB_M_PROD_EPS,   /* events produced per second (emitted + dropped) */
	RBB_M_CONS_EPS,   /* events consumed per second */
	RBB_M_DROP_PCT,   /* dropped / produced, % */
	RBB_M_BPF_NS,     /* in-BPF ns per event, no-op baseline subtracted */
	RBB_M_PROD_NS,    /* producer threads' CPU ns per event (syscall + BPF + wakeups) */
	RBB_M_CONS_NS,    /* consumer thread's CPU ns per consumed event */
	RBB_M_WAKE_K,     /* consumer wakeups (epoll returns with data) per 1000 events */
	RBB_M_WAKE_S,     /* consumer thread's sleeps (each ends in a wakeup) per second */
	RBB_M_LAT_P50,    /* event-to-userspace latency, µs */
	RBB_M_LAT_P99,
	RBB_M_LAT_MAX,
	RBB_M_CPU_PCT,    /* (BPF run time + consumer CPU) / wall, % of one CPU */
	RBB_M__COUNT,
};

struct rbb_result {
	double m[RBB_M__COUNT];
	bool valid;      /* the run happened and measured something */
	bool balanced;   /* after the final drain: consumed + dropped == produced */
	/* the whole run's (warm-up and final drain included): produced =
	 * emitted + lost by the kernel's count, received by the consumer */
	unsigned long long produced, received, lost;
};

/* The end-to-end row's variants: proctrace with its ring buffer vs --perfbuf, vs untraced. */
enum {
	RBB_E2E_UNTRACED,
	RBB_E2E_RINGBUF,    /* proctrace's defaults */
	RBB_E2E_PERFBUF,    /* --perfbuf */
	RBB_E2E_RINGBUF_EV, /* --wakeup event */
	RBB_E2E_PERFBUF_EV, /* --perfbuf --wakeup event */
	RBB_E2E__COUNT,
};
struct rbb_e2e_result {
	double us_per_exec;    /* wall time of fork+exec+wait */
	double tracer_us_exec; /* tracer process CPU per exec while the loop ran */
	double events, lost, expected;
	bool valid;
};

/*
 * The reader-on-a-pipe check: proctrace -j -e exec under 50 execs/s (one
 * event every 20 ms), its stdout read line by line on a pipe, each record's
 * ts_ns against the clock when its line arrived; per policy, pooled over
 * rounds.
 */
enum {
	RBB_PIPE_BOUNDED, /* the default */
	RBB_PIPE_BATCH,   /* --wakeup batch, the previous default */
	/* --wakeup event: a wakeup per event, so its latency is this machine's
	 * floor (wakeup and scheduling of tracer and reader), measured beside */
	RBB_PIPE_EVENT,
	/* no tracer: each exec'd child posts its own timestamp, just before
	 * its exec, to a relay process that writes the same line to the same
	 * reader (rbb_pipe_run()): the two wakeups and the pipe with no BPF,
	 * this machine's floor for any tracer on this path */
	RBB_PIPE_RELAY,
	RBB_PIPE__COUNT,
};
#define RBB_PIPE_RATE 50  /* execs (events) per second */
#define RBB_PIPE_EXECS 250 /* per policy and round */
struct rbb_pipe_result {
	struct bs_hist lat;  /* ns */
	double received, expected, lost; /* exec records, summed over rounds */
	unsigned runs;
	/* the least and the greatest of the runs' own p99s, ns: how much the
	 * pooled p99 moves from one run of RBB_PIPE_EXECS to the next */
	double p99_lo, p99_hi;
	/* The reader thread's scheduler slice (tk_short_slice(), as proctrace's
	 * consumer has it), last run: ns, 0 unknown; why it is not the short
	 * one, or NULL */
	unsigned long long reader_slice_ns;
	const char *reader_slice_why;
};

struct rbb_opts {
	double duration;       /* measured window per run, s */
	unsigned rounds;
	unsigned drain_ms;
	unsigned long long ringbuf_size; /* for every group but the size sweep */
	bool ringbuf_given;    /* --ringbuf-size: for the size sweep too */
	const char *proctrace; /* end-to-end row: path to proctrace, or NULL */
	unsigned execs;        /* end-to-end: execs per variant and round */
	const char *outdir;    /* NULL: table on stdout only */
	bool verbose;
	double clock_ns;       /* cost of one clock_gettime(), in cons_ns */
	clockid_t event_clock; /* the records' ts_ns clock (tk_event_clock()) */
	int cpus[RBB_MAX_CPUS]; /* CPUs we may run on */
	unsigned ncpus;
};

/* Set by main's SIGINT/SIGTERM handler; every loop of every layer looks at it. */
extern volatile sig_atomic_t rbb_interrupted;

extern const char *const rbb_transport_names[RBB_T__COUNT];
extern const char *const rbb_e2e_names[RBB_E2E__COUNT];
extern const char *const rbb_pipe_names[RBB_PIPE__COUNT];
const char *rbb_transport_name(int t);
/* "event", "every:64", "nowake", "batch" (buf is used for every:N only) */
const char *rbb_policy_name(const struct rbb_config *c, char *buf, size_t len);
/* "flat" (0: flat out), "1M", "100K", or the number (events/s) */
const char *rbb_rate_name(double rate, char *buf, size_t n);
/* Same point of the matrix (the group, which only labels it, aside). */
bool rbb_same_point(const struct rbb_config *a, const struct rbb_config *b);

double rbb_now(void); /* CLOCK_MONOTONIC, s */
/* Sleeps, returning early on SIGINT/SIGTERM. */
void rbb_sleep(double seconds);

#endif
