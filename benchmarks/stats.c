// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Benchmark statistics: see stats.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int bs_summarize(const double *v, size_t n, struct bs_summary *out)
{
	double *f = malloc((n ? n : 1) * sizeof(*f));
	size_t k = 0;

	out->min = out->median = out->max = NAN;
	out->n = 0;
	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			f[k++] = v[i];
	if (!k) {
		free(f);
		return -1;
	}
	qsort(f, k, sizeof(*f), cmp_double);
	out->min = f[0];
	out->max = f[k - 1];
	out->median = k % 2 ? f[k / 2] : (f[k / 2 - 1] + f[k / 2]) / 2;
	out->n = k;
	free(f);
	return 0;
}

/* Rank (1-based) of the nearest-rank p-th percentile of n samples. */
static uint64_t nearest_rank(double p, uint64_t n)
{
	double r = ceil(p / 100.0 * (double)n);

	if (r < 1)
		return 1;
	if (r > (double)n)
		return n;
	return (uint64_t)r;
}

double bs_percentile(double *v, size_t n, double p)
{
	if (!n || !(p >= 0 && p <= 100))
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return v[nearest_rank(p, n) - 1];
}

void bs_hist_reset(struct bs_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

size_t bs_hist_bucket(uint64_t v)
{
	unsigned mag, shift;

	if (v < 2 * BS_HIST_SUB)
		return v;
	mag = 63 - __builtin_clzll(v); /* >= BS_HIST_SUB_BITS + 1 */
	shift = mag - BS_HIST_SUB_BITS;
	/* v >> shift is in [SUB, 2 * SUB): the top bits select the sub-bucket */
	return 2 * BS_HIST_SUB + (size_t)(mag - BS_HIST_SUB_BITS - 1) * BS_HIST_SUB +
	       ((v >> shift) - BS_HIST_SUB);
}

uint64_t bs_hist_bucket_upper(size_t b)
{
	size_t octave;
	unsigned shift;
	uint64_t top;

	if (b < 2 * BS_HIST_SUB)
		return b;
	octave = (b - 2 * BS_HIST_SUB) / BS_HIST_SUB;
	top = BS_HIST_SUB + (b - 2 * BS_HIST_SUB) % BS_HIST_SUB;
	shift = (unsigned)octave + 1;
	/* ((top + 1) << shift) - 1 without overflowing in the last bucket */
	return (top << shift) + ((1ULL << shift) - 1);
}

void bs_hist_add(struct bs_hist *h, uint64_t v)
{
	h->buckets[bs_hist_bucket(v)]++;
	h->count++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void bs_hist_merge(struct bs_hist *dst, const struct bs_hist *src)
{
	if (!src->count)
		return;
	for (size_t i = 0; i < BS_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t bs_hist_percentile(const struct bs_hist *h, double p)
{
	uint64_t rank, seen = 0, v;

	if (!h->count)
		return 0;
	if (!(p >= 0))
		p = 0;
	if (p > 100)
		p = 100;
	rank = nearest_rank(p, h->count);
	for (size_t b = 0; b < BS_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen < rank)
			continue;
		v = bs_hist_bucket_upper(b);
		if (v > h->max)
			v = h->max;
		if (v < h->min)
			v = h->min;
		return v;
	}
	return h->max; /* not reached: the buckets sum to count */
}

double bs_net_per_event(double run_ns, double run_cnt, double base_ns, double base_cnt,
			double events)
{
	if (!(events > 0) || !(run_cnt > 0) || !(base_cnt > 0))
		return NAN;
	return (run_ns - base_ns / base_cnt * run_cnt) / events;
}
