/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tk_events.h — the one table of every tracekit event (Falco's
 * event_table idea): E(ident, id, struct, FIELDS, label). The userspace runtime
 * expands it into descriptor tables (user/tk_events.c); the decoder, the
 * size/offset queries and the layout tests all read those tables.
 *
 * To add a domain: write include/tk_<domain>.h (copy tk_proc.h), pick a free
 * id range, and add its list below.
 */
#ifndef TK_EVENTS_H
#define TK_EVENTS_H
#include "tk_proc.h"
#include "tk_file.h"
#include "tk_net.h"
#include "tk_sys.h"
#include "tk_sig.h"
/* the tools the build found outside the Makefile's APPS (make new-tool) */
#include "tk_local_events.h"

#define TK_ALL_EVENTS(E)                                          \
	TK_PROC_EVENTS(E)                                         \
	TK_FILE_EVENTS(E)                                         \
	TK_NET_EVENTS(E)                                          \
	TK_SYS_EVENTS(E)                                          \
	TK_SIG_EVENTS(E)                                          \
	TK_LOCAL_EVENTS(E)

enum tk_event_id {
#define TK__ENUM(name, id, st, FIELDS, label) TK_EV_##name = id,
	TK_ALL_EVENTS(TK__ENUM)
#undef TK__ENUM
	TK_EV__MAX = 64,
};

#endif
