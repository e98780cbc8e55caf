// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rbbench's model layer (see rbbench_model.h): names, point identity, clock. */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include "rbbench_model.h"

volatile sig_atomic_t rbb_interrupted;

const char *const rbb_transport_names[RBB_T__COUNT] = {
	[RBB_T_NONE] = "none",       [RBB_T_PERF] = "perf",       [RBB_T_OUTPUT] = "output",
	[RBB_T_RESERVE] = "reserve", [RBB_T_DYNPTR] = "dynptr",
};

const char *const rbb_e2e_names[RBB_E2E__COUNT] = {
	[RBB_E2E_UNTRACED] = "untraced",
	[RBB_E2E_RINGBUF] = "ringbuf",
	[RBB_E2E_PERFBUF] = "perfbuf",
	[RBB_E2E_RINGBUF_EV] = "ringbuf-event",
	[RBB_E2E_PERFBUF_EV] = "perfbuf-event",
};

const char *const rbb_pipe_names[RBB_PIPE__COUNT] = {
	[RBB_PIPE_BOUNDED] = "bounded",
	[RBB_PIPE_BATCH] = "batch",
	[RBB_PIPE_EVENT] = "event",
	[RBB_PIPE_RELAY] = "relay",
};

const char *rbb_transport_name(int t)
{
	return t >= 0 && t < RBB_T__COUNT ? rbb_transport_names[t] : "?";
}

const char *rbb_policy_name(const struct rbb_config *c, char *buf, size_t len)
{
	switch (c->policy) {
	case RBB_W_EVENT:
		return "event";
	case RBB_W_EVERY:
		snprintf(buf, len, "every:%u", c->every);
		return buf;
	case RBB_W_NOWAKE:
		return "nowake";
	case RBB_W_BOUNDED:
		return "bounded";
	default:
		return "batch";
	}
}

const char *rbb_rate_name(double rate, char *buf, size_t n)
{
	if (!(rate > 0))
		return "flat";
	if (rate >= 1e6 && fmod(rate, 1e6) == 0)
		snprintf(buf, n, "%.0fM", rate / 1e6);
	else if (rate >= 1e3 && fmod(rate, 1e3) == 0)
		snprintf(buf, n, "%.0fK", rate / 1e3);
	else
		snprintf(buf, n, "%.0f", rate);
	return buf;
}

bool rbb_same_point(const struct rbb_config *a, const struct rbb_config *b)
{
	return a->transport == b->transport && a->policy == b->policy && a->every == b->every &&
	       a->size == b->size && a->producers == b->producers && a->batch == b->batch &&
	       a->rate == b->rate && a->ringbuf == b->ringbuf && a->duration == b->duration;
}

double rbb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void rbb_sleep(double seconds)
{
	double end = rbb_now() + seconds;

	while (!rbb_interrupted) {
		double left = end - rbb_now();
		struct timespec ts;

		if (left <= 0)
			break;
		if (left > 0.05)
			left = 0.05; /* look at the signal flag now and then */
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}
