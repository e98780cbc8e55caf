// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The benchmarks' statistics (benchmarks/stats.c): exact expected values. */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <cmocka.h>
#include "stats.h"

static void test_summary_odd_even_and_missing(void **state)
{
	const double odd[] = { 30, 10, 20 };
	const double even[] = { 4, 1, 3, 2 };
	const double gaps[] = { NAN, 7, INFINITY, 5, NAN, 9 };
	const double none[] = { NAN, NAN };
	struct bs_summary s;

	(void)state;
	assert_int_equal(bs_summarize(odd, 3, &s), 0);
	assert_true(s.min == 10 && s.median == 20 && s.max == 30 && s.n == 3);
	assert_int_equal(bs_summarize(even, 4, &s), 0);
	assert_true(s.min == 1 && s.median == 2.5 && s.max == 4 && s.n == 4);
	/* a missing round (NaN) is skipped, not counted as zero */
	assert_int_equal(bs_summarize(gaps, 6, &s), 0);
	assert_true(s.min == 5 && s.median == 7 && s.max == 9 && s.n == 3);
	assert_int_equal(bs_summarize(none, 2, &s), -1);
	assert_true(isnan(s.min) && isnan(s.median) && isnan(s.max) && s.n == 0);
	assert_int_equal(bs_summarize(NULL, 0, &s), -1);
	/* the input is left as it was */
	assert_true(odd[0] == 30 && odd[1] == 10 && odd[2] == 20);
}

static void test_percentile_nearest_rank(void **state)
{
	/* the textbook nearest-rank example */
	double v[] = { 50, 20, 15, 40, 35 };
	double one[] = { 42 };
	double hundred[100];

	(void)state;
	assert_true(bs_percentile(v, 5, 0) == 15);
	assert_true(bs_percentile(v, 5, 5) == 15);
	assert_true(bs_percentile(v, 5, 30) == 20);
	assert_true(bs_percentile(v, 5, 40) == 20);
	assert_true(bs_percentile(v, 5, 50) == 35);
	assert_true(bs_percentile(v, 5, 100) == 50);
	assert_true(bs_percentile(one, 1, 99) == 42);
	for (int i = 0; i < 100; i++)
		hundred[i] = 100 - i; /* 100 .. 1 */
	assert_true(bs_percentile(hundred, 100, 50) == 50);
	assert_true(bs_percentile(hundred, 100, 99) == 99);
	assert_true(bs_percentile(hundred, 100, 99.5) == 100);
	assert_true(isnan(bs_percentile(v, 0, 50)));
	assert_true(isnan(bs_percentile(v, 5, -1)));
	assert_true(isnan(bs_percentile(v, 5, 100.5)));
	assert_true(isnan(bs_percentile(v, 5, NAN)));
}

static void test_hist_small_values_exact(void **state)
{
	static struct bs_hist h;

	(void)state;
	bs_hist_reset(&h);
	assert_int_equal(bs_hist_percentile(&h, 50), 0);
	for (uint64_t v = 1; v <= 100; v++)
		bs_hist_add(&h, v);
	assert_int_equal(h.count, 100);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.max, 100);
	assert_int_equal(bs_hist_percentile(&h, 0), 1);
	assert_int_equal(bs_hist_percentile(&h, 50), 50);
	assert_int_equal(bs_hist_percentile(&h, 99), 99);
	assert_int_equal(bs_hist_percentile(&h, 100), 100);
	assert_int_equal(bs_hist_percentile(&h, 250), 100); /* clamped */
}

/* Against the exact nearest-rank percentile of the same sample. */
static void test_hist_bounded_error(void **state)
{
	static struct bs_hist h;
	static double exact[20000];
	const double ps[] = { 1, 10, 50, 90, 99, 99.9, 100 };
	uint64_t x = 88172645463325252ULL;

	(void)state;
	bs_hist_reset(&h);
	for (int i = 0; i < 20000; i++) {
		uint64_t v;

		x ^= x << 13; /* xorshift: a spread of magnitudes, repeatable */
		x ^= x >> 7;
		x ^= x << 17;
		v = (x % 5000000) + 1000 * (uint64_t)(i % 7);
		bs_hist_add(&h, v);
		exact[i] = (double)v;
	}
	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		double e = bs_percentile(exact, 20000, ps[k]);
		double got = (double)bs_hist_percentile(&h, ps[k]);

		/* never below the exact value, at most one bucket width above */
		assert_true(got >= e);
		assert_true(got <= e * (1.0 + 1.0 / BS_HIST_SUB));
	}
	assert_true((double)h.max == bs_percentile(exact, 20000, 100));
	assert_true((double)bs_hist_percentile(&h, 100) == (double)h.max);
}

static void test_hist_buckets_cover_u64(void **state)
{
	static struct bs_hist h;
	const uint64_t edges[] = { 0, 127, 128, 129, 255, 256, 1000, 1ULL << 32,
				   (1ULL << 40) + 12345, UINT64_MAX - 1, UINT64_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		uint64_t v = edges[i];
		size_t b = bs_hist_bucket(v);

		assert_true(b < BS_HIST_BUCKETS);
		assert_true(bs_hist_bucket_upper(b) >= v);
		/* the bucket's upper bound is still in the same bucket */
		assert_int_equal(bs_hist_bucket(bs_hist_bucket_upper(b)), b);
		if (b)
			assert_true(bs_hist_bucket_upper(b - 1) < v);
	}
	assert_int_equal(bs_hist_bucket(UINT64_MAX), BS_HIST_BUCKETS - 1);
	assert_true(bs_hist_bucket_upper(BS_HIST_BUCKETS - 1) == UINT64_MAX);
	/* buckets are contiguous: every bucket starts right after the last */
	for (size_t b = 1; b < BS_HIST_BUCKETS; b++)
		assert_int_equal(bs_hist_bucket(bs_hist_bucket_upper(b - 1) + 1), b);

	bs_hist_reset(&h);
	bs_hist_add(&h, UINT64_MAX);
	bs_hist_add(&h, 0);
	assert_int_equal(bs_hist_percentile(&h, 50), 0);
	assert_true(bs_hist_percentile(&h, 100) == UINT64_MAX);
}

static void test_hist_merge(void **state)
{
	static struct bs_hist a, b, all;

	(void)state;
	bs_hist_reset(&a);
	bs_hist_reset(&b);
	bs_hist_reset(&all);
	for (uint64_t v = 1000; v < 3000; v += 3) {
		bs_hist_add(v % 2 ? &a : &b, v);
		bs_hist_add(&all, v);
	}
	bs_hist_merge(&a, &b);
	assert_int_equal(a.count, all.count);
	assert_int_equal(a.min, 1000);
	assert_int_equal(a.max, all.max);
	assert_memory_equal(a.buckets, all.buckets, sizeof(a.buckets));
	/* merging an empty histogram changes nothing (its min is UINT64_MAX) */
	bs_hist_reset(&b);
	bs_hist_merge(&a, &b);
	assert_int_equal(a.min, 1000);
	assert_int_equal(a.count, all.count);
}

static void test_baseline_subtraction(void **state)
{
	(void)state;
	/* 10 runs, 1000 ns; baseline 5 ns/run; 100 events: (1000 - 50) / 100 */
	assert_true(bs_net_per_event(1000, 10, 50, 10, 100) == 9.5);
	/* the baseline ran 3 times: scaled to the measured program's 10 runs */
	assert_true(bs_net_per_event(1000, 10, 30, 3, 100) == 9.0);
	/* below the noise: negative, not hidden */
	assert_true(bs_net_per_event(100, 10, 200, 10, 10) == -10.0);
	assert_true(isnan(bs_net_per_event(1000, 10, 50, 10, 0)));
	assert_true(isnan(bs_net_per_event(1000, 0, 50, 10, 100)));
	assert_true(isnan(bs_net_per_event(1000, 10, 50, 0, 100)));
	assert_true(isnan(bs_net_per_event(1000, 10, 50, 10, NAN)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_odd_even_and_missing),
		cmocka_unit_test(test_percentile_nearest_rank),
		cmocka_unit_test(test_hist_small_values_exact),
		cmocka_unit_test(test_hist_bounded_error),
		cmocka_unit_test(test_hist_buckets_cover_u64),
		cmocka_unit_test(test_hist_merge),
		cmocka_unit_test(test_baseline_subtraction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
