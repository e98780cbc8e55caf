/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stats.h — the statistics tracekit's benchmarks report. Generic: nothing
 * here knows about ring buffers.
 *
 *  - bs_summarize(): min / median / max of repeated measurements (rounds);
 *  - bs_percentile(): nearest-rank percentile of a sample;
 *  - struct bs_hist: a log-linear histogram for millions of latency samples
 *    in fixed memory, percentiles within 1/64 (1.6 %) of the exact value;
 *  - bs_net_per_event(): a measured cost minus a baseline program's.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct bs_summary {
	double min, median, max;
	size_t n; /* finite values summarized */
};

/*
 * min/median/max of the finite values of v[0..n) (NaN marks a missing
 * measurement and is skipped). The median of an even count is the mean of
 * the two middle values. Returns 0, or -1 (all fields NaN) when there is no
 * finite value. v is not modified.
 */
int bs_summarize(const double *v, size_t n, struct bs_summary *out);

/*
 * Nearest-rank percentile, p in [0, 100]: the smallest sample such that at
 * least p % of the samples are <= it (p = 0 gives the minimum, 100 the
 * maximum). Sorts v in place. NaN if n == 0 or p is out of range.
 */
double bs_percentile(double *v, size_t n, double p);

/*
 * Log-linear histogram of non-negative integers (e.g. nanoseconds): values
 * below 2 * BS_HIST_SUB are counted exactly; above, each power of two is
 * split into BS_HIST_SUB buckets, so a bucket is at most 1/BS_HIST_SUB of
 * its values wide. min, max and count are exact.
 */
#define BS_HIST_SUB_BITS 6
#define BS_HIST_SUB (1u << BS_HIST_SUB_BITS)
#define BS_HIST_BUCKETS (2 * BS_HIST_SUB + (63 - BS_HIST_SUB_BITS) * BS_HIST_SUB)

struct bs_hist {
	uint64_t count;
	uint64_t min, max;
	uint64_t buckets[BS_HIST_BUCKETS];
};

void bs_hist_reset(struct bs_hist *h);
void bs_hist_add(struct bs_hist *h, uint64_t v);
void bs_hist_merge(struct bs_hist *dst, const struct bs_hist *src);
/*
 * Nearest-rank percentile, p in [0, 100]: the upper bound of the bucket
 * that holds the sample of that rank, clamped to [min, max] — never below
 * the exact value, at most 1/BS_HIST_SUB above it. 0 when empty; p out of
 * range is clamped.
 */
uint64_t bs_hist_percentile(const struct bs_hist *h, double p);
/* Bucket index of v and the largest value sharing it (for the tests). */
size_t bs_hist_bucket(uint64_t v);
uint64_t bs_hist_bucket_upper(size_t bucket);

/*
 * Cost per event of a program net of a baseline program run at the same
 * hook (same number of invocations, or scaled): both programs' totals come
 * from bpf_stats (run_time_ns, run_cnt) over the same interval.
 *
 *     (run_ns - base_ns / base_cnt * run_cnt) / events
 *
 * NaN when events, run_cnt or base_cnt is 0. Not clamped: a negative
 * result means the difference is below the noise, and says so.
 */
double bs_net_per_event(double run_ns, double run_cnt, double base_ns, double base_cnt,
			double events);

#endif
