// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Summary tables for -s modes: aligned text or one JSON object per row. */
#include <math.h>
#include "tk.h"

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
			fprintf(f, ",\"%s\":", cols[i].name);
			if (cells[i].s)
				tk_fput_json_str(f, cells[i].s, (size_t)-1);
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
		if (cells[i].s)
			tk_fput_text_padded(f, cells[i].s, (size_t)-1, cols[i].width);
		else
			put_num(f, &cells[i], cols[i].width);
	}
	fputc('\n', f);
}
