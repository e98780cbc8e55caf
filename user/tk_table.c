// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Summary tables for -s modes: aligned text or one JSON object per row. */
#include <math.h>
#include "tk.h"
#include "tk_cgroup.h"

void tk_table_begin(const struct tk_out *o, const char *title, const struct tk_col *cols,
		    int ncols)
{
	if (o->json)
		return;
	if (title)
		fprintf(o->f, "\n%s\n", title);
	for (int i = 0; i < ncols; i++)
		fprintf(o->f, "%s%*s", i ? " " : "", cols[i].width, cols[i].name);
	fputc('\n', o->f);
}

static void put_num(FILE *f, const struct tk_cell *c, int width)
{
	if (c->integer)
		fprintf(f, "%*.0f", width, c->num);
	else
		fprintf(f, "%*.3f", width, c->num);
}

void tk_table_row(const struct tk_out *o, const char *row_event, const struct tk_col *cols,
		  const struct tk_cell *cells, int ncols)
{
	FILE *f = o->f;

	if (o->json) {
		fprintf(f, "{\"event\":\"%s\"", row_event);
		for (int i = 0; i < ncols; i++) {
			if (cells[i].none)
				continue;
			fprintf(f, ",\"%s\":", cols[i].name);
			if (cells[i].s)
				tk_fput_json_str(f, cells[i].s, cells[i].len ? cells[i].len : (size_t)-1);
			else if (!isfinite(cells[i].num))
				fputs("null", f);
			else
				put_num(f, &cells[i], 0);
		}
		fputs("}\n", f);
		return;
	}
	for (int i = 0; i < ncols; i++) {
		if (i)
			fputc(' ', f);
		if (cells[i].none)
			tk_fput_text_padded(f, "-", 1, cols[i].width);
		else if (cells[i].s)
			tk_fput_text_padded(f, cells[i].s, cells[i].len ? cells[i].len : (size_t)-1,
					    cols[i].width);
		else
			put_num(f, &cells[i], cols[i].width);
	}
	fputc('\n', f);
}

int tk_table_cgroup(const struct tk_out *o, bool tail, __u64 id, const struct tk_cg_info *ci,
		    struct tk_col *cols, struct tk_cell *cells)
{
	const struct tk_cg_attr *a = ci && ci->path ? &ci->attr : NULL;
	int n = 0;

	if (tail) {
		if (o->json)
			return 0;
		cols[n] = (struct tk_col){ "cgroup", -1 };
		cells[n++] = (struct tk_cell){ .s = a ? ci->path : NULL, .none = !a };
		return n;
	}
	cols[n] = (struct tk_col){ "cgroup_id", 10 };
	cells[n++] = (struct tk_cell){ .num = (double)id, .integer = true };
	if (!o->json) {
		size_t len;
		const char *l = tk_cgroup_label(a ? ci : NULL, &len);

		cols[n] = (struct tk_col){ "container", -16 };
		cells[n++] = (struct tk_cell){ .s = l, .len = len };
		return n;
	}
	cols[n] = (struct tk_col){ "cgroup", 0 };
	cells[n++] = (struct tk_cell){ .s = a ? ci->path : NULL, .none = !a };
	cols[n] = (struct tk_col){ "container_id", 0 };
	cells[n++] = (struct tk_cell){ .s = a ? a->container_id : NULL,
				       .none = !a || !a->container_id[0] };
	cols[n] = (struct tk_col){ "pod_uid", 0 };
	cells[n++] = (struct tk_cell){ .s = a ? a->pod_uid : NULL, .none = !a || !a->pod_uid[0] };
	cols[n] = (struct tk_col){ "unit", 0 };
	cells[n++] = (struct tk_cell){ .s = a ? a->unit : NULL, .len = a ? a->unit_len : 0,
				       .none = !a || !a->unit };
	return n;
}
