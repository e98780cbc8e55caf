/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_sig.h — signal events (sigtrace). generate: the header is the sender,
 * the task the kernel was running (for SI_KERNEL/SI_TIMER signals, any);
 * result is the kernel's enum trace_signal_deliver. deliver: the header's
 * thread takes the signal; handler 0 is SIG_DFL.
 */
#ifndef TK_SIG_H
#define TK_SIG_H
#include "tk_event.h"

#define TK_SIG_GENERATE_FIELDS(F, A)                              \
	F(u32, target_pid, 40, DEC, 0)                            \
	F(u32, target_tid, 44, DEC, 0)                            \
	A(char, target_comm, TK_COMM_LEN, 48, STR, 0)             \
	F(u32, sig, 64, SIGNAL, 0)                                \
	F(s32, code, 68, ENUM, si_code)                           \
	F(u32, result, 72, ENUM, sig_result)                      \
	F(u32, group, 76, BOOL, 0) /* to the process, not a thread */
TK_DEFINE_STRUCT(sig_generate_event, TK_SIG_GENERATE_FIELDS, 80)

#define TK_SIG_DELIVER_FIELDS(F, A)                               \
	F(u32, sig, 40, SIGNAL, 0)                                \
	F(s32, code, 44, ENUM, si_code)                           \
	F(u64, handler, 48, HEX, 0)                               \
	F(u64, sa_flags, 56, FLAGS, sa_flags)
TK_DEFINE_STRUCT(sig_deliver_event, TK_SIG_DELIVER_FIELDS, 64)

/* ids 56, 57: free in syscalltrace's block (48..63) until ids widen */
#define TK_SIG_EVENTS(E)                                                            \
	E(sig_generate, 56, sig_generate_event, TK_SIG_GENERATE_FIELDS, "generate") \
	E(sig_deliver, 57, sig_deliver_event, TK_SIG_DELIVER_FIELDS, "deliver")

#endif
