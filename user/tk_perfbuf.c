// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The perf buffer (--perfbuf) as the runtime and the benchmarks open it:
 * the same total memory as the ring buffer would have, split per CPU, and
 * records handed to a ring-buffer-style callback, so a consumer is written
 * once for both transports.
 */
#include <linux/perf_event.h>
#include <unistd.h>
#include "tk.h"

static enum bpf_perf_event_ret on_perf(void *ctx, int cpu, struct perf_event_header *ev)
{
	struct tk_perf_sink *sink = ctx;

	(void)cpu;
	if (ev->type == PERF_RECORD_SAMPLE) {
		struct {
			struct perf_event_header h;
			__u32 size;
			char data[];
		} *r = (void *)ev;

		sink->sample(sink->ctx, r->data, r->size);
	} else if (ev->type == PERF_RECORD_LOST) {
		struct {
			struct perf_event_header h;
			__u64 id, lost;
		} *r = (void *)ev;

		sink->lost += r->lost;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

struct perf_buffer *tk_perfbuf_new(int map_fd, __u64 total_bytes, unsigned wakeup_events,
				   unsigned watermark_pct, struct tk_perf_sink *sink)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
	};
	long page = getpagesize();
	int ncpu = libbpf_num_possible_cpus();
	size_t pages = total_bytes / page / (ncpu > 0 ? ncpu : 1);
	size_t pow = 1;

	/* a power of two pages per CPU, as perf requires */
	while (pow * 2 <= pages)
		pow *= 2;
	if (wakeup_events) {
		attr.wakeup_events = wakeup_events;
	} else {
		attr.watermark = 1;
		attr.wakeup_watermark = pow * page * (watermark_pct ? watermark_pct : 50) / 100;
	}
	sink->lost = 0;
	return perf_buffer__new_raw(map_fd, pow, &attr, on_perf, sink, NULL);
}
