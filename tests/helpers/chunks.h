/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The chunk mode of the bench loops (openloop -c, syscallwork chunks):
 * the loop runs without end and prints one line per chunk,
 * "START_NS END_NS NS_PER_ITERATION", for scripts/lib/window.sh.
 *
 * CLOCK_REALTIME, not MONOTONIC: the script marks a window's start and
 * stop with bash's EPOCHREALTIME, and both must be one clock. The lines
 * are buffered in 64 KiB and written in blocks, a write every few
 * seconds, so the loop makes almost no calls of its own that a tracer
 * would see. SIGINT and SIGTERM end the chunk under way, then the loop.
 */
#ifndef TK_HELPERS_CHUNKS_H
#define TK_HELPERS_CHUNKS_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

static volatile sig_atomic_t chunks_stop;

static inline void chunks_on_signal(int sig)
{
	(void)sig;
	chunks_stop = 1;
}

/* Before the loop: the output buffer and the signals that end it. */
static inline void chunks_begin(void)
{
	static char out[1 << 16];
	struct sigaction sa = { .sa_handler = chunks_on_signal };

	setvbuf(stdout, out, _IOFBF, sizeof(out));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static inline long long chunks_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One chunk of n iterations from a to b (chunks_now()). */
static inline void chunks_line(long long a, long long b, long n)
{
	printf("%lld %lld %.1f\n", a, b, (double)(b - a) / n);
}

/* After the loop: 0, or 1 if the lines could not be written. */
static inline int chunks_end(void)
{
	if (fflush(stdout)) {
		perror("stdout");
		return 1;
	}
	return 0;
}

#endif
