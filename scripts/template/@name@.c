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

int main(int argc, char **argv)
{
	struct @name@_bpf *skel = NULL;
	struct tk_env env;
	int rc = tk_init(&tool, argc, argv, &env);

	if (rc)
		return rc;
	skel = @name@_bpf__open();
	if (!skel) {
		rc = tk_fail("cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	TK_APPLY_RODATA(skel, &env);
	rc = tk_run(&env, TK_BPF(skel));
cleanup:
	@name@_bpf__destroy(skel);
	return rc;
}
