// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The generic decoder: exact text and JSON for crafted records, hostile
 * strings included. Every JSON line is also checked with a strict parser. */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <asm/unistd.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "tk.h"
#include "tk_cgroup.h"
#include "testlib.h"
#include "records.h"

/* noinline: gcc's -Wdangling-pointer misreads open_memstream's buffer */
__attribute__((noinline)) static char *render(const void *rec, size_t size, bool json, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct tk_out o = { .f = f, .json = json };

	*rc = tk_print_record(&o, rec, size);
	fclose(f);
	return buf;
}

/*
 * Renders a copy of the record that ends exactly where a PROT_NONE page
 * starts, so a read past the record's end faults in every build (the
 * record buffers above are bigger than the sizes passed, so an over-read
 * there is silent even under ASan).
 */
static char *render_guarded(const struct tk_out *tmpl, const void *rec, size_t size, int *rc)
{
	size_t pg = sysconf(_SC_PAGESIZE), data = (size + pg - 1) / pg * pg + pg;
	char *map = mmap(NULL, data + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	char *buf = NULL;
	size_t len = 0;
	struct tk_out o = *tmpl;

	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + data, pg, PROT_NONE), 0);
	memcpy(map + data - size, rec, size);
	o.f = open_memstream(&buf, &len);
	*rc = tk_print_record(&o, map + data - size, size);
	fclose(o.f);
	munmap(map, data + pg);
	return buf;
}

static void check_json_line(const char *out)
{
	struct jv *v;
	char *line = strdup(out);

	line[strcspn(line, "\n")] = 0;
	v = json_parse(line);
	if (!v)
		fail_msg("not valid JSON: %s", out);
	json_free(v);
	free(line);
}

static void test_exec_text_plain(void **state)
{
	static recbuf e;
	const char args[] = "echo\0a b\0it's\0";
	size_t n = make_exec(&e, "echo", "/bin/echo", 10, args, sizeof(args) - 1, 0);
	int rc;
	char *out = render(&e, n, false, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(out, "exec     42      43      1000  echo             ppid=1 ret=0 "
				 "filename=/bin/echo argv=echo 'a b' 'it\\'s'\n");
	free(out);
}

static void test_exec_json_argv(void **state)
{
	static recbuf e;
	const char args[] = "echo\0a b\0q\"x\0\0\xc3\xbcn\xc3\xaf";  /* "" arg and UTF-8 */
	size_t n = make_exec(&e, "echo", "/bin/echo", 10, args, sizeof(args), -2);
	int rc;
	char *out = render(&e, n, true, &rc);
	struct jv *v;
	const struct jv *argv;

	(void)state;
	assert_int_equal(rc, 0);
	out[strcspn(out, "\n")] = 0;
	v = json_parse(out);
	assert_non_null(v);
	assert_string_equal(json_str(v, "event"), "exec");
	assert_int_equal(json_int(v, "pid", 0), 42);
	assert_int_equal(json_int(v, "ret", 0), -2);
	assert_string_equal(json_str(v, "ret_str"), "ENOENT");
	argv = json_get(v, "argv");
	assert_non_null(argv);
	assert_int_equal(argv->type, J_ARR);
	assert_int_equal(argv->len, 5);
	assert_string_equal(argv->items[1].str, "a b");
	assert_string_equal(argv->items[2].str, "q\"x");
	assert_string_equal(argv->items[3].str, "");
	assert_string_equal(argv->items[4].str, "\xc3\xbcn\xc3\xaf");
	json_free(v);
	free(out);
}

/* Quotes, newlines, escape sequences, DEL, C1 and invalid UTF-8. */
static const char hostile[] = "a\"b\\c\nd\x1b[31me\x7f\xc2\x9b\xff\xfe\xc3(\xed\xa0\x80";

static void test_hostile_json_valid(void **state)
{
	static recbuf e;
	size_t n;
	int rc;
	char *out;
	struct jv *v;

	(void)state;
	n = make_exec(&e, "x\ny\"z\xff", hostile, sizeof(hostile), hostile, sizeof(hostile), 0);
	out = render(&e, n, true, &rc);
	assert_int_equal(rc, 0);
	check_json_line(out);
	out[strcspn(out, "\n")] = 0;
	v = json_parse(out);
	/* invalid bytes become U+FFFD; everything else round-trips */
	assert_string_equal(json_str(v, "comm"), "x\ny\"z\xef\xbf\xbd");
	assert_string_equal(json_str(v, "filename"),
			    "a\"b\\c\nd\x1b[31me\x7f\xc2\x9b\xef\xbf\xbd\xef\xbf\xbd"
			    "\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	json_free(v);
	free(out);
}

static void test_hostile_text_no_control_bytes(void **state)
{
	static recbuf e;
	size_t n;
	int rc;
	char *out;

	(void)state;
	n = make_exec(&e, "x\ny", hostile, sizeof(hostile), hostile, sizeof(hostile), 0);
	out = render(&e, n, false, &rc);
	assert_int_equal(rc, 0);
	/* exactly one newline (the terminator), no ESC/DEL/C1/invalid bytes */
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		assert_false(*p < 0x20 && *p != '\n');
		assert_false(*p == 0x7f);
		assert_false(*p >= 0x80); /* this input has no printable non-ASCII */
	}
	assert_non_null(strstr(out, "filename='a\"b\\\\c\\nd\\x1b[31me\\x7f\\xc2\\x9b\\xff\\xfe"
				    "\\xc3(\\xed\\xa0\\x80'"));
	assert_non_null(strstr(out, " x\\ny "));
	free(out);
}

static void test_text_keeps_valid_utf8(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	tk_fput_text(f, "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80", 64, false);
	fclose(f);
	assert_string_equal(buf, "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
	free(buf);
}

static void test_utf8_validator(void **state)
{
	(void)state;
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"\xc3\xbc", 2), 2);
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"\xc0\xaf", 2), 0);      /* overlong */
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"\xe0\x80\xaf", 3), 0);  /* overlong */
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0);  /* surrogate */
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"\xe2\x82", 2), 0);      /* truncated */
	assert_int_equal(tk_utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
}

static void test_exit_signal(void **state)
{
	struct tk_exit_event e;
	int rc;
	char *out;

	(void)state;
	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, TK_EV_exit, "sleep");
	e.ppid = 7;
	e.signal = 9;
	e.duration_ns = 1500000;
	out = render(&e, sizeof(e), false, &rc);
	assert_string_equal(out, "exit     42      43      1000  sleep            ppid=7 exit_code=0 "
				 "signal=9(SIGKILL) duration_ns=1.500ms\n");
	free(out);
	out = render(&e, sizeof(e), true, &rc);
	check_json_line(out);
	assert_non_null(strstr(out, "\"signal\":9,\"signal_str\":\"SIGKILL\""));
	assert_non_null(strstr(out, "\"duration_ns\":1500000"));
	assert_non_null(strstr(out, "\"ts_ns\":123456789"));
	free(out);
}

static void test_file_flags_dev_mode(void **state)
{
	static recbuf r;
	struct tk_file_event *e = &r.file;
	size_t size;
	int rc;
	char *out;

	(void)state;
	memset(&r, 0, sizeof(r));
	hdr(&e->hdr, TK_EV_open, "cat");
	e->flags = O_WRONLY | O_CREAT | O_TRUNC;
	e->mode = 0640;
	e->dev = (8ULL << 20) | 1;
	e->ret = -13;
	e->filename_len = 1;
	e->path_len = 7;
	size = append(&r, append(&r, sizeof(*e), "", 1), "/tmp/x", 7);
	out = render(&r, size, false, &rc);
	assert_non_null(strstr(out, " flags=577(O_WRONLY|O_CREAT|O_TRUNC) mode=0640 "));
	assert_non_null(strstr(out, " dev=8:1 "));
	assert_non_null(strstr(out, " ret=-13(EACCES) "));
	free(out);
	out = render(&r, size, true, &rc);
	check_json_line(out);
	assert_non_null(strstr(out, "\"flags\":577,\"flags_str\":\"O_WRONLY|O_CREAT|O_TRUNC\""));
	assert_non_null(strstr(out, "\"mode\":416"));
	assert_non_null(strstr(out, "\"dev\":\"8:1\""));
	free(out);
	e->flags = O_RDONLY | O_CLOEXEC;
	out = render(&r, size, false, &rc);
	assert_non_null(strstr(out, "(O_RDONLY|O_CLOEXEC)"));
	free(out);
	/* the access mode is a value in O_ACCMODE (a TK_BITS entry of the
	 * table), the other bits flags; unnamed bits stay visible in hex */
	e->flags = O_WRONLY | O_RDWR;
	out = render(&r, size, false, &rc);
	assert_non_null(strstr(out, " flags=3(O_WRONLY|O_RDWR) "));
	free(out);
	e->flags = 0x80000000u | O_APPEND;
	out = render(&r, size, true, &rc);
	assert_non_null(strstr(out, "\"flags_str\":\"O_RDONLY|O_APPEND|0x80000000\""));
	free(out);
}

/*
 * File records are the fixed part and their strings packed at their
 * lengths: the decoder finds each string from the length fields, ignores
 * bytes past them (a perf sample's pad), and rejects a record shorter
 * than its lengths claim.
 */
static void test_file_packed_strings(void **state)
{
	static recbuf r;
	struct tk_file_event *e = &r.file;
	struct tk_rename_event *rn = &r.ren;
	size_t size;
	int rc;
	char *out;

	(void)state;
	memset(&r, 0, sizeof(r));
	hdr(&e->hdr, TK_EV_write, "dd");
	e->call = 10; /* write */
	e->fd = 1;
	e->ret = 12345;
	e->requested = 12345;
	e->bytes = 12345;
	e->flags = O_WRONLY | 0100000; /* the kernel's O_LARGEFILE bit on x86 */
	e->mode = 0100640;
	e->filename_len = 1;
	e->path_len = 9;
	size = append(&r, append(&r, sizeof(*e), "", 1), "/tmp/a b", 9);
	memset(r.b + size, 'X', 100); /* bytes past the record: never shown */
	out = render(&r, size, false, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "write    42      43      1000  dd               call=write "
				    "fd=1 ret=12345 "));
	assert_non_null(strstr(out, " requested=12345 bytes=12345 "));
	assert_non_null(strstr(out, " flags=32769(O_WRONLY|O_LARGEFILE) mode=0100640 "));
	assert_non_null(strstr(out, " filename='' path='/tmp/a b'\n"));
	free(out);
	out = render(&r, size + 7, true, &rc); /* as a perf sample, padded */
	assert_int_equal(rc, 0);
	check_json_line(out);
	assert_non_null(strstr(out, "\"call\":10,\"call_str\":\"write\","));
	assert_non_null(strstr(out, "\"filename\":\"\",\"path\":\"/tmp/a b\"}"));
	assert_null(strstr(out, "X"));
	free(out);
	/* shorter than the lengths claim: malformed, nothing printed */
	out = render(&r, size - 1, true, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(out, "");
	free(out);
	/* an empty path is its NUL alone; a zero length has no key */
	e->path_len = 1;
	r.b[sizeof(*e) + 1] = 0;
	out = render(&r, sizeof(*e) + 2, true, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"path\":\"\"}"));
	free(out);
	e->path_len = 0;
	out = render(&r, sizeof(*e) + 1, true, &rc);
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "\"path\""));
	free(out);
	out = render(&r, sizeof(*e) - 1, true, &rc);
	assert_int_equal(rc, -1);
	free(out);

	/* rename: filename, newpath, path, in that order */
	memset(&r, 0, sizeof(r));
	hdr(&rn->hdr, TK_EV_rename, "mv");
	rn->call = 21;
	rn->filename_len = 2;
	rn->newpath_len = 7;
	rn->path_len = 5;
	size = append(&r, sizeof(*rn), "a", 2);
	size = append(&r, size, "/d/new", 7);
	size = append(&r, size, "/d/a", 5);
	out = render(&r, size, true, &rc);
	assert_int_equal(rc, 0);
	check_json_line(out);
	assert_non_null(strstr(out, "\"filename\":\"a\",\"newpath\":\"/d/new\",\"path\":\"/d/a\"}"));
	free(out);
}

static void test_net_addresses(void **state)
{
	struct tk_net_connect_event e;
	struct tk_net_state_event st;
	int rc;
	char *out;
	const unsigned char mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	const unsigned char v6[16] = { [15] = 1 };

	(void)state;
	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, TK_EV_connect, "curl");
	e.family = AF_INET6;
	memcpy(e.saddr, mapped, 16);
	memcpy(e.daddr, v6, 16);
	e.sport = 40000;
	e.dport = 443;
	e.error = -111;
	e.duration_ns = 1500000;
	out = render(&e, sizeof(e), true, &rc);
	check_json_line(out);
	assert_non_null(strstr(out, "\"family\":10,\"family_str\":\"AF_INET6\",\"saddr\":\"127.0.0.1\",\"sport\":40000,"
				    "\"daddr\":\"::1\",\"dport\":443,\"error\":-111,"
				    "\"error_str\":\"ECONNREFUSED\",\"duration_ns\":1500000}"));
	free(out);
	e.family = AF_INET;
	memcpy(e.saddr, (unsigned char[]){ 10, 1, 2, 3 }, 4);
	out = render(&e, sizeof(e), false, &rc);
	assert_non_null(strstr(out, "connect  42      43      1000  curl             family=AF_INET "
				    "saddr=10.1.2.3 sport=40000 daddr=0.0.0.0 dport=443 "
				    "error=-111(ECONNREFUSED) duration_ns=1.500ms\n"));
	free(out);

	memset(&st, 0, sizeof(st));
	hdr(&st.hdr, TK_EV_state, "nginx");
	st.family = AF_INET;
	st.oldstate = 2;
	st.newstate = 1;
	out = render(&st, sizeof(st), true, &rc);
	check_json_line(out);
	assert_non_null(strstr(out, "\"event\":\"state\""));
	assert_non_null(strstr(out, "\"oldstate\":2,\"oldstate_str\":\"SYN_SENT\","
				    "\"newstate\":1,\"newstate_str\":\"ESTABLISHED\""));
	free(out);
	/* ENUM without a name for the value: the number alone, never a
	 * quoted number in place of a name ("x" + "x_str", tk_event.h) */
	st.oldstate = 99;
	st.family = 77;
	out = render(&st, sizeof(st), true, &rc);
	check_json_line(out);
	assert_non_null(strstr(out, "\"family\":77,\"saddr\""));
	assert_non_null(strstr(out, "\"oldstate\":99,\"newstate\":1,\"newstate_str\":\"ESTABLISHED\""));
	assert_null(strstr(out, "oldstate_str"));
	free(out);
	out = render(&st, sizeof(st), false, &rc);
	assert_non_null(strstr(out, " family=77 "));
	assert_non_null(strstr(out, " oldstate=99 newstate=ESTABLISHED "));
	free(out);
}

/* close: who closed, bytes, errno name; the padding never shows. */
static void test_net_close(void **state)
{
	struct tk_net_close_event e;
	int rc;
	char *out;

	(void)state;
	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, TK_EV_tcp_close, "srv");
	e.family = AF_INET6;
	e.saddr[15] = 1;
	e.daddr[15] = 1;
	e.closed_by = TK_NET_CLOSED_REMOTE;
	e.error = -104;
	e.bytes_sent = 54321;
	e.bytes_received = 12345;
	e.duration_ns = 2000;
	out = render(&e, sizeof(e), true, &rc);
	check_json_line(out);
	assert_non_null(strstr(out, "\"event\":\"close\""));
	assert_non_null(strstr(out, "\"closed_by\":2,\"closed_by_str\":\"remote\",\"error\":-104,"
				    "\"error_str\":\"ECONNRESET\",\"retransmits\":0,"
				    "\"duration_ns\":2000,\"bytes_sent\":54321,"
				    "\"bytes_received\":12345,\"srtt_us\":0}"));
	assert_null(strstr(out, "pad"));
	free(out);
	e.closed_by = TK_NET_CLOSED_LOCAL;
	out = render(&e, sizeof(e), false, &rc);
	assert_non_null(strstr(out, " closed_by=local error=-104(ECONNRESET) retransmits=0 "
				    "duration_ns=2.000us bytes_sent=54321 bytes_received=12345 "
				    "srtt_us=0\n"));
	free(out);
}

static void test_syscall_args(void **state)
{
	static recbuf r;
	struct tk_sys_event *e = &r.sys;
	int rc;
	char *out;

	(void)state;
	memset(&r, 0, sizeof(r));
	hdr(&e->hdr, TK_EV_syscall, "a");
	e->nr = 110;
	e->fd = -1;
	e->args[0] = 0xdeadbeef;
	e->ret = -1;
	/* no path argument: the fixed part alone, no path, no fd key */
	out = render(&r, sizeof(*e), true, &rc);
	assert_int_equal(rc, 0);
	check_json_line(out);
	assert_non_null(strstr(out, "\"args\":[\"0xdeadbeef\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"]"));
	assert_non_null(strstr(out, "\"nr\":110,\"syscall\":\"getppid\","));
	assert_non_null(strstr(out, "\"ret\":-1,\"ret_str\":\"EPERM\""));
	assert_null(strstr(out, "\"path\""));
	assert_null(strstr(out, "\"fd\""));
	free(out);
	/* a perf buffer pads the record: path_len, not the size, says there
	 * is no path */
	append(&r, sizeof(*e), "junk", 5);
	out = render(&r, sizeof(*e) + 4, true, &rc);
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "\"path\""));
	free(out);
	/* with a path: fd and the path, escaped */
	e->nr = 257;
	e->fd = 3;
	e->ret = -2;
	e->duration_ns = 2500;
	e->path_len = 10;
	append(&r, sizeof(*e), "/tmp/a b\n", 10);
	out = render(&r, sizeof(*e) + 10, false, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "syscall  42      43      1000  a                nr=257(openat) fd=3 "
				 "ret=-2(ENOENT) duration_ns=2.500us args={0xdeadbeef,0x0,0x0,0x0,0x0,0x0} "
				 "path='/tmp/a b\\n'\n");
	free(out);
	/* no NUL in the string: bounded by its length */
	memset(r.b + sizeof(*e), 'x', 64);
	e->path_len = 5;
	out = render(&r, sizeof(*e) + 5, true, &rc);
	assert_int_equal(rc, 0);
	check_json_line(out);
	assert_non_null(strstr(out, "\"fd\":3,"));
	assert_non_null(strstr(out, "\"path\":\"xxxxx\"}"));
	free(out);
	/* a path longer than the record: malformed */
	out = render(&r, sizeof(*e) + 4, true, &rc);
	assert_int_equal(rc, -1);
	free(out);
	/* a number without a name */
	e->path_len = 0;
	e->nr = 1000;
	out = render(&r, sizeof(*e), false, &rc);
	assert_non_null(strstr(out, " nr=1000(syscall_1000) "));
	free(out);
	out = render(&r, sizeof(*e), true, &rc);
	assert_non_null(strstr(out, "\"nr\":1000,\"syscall\":\"syscall_1000\""));
	free(out);
	/* shorter than the fixed part: malformed */
	out = render(&r, sizeof(*e) - 8, true, &rc);
	assert_int_equal(rc, -1);
	free(out);
}

/* The generated table: names and numbers both ways, from <asm/unistd.h>. */
static void test_syscall_names(void **state)
{
	(void)state;
	assert_string_equal(tk_syscall_name(__NR_read), "read");
	assert_string_equal(tk_syscall_name(__NR_openat), "openat");
	assert_string_equal(tk_syscall_name(__NR_exit_group), "exit_group");
	assert_int_equal(tk_syscall_nr("getppid"), __NR_getppid);
	assert_int_equal(tk_syscall_nr("read"), 0);
	assert_int_equal(tk_syscall_nr("nosuchcall"), -1);
	assert_int_equal(tk_syscall_nr(""), -1);
	assert_null(tk_syscall_name(100000));
	for (int nr = 0; nr < 1000; nr++) {
		const char *n = tk_syscall_name(nr);

		if (n)
			assert_int_equal(tk_syscall_nr(n), nr);
	}
}

/* The man pages' JSON keys are the decoder's: what tk_field_keys says of
 * each kind, checked on syscall's fields (one of each sort). */
static void test_field_keys(void **state)
{
	static const struct { const char *field; int n; const char *key, *name_key; } want[] = {
		{ "nr", 2, "nr", "syscall" },       /* a companion key */
		{ "fd", 1, "fd", "" },
		{ "ret", 2, "ret", "ret_str" },     /* x + x_str */
		{ "args", 1, "args", "" },          /* an array: never named */
		{ "path_len", 1, "path", "" },      /* a length field: its string */
		{ "__pad0", 0, NULL, "" },          /* never shown */
	};
	char name_key[32];
	const char *key;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct tk_field *fd = tk_event_field(TK_EV_syscall, want[i].field);

		assert_non_null(fd);
		key = NULL;
		name_key[0] = 0;
		assert_int_equal(tk_field_keys(fd, &key, name_key, sizeof(name_key)), want[i].n);
		if (want[i].key)
			assert_string_equal(key, want[i].key);
		if (want[i].n == 2)
			assert_string_equal(name_key, want[i].name_key);
	}
}

static void test_malformed_records(void **state)
{
	static recbuf e;
	struct tk_hdr h;
	int rc;
	char *out;

	(void)state;
	hdr(&h, 999, "x");
	out = render(&h, sizeof(h), true, &rc);
	assert_int_equal(rc, -1);                 /* unknown event id */
	assert_string_equal(out, "");
	free(out);
	out = render(&h, 10, true, &rc);
	assert_int_equal(rc, -1);                 /* shorter than a header */
	free(out);
	make_exec(&e, "x", "/x", 3, "a", 2, 0);
	out = render(&e, sizeof(struct tk_exec_event) + 4, false, &rc); /* cut in argv */
	assert_int_equal(rc, -1);
	free(out);
	out = render(&e, sizeof(struct tk_exec_event) + 5, false, &rc);
	assert_int_equal(rc, 0);
	free(out);
	/* args_size claims more than was sent: rejected, never read */
	e.exec.args_size = 4000;
	out = render(&e, sizeof(struct tk_exec_event) + 5, true, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(out, "");
	free(out);
}

/*
 * String fields that end at the record's end, shorter than 8 bytes: the
 * JSON companion path used to read each field as a u64 (a 361-byte close
 * with an empty path, an exec with args_size < 8, a 1-byte syscall path).
 */
static void test_no_read_past_record_end(void **state)
{
	static recbuf fe, se;
	static recbuf ee;
	const struct tk_out json = { .json = true }, text = { 0 };
	size_t n;
	int rc;
	char *out;

	(void)state;
	memset(&fe, 0, sizeof(fe));
	hdr(&fe.file.hdr, TK_EV_close, "cat");
	fe.file.call = TK_FC_close;
	fe.file.fd = 3;
	fe.file.filename_len = 1;
	fe.file.path_len = 1;
	n = append(&fe, append(&fe, sizeof(fe.file), "", 1), "", 1);
	out = render_guarded(&json, &fe, n, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "{\"ts_ns\":123456789,\"event\":\"close\",\"pid\":42,\"tid\":43,"
				 "\"uid\":1000,\"comm\":\"cat\",\"cgroup_id\":9876,\"call\":15,\"call_str\":\"close\",\"truncated\":false,"
				 "\"fd\":3,\"ret\":0,\"flags\":0,\"flags_str\":\"O_RDONLY\",\"mode\":0,"
				 "\"requested\":0,\"bytes\":0,\"inode\":0,\"dev\":\"0:0\",\"size\":0,"
				 "\"filename\":\"\",\"path\":\"\"}\n");
	free(out);
	out = render_guarded(&text, &fe, n, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "close    42      43      1000  cat              call=close fd=3 "
				 "ret=0 flags=0(O_RDONLY) mode=00 requested=0 bytes=0 inode=0 "
				 "dev=0:0 size=0 filename='' path=''\n");
	free(out);

	n = make_exec(&ee, "sh", "/bin/echo", 10, "a", 2, 0);
	out = render_guarded(&json, &ee, n, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, ",\"args_truncated\":false,\"filename\":\"/bin/echo\","
				    "\"argv\":[\"a\"]}\n"));
	free(out);

	memset(&se, 0, sizeof(se));
	hdr(&se.sys.hdr, TK_EV_syscall, "ls");
	se.sys.nr = __NR_chdir;
	se.sys.fd = -1;
	se.sys.path_len = 1;
	n = append(&se, sizeof(se.sys), "", 1);
	out = render_guarded(&json, &se, n, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"args\":[\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"],"
				    "\"path\":\"\"}\n"));
	free(out);
}

/* Every event at every size from its fixed part on, zeroed (no strings)
 * and all-ones (huge lengths: rejected), in each output mode: never a read
 * past the end, and a rejected record prints nothing. */
static void test_every_event_in_bounds(void **state)
{
	static char rec[16384];
	const struct tk_out modes[] = {
		{ .json = true }, { 0 }, { .json = true, .timestamp = true },
		{ .timestamp = true },
	};
	int rc;
	char *out;

	(void)state;
	for (size_t e = 0; e < tk_event_count; e++) {
		const struct tk_event_desc *d = &tk_event_table[e];

		assert_true(d->size + 24 <= sizeof(rec));
		for (int fill = 0; fill < 2; fill++) {
			memset(rec, fill ? 0xff : 0, d->size + 24);
			memcpy(rec + offsetof(struct tk_hdr, event), &d->id, sizeof(d->id));
			for (size_t size = d->size; size < d->size + 24; size++) {
				for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
					out = render_guarded(&modes[m], rec, size, &rc);
					if (rc) {
						assert_int_equal(rc, -1);
						assert_string_equal(out, "");
					} else if (modes[m].json) {
						check_json_line(out);
					}
					/* zero lengths: no strings, always valid */
					if (!fill)
						assert_int_equal(rc, 0);
					free(out);
				}
			}
		}
	}
}

/* An ERRNO value outside -4095..-1 is a number, not an errno: INT64_MIN is
 * not negated (UB, found by the fuzzer) and -(2^32 + 2) is no ENOENT. */
static void test_errno_out_of_range(void **state)
{
	struct tk_sys_event e;
	const struct tk_out text = { 0 }, json = { .json = true };
	const struct {
		__s64 ret;
		const char *text, *json;
	} cases[] = {
		{ INT64_MIN, " ret=-9223372036854775808 ", "\"ret\":-9223372036854775808," },
		{ -(1LL << 32) - 2, " ret=-4294967298 ", "\"ret\":-4294967298," },
		{ -4096, " ret=-4096 ", "\"ret\":-4096," },
		{ -4095, " ret=-4095 ", "\"ret\":-4095," },
		{ -2, " ret=-2(ENOENT) ", "\"ret\":-2,\"ret_str\":\"ENOENT\"," },
	};
	int rc;
	char *out;

	(void)state;
	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, TK_EV_syscall, "a");
	e.nr = __NR_getppid;
	e.fd = -1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.ret = cases[i].ret;
		out = render_guarded(&text, &e, sizeof(e), &rc);
		assert_int_equal(rc, 0);
		if (!strstr(out, cases[i].text))
			fail_msg("case %zu: no '%s' in %s", i, cases[i].text, out);
		free(out);
		out = render_guarded(&json, &e, sizeof(e), &rc);
		assert_int_equal(rc, 0);
		if (!strstr(out, cases[i].json))
			fail_msg("case %zu: no '%s' in %s", i, cases[i].json, out);
		free(out);
	}
}

/* -T: the boot-clock stamp plus the offset, floored; a stamp whose sum
 * overflows (undefined in C) prints as unknown, not as a wrapped date. */
static void test_time_column(void **state)
{
	struct tk_exit_event e;
	struct tk_out json = { .json = true, .timestamp = true }, text = { .timestamp = true };
	const struct {
		__u64 ts;
		__s64 off;
		const char *json, *text;
	} cases[] = {
		{ 1500000000, 1700000000000000000, "\"time\":\"2023-11-14T22:13:21.500000\"",
		  "22:13:21.500 exit " },
		{ 0, -1, "\"time\":\"1969-12-31T23:59:59.999999\"", "23:59:59.999 exit " },
		{ INT64_MAX, 1700000000000000000, "\"time\":null,", "?            exit " },
		{ INT64_MAX - 5, 5, "\"time\":\"2262-04-11T23:47:16.854775\"",
		  "23:47:16.854 exit " },
		{ UINT64_MAX, 1700000000000000000, "\"time\":null,", "?            exit " },
		{ 1, INT64_MIN, "\"time\":\"1677-09-21T00:12:43.145224\"", "00:12:43.145 exit " },
	};
	int rc;
	char *out;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, TK_EV_exit, "x");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.hdr.ts_ns = cases[i].ts;
		json.boot_to_real_ns = text.boot_to_real_ns = cases[i].off;
		out = render_guarded(&json, &e, sizeof(e), &rc);
		assert_int_equal(rc, 0);
		check_json_line(out);
		if (!strstr(out, cases[i].json))
			fail_msg("case %zu: no %s in %s", i, cases[i].json, out);
		free(out);
		out = render_guarded(&text, &e, sizeof(e), &rc);
		assert_int_equal(rc, 0);
		if (strncmp(out, cases[i].text, strlen(cases[i].text)))
			fail_msg("case %zu: %s does not start with %s", i, out, cases[i].text);
		free(out);
	}
}

static char *text_of(const char *s, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		tk_fput_json_str(f, s, strlen(s));
	else
		tk_fput_text(f, s, strlen(s), false);
	fclose(f);
	return buf;
}

/*
 * Bidi controls and invisible format characters never reach a terminal
 * raw: text shows them as \uXXXX (\UXXXXXXXX above U+FFFF), JSON as
 * \uXXXX (a surrogate pair above U+FFFF). Their visible neighbours in the
 * same blocks stay as they are.
 */
static void test_format_chars_escaped(void **state)
{
	static const struct {
		const char *in, *text, *json;
	} cases[] = {
		{ "\u061c", "\\u061c", "\"\\u061c\"" },
		{ "\u180e", "\\u180e", "\"\\u180e\"" },
		{ "a\u200bb", "a\\u200bb", "\"a\\u200bb\"" },
		{ "\u200f", "\\u200f", "\"\\u200f\"" },
		{ "\u2028\u2029", "\\u2028\\u2029", "\"\\u2028\\u2029\"" },
		{ "\u202a\u202e", "\\u202a\\u202e", "\"\\u202a\\u202e\"" },
		{ "\u2060\u2066\u2069\u206f", "\\u2060\\u2066\\u2069\\u206f",
		  "\"\\u2060\\u2066\\u2069\\u206f\"" },
		{ "\ufeff", "\\ufeff", "\"\\ufeff\"" },
		{ "\ufff9\ufffb", "\\ufff9\\ufffb", "\"\\ufff9\\ufffb\"" },
		{ "\U000e0041\U000e007f", "\\U000e0041\\U000e007f",
		  "\"\\udb40\\udc41\\udb40\\udc7f\"" },
		/* C1 controls: JSON escapes them too */
		{ "\xc2\x85", "\\xc2\\x85", "\"\\u0085\"" },
		/* visible neighbours: raw */
		{ "\u200a\u2010\u2027\u202f\u205f\u2070\ufffc\u00a0\U000e0100",
		  "\u200a\u2010\u2027\u202f\u205f\u2070\ufffc\u00a0\U000e0100",
		  "\"\u200a\u2010\u2027\u202f\u205f\u2070\ufffc\u00a0\U000e0100\"" },
	};
	char *out;
	struct jv *v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = text_of(cases[i].in, false);
		assert_string_equal(out, cases[i].text);
		free(out);
		out = text_of(cases[i].in, true);
		assert_string_equal(out, cases[i].json);
		v = json_parse(out);
		assert_non_null(v);
		assert_string_equal(v->str, cases[i].in); /* the escapes round-trip */
		json_free(v);
		free(out);
	}
}

/*
 * The decoder's own integer formatting (no printf) at its edges: u64 max
 * as decimal, hex and duration, the most negative s64, zero, one digit
 * and the widths where a digit count changes; escapes' zero-padded hex.
 */
static void test_number_edges(void **state)
{
	struct tk_sys_event ev = {
		.hdr = { .ts_ns = UINT64_MAX, .event = TK_EV_syscall, .pid = UINT32_MAX, .uid = 9,
			 .comm = "a", .cgroup_id = 10000000000000000000ULL },
		.nr = 110, .fd = -1, .ret = INT64_MIN, .duration_ns = UINT64_MAX,
		.args = { UINT64_MAX, 0, 0xf, 0x10, 0x1000000000000000ULL, 99 },
	}, *e = &ev;
	int rc;
	char *out;

	(void)state;
	out = render(e, sizeof(*e), true, &rc);
	assert_int_equal(rc, 0);
	check_json_line(out);
	assert_string_equal(out, "{\"ts_ns\":18446744073709551615,\"event\":\"syscall\","
				 "\"pid\":4294967295,\"tid\":0,\"uid\":9,\"comm\":\"a\","
				 "\"cgroup_id\":10000000000000000000,\"nr\":110,\"syscall\":\"getppid\","
				 "\"ret\":-9223372036854775808,\"duration_ns\":18446744073709551615,"
				 "\"args\":[\"0xffffffffffffffff\",\"0x0\",\"0xf\",\"0x10\","
				 "\"0x1000000000000000\",\"0x63\"]}\n");
	free(out);
	out = render(e, sizeof(*e), false, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "syscall  4294967295 0       9     a                nr=110(getppid) "
				 "ret=-9223372036854775808 duration_ns=18446744073.710s "
				 "args={0xffffffffffffffff,0x0,0xf,0x10,0x1000000000000000,0x63}\n");
	free(out);
	/* the errno names' edge: -4095 is the last -errno, one below a number */
	e->ret = -4096;
	e->duration_ns = 999999;
	out = render(e, sizeof(*e), false, &rc);
	assert_non_null(strstr(out, " ret=-4096 duration_ns=999.999us "));
	free(out);
	/* escapes: always two hex digits (\x), four (\u) */
	out = text_of("\x01\x1f\x7f", false);
	assert_string_equal(out, "\\x01\\x1f\\x7f");
	free(out);
	out = text_of("\x01\x1f\x7f", true);
	assert_string_equal(out, "\"\\u0001\\u001f\\u007f\"");
	free(out);
}

/*
 * The JSON fast paths' edges: a number of every length (its digits counted
 * from its bit length: each power of ten, one below and one above), a comm
 * that fills its array (no NUL), a clean string longer than the decoder's
 * buffer, a clean prefix before a byte to escape, a string cut at len.
 */
static void test_json_fast_path_edges(void **state)
{
	struct tk_sys_event ev = {
		.hdr = { .event = TK_EV_syscall, .comm = "abcdefghijklmnop" },
		.nr = 110, .fd = -1,
	};
	char want[64], *out, *big;
	unsigned long long p = 1;
	size_t len;
	FILE *f;
	int rc;

	(void)state;
	for (int k = 0; k < 20; k++, p *= 10) {
		for (int d = -1; d <= 1; d++) {
			ev.hdr.ts_ns = p + d;
			out = render(&ev, sizeof(ev), true, &rc);
			assert_int_equal(rc, 0);
			snprintf(want, sizeof(want), "{\"ts_ns\":%llu,\"event\"", p + d);
			assert_true(!strncmp(out, want, strlen(want)));
			/* 16 bytes, no NUL: all of them, nothing after */
			assert_non_null(strstr(out, ",\"comm\":\"abcdefghijklmnop\","));
			free(out);
		}
	}
	big = malloc(5001);
	memset(big, 'a', 5000);
	big[5000] = 0;
	out = text_of(big, true);
	assert_int_equal(strlen(out), 5002);
	assert_true(out[0] == '"' && out[5001] == '"' && !memcmp(out + 1, big, 5000));
	free(out);
	free(big);
	out = text_of("plain'and\"quoted\\", true);
	assert_string_equal(out, "\"plain'and\\\"quoted\\\\\"");
	free(out);
	out = text_of("abc\x1b[1m", true);
	assert_string_equal(out, "\"abc\\u001b[1m\"");
	free(out);
	/* cut at len, at a NUL, empty */
	f = open_memstream(&out, &len);
	tk_fput_json_str(f, "abcdef", 3);
	tk_fput_json_str(f, "ab\0cd", 5);
	tk_fput_json_str(f, "", 0);
	fclose(f);
	assert_string_equal(out, "\"abc\"\"ab\"\"\"");
	free(out);
}

/* A padded column wider than the decoder's buffer (4 KiB), both ways:
 * as printf's %*s / %-*s would, escapes counted as the bytes they are. */
static void test_wide_padding(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int width = -10000; width <= 10000; width += 20000) {
		f = open_memstream(&buf, &len);
		tk_fput_text_padded(f, "a\x01", 2, width);
		fclose(f);
		assert_int_equal(len, 10000);
		if (width < 0) {
			assert_memory_equal(buf, "a\\x01 ", 6);
			assert_int_equal(strspn(buf + 5, " "), 10000 - 5);
		} else {
			assert_int_equal(strspn(buf, " "), 10000 - 5);
			assert_string_equal(buf + 10000 - 5, "a\\x01");
		}
		free(buf);
		buf = NULL;
	}
}

/* A file named invoice<U+202E>cod.exe must not display as invoiceexe.doc. */
static void test_bidi_file_name(void **state)
{
	static recbuf r;
	static const char name[] = "invoice\u202ecod.exe", path[] = "/tmp/invoice\u202ecod.exe";
	const struct tk_out text = { 0 }, json = { .json = true };
	size_t n;
	int rc;
	char *out;

	(void)state;
	memset(&r, 0, sizeof(r));
	hdr(&r.file.hdr, TK_EV_open, "sh");
	r.file.call = TK_FC_openat;
	r.file.fd = 3;
	r.file.ret = 3;
	r.file.filename_len = sizeof(name);
	r.file.path_len = sizeof(path);
	n = append(&r, append(&r, sizeof(r.file), name, sizeof(name)), path, sizeof(path));
	out = render_guarded(&text, &r, n, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, " filename='invoice\\u202ecod.exe' "
				    "path='/tmp/invoice\\u202ecod.exe'\n"));
	assert_null(strstr(out, "\u202e"));
	free(out);
	out = render_guarded(&json, &r, n, &rc);
	assert_int_equal(rc, 0);
	check_json_line(out);
	assert_non_null(strstr(out, "\"filename\":\"invoice\\u202ecod.exe\","
				    "\"path\":\"/tmp/invoice\\u202ecod.exe\"}\n"));
	assert_null(strstr(out, "\u202e"));
	free(out);
}

/* The checker the other tests rely on must itself reject invalid JSON. */
static void test_json_checker_is_strict(void **state)
{
	static const char *bad[] = {
		"{\"a\":\"x\ny\"}",        /* raw control byte in a string */
		"{\"a\":\"\xff\"}",         /* invalid UTF-8 */
		"{\"a\":\"\\ud800\"}",     /* lone surrogate */
		"{\"a\":1,}", "[1 2]", "{\"a\":01}", "{\"a\":\"\\x41\"}",
		"{\"a\":1} x", "", "{\"a\":tru}",
	};
	struct jv *v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = json_parse(bad[i]);
		if (v)
			fail_msg("accepted invalid JSON: %s", bad[i]);
	}
	v = json_parse("{\"a\":[1,-2.5e3,\"\\u00fc\\ud83d\\ude00\"],\"b\":null}");
	assert_non_null(v);
	assert_string_equal(json_get(v, "a")->items[2].str, "\xc3\xbc\xf0\x9f\x98\x80");
	json_free(v);
}

/* The exec record e (n bytes) in cgroup id, decoded with o's resolver:
 * JSON that parses and contains json, text with column before "ppid=". */
static void check_cgroup(struct tk_out *o, recbuf *e, size_t n, __u64 id, const char *json,
			 const char *column)
{
	char want[512];
	char *out;
	int rc;

	e->exec.hdr.cgroup_id = id;
	o->json = true;
	out = render_guarded(o, e, n, &rc);
	assert_int_equal(rc, 0);
	check_json_line(out);
	if (!strstr(out, json))
		fail_msg("got %s\nexpected it to contain %s", out, json);
	free(out);
	o->json = false;
	out = render_guarded(o, e, n, &rc);
	snprintf(want, sizeof(want), "exec     42      43      1000  echo             %sppid=1 ret=0 "
		 "filename=/bin/echo argv=echo\n", column);
	assert_string_equal(out, want);
	free(out);
}

/*
 * Attribution: a record's cgroup_id decoded through a resolver (walking a
 * cgroup-shaped tree in /tmp, where ids are inode numbers): the JSON keys
 * exact, a hostile directory name escaped in both outputs, the -C column,
 * and an id no directory has shown by id alone.
 */
static void test_cgroup_attribution(void **state)
{
#define CG_H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	static const char bad[] = "bad\x1b[2J\xe2\x80\xae.service";
	static recbuf e;
	char root[] = "/tmp/tk-output-cg-XXXXXX", dock[128], evil[128], want[512];
	struct tk_out o = { .containers = true };
	size_t n = make_exec(&e, "echo", "/bin/echo", 10, "echo\0", 5, 0);
	__u64 dock_id, evil_id;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dock, sizeof(dock), "%s/system.slice", root);
	assert_int_equal(mkdir(dock, 0755), 0);
	snprintf(dock, sizeof(dock), "%s/system.slice/docker-" CG_H64 ".scope", root);
	dock_id = tl_mkdir_ino(dock);
	snprintf(evil, sizeof(evil), "%s/%s", root, bad);
	evil_id = tl_mkdir_ino(evil);
	o.cg = tk_cgroups_new(root, TK_CG_WALK);
	assert_non_null(o.cg);

	snprintf(want, sizeof(want), "\"cgroup_id\":%llu,\"cgroup\":\"/system.slice/docker-" CG_H64
		 ".scope\",\"container_id\":\"" CG_H64 "\",\"ppid\":1,", (unsigned long long)dock_id);
	check_cgroup(&o, &e, n, dock_id, want, "0123456789ab     ");
	snprintf(want, sizeof(want), "\"cgroup_id\":%llu,\"cgroup\":\"/bad\\u001b[2J\\u202e.service\","
		 "\"unit\":\"bad\\u001b[2J\\u202e.service\",\"ppid\":1,", (unsigned long long)evil_id);
	check_cgroup(&o, &e, n, evil_id, want, "bad\\x1b[2J\\u202e.service ");
	/* removed (or never there): the id alone, "-" in the column */
	check_cgroup(&o, &e, n, ~0ULL - 1, "\"cgroup_id\":18446744073709551614,\"ppid\":1,",
		     "-                ");

	tk_cgroups_free(o.cg);
	assert_int_equal(rmdir(evil), 0);
	assert_int_equal(rmdir(dock), 0);
	snprintf(dock, sizeof(dock), "%s/system.slice", root);
	assert_int_equal(rmdir(dock), 0);
	assert_int_equal(rmdir(root), 0);
#undef CG_H64
}

/* tracekit trace: text names the domain in its column, JSON as the first
 * key, so file close and net close differ; without .domain nothing changes. */
static void test_domain_named(void **state)
{
	struct tk_file_event f;
	struct tk_net_close_event c;
	struct tk_out o = { .domain = true };
	const char *exp = "{\"domain\":\"net\",\"ts_ns\":123456789,\"event\":\"close\",";
	char *txt, *js, *plain;
	int rc;

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	hdr(&f.hdr, TK_EV_close, "cat");
	hdr(&c.hdr, TK_EV_tcp_close, "curl");
	txt = render_guarded(&o, &f, sizeof(f), &rc);
	assert_int_equal(rc, 0);
	assert_true(!strncmp(txt, "file   close    42 ", 19));
	free(txt);
	txt = render_guarded(&o, &c, sizeof(c), &rc);
	assert_true(!strncmp(txt, "net    close    42 ", 19));
	o.json = true;
	js = render_guarded(&o, &c, sizeof(c), &rc);
	assert_int_equal(rc, 0);
	assert_true(!strncmp(js, exp, strlen(exp)));
	o.domain = false;
	plain = render_guarded(&o, &c, sizeof(c), &rc);
	assert_true(!strncmp(plain, "{\"ts_ns\":", 9));
	assert_string_equal(plain + 1, js + strlen("{\"domain\":\"net\","));
	free(txt);
	free(js);
	free(plain);
}

/* Addresses as inet_ntop() would print them (IPv4 is formatted by hand):
 * every octet's edge values, v4-mapped IPv6 as IPv4, IPv6 compressed. */
static void test_ipaddr_forms(void **state)
{
	static const struct {
		int family;
		unsigned char a[16];
		const char *want;
	} cases[] = {
		{ AF_INET, { 0, 0, 0, 0 }, "0.0.0.0" },
		{ AF_INET, { 255, 255, 255, 255 }, "255.255.255.255" },
		{ AF_INET, { 10, 0, 9, 100 }, "10.0.9.100" },
		{ AF_INET, { 192, 168, 19, 1 }, "192.168.19.1" },
		{ AF_INET6, { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 }, "127.0.0.1" },
		{ AF_INET6, { [15] = 1 }, "::1" },
		{ AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 }, "2001:db8::42" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_non_null(f);
		tk_fput_ipaddr(f, cases[i].family, cases[i].a);
		assert_int_equal(fclose(f), 0);
		if (strcmp(buf, cases[i].want))
			fail_msg("case %zu: '%s', want '%s'", i, buf, cases[i].want);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_text_plain),
		cmocka_unit_test(test_exec_json_argv),
		cmocka_unit_test(test_hostile_json_valid),
		cmocka_unit_test(test_hostile_text_no_control_bytes),
		cmocka_unit_test(test_text_keeps_valid_utf8),
		cmocka_unit_test(test_utf8_validator),
		cmocka_unit_test(test_exit_signal),
		cmocka_unit_test(test_file_flags_dev_mode),
		cmocka_unit_test(test_file_packed_strings),
		cmocka_unit_test(test_net_addresses),
		cmocka_unit_test(test_net_close),
		cmocka_unit_test(test_syscall_args),
		cmocka_unit_test(test_number_edges),
		cmocka_unit_test(test_json_fast_path_edges),
		cmocka_unit_test(test_wide_padding),
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_field_keys),
		cmocka_unit_test(test_malformed_records),
		cmocka_unit_test(test_json_checker_is_strict),
		cmocka_unit_test(test_no_read_past_record_end),
		cmocka_unit_test(test_every_event_in_bounds),
		cmocka_unit_test(test_time_column),
		cmocka_unit_test(test_errno_out_of_range),
		cmocka_unit_test(test_format_chars_escaped),
		cmocka_unit_test(test_bidi_file_name),
		cmocka_unit_test(test_cgroup_attribution),
		cmocka_unit_test(test_domain_named),
		cmocka_unit_test(test_ipaddr_forms),
	};
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
