// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Names the decoder gives ERRNO, SIGNAL and SYSCALL fields (the FLAGS and
 * ENUM tables are in the domain headers, include/tk_*.h). */
#define _GNU_SOURCE
#include <string.h>
#include "tk.h"
#include "tk_syscalls.h"

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
