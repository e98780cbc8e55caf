/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_metrics.h — --metrics FILE: a summary as Prometheus text exposition
 * (format 0.0.4) for node_exporter's textfile collector (part of libtk).
 *
 * The runtime owns the file: --metrics is a common option (tk_opts.c),
 * and run() (tk_run.c) writes the file once when tracing starts (a bad
 * path fails before a command is released), every interval, and once at
 * the end. The interval is the tool's -i, or TK_METRICS_INTERVAL_MS
 * without one. Each write calls every tool's tk_hooks.metrics (its
 * families), then adds the runtime's own health:
 *
 *   tracekit_events_total{tool}            records received
 *   tracekit_events_lost_total{tool,kind}  lost, per cause (kind: no_room,
 *                                          no_scratch, skipped, unseen;
 *                                          see tk_run.c's struct tk_loss)
 *
 * Every value is cumulative since the tool started, whatever -i does to
 * the printed tables: Prometheus takes rates, and a counter that fell
 * back at each table would read as a restart.
 *
 * A write goes to a temporary file beside FILE (".NAME.tmp.PID": the
 * collector reads only *.prom files, and the same directory keeps the
 * rename atomic), is fsync()ed, then renamed over FILE, so a scrape sees
 * the previous write or this one, never a part of one — and after a
 * crash, never an empty file. The file keeps the last write when the tool
 * ends: node_textfile_mtime_seconds tells a stale one.
 */
#ifndef TK_METRICS_H
#define TK_METRICS_H

#include <stddef.h>
#include <linux/types.h>

/* Without -i: about Prometheus's default scrape interval; writing more
 * often than the collector is read buys nothing. */
#define TK_METRICS_INTERVAL_MS 15000

/* One label; value is hostile bytes (a comm, a path), len bytes of it
 * (0: up to its NUL). */
struct tk_label {
	const char *name;
	const char *value;
	size_t len;
};

struct tk_metrics;

/* Starts one write of path. NULL and errno if the temporary file cannot
 * be made, EEXIST if path exists and is not a regular file (the rename
 * would replace a device, fifo or symlink). */
struct tk_metrics *tk_metrics_begin(const char *path);
/* A family: its # HELP and # TYPE lines (type "counter" or "gauge").
 * Its samples follow, before the next family, as the format requires. */
void tk_metrics_family(struct tk_metrics *m, const char *name, const char *type,
		       const char *help);
/* A sample of the current family with nlabels labels. A label value is
 * shown as the decoder shows text (tk_fput_text(): control, bidi and
 * invalid UTF-8 bytes escaped, so it is valid UTF-8 and prints safely),
 * then written with the format's escapes (\\, \" and \n). */
void tk_metrics_sample(struct tk_metrics *m, const struct tk_label *labels, int nlabels,
		       double value);
/*
 * --per-cgroup series: the labels naming cgroup id (cg's resolver, NULL
 * where there is none): cgroup_id always, cgroup (its path) and
 * container_id where known, as the tables' columns (tk_table_cgroup).
 * Appends at most TK_CG_LABELS to l, returns how many; they point into
 * idbuf and the resolver's cache.
 */
#define TK_CG_LABELS 3
struct tk_cgroups;
int tk_metrics_cgroup(struct tk_cgroups *cg, __u64 id, char idbuf[24], struct tk_label *l);

/* For a tool that cannot give its samples (no memory): the write fails
 * with err, rather than a file that lacks them. */
void tk_metrics_fail(struct tk_metrics *m, int err);
/* Ends the write: flush, fsync, rename over the path. 0, or -1 with errno
 * of the first failure (then the temporary file is removed and the path
 * keeps its previous write). Frees m either way. */
int tk_metrics_end(struct tk_metrics *m);

#endif /* TK_METRICS_H */
