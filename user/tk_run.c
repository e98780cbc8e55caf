// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The runtime: preflight, load/attach, command mode, consumption with a
 * bounded-latency wakeup policy, signals, drain and the loss summary.
 *
 * Wakeup policy. A consumer wakeup (epoll return, context switch) costs
 * ~8-9 µs on the reference VM; a ring-buffer reserve+submit ~60 ns. Waking
 * per event would make the tracer 10-20x more expensive than it needs to be.
 * With the default 'batch' policy the BPF side submits with
 * BPF_RB_NO_WAKEUP and we drain every --drain-ms milliseconds (the latency
 * bound), or earlier when the BPF side forces a wakeup because the buffer is
 * half full. On exit the buffer is drained completely, so
 * received + lost == emitted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "tk.h"

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t last_signal;

static void on_signal(int sig)
{
	exiting = 1;
	last_signal = sig;
	signals_seen++;
}

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!verbose)
		return 0; /* our own messages name the cause; -v shows libbpf's */
	return vfprintf(stderr, fmt, ap);
}

int tk_ensure_tracefs(void)
{
	struct stat st;

	if (!stat("/sys/kernel/tracing/events", &st) ||
	    !stat("/sys/kernel/debug/tracing/events", &st))
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) && errno != EBUSY)
		return tk_fail("tracefs is not mounted and mounting it failed (%s); run: "
			       "mount -t tracefs tracefs /sys/kernel/tracing",
			       strerror(errno));
	return 0;
}

int tk_preflight(void)
{
	if (geteuid() != 0)
		return tk_fail("must run as root (loading BPF needs CAP_BPF and CAP_PERFMON)");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return tk_fail("kernel BTF missing: /sys/kernel/btf/vmlinux (%s); a kernel built "
			       "with CONFIG_DEBUG_INFO_BTF=y is required",
			       strerror(errno));
	return tk_ensure_tracefs();
}

int tk_init(const struct tk_tool *tool, int argc, char **argv, struct tk_env *env)
{
	int rc = tk_parse_args(tool, argc, argv, env);

	if (rc)
		return rc;
	verbose = env->verbose;
	libbpf_set_print(libbpf_print);
	return tk_preflight();
}

/* ---- consumption ------------------------------------------------------- */

struct tk_session {
	const struct tk_env *env;
	const struct tk_hooks *hooks;
	struct tk_out out;
	FILE *raw;       /* --raw, or NULL */
	__u64 received;  /* records taken out of the buffer */
	__u64 printed;
	__u64 malformed;
	struct tk_perf_sink perf; /* its lost: PERF_RECORD_LOST tally (cross-check) */
	bool out_error;  /* stdout gone (EPIPE) */
	bool done;       /* -n reached */
	bool final;      /* the last drain, after detach: consume everything */
	bool hold;       /* command mode, first signal forwarded: keep going */
	__s64 deadline;  /* -d, CLOCK_MONOTONIC ns; 0 = none */
	unsigned checks;
};

/*
 * Whether consumption must hand control back to the poll loop. libbpf's
 * ring-buffer consume loops for as long as producers keep the ring busy,
 * so under a sustained flood a poll call would never return and Ctrl-C,
 * -d or EPIPE would go unnoticed; a negative return from the callback is
 * its only way out. The final drain (programs detached) never stops.
 */
static bool must_yield(struct tk_session *s)
{
	if (s->final)
		return false;
	if (s->done || s->out_error || (exiting && !s->hold))
		return true;
	return s->deadline && (++s->checks & 255) == 0 &&
	       tk_now_ns(CLOCK_MONOTONIC) >= s->deadline;
}

#define TK_YIELD (-ECANCELED) /* from on_record: not an error */

static int on_record(void *ctx, void *data, size_t size)
{
	struct tk_session *s = ctx;

	s->received++;
	if (s->done || s->out_error)
		goto out;
	if (s->raw) {
		__u32 n = size;

		if (fwrite(&n, sizeof(n), 1, s->raw) != 1 || fwrite(data, 1, size, s->raw) != size)
			s->out_error = true;
	}
	if (s->hooks->record && s->hooks->record(s->hooks->ctx, data, size))
		goto out;
	if (tk_print_record(&s->out, data, size)) {
		s->malformed++;
		goto out;
	}
	if (ferror(s->out.f))
		s->out_error = true;
	else if (s->env->count && ++s->printed >= s->env->count)
		s->done = true;
out:
	return must_yield(s) ? TK_YIELD : 0;
}

int tk_read_stats(struct bpf_map *stats, __u64 out[TK_STAT__COUNT])
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	__u64 *vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;

	for (__u32 k = 0; k < TK_STAT__COUNT; k++) {
		out[k] = 0;
		if (!vals || bpf_map_lookup_elem(bpf_map__fd(stats), &k, vals)) {
			err = -1;
			continue;
		}
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return err;
}

__s64 tk_now_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (__s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- command mode --------------------------------------------------------- */

/*
 * The child waits on a pipe until its pid is in the follow map and the
 * programs are attached, so its exec is the first thing traced.
 */
static pid_t spawn_held(char **cmd, int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char c;

		close(p[1]);
		/* ignored signals stay ignored across exec: restore them */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (read(p[0], &c, 1) != 1)
			_exit(127); /* tracer died before releasing us */
		execvp(cmd[0], cmd);
		fprintf(stderr, "%s: cannot run '%s': %s\n", tk_prog, cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static int wait_status_to_rc(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* ---- load / attach ----------------------------------------------------------- */

static int disable_unselected(const struct tk_env *env, const struct tk_bpf *b)
{
	for (const struct tk_tool_event *e = env->tool->events; e->name; e++) {
		char *list, *save = NULL, *tok;

		if ((env->events_mask & (1ULL << e->id)) || !e->progs)
			continue;
		list = strdup(e->progs);
		if (!list)
			return -1; /* loading them would emit events not asked for */
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			struct bpf_program *p = bpf_object__find_program_by_name(b->obj, tok);

			if (p)
				bpf_program__set_autoload(p, false);
		}
		free(list);
	}
	return 0;
}

static int load_and_attach(const struct tk_env *env, const struct tk_bpf *b)
{
	int err;

	if (disable_unselected(env, b))
		return tk_fail("out of memory");
	/* the unused transport gets the smallest size the kernel accepts */
	err = bpf_map__set_max_entries(b->rb, env->perfbuf ? (__u32)getpagesize()
							   : (__u32)env->ringbuf_size);
	if (err)
		return tk_fail("cannot size the ring buffer: %s", strerror(-err));
	err = bpf_object__load_skeleton(b->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			return tk_fail("loading BPF programs was refused (%s): run as root; a kernel "
				       "lockdown or seccomp policy can also forbid BPF",
				       strerror(-err));
		return tk_fail("loading BPF programs failed: %s (run with -v for the verifier log)",
			       strerror(-err));
	}
	err = bpf_object__attach_skeleton(b->skel);
	if (err) {
		if (err == -ENOENT)
			return tk_fail("attaching failed: a tracepoint is missing (%s); is tracefs "
				       "mounted at /sys/kernel/tracing?",
				       strerror(-err));
		return tk_fail("attaching BPF programs failed: %s", strerror(-err));
	}
	return 0;
}

/* -v: the ids of the programs loaded, for `bpftool prog show id N` and
 * for leak checks that must tell this run's programs from those of other
 * tracekit tools on the host (same names). */
static void print_prog_ids(const struct tk_bpf *b)
{
	struct bpf_program *p;

	fprintf(stderr, "%s: program ids:", tk_prog);
	bpf_object__for_each_program(p, b->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			fprintf(stderr, " %u", info.id);
	}
	fputc('\n', stderr);
}

static void *detach_one(void *arg)
{
	bpf_link__destroy(arg);
	return NULL;
}

/*
 * Detaching a syscall tracepoint waits for an RCU-tasks-trace grace period
 * (~70 ms here): one after another, a tool with 20 tracepoints needs 1.5 s
 * to exit. Concurrent waiters share grace periods, so detach in parallel.
 * The skeleton's destroy then finds no links left.
 */
void tk_detach_all(struct bpf_object_skeleton *s)
{
	pthread_t *t = calloc(s->prog_cnt, sizeof(*t));
	bool *started = calloc(s->prog_cnt, sizeof(*started));

	/* without the arrays, one after another: every link still goes */
	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_link **l = s->progs[i].link;

		if (!*l)
			continue;
		if (t && started)
			started[i] = !pthread_create(&t[i], NULL, detach_one, *l);
		if (!t || !started || !started[i])
			bpf_link__destroy(*l);
		*l = NULL;
	}
	for (int i = 0; t && started && i < s->prog_cnt; i++)
		if (started[i])
			pthread_join(t[i], NULL);
	free(t);
	free(started);
}

/*
 * `tool | head -1`: the reader may go away while nothing is being traced,
 * and EPIPE only shows at the next write. A pipe whose reader is gone
 * polls POLLERR on its write end, so check at every drain.
 */
static bool reader_gone(FILE *out)
{
	struct pollfd p = { .fd = fileno(out) };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int tk_run(const struct tk_env *env, const struct tk_bpf *b)
{
	static const struct tk_hooks none;

	return tk_run_hooks(env, b, &none);
}

int tk_run_hooks(const struct tk_env *env, const struct tk_bpf *b, const struct tk_hooks *h)
{
	struct tk_session s = { .env = env, .hooks = h, .perf = { .sample = on_record } };
	__s64 next_tick = 0;
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	__u64 stats[TK_STAT__COUNT] = { 0 };
	__s64 linger_end = 0;
	pid_t child = -1;
	int go_fd = -1, rc = 0, status, err, forwarded = 0;
	bool child_done = false;
	static char obuf[1 << 16];

	FILE *out = stdout;

	if (env->output) {
		/* before anything is loaded: a bad path is a quick, clean error */
		out = fopen(env->output, "we");
		if (!out)
			return tk_fail("cannot open '%s': %s", env->output, strerror(errno));
	}
	if (env->raw) {
		s.raw = fopen(env->raw, "we");
		if (!s.raw) {
			if (out != stdout)
				fclose(out);
			return tk_fail("cannot open '%s': %s", env->raw, strerror(errno));
		}
	}
	s.perf.ctx = &s;
	s.out = (struct tk_out){ .f = out, .json = env->json, .timestamp = env->timestamp };
	s.out.boot_to_real_ns = tk_now_ns(CLOCK_REALTIME) - tk_now_ns(CLOCK_BOOTTIME);
	if (h->out)
		*h->out = s.out;
	setvbuf(out, obuf, _IOFBF, sizeof(obuf));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe shows up as EPIPE on write */

	if (env->cmd) {
		child = spawn_held(env->cmd, &go_fd);
		if (child < 0) {
			rc = tk_fail("cannot start '%s': %s", env->cmd[0], strerror(errno));
			goto cleanup;
		}
	}
	rc = load_and_attach(env, b);
	if (rc)
		goto cleanup;
	if (env->verbose)
		print_prog_ids(b);

	if (env->perfbuf)
		pb = tk_perfbuf_new(bpf_map__fd(b->pb), env->ringbuf_size,
				    env->wakeup == TK_WAKEUP_EVENT, 50, &s.perf);
	else
		rb = ring_buffer__new(bpf_map__fd(b->rb), on_record, &s, NULL);
	if (!rb && !pb) {
		rc = tk_fail("cannot open the %s buffer: %s", env->perfbuf ? "perf" : "ring",
			     strerror(errno));
		goto cleanup;
	}

	if (env->cmd) {
		__u32 key = child;
		__u8 one = 1;

		if (bpf_map_update_elem(bpf_map__fd(b->follow), &key, &one, BPF_ANY)) {
			rc = tk_fail("cannot track the command: %s", strerror(errno));
			goto cleanup;
		}
	}
	if (h->ready) {
		rc = h->ready(h->ctx);
		if (rc)
			goto cleanup;
	}
	if (!h->tick)
		tk_print_header(&s.out);
	fflush(out);
	if (!env->cmd)
		fprintf(stderr, "%s: tracing, Ctrl-C to end\n", tk_prog);
	if (go_fd >= 0) {
		if (write(go_fd, "g", 1) != 1) {
			rc = tk_fail("cannot release the command: %s", strerror(errno));
			goto cleanup;
		}
		close(go_fd);
		go_fd = -1;
	}
	if (env->duration > 0)
		s.deadline = tk_now_ns(CLOCK_MONOTONIC) + (__s64)(env->duration * 1e9);
	if (h->tick && h->interval_ms)
		next_tick = tk_now_ns(CLOCK_MONOTONIC) + h->interval_ms * 1000000LL;

	while (!s.done && !s.out_error) {
		int timeout = env->wakeup == TK_WAKEUP_BATCH ? env->drain_ms : 100;

		if (exiting) {
			/* command mode: pass the first signal on, end at the command's exit */
			if (child > 0 && !child_done && signals_seen == 1) {
				if (!forwarded++)
					kill(child, last_signal);
				s.hold = true;
			} else {
				break;
			}
		}
		err = rb ? ring_buffer__poll(rb, timeout) : perf_buffer__poll(pb, timeout);
		if (err < 0 && err != -EINTR && err != TK_YIELD) {
			rc = tk_fail("polling the buffer failed: %s", strerror(-err));
			break;
		}
		/* batch policy: nothing woke us for records below the watermark */
		if (rb)
			ring_buffer__consume(rb);
		else
			perf_buffer__consume(pb);
		if (next_tick && tk_now_ns(CLOCK_MONOTONIC) >= next_tick) {
			h->tick(h->ctx, false);
			next_tick += h->interval_ms * 1000000LL;
		}
		if (fflush(out) || reader_gone(out))
			s.out_error = true;
		if (child > 0 && !child_done && waitpid(child, &status, WNOHANG) == child) {
			child_done = true;
			rc = wait_status_to_rc(status);
			linger_end = tk_now_ns(CLOCK_MONOTONIC) + h->linger_ms * 1000000LL;
		}
		if (child_done && (!h->pending || !h->pending(h->ctx) ||
				   tk_now_ns(CLOCK_MONOTONIC) >= linger_end))
			break;
		if (s.deadline && tk_now_ns(CLOCK_MONOTONIC) >= s.deadline)
			break;
	}
	/*
	 * Detach first, then drain, then read the counters: once every link is
	 * gone (detach waits for running programs), nothing can be submitted
	 * or be half-reserved, so the drain takes everything and
	 * received + lost is exactly what the kernel produced.
	 */
	tk_detach_all(b->skel);
	s.final = true;
	if (rb)
		ring_buffer__consume(rb);
	if (pb)
		perf_buffer__consume(pb);
	if (h->tick && !s.out_error)
		h->tick(h->ctx, true);
	if (tk_read_stats(b->stats, stats))
		rc = rc ? rc : tk_fail("cannot read the loss counters: %s", strerror(errno));

	if (env->json && !s.out_error) {
		fprintf(out, "{\"event\":\"summary\",\"events\":%llu,\"lost\":%llu}\n",
			(unsigned long long)s.received, (unsigned long long)stats[TK_STAT_LOST]);
	}
	if (fflush(out) && errno != EPIPE)
		rc = rc ? rc : tk_fail("writing output failed: %s", strerror(errno));
	fprintf(stderr, "%s: %llu events, %llu lost\n", tk_prog, (unsigned long long)s.received,
		(unsigned long long)stats[TK_STAT_LOST]);
	if (s.malformed)
		fprintf(stderr, "%s: %llu malformed records skipped\n", tk_prog,
			(unsigned long long)s.malformed);
	if (env->verbose)
		fprintf(stderr, "%s: kernel side: %llu emitted, %llu lost; perf lost records: %llu\n",
			tk_prog, (unsigned long long)stats[TK_STAT_EMITTED],
			(unsigned long long)stats[TK_STAT_LOST], (unsigned long long)s.perf.lost);

cleanup:
	if (go_fd >= 0)
		close(go_fd); /* EOF: a held child exits 127 without running */
	/* If tracing ended before the command (-d, -n, EPIPE, error), the
	 * command runs on untraced, as after strace detaches. */
	ring_buffer__free(rb);
	perf_buffer__free(pb);
	tk_detach_all(b->skel);
	if (s.raw && fclose(s.raw))
		rc = rc ? rc : tk_fail("writing '%s' failed: %s", env->raw, strerror(errno));
	if (out != stdout)
		fclose(out);
	return rc;
}
