/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_sys.h — syscall events (syscalltrace).
 *
 * Why not the seed layout: the design seed (SyscallEvent: timestamp,
 * duration_ns, pid, tgid, syscall_nr, ret, arg0..arg5, comm[16]) states 104
 * bytes, but under C layout rules it is 96 (8+8+4+4+4+4+6*8+16, no padding
 * needed). tests/unit/test_layout.c compiles it and asserts 96. Here ret is
 * 64-bit (syscalls return long) and pid/tid/comm live in the header.
 *
 * One record per completed syscall. ts_ns in the header is the time the
 * call was entered (as strace -t shows it); duration_ns runs to its exit.
 * fd is the call's file-descriptor argument, -1 when it has none. path is
 * its first path argument, packed after the 128-byte fixed part at its
 * length (tk_event.h): only calls that have one (open, stat, execve,
 * unlink, …) carry it (path_len > 0); the others are the fixed part alone.
 */
#ifndef TK_SYS_H
#define TK_SYS_H
#include "tk_event.h"

#define TK_SYS_PATH_LEN 256

#define TK_SYS_FIELDS(F, A)                                       \
	F(u32, nr, 48, SYSCALL, 0)                                \
	F(s32, fd, 52, FD, 0)                                     \
	F(s64, ret, 56, ERRNO, 0)                                 \
	F(u64, duration_ns, 64, DURATION, 0)                      \
	A(u64, args, 6, 72, HEX, 0)                               \
	F(u32, path_len, 120, VSTR, path)                         \
	F(u32, __pad0, 124, PAD, 0)
TK_DEFINE_STRUCT(sys_event, TK_SYS_FIELDS, 128)
#define TK_SYS_MAX (128 + TK_SYS_PATH_LEN)

/*
 * Syscall numbers the in-kernel tables cover (filter bitmap, per-syscall
 * statistics, argument kinds). Larger numbers (x32's bit 30) are counted
 * in the last slot, TK_SYS_NR_OTHER.
 */
#define TK_SYS_NR_SLOTS 1024
#define TK_SYS_NR_OTHER (TK_SYS_NR_SLOTS - 1)

/* Per-syscall statistics (summary mode), summed over CPUs by userspace. */
struct tk_sys_stat {
	tk_u64 count;
	tk_u64 errors;
	tk_u64 total_ns;
	tk_u64 max_ns;   /* of the interval `epoch` */
	tk_u32 epoch;
	tk_u32 __pad0;
};

/* -P and --per-cgroup: per process, per cgroup or both, the other part
 * 0. comm is the name of the first process seen with the key. */
struct tk_sys_pkey {
	tk_u64 cgroup_id;
	tk_u32 pid;
	tk_u32 nr;
};
struct tk_sys_pstat {
	struct tk_sys_stat s;
	tk_char comm[TK_COMM_LEN];
};

/* Slots of syscalltrace's per-CPU counter array. */
enum tk_sys_counter {
	TK_SYS_CNT_COMPAT = 0,  /* calls of 32-bit tasks, not traced */
	TK_SYS_CNT_NOSPACE = 1, /* -P/--per-cgroup: calls not counted, map full */
	TK_SYS_CNT_NOSTORE = 2, /* calls not timed: task storage unavailable */
	TK_SYS_CNT__COUNT,
};

#define TK_SYS_DOMAIN 4
#define TK_SYS_EVENTS(E) E(syscall, TK_ID(TK_SYS_DOMAIN, 1), sys_event, TK_SYS_FIELDS, "syscall")

#endif
