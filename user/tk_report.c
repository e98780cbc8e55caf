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

/* A file's counters, by name (JSON keys, text labels: docs/report.md). */
#define FILE_COUNTERS(X) \
	X(opens) X(opens_creat) X(reads) X(bytes_read) X(writes) X(bytes_written) \
	X(removes) X(renames) X(truncates) X(mkdirs)
#define MEMBER(name) __u64 name;

struct file {
	struct bytes path, renamed_to;
	FILE_COUNTERS(MEMBER)
	struct ferr *errs;
	size_t nerrs;
};

struct conn {
	__u32 first_event; /* connect, accept, or close when only that was seen */
	__u16 family, sport, dport;
	__u8 saddr[16], daddr[16];
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
	__u64 records, syscalls, syscall_ns;
	struct proc *parent, *child, *last_child, *sibling, *hnext;
};

struct tk_report {
	struct proc **procs; /* in order of first appearance */
	size_t nprocs;
	struct proc *bucket[NBUCKETS];
	__u64 records, ignored, t0;
	bool nomem;
};

struct tk_report *tk_report_new(void)
{
	return calloc(1, sizeof(struct tk_report));
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

/* The string as stored (up to its first NUL) equals s (up to its own). */
static bool same_str(const struct bytes *b, const char *s, size_t len)
{
	size_t n = strnlen(b->s, b->len);

	return n == strnlen(s, len) && !memcmp(b->s, s, n);
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
	p->end_ns = h->ts_ns;
	p->lifetime_ns = e.duration_ns;
	p->exit_code = e.exit_code;
	p->signal = e.signal;
	p->core_dumped = e.core_dumped;
}

static struct file *file_of(struct tk_report *r, struct proc *p, const char *path, size_t len)
{
	struct file *fl;

	for (size_t i = p->nfiles; i-- > 0;)
		if (same_str(&p->files[i].path, path, len))
			return &p->files[i];
	if (!(fl = push(r, &p->files, &p->nfiles, sizeof(*fl))))
		return NULL;
	if (!copy_bytes(r, &fl->path, path, len)) {
		p->nfiles--;
		return NULL;
	}
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
	size_t n = tk_record_str(d, rec, "path", &path), newlen;

	memcpy(&e, rec, sizeof(e));
	if (h->event == TK_EV_close && !failed(e.ret))
		return; /* a close says nothing the report shows */
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
		break;
	case TK_EV_write:
		fl->writes++;
		fl->bytes_written += e.bytes;
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
	if (h->event == TK_EV_tcp_close) {
		for (size_t i = p->nconns; i-- > 0 && !c;) {
			struct conn *o = &p->conns[i];

			if (!o->closed && o->family == e.family && o->sport == e.sport &&
			    o->dport == e.dport && !memcmp(o->saddr, e.saddr, 16) &&
			    !memcmp(o->daddr, e.daddr, 16))
				c = o;
		}
	}
	if (!c) {
		if (!(c = push(r, &p->conns, &p->nconns, sizeof(*c))))
			return;
		c->first_event = h->event;
		c->family = e.family;
		c->sport = e.sport;
		c->dport = e.dport;
		memcpy(c->saddr, e.saddr, 16);
		memcpy(c->daddr, e.daddr, 16);
	}
	if (h->event == TK_EV_connect) {
		memcpy(&ce, rec, sizeof(ce));
		c->error = ce.error;
	} else if (h->event == TK_EV_tcp_close) {
		c->closed = true;
		c->close_error = e.error;
		c->bytes_sent = e.bytes_sent;
		c->bytes_received = e.bytes_received;
	}
}

static void count_sig(struct tk_report *r, struct sigent **arr, size_t *n, struct sigent k)
{
	struct sigent *s;

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
			count_sig(r, &p->recv, &p->nrecv, (struct sigent){ .sig = d.sig, .code = d.code });
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
					   .result = g.result, .code = g.code });
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
			p->syscalls++;
			p->syscall_ns += e.duration_ns;
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

/* The totals, by name; FAIL marks those shown in red. */
#define TOTALS(X, FAIL)                                                          \
	X(processes) FAIL(failed_processes) X(execs) FAIL(failed_execs) X(files)  \
	FAIL(file_failures) X(bytes_read) X(bytes_written) X(connections)         \
	FAIL(failed_connections) X(bytes_sent) X(bytes_received) X(signals_sent) \
	X(signals_received) X(syscalls) X(syscall_ns)
struct totals {
	TOTALS(MEMBER, MEMBER)
};
#define TOTAL_KEY(name) { #name, offsetof(struct totals, name), false },
#define TOTAL_FAIL(name) { #name, offsetof(struct totals, name), true },
static const struct key {
	const char *name;
	size_t off;
	bool failure;
} total_keys[] = { TOTALS(TOTAL_KEY, TOTAL_FAIL) };
#define FILE_KEY(name) { #name, offsetof(struct file, name), false },
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

static void sum(const struct tk_report *r, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct proc *p = r->procs[i];

		t->processes++;
		t->failed_processes += p->exited && (p->exit_code || p->signal);
		t->execs += p->nexecs;
		for (size_t j = 0; j < p->nexecs; j++)
			t->failed_execs += p->execs[j].ret != 0;
		t->files += p->nfiles;
		for (size_t j = 0; j < p->nfiles; j++) {
			const struct file *fl = &p->files[j];

			t->bytes_read += fl->bytes_read;
			t->bytes_written += fl->bytes_written;
			for (size_t k = 0; k < fl->nerrs; k++)
				t->file_failures += fl->errs[k].count;
		}
		t->connections += p->nconns;
		for (size_t j = 0; j < p->nconns; j++) {
			t->failed_connections += p->conns[j].error != 0;
			t->bytes_sent += p->conns[j].bytes_sent;
			t->bytes_received += p->conns[j].bytes_received;
		}
		for (size_t j = 0; j < p->nsent; j++)
			t->signals_sent += p->sent[j].count;
		for (size_t j = 0; j < p->nrecv; j++)
			t->signals_received += p->recv[j].count;
		t->syscalls += p->syscalls;
		t->syscall_ns += p->syscall_ns;
	}
}

struct out {
	FILE *f;
	bool color;
	bool have_sys;
	__u64 t0;
	char *pre; /* text: the tree's indentation of the current line */
	size_t plen, pcap;
};

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

/* ---- JSON ---- */

static void j_u64(FILE *f, const char *key, __u64 v)
{
	fprintf(f, ",\"%s\":%llu", key, (unsigned long long)v);
}

/* x + x_str (docs/events.md): the number, and its name when it has one */
static void j_named(FILE *f, const char *key, __s64 v, const char *name)
{
	fprintf(f, ",\"%s\":%lld", key, (long long)v);
	if (name)
		fprintf(f, ",\"%s_str\":\"%s\"", key, name);
}

static void j_str(FILE *f, const char *key, const struct bytes *b)
{
	fprintf(f, ",\"%s\":", key);
	if (b && b->s)
		tk_fput_json_str(f, b->s, b->len);
	else
		fputs("null", f);
}

static void j_addr(FILE *f, const char *key, int family, const __u8 *a)
{
	fprintf(f, ",\"%s\":\"", key);
	tk_fput_ipaddr(f, family, a);
	fputc('"', f);
}

static void j_opt(FILE *f, const char *key, bool have, __u64 v)
{
	if (have)
		j_u64(f, key, v);
	else
		fprintf(f, ",\"%s\":null", key);
}

static void json_file(FILE *f, const struct file *fl)
{
	fputs("{\"path\":", f);
	tk_fput_json_str(f, fl->path.s, fl->path.len);
	for (size_t k = 0; k < NKEYS(file_keys); k++)
		j_u64(f, file_keys[k].name, key_val(fl, &file_keys[k]));
	j_str(f, "renamed_to", fl->renames ? &fl->renamed_to : NULL);
	fputs(",\"errors\":[", f);
	for (size_t k = 0; k < fl->nerrs; k++) {
		fprintf(f, "%s{\"event\":\"%s\"", k ? "," : "", event_name(fl->errs[k].event));
		j_named(f, "error", fl->errs[k].err, err_name(fl->errs[k].err));
		j_u64(f, "count", fl->errs[k].count);
		fputc('}', f);
	}
	fputs("]}", f);
}

static void json_conn(FILE *f, const struct conn *c)
{
	fprintf(f, "{\"event\":\"%s\"", event_name(c->first_event));
	j_named(f, "family", c->family, sym_name(TK_EV_connect, "family", c->family));
	j_addr(f, "saddr", c->family, c->saddr);
	j_u64(f, "sport", c->sport);
	j_addr(f, "daddr", c->family, c->daddr);
	j_u64(f, "dport", c->dport);
	j_named(f, "error", c->error, err_name(c->error));
	fprintf(f, ",\"closed\":%s", c->closed ? "true" : "false");
	j_named(f, "close_error", c->close_error, err_name(c->close_error));
	j_u64(f, "bytes_sent", c->bytes_sent);
	j_u64(f, "bytes_received", c->bytes_received);
	fputc('}', f);
}

static void json_sigs(FILE *f, const char *key, const struct sigent *s, size_t n, bool sent)
{
	fprintf(f, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? "," : "", f);
		fprintf(f, "{\"signal\":%u", s[i].sig);
		if (tk_signal_name(s[i].sig))
			fprintf(f, ",\"signal_str\":\"%s\"", tk_signal_name(s[i].sig));
		if (sent) {
			j_u64(f, "target_pid", s[i].target_pid);
			j_named(f, "result", s[i].result,
				sym_name(TK_EV_sig_generate, "result", s[i].result));
		} else {
			j_named(f, "code", s[i].code, sym_name(TK_EV_sig_deliver, "code", s[i].code));
		}
		j_u64(f, "count", s[i].count);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_proc(const struct out *o, const struct proc *p)
{
	FILE *f = o->f;

	fprintf(f, "{\"pid\":%u", p->pid);
	j_opt(f, "ppid", p->have_ppid, p->ppid);
	fputs(",\"comm\":", f);
	tk_fput_json_str(f, p->comm, TK_COMM_LEN);
	fputs(",\"argv\":", f);
	if (argv_of(p))
		tk_fput_argv(f, argv_of(p)->s, argv_of(p)->len, true);
	else
		fputs("null", f);
	j_u64(f, "records", p->records);
	j_opt(f, "start_ns", p->have_start, p->start_ns);
	j_opt(f, "end_ns", p->exited, p->end_ns);
	j_opt(f, "lifetime_ns", p->exited, p->lifetime_ns);
	if (p->exited)
		fprintf(f, ",\"exit_code\":%d", p->exit_code);
	else
		fputs(",\"exit_code\":null", f);
	j_named(f, "signal", p->signal, tk_signal_name(p->signal));
	fprintf(f, ",\"core_dumped\":%s", p->core_dumped ? "true" : "false");
	fputs(",\"execs\":[", f);
	for (size_t i = 0; i < p->nexecs; i++) {
		fputs("{\"filename\":", f);
		tk_fput_json_str(f, p->execs[i].filename.s, p->execs[i].filename.len);
		fputs(",\"argv\":", f);
		tk_fput_argv(f, p->execs[i].argv.s, p->execs[i].argv.len, true);
		j_named(f, "ret", p->execs[i].ret, err_name(p->execs[i].ret));
		fputs(i + 1 < p->nexecs ? "}," : "}", f);
	}
	fputs("],\"files\":[", f);
	for (size_t i = 0; i < p->nfiles; i++) {
		fputs(i ? "," : "", f);
		json_file(f, &p->files[i]);
	}
	fputs("],\"connections\":[", f);
	for (size_t i = 0; i < p->nconns; i++) {
		fputs(i ? "," : "", f);
		json_conn(f, &p->conns[i]);
	}
	fputc(']', f);
	json_sigs(f, "signals_sent", p->sent, p->nsent, true);
	json_sigs(f, "signals_received", p->recv, p->nrecv, false);
	if (o->have_sys) {
		j_u64(f, "syscalls", p->syscalls);
		j_u64(f, "syscall_ns", p->syscall_ns);
	}
	fputs(",\"children\":[", f);
	for (const struct proc *c = p->child; c; c = c->sibling) {
		json_proc(o, c);
		fputs(c->sibling ? "," : "", f);
	}
	fputs("]}", f);
}

static int write_json(struct out *o, const struct tk_report *r, const struct totals *t)
{
	FILE *f = o->f;
	bool first = true;

	fprintf(f, "{\"records\":%llu", (unsigned long long)r->records);
	j_u64(f, "ignored", r->ignored);
	fputs(",\"totals\":{", f);
	for (size_t k = 0; k < NKEYS(total_keys) - (o->have_sys ? 0 : SYS_KEYS); k++)
		fprintf(f, "%s\"%s\":%llu", k ? "," : "", total_keys[k].name,
			(unsigned long long)key_val(t, &total_keys[k]));
	fputs("},\"processes\":[", f);
	for (size_t i = 0; i < r->nprocs && !ferror(f); i++) {
		if (r->procs[i]->parent)
			continue;
		fputs(first ? "" : ",", f);
		first = false;
		json_proc(o, r->procs[i]);
	}
	fputs("]}\n", f);
	return 0;
}

/* ---- text ---- */

#define RED "\033[31m"
#define RESET "\033[0m"

/* around a failure: red(o, failed) … unred(o, failed) */
static void red(const struct out *o, bool on)
{
	if (o->color && on)
		fputs(RED, o->f);
}

static void unred(const struct out *o, bool on)
{
	if (o->color && on)
		fputs(RESET, o->f);
}

/* A detail line's start: the tree's indentation. */
static void t_line(const struct out *o)
{
	fwrite(o->pre, 1, o->plen, o->f);
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

static void t_err(FILE *f, __s64 v)
{
	const char *name = err_name(v);

	if (name)
		fputs(name, f);
	else
		fprintf(f, "%lld", (long long)v);
}

static void t_sig(FILE *f, __u32 sig)
{
	if (tk_signal_name(sig))
		fputs(tk_signal_name(sig), f);
	else
		fprintf(f, "signal %u", sig);
}

/* offset from the first record: +1.500ms */
static void t_at(const struct out *o, bool have, __u64 ts)
{
	if (!have) {
		fputc('?', o->f);
		return;
	}
	fputc('+', o->f);
	tk_fput_duration(o->f, ts - o->t0);
}

static void t_count(FILE *f, const char *key, __u64 v)
{
	if (v)
		fprintf(f, " %s=%llu", key, (unsigned long long)v);
}

static void text_head(const struct out *o, const struct proc *p)
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
	if (!p->exited) {
		fputs("no exit seen", f);
	} else if (p->signal) {
		fputs("killed by ", f);
		t_sig(f, p->signal);
		fputs(p->core_dumped ? " (core dumped)" : "", f);
	} else {
		fprintf(f, "exit %d", p->exit_code);
	}
	unred(o, bad);
	fputs("  ", f);
	t_at(o, p->have_start, p->start_ns);
	fputs("..", f);
	t_at(o, p->exited, p->end_ns);
	if (p->exited) {
		fputs("  lifetime ", f);
		tk_fput_duration(f, p->lifetime_ns);
	}
	fputc('\n', f);
}

static void text_file(const struct out *o, const struct file *fl)
{
	FILE *f = o->f;

	t_line(o);
	fputs("file ", f);
	tk_fput_text(f, fl->path.s, fl->path.len, true);
	for (size_t k = 0; k < NKEYS(file_keys); k++)
		t_count(f, file_keys[k].name, key_val(fl, &file_keys[k]));
	if (fl->renames) {
		fputs(" renamed_to=", f);
		tk_fput_text(f, fl->renamed_to.s, fl->renamed_to.len, true);
	}
	for (size_t k = 0; k < fl->nerrs; k++) {
		fputc(' ', f);
		red(o, true);
		fprintf(f, "failed=%s:", event_name(fl->errs[k].event));
		t_err(f, fl->errs[k].err);
		if (fl->errs[k].count > 1)
			fprintf(f, "(%llu)", (unsigned long long)fl->errs[k].count);
		unred(o, true);
	}
	fputc('\n', f);
}

/* the peer: 127.0.0.1:80, [::1]:80 */
static void t_peer(FILE *f, const struct conn *c)
{
	fputs(c->family == AF_INET6 ? "[" : "", f);
	tk_fput_ipaddr(f, c->family, c->daddr);
	fprintf(f, "%s:%u", c->family == AF_INET6 ? "]" : "", c->dport);
}

static void text_conn(const struct out *o, const struct conn *c)
{
	FILE *f = o->f;

	t_line(o);
	fprintf(f, "%s ", event_name(c->first_event));
	t_peer(f, c);
	if (c->error) {
		fputs(" ", f);
		red(o, true);
		fputs("error=", f);
		t_err(f, c->error);
		unred(o, true);
	}
	if (c->closed) {
		fprintf(f, " bytes_sent=%llu bytes_received=%llu",
			(unsigned long long)c->bytes_sent, (unsigned long long)c->bytes_received);
	} else if (!c->error) {
		fputs(" (no close seen)", f);
	}
	if (c->close_error) {
		fputs(" ", f);
		red(o, true);
		fputs("close_error=", f);
		t_err(f, c->close_error);
		unred(o, true);
	}
	fputc('\n', f);
}

static void text_sig(const struct out *o, const struct sigent *s, bool sent)
{
	FILE *f = o->f;
	const char *name = sent ? sym_name(TK_EV_sig_generate, "result", s->result)
				: sym_name(TK_EV_sig_deliver, "code", s->code);

	t_line(o);
	fputs(sent ? "sent " : "received ", f);
	t_sig(f, s->sig);
	if (sent)
		fprintf(f, " to %u", s->target_pid);
	if (!sent || s->result) { /* a sent signal's result when not delivered */
		if (name)
			fprintf(f, " %s", name);
		else
			fprintf(f, " %s=%d", sent ? "result" : "code", sent ? (int)s->result : s->code);
	}
	if (s->count > 1)
		fprintf(f, " x%llu", (unsigned long long)s->count);
	fputc('\n', f);
}

static int text_tree(struct out *o, const struct proc *p, bool root, bool last)
{
	FILE *f = o->f;
	size_t base = o->plen, mid;

	t_line(o);
	if (!root)
		fputs(last ? "└─ " : "├─ ", f);
	text_head(o, p);
	if (!root && pre_add(o, last ? "   " : "│  ") < 0)
		return -1;
	mid = o->plen;
	if (pre_add(o, p->child ? "│  " : "   ") < 0)
		return -1;
	for (size_t i = 0; i < p->nexecs; i++) {
		t_line(o);
		fputs("exec ", f);
		tk_fput_text(f, p->execs[i].filename.s, p->execs[i].filename.len, true);
		if (p->execs[i].ret) {
			fputs(" ", f);
			red(o, true);
			fputs("failed=", f);
			t_err(f, p->execs[i].ret);
			unred(o, true);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < p->nfiles; i++)
		text_file(o, &p->files[i]);
	for (size_t i = 0; i < p->nconns; i++)
		text_conn(o, &p->conns[i]);
	for (size_t i = 0; i < p->nsent; i++)
		text_sig(o, &p->sent[i], true);
	for (size_t i = 0; i < p->nrecv; i++)
		text_sig(o, &p->recv[i], false);
	if (o->have_sys) {
		t_line(o);
		fprintf(f, "syscalls=%llu syscall_time=", (unsigned long long)p->syscalls);
		tk_fput_duration(f, p->syscall_ns);
		fputc('\n', f);
	}
	o->plen = mid;
	for (const struct proc *c = p->child; c && !ferror(f); c = c->sibling)
		if (text_tree(o, c, false, !c->sibling) < 0)
			return -1;
	o->plen = base;
	return 0;
}

static int write_text(struct out *o, const struct tk_report *r, const struct totals *t)
{
	FILE *f = o->f;

	fputs("totals:", f);
	for (size_t k = 0; k < NKEYS(total_keys) - (o->have_sys ? 0 : SYS_KEYS); k++) {
		__u64 v = key_val(t, &total_keys[k]);

		fputc(' ', f);
		red(o, v && total_keys[k].failure);
		fprintf(f, "%s=%llu", total_keys[k].name, (unsigned long long)v);
		unred(o, v && total_keys[k].failure);
	}
	fprintf(f, " records=%llu ignored=%llu\n", (unsigned long long)r->records,
		(unsigned long long)r->ignored);
	for (size_t i = 0; i < r->nprocs && !ferror(f); i++)
		if (!r->procs[i]->parent && text_tree(o, r->procs[i], true, true) < 0)
			return -1;
	return 0;
}

int tk_report_write(struct tk_report *r, FILE *f, bool json, bool color)
{
	struct out o = { .f = f, .color = color && !json, .t0 = r->t0 };
	struct totals t;
	int rc;

	if (r->nomem) {
		errno = ENOMEM;
		return -1;
	}
	sum(r, &t);
	o.have_sys = t.syscalls > 0;
	errno = 0;
	rc = json ? write_json(&o, r, &t) : write_text(&o, r, &t);
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
