// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sigtrace: trace signals generated (sender -> target) and delivered. */
#include "tk.h"
#include "sigtrace.skel.h"

static __u64 opt_target;

static const struct tk_tool_event events[] = {
	{ "generate", TK_EV_sig_generate, true, "sig_generate" },
	{ "deliver", TK_EV_sig_deliver, false, "sig_deliver" },
	{ NULL },
};

static const struct tk_tool_opt opts[] = {
	{ "target", 't', "PID", "only signals to process PID (-p: from PID)" },
	{ NULL },
};

static int parse_opt(int key, const char *arg)
{
	(void)key; /* -t is the only one */
	return tk_parse_u64(arg, 1, 0x7fffffff, false, &opt_target) ?
		       tk_usage_error("invalid target pid '%s'", arg) : 0;
}

static const struct tk_tool tool = {
	.name = "sigtrace",
	.summary = "Trace signals: who sends which signal to whom, with what result.",
	.examples = "  sigtrace -t 1234                  # who signals process 1234, and how\n"
		    "  sigtrace -e all -j -- make        # a build's signals and their handlers\n",
	.events = events,
	.opts = opts,
	.parse_opt = parse_opt,
};

static int setup(struct sigtrace_bpf *skel, struct tk_env *env, struct tk_hooks *hooks)
{
	(void)env, (void)hooks;
	skel->rodata->targ_target = opt_target;
	return 0;
}

TK_TOOL_MAIN(sigtrace, &tool, setup)
