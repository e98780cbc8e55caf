/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_proc.h — process events (proctrace). Start a new tool by copying this.
 *
 * Each record is struct tk_hdr (48 bytes: ts_ns, event, pid, tid, uid,
 * comm, cgroup_id) followed by the fields listed here, at the offsets
 * listed here. `ppid` is always the parent of hdr.pid.
 *
 * exec is variable-length (see tk_event.h): the fixed part, then the
 * filename and argv packed at their lengths, so `ls -l` costs ~110 bytes.
 */
#ifndef TK_PROC_H
#define TK_PROC_H
#include "tk_event.h"

#define TK_EXEC_FILENAME_LEN 256
#define TK_EXEC_ARGS_LEN 4096   /* argv bytes kept, NULs included */
#define TK_EXEC_MAX_ARGS 64     /* argv entries kept */

/* exec (execve/execveat). argv is argc NUL-terminated strings. */
#define TK_EXEC_FIELDS(F, A)                                      \
	F(u32, ppid, 48, DEC, 0)                                  \
	F(s32, ret, 52, ERRNO, 0)                                 \
	F(u32, argc, 56, NONE, 0)                                 \
	F(u32, args_truncated, 60, BOOL, 0)                       \
	F(u32, filename_len, 64, VSTR, filename)                  \
	F(u32, args_size, 68, ARGV, argv)
TK_DEFINE_STRUCT(exec_event, TK_EXEC_FIELDS, 72)
/* The largest exec record: fixed part, filename, argv. */
#define TK_EXEC_MAX (72 + TK_EXEC_FILENAME_LEN + TK_EXEC_ARGS_LEN)

/* fork/clone: hdr.pid is the parent. Threads only with --threads. */
#define TK_FORK_FIELDS(F, A)                                      \
	F(u32, ppid, 48, DEC, 0)                                  \
	F(u32, child_pid, 52, DEC, 0)                             \
	F(u32, child_tid, 56, DEC, 0)                             \
	F(u32, __pad0, 60, PAD, 0)
TK_DEFINE_STRUCT(fork_event, TK_FORK_FIELDS, 64)

/*
 * exit: one per process, when its last thread exits. exit_code is the
 * value passed to exit() (0..255), signal the signal that killed it (0 if
 * none); duration_ns is the process lifetime.
 */
#define TK_EXIT_FIELDS(F, A)                                      \
	F(u32, ppid, 48, DEC, 0)                                  \
	F(s32, exit_code, 52, DEC, 0)                             \
	F(u32, signal, 56, SIGNAL, 0)                             \
	F(u32, core_dumped, 60, BOOL, 0)                          \
	F(u64, duration_ns, 64, DURATION, 0)
TK_DEFINE_STRUCT(exit_event, TK_EXIT_FIELDS, 72)

#define TK_EXEC_F_TRUNCATED 1

/*
 * E(ident, id, struct, FIELDS, label): the domain's events. The build
 * registers every header that defines TK_<DOMAIN>_DOMAIN and
 * TK_<DOMAIN>_EVENTS (tk_event.h, "Event ids and registration"); a new
 * domain takes the next free number.
 */
#define TK_PROC_DOMAIN 1
#define TK_PROC_EVENTS(E)                                                  \
	E(exec, TK_ID(TK_PROC_DOMAIN, 1), exec_event, TK_EXEC_FIELDS, "exec") \
	E(fork, TK_ID(TK_PROC_DOMAIN, 2), fork_event, TK_FORK_FIELDS, "fork") \
	E(exit, TK_ID(TK_PROC_DOMAIN, 3), exit_event, TK_EXIT_FIELDS, "exit")

#endif
