// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench: what does it cost to get an event from BPF to userspace, by
 * transport (perf buffer, ring buffer copy, reserve/submit, dynptr), event
 * size, wakeup policy and number of producing CPUs?
 *
 * Every configuration is run once per round, rounds interleaved, so a
 * disturbance on this shared machine hits one round of everything rather
 * than every round of one thing; the report gives min/median/max over
 * rounds and ratios computed within a round.
 *
 * The default matrix answers one question per group:
 *   size     cost and throughput by event size, per transport (the chart)
 *   policy   what each wakeup policy costs the producer and the consumer
 *   cpus     all CPUs producing into one ring buffer vs per-CPU perf buffers
 *   syscall  one event per syscall, like a real tracer
 *   paced    1 M events/s, the design target: CPU share, latency, drops
 *   latency  event-to-consumer latency and wakeups/s by wakeup policy at
 *            50 (one event every 20 ms), 1k, 100k and 1M events/s, with
 *            produced, received and lost counted for each
 *
 * This file is the top layer (see rbbench_model.h for the others): options,
 * the matrix, the round loop over the measurement layer, and which of the
 * writers run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "tk.h"
#include "rbbench_run.h"
#include "rbbench_write.h"

/* ---- the matrix ------------------------------------------------------------ */
struct matrix {
	struct rbb_config *v;
	size_t n, cap;
};

/* Adds a point unless an earlier group has it already. */
static int add(struct matrix *m, const struct rbb_config *c)
{
	for (size_t i = 0; i < m->n; i++)
		if (rbb_same_point(&m->v[i], c))
			return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct rbb_config *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = *c;
	return 0;
}

static const int SENDING[] = { RBB_T_PERF, RBB_T_OUTPUT, RBB_T_RESERVE, RBB_T_DYNPTR };
#define NSENDING (sizeof(SENDING) / sizeof(SENDING[0]))

/*
 * The size sweep runs on a ring of RBB_SWEEP_RINGBUF (unless --ringbuf-size
 * is given): at 4 KiB a 4 MiB ring holds ~150 us of flat-out production,
 * less than a consumer wakeup can take on a VM, so its runs would drop
 * events and measure cheap failed reservations instead of sends. Every
 * other group uses tracekit's default ring, and the cpus group keeps a
 * 4 KiB row at that size to show the drops.
 */
#define RBB_SWEEP_RINGBUF (32ULL << 20)

static int default_matrix(const struct rbb_opts *o, struct matrix *m)
{
	static const unsigned sizes[] = { 16, 32, 64, 256, 1024, 4096 };
	static const int size_transports[] = { RBB_T_PERF, RBB_T_OUTPUT, RBB_T_RESERVE,
						RBB_T_DYNPTR, RBB_T_NONE };
	static const struct { int policy; unsigned every; } policies[] = {
		{ RBB_W_EVENT, 0 }, { RBB_W_EVERY, 1 }, { RBB_W_EVERY, 64 }, { RBB_W_NOWAKE, 0 },
		{ RBB_W_BATCH, 0 }, { RBB_W_BOUNDED, 0 },
	};
	unsigned long long rb = o->ringbuf_size;
	unsigned long long sweep = o->ringbuf_given ? rb : RBB_SWEEP_RINGBUF;
	int err = 0;

	for (size_t t = 0; t < 5; t++)
		for (size_t s = 0; s < 6; s++)
			err |= add(m, &(struct rbb_config){ "size", size_transports[t], RBB_W_BATCH,
							    0, sizes[s], 1, 64, 0, sweep, 0 });
	for (size_t t = 0; t < NSENDING; t++)
		for (size_t p = 0; p < 6; p++)
			err |= add(m, &(struct rbb_config){ "policy", SENDING[t],
							    policies[p].policy, policies[p].every,
							    64, 1, 64, 0, rb, 0 });
	for (size_t t = 0; t < NSENDING && o->ncpus > 1; t++) {
		err |= add(m, &(struct rbb_config){ "cpus", SENDING[t], RBB_W_BATCH, 0, 64,
						    o->ncpus, 64, 0, rb, 0 });
		err |= add(m, &(struct rbb_config){ "cpus", SENDING[t], RBB_W_BATCH, 0, 4096, 1,
						    64, 0, rb, 0 });
		err |= add(m, &(struct rbb_config){ "cpus", SENDING[t], RBB_W_BATCH, 0, 4096,
						    o->ncpus, 64, 0, rb, 0 });
	}
	for (size_t t = 0; t < NSENDING; t++) {
		err |= add(m, &(struct rbb_config){ "syscall", SENDING[t], RBB_W_EVENT, 0, 64, 1, 1,
						    0, rb, 0 });
		err |= add(m, &(struct rbb_config){ "syscall", SENDING[t], RBB_W_BATCH, 0, 64, 1, 1,
						    0, rb, 0 });
	}
	/* the seed's target: 1 M events/s of its 32-byte event */
	for (size_t t = 0; t < NSENDING; t++) {
		err |= add(m, &(struct rbb_config){ "paced", SENDING[t], RBB_W_EVENT, 0, 32, 1, 64,
						    1e6, rb, 0 });
		err |= add(m, &(struct rbb_config){ "paced", SENDING[t], RBB_W_BATCH, 0, 32, 1, 64,
						    1e6, rb, 0 });
	}
	/*
	 * Delivery latency by policy and rate: one event per syscall as a
	 * tracer makes them, 64 per call at 1M (one producer cannot make a
	 * million syscalls a second). The low rate runs long enough for ~100
	 * events a round; 1 event/s is the same regime as 50 (every event
	 * finds the consumer idle again) with too few events to rank.
	 */
	static const double rates[] = { 50, 1e3, 1e5, 1e6 };
	static const int lat_policies[] = { RBB_W_EVENT, RBB_W_BATCH, RBB_W_BOUNDED };

	for (size_t r = 0; r < 4; r++)
		for (size_t p = 0; p < 3; p++)
			err |= add(m, &(struct rbb_config){ "latency", RBB_T_RESERVE, lat_policies[p],
							    0, 32, 1, rates[r] < 1e6 ? 1 : 64,
							    rates[r], rb,
							    rates[r] < 100 ? 100 / rates[r] : 0 });
	return err ? tk_fail("out of memory") : 0;
}

/* ---- options ------------------------------------------------------------------ */
#define MAXLIST 16
struct lists {
	int transports[MAXLIST], policies[MAXLIST];
	unsigned everys[MAXLIST], sizes[MAXLIST], producers[MAXLIST], batches[MAXLIST];
	size_t nt, np, ns, nprod, nb;
	double rate;
	bool custom;
};

enum {
	OPT_DRAIN = 256,
	OPT_RINGBUF,
	OPT_PROCTRACE,
	OPT_EXECS,
};

static const struct option long_opts[] = {
	{ "transport", required_argument, NULL, 't' },
	{ "wakeup", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 's' },
	{ "producers", required_argument, NULL, 'P' },
	{ "batch", required_argument, NULL, 'b' },
	{ "rate", required_argument, NULL, 'r' },
	{ "duration", required_argument, NULL, 'd' },
	{ "rounds", required_argument, NULL, 'R' },
	{ "drain-ms", required_argument, NULL, OPT_DRAIN },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
	{ "proctrace", required_argument, NULL, OPT_PROCTRACE },
	{ "execs", required_argument, NULL, OPT_EXECS },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("Usage: rbbench [OPTIONS]\n"
	       "Measure BPF-to-userspace event transports: perf buffer, ring buffer copy,\n"
	       "reserve/submit and dynptr, by event size, wakeup policy and producing CPUs.\n"
	       "\n"
	       "Without -t/-w/-s/-P/-b/-r it runs the default matrix (< 4 min on 2 idle CPUs);\n"
	       "with any of them, every combination of the lists given (defaults: reserve,\n"
	       "batch, 64, 1, 64, flat out).\n"
	       "\n"
	       "Options:\n"
	       "  -t, --transport LIST     perf,output,reserve,dynptr,none\n"
	       "  -w, --wakeup LIST        event,every:N,nowake,batch,bounded\n"
	       "                           (bounded: tracekit's default)\n"
	       "  -s, --size LIST          event bytes, %d..%d, multiples of 8\n"
	       "  -P, --producers LIST     producing threads, one per CPU: 1..CPUs, or 'all'\n"
	       "  -b, --batch LIST         events made per getpgid() call, 1..%d\n"
	       "  -r, --rate N             target events/s over all producers (K/M ok); 0: flat out\n"
	       "  -d, --duration SECONDS   measured window per run (default 0.25)\n"
	       "  -R, --rounds N           interleaved rounds, min/median/max over them (default 3)\n"
	       "      --drain-ms MS        consumer drain period for nowake/batch (default %d)\n"
	       "      --ringbuf-size BYTES ring buffer; the perf buffer gets the same in total\n"
	       "                           (default 4M as in the tools; the default matrix's size\n"
	       "                           sweep uses 32M unless this is given)\n"
	       "      --proctrace PATH     add the end-to-end row: this proctrace under an exec\n"
	       "                           loop, ring buffer vs --perfbuf vs untraced; and the\n"
	       "                           reader-on-a-pipe check: proctrace -j -e exec | reader\n"
	       "                           at %d execs/s, latency by --wakeup bounded, batch, event\n"
	       "      --execs N            execs per end-to-end run (default 1000)\n"
	       "  -o, --output DIR         also write DIR/rbbench.{txt,csv,jsonl,png},\n"
	       "                           rbbench-e2e.csv and the chart's data and script\n"
	       "  -v, --verbose            per-run details and libbpf messages\n"
	       "  -h, --help               show this help\n"
	       "  -V, --version            show the version\n"
	       "\n"
	       "Needs root. Numbers on a shared machine are noisy: compare ratios taken within\n"
	       "one round (the report prints them).\n"
	       "\n"
	       "Examples:\n"
	       "  rbbench -o build/bench --proctrace bin/proctrace   # what `make bench` runs\n"
	       "  rbbench -t output,reserve -s 64,4096 -w event,batch -R 5\n"
	       "  rbbench -t reserve -s 32 -r 1M -w event,batch     # the 1 M events/s target\n",
	       RBB_MIN_SIZE, RBB_MAX_SIZE, RBB_MAX_BATCH, TK_DEFAULT_DRAIN_MS, RBB_PIPE_RATE);
}

/* Splits a comma-separated list; parse_one returns 0 or -1 per item. */
static int parse_list(const char *what, const char *arg, size_t *n,
		      int (*parse_one)(const char *item, size_t i, void *ctx), void *ctx)
{
	char *copy = strdup(arg), *rest = copy, *tok;
	int rc = 0;

	if (!copy)
		return tk_fail("out of memory");
	*n = 0;
	while ((tok = strsep(&rest, ","))) { /* strsep: "a,,b" has an empty item */
		if (*n == MAXLIST) {
			rc = tk_usage_error("too many %s values (at most %d)", what, MAXLIST);
			break;
		}
		if (parse_one(tok, *n, ctx)) {
			rc = tk_usage_error("invalid %s '%s'", what, tok);
			break;
		}
		(*n)++;
	}
	free(copy);
	return rc;
}

static int one_transport(const char *s, size_t i, void *ctx)
{
	struct lists *l = ctx;

	for (int t = 0; t < RBB_T__COUNT; t++) {
		if (!strcmp(s, rbb_transport_names[t])) {
			l->transports[i] = t;
			return 0;
		}
	}
	return -1;
}

static int one_policy(const char *s, size_t i, void *ctx)
{
	struct lists *l = ctx;
	__u64 n;

	l->everys[i] = 0;
	if (!strcmp(s, "event"))
		l->policies[i] = RBB_W_EVENT;
	else if (!strcmp(s, "nowake"))
		l->policies[i] = RBB_W_NOWAKE;
	else if (!strcmp(s, "batch"))
		l->policies[i] = RBB_W_BATCH;
	else if (!strcmp(s, "bounded"))
		l->policies[i] = RBB_W_BOUNDED;
	else if (!strncmp(s, "every:", 6) && !tk_parse_u64(s + 6, 1, 1000000, false, &n)) {
		l->policies[i] = RBB_W_EVERY;
		l->everys[i] = n;
	} else
		return -1;
	return 0;
}

static int one_size(const char *s, size_t i, void *ctx)
{
	__u64 v;

	if (tk_parse_u64(s, RBB_MIN_SIZE, RBB_MAX_SIZE, true, &v) || v % 8)
		return -1;
	((struct lists *)ctx)->sizes[i] = v;
	return 0;
}

static unsigned ncpus_for_parse;

static int one_producers(const char *s, size_t i, void *ctx)
{
	__u64 v;

	if (!strcmp(s, "all"))
		v = ncpus_for_parse;
	else if (tk_parse_u64(s, 1, ncpus_for_parse, false, &v))
		return -1;
	((struct lists *)ctx)->producers[i] = v;
	return 0;
}

static int one_batch(const char *s, size_t i, void *ctx)
{
	__u64 v;

	if (tk_parse_u64(s, 1, RBB_MAX_BATCH, false, &v))
		return -1;
	((struct lists *)ctx)->batches[i] = v;
	return 0;
}

/* Events per second: decimal K (1000) and M (1000000) suffixes. */
static int parse_rate(const char *s, double *out)
{
	size_t n = strlen(s);
	char digits[32];
	double mult = 1;
	__u64 v;

	if (!n || n >= sizeof(digits))
		return -1;
	memcpy(digits, s, n + 1);
	if (strchr("kK", digits[n - 1]))
		mult = 1e3;
	else if (strchr("mM", digits[n - 1]))
		mult = 1e6;
	if (mult > 1)
		digits[n - 1] = 0;
	if (tk_parse_u64(digits, 0, 100000000, false, &v) || v * mult > 1e8)
		return -1;
	*out = v * mult;
	return 0;
}

static int parse_args(int argc, char **argv, struct rbb_opts *o, struct lists *l)
{
	int c;
	__u64 v;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:w:s:P:b:r:d:R:o:vhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_list("transport", optarg, &l->nt, one_transport, l))
				return 2;
			l->custom = true;
			break;
		case 'w':
			if (parse_list("wakeup policy", optarg, &l->np, one_policy, l))
				return 2;
			l->custom = true;
			break;
		case 's':
			if (parse_list("size", optarg, &l->ns, one_size, l))
				return 2;
			l->custom = true;
			break;
		case 'P':
			if (parse_list("producer count", optarg, &l->nprod, one_producers, l))
				return 2;
			l->custom = true;
			break;
		case 'b':
			if (parse_list("batch", optarg, &l->nb, one_batch, l))
				return 2;
			l->custom = true;
			break;
		case 'r':
			if (parse_rate(optarg, &l->rate))
				return tk_usage_error("invalid rate '%s' (0..100M events/s)", optarg);
			l->custom = true;
			break;
		case 'd':
			if (tk_parse_seconds(optarg, &o->duration) || o->duration < 0.01 ||
			    o->duration > 60)
				return tk_usage_error("invalid duration '%s' (0.01..60 s)", optarg);
			break;
		case 'R':
			if (tk_parse_u64(optarg, 1, 100, false, &v))
				return tk_usage_error("invalid rounds '%s' (1..100)", optarg);
			o->rounds = v;
			break;
		case OPT_DRAIN:
			if (tk_parse_u64(optarg, 1, 1000, false, &v))
				return tk_usage_error("invalid drain interval '%s' (1..1000 ms)", optarg);
			o->drain_ms = v;
			break;
		case OPT_RINGBUF:
			if (tk_parse_u64(optarg, 1 << 16, 1ULL << 30, true, &v) || (v & (v - 1)))
				return tk_usage_error("invalid ring buffer size '%s': a power of two "
						      "from 64K to 1G", optarg);
			o->ringbuf_size = v;
			o->ringbuf_given = true;
			break;
		case OPT_PROCTRACE:
			o->proctrace = optarg;
			break;
		case OPT_EXECS:
			if (tk_parse_u64(optarg, 1, 1000000, false, &v))
				return tk_usage_error("invalid exec count '%s' (1..1000000)", optarg);
			o->execs = v;
			break;
		case 'o':
			if (!*optarg)
				return tk_usage_error("empty output directory");
			o->outdir = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage();
			exit(0);
		case 'V':
			printf("rbbench (tracekit) %s\n", TK_VERSION);
			exit(0);
		case ':':
			return tk_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				return tk_usage_error("unknown option '-%c'", optopt);
			return tk_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return tk_usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

static int custom_matrix(const struct rbb_opts *o, const struct lists *l, struct matrix *m)
{
	const int dt = RBB_T_RESERVE, dp = RBB_W_BATCH;
	const unsigned ds = 64, dprod = 1, db = 64;

	for (size_t t = 0; t < (l->nt ? l->nt : 1); t++)
		for (size_t p = 0; p < (l->np ? l->np : 1); p++)
			for (size_t s = 0; s < (l->ns ? l->ns : 1); s++)
				for (size_t c = 0; c < (l->nprod ? l->nprod : 1); c++)
					for (size_t b = 0; b < (l->nb ? l->nb : 1); b++) {
						struct rbb_config cfg = {
							.group = "custom",
							.transport = l->nt ? l->transports[t] : dt,
							.policy = l->np ? l->policies[p] : dp,
							.every = l->np ? l->everys[p] : 0,
							.size = l->ns ? l->sizes[s] : ds,
							.producers = l->nprod ? l->producers[c] : dprod,
							.batch = l->nb ? l->batches[b] : db,
							.rate = l->rate,
							.ringbuf = o->ringbuf_size,
						};

						if (add(m, &cfg))
							return tk_fail("out of memory");
					}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	rbb_interrupted = 1;
}

static int allowed_cpus(struct rbb_opts *o)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return tk_fail("cannot read the CPU affinity: %s", strerror(errno));
	o->ncpus = 0;
	for (int c = 0; c < CPU_SETSIZE && o->ncpus < RBB_MAX_CPUS; c++)
		if (CPU_ISSET(c, &set))
			o->cpus[o->ncpus++] = c;
	return o->ncpus ? 0 : tk_fail("no CPU to run on");
}

/* The consumer reads the clock once per event: say what that costs (the
 * best of a few tries, so a preemption does not inflate it). */
static double clock_cost_ns(clockid_t clock)
{
	double best = INFINITY;
	struct timespec ts;
	const int n = 50000;

	for (int k = 0; k < 5; k++) {
		double t0 = rbb_now();

		for (int i = 0; i < n; i++)
			clock_gettime(clock, &ts);
		best = fmin(best, (rbb_now() - t0) * 1e9 / n);
	}
	return best;
}

/* The clock of the records' ts_ns on this kernel, as the tools find it. */
static clockid_t event_clock(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	clockid_t c = btf ? tk_event_clock(btf) : CLOCK_MONOTONIC;

	btf__free(btf);
	return c;
}

static void progress(const struct rbb_config *c, unsigned round, unsigned rounds, size_t i,
		     size_t n)
{
	char pb[24];

	fprintf(stderr, "rbbench: round %u/%u %3zu/%zu %-7s %-7s %-8s %4uB P%u x%u%s\n",
		round + 1, rounds, i + 1, n, c->group, rbb_transport_name(c->transport),
		rbb_policy_name(c, pb, sizeof(pb)), c->size, c->producers, c->batch,
		c->rate > 0 ? " paced" : "");
}

/* The text report, CSV, JSON Lines and the chart into o->outdir. */
static int write_files(const struct rbb_report *rep)
{
	int rc = 0;

	if (rbb_write_text(rep))
		return 1;
	rc |= rbb_write_csv(rep);
	rc |= rbb_write_jsonl(rep);
	if (rep->e2e)
		rc |= rbb_write_e2e_csv(rep);
	rc |= rbb_write_chart(rep);
	if (!rc)
		fprintf(stderr, "rbbench: wrote %s/rbbench.{txt,csv,jsonl,png}%s\n", rep->o->outdir,
			rep->e2e ? " and rbbench-e2e.csv" : "");
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct rbb_opts o = {
		.duration = 0.25,
		.rounds = 3,
		.drain_ms = TK_DEFAULT_DRAIN_MS,
		.ringbuf_size = TK_DEFAULT_RINGBUF_SIZE,
		.execs = 1000,
	};
	struct lists l = {};
	struct matrix m = {};
	struct rbb_report rep = {};
	struct sigaction sa = { .sa_handler = on_signal };
	bool *broken = NULL, stats_on = false, e2e_ready = false;
	unsigned unbalanced = 0, failed = 0;
	double t0 = rbb_now();
	int rc;

	tk_prog = "rbbench";
	rc = allowed_cpus(&o);
	if (rc)
		return rc;
	ncpus_for_parse = o.ncpus;
	rc = parse_args(argc, argv, &o, &l);
	if (rc)
		return rc;
	rc = tk_preflight();
	if (rc)
		return rc;
	if (!o.verbose)
		libbpf_set_print(NULL);
	rc = l.custom ? custom_matrix(&o, &l, &m) : default_matrix(&o, &m);
	if (rc)
		goto cleanup;
	if (o.outdir && mkdir(o.outdir, 0755) && errno != EEXIST) {
		rc = tk_fail("cannot create %s: %s", o.outdir, strerror(errno));
		goto cleanup;
	}
	rep.o = &o;
	rep.cfg = m.v;
	rep.ncfg = m.n;
	rep.res = calloc(o.rounds * m.n, sizeof(*rep.res));
	broken = calloc(m.n, sizeof(*broken));
	if (o.proctrace) {
		rep.e2e = calloc(o.rounds * RBB_E2E__COUNT, sizeof(*rep.e2e));
		rep.pipe = calloc(RBB_PIPE__COUNT, sizeof(*rep.pipe));
	}
	if (!rep.res || !broken || (o.proctrace && (!rep.e2e || !rep.pipe))) {
		rc = tk_fail("out of memory");
		goto cleanup;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = rbb_stats_enable();
	if (rc)
		goto cleanup;
	stats_on = true;
	if (o.proctrace) {
		rc = rbb_e2e_prepare(&o);
		if (rc)
			goto cleanup;
		e2e_ready = true;
	}
	o.event_clock = event_clock();
	o.clock_ns = clock_cost_ns(o.event_clock);
	fprintf(stderr, "rbbench: %zu configurations x %u rounds, %.2f s each%s\n", m.n, o.rounds,
		o.duration, o.proctrace ? ", then the end-to-end row" : "");

	for (unsigned r = 0; r < o.rounds && !rbb_interrupted; r++) {
		for (size_t i = 0; i < m.n && !rbb_interrupted; i++) {
			struct rbb_result *res = &rep.res[r * m.n + i];

			if (broken[i])
				continue;
			if (o.verbose)
				progress(&m.v[i], r, o.rounds, i, m.n);
			if (rbb_run(&o, &m.v[i], res)) {
				if (rbb_interrupted)
					break;
				broken[i] = true; /* said why; do not retry it every round */
				failed++;
				continue;
			}
			if (!res->balanced) {
				unbalanced++;
				fprintf(stderr, "rbbench: %s %s %uB: consumed events do not match "
					"the kernel's count\n", m.v[i].group,
					rbb_transport_name(m.v[i].transport), m.v[i].size);
			}
		}
		for (int v = 0; o.proctrace && v < RBB_E2E__COUNT && !rbb_interrupted; v++)
			if (rbb_e2e_run(&o, v, &rep.e2e[r * RBB_E2E__COUNT + v]) && !rbb_interrupted)
				failed++;
		for (int v = 0; o.proctrace && v < RBB_PIPE__COUNT && !rbb_interrupted; v++)
			if (rbb_pipe_run(&o, v, &rep.pipe[v]) && !rbb_interrupted)
				failed++;
		if (!rbb_interrupted) {
			rep.rounds = r + 1;
			fprintf(stderr, "rbbench: round %u/%u done (%.0f s)\n", r + 1, o.rounds,
				rbb_now() - t0);
		}
	}
	if (rbb_interrupted) {
		rc = tk_fail("interrupted");
		goto cleanup;
	}
	rep.elapsed = rbb_now() - t0;
	rbb_print_report(stdout, &rep);
	fflush(stdout);
	if (o.outdir)
		rc = write_files(&rep);
	if (failed)
		rc = tk_fail("%u configuration(s) or end-to-end runs failed (see above)", failed);
	else if (unbalanced)
		rc = tk_fail("%u run(s) lost track of events (see above)", unbalanced);

cleanup:
	if (stats_on)
		rbb_stats_restore();
	if (e2e_ready)
		rbb_e2e_cleanup();
	free(rep.res);
	free(rep.e2e);
	free(rep.pipe);
	free(broken);
	free(m.v);
	return rc;
}
