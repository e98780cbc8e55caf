// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ring buffer's consumer (tk_ring_consume(), user/tk_ring.c) on a ring
 * made of plain memory laid out as the kernel lays it out: a record is an
 * 8-byte header (length with the busy and discard bits, page offset) and
 * its bytes, 8-byte aligned, and the data area is mapped twice in a row,
 * here kept as two copies the test writes together. The test is the
 * producer: it writes records, moves producer_pos and sets the bits.
 */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "tk.h"

#define SZ 4096UL
#define PUBLISH 256UL
#define MAXREC 64

struct fake {
	unsigned long cons, prod;
	unsigned char data[2 * SZ];
	struct tk_ring r;
	/* what the callback saw, record by record */
	int n;
	size_t size[MAXREC];
	unsigned char first[MAXREC], last[MAXREC];
	unsigned long pos[MAXREC];  /* where the record's header starts */
	unsigned long given[MAXREC]; /* consumer_pos while it was read */
	int fail_at;                 /* return -5 at this record (1-based) */
	int append;                  /* records the callback still adds */
};

static unsigned long put(struct fake *f, __u32 len, unsigned char first, __u32 flags);

static int on_rec(void *ctx, void *data, size_t size)
{
	struct fake *f = ctx;
	const unsigned char *p = data;
	int i = f->n++;

	assert_true(i < MAXREC);
	f->size[i] = size;
	f->first[i] = p[0];
	f->last[i] = p[size - 1];
	f->pos[i] = (unsigned long)(p - 8 - f->data);
	f->given[i] = f->cons;
	if (f->append > 0) {
		/* a producer on another CPU, submitting while we read */
		f->append--;
		put(f, 24, (unsigned char)(100 + i), 0);
	}
	return f->n == f->fail_at ? -5 : 0;
}

static void fake_init(struct fake *f, unsigned long start)
{
	memset(f, 0, sizeof(*f));
	f->cons = f->prod = start;
	f->r = (struct tk_ring){ .epfd = -1, .cons = &f->cons, .prod = &f->prod,
				 .data = (const char *)f->data, .mask = SZ - 1,
				 .publish = PUBLISH, .fn = on_rec, .ctx = f };
}

static void put_byte(struct fake *f, unsigned long pos, unsigned char b)
{
	f->data[pos & (SZ - 1)] = b;
	f->data[(pos & (SZ - 1)) + SZ] = b;
}

static void put_len(struct fake *f, unsigned long pos, __u32 len)
{
	for (int k = 0; k < 4; k++)
		put_byte(f, pos + k, (unsigned char)(len >> (8 * k)));
}

/* A record of len bytes, each its first byte + its index, at producer_pos;
 * flags: BPF_RINGBUF_BUSY_BIT (reserved, not submitted) and/or _DISCARD_.
 * Returns where it starts. */
static unsigned long put(struct fake *f, __u32 len, unsigned char first, __u32 flags)
{
	unsigned long at = f->prod;

	put_len(f, at, len | flags);
	for (__u32 k = 0; k < len; k++)
		put_byte(f, at + 8 + k, (unsigned char)(first + k));
	f->prod += (8 + len + 7) & ~7UL;
	return at;
}

static void test_in_order_then_caught_up(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 0);
	put(&f, 24, 10, 0);
	put(&f, 5, 20, 0);
	put(&f, 100, 30, 0);
	assert_int_equal(tk_ring_consume(&f.r), 3);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.size[0], 24);
	assert_int_equal(f.size[1], 5);
	assert_int_equal(f.size[2], 100);
	assert_int_equal(f.first[1], 20);
	assert_int_equal(f.last[2], 30 + 99);
	assert_int_equal(f.pos[1], 32);
	assert_int_equal(f.pos[2], 48);
	/* every byte given back: 32 + 16 + 112 */
	assert_int_equal(f.cons, 160);
	assert_int_equal(f.cons, f.prod);
	/* nothing new: nothing called */
	assert_int_equal(tk_ring_consume(&f.r), 0);
	assert_int_equal(f.n, 3);
}

static void test_discarded_are_skipped(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 0);
	put(&f, 16, 1, 0);
	put(&f, 16, 2, BPF_RINGBUF_DISCARD_BIT);
	put(&f, 16, 3, 0);
	assert_int_equal(tk_ring_consume(&f.r), 2);
	assert_int_equal(f.first[0], 1);
	assert_int_equal(f.first[1], 3);
	assert_int_equal(f.cons, 72);
}

/* A record reserved but not submitted ends the pass there: the ones before
 * it come, consumer_pos stops at it, and after its submit it comes next. */
static void test_busy_stops_at_it(void **state)
{
	struct fake f;
	unsigned long busy;

	(void)state;
	fake_init(&f, 0);
	put(&f, 8, 1, 0);
	busy = put(&f, 8, 2, BPF_RINGBUF_BUSY_BIT);
	put(&f, 8, 3, 0);
	assert_int_equal(tk_ring_consume(&f.r), 1);
	assert_int_equal(f.cons, busy);
	assert_int_equal(tk_ring_consume(&f.r), 0);
	put_len(&f, busy, 8); /* submitted */
	assert_int_equal(tk_ring_consume(&f.r), 2);
	assert_int_equal(f.first[1], 2);
	assert_int_equal(f.first[2], 3);
	assert_int_equal(f.cons, f.prod);
}

/* The callback's negative value ends the pass: returned as it is, the
 * record it was given consumed, the next one left for the next call. */
static void test_callback_stops_it(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 0);
	put(&f, 8, 1, 0);
	put(&f, 8, 2, 0);
	put(&f, 8, 3, 0);
	f.fail_at = 2;
	assert_int_equal(tk_ring_consume(&f.r), -5);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.cons, 32);
	f.fail_at = 0;
	assert_int_equal(tk_ring_consume(&f.r), 1);
	assert_int_equal(f.first[2], 3);
}

/* Positions run on past the ring's size and wrap: a record across the end
 * reads as one piece through the second mapping. */
static void test_wraps(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 3 * SZ - 24); /* 24 bytes before the end, third lap */
	put(&f, 40, 7, 0);          /* 8 + 40: across the end */
	put(&f, 8, 9, 0);
	assert_int_equal(tk_ring_consume(&f.r), 2);
	assert_int_equal(f.size[0], 40);
	assert_int_equal(f.first[0], 7);
	assert_int_equal(f.last[0], 7 + 39);
	assert_int_equal(f.pos[0], SZ - 24);
	assert_int_equal(f.pos[1], 24); /* from the start of the area */
	assert_int_equal(f.cons, 3 * SZ + 40);
}

/*
 * The point of tk_ring: during a long pass, consumer_pos is stored about
 * once per PUBLISH bytes, not after every record, and never past a record
 * still being read (its bytes would be the producer's again).
 */
static void test_position_given_back_in_batches(void **state)
{
	struct fake f;
	int moves = 0;

	(void)state;
	fake_init(&f, 0);
	for (int i = 0; i < 48; i++)
		put(&f, 24, (unsigned char)i, 0); /* 32 bytes each: 1536 in all */
	assert_int_equal(tk_ring_consume(&f.r), 48);
	for (int i = 0; i < 48; i++) {
		assert_true(f.given[i] <= f.pos[i]);
		assert_true(f.pos[i] - f.given[i] < PUBLISH + 32);
		if (i && f.given[i] != f.given[i - 1])
			moves++;
	}
	/* 1536 / 256: stored 5 times within the pass (the sixth at its end) */
	print_message("consumer_pos moved %d times during 48 records (expected 5)\n", moves);
	assert_int_equal(moves, 5);
	assert_int_equal(f.cons, 1536);
}

/*
 * Records submitted during a pass, past the producer_pos it started from,
 * are taken by the same call (its look after the end of each pass), in
 * order, and the position still never passes a record being read.
 */
static void test_records_submitted_during_the_pass(void **state)
{
	struct fake f;

	(void)state;
	fake_init(&f, 0);
	put(&f, 24, 1, 0);
	put(&f, 24, 2, 0);
	f.append = 40;
	assert_int_equal(tk_ring_consume(&f.r), 42);
	assert_int_equal(f.append, 0);
	for (int i = 0; i < 42; i++) {
		assert_int_equal(f.pos[i], 32UL * i);
		assert_true(f.given[i] <= f.pos[i]);
		if (i >= 2)
			assert_int_equal(f.first[i], 100 + i - 2);
	}
	assert_int_equal(f.cons, 42 * 32);
	assert_int_equal(f.cons, f.prod);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_then_caught_up),
		cmocka_unit_test(test_discarded_are_skipped),
		cmocka_unit_test(test_busy_stops_at_it),
		cmocka_unit_test(test_callback_stops_it),
		cmocka_unit_test(test_wraps),
		cmocka_unit_test(test_position_given_back_in_batches),
		cmocka_unit_test(test_records_submitted_during_the_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
