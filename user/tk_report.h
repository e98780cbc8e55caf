/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_report.h — what a traced command did, as a process tree (libtk).
 *
 * The consumer hands every record it receives to tk_report_add(), from any
 * domain, in timestamp order; at the end tk_report_write() prints, for each
 * process: its argv, exit code or signal and lifetime, the files it
 * opened, read, wrote, removed or renamed (bytes and failures), its TCP
 * connections (peer, bytes each way, errors), the signals it sent and
 * received and, with syscall records, its syscall count and time; totals
 * first. Text is a tree (like pstree); JSON one document, whose keys
 * docs/report.md lists.
 *
 * Every number is a sum of record fields; nothing is inferred. Processes
 * are keyed by pid and birth: a fork record starts a new process, and an
 * exec or exit after a pid's exit is a new process of that pid too (a
 * reused pid never merges with its predecessor). A process first seen
 * after its start (no fork record) is placed under its ppid when the
 * record names one and that process is alive in the report, else at the
 * top. Net records name the socket's owner, which may report after its
 * owner exited (the FIN of a closed socket): they go to the latest
 * process of the pid, exited or not.
 */
#ifndef TK_REPORT_H
#define TK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct tk_report;

/* An empty report; NULL and errno on failure. */
struct tk_report *tk_report_new(void);
/*
 * One record exactly as the consumer received it (struct tk_hdr first, any
 * domain). Records arrive in timestamp order. Unknown event types, short or
 * malformed records and records of pid 0 are ignored (counted as
 * "ignored"). A record that could not be stored for lack of memory makes
 * tk_report_write() fail with ENOMEM rather than print a report short of it.
 */
void tk_report_add(struct tk_report *r, const void *data, size_t size);
/* The report on f: JSON (one document and a newline) or text; color: ANSI
 * red on failures in text (the caller decides, e.g. isatty). 0, or -1 and
 * errno (a write failure is an error, never swallowed). */
int tk_report_write(struct tk_report *r, FILE *f, bool json, bool color);
/* NULL-safe. */
void tk_report_free(struct tk_report *r);

#endif /* TK_REPORT_H */
