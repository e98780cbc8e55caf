// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The consumer's half of the bounded wakeup policy (tk_wake_next(),
 * user/tk_run.c): the waits it asks for after wakeups, consumes and quiet
 * timeouts, on a clock the test moves, and what it does to the flag the
 * BPF side swaps (tk_wake[0]) given the ring's positions, here plain
 * memory the test sets as producers would.
 */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include "tk.h"

#define B ((__s64)TK_WAKEUP_BOUND_NS)
#define LONG_MS 100
/* the bound in epoll's milliseconds, rounded up */
#define BACKSTOP_MS ((int)((TK_WAKEUP_BOUND_NS + 999999) / 1000000))

static const __s64 t0 = 5000 * 1000000000LL; /* a CLOCK_MONOTONIC time */

struct fake {
	__u64 flag;
	unsigned long cons, prod;
	struct tk_wake w;
};

static void fake_init(struct fake *f, __u64 flag)
{
	*f = (struct fake){ .flag = flag, .cons = 4096, .prod = 4096 };
	f->w.flag = &f->flag;
	f->w.cons = &f->cons;
	f->w.prod = &f->prod;
}

/* Nothing has happened yet: the flag cleared once, then the long wait and
 * no timer wakeups. */
static void test_idle_from_the_start(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 1);
	assert_int_equal(tk_wake_next(&f.w, false, t0, LONG_MS), LONG_MS);
	assert_int_equal(f.flag, 0);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 10 * B, LONG_MS), LONG_MS);
	assert_int_equal(f.flag, 0);
}

/*
 * A wakeup, then quiet: polls (waits of one bound) until 2 bounds have
 * passed since it, the flag left as the producer set it (1: nobody
 * forces); then the flag cleared (the next record forces) and the long
 * wait.
 */
static void test_poll_then_idle(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 1);
	assert_int_equal(tk_wake_next(&f.w, true, t0, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + B + B / 20, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 2 * B - 1, LONG_MS), BACKSTOP_MS);
	assert_int_equal(f.flag, 1);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 2 * B, LONG_MS), LONG_MS);
	assert_int_equal(f.flag, 0);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 3 * B, LONG_MS), LONG_MS);
	assert_int_equal(f.flag, 0);
}

/* Every activity starts the 2 bounds again: a flood never waits long and
 * never has the flag cleared, so no submit forces. */
static void test_activity_extends(void **state)
{
	struct fake f;
	__s64 t = t0;

	(void)state;
	fake_init(&f, 1);
	for (int i = 0; i < 1000; i++, t += B) {
		assert_int_equal(tk_wake_next(&f.w, true, t, LONG_MS), BACKSTOP_MS);
		assert_int_equal(f.flag, 1);
	}
	assert_int_equal(tk_wake_next(&f.w, false, t + B / 2, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&f.w, false, t - B + 2 * B, LONG_MS), LONG_MS);
	assert_int_equal(f.flag, 0);
}

/*
 * A record reserved by a producer that saw the flag still 1 (reserved or
 * busy, not yet consumed: producer_pos past consumer_pos) when the
 * consumer would go idle: it consumes at once (timeout 0), sets the flag
 * back and polls on for 2 bounds; idle only once the ring is caught up.
 */
static void test_reserved_keeps_polling(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 1);
	assert_int_equal(tk_wake_next(&f.w, true, t0, LONG_MS), BACKSTOP_MS);
	f.prod += 64;
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 2 * B, LONG_MS), 0);
	assert_int_equal(f.flag, 1);
	/* still busy at the next consume: nothing got, the ring not caught up */
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 3 * B, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 4 * B, LONG_MS), 0);
	assert_int_equal(f.flag, 1);
	f.cons = f.prod; /* consumed */
	assert_int_equal(tk_wake_next(&f.w, true, t0 + 4 * B + 1, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 6 * B + 1, LONG_MS), LONG_MS);
	assert_int_equal(f.flag, 0);
}

/* Idle, then a producer finds 0, sets 1 and forces: the wakeup puts the
 * consumer back to polling, with the flag as the producer left it. */
static void test_wakeup_after_idle(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 0);
	assert_int_equal(tk_wake_next(&f.w, false, t0, LONG_MS), LONG_MS);
	f.flag = 1;
	f.prod += 64;
	f.cons = f.prod;
	assert_int_equal(tk_wake_next(&f.w, true, t0 + 50 * B, LONG_MS), BACKSTOP_MS);
	assert_int_equal(f.flag, 1);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 51 * B, LONG_MS), BACKSTOP_MS);
	assert_int_equal(tk_wake_next(&f.w, false, t0 + 52 * B, LONG_MS), LONG_MS);
	assert_int_equal(f.flag, 0);
}

/*
 * The watermark's stride: a power of 2 (mask + 1) of at most 64, the
 * largest whose records of 16 KiB on every CPU stay under 1/16 of the
 * ring; every submit (0) for a ring too small for even one per CPU.
 */
static void test_watermark_mask(void **state)
{
	__u64 cpus = (__u64)libbpf_num_possible_cpus();
	static const __u64 rings[] = { 4096, 64 << 10, 512 << 10, 1 << 20, 4 << 20,
				       64 << 20, 1ULL << 30 };

	(void)state;
	assert_true(cpus > 0);
	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		__u64 stride = (__u64)tk_watermark_mask(rings[i]) + 1, room = rings[i] / 16;

		assert_true(stride <= 64 && (stride & (stride - 1)) == 0);
		if (stride > 1)
			assert_true(stride * cpus * 16384 <= room);
		if (stride < 64)
			assert_true(2 * stride * cpus * 16384 > room);
	}
	assert_int_equal(tk_watermark_mask(64 << 10), 0);
	assert_int_equal(tk_watermark_mask(1ULL << 40), 63);
}

/* A zeroed one (never opened) closes without touching anything. */
static void test_close_unopened(void **state)
{
	struct tk_wake w = { 0 };

	(void)state;
	tk_wake_close(&w);
	assert_null(w.flag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_from_the_start),
		cmocka_unit_test(test_poll_then_idle),
		cmocka_unit_test(test_activity_extends),
		cmocka_unit_test(test_reserved_keeps_polling),
		cmocka_unit_test(test_wakeup_after_idle),
		cmocka_unit_test(test_watermark_mask),
		cmocka_unit_test(test_close_unopened),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
