/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* tk_sig.h — signal events (sigtrace). generate: the header is the sender, the task
 * the kernel was running (for SI_KERNEL/SI_TIMER, any); deliver: the receiver. */
#ifndef TK_SIG_H
#define TK_SIG_H
#include "tk_event.h"

#define TK_SIG_GENERATE_FIELDS(F, A)                              \
	F(u32, target_pid, 48, DEC, 0)                            \
	F(u32, target_tid, 52, DEC, 0)                            \
	A(char, target_comm, TK_COMM_LEN, 56, STR, 0)             \
	F(u32, sig, 72, SIGNAL, 0)                                \
	F(s32, code, 76, ENUM, si_code)                           \
	F(u32, result, 80, ENUM, sig_result)                      \
	F(u32, group, 84, BOOL, 0) /* to the process, not a thread */
TK_DEFINE_STRUCT(sig_generate_event, TK_SIG_GENERATE_FIELDS, 88)

#define TK_SIG_DELIVER_FIELDS(F, A)                               \
	F(u32, sig, 48, SIGNAL, 0)                                \
	F(s32, code, 52, ENUM, si_code)                           \
	F(u64, handler, 56, HEX, 0) /* 0: SIG_DFL */              \
	F(u64, sa_flags, 64, FLAGS, sa_flags)
TK_DEFINE_STRUCT(sig_deliver_event, TK_SIG_DELIVER_FIELDS, 72)

#define TK_SIG_DOMAIN 5
#define TK_SIG_EVENTS(E)                                                                     \
	E(sig_generate, TK_ID(TK_SIG_DOMAIN, 1), sig_generate_event, TK_SIG_GENERATE_FIELDS, \
	  "generate")                                                                        \
	E(sig_deliver, TK_ID(TK_SIG_DOMAIN, 2), sig_deliver_event, TK_SIG_DELIVER_FIELDS, "deliver")

#ifdef TK_WANT_SYMS /* display tables: user/tk_events.c only (tk_event.h) */
#include <signal.h>
/* the codes any signal can carry (CLD_EXITED and the like print as numbers) */
TK_SYMS(si_code) = {
	TK_VAL_OF(SI_USER), TK_VAL_OF(SI_KERNEL), TK_VAL_OF(SI_QUEUE), TK_VAL_OF(SI_TIMER),
	TK_VAL_OF(SI_MESGQ), TK_VAL_OF(SI_ASYNCIO), TK_VAL_OF(SI_SIGIO), TK_VAL_OF(SI_TKILL),
	TK_VAL_OF(SI_DETHREAD), TK_VAL_OF(SI_ASYNCNL), TK_SYMS_END };
/* the kernel's enum trace_signal_deliver (TRACE_SIGNAL_*) */
TK_SYMS(sig_result) = { TK_VAL(0, "delivered"), TK_VAL(1, "ignored"), TK_VAL(2, "already_pending"),
			TK_VAL(3, "overflow_fail"), TK_VAL(4, "lose_info"), TK_SYMS_END };
/* SA_RESTORER: libc sets it but its headers lack it (asm-generic/signal-defs.h) */
TK_SYMS(sa_flags) = {
	TK_FLAG_OF(SA_NOCLDSTOP), TK_FLAG_OF(SA_NOCLDWAIT), TK_FLAG_OF(SA_SIGINFO),
	TK_FLAG(0x04000000, "SA_RESTORER"), TK_FLAG_OF(SA_ONSTACK), TK_FLAG_OF(SA_RESTART),
	TK_FLAG_OF(SA_NODEFER), TK_FLAG_OF(SA_RESETHAND), TK_SYMS_END };
#endif

#endif
