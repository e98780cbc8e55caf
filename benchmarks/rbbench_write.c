// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rbbench's writers' common pieces (rbbench_write.h): metric names, ring sizes, output files. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "tk.h"
#include "rbbench_write.h"

const struct rbb_metric_desc rbb_metrics[RBB_M__COUNT] = {
	[RBB_M_PROD_EPS] = { "prod_eps", "prod_M/s", 8, 1e-6, 3 },
	[RBB_M_CONS_EPS] = { "cons_eps", "cons_M/s", 8, 1e-6, 3 },
	[RBB_M_DROP_PCT] = { "drop_pct", "drop%", 6, 1, 2 },
	[RBB_M_BPF_NS] = { "bpf_ns_ev", "bpf_ns", 7, 1, 1 },
	[RBB_M_PROD_NS] = { "prod_ns_ev", "prod_ns", 7, 1, 1 },
	[RBB_M_CONS_NS] = { "cons_ns_ev", "cons_ns", 7, 1, 1 },
	[RBB_M_WAKE_K] = { "wake_per_kev", "wake/k", 7, 1, 2 },
	[RBB_M_WAKE_S] = { "wake_per_s", "wake/s", 7, 1, 0 },
	[RBB_M_LAT_P50] = { "lat_p50_us", "p50_us", 7, 1, -1 },
	[RBB_M_LAT_P99] = { "lat_p99_us", "p99_us", 7, 1, -1 },
	[RBB_M_LAT_MAX] = { "lat_max_us", "max_us", 7, 1, -1 },
	[RBB_M_CPU_PCT] = { "cpu_pct", "cpu%", 6, 1, 2 },
};

const char *rbb_ring_name(unsigned long long bytes, char *buf, size_t n)
{
	if (bytes >= (1ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
		snprintf(buf, n, "%lluM", bytes >> 20);
	else
		snprintf(buf, n, "%lluK", bytes >> 10);
	return buf;
}

FILE *rbb_open_out(const struct rbb_report *rep, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", rep->o->outdir, name);
	f = fopen(path, "w");
	if (!f)
		tk_fail("cannot write %s: %s", path, strerror(errno));
	return f;
}

int rbb_close_out(FILE *f, const struct rbb_report *rep, const char *name)
{
	if (ferror(f) | fclose(f))
		return tk_fail("writing %s/%s failed", rep->o->outdir, name);
	return 0;
}
