// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's JSON Lines writer (rbbench_write.h): rbbench.jsonl, through
 * libtk's table rows: one "rbbench" record per configuration, one
 * "rbbench_ratio" per within-round ratio, one "rbbench_e2e" per variant,
 * one "rbbench_pipe" per policy of the reader-on-a-pipe check.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "tk.h"
#include "rbbench_write.h"

int rbb_write_jsonl(const struct rbb_report *rep)
{
	FILE *f = rbb_open_out(rep, "rbbench.jsonl");
	struct tk_out out = { .f = f, .json = true };
	struct rbb_ratios *rs = calloc(1, sizeof(*rs));
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
		struct tk_col cols[13 + 3 * RBB_M__COUNT];
		struct tk_cell cells[13 + 3 * RBB_M__COUNT];
		unsigned long long prod, recv, lost;
		char names[3 * RBB_M__COUNT][32];
		unsigned valid;
		bool ok = rbb_balanced(rep, i, &valid);
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
		rbb_counts(rep, i, &prod, &recv, &lost);
		cols[k] = (struct tk_col){ "produced", 0 };
		cells[k++] = (struct tk_cell){ .num = (double)prod, .integer = true };
		cols[k] = (struct tk_col){ "received", 0 };
		cells[k++] = (struct tk_cell){ .num = (double)recv, .integer = true };
		cols[k] = (struct tk_col){ "lost", 0 };
		cells[k++] = (struct tk_cell){ .num = (double)lost, .integer = true };
		for (int m = 0; m < RBB_M__COUNT; m++) {
			struct bs_summary s;
			double v[3];

			rbb_summarize(rep, i, m, &s);
			v[0] = s.min;
			v[1] = s.median;
			v[2] = s.max;
			for (int j = 0; j < 3; j++) {
				snprintf(names[3 * m + j], sizeof(names[0]), "%s_%s", rbb_metrics[m].key,
					 sfx[j]);
				cols[k] = (struct tk_col){ names[3 * m + j], 0 };
				cells[k++] = (struct tk_cell){ .num = v[j] };
			}
		}
		tk_table_row(&out, "rbbench", cols, cells, k);
	}
	rbb_all_ratios(rep, rs);
	for (size_t i = 0; i < rs->n; i++) {
		const struct rbb_ratio *x = &rs->v[i];
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

		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_US, 0 }, &w);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_CPU, 0 }, &cpu);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_EVENTS, 0 }, &ev);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, E2E_LOST, 0 }, &lost);
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E_OVER, v, -1, 0, 0 }, &ov);
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
	for (int v = 0; rep->pipe && v < RBB_PIPE__COUNT; v++) {
		const struct rbb_pipe_result *p = &rep->pipe[v];
		bool any = p->lat.count > 0;
		const struct tk_col cols[] = { { "wakeup", 0 }, { "rate", 0 }, { "received", 0 },
					       { "expected", 0 }, { "lost", 0 }, { "lat_p50_us", 0 },
					       { "lat_p99_us", 0 }, { "lat_max_us", 0 },
					       { "p99_run_lo_us", 0 }, { "p99_run_hi_us", 0 },
					       { "reader_slice_us", 0 } };
		const struct tk_cell cells[] = {
			{ .s = rbb_pipe_names[v] },
			{ .num = RBB_PIPE_RATE, .integer = true },
			{ .num = p->received, .integer = true },
			{ .num = p->expected, .integer = true },
			{ .num = p->lost, .integer = true },
			{ .num = any ? bs_hist_percentile(&p->lat, 50) / 1e3 : NAN },
			{ .num = any ? bs_hist_percentile(&p->lat, 99) / 1e3 : NAN },
			{ .num = any ? p->lat.max / 1e3 : NAN },
			/* the least and greatest of the rounds' own p99s */
			{ .num = p->runs ? p->p99_lo / 1e3 : NAN },
			{ .num = p->runs ? p->p99_hi / 1e3 : NAN },
			/* the reader thread's scheduler slice; NaN unknown */
			{ .num = p->reader_slice_ns ? p->reader_slice_ns / 1e3 : NAN },
		};

		tk_table_row(&out, "rbbench_pipe", cols, cells, 11);
	}
	free(rs);
	rc = rbb_close_out(f, rep, "rbbench.jsonl");
	return rc;
}
