/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_events.h — every tracekit event (Falco's event_table idea):
 * TK_ALL_EVENTS(E) calls E(ident, id, struct, FIELDS, label) once per event
 * of every domain. The list is not written here: the build generates
 * tk_registry.h (scripts/gen-registry) from every include/tk_<domain>.h
 * that defines TK_<DOMAIN>_EVENTS(E), so a new domain is its header alone
 * (see "Event ids and registration" in tk_event.h). The userspace runtime
 * expands the list into descriptor tables (user/tk_events.c); the decoder,
 * the size/offset queries and the layout tests all read those tables.
 */
#ifndef TK_EVENTS_H
#define TK_EVENTS_H
#include "tk_registry.h"

enum tk_event_id {
#define TK__ENUM(name, id, st, FIELDS, label) TK_EV_##name = id,
	TK_ALL_EVENTS(TK__ENUM)
#undef TK__ENUM
};

/*
 * Ids are checked where they are defined, by both compilers: one case
 * label per event, so two events with one id are "duplicate case value"
 * errors pointing at this switch, and every id must fit the 16 bits of
 * the selection mask.
 */
#define TK__IDCHK(name, id, st, FIELDS, label)                               \
	_Static_assert((id) > 0 && (id) <= TK_ID_MAX, "event id of " #name " outside 1..0xffff");
TK_ALL_EVENTS(TK__IDCHK)
#undef TK__IDCHK

static inline int tk__check_event_ids(unsigned id)
{
	switch (id) {
#define TK__CASE(name, id, st, FIELDS, label) case id:
	TK_ALL_EVENTS(TK__CASE)
#undef TK__CASE
		return 1;
	}
	return 0;
}

#endif
