// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's aggregation layer (rbbench_agg.h): per-round quantities, their
 * summaries over rounds, the within-round ratios and the size sweep's
 * points. Prints nothing.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rbbench_agg.h"

static const struct rbb_result *res_at(const struct rbb_report *rep, unsigned r, size_t i)
{
	return &rep->res[r * rep->ncfg + i];
}

static double value(const struct rbb_report *rep, unsigned r, size_t i, int metric)
{
	const struct rbb_result *x = res_at(rep, r, i);

	return x->valid ? x->m[metric] : NAN;
}

static double e2e_value(const struct rbb_report *rep, unsigned r, long v, int what)
{
	const struct rbb_e2e_result *x = &rep->e2e[r * RBB_E2E__COUNT + v];

	if (!x->valid)
		return NAN;
	switch (what) {
	case E2E_US: return x->us_per_exec;
	case E2E_CPU: return x->tracer_us_exec;
	case E2E_EVENTS: return x->events;
	case E2E_LOST: return x->lost;
	default: return x->expected;
	}
}

static bool clean(const struct rbb_report *rep, unsigned r, long i)
{
	return !(value(rep, r, i, RBB_M_DROP_PCT) > RBB_DROP_MAX);
}

static double rq_round(const struct rbb_report *rep, unsigned r, const struct rbb_rq *q)
{
	double a = 0, b = 0, dw;

	if (q->op < RQ_E2E) {
		bool pair = q->op != RQ_VALUE && q->op != RQ_CLEAN && q->op != RQ_SUM;

		if (q->a < 0 || (pair && q->b < 0))
			return NAN;
		if ((pair || q->op == RQ_SUM) && (!clean(rep, r, q->a) || (pair && !clean(rep, r, q->b))))
			return NAN;
		a = value(rep, r, q->a, q->ma);
		if (q->op == RQ_RATIO || q->op == RQ_DIFF)
			b = value(rep, r, q->b, q->ma);
	}
	switch (q->op) {
	case RQ_VALUE: return a;
	case RQ_CLEAN: return clean(rep, r, q->a) ? a : NAN;
	case RQ_RATIO: return b != 0 ? a / b : NAN;
	case RQ_DIFF: return a - b;
	case RQ_SUM: return a + value(rep, r, q->a, q->mb);
	case RQ_WAKE_COST:
		dw = (a - value(rep, r, q->b, RBB_M_WAKE_K)) / 1e3;
		/* below 1 extra wakeup per 200 events the quotient is noise */
		return dw >= 0.005 ? (value(rep, r, q->a, RBB_M_CONS_NS) -
				      value(rep, r, q->b, RBB_M_CONS_NS)) / dw / 1e3 : NAN;
	case RQ_E2E: return e2e_value(rep, r, q->a, q->ma);
	case RQ_E2E_OVER:
		return e2e_value(rep, r, q->a, E2E_US) - e2e_value(rep, r, RBB_E2E_UNTRACED, E2E_US);
	case RQ_E2E_CPU:
		return e2e_value(rep, r, q->a, E2E_CPU) / e2e_value(rep, r, RBB_E2E_RINGBUF, E2E_CPU);
	}
	return NAN;
}

void rbb_over_rounds(const struct rbb_report *rep, struct rbb_rq q, struct bs_summary *s)
{
	double v[100];
	unsigned n = rep->rounds < 100 ? rep->rounds : 100;

	for (unsigned r = 0; r < n; r++)
		v[r] = rq_round(rep, r, &q);
	bs_summarize(v, n, s);
}

void rbb_summarize(const struct rbb_report *rep, size_t i, int metric, struct bs_summary *s)
{
	rbb_over_rounds(rep, (struct rbb_rq){ RQ_VALUE, (long)i, -1, metric, 0 }, s);
}

bool rbb_balanced(const struct rbb_report *rep, size_t i, unsigned *valid)
{
	bool ok = true;

	*valid = 0;
	for (unsigned r = 0; r < rep->rounds; r++) {
		const struct rbb_result *x = res_at(rep, r, i);

		if (x->valid) {
			(*valid)++;
			ok &= x->balanced;
		}
	}
	return ok;
}

void rbb_counts(const struct rbb_report *rep, size_t i, unsigned long long *produced,
		unsigned long long *received, unsigned long long *lost)
{
	*produced = *received = *lost = 0;
	for (unsigned r = 0; r < rep->rounds; r++) {
		const struct rbb_result *x = res_at(rep, r, i);

		if (x->valid) {
			*produced += x->produced;
			*received += x->received;
			*lost += x->lost;
		}
	}
}

long rbb_find(const struct rbb_report *rep, const struct rbb_config *key)
{
	for (size_t i = 0; i < rep->ncfg; i++)
		if (rbb_same_point(&rep->cfg[i], key))
			return (long)i;
	return -1;
}

static void put_ratio(struct rbb_ratios *rs, const char *section, const char *row, const char *col,
		      int prec, const struct bs_summary *s)
{
	struct rbb_ratio *x;

	if (rs->n == sizeof(rs->v) / sizeof(rs->v[0]))
		return;
	x = &rs->v[rs->n++];
	x->section = section;
	snprintf(x->row, sizeof(x->row), "%s", row);
	x->col = col;
	x->prec = prec;
	x->s = *s;
}

static const struct transport_cmp {
	const char *col;
	int a, b, metric;
	bool diff;
	int prec;
} transport_cmps[] = {
	{ "output-reserve ns", RBB_T_OUTPUT, RBB_T_RESERVE, RBB_M_BPF_NS, true, 1 },
	{ "output/reserve ns", RBB_T_OUTPUT, RBB_T_RESERVE, RBB_M_BPF_NS, false, 2 },
	{ "perf/reserve ns", RBB_T_PERF, RBB_T_RESERVE, RBB_M_BPF_NS, false, 2 },
	{ "dynptr/reserve ns", RBB_T_DYNPTR, RBB_T_RESERVE, RBB_M_BPF_NS, false, 2 },
	{ "reserve-none ns", RBB_T_RESERVE, RBB_T_NONE, RBB_M_BPF_NS, true, 1 },
	{ "reserve/output ev/s", RBB_T_RESERVE, RBB_T_OUTPUT, RBB_M_PROD_EPS, false, 2 },
	{ "reserve/perf ev/s", RBB_T_RESERVE, RBB_T_PERF, RBB_M_PROD_EPS, false, 2 },
};

/* Each transport against reserve at the same point (key's transport ignored). */
static void transport_ratios(const struct rbb_report *rep, struct rbb_ratios *rs,
			     const char *section, const char *row, struct rbb_config key)
{
	for (size_t k = 0; k < sizeof(transport_cmps) / sizeof(transport_cmps[0]); k++) {
		const struct transport_cmp *c = &transport_cmps[k];
		struct bs_summary s;
		long ia, ib;

		key.transport = c->a;
		ia = rbb_find(rep, &key);
		key.transport = c->b;
		ib = rbb_find(rep, &key);
		if (ia < 0 || ib < 0)
			continue;
		rbb_over_rounds(rep, (struct rbb_rq){ c->diff ? RQ_DIFF : RQ_RATIO, ia, ib, c->metric, 0 }, &s);
		put_ratio(rs, section, row, c->col, c->prec, &s);
	}
}

static void policy_ratios(const struct rbb_report *rep, struct rbb_ratios *rs)
{
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		struct rbb_config key = *c;
		struct bs_summary s;
		char row[40], pb[24];
		long ib;

		if (strcmp(c->group, "policy") && strcmp(c->group, "custom"))
			continue;
		if (c->policy == RBB_W_BATCH || c->transport == RBB_T_NONE)
			continue;
		key.policy = RBB_W_BATCH;
		key.every = 0;
		ib = rbb_find(rep, &key);
		snprintf(row, sizeof(row), "%s %s", rbb_transport_name(c->transport),
			 rbb_policy_name(c, pb, sizeof(pb)));
		if (ib >= 0) {
			rbb_over_rounds(rep, (struct rbb_rq){ RQ_RATIO, i, ib, RBB_M_BPF_NS, 0 }, &s);
			put_ratio(rs, "policy", row, "bpf_ns/ev vs batch", 2, &s);
			rbb_over_rounds(rep, (struct rbb_rq){ RQ_RATIO, i, ib, RBB_M_CONS_NS, 0 }, &s);
			put_ratio(rs, "policy", row, "cons_ns/ev vs batch", 2, &s);
			rbb_over_rounds(rep, (struct rbb_rq){ RQ_RATIO, i, ib, RBB_M_PROD_EPS, 0 }, &s);
			put_ratio(rs, "policy", row, "prod ev/s vs batch", 2, &s);
			/* against batch, not nowake: both consume every event,
			 * while nowake's ring overflows once the consumer is the
			 * slower side (31-61 % dropped at 4 MiB on an Intel VM),
			 * and a dirty round gives no ratio; batch's own ~1-2
			 * wakeups per 1000 events are subtracted */
			if (c->policy != RBB_W_NOWAKE) {
				rbb_over_rounds(rep, (struct rbb_rq){ RQ_WAKE_COST, (long)i, ib,
								     RBB_M_WAKE_K, 0 }, &s);
				put_ratio(rs, "policy", row, "cons us/wakeup", 1, &s);
			}
		}
	}
}

static void cpu_ratios(const struct rbb_report *rep, struct rbb_ratios *rs)
{
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		struct rbb_config key = *c;
		struct bs_summary s;
		char row[40];
		long i1;

		if (c->producers < 2 || c->rate > 0)
			continue;
		key.producers = 1;
		i1 = rbb_find(rep, &key);
		if (i1 < 0)
			continue;
		snprintf(row, sizeof(row), "%s %uB P%u", rbb_transport_name(c->transport), c->size,
			 c->producers);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_RATIO, i, i1, RBB_M_PROD_EPS, 0 }, &s);
		put_ratio(rs, "cpus", row, "ev/s vs P1", 2, &s);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_RATIO, i, i1, RBB_M_BPF_NS, 0 }, &s);
		put_ratio(rs, "cpus", row, "bpf_ns/ev vs P1", 2, &s);
	}
}

void rbb_all_ratios(const struct rbb_report *rep, struct rbb_ratios *rs)
{
	/* one row per (size) of the size sweep, per (policy) of the syscall mode,
	 * per point of a custom matrix: wherever reserve ran */
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		char row[40], pb[24], rb[16];
		const char *section = c->group;

		if (c->transport != RBB_T_RESERVE || !strcmp(c->group, "policy") ||
		    !strcmp(c->group, "cpus"))
			continue;
		if (!strcmp(section, "size"))
			snprintf(row, sizeof(row), "%uB", c->size);
		else if (!strcmp(section, "syscall") || !strcmp(section, "paced"))
			snprintf(row, sizeof(row), "%s", rbb_policy_name(c, pb, sizeof(pb)));
		else
			snprintf(row, sizeof(row), "%s %uB P%u x%u %s", rbb_policy_name(c, pb, sizeof(pb)),
				 c->size, c->producers, c->batch, rbb_rate_name(c->rate, rb, sizeof(rb)));
		transport_ratios(rep, rs, section, row, *c);
	}
	policy_ratios(rep, rs);
	cpu_ratios(rep, rs);
}

/*
 * The size sweep's points: batch policy, 1 producer, 64 per call, flat out;
 * from the "size" group when there is one (its ring is larger), else from
 * any; the first point of each transport and size.
 */
static bool sweep_candidate(const struct rbb_report *rep, size_t i, bool have_group)
{
	const struct rbb_config *c = &rep->cfg[i];

	return c->policy == RBB_W_BATCH && c->producers == 1 && c->batch == 64 &&
	       !(c->rate > 0) && (!have_group || !strcmp(c->group, "size"));
}

bool rbb_size_point(const struct rbb_report *rep, size_t i)
{
	bool have_group = false;

	for (size_t j = 0; j < rep->ncfg; j++)
		have_group |= !strcmp(rep->cfg[j].group, "size");
	if (!sweep_candidate(rep, i, have_group))
		return false;
	for (size_t j = 0; j < i; j++)
		if (sweep_candidate(rep, j, have_group) &&
		    rep->cfg[j].transport == rep->cfg[i].transport &&
		    rep->cfg[j].size == rep->cfg[i].size)
			return false;
	return true;
}

bool rbb_latency_point(const struct rbb_config *c)
{
	return c->transport == RBB_T_RESERVE && c->size == 32 && c->producers == 1 &&
	       c->rate > 0 && (c->policy == RBB_W_EVENT || c->policy == RBB_W_BATCH ||
			       c->policy == RBB_W_BOUNDED);
}

size_t rbb_latency_points(const struct rbb_report *rep, size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		size_t j = n;

		if (!rbb_latency_point(c))
			continue;
		/* insertion by (rate, policy): a dozen points */
		while (idx && j > 0) {
			const struct rbb_config *p = &rep->cfg[idx[j - 1]];

			if (p->rate < c->rate || (p->rate == c->rate && p->policy <= c->policy))
				break;
			idx[j] = idx[j - 1];
			j--;
		}
		if (idx)
			idx[j] = i;
		n++;
	}
	return n;
}
