/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_sys.h — syscall events (syscalltrace).
 *
 * Why not the seed layout: the design seed (SyscallEvent: timestamp,
 * duration_ns, pid, tgid, syscall_nr, ret, arg0..arg5, comm[16]) states 104
 * bytes, but under C layout rules it is 96 (8+8+4+4+4+4+6*8+16, no padding
 * needed). tests/unit/test_layout.c compiles it and asserts 96. Here ret is
 * 64-bit (syscalls return long) and pid/tid/comm live in the header.
 */
#ifndef TK_SYS_H
#define TK_SYS_H
#include "tk_event.h"

#define TK_SYS_FIELDS(F, A)                                       \
	F(u64, duration_ns, 40, DURATION, 0)                      \
	F(s64, ret, 48, ERRNO, 0)                                 \
	A(u64, args, 6, 56, HEX, 0)                               \
	F(u32, nr, 104, SYSCALL, 0)                               \
	F(u32, __pad0, 108, PAD, 0)
TK_DEFINE_STRUCT(sys_event, TK_SYS_FIELDS, 112)

/* ids 48..63 */
#define TK_SYS_EVENTS(E) E(syscall, 48, sys_event, TK_SYS_FIELDS, "syscall")

#endif
