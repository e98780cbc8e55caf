// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* @name@: trace every exec (from `make new-tool`; docs/new-tool.md). */
#include "tk.h"
#include "@name@.skel.h"

static const struct tk_tool_event events[] = {
	{ "exec", TK_EV_@name@_exec, true, NULL },
	{ NULL },
};

static const struct tk_tool tool = {
	.name = "@name@",
	.summary = "Trace every exec.",
	.examples = "  @name@ -j -- make                 # the programs a build runs\n",
	.events = events,
};

/* no settings of its own: see sigtrace's setup() for rodata from options */
TK_TOOL_MAIN(@name@, &tool, NULL)
