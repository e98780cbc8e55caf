// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tracekit: every tool in one binary. `tracekit TOOL ARGS...` runs a tool
 * as its own binary would; `tracekit trace` runs several at once
 * (user/tk_trace.c). The tools are whatever objects the link brought:
 * each one's TK_TOOL_MAIN put a struct tk_tool_reg in section tk_tools.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tk.h"

extern const struct tk_tool_reg __start_tk_tools[], __stop_tk_tools[];

#define TK_MAX_TOOLS 32

/* by domain number, so the order is the contract's, not the link's */
static int reg_cmp(const void *a, const void *b)
{
	const struct tk_tool_reg *x = a, *y = b;
	__u32 dx = x->tool->events[0].name ? x->tool->events[0].id >> 8 : 256;
	__u32 dy = y->tool->events[0].name ? y->tool->events[0].id >> 8 : 256;

	return dx < dy ? -1 : dx > dy;
}

static void help(const struct tk_tool_reg *r, size_t n)
{
	printf("Usage: tracekit TOOL [ARGS...]    run one tool, as its own binary\n"
	       "       tracekit trace [-e DOMAINS|all] [OPTIONS] [-- COMMAND [ARGS...]]\n"
	       "                                  several domains at once, one stream\n\n"
	       "Tools (TOOL: the domain or the tool's name; 'tracekit TOOL --help'):\n");
	for (size_t i = 0; i < n; i++) {
		const char *s = r[i].tool->summary;
		int len = (int)strcspn(s, "\n");

		/* a summary of several lines keeps them, under its first */
		printf("  %-5s %-13s %.*s\n", tk_tool_domain(r[i].tool), r[i].tool->name, len, s);
		for (s += len; *s == '\n'; s += len) {
			s += strspn(s, "\n \t");
			len = (int)strcspn(s, "\n");
			if (len)
				printf("%22s%.*s\n", "", len, s);
		}
	}
	printf("\n'tracekit trace --help' lists its options.\n");
}

int main(int argc, char **argv)
{
	static struct tk_tool_reg regs[TK_MAX_TOOLS];
	size_t n = 0;

	for (const struct tk_tool_reg *r = __start_tk_tools; r < __stop_tk_tools; r++)
		if (n < TK_MAX_TOOLS)
			regs[n++] = *r;
	qsort(regs, n, sizeof(regs[0]), reg_cmp);
	tk_prog = "tracekit";
	if (argc < 2)
		return tk_usage_error("a tool or 'trace' is needed");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help(regs, n);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("tracekit %s\n", TK_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "trace"))
		return tk_trace_main(regs, n, argc - 1, argv + 1);
	/* not in --help: the build's input for the man pages and completion
	 * (scripts/gen-docs), every tool's description and trace's */
	if (!strcmp(argv[1], "--describe")) {
		int rc;

		printf("version\t%s\n", TK_VERSION);
		for (size_t i = 0; i < n; i++)
			if (tk_describe(stdout, regs[i].tool))
				return 1;
		/* what syscalltrace -e (trace's --syscall) takes, to complete */
		for (__u32 nr = 0; nr < TK_SYS_NR_OTHER; nr++)
			if (tk_syscall_name(nr))
				printf("syscall\t%s\n", tk_syscall_name(nr));
		rc = tk_trace_describe(regs, n, stdout);
		/* a description cut short (a full disk) would make pages and
		 * completion without some options that still pass for whole */
		errno = 0;
		if (!rc && (fflush(stdout) || ferror(stdout)))
			rc = tk_fail("cannot write the description: %s", strerror(errno ? errno : EIO));
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		const char *d = tk_tool_domain(regs[i].tool);

		if ((d && !strcmp(argv[1], d)) || !strcmp(argv[1], regs[i].tool->name))
			return tk_main(regs[i].tool, regs[i].ops, argc - 1, argv + 1);
	}
	return tk_usage_error("unknown tool '%s'", argv[1]);
}
