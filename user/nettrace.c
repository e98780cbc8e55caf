// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* nettrace: trace TCP connections (connect, accept, close, state, retransmit). */
#define _GNU_SOURCE /* tdestroy */
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tk.h"
#include "tk_metrics.h"
#include "nettrace.skel.h"

enum { OPT_PORT = 256, OPT_LPORT, OPT_RPORT };

static __u8 opt_families;     /* bit 0 IPv4, bit 1 IPv6 */
static __u8 opt_port_need;    /* TK_NET_PORT_* given */
static __u8 opt_ports[65536]; /* TK_NET_PORT_* per port */

static const struct tk_tool_event events[] = {
	/* accept's programs also name the owner for close: always loaded */
	{ "connect", TK_EV_connect, true, NULL },
	{ "accept", TK_EV_accept, true, NULL },
	{ "close", TK_EV_tcp_close, true, NULL },
	{ "state", TK_EV_state, false, NULL },
	{ "retransmit", TK_EV_retransmit, false, "net_retransmit,net_retransmit_synack" },
	{ NULL },
};

static const struct tk_tool_opt opts[] = {
	{ "ipv4", '4', NULL, "IPv4 only (v4-mapped IPv6 connections count as IPv4)" },
	{ "ipv6", '6', NULL, "IPv6 only" },
	{ "port", OPT_PORT, "PORT[,PORT...]", "connections with this local or remote port" },
	{ "lport", OPT_LPORT, "PORT[,PORT...]", "connections with this local port" },
	{ "rport", OPT_RPORT, "PORT[,PORT...]", "connections with this remote port" },
	{ NULL },
};

/* "80,443": every element 1..65535, no empty ones. */
static int parse_ports(const char *opt, const char *list, __u8 bit)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char tok[8];
		__u64 v;

		if (!n || n >= sizeof(tok))
			return tk_usage_error("invalid %s list '%s'", opt, list);
		memcpy(tok, p, n);
		tok[n] = 0;
		if (tk_parse_u64(tok, 1, 65535, false, &v))
			return tk_usage_error("invalid %s '%s' (1..65535)", opt, tok);
		opt_ports[v] |= bit;
		if (!comma)
			break;
		p = comma + 1;
	}
	opt_port_need |= bit;
	return 0;
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case '4':
	case '6':
		opt_families |= key == '4' ? 1 : 2;
		if (opt_families == 3) {
			tk_usage_error("-4 and -6 exclude each other");
			return -1;
		}
		return 0;
	case OPT_PORT:
		return parse_ports("--port", arg, TK_NET_PORT_ANY) ? -1 : 0;
	case OPT_LPORT:
		return parse_ports("--lport", arg, TK_NET_PORT_LOCAL) ? -1 : 0;
	case OPT_RPORT:
		return parse_ports("--rport", arg, TK_NET_PORT_REMOTE) ? -1 : 0;
	default:
		return -1;
	}
}

/*
 * Command mode: a connection the command closed is over for nettrace only
 * when its close event arrives, and that waits for the peer's FIN, which
 * may come after the command has exited. So the connections seen opening
 * are kept (by tuple: the same bytes, at the same offsets, in every net
 * event) until their close, and nettrace lingers while any is open.
 */
#define NET_LINGER_MS 2000
#define TUPLE_OFF offsetof(struct tk_net_close_event, family)
#define TUPLE_LEN (offsetof(struct tk_net_close_event, dport) + sizeof(__u16) - TUPLE_OFF)

static void *open_conns; /* tsearch tree of TUPLE_LEN-byte keys */
static size_t nopen;

static int tuple_cmp(const void *a, const void *b)
{
	return memcmp(a, b, TUPLE_LEN);
}

static bool track_record(void *ctx, const void *data, size_t size)
{
	const char *key = (const char *)data + TUPLE_OFF;
	__u32 event;
	__s32 error;
	void **node;

	(void)ctx;
	if (size < TUPLE_OFF + TUPLE_LEN)
		return false;
	memcpy(&event, (const char *)data + offsetof(struct tk_hdr, event), sizeof(event));
	if (event == TK_EV_connect) {
		if (size < offsetof(struct tk_net_connect_event, error) + sizeof(error))
			return false;
		memcpy(&error, (const char *)data + offsetof(struct tk_net_connect_event, error),
		       sizeof(error));
		if (error)
			return false;
	}
	if (event == TK_EV_connect || event == TK_EV_accept) {
		char *k;

		if (tfind(key, &open_conns, tuple_cmp) || !(k = malloc(TUPLE_LEN)))
			return false;
		memcpy(k, key, TUPLE_LEN);
		if (tsearch(k, &open_conns, tuple_cmp))
			nopen++;
		else
			free(k);
	} else if (event == TK_EV_tcp_close) {
		node = tfind(key, &open_conns, tuple_cmp);
		if (node) {
			char *k = *node;

			tdelete(key, &open_conns, tuple_cmp);
			free(k);
			nopen--;
		}
	}
	return false; /* printed as usual */
}

/*
 * --metrics: nettrace has no table; its totals are the records' own
 * counts, as they stream by: connects by result, accepts, closes by who
 * ended them and how, the closed connections' bytes and retransmissions,
 * and (-e state) the state changes by the state entered. Errors are
 * -errno, below 4096 (tk_errno_name).
 */
#define NET_ERR_MAX 4096
/* the index of an error that is not a -errno (positive, or below
 * -4095): counted, as result/error "other", never as a success */
#define NET_ERR_OTHER NET_ERR_MAX
static struct net_counts {
	bool on, lingering;
	/* the events -e selected: a family for each of those only, as zeros
	 * for events not traced would claim a count that is not known */
	bool connects_on, accepts_on, closes_on, states_on;
	__u64 connects[NET_ERR_MAX + 1]; /* by err_index; [0]: established */
	__u64 closes[3][NET_ERR_MAX + 1]; /* by closed_by, err_index */
	__u64 accepts, sent, received, retransmits;
	__u64 states[16];                /* by newstate */
} counts;

static int err_index(__s64 error)
{
	return error <= 0 && error > -NET_ERR_MAX ? (int)-error : NET_ERR_OTHER;
}

static void count_record(const void *data, size_t size)
{
	struct tk_hdr h;

	if (size < sizeof(h))
		return;
	memcpy(&h, data, sizeof(h)); /* perf records are 4-byte aligned */
	if (h.event == TK_EV_connect && size >= sizeof(struct tk_net_connect_event)) {
		struct tk_net_connect_event e;

		memcpy(&e, data, sizeof(e));
		counts.connects[err_index(e.error)]++;
	} else if (h.event == TK_EV_accept) {
		counts.accepts++;
	} else if (h.event == TK_EV_tcp_close && size >= sizeof(struct tk_net_close_event)) {
		struct tk_net_close_event e;

		memcpy(&e, data, sizeof(e));
		counts.closes[e.closed_by < 3 ? e.closed_by : 0][err_index(e.error)]++;
		counts.sent += e.bytes_sent;
		counts.received += e.bytes_received;
		counts.retransmits += e.retransmits;
	} else if (h.event == TK_EV_state && size >= sizeof(struct tk_net_state_event)) {
		struct tk_net_state_event e;

		memcpy(&e, data, sizeof(e));
		counts.states[e.newstate & 15]++;
	}
}

/* A symbol of a field's table (the decoder's names), or NULL. */
static const char *sym_name(__u32 event, const char *field, __u64 v)
{
	const struct tk_field *f = tk_event_field(event, field);

	for (const struct tk_sym *s = f ? f->syms : NULL; s && s->name; s++)
		if (s->value == v)
			return s->name;
	return NULL;
}

static const char *err_label(int err, const char *none, char *buf, size_t len)
{
	const char *n = err == NET_ERR_OTHER ? "other" : err ? tk_errno_name(err) : none;

	if (n)
		return n;
	snprintf(buf, len, "%d", err);
	return buf;
}

static void net_metrics(void *ctx, struct tk_metrics *m)
{
	/* each with the event it is counted from */
	static const struct { const char *name, *help; __u64 *v; bool *on; } scalars[] = {
		{ "tracekit_tcp_accepts_total", "Connections accepted.", &counts.accepts,
		  &counts.accepts_on },
		{ "tracekit_tcp_sent_bytes_total",
		  "Payload bytes the peers acknowledged, of the connections that closed.", &counts.sent,
		  &counts.closes_on },
		{ "tracekit_tcp_received_bytes_total",
		  "Payload bytes received, of the connections that closed.", &counts.received,
		  &counts.closes_on },
		{ "tracekit_tcp_retransmits_total",
		  "Segments retransmitted, of the connections that closed.", &counts.retransmits,
		  &counts.closes_on },
	};
	char buf[16];

	(void)ctx;
	if (counts.connects_on) {
		tk_metrics_family(m, "tracekit_tcp_connects_total", "counter",
				  "Active opens by result: ok, or the error they failed with "
				  "(other: a value that is no errno).");
		for (int e = 0; e <= NET_ERR_OTHER; e++)
			if (counts.connects[e] || !e)
				tk_metrics_sample(m, &(struct tk_label){ "result",
									 err_label(e, "ok", buf, sizeof(buf)), 0 },
						  1, counts.connects[e]);
	}
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		if (!*scalars[i].on)
			continue;
		tk_metrics_family(m, scalars[i].name, "counter", scalars[i].help);
		tk_metrics_sample(m, NULL, 0, *scalars[i].v);
	}
	if (counts.closes_on)
		tk_metrics_family(m, "tracekit_tcp_closes_total", "counter",
				  "Established connections that closed, by the side that ended them "
				  "first and the error (none: an orderly close; other: a value that "
				  "is no errno).");
	for (int by = 0; counts.closes_on && by < 3; by++)
		for (int e = 0; e <= NET_ERR_OTHER; e++) {
			const char *who = sym_name(TK_EV_tcp_close, "closed_by", by);
			struct tk_label l[] = { { "closed_by", who ? who : "unknown", 0 },
						{ "error", err_label(e, "none", buf, sizeof(buf)), 0 } };

			if (counts.closes[by][e])
				tk_metrics_sample(m, l, 2, counts.closes[by][e]);
		}
	if (!counts.states_on)
		return; /* not traced: no family, rather than zeros that are not known */
	tk_metrics_family(m, "tracekit_tcp_state_changes_total", "counter",
			  "TCP state changes (-e state), by the state entered.");
	for (int st = 0; st < 16; st++) {
		const char *name = sym_name(TK_EV_state, "newstate", st);

		if (counts.states[st] && name)
			tk_metrics_sample(m, &(struct tk_label){ "state", name, 0 }, 1,
					  counts.states[st]);
	}
}

static bool net_record(void *ctx, const void *data, size_t size)
{
	count_record(data, size);
	return counts.lingering && track_record(ctx, data, size);
}

static bool connections_open(void *ctx)
{
	(void)ctx;
	return nopen > 0;
}

static const struct tk_tool tool = {
	.name = "nettrace",
	.summary = "Trace TCP connections: connect, accept and close with bytes and duration\n"
		   "(state changes and retransmissions on request), IPv4 and IPv6, attributed\n"
		   "to the process that owns the socket. Tracepoints only: no kprobes needed.",
	.examples = "  nettrace                          # every TCP connect, accept and close\n"
		    "  nettrace --port 443 -j            # connections to or from port 443, as JSON\n"
		    "  nettrace --lport 80 -e accept     # who accepts on local port 80\n"
		    "  nettrace -6 -e all                # IPv6 only, every state change too\n"
		    "  nettrace -- curl -s example.com   # run curl, trace its connections\n",
	.events = events,
	.opts = opts,
	.parse_opt = parse_opt,
	/* the state changes they skip leave gaps (nettrace.bpf.c) */
	.self_counted_progs = "net_state,net_state_nested",
};

static int forget_conns(void *ctx, int rc)
{
	(void)ctx;
	tdestroy(open_conns, free);
	return rc;
}

static const struct bpf_program *sweep_prog;
static const struct bpf_map *sweep_map;

static int key_cmp(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The changes nothing followed (net_sweep in nettrace.bpf.c), counted
 * while the state programs can still see every change: one run per entry
 * of net_socks. The keys are taken first: a hash map's next key starts
 * over when the current one was deleted meanwhile (a socket closing), so a
 * key can come twice, and each entry must be swept once.
 */
static int sweep(void *ctx)
{
	int prog = bpf_program__fd(sweep_prog), map = bpf_map__fd(sweep_map);
	size_t cap = bpf_map__max_entries(sweep_map), n = 0, uniq = 0;
	__u64 *keys = malloc(cap * sizeof(*keys));
	int rc = 0;

	(void)ctx;
	if (!keys)
		return tk_fail("out of memory");
	while (n < cap && !bpf_map_get_next_key(map, n ? &keys[n - 1] : NULL, &keys[n]))
		n++;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < n && !rc; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &keys[i],
			    .ctx_size_in = sizeof(keys[i]));

		if (uniq && keys[i] == keys[uniq - 1])
			continue;
		keys[uniq++] = keys[i];
		if (bpf_prog_test_run_opts(prog, &opts))
			rc = tk_fail("cannot count the changes nothing followed (net_sweep): %s",
				     strerror(errno));
	}
	free(keys);
	return rc;
}

static struct nettrace_bpf *snap_skel;

/* net_snapshot's sockets in the current network namespace; -1 and errno on failure */
static int snapshot_netns(int link)
{
	char buf[64];
	ssize_t n;
	int fd = bpf_iter_create(link);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The network namespaces already taken, by inode. */
struct netns_seen {
	ino_t *ino;
	size_t n, cap;
};

/* Whether ino is new to seen, which then holds it; -1 and errno: no memory. */
static int netns_add(struct netns_seen *seen, ino_t ino)
{
	for (size_t i = 0; i < seen->n; i++)
		if (seen->ino[i] == ino)
			return 0;
	if (seen->n == seen->cap) {
		size_t cap = seen->cap ? 2 * seen->cap : 64;
		ino_t *p = realloc(seen->ino, cap * sizeof(*p));

		if (!p)
			return -1;
		seen->ino = p;
		seen->cap = cap;
	}
	seen->ino[seen->n++] = ino;
	return 1;
}

/*
 * Enters the network namespace at path (a process's, or one ip-netns
 * keeps) unless it was taken already, snapshots it and comes back to
 * self. 0: done, or nothing to do (the process is gone); -1 and errno: it
 * was not taken; -2 and errno: we could not come back.
 */
static int snapshot_path(const char *path, int link, int self, struct netns_seen *seen)
{
	struct stat st;
	int fd, rc, err;

	if (stat(path, &st))
		return 0;
	rc = netns_add(seen, st.st_ino);
	if (rc <= 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	rc = setns(fd, CLONE_NEWNET);
	err = errno;
	close(fd);
	if (rc) {
		errno = err;
		return -1;
	}
	rc = snapshot_netns(link);
	err = errno;
	if (setns(self, CLONE_NEWNET))
		return -2;
	errno = err;
	return rc;
}

/*
 * The sockets older than the tracer (net_snapshot, net_old in
 * nettrace.bpf.c), taken once the programs are attached, so that every
 * socket born since is either seen at its birth or absent from the
 * snapshot. An iterator sees one network namespace, its creator's: each
 * one a process is in, and each one ip-netns keeps, is entered in turn.
 * Unless every one was taken, net_old_complete stays 0, and a socket with
 * no entry is taken as older than the tracer unless only a birth can
 * precede its change (nettrace.bpf.c: net_born_unseen()).
 */
static int snapshot(void *ctx)
{
	static const char *const dirs[] = { "/proc", "/run/netns" };
	struct bpf_link *link = bpf_program__attach_iter(snap_skel->progs.net_snapshot, NULL);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int rc = link && self >= 0 ? 0 : -1, lfd = link ? bpf_link__fd(link) : -1, err;
	struct netns_seen seen = { 0 };
	char path[300];

	(void)ctx;
	if (!rc)
		rc = snapshot_path("/proc/self/ns/net", lfd, self, &seen);
	for (size_t d = 0; d < 2 && !rc; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		while (dir && !rc && (e = readdir(dir))) {
			/* /proc: the pids only */
			if (e->d_name[0] == '.' ||
			    (d == 0 && (e->d_name[0] < '1' || e->d_name[0] > '9')))
				continue;
			snprintf(path, sizeof(path), d == 0 ? "/proc/%s/ns/net" : "/run/netns/%s",
				 e->d_name);
			rc = snapshot_path(path, lfd, self, &seen);
		}
		err = errno;
		if (dir)
			closedir(dir);
		errno = err;
	}
	if (rc == -2)
		rc = tk_fail("cannot return to our own network namespace: %s", strerror(errno));
	else if (rc || snap_skel->bss->net_old_full)
		fprintf(stderr, "%s: the sockets older than the tracer are not all known (%s): "
				"a socket whose first changes go unseen may not be counted lost\n",
			tk_prog, rc ? strerror(errno) : "more than 65536");
	else
		snap_skel->bss->net_old_complete = 1;
	free(seen.ino);
	if (self >= 0)
		close(self);
	bpf_link__destroy(link);
	return rc > 0 ? rc : 0;
}

static int setup(struct nettrace_bpf *skel, struct tk_env *env, struct tk_hooks *hooks)
{
	sweep_prog = skel->progs.net_sweep;
	sweep_map = skel->maps.net_socks;
	hooks->stopping = sweep;
	snap_skel = skel;
	/* run once per network namespace from ready, not attached for the run */
	bpf_program__set_autoattach(skel->progs.net_snapshot, false);
	hooks->ready = snapshot;
	skel->rodata->targ_families = opt_families;
	skel->rodata->targ_port_need = opt_port_need;
	memcpy((void *)skel->rodata->targ_ports, opt_ports, sizeof(opt_ports));
	/* lingering needs the close events: only when they are selected */
	if (env->metrics) {
		counts.on = true;
		counts.connects_on = tk_event_selected(env, TK_EV_connect);
		counts.accepts_on = tk_event_selected(env, TK_EV_accept);
		counts.closes_on = tk_event_selected(env, TK_EV_tcp_close);
		counts.states_on = tk_event_selected(env, TK_EV_state);
		hooks->record = net_record;
		hooks->metrics = net_metrics;
	}
	if (env->cmd && tk_event_selected(env, TK_EV_tcp_close)) {
		counts.lingering = true;
		hooks->record = counts.on ? net_record : track_record;
		hooks->pending = connections_open;
		hooks->linger_ms = NET_LINGER_MS;
		hooks->finish = forget_conns;
	}
	return 0;
}

TK_TOOL_MAIN(nettrace, &tool, setup)
