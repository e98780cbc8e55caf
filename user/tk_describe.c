// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A tool's machine-readable description (tk.h, tk_describe): the build
 * makes the man pages' option and event tables and the bash completion
 * from it (scripts/gen-docs), out of the same tables --help, the option
 * parser and the decoder use, so none of them can say something else.
 */
#include "tk.h"

#define TK_DESCRIBE_MAX_OPTS 64

/* One tab-separated column: a tab or newline inside would start another */
static void col(FILE *f, const char *s, size_t len)
{
	fputc('\t', f);
	for (size_t i = 0; i < len && s[i]; i++)
		fputc(s[i] == '\t' || s[i] == '\n' ? ' ' : s[i], f);
}

/* A multi-line text (summary, examples) as one line of this kind per line. */
static void lines(FILE *f, const char *kind, const char *name, const char *text)
{
	for (const char *s = text; s && *s;) {
		size_t len = strcspn(s, "\n");

		fputs(kind, f);
		col(f, name, strlen(name));
		col(f, s, len);
		fputc('\n', f);
		s += len + (s[len] == '\n');
	}
}

static void field(FILE *f, const char *tool, const char *event, const struct tk_field *fd)
{
	char name_key[64];
	const char *key;
	int n = tk_field_keys(fd, &key, name_key, sizeof(name_key));

	if (!n)
		return;
	fprintf(f, "field\t%s\t%s\t%s\t%s%s%s\n", tool, event, key, key, n > 1 ? "," : "",
		n > 1 ? name_key : "");
}

int tk_describe(FILE *f, const struct tk_tool *t)
{
	const struct tk_tool_opt *opts[TK_DESCRIBE_MAX_OPTS];
	size_t nopts = tk_tool_opts(t, opts, TK_DESCRIBE_MAX_OPTS);
	const char *domain = tk_tool_domain(t);

	/* a page without some options would pass for complete */
	if (nopts > TK_DESCRIBE_MAX_OPTS)
		return tk_fail("%s: %zu options, more than %d to describe", t->name, nopts,
			       TK_DESCRIBE_MAX_OPTS);
	fprintf(f, "tool\t%s\t%s\n", t->name, domain ? domain : "-");
	lines(f, "summary", t->name, t->summary);
	lines(f, "example", t->name, t->examples);
	if (tk_min_linux(t->name, false))
		fprintf(f, "kernel\t%s\t%s\t%s\n", t->name, tk_min_linux(t->name, false),
			tk_min_linux(t->name, true));
	for (size_t i = 0; i < nopts; i++) {
		const struct tk_tool_opt *o = opts[i];

		fprintf(f, "opt\t%s\t", t->name);
		if (o->key < 256)
			fputc(o->key, f);
		else
			fputc('-', f);
		fprintf(f, "\t%s\t%s", o->name, o->arg ? o->arg : "-");
		col(f, o->help, strlen(o->help));
		fputc('\n', f);
	}
	for (const struct tk_tool_event *e = t->events; e->name; e++) {
		const struct tk_event_desc *d = tk_event_by_id(e->id);

		fprintf(f, "event\t%s\t%s\t%d\n", t->name, e->name, e->on_by_default);
		for (__u32 i = 0; d && i < d->nfields; i++)
			field(f, t->name, e->name, &d->fields[i]);
	}
	if (t->events[0].name)
		for (size_t i = 0; i < tk_hdr_nfields; i++)
			field(f, t->name, "-", &tk_hdr_fields[i]);
	return 0;
}
