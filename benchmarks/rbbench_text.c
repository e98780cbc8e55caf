// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's text writer (rbbench_write.h): the table (medians over rounds),
 * the ratios taken within each round (what a shared, noisy machine can
 * still tell) and the end-to-end row.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "tk.h"
#include "rbbench_write.h"

static const char *num(char *buf, size_t n, double v, int prec)
{
	if (!isfinite(v))
		return "-";
	if (prec < 0)
		prec = fabs(v) < 10 ? 2 : fabs(v) < 100 ? 1 : 0;
	snprintf(buf, n, "%.*f", prec, v);
	return buf;
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

static void print_ratios(FILE *f, const struct rbb_ratios *rs, unsigned rounds)
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
				const struct rbb_ratio *x = NULL;
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

enum { C_GROUP, C_TRANSPORT, C_WAKEUP, C_SIZE, C_PROD, C_BATCH, C_RATE, C_RING, C__CONFIG };
static const struct tk_col config_cols[C__CONFIG] = {
	{ "group", -7 }, { "transport", -9 }, { "wakeup", -8 }, { "size", 4 },
	{ "P", 2 }, { "ev/call", 7 }, { "rate", 5 }, { "ring", 4 },
};

static void print_table(FILE *f, const struct rbb_report *rep)
{
	struct tk_out out = { .f = f };
	struct tk_col cols[C__CONFIG + RBB_M__COUNT + 2];
	int n = 0;

	for (int i = 0; i < C__CONFIG; i++)
		cols[n++] = config_cols[i];
	for (int m = 0; m < RBB_M__COUNT; m++) {
		cols[n++] = (struct tk_col){ rbb_metrics[m].head, rbb_metrics[m].width };
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
		bool ok = rbb_balanced(rep, i, &valid);
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
		cells[k] = (struct tk_cell){ .s = rbb_rate_name(c->rate, buf[k], sizeof(buf[k])) };
		k++;
		cells[k] = (struct tk_cell){ .s = rbb_ring_name(c->ringbuf, buf[k], sizeof(buf[k])) };
		k++;
		for (int m = 0; m < RBB_M__COUNT; m++) {
			struct bs_summary s;

			rbb_summarize(rep, i, m, &s);
			cells[k] = (struct tk_cell){ .s = num(buf[k], sizeof(buf[k]),
							      s.median * rbb_metrics[m].scale,
							      rbb_metrics[m].prec) };
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

		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_US, 0 }, &w);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_CPU, 0 }, &cpu);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_EVENTS, 0 }, &ev);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_LOST, 0 }, &lost);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_EXPECTED, 0 }, &exp);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E_OVER, v, -1, 0, 0 }, &ov);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E_CPU, v, -1, 0, 0 }, &rel);
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

/*
 * The latency group: by policy and rate, latency and wakeups/s (medians
 * over rounds), produced/received/lost (every round's whole run), and the
 * targets of the flood row: <= 2000 wakeups/s, received + lost == produced.
 */
static void print_latency(FILE *f, const struct rbb_report *rep)
{
	size_t *idx = calloc(rep->ncfg ? rep->ncfg : 1, sizeof(*idx));
	size_t n = idx ? rbb_latency_points(rep, idx) : 0;
	bool any = false;

	for (size_t k = 0; k < n; k++) {
		size_t i = idx[k];
		const struct rbb_config *c = &rep->cfg[i];
		unsigned long long prod, recv, lost;
		struct bs_summary p50, p99, max, wake;
		char a[24], b[24], d[24], e[24], pb[24], rb[24];
		bool flood = c->rate >= 1e6 && c->policy == RBB_W_BOUNDED;

		if (!any)
			fprintf(f, "\nDelivery latency by wakeup policy (reserve, %u B, 1 producer; "
				"medians over rounds; produced/received/lost: all rounds, whole runs)\n"
				"%-8s %5s %8s %8s %8s %8s %12s %12s %8s\n", c->size, "wakeup",
				"rate", "p50_us", "p99_us", "max_us", "wake/s", "produced",
				"received", "lost");
		any = true;
		rbb_counts(rep, i, &prod, &recv, &lost);
		rbb_summarize(rep, i, RBB_M_LAT_P50, &p50);
		rbb_summarize(rep, i, RBB_M_LAT_P99, &p99);
		rbb_summarize(rep, i, RBB_M_LAT_MAX, &max);
		rbb_summarize(rep, i, RBB_M_WAKE_S, &wake);
		fprintf(f, "%-8s %5s %8s %8s %8s %8s %12llu %12llu %8llu\n",
			rbb_policy_name(c, pb, sizeof(pb)), rbb_rate_name(c->rate, rb, sizeof(rb)),
			num(a, sizeof(a), p50.median, 0), num(b, sizeof(b), p99.median, 0),
			num(d, sizeof(d), max.median, 0), num(e, sizeof(e), wake.median, 0), prod,
			recv, lost);
		if (flood)
			fprintf(f, "  flood target: wakeups/s %s <= 2000: %s; received + lost == "
				"produced: %llu + %llu == %llu: %s\n", num(e, sizeof(e), wake.median, 0),
				wake.median <= 2000 ? "met" : "NOT met", recv, lost, prod,
				recv + lost == prod ? "yes" : "NO");
	}
	free(idx);
}

/* p (0..100) of one pipe row's pooled latencies, us; NaN without any */
static double pipe_pct(const struct rbb_pipe_result *p, double pct)
{
	return p->lat.count ? bs_hist_percentile(&p->lat, pct) / 1e3 : NAN;
}

/*
 * The reader-on-a-pipe check; the target: p99 <= 1 ms with the default.
 * The relay row is the baseline the verdict is read against: no tracer,
 * the same two wakeups and pipe, the same load, the same run. Not a strict
 * floor: its stamp is taken just before the exec, the tracer's at its end.
 */
static void print_pipe(FILE *f, const struct rbb_report *rep)
{
	const struct rbb_pipe_result *b = &rep->pipe[RBB_PIPE_BOUNDED];
	const struct rbb_pipe_result *relay = &rep->pipe[RBB_PIPE_RELAY];
	double bp99 = pipe_pct(b, 99), fp99 = pipe_pct(relay, 99);

	fprintf(f, "\nReader on a pipe: proctrace -j -e exec | reader, %d execs/s (one event "
		"every %d ms), %d execs per policy and round, latencies pooled over rounds "
		"(p99/run: the least..greatest of the rounds' own p99s)\n"
		"%-8s %11s %8s %8s %13s %8s %6s\n", RBB_PIPE_RATE, 1000 / RBB_PIPE_RATE,
		RBB_PIPE_EXECS, "wakeup", "records", "p50_us", "p99_us", "p99/run_us", "max_us",
		"lost");
	for (int v = 0; v < RBB_PIPE__COUNT; v++) {
		const struct rbb_pipe_result *p = &rep->pipe[v];
		char a[24], c[24], d[24], lo[24], hi[24], n[48], span[56];

		snprintf(n, sizeof(n), "%.0f/%.0f", p->received, p->expected);
		snprintf(span, sizeof(span), "%s..%s", num(lo, sizeof(lo), p->p99_lo / 1e3, 0),
			 num(hi, sizeof(hi), p->p99_hi / 1e3, 0));
		fprintf(f, "%-8s %11s %8s %8s %13s %8s %6.0f\n", rbb_pipe_names[v], n,
			num(a, sizeof(a), pipe_pct(p, 50), 0), num(c, sizeof(c), pipe_pct(p, 99), 0),
			p->runs ? span : "-",
			num(d, sizeof(d), p->lat.count ? p->lat.max / 1e3 : NAN, 0), p->lost);
	}
	if (b->runs) {
		if (b->reader_slice_why)
			fprintf(f, "  reader: a thread with the default scheduler slice (%.0f us: %s)\n",
				b->reader_slice_ns / 1e3, b->reader_slice_why);
		else
			fprintf(f, "  reader: a thread with a %.0f us scheduler slice, as proctrace's "
				"consumer (sched_setattr); a reader with the default slice can wait up "
				"to a slice of its own behind a running task\n",
				b->reader_slice_ns / 1e3);
		fprintf(f, "  relay: no tracer; each child posts its timestamp just before its exec "
			"(shared memory and an eventfd), a process with the same slice writes the line: "
			"the two wakeups and the pipe alone\n");
	}
	if (!b->lat.count)
		return;
	fprintf(f, "  target: p99 <= 1000 us with the default policy: %s (%.0f us)\n",
		bp99 <= 1000 ? "met" : "NOT met", bp99);
	if (!relay->lat.count)
		return;
	fprintf(f, "  baseline: relay (no tracer) p99 %.0f us in this run; bounded's p99 is %.2fx it%s\n",
		fp99, bp99 / fp99,
		bp99 <= 1000 ? ""
		: fp99 > 1000 ? "; the path without a tracer is above the target too"
			      : "; the path without a tracer is under the target: the tracer's tail");
}

void rbb_print_report(FILE *f, const struct rbb_report *rep)
{
	struct rbb_ratios *rs = calloc(1, sizeof(*rs));
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
		"wake/k: consumer wakeups with data per 1000 events; wake/s: consumer wakeups per second (its voluntary context switches: timer drains too); p50/p99/max: event to consumer, us; "
		"cpu%%: (BPF + consumer) time / wall time, %% of one CPU; ok: every event the "
		"kernel accepted was consumed;\nring: ring buffer size (the perf buffer gets the "
		"same memory in total, split per CPU).\n", rep->o->clock_ns);
	print_table(f, rep);
	if (rs) {
		rbb_all_ratios(rep, rs);
		print_ratios(f, rs, rep->rounds);
	}
	print_latency(f, rep);
	if (rep->e2e)
		print_e2e(f, rep);
	if (rep->pipe)
		print_pipe(f, rep);
	free(rs);
}
int rbb_write_text(const struct rbb_report *rep)
{
	FILE *f = rbb_open_out(rep, "rbbench.txt");

	if (!f)
		return 1;
	rbb_print_report(f, rep);
	return rbb_close_out(f, rep, "rbbench.txt");
}
