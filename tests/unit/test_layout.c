// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Layouts: descriptor tables agree with the compiler; no holes; queries. */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include "tk.h"

/*
 * The design seeds' FileEvent and SyscallEvent, field for field. The seeds
 * state 192 and 104 bytes; C layout rules give 184 and 96. Both compilers
 * run these asserts (the header comments in tk_file.h/tk_sys.h cite them).
 */
struct seed_file_event {
	uint64_t timestamp; uint32_t pid, uid; uint64_t inode, dev, size;
	uint32_t operation, flags, mode; int32_t ret; char filename[128];
};
struct seed_syscall_event {
	uint64_t timestamp, duration_ns; uint32_t pid, tgid, syscall_nr; int32_t ret;
	uint64_t arg0, arg1, arg2, arg3, arg4, arg5; char comm[16];
};
_Static_assert(sizeof(struct seed_file_event) == 184, "seed FileEvent is 184, not 192");
_Static_assert(sizeof(struct seed_syscall_event) == 96, "seed SyscallEvent is 96, not 104");

static void test_seed_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct seed_file_event), 184);
	assert_int_equal(sizeof(struct seed_syscall_event), 96);
}

/* Every descriptor matches offsetof/sizeof of the real member (checked by
 * naming the member, independently of the offsets in the field list). */
#define CHK_F(t, n, off, kind, aux)                                               \
	f = tk_event_field(id, #n);                                               \
	assert_non_null(f);                                                       \
	assert_int_equal(f->offset, __builtin_offsetof(S, n));                    \
	assert_int_equal(f->size, sizeof(((S *)0)->n));
#define CHK_A CHK_F2
#define CHK_F2(t, n, cnt, off, kind, aux) CHK_F(t, n, off, kind, aux)

#define CHECK_EVENT(ident, idv, st, FIELDS, label)                                 \
	{                                                                         \
		typedef struct tk_##st S;                                         \
		const struct tk_field *f;                                         \
		__u32 id = idv;                                                   \
		FIELDS(CHK_F, CHK_A)                                              \
		assert_int_equal(tk_event_size(id), sizeof(S));                   \
		assert_string_equal(tk_event_by_id(id)->name, label);             \
	}

static void test_descriptors_match_compiler(void **state)
{
	(void)state;
	TK_ALL_EVENTS(CHECK_EVENT)
}

/* Header + fields tile the struct exactly: no holes, no overlap. */
static void test_no_holes(void **state)
{
	(void)state;
	for (size_t i = 0; i < tk_event_count; i++) {
		const struct tk_event_desc *d = &tk_event_table[i];
		unsigned at = 0;

		for (size_t j = 0; j < tk_hdr_nfields; j++) {
			assert_int_equal(tk_hdr_fields[j].offset, at);
			at += tk_hdr_fields[j].size;
		}
		assert_int_equal(at, sizeof(struct tk_hdr));
		for (size_t j = 0; j < d->nfields; j++) {
			if (d->fields[j].offset != at)
				fail_msg("%s.%s: offset %u, expected %u", d->name,
					 d->fields[j].name, d->fields[j].offset, at);
			at += d->fields[j].size;
		}
		assert_int_equal(at, d->size);
		assert_int_equal(d->size % 8, 0);
	}
}

static void test_queries(void **state)
{
	const char *names[64];
	size_t n;

	(void)state;
	/* fixed parts: strings are packed after them (tk_event.h) */
	assert_int_equal(tk_event_size(TK_EV_exec), 72);
	assert_int_equal(tk_event_field_offset(TK_EV_exec, "cgroup_id"), 40); /* header: every event */
	assert_int_equal(tk_event_field_offset(TK_EV_syscall, "cgroup_id"), 40);
	assert_int_equal(tk_event_size(TK_EV_fork), 64);
	assert_int_equal(tk_event_size(TK_EV_exit), 72);
	assert_int_equal(tk_event_size(TK_EV_open), 120);
	assert_int_equal(tk_event_size(TK_EV_read), 120);
	assert_int_equal(tk_event_size(TK_EV_rename), 120);
	assert_int_equal(tk_event_field_offset(TK_EV_open, "ret"), 56);
	assert_int_equal(tk_event_field_offset(TK_EV_open, "inode"), 88);
	assert_int_equal(tk_event_field_offset(TK_EV_open, "filename_len"), 112);
	assert_int_equal(tk_event_field_offset(TK_EV_open, "path_len"), 114);
	assert_int_equal(tk_event_field_offset(TK_EV_rename, "newpath_len"), 114);
	assert_int_equal(tk_event_field_offset(TK_EV_rename, "path_len"), 116);
	assert_int_equal(tk_event_size(TK_EV_connect), 104);
	assert_int_equal(tk_event_size(TK_EV_accept), 96);
	assert_int_equal(tk_event_size(TK_EV_tcp_close), 128);
	assert_int_equal(tk_event_size(TK_EV_state), 96);
	assert_int_equal(tk_event_size(TK_EV_retransmit), 96);
	/* the connection tuple sits at the same offsets in every net event */
	for (__u32 id = TK_EV_connect; id <= TK_EV_retransmit; id++) { /* one domain: consecutive */
		assert_int_equal(tk_event_field_offset(id, "family"), 48);
		assert_int_equal(tk_event_field_offset(id, "saddr"), 50);
		assert_int_equal(tk_event_field_offset(id, "sport"), 66);
		assert_int_equal(tk_event_field_offset(id, "daddr"), 68);
		assert_int_equal(tk_event_field_offset(id, "dport"), 84);
	}
	assert_int_equal(tk_event_field_offset(TK_EV_tcp_close, "bytes_sent"), 104);
	assert_int_equal(tk_event_field_offset(TK_EV_tcp_close, "bytes_received"), 112);
	assert_int_equal(tk_event_field_offset(TK_EV_connect, "error"), 88);
	assert_int_equal(tk_event_size(TK_EV_syscall), 128);
	assert_int_equal(tk_event_field_offset(TK_EV_syscall, "nr"), 48);
	assert_int_equal(tk_event_field_offset(TK_EV_syscall, "fd"), 52);
	assert_int_equal(tk_event_field_offset(TK_EV_syscall, "ret"), 56);
	assert_int_equal(tk_event_field_offset(TK_EV_syscall, "duration_ns"), 64);
	assert_int_equal(tk_event_field_offset(TK_EV_syscall, "args"), 72);
	assert_int_equal(tk_event_field_offset(TK_EV_syscall, "path_len"), 120);
	assert_int_equal(tk_event_size(999), -1);
	assert_int_equal(tk_event_field_offset(TK_EV_exec, "pid"), 12);
	assert_int_equal(tk_event_field_offset(TK_EV_exec, "comm"), 24);
	assert_int_equal(tk_event_field_offset(TK_EV_exec, "filename_len"), 64);
	assert_int_equal(tk_event_field_offset(TK_EV_exec, "args_size"), 68);
	assert_int_equal(tk_event_field_offset(TK_EV_exit, "duration_ns"), 64);
	assert_int_equal(tk_event_field_offset(TK_EV_exec, "nope"), -1);
	n = tk_event_fields(TK_EV_fork, names, 64);
	assert_int_equal(n, 7 + 4);
	assert_string_equal(names[0], "ts_ns");
	assert_string_equal(names[1], "event");
	assert_string_equal(names[6], "cgroup_id");
	assert_string_equal(names[8], "child_pid");
	/* the strings are named by their length fields, in packing order */
	assert_int_equal(tk_event_field(TK_EV_exec, "filename_len")->kind, TK_K_VSTR);
	assert_string_equal(tk_event_field(TK_EV_exec, "filename_len")->aux, "filename");
	assert_int_equal(tk_event_field(TK_EV_exec, "args_size")->kind, TK_K_ARGV);
	assert_string_equal(tk_event_field(TK_EV_exec, "args_size")->aux, "argv");
	assert_string_equal(tk_event_field(TK_EV_rename, "newpath_len")->aux, "newpath");
	assert_string_equal(tk_event_field(TK_EV_syscall, "path_len")->aux, "path");
	assert_null(tk_event_field(TK_EV_open, "path"));
}

/*
 * Ids are TK_ID(domain, n): one domain per header, every event of a list
 * in its header's domain, numbers 1..255. (Unique ids are the compiler's
 * job: duplicate case labels in tk_events.h.)
 */
static void test_ids_by_domain(void **state)
{
	(void)state;
	assert_int_equal(TK_EV_exec, 0x0101);
	assert_int_equal(TK_EV_mkdir, 0x0208);
	assert_int_equal(TK_EV_retransmit, 0x0305);
	assert_int_equal(TK_EV_syscall, 0x0401);
#define CHECK_DOMAIN(D)                                                      \
	do {                                                                 \
		static const __u32 ids[] = { D##_EVENTS(ID_OF) };              \
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) { \
			assert_int_equal(ids[i] >> 8, D##_DOMAIN);           \
			assert_true((ids[i] & 0xff) >= 1);                   \
			assert_non_null(tk_event_by_id(ids[i]));             \
		}                                                            \
	} while (0)
#define ID_OF(name, id, st, FIELDS, label) id,
	CHECK_DOMAIN(TK_PROC);
	CHECK_DOMAIN(TK_FILE);
	CHECK_DOMAIN(TK_NET);
	CHECK_DOMAIN(TK_SYS);
#undef ID_OF
#undef CHECK_DOMAIN
	for (size_t i = 0; i < tk_event_count; i++) {
		assert_true(tk_event_table[i].id >= 0x100 && tk_event_table[i].id <= TK_ID_MAX);
		/* every event's domain has a name (tracekit trace's "domain") */
		assert_non_null(tk_domain_name(tk_event_table[i].id >> 8));
	}
	/* named as the headers are */
	assert_string_equal(tk_domain_name(TK_PROC_DOMAIN), "proc");
	assert_string_equal(tk_domain_name(TK_FILE_DOMAIN), "file");
	assert_string_equal(tk_domain_name(TK_NET_DOMAIN), "net");
	assert_string_equal(tk_domain_name(TK_SYS_DOMAIN), "sys");
	assert_string_equal(tk_domain_name(TK_SIG_DOMAIN), "sig");
	assert_null(tk_domain_name(0));
	assert_null(tk_domain_name(255));
}

/* FLAGS/ENUM fields carry their table (by symbol, tk_events.c); no other
 * kind has one. */
static void test_symbol_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < tk_event_count; i++) {
		const struct tk_event_desc *d = &tk_event_table[i];

		for (size_t j = 0; j < d->nfields; j++) {
			const struct tk_field *f = &d->fields[j];
			bool symbolic = f->kind == TK_K_FLAGS || f->kind == TK_K_ENUM;

			if (symbolic != (f->syms != NULL))
				fail_msg("%s.%s: table %p", d->name, f->name, (void *)f->syms);
		}
	}
	assert_string_equal(tk_event_field(TK_EV_open, "flags")->syms[0].name, "O_RDONLY");
	assert_string_equal(tk_event_field(TK_EV_rename, "flags")->syms[0].name,
			    "RENAME_NOREPLACE");
	assert_string_equal(tk_event_field(TK_EV_connect, "family")->syms[2].name, "AF_INET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_sizes),
		cmocka_unit_test(test_descriptors_match_compiler),
		cmocka_unit_test(test_no_holes),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_ids_by_domain),
		cmocka_unit_test(test_symbol_tables),
	};
	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
