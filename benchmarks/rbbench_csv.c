// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rbbench's CSV writer (rbbench_write.h): rbbench.csv, one row per configuration, and rbbench-e2e.csv. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include "rbbench_write.h"

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.6g", v);
	else
		fputs(",", f);
}

int rbb_write_csv(const struct rbb_report *rep)
{
	FILE *f = rbb_open_out(rep, "rbbench.csv");
	char pb[24];

	if (!f)
		return 1;
	fprintf(f, "group,transport,wakeup,size,producers,events_per_call,target_eps,ringbuf_bytes,"
		"rounds,balanced");
	for (int m = 0; m < RBB_M__COUNT; m++)
		fprintf(f, ",%s_min,%s_med,%s_max", rbb_metrics[m].key, rbb_metrics[m].key, rbb_metrics[m].key);
	fputc('\n', f);
	for (size_t i = 0; i < rep->ncfg; i++) {
		const struct rbb_config *c = &rep->cfg[i];
		unsigned valid;
		bool ok = rbb_balanced(rep, i, &valid);

		fprintf(f, "%s,%s,%s,%u,%u,%u,%.0f,%llu,%u,%d", c->group,
			rbb_transport_name(c->transport), rbb_policy_name(c, pb, sizeof(pb)),
			c->size, c->producers, c->batch, c->rate, c->ringbuf, valid, valid && ok);
		for (int m = 0; m < RBB_M__COUNT; m++) {
			struct bs_summary s;

			rbb_summarize(rep, i, m, &s);
			csv_num(f, s.min);
			csv_num(f, s.median);
			csv_num(f, s.max);
		}
		fputc('\n', f);
	}
	return rbb_close_out(f, rep, "rbbench.csv");
}

int rbb_write_e2e_csv(const struct rbb_report *rep)
{
	static const char *const what[] = { "us_per_exec", "tracer_cpu_us_per_exec", "events",
					    "lost", "expected" };
	FILE *f = rbb_open_out(rep, "rbbench-e2e.csv");

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
			rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E, v, -1, w, 0 }, &s);
			csv_num(f, s.min);
			csv_num(f, s.median);
			csv_num(f, s.max);
		}
		rbb_over_rounds(rep, (struct rbb_rq){ RQ_E2E_OVER, v, -1, 0, 0 }, &s);
		csv_num(f, v ? s.min : NAN);
		csv_num(f, v ? s.median : NAN);
		csv_num(f, v ? s.max : NAN);
		fputc('\n', f);
	}
	return rbb_close_out(f, rep, "rbbench-e2e.csv");
}
