// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Descriptor tables, expanded from the same X-macro field lists that
 * define the structs (include/tk_*.h). Nothing here is written by hand per
 * event: a field added to a header appears in the decoder, the JSON keys
 * and the layout tests automatically.
 *
 * The one object that defines TK_WANT_SYMS: the domain headers' FLAGS and
 * ENUM tables (include/tk_event.h) exist here only, with _GNU_SOURCE for
 * the libc constants they name (O_DIRECT, O_PATH, …).
 */
#define _GNU_SOURCE
#define TK_WANT_SYMS
#include <string.h>
#include "tk.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A field's symbol table, by kind: FLAGS and ENUM refer to tk_syms_<aux>
 * by symbol (a misspelt or missing table does not compile), every other
 * kind has none. A new kind needs its line here.
 */
#define TK__SYMS_NONE(aux) NULL
#define TK__SYMS_PAD(aux) NULL
#define TK__SYMS_DEC(aux) NULL
#define TK__SYMS_HEX(aux) NULL
#define TK__SYMS_OCT(aux) NULL
#define TK__SYMS_BOOL(aux) NULL
#define TK__SYMS_ERRNO(aux) NULL
#define TK__SYMS_SIGNAL(aux) NULL
#define TK__SYMS_FLAGS(aux) tk_syms_##aux
#define TK__SYMS_ENUM(aux) tk_syms_##aux
#define TK__SYMS_DURATION(aux) NULL
#define TK__SYMS_STR(aux) NULL
#define TK__SYMS_ARGV(aux) NULL
#define TK__SYMS_IPADDR(aux) NULL
#define TK__SYMS_DEV(aux) NULL
#define TK__SYMS_SYSCALL(aux) NULL
#define TK__SYMS_EVENT(aux) NULL
#define TK__SYMS_FD(aux) NULL
#define TK__SYMS_VSTR(aux) NULL
_Static_assert(TK_K__COUNT == 19, "a new kind needs its TK__SYMS_<kind> line above");

#define TK__DESC_F(t, n, off, kind, aux)                                     \
	{ #n, off, sizeof(tk_##t), TK_T_##t, TK_K_##kind, 1, TK__STR(aux), TK__SYMS_##kind(aux) },
#define TK__DESC_A(t, n, cnt, off, kind, aux)                                \
	{ #n, off, sizeof(tk_##t) * (cnt), TK_T_##t, TK_K_##kind, cnt, TK__STR(aux),  \
	  TK__SYMS_##kind(aux) },

const struct tk_field tk_hdr_fields[] = { TK_HDR_FIELDS(TK__DESC_F, TK__DESC_A) };
const size_t tk_hdr_nfields = ARRAY_SIZE(tk_hdr_fields);

#define TK__FIELDS(name, id, st, FIELDS, label)                              \
	static const struct tk_field tk_fields_##name[] = { FIELDS(TK__DESC_F, TK__DESC_A) };
TK_ALL_EVENTS(TK__FIELDS)

#define TK__DESC(name, id, st, FIELDS, label)                                \
	{ label, id, sizeof(struct tk_##st), tk_fields_##name,               \
	  ARRAY_SIZE(tk_fields_##name), "tk_" #st },
const struct tk_event_desc tk_event_table[] = { TK_ALL_EVENTS(TK__DESC) };
const size_t tk_event_count = ARRAY_SIZE(tk_event_table);

const char *tk_domain_name(__u32 domain)
{
#define TK__DOMAIN(name, num)                                                \
	if (domain == (num))                                                 \
		return #name;
	TK_ALL_DOMAINS(TK__DOMAIN)
	return NULL;
}

/* Each event's index in tk_event_table, which TK_ALL_EVENTS orders. */
enum {
#define TK__POS(name, id, st, FIELDS, label) TK__POS_##name,
	TK_ALL_EVENTS(TK__POS)
#undef TK__POS
};

/* Once per record decoded: a switch (a jump table or a binary search),
 * not a scan of the table. */
const struct tk_event_desc *tk_event_by_id(__u32 id)
{
	switch (id) {
#define TK__BY_ID(name, id, st, FIELDS, label)                               \
	case id:                                                             \
		return &tk_event_table[TK__POS_##name];
	TK_ALL_EVENTS(TK__BY_ID)
#undef TK__BY_ID
	}
	return NULL;
}

long tk_event_size(__u32 id)
{
	const struct tk_event_desc *d = tk_event_by_id(id);

	return d ? (long)d->size : -1;
}

const struct tk_field *tk_event_field(__u32 id, const char *field)
{
	const struct tk_event_desc *d = tk_event_by_id(id);

	if (!d)
		return NULL;
	for (size_t i = 0; i < tk_hdr_nfields; i++)
		if (!strcmp(tk_hdr_fields[i].name, field))
			return &tk_hdr_fields[i];
	for (size_t i = 0; i < d->nfields; i++)
		if (!strcmp(d->fields[i].name, field))
			return &d->fields[i];
	return NULL;
}

long tk_event_field_offset(__u32 id, const char *field)
{
	const struct tk_field *f = tk_event_field(id, field);

	return f ? (long)f->offset : -1;
}

size_t tk_event_fields(__u32 id, const char **names, size_t max)
{
	const struct tk_event_desc *d = tk_event_by_id(id);
	size_t n = 0;

	if (!d)
		return 0;
	for (size_t i = 0; i < tk_hdr_nfields && n < max; i++)
		names[n++] = tk_hdr_fields[i].name;
	for (size_t i = 0; i < d->nfields && n < max; i++)
		names[n++] = d->fields[i].name;
	return n;
}
