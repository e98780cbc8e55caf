/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rbbench's writers (above rbbench_agg.h): each turns a struct rbb_report
 * into one output and computes nothing the others need.
 *
 *   rbbench_text.c   the report: table, within-round ratios, end-to-end row
 *   rbbench_csv.c    rbbench.csv, rbbench-e2e.csv
 *   rbbench_jsonl.c  rbbench.jsonl
 *   rbbench_chart.c  the chart's data, its gnuplot script, rbbench.png
 *   rbbench_write.c  what they share (below): metric names, files
 *
 * The rbb_write_* functions write into rep->o->outdir and return 0, or 1
 * after printing why.
 */
#ifndef RBBENCH_WRITE_H
#define RBBENCH_WRITE_H

#include <stdio.h>
#include "rbbench_agg.h"

/* How each metric is named and shown. */
struct rbb_metric_desc {
	const char *key;  /* CSV / JSON name */
	const char *head; /* text column */
	int width;
	double scale;     /* text only: M/s */
	int prec;         /* text decimals; -1: by magnitude */
};
extern const struct rbb_metric_desc rbb_metrics[RBB_M__COUNT];

/* "4M" for whole MiB, else "256K" */
const char *rbb_ring_name(unsigned long long bytes, char *buf, size_t n);
/* rep->o->outdir/name for writing (NULL after printing why); closing checks for write errors. */
FILE *rbb_open_out(const struct rbb_report *rep, const char *name);
int rbb_close_out(FILE *f, const struct rbb_report *rep, const char *name);

/* The text report, to f (stdout) or to rbbench.txt. */
void rbb_print_report(FILE *f, const struct rbb_report *rep);
int rbb_write_text(const struct rbb_report *rep);
int rbb_write_csv(const struct rbb_report *rep);
int rbb_write_e2e_csv(const struct rbb_report *rep);
int rbb_write_jsonl(const struct rbb_report *rep);
/* The data files, the script and gnuplot's PNG; no chart (0) without a size sweep point. */
int rbb_write_chart(const struct rbb_report *rep);

#endif
