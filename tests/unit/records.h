/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records built as the BPF side writes them (the contract's structs, packed
 * strings at their lengths), for the decoder's and the report's tests. */
#ifndef TEST_RECORDS_H
#define TEST_RECORDS_H
#include <string.h>
#include "tk.h"

static inline void hdr(struct tk_hdr *h, __u32 ev, const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->ts_ns = 123456789;
	h->event = ev;
	h->pid = 42;
	h->tid = 43;
	h->uid = 1000;
	memcpy(h->comm, comm, strnlen(comm, sizeof(h->comm)));
	h->cgroup_id = 9876;
}

/* A record being built: its fixed part, then the packed strings. */
typedef union {
	struct tk_hdr h;
	struct tk_exec_event exec;
	struct tk_file_event file;
	struct tk_rename_event ren;
	struct tk_fork_event fork;
	struct tk_exit_event exit;
	struct tk_net_connect_event conn;
	struct tk_net_close_event close;
	struct tk_sig_generate_event gen;
	struct tk_sig_deliver_event dlv;
	struct tk_sys_event sys;
	char b[16384];
} recbuf;

/* Appends n bytes (a string's NUL included) at offset at; returns the end. */
static inline size_t append(recbuf *r, size_t at, const void *s, size_t n)
{
	memcpy(r->b + at, s, n);
	return at + n;
}

/* An exec record as the BPF side sends it: filename (fname_len bytes,
 * NUL included) and args (NUL-separated) packed after the fixed part. */
static inline size_t make_exec(recbuf *r, const char *comm, const char *fname, size_t fname_len,
			const char *args, size_t args_len, int ret)
{
	struct tk_exec_event *e = &r->exec;

	memset(r, 0, sizeof(*r));
	hdr(&e->hdr, TK_EV_exec, comm);
	e->ppid = 1;
	e->ret = ret;
	e->filename_len = fname_len;
	e->args_size = args_len;
	return append(r, append(r, sizeof(*e), fname, fname_len), args, args_len);
}

/* A file record (file_event or, with newpath, rename_event): filename
 * and path (and newpath) packed after the fixed part, each with its NUL;
 * the caller sets call, ret, bytes… */
static inline size_t make_file(recbuf *r, __u32 ev, const char *comm, const char *filename,
			       const char *newpath, const char *path)
{
	size_t at;

	memset(r, 0, sizeof(*r));
	hdr(&r->h, ev, comm);
	r->file.fd = -1;
	r->file.filename_len = strlen(filename) + 1;
	at = append(r, sizeof(r->file), filename, strlen(filename) + 1);
	if (newpath) {
		r->ren.newpath_len = strlen(newpath) + 1;
		r->ren.path_len = strlen(path) + 1;
		at = append(r, at, newpath, strlen(newpath) + 1);
	} else {
		r->file.path_len = strlen(path) + 1;
	}
	return append(r, at, path, strlen(path) + 1);
}

#endif
