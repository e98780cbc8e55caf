// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's measurement layer (rbbench_run.h): one measured run of one
 * configuration.
 *
 *  - producers: one thread per CPU (pinned) calling getpgid() flat out, or
 *    paced to the target rate; each call makes `batch` events in the kernel;
 *  - consumer: one thread, epoll on the ring (or perf) buffer, then drain,
 *    like user/tk_run.c: it waits for a wakeup at most drain-ms under the
 *    policies that do not wake it per event, 100 ms under the others, and
 *    as tk_wake_next() says under 'bounded';
 *  - the main thread snapshots every counter after a warm-up and again
 *    after the measured window, so start-up and the final drain are not in
 *    the rates; latency is sampled for the events stamped inside the window.
 *
 * Each run loads a fresh skeleton (settings are rodata, so the verifier
 * prunes everything the configuration does not use) and an empty buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tk.h"
#include "rbbench_run.h"
#include "stats.h"
#include "rbbench.skel.h"

/* ---- bpf_stats ----------------------------------------------------------
 * BPF_ENABLE_STATS keeps run-time accounting on while its fd is open and is
 * reference-counted, so neither a crash nor another user of the sysctl can
 * leave it in the wrong state. The sysctl is the fallback, restored after.
 */
static int stats_fd = -1;
static int sysctl_old = -1;
#define STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"

static int sysctl_rw(int set)
{
	char buf[16] = "";
	int fd = open(STATS_SYSCTL, set < 0 ? O_RDONLY : O_WRONLY);
	int v = -1;

	if (fd < 0)
		return -1;
	if (set < 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			v = atoi(buf);
	} else {
		v = dprintf(fd, "%d\n", set) > 0 ? set : -1;
	}
	close(fd);
	return v;
}

int rbb_stats_enable(void)
{
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd >= 0)
		return 0;
	sysctl_old = sysctl_rw(-1);
	if (sysctl_old < 0 || sysctl_rw(1) != 1) {
		sysctl_old = -1;
		return tk_fail("cannot enable BPF run-time statistics (BPF_ENABLE_STATS: %s; "
			       "%s not writable)", strerror(errno), STATS_SYSCTL);
	}
	return 0;
}

void rbb_stats_restore(void)
{
	if (stats_fd >= 0)
		close(stats_fd);
	stats_fd = -1;
	if (sysctl_old >= 0 && sysctl_old != 1)
		sysctl_rw(sysctl_old);
	sysctl_old = -1;
}

/* ---- the run's shared state ---------------------------------------------- */
struct run {
	const struct rbb_opts *o;
	const struct rbb_config *c;
	struct tk_ring ring, *rb; /* rb: &ring, once open */
	struct perf_buffer *pb;
	int timeout_ms;
	bool bounded; /* the ring under 'bounded': tk_wake_next() sets the waits */
	struct tk_wake wake; /* its flag and the ring's positions, mapped */
	atomic_bool stop_producers, stop_consumer;
	/* written by the consumer only; read by the main thread */
	/* wakeups: returns from the wait with data */
	_Atomic __u64 consumed, wakeups;
	_Atomic pid_t cons_tid; /* the consumer thread's, once it runs */
	__u64 malformed;
	struct tk_perf_sink perf; /* perf.lost: PERF_RECORD_LOST tally */
	bool poll_failed;
	/* latency is sampled for events stamped in [lat_from, lat_to) */
	_Atomic __s64 lat_from, lat_to;
	struct bs_hist lat;
	double period_ns; /* per producer and trigger; 0 = flat out */
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	const struct rbb_event *e = data;
	__u64 n = atomic_load_explicit(&r->consumed, memory_order_relaxed);

	atomic_store_explicit(&r->consumed, n + 1, memory_order_relaxed);
	/* perf pads raw samples to 8 bytes: size may exceed e->size */
	if (size < sizeof(*e) || e->size != r->c->size || e->size > size) {
		r->malformed++;
		return 0;
	}
	if ((__s64)e->ts_ns >= atomic_load_explicit(&r->lat_from, memory_order_relaxed) &&
	    (__s64)e->ts_ns < atomic_load_explicit(&r->lat_to, memory_order_relaxed)) {
		__s64 lat = tk_now_ns(r->o->event_clock) - (__s64)e->ts_ns;

		bs_hist_add(&r->lat, lat > 0 ? (__u64)lat : 0);
	}
	return 0;
}

static int consume(struct run *r)
{
	return r->rb ? tk_ring_consume(r->rb) : perf_buffer__consume(r->pb);
}

static void *consumer(void *arg)
{
	struct run *r = arg;
	int efd = r->rb ? r->rb->epfd : perf_buffer__epoll_fd(r->pb);
	struct epoll_event evs[RBB_MAX_CPUS];
	int timeout = r->timeout_ms, got;

	atomic_store(&r->cons_tid, (pid_t)syscall(SYS_gettid));
	while (!atomic_load(&r->stop_consumer)) {
		int n = epoll_wait(efd, evs, RBB_MAX_CPUS, timeout);

		if (n > 0) {
			__u64 w = atomic_load_explicit(&r->wakeups, memory_order_relaxed);

			atomic_store_explicit(&r->wakeups, w + 1, memory_order_relaxed);
		} else if (n < 0 && errno != EINTR) {
			r->poll_failed = true;
			break;
		}
		got = consume(r);
		if (got < 0) {
			r->poll_failed = true;
			break;
		}
		if (r->bounded)
			timeout = tk_wake_next(&r->wake, n > 0 || got > 0,
					       tk_now_ns(CLOCK_MONOTONIC), r->timeout_ms);
	}
	/* producers have stopped: take everything that is left */
	while (consume(r) > 0)
		;
	return NULL;
}

struct producer {
	struct run *r;
	pthread_t th;
	bool started;
};

static void *producer(void *arg)
{
	struct producer *p = arg;
	struct run *r = p->r;
	__s64 next = tk_now_ns(CLOCK_MONOTONIC), period = (__s64)r->period_ns;

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* pacing sleeps must be short */
	while (!atomic_load_explicit(&r->stop_producers, memory_order_relaxed)) {
		if (period) {
			__s64 now = tk_now_ns(CLOCK_MONOTONIC);

			next += period;
			if (next < now) {
				next = now; /* fell behind: no catch-up burst */
			} else {
				if (next - now > 200000) {
					struct timespec ts = {
						.tv_sec = (next - 100000) / 1000000000,
						.tv_nsec = (next - 100000) % 1000000000,
					};

					clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
				}
				while (tk_now_ns(CLOCK_MONOTONIC) < next)
					;
			}
		}
		syscall(SYS_getpgid, 0);
	}
	return NULL;
}

/* ---- snapshots --------------------------------------------------------------- */
struct snap {
	__s64 wall;
	__u64 emitted, lost;
	__u64 trig_ns, trig_cnt, noop_ns, noop_cnt;
	__s64 cons_cpu, prod_cpu;
	__u64 consumed, wakeups, sleeps;
};

/*
 * How often the consumer thread has slept (voluntary context switches):
 * every sleep in its wait ends in a wakeup, by the producer's or by the
 * timeout, so this counts the wakeups a policy costs, timer drains
 * included, and not the returns of a level-triggered epoll that found
 * data without sleeping.
 */
static __u64 thread_sleeps(pid_t tid)
{
	char path[64], line[128];
	unsigned long long n = 0;
	FILE *f;

	if (!tid)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void prog_stats(struct bpf_program *p, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*ns = *cnt = 0;
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len)) {
		*ns = info.run_time_ns;
		*cnt = info.run_cnt;
	}
}

static void stat_sums(struct rbbench_bpf *skel, __u64 *emitted, __u64 *lost)
{
	__u64 v[TK_STAT__COUNT];

	tk_read_stats(skel->maps.tk_stats, v); /* unread slots come back 0 */
	*emitted = v[TK_STAT_EMITTED];
	*lost = v[TK_STAT_LOST];
}

static void take_snap(struct rbbench_bpf *skel, struct run *r, pthread_t cons,
		      const struct producer *prods, unsigned nprod, struct snap *s)
{
	clockid_t clk;

	memset(s, 0, sizeof(*s));
	s->wall = tk_now_ns(CLOCK_MONOTONIC);
	stat_sums(skel, &s->emitted, &s->lost);
	prog_stats(skel->progs.tk_bench_trigger, &s->trig_ns, &s->trig_cnt);
	prog_stats(skel->progs.tk_bench_noop, &s->noop_ns, &s->noop_cnt);
	if (!pthread_getcpuclockid(cons, &clk))
		s->cons_cpu = tk_now_ns(clk);
	for (unsigned i = 0; i < nprod; i++)
		if (!pthread_getcpuclockid(prods[i].th, &clk))
			s->prod_cpu += tk_now_ns(clk);
	s->consumed = atomic_load(&r->consumed);
	s->wakeups = atomic_load(&r->wakeups);
	s->sleeps = thread_sleeps(atomic_load(&r->cons_tid));
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}

static void compute(const struct rbb_config *c, struct run *r, const struct snap *a,
		    const struct snap *b, struct rbb_result *res)
{
	double wall = (double)(b->wall - a->wall);
	double produced = (double)((b->emitted + b->lost) - (a->emitted + a->lost));
	double consumed = (double)(b->consumed - a->consumed);
	double trig_ns = (double)(b->trig_ns - a->trig_ns);
	bool sends = c->transport != RBB_T_NONE;

	res->m[RBB_M_PROD_EPS] = ratio(produced * 1e9, wall);
	res->m[RBB_M_CONS_EPS] = sends ? ratio(consumed * 1e9, wall) : NAN;
	res->m[RBB_M_DROP_PCT] = sends ? ratio(100.0 * (double)(b->lost - a->lost), produced) : NAN;
	res->m[RBB_M_BPF_NS] = bs_net_per_event(trig_ns, (double)(b->trig_cnt - a->trig_cnt),
						(double)(b->noop_ns - a->noop_ns),
						(double)(b->noop_cnt - a->noop_cnt), produced);
	/* paced producers spin between calls: their CPU time says nothing */
	res->m[RBB_M_PROD_NS] = c->rate > 0 ? NAN
					    : ratio((double)(b->prod_cpu - a->prod_cpu), produced);
	res->m[RBB_M_CONS_NS] = sends ? ratio((double)(b->cons_cpu - a->cons_cpu), consumed) : NAN;
	res->m[RBB_M_WAKE_K] = sends ? ratio(1000.0 * (double)(b->wakeups - a->wakeups), consumed)
				     : NAN;
	res->m[RBB_M_WAKE_S] = sends ? ratio(1e9 * (double)(b->sleeps - a->sleeps), wall) : NAN;
	if (r->lat.count) {
		res->m[RBB_M_LAT_P50] = bs_hist_percentile(&r->lat, 50) / 1e3;
		res->m[RBB_M_LAT_P99] = bs_hist_percentile(&r->lat, 99) / 1e3;
		res->m[RBB_M_LAT_MAX] = r->lat.max / 1e3;
	} else {
		res->m[RBB_M_LAT_P50] = res->m[RBB_M_LAT_P99] = res->m[RBB_M_LAT_MAX] = NAN;
	}
	res->m[RBB_M_CPU_PCT] =
		ratio(100.0 * (trig_ns + (sends ? (double)(b->cons_cpu - a->cons_cpu) : 0)), wall);
	res->valid = produced > 0;
}

/* ---- setup --------------------------------------------------------------------- */
/* tracekit's perf buffer; the policy decides when perf wakes the consumer */
static struct perf_buffer *open_perf(const struct rbb_opts *o, const struct rbb_config *c,
				     struct rbbench_bpf *skel, struct run *r)
{
	/* bounded: as batch, since perf takes no per-event flags */
	unsigned events = c->policy == RBB_W_EVENT ? 1 : c->policy == RBB_W_EVERY ? c->every : 0;

	r->perf.sample = on_event;
	r->perf.ctx = r;
	(void)o;
	return tk_perfbuf_new(bpf_map__fd(skel->maps.tk_pb), c->ringbuf, events,
			      c->policy == RBB_W_NOWAKE ? 100 : 50, &r->perf);
}

static struct rbbench_bpf *load(const struct rbb_opts *o, const struct rbb_config *c)
{
	struct rbbench_bpf *skel = rbbench_bpf__open();
	bool ring = c->transport != RBB_T_PERF && c->transport != RBB_T_NONE;
	int err;

	if (!skel) {
		tk_fail("cannot open the BPF object: %s", strerror(errno));
		return NULL;
	}
	skel->rodata->rbb_tgid = getpid();
	skel->rodata->rbb_transport = c->transport;
	skel->rodata->rbb_policy = c->policy;
	skel->rodata->rbb_every = c->every ? c->every : 1;
	skel->rodata->rbb_size = c->size;
	skel->rodata->rbb_batch = c->batch;
	skel->data->rbb_dyn_size = c->size;
	/* tracekit's own batch or bounded policy, set up as TK_APPLY_RODATA does */
	skel->rodata->tk_wakeup = c->policy == RBB_W_BOUNDED ? TK_WAKEUP_BOUNDED : TK_WAKEUP_BATCH;
	skel->rodata->tk_wakeup_bytes = c->ringbuf / 2;
	skel->rodata->tk_wakeup_mask = tk_watermark_mask(c->ringbuf);
	/* the command-mode and scratch maps of tk.bpf.h are not used here */
	bpf_map__set_autocreate(skel->maps.tk_follow_map, false);
	bpf_map__set_autocreate(skel->maps.tk_scratch, false);
	bpf_map__set_autocreate(skel->maps.tk_scratch_depth, false);
	err = bpf_map__set_max_entries(skel->maps.tk_rb,
				       ring ? (__u32)c->ringbuf : (__u32)getpagesize());
	if (!err)
		err = rbbench_bpf__load(skel);
	if (!err)
		err = rbbench_bpf__attach(skel);
	if (err) {
		tk_fail("%s: loading or attaching failed: %s%s", rbb_transport_name(c->transport),
			strerror(-err), o->verbose ? "" : " (run with -v for libbpf's log)");
		rbbench_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

int rbb_run(const struct rbb_opts *o, const struct rbb_config *c, struct rbb_result *res)
{
	struct run *r = calloc(1, sizeof(*r));
	struct producer prods[RBB_MAX_CPUS] = {};
	struct rbbench_bpf *skel = NULL;
	struct snap a = {}, b = {};
	pthread_t cons;
	bool cons_started = false;
	int rc = 1, err;
	__u64 emitted, lost;

	for (int i = 0; i < RBB_M__COUNT; i++)
		res->m[i] = NAN;
	res->valid = res->balanced = false;
	if (!r)
		return tk_fail("out of memory");
	r->o = o;
	r->c = c;
	bs_hist_reset(&r->lat);
	atomic_store(&r->lat_from, INT64_MAX);
	atomic_store(&r->lat_to, INT64_MAX);
	r->timeout_ms = c->policy == RBB_W_NOWAKE || c->policy == RBB_W_BATCH ||
					(c->policy == RBB_W_BOUNDED && c->transport == RBB_T_PERF)
				? (int)o->drain_ms
				: 100;
	if (c->rate > 0)
		r->period_ns = 1e9 * c->producers * c->batch / c->rate;

	skel = load(o, c);
	if (!skel)
		goto cleanup;
	if (c->transport == RBB_T_PERF)
		r->pb = open_perf(o, c, skel, r);
	else if (c->transport != RBB_T_NONE)
		r->rb = tk_ring_open(&r->ring, bpf_map__fd(skel->maps.tk_rb), on_event, r) ? NULL
											       : &r->ring;
	if (c->transport != RBB_T_NONE && !r->rb && !r->pb) {
		tk_fail("cannot open the %s buffer: %s",
			c->transport == RBB_T_PERF ? "perf" : "ring", strerror(errno));
		goto cleanup;
	}
	/* the ring under 'bounded' (none has no consumer) */
	r->bounded = c->policy == RBB_W_BOUNDED && r->rb;
	if (r->bounded && tk_wake_open(&r->wake, bpf_map__fd(skel->maps.tk_wake), r->rb)) {
		tk_fail("cannot map the wakeup flag: %s", strerror(errno));
		goto cleanup;
	}
	if (c->transport != RBB_T_NONE) {
		pthread_attr_t attr;
		cpu_set_t set;

		/*
		 * The consumer runs where no producer does, if there is such a
		 * CPU: else a wakeup could queue it behind a spinning producer
		 * for a whole time slice. With every CPU producing, it competes.
		 */
		CPU_ZERO(&set);
		for (unsigned i = c->producers; i < o->ncpus; i++)
			CPU_SET(o->cpus[i], &set);
		if (!CPU_COUNT(&set))
			for (unsigned i = 0; i < o->ncpus; i++)
				CPU_SET(o->cpus[i], &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		err = pthread_create(&cons, &attr, consumer, r);
		pthread_attr_destroy(&attr);
		if (err) {
			tk_fail("cannot start the consumer: %s", strerror(err));
			goto cleanup;
		}
		cons_started = true;
	} else {
		cons = pthread_self(); /* its CPU time is not used */
	}
	for (unsigned i = 0; i < c->producers; i++) {
		pthread_attr_t attr;
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o->cpus[i % o->ncpus], &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		prods[i].r = r;
		err = pthread_create(&prods[i].th, &attr, producer, &prods[i]);
		pthread_attr_destroy(&attr);
		if (err) {
			tk_fail("cannot start producer %u: %s", i, strerror(err));
			goto cleanup;
		}
		prods[i].started = true;
	}

	/* warm-up: caches, the first wakeups, a few drain periods */
	rbb_sleep(fmax(0.05, 3 * o->drain_ms / 1e3));
	atomic_store(&r->lat_from, tk_now_ns(o->event_clock));
	take_snap(skel, r, cons, prods, c->producers, &a);
	rbb_sleep(c->duration > 0 ? c->duration : o->duration);
	take_snap(skel, r, cons, prods, c->producers, &b);
	atomic_store(&r->lat_to, tk_now_ns(o->event_clock));
	rc = rbb_interrupted ? 1 : 0;

cleanup:
	atomic_store(&r->stop_producers, true);
	for (unsigned i = 0; i < c->producers; i++)
		if (prods[i].started)
			pthread_join(prods[i].th, NULL);
	atomic_store(&r->stop_consumer, true);
	if (cons_started)
		pthread_join(cons, NULL);
	if (!rc) {
		compute(c, r, &a, &b, res);
		stat_sums(skel, &emitted, &lost);
		/* every event the kernel accepted arrived, and nothing else did */
		res->balanced = c->transport == RBB_T_NONE ||
				(atomic_load(&r->consumed) == emitted && !r->malformed);
		res->produced = emitted + lost;
		res->received = atomic_load(&r->consumed);
		res->lost = lost;
		if (r->poll_failed) {
			rc = tk_fail("polling the buffer failed");
			res->valid = false;
		}
		if (o->verbose)
			fprintf(stderr, "rbbench:   emitted %llu lost %llu consumed %llu "
				"malformed %llu perf-lost %llu\n", (unsigned long long)emitted,
				(unsigned long long)lost,
				(unsigned long long)atomic_load(&r->consumed),
				(unsigned long long)r->malformed,
				(unsigned long long)r->perf.lost);
	}
	tk_wake_close(&r->wake);
	tk_ring_close(&r->ring);
	perf_buffer__free(r->pb);
	if (skel)
		tk_detach_all(skel->skeleton); /* ~100 ms less per run than one by one */
	rbbench_bpf__destroy(skel);
	free(r);
	return rc;
}
