// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one decoder: prints any record, as aligned text or as JSON Lines,
 * from its descriptor table. No tool has its own print function.
 *
 * Strings from the kernel are treated as hostile bytes: text output never
 * passes a control byte (C0, DEL or C1) or invalid UTF-8 to the terminal,
 * and JSON output is valid UTF-8 JSON for any input.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tk.h"
#include "tk_cgroup.h"

/*
 * Speed: the consumer formats every record it drains, so this file is the
 * hot path of a stream (syscalltrace streams a million records a second).
 * The runtime is single-threaded, so stdio's per-call locking is skipped,
 * and integers are formatted here: fprintf was most of the cost.
 */
#define fputc putc_unlocked /* a macro: no call per character */
#define fputs fputs_unlocked
#define fwrite fwrite_unlocked

static void put_dec(FILE *f, unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	do
		*--p = '0' + v % 10;
	while (v /= 10);
	fwrite(p, 1, buf + sizeof(buf) - p, f);
}

static void put_sdec(FILE *f, long long v)
{
	if (v < 0) {
		fputc('-', f);
		put_dec(f, -(unsigned long long)v);
	} else {
		put_dec(f, v);
	}
}

/* 0x…, quoted for JSON */
static void put_hex(FILE *f, unsigned long long v, bool json)
{
	char buf[24], *p = buf + sizeof(buf);

	if (json)
		*--p = '"';
	do
		*--p = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	*--p = 'x';
	*--p = '0';
	if (json)
		*--p = '"';
	fwrite(p, 1, buf + sizeof(buf) - p, f);
}

static void put_pad(FILE *f, size_t len, int width)
{
	for (; (int)len < width; len++)
		fputc(' ', f);
}

int tk_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	int len;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0; /* continuation byte, overlong lead, or > U+10FFFF */
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong, surrogate, or beyond Unicode */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* The code point of a sequence tk_utf8_seq_len() accepted (len 2..4). */
static unsigned utf8_cp(const unsigned char *s, int len)
{
	unsigned cp = s[0] & (0x7f >> len);

	for (int i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/*
 * Invisible format characters that a terminal or viewer acts on rather
 * than shows: bidi controls reorder what follows (a file named
 * "invoice<U+202E>cod.exe" displays as "invoiceexe.doc"), zero-width ones
 * hide or join text, U+2028/U+2029 break lines, tags (U+E0000..U+E007F)
 * smuggle invisible ASCII. Valid UTF-8, so they need a check of their own.
 */
static bool is_format_cp(unsigned cp)
{
	return cp == 0x061c ||                    /* ARABIC LETTER MARK */
	       cp == 0x180e ||                    /* MONGOLIAN VOWEL SEPARATOR */
	       (cp >= 0x200b && cp <= 0x200f) ||  /* ZW space/joiners, LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||  /* LS, PS, LRE..RLO */
	       (cp >= 0x2060 && cp <= 0x206f) ||  /* WJ, invisible ops, isolates */
	       cp == 0xfeff ||                    /* ZW no-break space (BOM) */
	       (cp >= 0xfff9 && cp <= 0xfffb) ||  /* interlinear annotation */
	       (cp >= 0xe0000 && cp <= 0xe007f);  /* tags */
}

static size_t bounded_len(const char *s, size_t len)
{
	const char *nul = memchr(s, 0, len);

	return nul ? (size_t)(nul - s) : len;
}

static bool needs_quotes(const char *s, size_t n)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c == '\'' || c == '"' || c == '=' || c >= 0x7f)
			return true;
	}
	return false;
}

void tk_fput_text(FILE *f, const char *s, size_t len, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = bounded_len(s, len);

	quote = quote && needs_quotes(s, n);
	if (quote)
		fputc('\'', f);
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		int l = tk_utf8_seq_len(p + i, n - i);

		if (l > 1) {
			unsigned cp = utf8_cp(p + i, l);

			/* C1 controls (U+0080..U+009F) act on some terminals */
			if (cp < 0xa0)
				fprintf(f, "\\x%02x\\x%02x", c, p[i + 1]);
			else if (is_format_cp(cp))
				fprintf(f, "\\%c%0*x", cp > 0xffff ? 'U' : 'u', cp > 0xffff ? 8 : 4, cp);
			else
				fwrite(p + i, 1, l, f);
			i += l;
			continue;
		}
		i++;
		if (l == 0 || c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\t': fputs("\\t", f); break;
			case '\r': fputs("\\r", f); break;
			default: fprintf(f, "\\x%02x", c);
			}
		} else if (c == '\\') {
			fputs("\\\\", f);
		} else if (quote && c == '\'') {
			fputs("\\'", f);
		} else {
			fputc(c, f);
		}
	}
	if (quote)
		fputc('\'', f);
}

void tk_fput_json_str(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = bounded_len(s, len);

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		int l;
		size_t run = i;

		/* a run of plain ASCII goes out in one write */
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			fwrite(p + i, 1, run - i, f);
			i = run;
			continue;
		}
		l = tk_utf8_seq_len(p + i, n - i);
		if (l == 0) {
			fputs("\\ufffd", f); /* invalid byte: U+FFFD, JSON stays valid */
			i++;
			continue;
		}
		if (l > 1) {
			unsigned cp = utf8_cp(p + i, l);

			/* valid JSON raw, but not to be shown raw by whoever
			 * reads the stream on a terminal */
			if (cp >= 0xa0 && !is_format_cp(cp))
				fwrite(p + i, 1, l, f);
			else if (cp <= 0xffff)
				fprintf(f, "\\u%04x", cp);
			else
				fprintf(f, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
					0xdc00 + ((cp - 0x10000) & 0x3ff));
			i += l;
			continue;
		}
		i++;
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/* ---- field access ------------------------------------------------------ */

/* Element i of an integer field; records may be unaligned (perf buffer).
 * Records reach the fields only after tk_record_len() accepted them, so
 * every fixed field is whole and every packed string lies inside. */
static __u64 get_u64(const struct tk_field *fd, const char *rec, unsigned i)
{
	unsigned esz = fd->size / fd->count;
	const char *p = rec + fd->offset + i * esz;

	switch (fd->type) {
	case TK_T_u8: { __u8 v; memcpy(&v, p, 1); return v; }
	case TK_T_u16: { __u16 v; memcpy(&v, p, 2); return v; }
	case TK_T_u32: { __u32 v; memcpy(&v, p, 4); return v; }
	case TK_T_s32: { __s32 v; memcpy(&v, p, 4); return (__u64)(__s64)v; }
	default: { __u64 v; memcpy(&v, p, 8); return v; }
	}
}

static const struct tk_field *find_field(const struct tk_event_desc *d, const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (!strcmp(d->fields[i].name, name))
			return &d->fields[i];
	return NULL;
}

/* ---- packed strings (include/tk_event.h) ------------------------------ */

static bool is_var(const struct tk_field *fd)
{
	return fd->kind == TK_K_VSTR || fd->kind == TK_K_ARGV;
}

long tk_record_len(const struct tk_event_desc *d, const void *rec, size_t size)
{
	size_t len = d->size;

	if (size < d->size)
		return -1;
	for (size_t i = 0; i < d->nfields; i++)
		if (is_var(&d->fields[i]))
			len += get_u64(&d->fields[i], rec, 0);
	return len <= size ? (long)len : -1;
}

/*
 * The string length field fd describes: its bytes (NULs included, 0 when
 * absent) at *at, after the fixed part and the strings before it. Only for
 * records tk_record_len() accepted, so every string lies inside.
 */
static size_t var_locate(const struct tk_event_desc *d, const char *rec,
			 const struct tk_field *fd, const char **at)
{
	size_t off = d->size;

	for (const struct tk_field *f = d->fields; f < fd; f++)
		if (is_var(f))
			off += get_u64(f, rec, 0);
	*at = rec + off;
	return get_u64(fd, rec, 0);
}

size_t tk_record_str(const struct tk_event_desc *d, const void *rec, const char *name,
		     const char **at)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (is_var(&d->fields[i]) && !strcmp(d->fields[i].aux, name))
			return var_locate(d, rec, &d->fields[i], at);
	*at = NULL;
	return 0;
}

/* ---- one field's value, per kind ----------------------------------------- */

/* One field of one record; v is the value being printed (element i of an
 * integer array) for the integer kinds. */
struct val {
	FILE *f;
	const struct tk_event_desc *d;
	const char *rec;
	const struct tk_field *fd;
	__u64 v;
};

static void put_num(const struct val *x)
{
	if (x->fd->type == TK_T_s32 || x->fd->type == TK_T_s64)
		put_sdec(x->f, (long long)x->v);
	else
		put_dec(x->f, x->v);
}

static void put_hex_text(const struct val *x) { put_hex(x->f, x->v, false); }
static void put_hex_json(const struct val *x) { put_hex(x->f, x->v, true); }
static void put_oct_text(const struct val *x) { fprintf(x->f, "0%llo", (unsigned long long)x->v); }
static void put_bool_text(const struct val *x) { fputs(x->v ? "1" : "0", x->f); }
static void put_bool_json(const struct val *x) { fputs(x->v ? "true" : "false", x->f); }

static void put_dev_text(const struct val *x)
{
	fprintf(x->f, "%llu:%llu", (unsigned long long)(x->v >> 20),
		(unsigned long long)(x->v & 0xfffff));
}

static void put_dev_json(const struct val *x)
{
	fputc('"', x->f);
	put_dev_text(x);
	fputc('"', x->f);
}

/* ns, or three decimals of us/ms/s (rounded half up) */
void tk_fput_duration(FILE *f, __u64 ns)
{
	__u64 milli = 1; /* ns per thousandth of the unit */
	const char *unit = "ns";
	__u64 q;

	if (ns >= 1000000000)
		milli = 1000000, unit = "s";
	else if (ns >= 1000000)
		milli = 1000, unit = "ms";
	else if (ns >= 1000)
		milli = 1, unit = "us";
	if (ns < 1000) {
		put_dec(f, ns);
	} else {
		q = ns / milli + (milli > 1 && ns % milli >= milli / 2);
		put_dec(f, q / 1000);
		fputc('.', f);
		fputc('0' + q % 1000 / 100, f);
		fputc('0' + q % 100 / 10, f);
		fputc('0' + q % 10, f);
	}
	fputs(unit, f);
}

static void put_duration(const struct val *x) { tk_fput_duration(x->f, x->v); }

/* STR (a fixed array) and VSTR (a packed string) */
static void str_locate(const struct val *x, const char **p, size_t *n)
{
	*p = x->rec + x->fd->offset;
	*n = x->fd->kind == TK_K_VSTR ? var_locate(x->d, x->rec, x->fd, p) : x->fd->size;
}

static void put_str_text(const struct val *x)
{
	const char *p;
	size_t n;

	str_locate(x, &p, &n);
	tk_fput_text(x->f, p, n, true);
}

static void put_str_json(const struct val *x)
{
	const char *p;
	size_t n;

	str_locate(x, &p, &n);
	tk_fput_json_str(x->f, p, n);
}

void tk_fput_argv(FILE *f, const char *p, size_t len, bool json)
{
	bool first = true;

	if (json)
		fputc('[', f);
	for (size_t i = 0; i < len;) {
		size_t n = strnlen(p + i, len - i);

		if (!first)
			fputc(json ? ',' : ' ', f);
		first = false;
		if (json)
			tk_fput_json_str(f, p + i, n);
		else
			tk_fput_text(f, p + i, n, true);
		i += n + 1;
	}
	if (json)
		fputc(']', f);
}

static void put_argv(const struct val *x, bool json)
{
	const char *p;
	size_t len = var_locate(x->d, x->rec, x->fd, &p);

	tk_fput_argv(x->f, p, len, json);
}

static void put_argv_text(const struct val *x) { put_argv(x, false); }
static void put_argv_json(const struct val *x) { put_argv(x, true); }

void tk_fput_ipaddr(FILE *f, int family, const void *addr)
{
	const unsigned char *a = addr;
	char buf[INET6_ADDRSTRLEN];
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	/* v4-mapped IPv6 (::ffff:a.b.c.d) prints as the IPv4 it is */
	if (family == AF_INET6 && !memcmp(a, v4mapped, 12)) {
		family = AF_INET;
		a += 12;
	}
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf)))
		strcpy(buf, "?");
	fputs(buf, f);
}

static void put_ipaddr_text(const struct val *x)
{
	const struct tk_field *fam = find_field(x->d, x->fd->aux);

	tk_fput_ipaddr(x->f, fam ? (int)get_u64(fam, x->rec, 0) : AF_INET,
		       x->rec + x->fd->offset);
}

static void put_ipaddr_json(const struct val *x)
{
	fputc('"', x->f);
	put_ipaddr_text(x);
	fputc('"', x->f);
}

static void put_event_text(const struct val *x)
{
	const struct tk_event_desc *e = tk_event_by_id((__u32)x->v);

	fputs(e ? e->name : "?", x->f);
}

static void put_event_json(const struct val *x)
{
	fputc('"', x->f);
	put_event_text(x);
	fputc('"', x->f);
}

/* ---- symbolic names, per kind ---------------------------------------------- */

/* Long enough for every flag of a table at once (open_flags: ~190). */
#define NAME_MAX_LEN 512

/*
 * The name of an ERRNO field's -errno, or NULL. The kernel's are -1..-4095
 * (MAX_ERRNO); anything below is a plain value: not negated (-INT64_MIN
 * overflows) and not cut to an int (-(2^32 + 2) is no ENOENT).
 */
static const char *errno_name(const struct val *x, char *buf, size_t len)
{
	__s64 s = (__s64)x->v;

	(void)buf, (void)len;
	return s < 0 && s >= -4095 ? tk_errno_name((int)-s) : NULL;
}

static const char *signal_name(const struct val *x, char *buf, size_t len)
{
	(void)buf, (void)len;
	return tk_signal_name((int)x->v);
}

/* always a name: an unknown number is syscall_<n> */
static const char *syscall_name(const struct val *x, char *buf, size_t len)
{
	const char *name = tk_syscall_name((__u32)x->v);

	if (name)
		return name;
	snprintf(buf, len, "syscall_%llu", (unsigned long long)x->v);
	return buf;
}

static const char *enum_name(const struct val *x, char *buf, size_t len)
{
	(void)buf, (void)len;
	for (const struct tk_sym *t = x->fd->syms; t->name; t++)
		if (t->value == x->v)
			return t->name;
	return NULL;
}

static void name_cat(char *buf, size_t len, size_t *n, const char *s)
{
	size_t l = strlen(s);

	if (*n + l < len) {
		memcpy(buf + *n, s, l + 1);
		*n += l;
	}
}

/* always a name: A|B, with the bits no entry names as |0x…, "0x0" for 0
 * when no entry names it (see struct tk_sym for the matching rule) */
static const char *flags_name(const struct val *x, char *buf, size_t len)
{
	__u64 taken = 0;
	size_t n = 0;
	char rest[24];

	buf[0] = 0;
	for (const struct tk_sym *t = x->fd->syms; t->name; t++) {
		if (!t->mask || (t->mask & taken) || (x->v & t->mask) != t->value)
			continue;
		if (n)
			name_cat(buf, len, &n, "|");
		name_cat(buf, len, &n, t->name);
		taken |= t->mask;
	}
	if ((x->v & ~taken) || !n) {
		snprintf(rest, sizeof(rest), "%s0x%llx", n ? "|" : "",
			 (unsigned long long)(x->v & ~taken));
		name_cat(buf, len, &n, rest);
	}
	return buf;
}

/* ---- the decoder table ------------------------------------------------------- */

enum when { NEVER, ALWAYS, NONZERO, NONNEG };

enum text_name {
	TEXT_VALUE,  /* the value alone */
	TEXT_SUFFIX, /* value(name) when there is a name */
	TEXT_NAME,   /* the name, or the value when there is none */
};

/*
 * How each kind prints: the one place that says it (include/tk_event.h
 * and docs/events.md show the results). JSON shows the field when
 * json_when holds for its value (the length of a VSTR), text when
 * text_when does. A kind with a name function adds the name in text as
 * text_name says, and in JSON as the companion key ("<field>_str", or
 * companion) when there is a name: the x + x_str rule, the number always
 * in x. `whole` kinds print the field as a whole (strings, addresses);
 * the others are integers, an array of them printed as {a,b} / [a,b].
 */
static const struct kind_fmt {
	__u8 json_when, text_when;
	bool whole;
	void (*text)(const struct val *x);
	void (*json)(const struct val *x);
	const char *(*name)(const struct val *x, char *buf, size_t len);
	__u8 text_name;
	const char *companion;
} kinds[TK_K__COUNT] = {
#define ON(json_w, text_w) .json_when = json_w, .text_when = text_w
	[TK_K_NONE] = { ON(NEVER, NEVER) },
	[TK_K_PAD] = { ON(NEVER, NEVER) },
	[TK_K_DEC] = { ON(ALWAYS, ALWAYS), .text = put_num, .json = put_num },
	[TK_K_HEX] = { ON(ALWAYS, ALWAYS), .text = put_hex_text, .json = put_hex_json },
	[TK_K_OCT] = { ON(ALWAYS, ALWAYS), .text = put_oct_text, .json = put_num },
	[TK_K_BOOL] = { ON(ALWAYS, NONZERO), .text = put_bool_text, .json = put_bool_json },
	[TK_K_ERRNO] = { ON(ALWAYS, ALWAYS), .text = put_num, .json = put_num,
			 .name = errno_name, .text_name = TEXT_SUFFIX },
	[TK_K_SIGNAL] = { ON(ALWAYS, NONZERO), .text = put_num, .json = put_num,
			  .name = signal_name, .text_name = TEXT_SUFFIX },
	[TK_K_FLAGS] = { ON(ALWAYS, ALWAYS), .text = put_num, .json = put_num,
			 .name = flags_name, .text_name = TEXT_SUFFIX },
	[TK_K_ENUM] = { ON(ALWAYS, ALWAYS), .text = put_num, .json = put_num,
			.name = enum_name, .text_name = TEXT_NAME },
	[TK_K_DURATION] = { ON(ALWAYS, ALWAYS), .text = put_duration, .json = put_num },
	[TK_K_STR] = { ON(ALWAYS, ALWAYS), .whole = true, .text = put_str_text,
		       .json = put_str_json },
	[TK_K_ARGV] = { ON(ALWAYS, ALWAYS), .whole = true, .text = put_argv_text,
			.json = put_argv_json },
	[TK_K_IPADDR] = { ON(ALWAYS, ALWAYS), .whole = true, .text = put_ipaddr_text,
			  .json = put_ipaddr_json },
	[TK_K_DEV] = { ON(ALWAYS, ALWAYS), .text = put_dev_text, .json = put_dev_json },
	[TK_K_SYSCALL] = { ON(ALWAYS, ALWAYS), .text = put_num, .json = put_num,
			   .name = syscall_name, .text_name = TEXT_SUFFIX, .companion = "syscall" },
	[TK_K_EVENT] = { ON(ALWAYS, ALWAYS), .text = put_event_text, .json = put_event_json },
	[TK_K_FD] = { ON(NONNEG, NONNEG), .text = put_num, .json = put_num },
	[TK_K_VSTR] = { ON(NONZERO, NONZERO), .whole = true, .text = put_str_text,
			.json = put_str_json },
#undef ON
};

/* One integer: the only kind of field read as a whole value (a string
 * field may end 1 byte before the record's end: read as a u64, it overran). */
static bool is_scalar(const struct tk_field *fd)
{
	return !kinds[fd->kind].whole && fd->count == 1;
}

int tk_field_keys(const struct tk_field *fd, const char **key, char *name_key, size_t len)
{
	const struct kind_fmt *k = &kinds[fd->kind];

	if (k->json_when == NEVER)
		return 0;
	/* a length field is shown under its string's name */
	*key = is_var(fd) ? fd->aux : fd->name;
	/* put_field names scalars only */
	if (!k->name || !is_scalar(fd))
		return 1;
	if (k->companion)
		snprintf(name_key, len, "%s", k->companion);
	else
		snprintf(name_key, len, "%s_str", fd->name);
	return 2;
}

/* Whether the field is in this output at all. */
static bool shown(const struct tk_field *fd, const char *rec, enum when w)
{
	switch (w) {
	case ALWAYS:
		return true;
	case NONZERO:
		/* a VSTR's length, not the record's size: a perf sample's
		 * size includes up to 7 bytes of padding */
		return get_u64(fd, rec, 0) != 0;
	case NONNEG:
		return (__s64)get_u64(fd, rec, 0) >= 0;
	default:
		return false;
	}
}

/* The name a field is shown under: a length field shows its string. */
static const char *field_key(const struct tk_field *fd)
{
	return is_var(fd) ? fd->aux : fd->name;
}

static void put_field(FILE *f, const struct tk_event_desc *d, const char *rec,
		      const struct tk_field *fd, bool json)
{
	const struct kind_fmt *k = &kinds[fd->kind];
	void (*put)(const struct val *) = json ? k->json : k->text;
	struct val x = { f, d, rec, fd, 0 };
	char buf[NAME_MAX_LEN];
	const char *name = NULL;

	if (!is_scalar(fd)) {
		if (k->whole) {
			put(&x);
			return;
		}
		fputc(json ? '[' : '{', f);
		for (unsigned i = 0; i < fd->count; i++) {
			if (i)
				fputc(',', f);
			x.v = get_u64(fd, rec, i);
			put(&x);
		}
		fputc(json ? ']' : '}', f);
		return;
	}
	x.v = get_u64(fd, rec, 0);
	if (k->name)
		name = k->name(&x, buf, sizeof(buf));
	if (json) {
		put(&x);
		if (name) {
			fputs(",\"", f);
			if (k->companion) {
				fputs(k->companion, f);
			} else {
				fputs(fd->name, f);
				fputs("_str", f);
			}
			fputs("\":\"", f);
			fputs(name, f);
			fputc('"', f);
		}
		return;
	}
	if (name && k->text_name == TEXT_NAME) {
		fputs(name, f);
		return;
	}
	put(&x);
	if (name && k->text_name == TEXT_SUFFIX) {
		fputc('(', f);
		fputs(name, f);
		fputc(')', f);
	}
}

/* -C: the container's short id, or the unit, wide enough for the id */
#define CONTAINER_WIDTH 16

void tk_print_header(const struct tk_out *o)
{
	if (o->json)
		return;
	if (o->timestamp)
		fprintf(o->f, "%-12s ", "TIME");
	if (o->domain)
		fprintf(o->f, "%-6s ", "DOMAIN");
	fprintf(o->f, "%-8s %-7s %-7s %-5s %-16s ", "EVENT", "PID", "TID", "UID", "COMM");
	if (o->containers)
		fprintf(o->f, "%-*s ", CONTAINER_WIDTH, "CONTAINER");
	fputs("DETAILS\n", o->f);
}

/* The record's cgroup as JSON keys: the path and what it says, each only
 * where known (cgroup_id, in the header, is always there). */
static void render_cgroup_json(FILE *f, const struct tk_cg_info *ci)
{
	const struct tk_cg_attr *a = &ci->attr;

	fputs(",\"cgroup\":", f);
	tk_fput_json_str(f, ci->path, (size_t)-1);
	if (a->container_id[0]) {
		fputs(",\"container_id\":\"", f);
		fputs(a->container_id, f); /* 64 hex digits: nothing to escape */
		fputc('"', f);
	}
	if (a->pod_uid[0]) {
		fputs(",\"pod_uid\":\"", f);
		fputs(a->pod_uid, f);
		fputc('"', f);
	}
	if (a->unit) {
		fputs(",\"unit\":", f);
		tk_fput_json_str(f, a->unit, a->unit_len);
	}
}

/* Rendered once per cgroup: a record in a container's cgroup carries ~170
 * bytes of keys, and escaping them for each record cost ~12% of the
 * consumer's throughput (syscalltrace -j). */
void tk_fput_cgroup_json(FILE *f, struct tk_cgroups *cg, __u64 id)
{
	struct tk_cg_info *ci = tk_cgroup_lookup(cg, id);
	FILE *m;

	if (!ci || !ci->path)
		return; /* removed before it was looked up: the id alone */
	if (!ci->json && (m = open_memstream(&ci->json, &ci->json_len))) {
		render_cgroup_json(m, ci);
		if (fclose(m)) {
			free(ci->json);
			ci->json = NULL;
		}
	}
	if (ci->json)
		fwrite(ci->json, 1, ci->json_len, f);
	else
		render_cgroup_json(f, ci); /* out of memory: each time */
}

static void put_container_text(FILE *f, struct tk_cgroups *cg, __u64 id)
{
	const struct tk_cg_info *ci = cg ? tk_cgroup_lookup(cg, id) : NULL;
	size_t len;
	const char *l = tk_cgroup_label(ci && ci->path ? ci : NULL, &len);

	fputc(' ', f);
	tk_fput_text_padded(f, l, len, -CONTAINER_WIDTH);
}

/*
 * Wall-clock time of a record: its boot-clock ts_ns plus the offset. A
 * ts_ns no clock can have (a corrupt record: the sum overflows, UB in C)
 * or one localtime cannot convert prints as unknown — JSON null, text "?"
 * in the TIME column — rather than a wrapped date.
 */
static void put_time(FILE *f, __u64 ts_ns, __s64 boot_to_real_ns, bool json)
{
	__s64 real_ns, frac;
	time_t sec;
	struct tm tm;
	char buf[64];

	if (ts_ns > INT64_MAX || __builtin_add_overflow((__s64)ts_ns, boot_to_real_ns, &real_ns))
		goto unknown;
	/* floored, so a time before 1970 has its fraction counted forwards */
	sec = real_ns / 1000000000;
	frac = real_ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (!localtime_r(&sec, &tm))
		goto unknown;
	if (json) {
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(f, ",\"time\":\"%s.%06lld\"", buf, (long long)frac / 1000);
	} else {
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		fprintf(f, "%s.%03lld ", buf, (long long)frac / 1000000);
	}
	return;
unknown:
	fputs(json ? ",\"time\":null" : "?            ", f);
}

/* as "%-<width>u " */
static void put_padded_dec(FILE *f, unsigned v, int width)
{
	char buf[16];
	int n = 0;

	do
		buf[n++] = '0' + v % 10;
	while (v /= 10);
	for (int i = n - 1; i >= 0; i--)
		fputc(buf[i], f);
	put_pad(f, n, width);
	fputc(' ', f);
}

/* The escaped comm, padded to its column. */
void tk_fput_text_padded(FILE *f, const char *s, size_t len, int width)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);

	if (!m) {
		/* out of memory: the text unpadded, rather than a column lost */
		tk_fput_text(f, s, len, false);
		return;
	}
	tk_fput_text(m, s, len, false);
	fclose(m);
	fprintf(f, width < 0 ? "%-*s" : "%*s", width < 0 ? -width : width, buf ? buf : "");
	free(buf);
}

static void put_comm(FILE *f, const char *comm)
{
	size_t n = strnlen(comm, TK_COMM_LEN);

	/* printable ASCII but backslash escapes to itself: no copy needed */
	for (size_t i = 0; i < n; i++) {
		if (comm[i] < 0x20 || comm[i] > 0x7e || comm[i] == '\\')
			goto escape;
	}
	fwrite(comm, 1, n, f);
	put_pad(f, n, 16);
	return;
escape:
	tk_fput_text_padded(f, comm, TK_COMM_LEN, -16);
}

int tk_print_record(const struct tk_out *o, const void *data, size_t size)
{
	const char *rec = data;
	const struct tk_event_desc *d;
	struct tk_hdr hdr, *h = &hdr; /* perf records are only 4-byte aligned */
	const char *dom;
	__u32 id;
	FILE *f = o->f;

	if (size < sizeof(struct tk_hdr))
		return -1;
	memcpy(&hdr, rec, sizeof(hdr));
	id = hdr.event;
	d = tk_event_by_id(id);
	if (!d || tk_record_len(d, rec, size) < 0)
		return -1;

	/* a known event's domain is registered: its name needs no escaping */
	dom = o->domain ? tk_domain_name(id >> 8) : NULL;
	if (o->json) {
		fputc('{', f);
		if (o->domain)
			fprintf(f, "\"domain\":\"%s\",", dom);
		for (size_t i = 0; i < tk_hdr_nfields; i++) {
			const struct tk_field *fd = &tk_hdr_fields[i];

			fputs(i ? ",\"" : "\"", f);
			fputs(fd->name, f);
			fputs("\":", f);
			put_field(f, d, rec, fd, true);
		}
		if (o->cg)
			tk_fput_cgroup_json(f, o->cg, h->cgroup_id);
		if (o->timestamp)
			put_time(f, h->ts_ns, o->boot_to_real_ns, true);
		for (size_t i = 0; i < d->nfields; i++) {
			const struct tk_field *fd = &d->fields[i];

			if (!shown(fd, rec, kinds[fd->kind].json_when))
				continue;
			fputs(",\"", f);
			fputs(field_key(fd), f);
			fputs("\":", f);
			put_field(f, d, rec, fd, true);
		}
		fputs("}\n", f);
		return 0;
	}

	if (o->timestamp)
		put_time(f, h->ts_ns, o->boot_to_real_ns, false);
	if (o->domain)
		fprintf(f, "%-6s ", dom);
	/* as "%-8s %-7u %-7u %-5u %-16s" */
	fputs(d->name, f);
	put_pad(f, strlen(d->name), 8);
	fputc(' ', f);
	put_padded_dec(f, h->pid, 7);
	put_padded_dec(f, h->tid, 7);
	put_padded_dec(f, h->uid, 5);
	put_comm(f, h->comm);
	if (o->containers)
		put_container_text(f, o->cg, h->cgroup_id);
	for (size_t i = 0; i < d->nfields; i++) {
		const struct tk_field *fd = &d->fields[i];

		if (!shown(fd, rec, kinds[fd->kind].text_when))
			continue;
		fputc(' ', f);
		fputs(field_key(fd), f);
		fputc('=', f);
		put_field(f, d, rec, fd, false);
	}
	fputc('\n', f);
	return 0;
}

/* ---- the output file ----------------------------------------------------- */

int tk_out_reopen(FILE *f, const char *path)
{
	int fd, err = 0;

	if (fflush(f))
		return -1;
	/* O_APPEND: the old file renamed back, or a copy logrotate left in
	 * place, is added to, never overwritten */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	/* dup3, not a new FILE: the fd number, the stream and its buffer stay */
	if (dup3(fd, fileno(f), O_CLOEXEC) < 0)
		err = errno;
	close(fd);
	errno = err;
	return err ? -1 : 0;
}
