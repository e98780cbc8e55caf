/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rbbench's aggregation layer (above rbbench_model.h): what the rounds of a
 * whole matrix add up to, for the writers (rbbench_write.h) to print.
 *
 * Each quantity is taken in every round and then summarized (min / median /
 * max over rounds): ratios and differences are formed within a round, where
 * the two configurations ran minutes apart at most, not across rounds.
 */
#ifndef RBBENCH_AGG_H
#define RBBENCH_AGG_H

#include "rbbench_model.h"
#include "stats.h"

/* Everything one invocation measured. */
struct rbb_report {
	const struct rbb_opts *o;
	const struct rbb_config *cfg;
	size_t ncfg;
	struct rbb_result *res;           /* [round * ncfg + config] */
	struct rbb_e2e_result *e2e;       /* [round * RBB_E2E__COUNT + variant] or NULL */
	struct rbb_pipe_result *pipe;     /* [policy], pooled over rounds, or NULL */
	unsigned rounds;                  /* rounds completed */
	double elapsed;                   /* s */
};

/*
 * Over RBB_DROP_MAX % dropped, a run's per-event figures mix cheap failed
 * reservations with real sends (and its rate counts them): such a round is
 * left out of a comparison.
 */
#define RBB_DROP_MAX 1.0

/* One per-round quantity. */
enum rbb_rq_op {
	RQ_VALUE,      /* metric ma of configuration a */
	RQ_CLEAN,      /* the same, but only from rounds without drops (RBB_DROP_MAX) */
	RQ_RATIO,      /* a's ma / b's ma */
	RQ_DIFF,       /* a's ma - b's ma */
	RQ_SUM,        /* a's ma + a's mb */
	RQ_WAKE_COST,  /* consumer us per extra wakeup of a over b */
	RQ_E2E,        /* end-to-end variant a, field ma (enum rbb_e2e_field) */
	RQ_E2E_OVER,   /* variant a's us/exec - untraced's */
	RQ_E2E_CPU,    /* variant a's tracer CPU / the default ringbuf variant's */
};
struct rbb_rq {
	enum rbb_rq_op op;
	long a, b;   /* configuration indexes (or e2e variant); -1: absent */
	int ma, mb;  /* enum rbb_metric (or rbb_e2e_field) */
};

/* The fields of struct rbb_e2e_result, in its CSV's column order. */
enum rbb_e2e_field { E2E_US, E2E_CPU, E2E_EVENTS, E2E_LOST, E2E_EXPECTED };

/* q in every completed round, summarized; s->n counts the rounds that had it. */
void rbb_over_rounds(const struct rbb_report *rep, struct rbb_rq q, struct bs_summary *s);
/* Configuration i's metric over rounds. */
void rbb_summarize(const struct rbb_report *rep, size_t i, int metric, struct bs_summary *s);
/* Whether every valid round of configuration i balanced; *valid: how many were valid. */
bool rbb_balanced(const struct rbb_report *rep, size_t i, unsigned *valid);
/* Configuration i's events over its valid rounds' whole runs: produced
 * (the kernel's emitted + lost), received by the consumer, lost. */
void rbb_counts(const struct rbb_report *rep, size_t i, unsigned long long *produced,
		unsigned long long *received, unsigned long long *lost);
/* Index of the configuration at key's point, or -1. */
long rbb_find(const struct rbb_report *rep, const struct rbb_config *key);

/* The within-round comparisons: one cell per (section, row, column). */
struct rbb_ratio {
	const char *section; /* a group name */
	char row[40];
	const char *col;
	int prec;            /* decimals for text */
	struct bs_summary s;
};
struct rbb_ratios {
	struct rbb_ratio v[512];
	size_t n;
};
/* Every comparison the matrix allows, in report order. */
void rbb_all_ratios(const struct rbb_report *rep, struct rbb_ratios *rs);

/*
 * Whether configuration i is a point of the size sweep (the chart): batch
 * policy, 1 producer, 64 per call, flat out; from the "size" group when
 * there is one (its ring is larger), else from any; the first point of each
 * transport and size.
 */
bool rbb_size_point(const struct rbb_report *rep, size_t i);
/* Whether configuration i is a point of the latency comparison: reserve,
 * 32 B, one producer, paced, policy event, batch or bounded (the latency
 * group's, and the paced group's rows it shares). */
bool rbb_latency_point(const struct rbb_config *c);
/* The latency comparison's configurations, by rate then policy, into idx
 * (room for rep->ncfg); how many. NULL idx: only the count. */
size_t rbb_latency_points(const struct rbb_report *rep, size_t *idx);

#endif
