/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_@name@.h — @name@'s events (from `make new-tool`; docs/new-tool.md).
 * exec: a program started. The header is the process after the exec (its
 * new comm); old_tid is the thread that called exec, which differs from
 * pid when a thread other than the leader execs.
 */
#ifndef TK_@NAME@_H
#define TK_@NAME@_H
#include "tk_event.h"

#define TK_@NAME@_EXEC_FIELDS(F, A)                               \
	F(u32, old_tid, 48, DEC, 0)                               \
	F(u32, __pad0, 52, PAD, 0)
TK_DEFINE_STRUCT(@name@_exec_event, TK_@NAME@_EXEC_FIELDS, 56)

/* Domain @DOMAIN@ was the lowest free one when this was made; the build
 * rejects two headers with one domain number (tk_event.h). */
#define TK_@NAME@_DOMAIN @DOMAIN@
#define TK_@NAME@_EVENTS(E) \
	E(@name@_exec, TK_ID(TK_@NAME@_DOMAIN, 1), @name@_exec_event, TK_@NAME@_EXEC_FIELDS, "exec")

#endif
