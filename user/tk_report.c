// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report (tk_report.h): records folded into a process tree, printed as
 * text or one JSON document. Records are read through the contract's
 * structs (copied: perf records are only 4-byte aligned), their strings
 * through the decoder's accessor, and every kernel string goes out through
 * the decoder's escapers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include "tk.h"
#include "tk_cgroup.h"
#include "tk_report.h"

#define NBUCKETS 4096 /* pid -> latest process of that pid */

/* A packed string copied out of its record: len bytes, NULs included. */
struct bytes {
	char *s;
	size_t len;
};

struct ferr {
	__u32 event;
	__s64 err;
	__u64 count;
};

/*
 * Every counter names the events it is made of (two at most; TK_ID(d, 0):
 * any event of domain d). A counter none of whose events was traced is
 * left out of the report, not shown as 0: nothing in it is guessed.
 */
#define EV(e) TK_EV_##e
#define ANY_FILE TK_ID(TK_FILE_DOMAIN, 0)

/* A file's counters, by name (JSON keys, text labels: docs/report.md). */
#define FILE_COUNTERS(X)                                                         \
	X(opens, EV(open), 0) X(opens_creat, EV(open), 0) X(reads, EV(read), 0)   \
	X(bytes_read, EV(read), 0) X(writes, EV(write), 0)                        \
	X(bytes_written, EV(write), 0) X(removes, EV(unlink), 0)                 \
	X(renames, EV(rename), 0) X(truncates, EV(truncate), 0) X(mkdirs, EV(mkdir), 0)
#define MEMBER(name, e1, e2) __u64 name;

struct file {
	struct bytes path, renamed_to;
	FILE_COUNTERS(MEMBER)
	struct ferr *errs;
	size_t nerrs;
};

/* The tuple every net event starts with (tk_net.h), compared as bytes. */
#define TUPLE_AT offsetof(struct tk_net_connect_event, family)
#define TUPLE_LEN (offsetof(struct tk_net_connect_event, __pad0) - TUPLE_AT)

struct conn {
	__u32 first_event; /* connect, accept, or close when only that was seen */
	struct tk_net_connect_event k; /* the tuple's fields only */
	__s32 error, close_error;
	bool closed;
	__u64 bytes_sent, bytes_received;
};

/* sent: (sig, target_pid, result); received: (sig, code) */
struct sigent {
	__u32 sig, target_pid, result;
	__s32 code;
	__u64 count;
};

struct exec {
	struct bytes filename, argv;
	__s32 ret;
};

/* The totals, by name (FAIL: shown in red), summed per process as
 * records come; the report's and each cgroup's are sums of those. */
#define TOTALS(X, FAIL)                                                          \
	X(processes, 0, 0) FAIL(failed_processes, EV(exit), 0) X(execs, EV(exec), 0) \
	FAIL(failed_execs, EV(exec), 0) X(files, ANY_FILE, 0)                     \
	FAIL(file_failures, ANY_FILE, 0) X(bytes_read, EV(read), 0)               \
	X(bytes_written, EV(write), 0) X(connections, EV(connect), EV(accept))     \
	FAIL(failed_connections, EV(connect), 0) X(bytes_sent, EV(tcp_close), 0)   \
	X(bytes_received, EV(tcp_close), 0) X(signals_sent, EV(sig_generate), 0)   \
	X(signals_received, EV(sig_deliver), 0) X(syscalls, EV(syscall), 0)        \
	X(syscall_ns, EV(syscall), 0)
struct totals {
	TOTALS(MEMBER, MEMBER)
};

struct proc {
	__u32 pid, ppid;
	bool have_ppid, have_start, exited;
	char comm[TK_COMM_LEN];
	__u64 start_ns, end_ns, lifetime_ns;
	__s32 exit_code;
	__u32 signal, core_dumped;
	struct exec *execs;
	struct file *files;
	struct conn *conns;
	struct sigent *sent, *recv;
	size_t nexecs, nfiles, nconns, nsent, nrecv;
	__u64 records;
	struct totals t;
	/* The cgroup ids of its first and last records (0: none seen). */
	__u64 cg_first, cg;
	struct proc *parent, *child, *last_child, *sibling, *hnext;
};

struct tk_report {
	struct proc **procs; /* in order of first appearance */
	size_t nprocs;
	struct proc *bucket[NBUCKETS];
	__u64 records, ignored, t0;
	bool nomem;
	bool traced_known; /* tk_report_traced() was called */
	__u64 traced[TK_EV_WORDS];
	/* tk_report_lost(): what each domain did not deliver */
	struct lost {
		const char *domain;
		bool known;
		__u64 n;
	} lost[32];
	size_t nlost;
};

struct tk_report *tk_report_new(void)
{
	return calloc(1, sizeof(struct tk_report));
}

void tk_report_lost(struct tk_report *r, const char *domain, bool known, __u64 lost)
{
	if (r->nlost < sizeof(r->lost) / sizeof(r->lost[0]))
		r->lost[r->nlost++] = (struct lost){ domain ? domain : "?", known, lost };
	else
		r->lost[r->nlost - 1].known = false; /* more domains than kept: unknown */
}

void tk_report_traced(struct tk_report *r, const __u64 *events_mask)
{
	r->traced_known = true;
	for (size_t w = 0; w < TK_EV_WORDS; w++)
		r->traced[w] |= events_mask[w];
}

/* A new zeroed element at the end of *arr (n elements of size), or NULL
 * (noted: the report then fails). Capacity is n rounded up to a power of 2. */
static void *push(struct tk_report *r, void *arr, size_t *n, size_t size)
{
	void **a = arr;
	char *e;

	if (!(*n & (*n - 1))) {
		void *p = reallocarray(*a, *n ? *n * 2 : 1, size);

		if (!p) {
			r->nomem = true;
			return NULL;
		}
		*a = p;
	}
	e = (char *)*a + (*n)++ * size;
	memset(e, 0, size);
	return e;
}

static bool copy_bytes(struct tk_report *r, struct bytes *b, const char *s, size_t len)
{
	char *c = malloc(len ? len : 1);

	if (!c) {
		r->nomem = true;
		return false;
	}
	memcpy(c, s, len);
	free(b->s);
	b->s = c;
	b->len = len;
	return true;
}

static struct proc *latest(struct tk_report *r, __u32 pid)
{
	for (struct proc *p = r->bucket[pid % NBUCKETS]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

static struct proc *alive(struct tk_report *r, __u32 pid)
{
	struct proc *p = latest(r, pid);

	return p && !p->exited ? p : NULL;
}

static struct proc *proc_new(struct tk_report *r, __u32 pid, struct proc *parent)
{
	struct proc *p = calloc(1, sizeof(*p)), **slot;

	if (!p || !(slot = push(r, &r->procs, &r->nprocs, sizeof(*slot)))) {
		r->nomem = true;
		free(p);
		return NULL;
	}
	*slot = p;
	p->t.processes = 1;
	p->pid = pid;
	p->hnext = r->bucket[pid % NBUCKETS];
	r->bucket[pid % NBUCKETS] = p;
	if (parent) {
		p->parent = parent;
		p->ppid = parent->pid;
		p->have_ppid = true;
		if (parent->last_child)
			parent->last_child->sibling = p;
		else
			parent->child = p;
		parent->last_child = p;
	}
	return p;
}

/* A process's cgroup is that of its latest record: where it ended up, so
 * a child that a runtime moved into a container counts as the
 * container's (its fork record is in its parent's cgroup). */
static void set_cgroup(struct proc *p, __u64 id)
{
	if (!id) /* no cgroup v2 (the header says 0) */
		return;
	if (!p->cg_first)
		p->cg_first = id;
	p->cg = id;
}

/* The running process pid (ppid: its parent as the record names it, 0 when
 * it names none), a new one when none is running. */
static struct proc *running(struct tk_report *r, const struct tk_hdr *h, __u32 ppid)
{
	struct proc *p = alive(r, h->pid);

	if (!p && (p = proc_new(r, h->pid, ppid ? alive(r, ppid) : NULL)) && ppid) {
		p->ppid = ppid;
		p->have_ppid = true;
	}
	if (p) {
		memcpy(p->comm, h->comm, TK_COMM_LEN);
		p->records++;
		set_cgroup(p, h->cgroup_id);
	}
	return p;
}

/* ---- records in ----------------------------------------------------------- */

static bool failed(__s64 ret)
{
	return ret < 0 && ret >= -4095;
}

static void add_exec(struct tk_report *r, const struct tk_hdr *h, const void *rec,
		     const struct tk_event_desc *d)
{
	struct tk_exec_event e;
	struct proc *p;
	struct exec *x;
	const char *s;
	size_t n;

	memcpy(&e, rec, sizeof(e));
	if (!(p = running(r, h, e.ppid)) || !(x = push(r, &p->execs, &p->nexecs, sizeof(*x))))
		return;
	if (!p->have_start && p->records == 1) {
		/* its first record: the command mode root, started by the tracer */
		p->have_start = true;
		p->start_ns = h->ts_ns;
	}
	x->ret = e.ret;
	p->t.execs++;
	p->t.failed_execs += e.ret != 0;
	n = tk_record_str(d, rec, "filename", &s);
	copy_bytes(r, &x->filename, s ? s : "", n);
	n = tk_record_str(d, rec, "argv", &s);
	copy_bytes(r, &x->argv, s ? s : "", n);
}

static void add_fork(struct tk_report *r, const struct tk_hdr *h, const void *rec)
{
	struct tk_fork_event e;
	struct proc *parent, *c;

	memcpy(&e, rec, sizeof(e));
	if (e.child_pid == h->pid) /* a thread (--threads): not a process */
		return;
	if (!(parent = running(r, h, e.ppid)) || !(c = proc_new(r, e.child_pid, parent)))
		return;
	memcpy(c->comm, h->comm, TK_COMM_LEN); /* a fork's child is its parent's copy */
	set_cgroup(c, h->cgroup_id); /* and starts in its parent's cgroup */
	c->have_start = true;
	c->start_ns = h->ts_ns;
}

static void add_exit(struct tk_report *r, const struct tk_hdr *h, const void *rec)
{
	struct tk_exit_event e;
	struct proc *p;

	memcpy(&e, rec, sizeof(e));
	if (!(p = running(r, h, e.ppid)))
		return;
	p->exited = true;
	p->t.failed_processes += e.exit_code || e.signal;
	p->end_ns = h->ts_ns;
	/* from the records where the start is one (its fork, its first exec):
	 * the exit's duration_ns runs from the fork, and a command tracekit
	 * started was held between its fork and exec while the programs
	 * loaded */
	p->lifetime_ns = p->have_start && p->start_ns <= h->ts_ns ? h->ts_ns - p->start_ns
								   : e.duration_ns;
	p->exit_code = e.exit_code;
	p->signal = e.signal;
	p->core_dumped = e.core_dumped;
}

static struct file *file_of(struct tk_report *r, struct proc *p, const char *path, size_t len)
{
	struct file *fl;

	for (size_t i = p->nfiles; i-- > 0;)
		if (p->files[i].path.len == len && !memcmp(p->files[i].path.s, path, len))
			return &p->files[i];
	if (!(fl = push(r, &p->files, &p->nfiles, sizeof(*fl))))
		return NULL;
	if (!copy_bytes(r, &fl->path, path, len)) {
		p->nfiles--;
		return NULL;
	}
	p->t.files++;
	return fl;
}

static void add_file(struct tk_report *r, const struct tk_hdr *h, const void *rec,
		     const struct tk_event_desc *d)
{
	struct tk_file_event e; /* the rename struct's head is the same (TK_FILE_HEAD) */
	struct proc *p;
	struct file *fl;
	struct ferr *fe = NULL;
	const char *path, *newpath;
	size_t n, newlen;

	memcpy(&e, rec, sizeof(e));
	if (h->event == TK_EV_close && !failed(e.ret))
		return; /* a close says nothing the report shows */
	n = tk_record_str(d, rec, "path", &path);
	if (n <= 1) /* no absolute path: the name as passed */
		n = tk_record_str(d, rec, "filename", &path);
	if (!(p = running(r, h, 0)) || !(fl = file_of(r, p, path ? path : "", n)))
		return;
	if (failed(e.ret)) {
		for (size_t i = 0; i < fl->nerrs && !fe; i++)
			if (fl->errs[i].event == h->event && fl->errs[i].err == e.ret)
				fe = &fl->errs[i];
		if (fe || (fe = push(r, &fl->errs, &fl->nerrs, sizeof(*fe)))) {
			fe->event = h->event;
			fe->err = e.ret;
			fe->count++;
			p->t.file_failures++;
		}
		return;
	}
	switch (h->event) {
	case TK_EV_open:
		fl->opens++;
		fl->opens_creat += (e.flags & O_CREAT) || e.call == TK_FC_creat;
		break;
	case TK_EV_read:
		fl->reads++;
		fl->bytes_read += e.bytes;
		p->t.bytes_read += e.bytes;
		break;
	case TK_EV_write:
		fl->writes++;
		fl->bytes_written += e.bytes;
		p->t.bytes_written += e.bytes;
		break;
	case TK_EV_unlink:
		fl->removes++;
		break;
	case TK_EV_rename:
		fl->renames++;
		newlen = tk_record_str(d, rec, "newpath", &newpath);
		copy_bytes(r, &fl->renamed_to, newpath ? newpath : "", newlen);
		break;
	case TK_EV_truncate:
		fl->truncates++;
		break;
	case TK_EV_mkdir:
		fl->mkdirs++;
		break;
	}
}

/* connect and accept start a connection; close ends the latest open one
 * of the same tuple (or is one seen only at its end). */
static void add_net(struct tk_report *r, const struct tk_hdr *h, const void *rec)
{
	struct tk_net_close_event e; /* the largest; every event starts with the tuple */
	struct tk_net_connect_event ce;
	struct proc *p = latest(r, h->pid);
	struct conn *c = NULL;

	memset(&e, 0, sizeof(e));
	memcpy(&e, rec, h->event == TK_EV_tcp_close ? sizeof(e) : sizeof(struct tk_net_accept_event));
	if (p)
		p->records++;
	else if (!(p = running(r, h, 0)))
		return;
	for (size_t i = p->nconns; h->event == TK_EV_tcp_close && i-- > 0 && !c;)
		if (!p->conns[i].closed &&
		    !memcmp((char *)&p->conns[i].k + TUPLE_AT, (char *)&e + TUPLE_AT, TUPLE_LEN))
			c = &p->conns[i];
	if (!c) {
		if (!(c = push(r, &p->conns, &p->nconns, sizeof(*c))))
			return;
		p->t.connections++;
		c->first_event = h->event;
		memcpy((char *)&c->k + TUPLE_AT, (char *)&e + TUPLE_AT, TUPLE_LEN);
	}
	if (h->event == TK_EV_connect) {
		memcpy(&ce, rec, sizeof(ce));
		c->error = ce.error;
		p->t.failed_connections += ce.error != 0;
	} else if (h->event == TK_EV_tcp_close) {
		c->closed = true;
		c->close_error = e.error;
		p->t.bytes_sent += (c->bytes_sent = e.bytes_sent);
		p->t.bytes_received += (c->bytes_received = e.bytes_received);
	}
}

static void count_sig(struct tk_report *r, struct sigent **arr, size_t *n, struct sigent k,
		      __u64 *total)
{
	struct sigent *s;

	(*total)++;
	for (size_t i = 0; i < *n; i++) {
		s = &(*arr)[i];
		if (s->sig == k.sig && s->target_pid == k.target_pid && s->result == k.result &&
		    s->code == k.code) {
			s->count++;
			return;
		}
	}
	if ((s = push(r, arr, n, sizeof(*s)))) {
		*s = k;
		s->count = 1;
	}
}

static void add_sig(struct tk_report *r, const struct tk_hdr *h, const void *rec)
{
	struct tk_sig_generate_event g;
	struct tk_sig_deliver_event d;
	struct proc *p;

	if (h->event == TK_EV_sig_deliver) {
		memcpy(&d, rec, sizeof(d));
		if ((p = running(r, h, 0)))
			count_sig(r, &p->recv, &p->nrecv, (struct sigent){ .sig = d.sig, .code = d.code },
				  &p->t.signals_received);
		return;
	}
	memcpy(&g, rec, sizeof(g));
	/* Only kill/tgkill/sigqueue have a sender: for the kernel's own
	 * signals the header is whatever task was running (tk_sig.h). */
	if (g.code != 0 /* SI_USER */ && g.code != -1 /* SI_QUEUE */ && g.code != -6 /* SI_TKILL */)
		return;
	if ((p = running(r, h, 0)))
		count_sig(r, &p->sent, &p->nsent,
			  (struct sigent){ .sig = g.sig, .target_pid = g.target_pid,
					   .result = g.result, .code = g.code },
			  &p->t.signals_sent);
}

void tk_report_add(struct tk_report *r, const void *data, size_t size)
{
	const struct tk_event_desc *d;
	struct tk_hdr h;
	struct proc *p;

	if (size < sizeof(h))
		goto ignored;
	memcpy(&h, data, sizeof(h));
	d = tk_event_by_id(h.event);
	if (!d || tk_record_len(d, data, size) < 0 || !h.pid)
		goto ignored;
	if (!r->records++ || h.ts_ns < r->t0)
		r->t0 = h.ts_ns;
	switch (h.event) {
	case TK_EV_exec: add_exec(r, &h, data, d); break;
	case TK_EV_fork: add_fork(r, &h, data); break;
	case TK_EV_exit: add_exit(r, &h, data); break;
	case TK_EV_open: case TK_EV_read: case TK_EV_write: case TK_EV_close:
	case TK_EV_unlink: case TK_EV_rename: case TK_EV_truncate: case TK_EV_mkdir:
		add_file(r, &h, data, d);
		break;
	case TK_EV_connect: case TK_EV_accept: case TK_EV_tcp_close:
		add_net(r, &h, data);
		break;
	case TK_EV_sig_generate: case TK_EV_sig_deliver: add_sig(r, &h, data); break;
	case TK_EV_syscall: {
		struct tk_sys_event e;

		memcpy(&e, data, sizeof(e));
		if ((p = running(r, &h, 0))) {
			p->t.syscalls++;
			p->t.syscall_ns += e.duration_ns;
		}
		break;
	}
	default: /* state, retransmit, a later domain's: not in the report */
		break;
	}
	return;
ignored:
	r->ignored++;
}

/* ---- the report out ------------------------------------------------------- */

#define TOTAL_KEY(name, e1, e2) { #name, offsetof(struct totals, name), false, { e1, e2 } },
#define TOTAL_FAIL(name, e1, e2) { #name, offsetof(struct totals, name), true, { e1, e2 } },
static const struct key {
	const char *name;
	size_t off;
	bool failure;
	__u32 ev[2]; /* made of these events (0: none; see FILE_COUNTERS) */
} total_keys[] = { TOTALS(TOTAL_KEY, TOTAL_FAIL) };
#define FILE_KEY(name, e1, e2) { #name, offsetof(struct file, name), false, { e1, e2 } },
static const struct key file_keys[] = { FILE_COUNTERS(FILE_KEY) };
#define NKEYS(k) (sizeof(k) / sizeof(k[0]))
/* the syscall totals are the last two: shown only when there were any */
#define SYS_KEYS 2

static __u64 key_val(const void *base, const struct key *k)
{
	__u64 v;

	memcpy(&v, (const char *)base + k->off, sizeof(v));
	return v;
}

/* The name of value v of an ENUM field (its table in the contract), or NULL. */
static const char *sym_name(__u32 id, const char *field, __s64 v)
{
	const struct tk_field *fd = tk_event_field(id, field);

	for (const struct tk_sym *t = fd ? fd->syms : NULL; t && t->name; t++)
		if ((__s64)t->value == v)
			return t->name;
	return NULL;
}

static const char *err_name(__s64 v)
{
	return failed(v) ? tk_errno_name((int)-v) : NULL;
}

static const char *event_name(__u32 id)
{
	const struct tk_event_desc *d = tk_event_by_id(id);

	return d ? d->name : "?";
}

/* The argv of the last successful exec, or NULL. */
static const struct bytes *argv_of(const struct proc *p)
{
	for (size_t i = p->nexecs; i-- > 0;)
		if (!p->execs[i].ret)
			return &p->execs[i].argv;
	return NULL;
}

/*
 * One writer for both forms: an object's members go out as "key":value in
 * JSON and as " key=value" in text, where zeros are left out (ALWAYS keeps
 * one), HEAD shows the value without its key, FAIL shows it in red and
 * JSON_ONLY leaves it out of the text (ARGV: the string is an argv).
 */
enum { HEAD = 1, ALWAYS = 2, FAIL = 4, JSON_ONLY = 8, ARGV = 16 };

struct out {
	FILE *f;
	bool json, color, have_sys;
	bool first; /* JSON: no member of the current object written yet */
	const __u64 *traced; /* the events traced (NULL: all) */
	__u64 t0;
	struct tk_cgroups *cg; /* names for cgroup ids, or NULL */
	/* text, processes in several cgroups: the section being written
	 * holds the processes of cgroup `group` only */
	bool grouped;
	__u64 group;
	char *pre; /* text: the tree's indentation of the current line */
	size_t plen, pcap;
};

/* Whether event id (TK_ID(d, 0): any of domain d) was traced. */
static bool traced(const struct out *o, __u32 id)
{
	if (!o->traced || !id)
		return true;
	if (id & 0xff)
		return o->traced[id / 64] >> (id % 64) & 1;
	for (__u32 w = id / 64; w < (id + 256) / 64; w++) /* the domain's 256 ids */
		if (o->traced[w])
			return true;
	return false;
}

/* A counter is shown when one of its events was traced. */
static bool key_traced(const struct out *o, const struct key *k)
{
	return traced(o, k->ev[0]) || (k->ev[1] && traced(o, k->ev[1]));
}

static void red(const struct out *o, bool on)
{
	if (o->color && on)
		fputs("\033[31m", o->f);
}

static void unred(const struct out *o, bool on)
{
	if (o->color && on)
		fputs("\033[0m", o->f);
}

/* The key of a member; false when the text leaves it out. */
static bool m_key(struct out *o, const char *key, bool zero, unsigned how)
{
	if (o->json) {
		fprintf(o->f, "%s\"%s\":", o->first ? "" : ",", key);
		o->first = false;
		return true;
	}
	if ((how & JSON_ONLY) || (zero && !(how & ALWAYS)))
		return false;
	fputc(' ', o->f);
	red(o, how & FAIL);
	if (!(how & HEAD))
		fprintf(o->f, "%s=", key);
	return true;
}

static void m_end(struct out *o, unsigned how)
{
	if (!o->json)
		unred(o, how & FAIL);
}

static void m_u64(struct out *o, const char *key, __u64 v, unsigned how)
{
	if (m_key(o, key, !v, how)) {
		fprintf(o->f, "%llu", (unsigned long long)v);
		m_end(o, how);
	}
}

/* x + x_str (docs/events.md) in JSON; the name (else the number) in text */
static void m_named(struct out *o, const char *key, __s64 v, const char *name, unsigned how)
{
	if (!m_key(o, key, !v, how))
		return;
	if (o->json || !name)
		fprintf(o->f, "%lld", (long long)v);
	else
		fputs(name, o->f);
	if (o->json && name)
		fprintf(o->f, ",\"%s_str\":\"%s\"", key, name);
	m_end(o, how);
}

static void m_err(struct out *o, const char *key, __s64 v, unsigned how)
{
	m_named(o, key, v, err_name(v), how | FAIL);
}

/* a packed string, or with ARGV packed arguments (NULL: JSON null) */
static void m_str(struct out *o, const char *key, const struct bytes *b, unsigned how)
{
	if (!m_key(o, key, !b, how))
		return;
	if (!b)
		fputs("null", o->f);
	else if (how & ARGV)
		tk_fput_argv(o->f, b->s, b->len, o->json);
	else if (o->json)
		tk_fput_json_str(o->f, b->s, b->len);
	else
		tk_fput_text(o->f, b->s, b->len, true);
	m_end(o, how);
}

static void m_addr(struct out *o, const char *key, int family, const __u8 *a, unsigned how)
{
	if (!m_key(o, key, false, how))
		return;
	fputs(o->json ? "\"" : "", o->f);
	tk_fput_ipaddr(o->f, family, a);
	fputs(o->json ? "\"" : "", o->f);
	m_end(o, how);
}

/* text: the tree's indentation of the current line */
static void t_pre(const struct out *o)
{
	if (o->plen)
		fwrite(o->pre, 1, o->plen, o->f);
}

/* A list of objects: a JSON array; in text, a line each, named what. */
static void list_begin(struct out *o, const char *key)
{
	if (o->json && m_key(o, key, false, 0))
		fputc('[', o->f);
}

static void item_begin(struct out *o, const char *what, size_t i)
{
	if (o->json) {
		fputs(i ? ",{" : "{", o->f);
		o->first = true;
	} else {
		t_pre(o);
		fputs(what, o->f);
	}
}

static void item_end(struct out *o)
{
	fputc(o->json ? '}' : '\n', o->f);
	o->first = false;
}

static void list_end(struct out *o)
{
	if (o->json)
		fputc(']', o->f);
}

static int pre_add(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->plen + n > o->pcap) {
		char *p = realloc(o->pre, o->pcap * 2 + n);

		if (!p)
			return -1;
		o->pre = p;
		o->pcap = o->pcap * 2 + n;
	}
	memcpy(o->pre + o->plen, s, n);
	o->plen += n;
	return 0;
}

/* text: an offset from the first record (+1.500ms), ? when not seen */
static void t_at(const struct out *o, bool have, __u64 ts)
{
	fputs(have ? "+" : "?", o->f);
	if (have)
		tk_fput_duration(o->f, ts - o->t0);
}

/* text: what a cgroup is — "container <short id>", "unit <name>",
 * "cgroup <path>", or "cgroup_id <id>" when it has no name (no resolver,
 * removed before the report was written). Its resolution, or NULL. */
static const struct tk_cg_info *t_cgroup(const struct out *o, __u64 id)
{
	const struct tk_cg_info *ci = o->cg && id ? tk_cgroup_lookup(o->cg, id) : NULL;

	if (!ci || !ci->path) {
		fprintf(o->f, "cgroup_id %llu", (unsigned long long)id);
		return NULL;
	}
	if (ci->attr.container_id[0]) {
		fprintf(o->f, "container %.*s", TK_CG_SHORT_LEN, ci->attr.container_id);
	} else if (ci->attr.unit) {
		fputs("unit ", o->f);
		tk_fput_text(o->f, ci->attr.unit, ci->attr.unit_len, true);
	} else {
		fputs("cgroup ", o->f);
		tk_fput_text(o->f, ci->path, (size_t)-1, true);
	}
	return ci;
}

/* text: pid, argv (or [comm]), how it ended, when it lived */
static void text_head(struct out *o, const struct proc *p)
{
	FILE *f = o->f;
	const struct bytes *argv = argv_of(p);
	bool bad = p->exited && (p->signal || p->exit_code);

	fprintf(f, "%u ", p->pid);
	if (argv) {
		tk_fput_argv(f, argv->s, argv->len, false);
	} else {
		fputc('[', f);
		tk_fput_text(f, p->comm, TK_COMM_LEN, false);
		fputc(']', f);
	}
	fputs("  ", f);
	red(o, bad);
	if (!p->exited)
		fputs("no exit seen", f);
	else if (p->signal && tk_signal_name(p->signal))
		fprintf(f, "killed by %s", tk_signal_name(p->signal));
	else if (p->signal)
		fprintf(f, "killed by signal %u", p->signal);
	else
		fprintf(f, "exit %d", p->exit_code);
	fputs(p->core_dumped ? " (core dumped)" : "", f);
	unred(o, bad);
	fputs("  ", f);
	t_at(o, p->have_start, p->start_ns);
	fputs("..", f);
	t_at(o, p->exited, p->end_ns);
	if (p->exited) {
		fputs("  lifetime ", f);
		tk_fput_duration(f, p->lifetime_ns);
	}
	/* a section's top process whose parent lives in another section */
	if (o->grouped && p->parent && p->parent->cg != p->cg)
		fprintf(f, "  child of %u", p->parent->pid);
	if (p->cg_first != p->cg) {
		fputs("  moved from ", f);
		t_cgroup(o, p->cg_first);
	}
	fputc('\n', f);
}

/* JSON: a cgroup id, null for none seen */
static void m_cgid(struct out *o, const char *key, __u64 id)
{
	if (id)
		m_u64(o, key, id, 0);
	else
		m_str(o, key, NULL, 0);
}

/* JSON: cgroup_id and the names the decoder gives it (the records' keys,
 * docs/events.md) */
static void cgroup_keys(struct out *o, __u64 id)
{
	m_cgid(o, "cgroup_id", id);
	if (id && o->cg)
		tk_fput_cgroup_json(o->f, o->cg, id);
}

static void json_head(struct out *o, const struct proc *p)
{
	fputc('{', o->f);
	o->first = true;
	m_u64(o, "pid", p->pid, 0);
	if (p->have_ppid)
		m_u64(o, "ppid", p->ppid, 0);
	else
		m_str(o, "ppid", NULL, 0);
	m_key(o, "comm", false, 0);
	tk_fput_json_str(o->f, p->comm, TK_COMM_LEN);
	m_str(o, "argv", argv_of(p), ARGV);
	m_u64(o, "records", p->records, 0);
	/* null for what no record said */
	fprintf(o->f, p->have_start ? ",\"start_ns\":%llu" : ",\"start_ns\":null",
		(unsigned long long)p->start_ns);
	fprintf(o->f, p->exited ? ",\"end_ns\":%llu,\"lifetime_ns\":%llu,\"exit_code\":%d"
				: ",\"end_ns\":null,\"lifetime_ns\":null,\"exit_code\":null",
		(unsigned long long)p->end_ns, (unsigned long long)p->lifetime_ns, p->exit_code);
	m_named(o, "signal", p->signal, tk_signal_name(p->signal), 0);
	fprintf(o->f, ",\"core_dumped\":%s", p->core_dumped ? "true" : "false");
	cgroup_keys(o, p->cg);
	m_cgid(o, "first_cgroup_id", p->cg_first);
}

static void file_out(struct out *o, const struct file *fl, size_t i)
{
	item_begin(o, "file", i);
	m_str(o, "path", &fl->path, HEAD);
	for (size_t k = 0; k < NKEYS(file_keys); k++)
		if (key_traced(o, &file_keys[k]))
			m_u64(o, file_keys[k].name, key_val(fl, &file_keys[k]), 0);
	m_str(o, "renamed_to", fl->renames ? &fl->renamed_to : NULL, 0);
	list_begin(o, "errors");
	for (size_t k = 0; k < fl->nerrs; k++) {
		const struct ferr *e = &fl->errs[k];

		if (o->json) {
			item_begin(o, "", k);
			fprintf(o->f, "\"event\":\"%s\"", event_name(e->event));
			o->first = false;
			m_err(o, "error", e->err, 0);
			m_u64(o, "count", e->count, 0);
			item_end(o);
		} else { /* failed=open:ENOENT(2) */
			fputc(' ', o->f);
			red(o, true);
			fprintf(o->f, "failed=%s:", event_name(e->event));
			if (err_name(e->err))
				fputs(err_name(e->err), o->f);
			else
				fprintf(o->f, "%lld", (long long)e->err);
			if (e->count > 1)
				fprintf(o->f, "(%llu)", (unsigned long long)e->count);
			unred(o, true);
		}
	}
	list_end(o);
	item_end(o);
}

static void conn_out(struct out *o, const struct conn *c, size_t i)
{
	item_begin(o, event_name(c->first_event), i);
	if (o->json) {
		fprintf(o->f, "\"event\":\"%s\"", event_name(c->first_event));
		o->first = false;
	}
	m_named(o, "family", c->k.family, sym_name(TK_EV_connect, "family", c->k.family), JSON_ONLY);
	m_addr(o, "saddr", c->k.family, c->k.saddr, JSON_ONLY);
	m_u64(o, "sport", c->k.sport, JSON_ONLY);
	m_addr(o, "daddr", c->k.family, c->k.daddr, HEAD);
	m_u64(o, "dport", c->k.dport, ALWAYS);
	m_err(o, "error", c->error, 0);
	if (o->json)
		fprintf(o->f, ",\"closed\":%s", c->closed ? "true" : "false");
	m_err(o, "close_error", c->close_error, 0);
	/* text: the bytes when a close said them */
	m_u64(o, "bytes_sent", c->bytes_sent, c->closed ? ALWAYS : 0);
	m_u64(o, "bytes_received", c->bytes_received, c->closed ? ALWAYS : 0);
	item_end(o);
}

static void sigs_out(struct out *o, const char *key, const struct sigent *s, size_t n,
		     bool sent)
{
	list_begin(o, key);
	for (size_t i = 0; i < n; i++) {
		item_begin(o, sent ? "sent" : "received", i);
		m_named(o, "signal", s[i].sig, tk_signal_name(s[i].sig), HEAD | ALWAYS);
		if (sent) {
			m_u64(o, "target_pid", s[i].target_pid, ALWAYS);
			m_named(o, "result", s[i].result,
				sym_name(TK_EV_sig_generate, "result", s[i].result), 0);
		} else {
			m_named(o, "code", s[i].code, sym_name(TK_EV_sig_deliver, "code", s[i].code),
				ALWAYS);
		}
		m_u64(o, "count", s[i].count, s[i].count > 1 ? ALWAYS : JSON_ONLY);
		item_end(o);
	}
	list_end(o);
}

/* c or the first of its later siblings in the section being written
 * (JSON and an ungrouped text tree: every child) */
static const struct proc *in_section(const struct out *o, const struct proc *c)
{
	while (c && o->grouped && c->cg != o->group)
		c = c->sibling;
	return c;
}

/* A process and, below it, its children: a JSON object, or a tree whose
 * detail lines hang from the process's line. */
static int proc_out(struct out *o, const struct proc *p, bool root, bool last)
{
	FILE *f = o->f;
	size_t base = o->plen, mid = base;

	if (o->json) {
		json_head(o, p);
	} else {
		t_pre(o);
		fputs(root ? "" : last ? "└─ " : "├─ ", f);
		text_head(o, p);
		if (!root && pre_add(o, last ? "   " : "│  ") < 0)
			return -1;
		mid = o->plen;
		if (pre_add(o, in_section(o, p->child) ? "│  " : "   ") < 0)
			return -1;
	}
	list_begin(o, "execs");
	for (size_t i = 0; i < p->nexecs; i++) {
		item_begin(o, "exec", i);
		m_str(o, "filename", &p->execs[i].filename, HEAD);
		m_str(o, "argv", &p->execs[i].argv, ARGV | JSON_ONLY);
		m_err(o, "ret", p->execs[i].ret, 0);
		item_end(o);
	}
	list_end(o);
	list_begin(o, "files");
	for (size_t i = 0; i < p->nfiles; i++)
		file_out(o, &p->files[i], i);
	list_end(o);
	list_begin(o, "connections");
	for (size_t i = 0; i < p->nconns; i++)
		conn_out(o, &p->conns[i], i);
	list_end(o);
	/* an empty list says "none": only where the events were traced */
	if (traced(o, EV(sig_generate)))
		sigs_out(o, "signals_sent", p->sent, p->nsent, true);
	if (traced(o, EV(sig_deliver)))
		sigs_out(o, "signals_received", p->recv, p->nrecv, false);
	if (o->have_sys && o->json) {
		m_u64(o, "syscalls", p->t.syscalls, 0);
		m_u64(o, "syscall_ns", p->t.syscall_ns, 0);
	} else if (o->have_sys) {
		t_pre(o);
		fprintf(f, "syscalls=%llu syscall_time=", (unsigned long long)p->t.syscalls);
		tk_fput_duration(f, p->t.syscall_ns);
		fputc('\n', f);
	}
	o->plen = mid;
	list_begin(o, "children");
	for (const struct proc *c = in_section(o, p->child); c && !ferror(f);
	     c = in_section(o, c->sibling)) {
		fputs(o->json && c != p->child ? "," : "", f);
		if (proc_out(o, c, false, !in_section(o, c->sibling)) < 0)
			return -1;
	}
	list_end(o);
	if (o->json)
		item_end(o);
	o->plen = base;
	return 0;
}

/*
 * What the kernel did not deliver: a report of records some of which are
 * missing must say so. Text: lost=N (in red when not 0) or lost=unknown;
 * JSON: "lost" (null: unknown) and "lost_by_domain". Nothing when the
 * runtime never said (tk_report_lost not called).
 */
static void lost_out(struct out *o, const struct tk_report *r)
{
	bool known = true;
	__u64 sum = 0;

	if (!r->nlost)
		return;
	for (size_t i = 0; i < r->nlost; i++) {
		known = known && r->lost[i].known;
		sum += r->lost[i].n;
	}
	if (!known) {
		fputs(o->json ? ",\"lost\":null" : " lost=unknown", o->f);
	} else {
		m_u64(o, "lost", sum, ALWAYS | (sum ? FAIL : 0));
	}
	if (!o->json)
		return;
	fputs(",\"lost_by_domain\":{", o->f);
	for (size_t i = 0; i < r->nlost; i++) {
		fprintf(o->f, "%s", i ? "," : "");
		tk_fput_json_str(o->f, r->lost[i].domain, (size_t)-1);
		if (r->lost[i].known)
			fprintf(o->f, ":%llu", (unsigned long long)r->lost[i].n);
		else
			fputs(":null", o->f);
	}
	fputc('}', o->f);
}

/* t += the totals of p */
#define ADD_TOTAL(name, e1, e2) t->name += p->t.name;
static void add_totals(struct totals *t, const struct proc *p)
{
	TOTALS(ADD_TOTAL, ADD_TOTAL)
}

/* The totals' members: after "totals:" or a section's head in text, in
 * a "totals" object in JSON. */
static void totals_out(struct out *o, const struct totals *t)
{
	fputs(o->json ? "\"totals\":{" : "", o->f);
	o->first = true;
	for (size_t k = 0; k < NKEYS(total_keys) - (o->have_sys ? 0 : SYS_KEYS); k++)
		if (key_traced(o, &total_keys[k]))
			m_u64(o, total_keys[k].name, key_val(t, &total_keys[k]),
		      ALWAYS | (total_keys[k].failure && key_val(t, &total_keys[k]) ? FAIL : 0));
	fputs(o->json ? "}" : "", o->f);
	o->first = false;
}

/* A section's (text) or a "containers" entry's (JSON) cgroup and its totals. */
static void cgroup_out(struct out *o, const struct tk_report *r, __u64 id)
{
	struct totals t = { 0 };
	bool first = true;

	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i]->cg == id)
			add_totals(&t, r->procs[i]);
	if (!o->json) {
		const struct tk_cg_info *ci = t_cgroup(o, id);

		/* the path when the label is a name; the id unless it is the label */
		if (ci && (ci->attr.container_id[0] || ci->attr.unit)) {
			fputs("  cgroup=", o->f);
			tk_fput_text(o->f, ci->path, (size_t)-1, true);
		} else {
			fputc(' ', o->f);
		}
		if (ci)
			fprintf(o->f, " cgroup_id=%llu", (unsigned long long)id);
		totals_out(o, &t);
		fputc('\n', o->f);
		return;
	}
	fputc('{', o->f);
	o->first = true;
	cgroup_keys(o, id);
	fputs(",\"pids\":[", o->f);
	for (size_t i = 0; i < r->nprocs; i++) {
		if (r->procs[i]->cg != id)
			continue;
		fprintf(o->f, first ? "%u" : ",%u", r->procs[i]->pid);
		first = false;
	}
	fputs("],", o->f);
	totals_out(o, &t);
	fputc('}', o->f);
}

/* The distinct cgroups of the processes, in order of first appearance
 * (each process counted in its last one); NULL and ENOMEM. */
static __u64 *cgroups_of(const struct tk_report *r, size_t *n)
{
	__u64 *ids = malloc((r->nprocs ? r->nprocs : 1) * sizeof(*ids));
	size_t k;

	*n = 0;
	for (size_t i = 0; ids && i < r->nprocs; i++) {
		for (k = 0; k < *n && ids[k] != r->procs[i]->cg; k++)
			;
		if (k == *n)
			ids[(*n)++] = r->procs[i]->cg;
	}
	return ids;
}

/* The top processes of the section being written (all when ungrouped):
 * those with no parent, or (grouped) one in another section. */
static int procs_out(struct out *o, const struct tk_report *r)
{
	bool first = true;

	for (size_t i = 0; i < r->nprocs && !ferror(o->f); i++) {
		const struct proc *p = r->procs[i];

		if (o->grouped && (p->cg != o->group || (p->parent && p->parent->cg == p->cg)))
			continue;
		if (!o->grouped && p->parent)
			continue;
		fputs(o->json && !first ? "," : "", o->f);
		first = false;
		if (proc_out(o, p, true, true) < 0)
			return -1;
	}
	return 0;
}

int tk_report_write(struct tk_report *r, FILE *f, bool json, bool color,
		    struct tk_cgroups *cg)
{
	struct out o = { .f = f, .json = json, .color = color && !json, .t0 = r->t0, .cg = cg,
			 .traced = r->traced_known ? r->traced : NULL };
	struct totals t = { 0 };
	size_t ncg = 0;
	__u64 *cgs;
	int rc = 0;

	if (r->nomem || !(cgs = cgroups_of(r, &ncg))) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < r->nprocs; i++)
		add_totals(&t, r->procs[i]);
	o.have_sys = t.syscalls > 0;
	errno = 0;
	fputs(json ? "{" : "totals:", f);
	totals_out(&o, &t);
	m_u64(&o, "records", r->records, ALWAYS);
	m_u64(&o, "ignored", r->ignored, ALWAYS);
	lost_out(&o, r);
	fputs(json ? ",\"processes\":[" : "\n", f);
	if (json || ncg < 2) {
		rc = procs_out(&o, r);
	} else {
		/* one section per cgroup, its processes indented below its head */
		o.grouped = true;
		rc = pre_add(&o, "  ");
		for (size_t i = 0; i < ncg && !rc && !ferror(f); i++) {
			o.group = cgs[i];
			o.plen = 0;
			cgroup_out(&o, r, cgs[i]);
			o.plen = 2;
			rc = procs_out(&o, r);
		}
	}
	if (json) {
		fputs("],\"containers\":[", f);
		for (size_t i = 0; i < ncg && !rc; i++) {
			fputs(i ? "," : "", f);
			cgroup_out(&o, r, cgs[i]);
		}
		fputs("]}\n", f);
	}
	free(cgs);
	free(o.pre);
	if (rc < 0) {
		errno = ENOMEM;
		return -1;
	}
	/* a failed write sets the stream's error and errno (ENOSPC, EPIPE…) */
	if (fflush(f) == EOF || ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

static void proc_free(struct proc *p)
{
	for (size_t i = 0; i < p->nexecs; i++) {
		free(p->execs[i].filename.s);
		free(p->execs[i].argv.s);
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].path.s);
		free(p->files[i].renamed_to.s);
		free(p->files[i].errs);
	}
	free(p->execs);
	free(p->files);
	free(p->conns);
	free(p->sent);
	free(p->recv);
	free(p);
}

void tk_report_free(struct tk_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs; i++)
		proc_free(r->procs[i]);
	free(r->procs);
	free(r);
}
