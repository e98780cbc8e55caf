// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's chart writer (rbbench_write.h): the size sweep's, the wakeup
 * policies' and the latency group's data files, the gnuplot script that
 * draws them side by side, and running gnuplot on it to make rbbench.png.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tk.h"
#include "rbbench_write.h"

static const int chart_transports[] = { RBB_T_PERF, RBB_T_OUTPUT, RBB_T_RESERVE, RBB_T_DYNPTR,
					RBB_T_NONE };
static const char *const chart_labels[] = { "perf(copy)", "output(copy)", "reserve(zero-copy)",
					    "dynptr(zero-copy)", "none(build-only)" };
#define NCHART (sizeof(chart_transports) / sizeof(chart_transports[0]))

/*
 * One block per transport that has points: size, bpf_ns med/min/max,
 * produced M ev/s med/min/max. names gets the blocks' labels.
 */
static int write_chart_data(const struct rbb_report *rep, char *names, size_t len,
			    size_t *blocks, unsigned long long *ring)
{
	FILE *f = rbb_open_out(rep, "rbbench-chart.dat");

	*blocks = 0;
	names[0] = 0;
	if (!f)
		return 1;
	for (size_t t = 0; t < NCHART; t++) {
		size_t points = 0;

		for (size_t i = 0; i < rep->ncfg; i++) {
			const struct rbb_config *c = &rep->cfg[i];
			struct bs_summary ns, eps;

			if (c->transport != chart_transports[t] || !rbb_size_point(rep, i))
				continue;
			/* as in the ratios: rounds with drops would flatter the cost */
			rbb_over_rounds(rep, (struct rbb_rq){ RQ_CLEAN, (long)i, -1, RBB_M_BPF_NS, 0 }, &ns);
			rbb_over_rounds(rep, (struct rbb_rq){ RQ_CLEAN, (long)i, -1, RBB_M_PROD_EPS, 0 }, &eps);
			if (!ns.n || !eps.n)
				continue;
			if (!points++)
				fprintf(f, "# %s\n", rbb_transport_name(c->transport));
			*ring = c->ringbuf;
			fprintf(f, "%u %.3f %.3f %.3f %.6f %.6f %.6f\n", c->size, ns.median, ns.min,
				ns.max, eps.median / 1e6, eps.min / 1e6, eps.max / 1e6);
		}
		if (points) {
			fprintf(f, "\n\n");
			snprintf(names + strlen(names), len - strlen(names), "%s%s",
				 *blocks ? " " : "", chart_labels[t]);
			(*blocks)++;
		}
	}
	return rbb_close_out(f, rep, "rbbench-chart.dat");
}

/*
 * CPU per event, BPF + consumer, by wakeup policy (rows) and transport
 * (columns, those with points), 64 B, 1 producer, 64 per call.
 */
static int write_policy_data(const struct rbb_report *rep, char *names, size_t len,
			     size_t *columns)
{
	static const struct { int policy; unsigned every; } pol[] = {
		{ RBB_W_EVENT, 0 }, { RBB_W_EVERY, 1 }, { RBB_W_EVERY, 64 },
		{ RBB_W_NOWAKE, 0 }, { RBB_W_BATCH, 0 }, { RBB_W_BOUNDED, 0 },
	};
	const size_t npol = sizeof(pol) / sizeof(pol[0]);
	double v[NCHART][sizeof(pol) / sizeof(pol[0])];
	bool have[NCHART] = { false };
	FILE *f;

	*columns = 0;
	names[0] = 0;
	for (size_t t = 0; t < NCHART - 1; t++) {
		for (size_t p = 0; p < npol; p++) {
			struct rbb_config key = { .transport = chart_transports[t],
						  .policy = pol[p].policy, .every = pol[p].every,
						  .size = 64, .producers = 1, .batch = 64,
						  .ringbuf = rep->o->ringbuf_size };
			struct bs_summary s = { .n = 0 };
			long i = rbb_find(rep, &key);

			if (i >= 0)
				rbb_over_rounds(rep, (struct rbb_rq){ RQ_SUM, i, -1, RBB_M_BPF_NS, RBB_M_CONS_NS }, &s);
			v[t][p] = s.n ? s.median : NAN;
			have[t] |= s.n > 0;
		}
		if (have[t]) {
			snprintf(names + strlen(names), len - strlen(names), "%s%s",
				 *columns ? " " : "", chart_labels[t]);
			(*columns)++;
		}
	}
	f = rbb_open_out(rep, "rbbench-policy.dat");
	if (!f)
		return 1;
	fprintf(f, "policy");
	for (size_t t = 0; t < NCHART - 1; t++)
		if (have[t])
			fprintf(f, " %s", rbb_transport_name(chart_transports[t]));
	fputc('\n', f);
	for (size_t p = 0; p < npol; p++) {
		struct rbb_config key = { .policy = pol[p].policy, .every = pol[p].every };
		char pb[24];

		fprintf(f, "%s", rbb_policy_name(&key, pb, sizeof(pb)));
		for (size_t t = 0; t < NCHART - 1; t++)
			if (have[t])
				fprintf(f, isfinite(v[t][p]) ? " %.1f" : " -", v[t][p]);
		fputc('\n', f);
	}
	return rbb_close_out(f, rep, "rbbench-policy.dat");
}

/*
 * The latency group: one block per wakeup policy that has points: rate,
 * p99 med/min/max (µs), wakeups/s med/min/max. names gets the blocks' labels.
 */
static int write_latency_data(const struct rbb_report *rep, char *names, size_t len,
			      size_t *blocks, unsigned *size)
{
	static const int pol[] = { RBB_W_EVENT, RBB_W_BATCH, RBB_W_BOUNDED };
	size_t *idx = calloc(rep->ncfg ? rep->ncfg : 1, sizeof(*idx)), n;
	FILE *f = NULL;

	*blocks = 0;
	names[0] = 0;
	if (!idx)
		return tk_fail("out of memory");
	n = rbb_latency_points(rep, idx); /* by rate: each policy's line in order */
	for (size_t p = 0; p < sizeof(pol) / sizeof(pol[0]); p++) {
		size_t points = 0;

		for (size_t k = 0; k < n; k++) {
			size_t i = idx[k];
			const struct rbb_config *c = &rep->cfg[i];
			struct bs_summary p99, wake;
			char pb[24];

			if (c->policy != pol[p])
				continue;
			rbb_summarize(rep, i, RBB_M_LAT_P99, &p99);
			rbb_summarize(rep, i, RBB_M_WAKE_S, &wake);
			if (!p99.n)
				continue;
			if (!f && !(f = rbb_open_out(rep, "rbbench-latency.dat"))) {
				free(idx);
				return 1;
			}
			*size = c->size;
			if (!points++) {
				fprintf(f, "# %s\n", rbb_policy_name(c, pb, sizeof(pb)));
				snprintf(names + strlen(names), len - strlen(names), "%s%s",
					 *blocks ? " " : "", rbb_policy_name(c, pb, sizeof(pb)));
			}
			/* a log axis cannot show 0 wakeups/s: batch's timer drains */
			fprintf(f, "%.0f %.1f %.1f %.1f %.1f %.1f %.1f\n", c->rate, p99.median, p99.min,
				p99.max, fmax(wake.median, 1), fmax(wake.min, 1), fmax(wake.max, 1));
		}
		if (points) {
			fprintf(f, "\n\n");
			(*blocks)++;
		}
	}
	free(idx);
	return f ? rbb_close_out(f, rep, "rbbench-latency.dat") : 0;
}

int rbb_write_chart(const struct rbb_report *rep)
{
	char names[256], pnames[256], lnames[64], rb[24], prb[24];
	unsigned long long ring = 0;
	size_t blocks, columns, lblocks, panels, across;
	unsigned lsize = 0;
	struct utsname u;
	FILE *f;
	pid_t pid;
	int status;

	if (write_chart_data(rep, names, sizeof(names), &blocks, &ring) ||
	    write_policy_data(rep, pnames, sizeof(pnames), &columns) ||
	    write_latency_data(rep, lnames, sizeof(lnames), &lblocks, &lsize))
		return 1;
	if (!blocks) {
		fprintf(stderr, "rbbench: no point of the size sweep (batch, -P 1, -b 64, flat out) "
			"in this matrix: no chart\n");
		return 0;
	}
	f = rbb_open_out(rep, "rbbench.gp");
	if (!f)
		return 1;
	uname(&u);
	/* two panels of the size sweep, one of the policies, two of latency */
	panels = 2 + (columns ? 1 : 0) + (lblocks ? 2 : 0);
	across = panels > 3 ? (panels + 1) / 2 : panels;
	fprintf(f,
		"# gnuplot script written by rbbench: gnuplot rbbench.gp (in this directory)\n"
		"set terminal pngcairo size %zu,%d font ',10' noenhanced\n"
		"set output 'rbbench.png'\n"
		"set datafile missing '-'\n"
		"names = '%s'\n"
		"set multiplot layout %d,%zu title 'rbbench, Linux %s, %u CPUs, median of %u rounds "
		"(bars: min..max; rounds with over 1%% dropped left out); shared machine, compare "
		"within a panel'\n"
		"set logscale x 2\n"
		"set xrange [12:5600]\n"
		"set xtics ('16' 16, '32' 32, '64' 64, '256' 256, '1K' 1024, '4K' 4096)\n"
		"set xlabel 'event size (bytes); batch policy, 1 producer, 64 events per getpgid(), "
		"%s ring'\n"
		"set grid\n"
		"set key top left\n"
		"set logscale y\n"
		"set ylabel 'in-BPF ns per event (no-op program subtracted)'\n"
		"plot for [i=0:%zu] 'rbbench-chart.dat' index i using 1:2:3:4 "
		"with yerrorlines lw 2 title word(names, i+1)\n"
		"set ylabel 'events produced per second (millions)'\n"
		"set key bottom left\n"
		"plot for [i=0:%zu] 'rbbench-chart.dat' index i using 1:5:6:7 "
		"with yerrorlines lw 2 title word(names, i+1)\n",
		600 * across, panels > 3 ? 1200 : 600, names, panels > 3 ? 2 : 1, across, u.release, rep->o->ncpus, rep->rounds,
		rbb_ring_name(ring, rb, sizeof(rb)), blocks - 1, blocks - 1);
	if (columns)
		fprintf(f,
			"unset logscale x\n"
			"set xrange [-0.6:5.6]\n" /* the six policies: clusters at 0..5 */
			"set xtics auto\n"
			"set xlabel 'wakeup policy; 64 B, 1 producer, 64 events per getpgid(), %s ring'\n"
			"set ylabel 'CPU ns per event: in BPF + consumer thread'\n"
			"set yrange [10:*]\n"
			"set key top right\n"
			"set style data histograms\n"
			"set style histogram clustered gap 1\n"
			"set style fill solid 0.8 border -1\n"
			"set key autotitle columnheader\n"
			"pnames = '%s'\n"
			"plot for [i=2:%zu] 'rbbench-policy.dat' using i:xtic(1) "
			"title word(pnames, i-1)\n",
			rbb_ring_name(rep->o->ringbuf_size, prb, sizeof(prb)), pnames, columns + 1);
	if (lblocks)
		fprintf(f,
			"set style data linespoints\n"
			"unset style\n"
			"set autoscale\n"
			"set key top left noautotitle\n"
			"set logscale x 10\n"
			"set xrange [20:3e6]\n"
			"set logscale y\n"
			"set xtics auto\n"
			"set xlabel 'events/s (reserve, %u B, one producer)'\n"
			"set ylabel 'event to consumer, p99 (us)'\n"
			"lnames = '%s'\n"
			"plot for [i=0:%zu] 'rbbench-latency.dat' index i using 1:2:3:4 "
			"with yerrorlines lw 2 title word(lnames, i+1), 1000 with lines dt 2 "
			"title '1 ms'\n"
			"set ylabel 'consumer wakeups per second (0 shown as 1)'\n"
			"plot for [i=0:%zu] 'rbbench-latency.dat' index i using 1:5:6:7 "
			"with yerrorlines lw 2 title word(lnames, i+1), 2000 with lines dt 2 "
			"title '2000/s'\n",
			lsize, lnames, lblocks - 1, lblocks - 1);
	fprintf(f, "unset multiplot\n");
	if (rbb_close_out(f, rep, "rbbench.gp"))
		return 1;
	pid = fork();
	if (pid < 0)
		return tk_fail("cannot run gnuplot: %s", strerror(errno));
	if (pid == 0) {
		if (chdir(rep->o->outdir))
			_exit(126);
		execlp("gnuplot", "gnuplot", "rbbench.gp", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return tk_fail("gnuplot failed");
	if (WEXITSTATUS(status) == 127)
		return tk_fail("cannot draw the chart: gnuplot not found (apt-get install "
			       "gnuplot-nox, or make deps)");
	if (WEXITSTATUS(status))
		return tk_fail("gnuplot failed on %s/rbbench.gp", rep->o->outdir);
	return 0;
}
