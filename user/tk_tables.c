// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Symbol tables the decoder uses for FLAGS/ENUM/ERRNO/SIGNAL fields. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include "tk.h"
#include "tk_syscalls.h"

#define SYM(x) { x, #x }

/*
 * O_RDONLY is 0 (handled by the decoder). Multi-bit flags come before the
 * flags they contain (O_SYNC ⊃ O_DSYNC, O_TMPFILE ⊃ O_DIRECTORY): the
 * decoder clears the bits of each match.
 */
/*
 * The kernel sets O_LARGEFILE in every 64-bit file's f_flags, but 64-bit
 * glibc defines O_LARGEFILE as 0: name the kernel's bit (per arch).
 */
#if defined(__aarch64__) || defined(__arm__)
#define K_O_LARGEFILE 0400000
#elif defined(__powerpc__) || defined(__mips__)
#define K_O_LARGEFILE (O_LARGEFILE ? O_LARGEFILE : 0200000)
#else /* asm-generic, x86, riscv, s390 */
#define K_O_LARGEFILE 0100000
#endif

static const struct tk_sym open_flags[] = {
	SYM(O_WRONLY), SYM(O_RDWR), SYM(O_CREAT), SYM(O_EXCL), SYM(O_NOCTTY),
	SYM(O_TRUNC), SYM(O_APPEND), SYM(O_NONBLOCK), SYM(O_SYNC), SYM(O_DSYNC),
	SYM(O_DIRECT), { K_O_LARGEFILE, "O_LARGEFILE" }, SYM(O_TMPFILE), SYM(O_DIRECTORY),
	SYM(O_NOFOLLOW), SYM(O_NOATIME), SYM(O_CLOEXEC), SYM(O_PATH), { 0, NULL },
};

/* renameat2(2) flags (<linux/fs.h> values; glibc's <stdio.h> has them
 * only with _GNU_SOURCE and newer versions) */
static const struct tk_sym rename_flags[] = {
	{ 1, "RENAME_NOREPLACE" }, { 2, "RENAME_EXCHANGE" }, { 4, "RENAME_WHITEOUT" },
	{ 0, NULL },
};

static const struct tk_sym file_call[] = {
#define TK__FC_SYM(name, n) { n, #name },
	TK_FILE_CALLS(TK__FC_SYM)
#undef TK__FC_SYM
	{ 0, NULL },
};

static const struct tk_sym family[] = {
	SYM(AF_UNSPEC), SYM(AF_UNIX), SYM(AF_INET), SYM(AF_INET6), { 0, NULL },
};

static const struct tk_sym tcp_state[] = {
	{ 1, "ESTABLISHED" }, { 2, "SYN_SENT" }, { 3, "SYN_RECV" },
	{ 4, "FIN_WAIT1" }, { 5, "FIN_WAIT2" }, { 6, "TIME_WAIT" },
	{ 7, "CLOSE" }, { 8, "CLOSE_WAIT" }, { 9, "LAST_ACK" },
	{ 10, "LISTEN" }, { 11, "CLOSING" }, { 12, "NEW_SYN_RECV" },
	{ 0, NULL },
};

static const struct tk_sym net_closer[] = {
	{ TK_NET_CLOSED_UNKNOWN, "unknown" }, { TK_NET_CLOSED_LOCAL, "local" },
	{ TK_NET_CLOSED_REMOTE, "remote" }, { 0, NULL },
};

/* si_code values every signal can carry (a signal's own positive codes,
 * CLD_EXITED and the like, print as numbers) */
static const struct tk_sym si_code[] = {
	SYM(SI_USER), SYM(SI_KERNEL), SYM(SI_QUEUE), SYM(SI_TIMER), SYM(SI_MESGQ),
	SYM(SI_ASYNCIO), SYM(SI_SIGIO), SYM(SI_TKILL), SYM(SI_DETHREAD), SYM(SI_ASYNCNL),
	{ 0, NULL },
};

/* the kernel's enum trace_signal_deliver (TRACE_SIGNAL_*) */
static const struct tk_sym sig_result[] = {
	{ 0, "delivered" }, { 1, "ignored" }, { 2, "already_pending" },
	{ 3, "overflow_fail" }, { 4, "lose_info" }, { 0, NULL },
};

/* SA_RESTORER: set by libc, not in its headers; the kernel's bit on every
 * arch that has one (asm-generic/signal-defs.h) */
static const struct tk_sym sa_flags[] = {
	SYM(SA_NOCLDSTOP), SYM(SA_NOCLDWAIT), SYM(SA_SIGINFO), { 0x04000000, "SA_RESTORER" },
	SYM(SA_ONSTACK), SYM(SA_RESTART), SYM(SA_NODEFER), SYM(SA_RESETHAND), { 0, NULL },
};

const struct tk_sym *tk_sym_table(const char *aux, bool *is_flags)
{
	static const struct {
		const char *name;
		const struct tk_sym *tab;
		bool flags;
	} tabs[] = {
		{ "open_flags", open_flags, true },
		{ "rename_flags", rename_flags, true },
		{ "file_call", file_call, false },
		{ "family", family, false },
		{ "tcp_state", tcp_state, false },
		{ "net_closer", net_closer, false },
		{ "si_code", si_code, false },
		{ "sig_result", sig_result, false },
		{ "sa_flags", sa_flags, true },
	};

	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		if (!strcmp(tabs[i].name, aux)) {
			if (is_flags)
				*is_flags = tabs[i].flags;
			return tabs[i].tab;
		}
	}
	return NULL;
}

const char *tk_errno_name(int err)
{
	return err > 0 ? strerrorname_np(err) : NULL;
}

const char *tk_signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (!abbrev)
		return NULL;
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	return buf;
}

/*
 * Syscall names of this architecture, by number, from the table the
 * Makefile generates out of <asm/unistd.h>. In the library rather than in
 * syscalltrace so that every tool's decoder names a TK_K_SYSCALL field.
 */
#define TK__SYSCALL_NAME(name) [__NR_##name] = #name,
static const char *const syscall_names[] = { TK_SYSCALLS(TK__SYSCALL_NAME) };
#define NSYSCALL_NAMES (sizeof(syscall_names) / sizeof(syscall_names[0]))
_Static_assert(NSYSCALL_NAMES <= TK_SYS_NR_OTHER, "syscall numbers fit syscalltrace's tables");

const char *tk_syscall_name(__u32 nr)
{
	return nr < NSYSCALL_NAMES ? syscall_names[nr] : NULL;
}

int tk_syscall_nr(const char *name)
{
	for (size_t i = 0; i < NSYSCALL_NAMES; i++)
		if (syscall_names[i] && !strcmp(syscall_names[i], name))
			return (int)i;
	return -1;
}
