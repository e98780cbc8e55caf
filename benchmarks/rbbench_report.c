// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's report: the table (medians over rounds), the ratios taken
 * within each round (what a shared, noisy machine can still tell), the
 * end-to-end row; CSV, JSON Lines and a gnuplot chart of the size sweep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tk.h"
#include "rbbench_int.h"

static const struct metric_desc {
	const char *key;  /* CSV / JSON name */
	const char *head; /* text column */
	int width;
	double scale;     /* text only: M/s */
	int prec;         /* text decimals; -1: by magnitude */
} metrics[RBB_M__COUNT] = {
	[RBB_M_PROD_EPS] = { "prod_eps", "prod_M/s", 8, 1e-6, 3 },
	[RBB_M_CONS_EPS] = { "cons_eps", "cons_M/s", 8, 1e-6, 3 },
	[RBB_M_DROP_PCT] = { "drop_pct", "drop%", 6, 1, 2 },
	[RBB_M_BPF_NS] = { "bpf_ns_ev", "bpf_ns", 7, 1, 1 },
	[RBB_M_PROD_NS] = { "prod_ns_ev", "prod_ns", 7, 1, 1 },
	[RBB_M_CONS_NS] = { "cons_ns_ev", "cons_ns", 7, 1, 1 },
	[RBB_M_WAKE_K] = { "wake_per_kev", "wake/k", 7, 1, 2 },
	[RBB_M_LAT_P50] = { "lat_p50_us", "p50_us", 7, 1, -1 },
	[RBB_M_LAT_P99] = { "lat_p99_us", "p99_us", 7, 1, -1 },
	[RBB_M_LAT_MAX] = { "lat_max_us", "max_us", 7, 1, -1 },
	[RBB_M_CPU_PCT] = { "cpu_pct", "cpu%", 6, 1, 2 },
};

static const char *num(char *buf, size_t n, double v, int prec)
{
	if (!isfinite(v))
		return "-";
	if (prec < 0)
		prec = fabs(v) < 10 ? 2 : fabs(v) < 100 ? 1 : 0;
	snprintf(buf, n, "%.*f", prec, v);
	return buf;
}

static const char *rate_name(double rate, char *buf, size_t n)
{
	if (!(rate > 0))
		return "flat";
	if (rate >= 1e6 && fmod(rate, 1e6) == 0)
		snprintf(buf, n, "%.0fM", rate / 1e6);
	else if (rate >= 1e3 && fmod(rate, 1e3) == 0)
		snprintf(buf, n, "%.0fK", rate / 1e3);
	else
		snprintf(buf, n, "%.0f", rate);
	return buf;
}

/* ---- gathering over rounds ------------------------------------------------- */
static const struct rbb_result *res_at(const struct rbb_report *rep, unsigned r, size_t i)
{
	return &rep->res[r * rep->ncfg + i];
}

static double value(const struct rbb_report *rep, unsigned r, size_t i, int metric)
{
	const struct rbb_result *x = res_at(rep, r, i);

	return x->valid ? x->m[metric] : NAN;
}

/*
 * A quantity taken in every round and then summarized (min/median/max over
 * rounds): ratios and differences are formed within a round, where the two
 * configurations ran minutes apart at most, not across rounds.
 */
enum rq_op {
	RQ_VALUE,      /* metric ma of configuration a */
	RQ_CLEAN,      /* the same, but only from rounds without drops (see clean()) */
	RQ_RATIO,      /* a's ma / b's ma */
	RQ_DIFF,       /* a's ma - b's ma */
	RQ_SUM,        /* a's ma + a's mb */
	RQ_WAKE_COST,  /* consumer us per extra wakeup of a over b */
	RQ_E2E,        /* end-to-end variant a, field ma */
	RQ_E2E_OVER,   /* variant a's us/exec - untraced's */
	RQ_E2E_CPU,    /* variant a's tracer CPU / the default ringbuf variant's */
};
struct rq {
	enum rq_op op;
	long a, b;
	int ma, mb;
};

enum { E2E_US, E2E_CPU, E2E_EVENTS, E2E_LOST, E2E_EXPECTED };

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

/*
 * Over RBB_DROP_MAX % dropped, a run's per-event figures mix cheap failed
 * reservations with real sends (and its rate counts them): such a round is
 * left out of a comparison.
 */
#define RBB_DROP_MAX 1.0

static bool clean(const struct rbb_report *rep, unsigned r, long i)
{
	return !(value(rep, r, i, RBB_M_DROP_PCT) > RBB_DROP_MAX);
}

static double rq_round(const struct rbb_report *rep, unsigned r, const struct rq *q)
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

static void over_rounds(const struct rbb_report *rep, struct rq q, struct bs_summary *s)
{
	double v[100];
	unsigned n = rep->rounds < 100 ? rep->rounds : 100;

	for (unsigned r = 0; r < n; r++)
		v[r] = rq_round(rep, r, &q);
	bs_summarize(v, n, s);
}

static void summarize(const struct rbb_report *rep, size_t i, int metric, struct bs_summary *s)
{
	over_rounds(rep, (struct rq){ RQ_VALUE, (long)i, -1, metric, 0 }, s);
}

static bool balanced(const struct rbb_report *rep, size_t i, unsigned *valid)
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

static bool same_point(const struct rbb_config *a, const struct rbb_config *b)
{
	return a->transport == b->transport && a->policy == b->policy && a->every == b->every &&
	       a->size == b->size && a->producers == b->producers && a->batch == b->batch &&
	       a->rate == b->rate && a->ringbuf == b->ringbuf;
}

static long find(const struct rbb_report *rep, const struct rbb_config *key)
{
	for (size_t i = 0; i < rep->ncfg; i++)
		if (same_point(&rep->cfg[i], key))
			return (long)i;
	return -1;
}

/* ---- ratios ---------------------------------------------------------------------- */
struct ratio {
	const char *section;
	char row[40];
	const char *col;
	int prec;
	struct bs_summary s;
};

struct ratios {
	struct ratio v[512];
	size_t n;
};

static void put_ratio(struct ratios *rs, const char *section, const char *row, const char *col,
		      int prec, const struct bs_summary *s)
{
	struct ratio *x;

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
static void transport_ratios(const struct rbb_report *rep, struct ratios *rs,
			     const char *section, const char *row, struct rbb_config key)
{
	for (size_t k = 0; k < sizeof(transport_cmps) / sizeof(transport_cmps[0]); k++) {
		const struct transport_cmp *c = &transport_cmps[k];
		struct bs_summary s;
		long ia, ib;

		key.transport = c->a;
		ia = find(rep, &key);
		key.transport = c->b;
		ib = find(rep, &key);
		if (ia < 0 || ib < 0)
			continue;
		over_rounds(rep, (struct rq){ c->diff ? RQ_DIFF : RQ_RATIO, ia, ib, c->metric, 0 }, &s);
		put_ratio(rs, section, row, c->col, c->prec, &s);
	}
}

static void policy_ratios(const struct rbb_report *rep, struct ratios *rs)
{
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		struct rbb_config key = *c;
		struct bs_summary s;
		char row[40], pb[24];
		long ib, in;

		if (strcmp(c->group, "policy") && strcmp(c->group, "custom"))
			continue;
		if (c->policy == RBB_W_BATCH || c->transport == RBB_T_NONE)
			continue;
		key.policy = RBB_W_BATCH;
		key.every = 0;
		ib = find(rep, &key);
		key.policy = RBB_W_NOWAKE;
		in = find(rep, &key);
		snprintf(row, sizeof(row), "%s %s", rbb_transport_name(c->transport),
			 rbb_policy_name(c, pb, sizeof(pb)));
		if (ib >= 0) {
			over_rounds(rep, (struct rq){ RQ_RATIO, i, ib, RBB_M_BPF_NS, 0 }, &s);
			put_ratio(rs, "policy", row, "bpf_ns/ev vs batch", 2, &s);
			over_rounds(rep, (struct rq){ RQ_RATIO, i, ib, RBB_M_CONS_NS, 0 }, &s);
			put_ratio(rs, "policy", row, "cons_ns/ev vs batch", 2, &s);
			over_rounds(rep, (struct rq){ RQ_RATIO, i, ib, RBB_M_PROD_EPS, 0 }, &s);
			put_ratio(rs, "policy", row, "prod ev/s vs batch", 2, &s);
		}
		if (in >= 0 && c->policy != RBB_W_NOWAKE) {
			over_rounds(rep, (struct rq){ RQ_WAKE_COST, (long)i, in, RBB_M_WAKE_K, 0 }, &s);
			put_ratio(rs, "policy", row, "cons us/wakeup", 1, &s);
		}
	}
}

static void cpu_ratios(const struct rbb_report *rep, struct ratios *rs)
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
		i1 = find(rep, &key);
		if (i1 < 0)
			continue;
		snprintf(row, sizeof(row), "%s %uB P%u", rbb_transport_name(c->transport), c->size,
			 c->producers);
		over_rounds(rep, (struct rq){ RQ_RATIO, i, i1, RBB_M_PROD_EPS, 0 }, &s);
		put_ratio(rs, "cpus", row, "ev/s vs P1", 2, &s);
		over_rounds(rep, (struct rq){ RQ_RATIO, i, i1, RBB_M_BPF_NS, 0 }, &s);
		put_ratio(rs, "cpus", row, "bpf_ns/ev vs P1", 2, &s);
	}
}

static void all_ratios(const struct rbb_report *rep, struct ratios *rs)
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
				 c->size, c->producers, c->batch, rate_name(c->rate, rb, sizeof(rb)));
		transport_ratios(rep, rs, section, row, *c);
	}
	policy_ratios(rep, rs);
	cpu_ratios(rep, rs);
}

static const char *section_title(const char *s)
{
	if (!strcmp(s, "size"))
		return "Copy vs zero-copy by event size (batch policy, 1 producer, 64 events per call)";
	if (!strcmp(s, "syscall"))
		return "Copy vs zero-copy, one event per syscall (64 B, 1 producer)";
	if (!strcmp(s, "paced"))
		return "Copy vs zero-copy at the paced rate";
	if (!strcmp(s, "policy"))
		return "Wakeup policies against tracekit's batch policy (64 B, 1 producer, 64 per call)";
	if (!strcmp(s, "cpus"))
		return "All CPUs producing against one";
	return s;
}

static void print_ratios(FILE *f, const struct ratios *rs, unsigned rounds)
{
	const char *done[16];
	size_t ndone = 0;

	if (rs->n)
		fprintf(f, "\nRatios within each round: median (min..max) over rounds; a round where "
			"either side dropped over %.0f %% of its events is left out\n(* marks a "
			"figure from fewer than all rounds)\n", RBB_DROP_MAX);
	for (size_t i = 0; i < rs->n; i++) {
		const char *sec = rs->v[i].section, *cols[16], *rows[64];
		size_t ncols = 0, nrows = 0;
		bool seen = false;

		for (size_t d = 0; d < ndone; d++)
			seen |= !strcmp(done[d], sec);
		if (seen || ndone == 16)
			continue;
		done[ndone++] = sec;
		for (size_t j = i; j < rs->n; j++) {
			bool have_c = false, have_r = false;

			if (strcmp(rs->v[j].section, sec))
				continue;
			for (size_t k = 0; k < ncols; k++)
				have_c |= !strcmp(cols[k], rs->v[j].col);
			for (size_t k = 0; k < nrows; k++)
				have_r |= !strcmp(rows[k], rs->v[j].row);
			if (!have_c && ncols < 16)
				cols[ncols++] = rs->v[j].col;
			if (!have_r && nrows < 64)
				rows[nrows++] = rs->v[j].row;
		}
		fprintf(f, "\n%s\n%-18s", section_title(sec), "");
		for (size_t k = 0; k < ncols; k++)
			fprintf(f, " %22s", cols[k]);
		fputc('\n', f);
		for (size_t r = 0; r < nrows; r++) {
			fprintf(f, "%-18s", rows[r]);
			for (size_t k = 0; k < ncols; k++) {
				const struct ratio *x = NULL;
				char cell[96] = "-", a[24], b[24], c[24];

				for (size_t j = i; j < rs->n && !x; j++)
					if (!strcmp(rs->v[j].section, sec) &&
					    !strcmp(rs->v[j].row, rows[r]) &&
					    !strcmp(rs->v[j].col, cols[k]))
						x = &rs->v[j];
				if (x && x->s.n)
					snprintf(cell, sizeof(cell), "%s (%s..%s)%s",
						 num(a, sizeof(a), x->s.median, x->prec),
						 num(b, sizeof(b), x->s.min, x->prec),
						 num(c, sizeof(c), x->s.max, x->prec),
						 x->s.n < rounds ? "*" : "");
				fprintf(f, " %22s", cell);
			}
			fputc('\n', f);
		}
	}
}

/* ---- the main table ------------------------------------------------------------- */
enum { C_GROUP, C_TRANSPORT, C_WAKEUP, C_SIZE, C_PROD, C_BATCH, C_RATE, C_RING, C__CONFIG };
static const struct tk_col config_cols[C__CONFIG] = {
	{ "group", -7 }, { "transport", -9 }, { "wakeup", -8 }, { "size", 4 },
	{ "P", 2 }, { "ev/call", 7 }, { "rate", 5 }, { "ring", 4 },
};

static const char *ring_name(unsigned long long bytes, char *buf, size_t n)
{
	if (bytes >= (1ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
		snprintf(buf, n, "%lluM", bytes >> 20);
	else
		snprintf(buf, n, "%lluK", bytes >> 10);
	return buf;
}

static void print_table(FILE *f, const struct rbb_report *rep)
{
	struct tk_out out = { .f = f };
	struct tk_col cols[C__CONFIG + RBB_M__COUNT + 2];
	int n = 0;

	for (int i = 0; i < C__CONFIG; i++)
		cols[n++] = config_cols[i];
	for (int m = 0; m < RBB_M__COUNT; m++) {
		cols[n++] = (struct tk_col){ metrics[m].head, metrics[m].width };
		if (m == RBB_M_BPF_NS)
			cols[n++] = (struct tk_col){ "bpf+-", 5 };
	}
	cols[n++] = (struct tk_col){ "ok", 3 };
	tk_table_begin(&out, "Medians over rounds (bpf+-: half the min..max range of bpf_ns)", cols,
		       n);
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		char buf[C__CONFIG + RBB_M__COUNT + 2][24];
		struct tk_cell cells[C__CONFIG + RBB_M__COUNT + 2];
		unsigned valid;
		bool ok = balanced(rep, i, &valid);
		int k = 0;

		cells[k++] = (struct tk_cell){ .s = c->group };
		cells[k++] = (struct tk_cell){ .s = rbb_transport_name(c->transport) };
		cells[k] = (struct tk_cell){ .s = rbb_policy_name(c, buf[k], sizeof(buf[k])) };
		k++;
		snprintf(buf[k], sizeof(buf[k]), "%u", c->size);
		cells[k] = (struct tk_cell){ .s = buf[k] };
		k++;
		snprintf(buf[k], sizeof(buf[k]), "%u", c->producers);
		cells[k] = (struct tk_cell){ .s = buf[k] };
		k++;
		snprintf(buf[k], sizeof(buf[k]), "%u", c->batch);
		cells[k] = (struct tk_cell){ .s = buf[k] };
		k++;
		cells[k] = (struct tk_cell){ .s = rate_name(c->rate, buf[k], sizeof(buf[k])) };
		k++;
		cells[k] = (struct tk_cell){ .s = ring_name(c->ringbuf, buf[k], sizeof(buf[k])) };
		k++;
		for (int m = 0; m < RBB_M__COUNT; m++) {
			struct bs_summary s;

			summarize(rep, i, m, &s);
			cells[k] = (struct tk_cell){ .s = num(buf[k], sizeof(buf[k]),
							      s.median * metrics[m].scale,
							      metrics[m].prec) };
			k++;
			if (m == RBB_M_BPF_NS) {
				cells[k] = (struct tk_cell){ .s = num(buf[k], sizeof(buf[k]),
								      (s.max - s.min) / 2, 1) };
				k++;
			}
		}
		cells[k++] = (struct tk_cell){ .s = !valid ? "-" : ok ? "yes" : "NO" };
		tk_table_row(&out, NULL, cols, cells, k);
	}
}

/* ---- end-to-end ----------------------------------------------------------------- */
static void print_e2e(FILE *f, const struct rbb_report *rep)
{
	fprintf(f, "\nEnd to end: proctrace -c <comm> under %u fork+exec+wait of /bin/true "
		"(2 events each), per round; tracer CPU is proctrace's own\n", rep->o->execs);
	fprintf(f, "%-13s %22s %22s %20s %11s %7s\n", "variant", "us/exec (min..max)",
		"overhead us/exec", "tracer CPU us/exec", "events", "lost");
	for (int v = 0; v < RBB_E2E__COUNT; v++) {
		struct bs_summary w, ov, rel, cpu, ev, lost, exp;
		char a[24], b[24], c[24], cell[96] = "-", cell2[96] = "-", cell3[96] = "-";
		char events[64] = "-";

		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_US, 0 }, &w);
		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_CPU, 0 }, &cpu);
		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_EVENTS, 0 }, &ev);
		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_LOST, 0 }, &lost);
		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_EXPECTED, 0 }, &exp);
		over_rounds(rep, (struct rq){ RQ_E2E_OVER, v, -1, 0, 0 }, &ov);
		over_rounds(rep, (struct rq){ RQ_E2E_CPU, v, -1, 0, 0 }, &rel);
		snprintf(cell, sizeof(cell), "%s (%s..%s)", num(a, sizeof(a), w.median, 1),
			 num(b, sizeof(b), w.min, 1), num(c, sizeof(c), w.max, 1));
		if (v != RBB_E2E_UNTRACED) {
			snprintf(cell2, sizeof(cell2), "%s (%s..%s)", num(a, sizeof(a), ov.median, 1),
				 num(b, sizeof(b), ov.min, 1), num(c, sizeof(c), ov.max, 1));
			snprintf(cell3, sizeof(cell3), "%s (x%s)", num(a, sizeof(a), cpu.median, 2),
				 num(b, sizeof(b), rel.median, 2));
			snprintf(events, sizeof(events), "%s/%s", num(a, sizeof(a), ev.median, 0),
				 num(b, sizeof(b), exp.median, 0));
		}
		fprintf(f, "%-13s %22s %22s %20s %11s %7s\n", rbb_e2e_names[v], cell, cell2, cell3,
			events, v ? num(a, sizeof(a), lost.median, 0) : "-");
	}
}

void rbb_print_report(FILE *f, const struct rbb_report *rep)
{
	struct ratios *rs = calloc(1, sizeof(*rs));
	struct utsname u;

	uname(&u);
	fprintf(f, "rbbench (tracekit %s) on %s %s, %u CPUs; %u rounds x %zu configurations, "
		"%.2f s windows, drain %u ms; %.0f s\n", TK_VERSION, u.sysname, u.release,
		rep->o->ncpus, rep->rounds, rep->ncfg, rep->o->duration, rep->o->drain_ms,
		rep->elapsed);
	fprintf(f, "Other work may share this machine: absolute numbers are noisy, the ratios "
		"within a round are what to compare.\n"
		"bpf_ns: in-BPF ns per event (bpf_stats: wall time, interrupts taken inside such as "
		"wakeup IPIs included), no-op program subtracted;\nprod_ns: producer thread CPU "
		"per event (syscall share + BPF); "
		"cons_ns: consumer thread CPU per event (one clock_gettime each included: %.0f ns);\n"
		"wake/k: consumer wakeups per 1000 events; p50/p99/max: event to consumer, us; "
		"cpu%%: (BPF + consumer) time / wall time, %% of one CPU; ok: every event the "
		"kernel accepted was consumed;\nring: ring buffer size (the perf buffer gets the "
		"same memory in total, split per CPU).\n", rep->o->clock_ns);
	print_table(f, rep);
	if (rs) {
		all_ratios(rep, rs);
		print_ratios(f, rs, rep->rounds);
	}
	if (rep->e2e)
		print_e2e(f, rep);
	free(rs);
}

/* ---- files ----------------------------------------------------------------------- */
static FILE *open_out(const struct rbb_report *rep, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", rep->o->outdir, name);
	f = fopen(path, "w");
	if (!f)
		tk_fail("cannot write %s: %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const struct rbb_report *rep, const char *name)
{
	if (ferror(f) | fclose(f))
		return tk_fail("writing %s/%s failed", rep->o->outdir, name);
	return 0;
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.6g", v);
	else
		fputs(",", f);
}

static int write_csv(const struct rbb_report *rep)
{
	FILE *f = open_out(rep, "rbbench.csv");
	char pb[24];

	if (!f)
		return 1;
	fprintf(f, "group,transport,wakeup,size,producers,events_per_call,target_eps,ringbuf_bytes,"
		"rounds,balanced");
	for (int m = 0; m < RBB_M__COUNT; m++)
		fprintf(f, ",%s_min,%s_med,%s_max", metrics[m].key, metrics[m].key, metrics[m].key);
	fputc('\n', f);
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		unsigned valid;
		bool ok = balanced(rep, i, &valid);

		fprintf(f, "%s,%s,%s,%u,%u,%u,%.0f,%llu,%u,%d", c->group,
			rbb_transport_name(c->transport), rbb_policy_name(c, pb, sizeof(pb)),
			c->size, c->producers, c->batch, c->rate, c->ringbuf, valid, valid && ok);
		for (int m = 0; m < RBB_M__COUNT; m++) {
			struct bs_summary s;

			summarize(rep, i, m, &s);
			csv_num(f, s.min);
			csv_num(f, s.median);
			csv_num(f, s.max);
		}
		fputc('\n', f);
	}
	return close_out(f, rep, "rbbench.csv");
}

static int write_e2e_csv(const struct rbb_report *rep)
{
	static const char *const what[] = { "us_per_exec", "tracer_cpu_us_per_exec", "events",
					    "lost", "expected" };
	FILE *f = open_out(rep, "rbbench-e2e.csv");

	if (!f)
		return 1;
	fprintf(f, "variant,execs");
	for (int w = 0; w < 5; w++)
		fprintf(f, ",%s_min,%s_med,%s_max", what[w], what[w], what[w]);
	fprintf(f, ",overhead_us_min,overhead_us_med,overhead_us_max\n");
	for (int v = 0; v < RBB_E2E__COUNT; v++) {
		struct bs_summary s;

		fprintf(f, "%s,%u", rbb_e2e_names[v], rep->o->execs);
		for (int w = 0; w < 5; w++) {
			over_rounds(rep, (struct rq){ RQ_E2E, v, -1, w, 0 }, &s);
			csv_num(f, s.min);
			csv_num(f, s.median);
			csv_num(f, s.max);
		}
		over_rounds(rep, (struct rq){ RQ_E2E_OVER, v, -1, 0, 0 }, &s);
		csv_num(f, v ? s.min : NAN);
		csv_num(f, v ? s.median : NAN);
		csv_num(f, v ? s.max : NAN);
		fputc('\n', f);
	}
	return close_out(f, rep, "rbbench-e2e.csv");
}

static int write_jsonl(const struct rbb_report *rep)
{
	FILE *f = open_out(rep, "rbbench.jsonl");
	struct tk_out out = { .f = f, .json = true };
	struct ratios *rs = calloc(1, sizeof(*rs));
	char pb[24];
	int rc;

	if (!f || !rs) {
		if (f)
			fclose(f);
		free(rs);
		return 1;
	}
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		static const char *const sfx[] = { "min", "med", "max" };
		struct tk_col cols[10 + 3 * RBB_M__COUNT];
		struct tk_cell cells[10 + 3 * RBB_M__COUNT];
		char names[3 * RBB_M__COUNT][32];
		unsigned valid;
		bool ok = balanced(rep, i, &valid);
		int k = 0;

		cols[k] = (struct tk_col){ "group", 0 };
		cells[k++] = (struct tk_cell){ .s = c->group };
		cols[k] = (struct tk_col){ "transport", 0 };
		cells[k++] = (struct tk_cell){ .s = rbb_transport_name(c->transport) };
		cols[k] = (struct tk_col){ "wakeup", 0 };
		cells[k++] = (struct tk_cell){ .s = rbb_policy_name(c, pb, sizeof(pb)) };
		cols[k] = (struct tk_col){ "size", 0 };
		cells[k++] = (struct tk_cell){ .num = c->size, .integer = true };
		cols[k] = (struct tk_col){ "producers", 0 };
		cells[k++] = (struct tk_cell){ .num = c->producers, .integer = true };
		cols[k] = (struct tk_col){ "events_per_call", 0 };
		cells[k++] = (struct tk_cell){ .num = c->batch, .integer = true };
		cols[k] = (struct tk_col){ "target_eps", 0 };
		cells[k++] = (struct tk_cell){ .num = c->rate, .integer = true };
		cols[k] = (struct tk_col){ "ringbuf_bytes", 0 };
		cells[k++] = (struct tk_cell){ .num = (double)c->ringbuf, .integer = true };
		cols[k] = (struct tk_col){ "rounds", 0 };
		cells[k++] = (struct tk_cell){ .num = valid, .integer = true };
		cols[k] = (struct tk_col){ "balanced", 0 };
		cells[k++] = (struct tk_cell){ .s = valid && ok ? "yes" : "no" };
		for (int m = 0; m < RBB_M__COUNT; m++) {
			struct bs_summary s;
			double v[3];

			summarize(rep, i, m, &s);
			v[0] = s.min;
			v[1] = s.median;
			v[2] = s.max;
			for (int j = 0; j < 3; j++) {
				snprintf(names[3 * m + j], sizeof(names[0]), "%s_%s", metrics[m].key,
					 sfx[j]);
				cols[k] = (struct tk_col){ names[3 * m + j], 0 };
				cells[k++] = (struct tk_cell){ .num = v[j] };
			}
		}
		tk_table_row(&out, "rbbench", cols, cells, k);
	}
	all_ratios(rep, rs);
	for (size_t i = 0; i < rs->n; i++) {
		const struct ratio *x = &rs->v[i];
		const struct tk_col cols[] = { { "section", 0 }, { "row", 0 }, { "column", 0 },
					       { "min", 0 }, { "med", 0 }, { "max", 0 },
					       { "rounds", 0 } };
		const struct tk_cell cells[] = { { .s = x->section }, { .s = x->row },
						 { .s = x->col }, { .num = x->s.min },
						 { .num = x->s.median }, { .num = x->s.max },
						 { .num = x->s.n, .integer = true } };

		tk_table_row(&out, "rbbench_ratio", cols, cells, 7);
	}
	for (int v = 0; rep->e2e && v < RBB_E2E__COUNT; v++) {
		struct bs_summary w, cpu, ev, lost, ov;
		const struct tk_col cols[] = { { "variant", 0 }, { "execs", 0 },
					       { "us_per_exec_med", 0 }, { "us_per_exec_min", 0 },
					       { "us_per_exec_max", 0 }, { "overhead_us_med", 0 },
					       { "tracer_cpu_us_per_exec_med", 0 },
					       { "events_med", 0 }, { "lost_med", 0 } };

		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_US, 0 }, &w);
		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_CPU, 0 }, &cpu);
		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_EVENTS, 0 }, &ev);
		over_rounds(rep, (struct rq){ RQ_E2E, v, -1, E2E_LOST, 0 }, &lost);
		over_rounds(rep, (struct rq){ RQ_E2E_OVER, v, -1, 0, 0 }, &ov);
		{
			const struct tk_cell cells[] = {
				{ .s = rbb_e2e_names[v] },
				{ .num = rep->o->execs, .integer = true },
				{ .num = w.median }, { .num = w.min }, { .num = w.max },
				{ .num = v ? ov.median : NAN }, { .num = cpu.median },
				{ .num = ev.median, .integer = true },
				{ .num = lost.median, .integer = true },
			};

			tk_table_row(&out, "rbbench_e2e", cols, cells, 9);
		}
	}
	free(rs);
	rc = close_out(f, rep, "rbbench.jsonl");
	return rc;
}

/* ---- the chart --------------------------------------------------------------------- */
static const int chart_transports[] = { RBB_T_PERF, RBB_T_OUTPUT, RBB_T_RESERVE, RBB_T_DYNPTR,
					RBB_T_NONE };
static const char *const chart_labels[] = { "perf(copy)", "output(copy)", "reserve(zero-copy)",
					    "dynptr(zero-copy)", "none(build-only)" };
#define NCHART (sizeof(chart_transports) / sizeof(chart_transports[0]))

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

static bool size_point(const struct rbb_report *rep, size_t i)
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

/*
 * One block per transport that has points: size, bpf_ns med/min/max,
 * produced M ev/s med/min/max. names gets the blocks' labels.
 */
static int write_chart_data(const struct rbb_report *rep, char *names, size_t len,
			    size_t *blocks, unsigned long long *ring)
{
	FILE *f = open_out(rep, "rbbench-chart.dat");

	*blocks = 0;
	names[0] = 0;
	if (!f)
		return 1;
	for (size_t t = 0; t < NCHART; t++) {
		size_t points = 0;

		for (size_t i = 0; i < rep->ncfg; i++) {
			const struct rbb_config *c = &rep->cfg[i];
			struct bs_summary ns, eps;

			if (c->transport != chart_transports[t] || !size_point(rep, i))
				continue;
			/* as in the ratios: rounds with drops would flatter the cost */
			over_rounds(rep, (struct rq){ RQ_CLEAN, (long)i, -1, RBB_M_BPF_NS, 0 }, &ns);
			over_rounds(rep, (struct rq){ RQ_CLEAN, (long)i, -1, RBB_M_PROD_EPS, 0 }, &eps);
			if (!ns.n || !eps.n)
				continue;
			if (!points++)
				fprintf(f, "# %s\n", rbb_transport_name(c->transport));
			*ring = c->ringbuf;
			fprintf(f, "%u %.3f %.3f %.3f %.6f %.6f %.6f\n", c->size, ns.median, ns.min,
				ns.max, eps.median / 1e6, eps.min / 1e6, eps.max / 1e6);
		}
		if (points) {
			fprintf(f, "\n\n");
			snprintf(names + strlen(names), len - strlen(names), "%s%s",
				 *blocks ? " " : "", chart_labels[t]);
			(*blocks)++;
		}
	}
	return close_out(f, rep, "rbbench-chart.dat");
}

/*
 * CPU per event, BPF + consumer, by wakeup policy (rows) and transport
 * (columns, those with points), 64 B, 1 producer, 64 per call.
 */
static int write_policy_data(const struct rbb_report *rep, char *names, size_t len,
			     size_t *columns)
{
	static const struct { int policy; unsigned every; } pol[] = {
		{ RBB_W_EVENT, 0 }, { RBB_W_EVERY, 1 }, { RBB_W_EVERY, 64 },
		{ RBB_W_NOWAKE, 0 }, { RBB_W_BATCH, 0 },
	};
	const size_t npol = sizeof(pol) / sizeof(pol[0]);
	double v[NCHART][sizeof(pol) / sizeof(pol[0])];
	bool have[NCHART] = { false };
	FILE *f;

	*columns = 0;
	names[0] = 0;
	for (size_t t = 0; t < NCHART - 1; t++) {
		for (size_t p = 0; p < npol; p++) {
			struct rbb_config key = { .transport = chart_transports[t],
						  .policy = pol[p].policy, .every = pol[p].every,
						  .size = 64, .producers = 1, .batch = 64,
						  .ringbuf = rep->o->ringbuf_size };
			struct bs_summary s = { .n = 0 };
			long i = find(rep, &key);

			if (i >= 0)
				over_rounds(rep, (struct rq){ RQ_SUM, i, -1, RBB_M_BPF_NS, RBB_M_CONS_NS }, &s);
			v[t][p] = s.n ? s.median : NAN;
			have[t] |= s.n > 0;
		}
		if (have[t]) {
			snprintf(names + strlen(names), len - strlen(names), "%s%s",
				 *columns ? " " : "", chart_labels[t]);
			(*columns)++;
		}
	}
	f = open_out(rep, "rbbench-policy.dat");
	if (!f)
		return 1;
	fprintf(f, "policy");
	for (size_t t = 0; t < NCHART - 1; t++)
		if (have[t])
			fprintf(f, " %s", rbb_transport_name(chart_transports[t]));
	fputc('\n', f);
	for (size_t p = 0; p < npol; p++) {
		struct rbb_config key = { .policy = pol[p].policy, .every = pol[p].every };
		char pb[24];

		fprintf(f, "%s", rbb_policy_name(&key, pb, sizeof(pb)));
		for (size_t t = 0; t < NCHART - 1; t++)
			if (have[t])
				fprintf(f, isfinite(v[t][p]) ? " %.1f" : " -", v[t][p]);
		fputc('\n', f);
	}
	return close_out(f, rep, "rbbench-policy.dat");
}

static int write_chart(const struct rbb_report *rep)
{
	char names[256], pnames[256], rb[24], prb[24];
	unsigned long long ring = 0;
	size_t blocks, columns;
	struct utsname u;
	FILE *f;
	pid_t pid;
	int status;

	if (write_chart_data(rep, names, sizeof(names), &blocks, &ring) ||
	    write_policy_data(rep, pnames, sizeof(pnames), &columns))
		return 1;
	if (!blocks) {
		fprintf(stderr, "rbbench: no point of the size sweep (batch, -P 1, -b 64, flat out) "
			"in this matrix: no chart\n");
		return 0;
	}
	f = open_out(rep, "rbbench.gp");
	if (!f)
		return 1;
	uname(&u);
	fprintf(f,
		"# gnuplot script written by rbbench: gnuplot rbbench.gp (in this directory)\n"
		"set terminal pngcairo size %d,600 font ',10' noenhanced\n"
		"set output 'rbbench.png'\n"
		"set datafile missing '-'\n"
		"names = '%s'\n"
		"set multiplot layout 1,%d title 'rbbench, Linux %s, %u CPUs, median of %u rounds "
		"(bars: min..max; rounds with over 1%% dropped left out); shared machine, compare "
		"within a panel'\n"
		"set logscale x 2\n"
		"set xrange [12:5600]\n"
		"set xtics ('16' 16, '32' 32, '64' 64, '256' 256, '1K' 1024, '4K' 4096)\n"
		"set xlabel 'event size (bytes); batch policy, 1 producer, 64 events per getpgid(), "
		"%s ring'\n"
		"set grid\n"
		"set key top left\n"
		"set logscale y\n"
		"set ylabel 'in-BPF ns per event (no-op program subtracted)'\n"
		"plot for [i=0:%zu] 'rbbench-chart.dat' index i using 1:2:3:4 "
		"with yerrorlines lw 2 title word(names, i+1)\n"
		"set ylabel 'events produced per second (millions)'\n"
		"set key bottom left\n"
		"plot for [i=0:%zu] 'rbbench-chart.dat' index i using 1:5:6:7 "
		"with yerrorlines lw 2 title word(names, i+1)\n",
		columns ? 1800 : 1400, names, columns ? 3 : 2, u.release, rep->o->ncpus, rep->rounds,
		ring_name(ring, rb, sizeof(rb)), blocks - 1, blocks - 1);
	if (columns)
		fprintf(f,
			"unset logscale x\n"
			"set xrange [-0.6:4.6]\n" /* the five policies: clusters at 0..4 */
			"set xtics auto\n"
			"set xlabel 'wakeup policy; 64 B, 1 producer, 64 events per getpgid(), %s ring'\n"
			"set ylabel 'CPU ns per event: in BPF + consumer thread'\n"
			"set yrange [10:*]\n"
			"set key top right\n"
			"set style data histograms\n"
			"set style histogram clustered gap 1\n"
			"set style fill solid 0.8 border -1\n"
			"set key autotitle columnheader\n"
			"pnames = '%s'\n"
			"plot for [i=2:%zu] 'rbbench-policy.dat' using i:xtic(1) "
			"title word(pnames, i-1)\n",
			ring_name(rep->o->ringbuf_size, prb, sizeof(prb)), pnames, columns + 1);
	fprintf(f, "unset multiplot\n");
	if (close_out(f, rep, "rbbench.gp"))
		return 1;
	pid = fork();
	if (pid < 0)
		return tk_fail("cannot run gnuplot: %s", strerror(errno));
	if (pid == 0) {
		if (chdir(rep->o->outdir))
			_exit(126);
		execlp("gnuplot", "gnuplot", "rbbench.gp", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return tk_fail("gnuplot failed");
	if (WEXITSTATUS(status) == 127)
		return tk_fail("cannot draw the chart: gnuplot not found (apt-get install "
			       "gnuplot-nox, or make deps)");
	if (WEXITSTATUS(status))
		return tk_fail("gnuplot failed on %s/rbbench.gp", rep->o->outdir);
	return 0;
}

int rbb_write_files(const struct rbb_report *rep)
{
	FILE *f = open_out(rep, "rbbench.txt");
	int rc = 0;

	if (!f)
		return 1;
	rbb_print_report(f, rep);
	rc |= close_out(f, rep, "rbbench.txt");
	rc |= write_csv(rep);
	rc |= write_jsonl(rep);
	if (rep->e2e)
		rc |= write_e2e_csv(rep);
	rc |= write_chart(rep);
	if (!rc)
		fprintf(stderr, "rbbench: wrote %s/rbbench.{txt,csv,jsonl,png}%s\n", rep->o->outdir,
			rep->e2e ? " and rbbench-e2e.csv" : "");
	return rc ? 1 : 0;
}
