// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tracekit trace: several tools in one run (tk_run_units), with one set of
 * common options and every selected tool's own options.
 *
 * -e takes domains: DOMAIN (its default events), DOMAIN:EVENT (that event;
 * the first one of a domain replaces its defaults), DOMAIN:all, or all
 * (every domain). Without -e: every domain but those marked
 * trace_on_request (sys).
 *
 * Option names, decided the same way for any set of tools: a domain
 * option keeps its long name when no other tool and no common option has
 * it, else it is --DOMAIN-NAME (--proc-failed, --file-failed); it keeps
 * its short letter when no other tool and no common option uses it (-4,
 * -t), else it is long only (syscalltrace's -e is --syscall). An option
 * of a domain that is not traced is a usage error naming the domain.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tk.h"

#define TK_TRACE_MAX_TOOLS 32
#define TK_TRACE_MAX_OPTS 48
#define TK_TRACE_KEY_BASE 2000 /* long-only keys: above libtk's own */
#define TK_TRACE_KEY_REPORT (TK_TRACE_KEY_BASE - 1)

static const struct tk_tool_reg *regs;
static size_t nregs;
static bool selected[TK_TRACE_MAX_TOOLS], explicit_events[TK_TRACE_MAX_TOOLS];
static const char *used_opt[TK_TRACE_MAX_TOOLS]; /* first option given, per tool */
static struct tk_unit units[TK_TRACE_MAX_TOOLS];

/* the synthetic tool's options: [0] is -e, [1] --report, then every tool's */
static struct tk_tool_opt opts[TK_TRACE_MAX_OPTS + 2];
static int orig_key[TK_TRACE_MAX_OPTS + 1];
static size_t owner[TK_TRACE_MAX_OPTS + 1];
static size_t nopts;
static bool report;
static bool seen_e; /* an -e was given */

static int find_tool(const char *name, size_t len)
{
	for (size_t i = 0; i < nregs; i++) {
		const char *d = tk_tool_domain(regs[i].tool), *t = regs[i].tool->name;

		if ((d && strlen(d) == len && !strncmp(d, name, len)) ||
		    (strlen(t) == len && !strncmp(t, name, len)))
			return (int)i;
	}
	return -1;
}

/* One -e item: DOMAIN, DOMAIN:EVENT, DOMAIN:all or all. */
static int select_item(const char *item)
{
	const char *colon = strchr(item, ':');
	size_t len = colon ? (size_t)(colon - item) : strlen(item);
	int t;

	if (!colon && !strcmp(item, "all")) {
		for (size_t i = 0; i < nregs; i++)
			selected[i] = true;
		return 0;
	}
	t = find_tool(item, len);
	if (t < 0)
		return tk_usage_error("unknown domain '%.*s'", (int)len, item);
	selected[t] = true;
	if (!colon)
		return 0;
	if (!explicit_events[t]) {
		explicit_events[t] = true;
		memset(units[t].env.events_mask, 0, sizeof(units[t].env.events_mask));
	}
	if (tk_select_event(regs[t].tool, &units[t].env, colon + 1))
		return 0;
	return tk_usage_error("unknown event '%s' of domain '%.*s'", colon + 1, (int)len, item);
}

static int parse_domains(const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return tk_fail("out of memory");
	/* the first -e replaces the default domains; more -e add to it */
	for (size_t i = 0; !seen_e && i < nregs; i++) {
		selected[i] = explicit_events[i] = false;
		tk_select_defaults(regs[i].tool, &units[i].env);
	}
	seen_e = true;
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = select_item(tok);
	if (!rc && !*list)
		rc = tk_usage_error("no domains selected");
	free(copy);
	return rc ? -1 : 0;
}

static int parse_opt(int key, const char *arg)
{
	if (key == 'e')
		return parse_domains(arg);
	if (key == TK_TRACE_KEY_REPORT) {
		report = true;
		return 0;
	}
	for (size_t i = 2; i < nopts; i++) {
		const struct tk_tool *t;

		if (opts[i].key != key)
			continue;
		t = regs[owner[i]].tool;
		if (!used_opt[owner[i]])
			used_opt[owner[i]] = opts[i].name;
		return t->parse_opt ? t->parse_opt(orig_key[i], arg) : -1;
	}
	return -1;
}

/* Whether another tool than t has an option of this key (< 256; -1: none)
 * or name (NULL: none). */
static bool other_has(size_t t, int key, const char *name)
{
	for (size_t i = 0; i < nregs; i++)
		if (i != t && tk_opt_in(regs[i].tool->opts, key, name))
			return true;
	return false;
}

static int build_opts(void)
{
	opts[0] = (struct tk_tool_opt){ "events", 'e', "DOMAINS",
					"domains to trace, comma-separated: DOMAIN, DOMAIN:EVENT, "
					"DOMAIN:all, or 'all'" };
	opts[1] = (struct tk_tool_opt){ "report", TK_TRACE_KEY_REPORT, NULL,
					"at the end, what the command did: a process tree (argv, exit, "
					"files, connections, signals; text, or one JSON document with "
					"-j) on stdout; records only to -o FILE; every event of "
					"each domain unless -e names them" };
	nopts = 2;
	for (size_t t = 0; t < nregs; t++) {
		const char *dom = tk_tool_domain(regs[t].tool);

		for (const struct tk_tool_opt *o = regs[t].tool->opts; o && o->name; o++) {
			struct tk_tool_opt *n = &opts[nopts];
			char *name = NULL, *help = NULL;

			if (nopts == TK_TRACE_MAX_OPTS)
				return tk_fail("too many tool options for tracekit trace");
			if (!other_has(t, -1, o->name) && !tk_common_opt(-1, o->name))
				name = strdup(o->name);
			else if (asprintf(&name, "%s-%s", dom, o->name) < 0)
				name = NULL;
			if (!name || asprintf(&help, "[%s] %s", dom, o->help) < 0) {
				free(name);
				return tk_fail("out of memory");
			}
			*n = (struct tk_tool_opt){ name, o->key, o->arg, help };
			if (o->key >= 256 || other_has(t, o->key, NULL) || tk_common_opt(o->key, NULL))
				n->key = TK_TRACE_KEY_BASE + (int)nopts;
			orig_key[nopts] = o->key;
			owner[nopts] = t;
			nopts++;
		}
	}
	opts[nopts] = (struct tk_tool_opt){ 0 };
	return 0;
}

static void free_opts(void)
{
	for (size_t i = 2; i < nopts; i++) {
		free((char *)opts[i].name);
		free((char *)opts[i].help);
	}
}

/* tracekit trace as a tool: its summary names the domains (default ones
 * starred), its options are build_opts()'s */
static char summary[1024];
static struct tk_tool trace_tool = {
	.name = "tracekit trace",
	.summary = summary,
	.examples = "  tracekit trace -- make -j2         # a build: its execs, files, "
		    "connections, signals\n"
		    "  tracekit trace -j -e proc,net -- curl -s example.com\n"
		    "  tracekit trace -e proc,file:open,file:write -- sh -c 'echo x >/tmp/y'\n"
		    "  tracekit trace -e all --syscall openat -- ls\n",
	.events = (const struct tk_tool_event[]){ { NULL } },
	.opts = opts,
	.parse_opt = parse_opt,
};

static int build_tool(const struct tk_tool_reg *r, size_t nr)
{
	size_t len = 0;

	if (nr > TK_TRACE_MAX_TOOLS)
		return tk_fail("too many tools (%zu)", nr);
	regs = r;
	nregs = nr;
	len += snprintf(summary, sizeof(summary),
			"Trace several domains at once, as one stream in time order.\n"
			"Domains (-e):");
	for (size_t i = 0; i < nr; i++) {
		selected[i] = !r[i].tool->trace_on_request;
		tk_select_defaults(regs[i].tool, &units[i].env);
		if (len < sizeof(summary))
			len += snprintf(summary + len, sizeof(summary) - len, " %s%s",
					tk_tool_domain(r[i].tool), selected[i] ? "*" : "");
	}
	if (len < sizeof(summary))
		snprintf(summary + len, sizeof(summary) - len,
			 "   (* = default; DOMAIN:EVENT picks events: file:write)\n"
			 "A domain's options: as its tool's, --DOMAIN-NAME where two tools share "
			 "a name,\nlong only where they share a letter.");
	return build_opts();
}

int tk_trace_describe(const struct tk_tool_reg *r, size_t nr, FILE *f)
{
	int rc = build_tool(r, nr);

	if (!rc)
		rc = tk_describe(f, &trace_tool);
	free_opts();
	return rc;
}

int tk_trace_main(const struct tk_tool_reg *r, size_t nr, int argc, char **argv)
{
	static struct tk_env env;
	size_t n = 0;
	int rc;

	rc = build_tool(r, nr);
	if (!rc)
		rc = tk_parse_args(&trace_tool, argc, argv, &env);
	env.report = report;
	tk_prog = "tracekit";
	for (size_t i = 0; !rc && i < nr; i++)
		if (used_opt[i] && !selected[i])
			rc = tk_usage_error("--%s is an option of domain '%s', which is not traced "
					    "(add it to -e)", used_opt[i], tk_tool_domain(r[i].tool));
	for (size_t i = 0; !rc && i < nr; i++) {
		__u64 mask[TK_EV_WORDS];

		if (!selected[i])
			continue;
		/* --report sums up reads, writes, removes, deliveries: every
		 * event of a domain -e names without its events */
		if (report && !explicit_events[i])
			tk_select_event(r[i].tool, &units[i].env, "all");
		memcpy(mask, units[i].env.events_mask, sizeof(mask));
		units[n].env = env;
		units[n].env.tool = r[i].tool;
		memcpy(units[n].env.events_mask, mask, sizeof(mask));
		units[n].tool = r[i].tool;
		units[n].ops = r[i].ops;
		if (r[i].tool->check_args)
			rc = r[i].tool->check_args(&units[n].env);
		n++;
	}
	if (!rc && !n)
		rc = tk_usage_error("no domains selected");
	if (!rc)
		rc = tk_run_units(units, n, true);
	free_opts();
	return rc;
}
