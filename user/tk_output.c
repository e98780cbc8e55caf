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
 * hot path of a stream (syscalltrace streams over a million records a
 * second). A record is formatted into a buffer of its own (struct ob),
 * integers and escapes by hand, and goes to the stream in one fwrite:
 * stdio's cost per call (~60 fputs/fwrite/putc per JSON syscall record, each
 * with its own strlen and buffer checks) was over half of the consumer's
 * time. The stream's buffer still makes one write() of many records, and
 * its error state (ferror, errno) is what the runtime checks, as before.
 */
#define OB_CAP 4096

struct ob {
	FILE *f;      /* NULL: bytes only counted (put_text_padded) */
	size_t n;     /* bytes in b */
	size_t total; /* bytes flushed before them */
	char b[OB_CAP];
};

/* b is not cleared: only its first n bytes are ever read */
static void ob_init(struct ob *o, FILE *f)
{
	o->f = f;
	o->n = 0;
	o->total = 0;
}

static void ob_flush(struct ob *o)
{
	if (o->n && o->f)
		fwrite_unlocked(o->b, 1, o->n, o->f);
	o->total += o->n;
	o->n = 0;
}

/* Where k more bytes (k <= OB_CAP) go; ob_end() says where they ended. */
static inline char *ob_room(struct ob *o, size_t k)
{
	if (o->n + k > OB_CAP)
		ob_flush(o);
	return o->b + o->n;
}

static inline void ob_end(struct ob *o, char *end)
{
	o->n = end - o->b;
}

static inline void ob_putc(struct ob *o, char c)
{
	*ob_room(o, 1) = c;
	o->n++;
}

static void ob_put(struct ob *o, const void *s, size_t k)
{
	if (o->n + k > OB_CAP) {
		ob_flush(o);
		if (k > OB_CAP) { /* a long string: past the buffer */
			if (o->f)
				fwrite_unlocked(s, 1, k, o->f);
			o->total += k;
			return;
		}
	}
	memcpy(o->b + o->n, s, k);
	o->n += k;
}

static inline void ob_puts(struct ob *o, const char *s)
{
	ob_put(o, s, strlen(s));
}

/* a string literal: its length known at compile time */
#define OB_LIT(o, lit) ob_put(o, lit, sizeof(lit) - 1)

/* spaces from len up to width; in pieces, as a caller's width may be wider
 * than the buffer */
static void ob_pad(struct ob *o, size_t len, int width)
{
	for (size_t k; (int)len < width; len += k) {
		k = width - len < OB_CAP ? width - len : OB_CAP;
		memset(ob_room(o, k), ' ', k);
		o->n += k;
	}
}

/* The FILE * form of a put_*(): the bytes through one ob, flushed once. */
#define WITH_OB(f, o, call)                                                  \
	do {                                                                 \
		struct ob o;                                                 \
									     \
		ob_init(&o, f);                                              \
		call;                                                        \
		ob_flush(&o);                                                \
	} while (0)

/* ---- integers ------------------------------------------------------------ */

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* v in decimal at p (at most 20 bytes); returns the end */
static inline char *fmt_dec(char *p, unsigned long long v)
{
	static const unsigned long long pow10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
		100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
	};
	/* digits from the bit length (1233 / 4096 ~ log10(2)), corrected by
	 * one comparison, not a loop over the powers (a 13-digit ts_ns took
	 * 13 turns of it, most of the number's cost) */
	int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;
	char *end = p + t + (v >= pow10[t]) + (v == 0), *q = end;

	/* from the end: four digits per 64-bit division, their two pairs
	 * in 32 bits */
	while (v >= 10000) {
		unsigned r = v % 10000;

		v /= 10000;
		q -= 4;
		memcpy(q, digit_pairs + 2 * (r / 100), 2);
		memcpy(q + 2, digit_pairs + 2 * (r % 100), 2);
	}
	{
		unsigned w = v;

		if (w >= 100) {
			q -= 2;
			memcpy(q, digit_pairs + 2 * (w % 100), 2);
			w /= 100;
		}
		if (w >= 10)
			memcpy(q - 2, digit_pairs + 2 * w, 2);
		else
			q[-1] = '0' + w;
	}
	return end;
}

/* v < 10^width, zero-padded to width digits */
static char *fmt_dec_width(char *p, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = '0' + v % 10;
	return p + width;
}

static const char hex_pairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* lowercase hex, zero-padded to at least width digits (at most 16) */
static inline char *fmt_hex(char *p, unsigned long long v, int width)
{
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1; /* significant digits */
	char *end;

	if (n == 1 && width <= 1) { /* one digit (0x0, small flags): no loop */
		*p = hex_pairs[2 * v + 1];
		return p + 1;
	}
	if (n < width)
		n = width;
	/* from the end, a byte (two digits) at a time */
	for (end = p + n; end - p >= 2; v >>= 8) {
		end -= 2;
		memcpy(end, hex_pairs + 2 * (v & 0xff), 2);
	}
	if (end > p)
		*p = hex_pairs[2 * (v & 15) + 1];
	return p + n;
}

/* octal, at most 22 digits */
static char *fmt_oct(char *p, unsigned long long v)
{
	int n = v ? (66 - __builtin_clzll(v)) / 3 : 1; /* significant digits */

	for (int i = n - 1; i >= 0; i--, v >>= 3)
		p[i] = '0' + (v & 7);
	return p + n;
}

static void put_dec(struct ob *o, unsigned long long v)
{
	ob_end(o, fmt_dec(ob_room(o, 20), v));
}

static void put_sdec(struct ob *o, long long v)
{
	char *p = ob_room(o, 21);

	if (v < 0) {
		*p++ = '-';
		ob_end(o, fmt_dec(p, -(unsigned long long)v));
	} else {
		ob_end(o, fmt_dec(p, v));
	}
}

/* "0x…" at p (at most 20 bytes); returns the end */
static inline char *fmt_hex_json(char *p, unsigned long long v)
{
	p[0] = '"';
	p[1] = '0';
	p[2] = 'x';
	p = fmt_hex(p + 3, v, 1);
	*p = '"';
	return p + 1;
}

/* 0x…, quoted for JSON */
static void put_hex(struct ob *o, unsigned long long v, bool json)
{
	char *p = ob_room(o, 20);

	if (json)
		*p++ = '"';
	*p++ = '0';
	*p++ = 'x';
	p = fmt_hex(p, v, 1);
	if (json)
		*p++ = '"';
	ob_end(o, p);
}

/* An escape: the two characters of esc (\x, \u, \U), then v in hex,
 * zero-padded to width digits. */
static void put_esc(struct ob *o, const char *esc, unsigned v, int width)
{
	char *p = ob_room(o, 2 + 8);

	p[0] = esc[0];
	p[1] = esc[1];
	ob_end(o, fmt_hex(p + 2, v, width));
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

/*
 * The bytes that stand for themselves, per context: printable ASCII but
 * the backslash, and but the quote of the context. A table: one load per
 * byte instead of five comparisons (the scan was most of a comm's cost).
 * NUL is in no set, so a scan also stops at a string's end.
 */
enum { PLAIN_TEXT = 1, PLAIN_TEXT_Q = 2 /* in '…' */, PLAIN_JSON = 4 /* in "…" */ };

#define PLAIN(c)                                                               \
	((c) < 0x20 || (c) >= 0x7f || (c) == '\\' ? 0                               \
	 : (c) == '\'' ? PLAIN_TEXT | PLAIN_JSON                                     \
	 : (c) == '"' ? PLAIN_TEXT | PLAIN_TEXT_Q                                     \
		      : PLAIN_TEXT | PLAIN_TEXT_Q | PLAIN_JSON)
#define PLAIN4(c) PLAIN(c), PLAIN(c + 1), PLAIN(c + 2), PLAIN(c + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4(c + 4), PLAIN4(c + 8), PLAIN4(c + 12)
#define PLAIN64(c) PLAIN16(c), PLAIN16(c + 16), PLAIN16(c + 32), PLAIN16(c + 48)
static const __u8 plain[256] = { PLAIN64(0), PLAIN64(64), PLAIN64(128), PLAIN64(192) };
#undef PLAIN64
#undef PLAIN16
#undef PLAIN4
#undef PLAIN

/* The run of bytes at *i that stand for themselves in context set (PLAIN_*),
 * in one copy; false if none. */
static bool put_plain(struct ob *o, const unsigned char *p, size_t *i, size_t n, __u8 set)
{
	size_t end = *i;

	while (end < n && (plain[p[end]] & set))
		end++;
	if (end == *i)
		return false;
	ob_put(o, p + *i, end - *i);
	*i = end;
	return true;
}

static void put_text(struct ob *o, const char *s, size_t len, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = bounded_len(s, len);

	quote = quote && needs_quotes(s, n);
	if (quote)
		ob_putc(o, '\'');
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		int l;

		if (put_plain(o, p, &i, n, quote ? PLAIN_TEXT_Q : PLAIN_TEXT))
			continue;
		l = tk_utf8_seq_len(p + i, n - i);
		if (l > 1) {
			unsigned cp = utf8_cp(p + i, l);

			/* C1 controls (U+0080..U+009F) act on some terminals */
			if (cp < 0xa0) {
				put_esc(o, "\\x", c, 2);
				put_esc(o, "\\x", p[i + 1], 2);
			} else if (is_format_cp(cp)) {
				put_esc(o, cp > 0xffff ? "\\U" : "\\u", cp, cp > 0xffff ? 8 : 4);
			} else {
				ob_put(o, p + i, l);
			}
			i += l;
			continue;
		}
		i++;
		if (l == 0 || c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': OB_LIT(o, "\\n"); break;
			case '\t': OB_LIT(o, "\\t"); break;
			case '\r': OB_LIT(o, "\\r"); break;
			default: put_esc(o, "\\x", c, 2);
			}
		} else if (c == '\\') {
			OB_LIT(o, "\\\\");
		} else {
			OB_LIT(o, "\\'"); /* quoted: the only other byte a run stops at */
		}
	}
	if (quote)
		ob_putc(o, '\'');
}

void tk_fput_text(FILE *f, const char *s, size_t len, bool quote)
{
	WITH_OB(f, o, put_text(&o, s, len, quote));
}

static void put_json_str(struct ob *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	char *q;

	/* most strings (comm, paths) have nothing to escape: the run to
	 * their NUL or len, quoted, in one reservation */
	while (n < len && (plain[p[n]] & PLAIN_JSON))
		n++;
	if ((n == len || !p[n]) && n + 2 <= OB_CAP) {
		q = ob_room(o, n + 2);
		*q = '"';
		memcpy(q + 1, s, n);
		q[n + 1] = '"';
		ob_end(o, q + n + 2);
		return;
	}
	n = bounded_len(s, len);
	ob_putc(o, '"');
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		int l;

		if (put_plain(o, p, &i, n, PLAIN_JSON))
			continue;
		l = tk_utf8_seq_len(p + i, n - i);
		if (l == 0) {
			OB_LIT(o, "\\ufffd"); /* invalid byte: U+FFFD, JSON stays valid */
			i++;
			continue;
		}
		if (l > 1) {
			unsigned cp = utf8_cp(p + i, l);

			/* valid JSON raw, but not to be shown raw by whoever
			 * reads the stream on a terminal */
			if (cp >= 0xa0 && !is_format_cp(cp)) {
				ob_put(o, p + i, l);
			} else if (cp <= 0xffff) {
				put_esc(o, "\\u", cp, 4);
			} else {
				put_esc(o, "\\u", 0xd800 + ((cp - 0x10000) >> 10), 4);
				put_esc(o, "\\u", 0xdc00 + ((cp - 0x10000) & 0x3ff), 4);
			}
			i += l;
			continue;
		}
		i++;
		switch (c) {
		case '"': OB_LIT(o, "\\\""); break;
		case '\\': OB_LIT(o, "\\\\"); break;
		case '\n': OB_LIT(o, "\\n"); break;
		case '\t': OB_LIT(o, "\\t"); break;
		case '\r': OB_LIT(o, "\\r"); break;
		case '\b': OB_LIT(o, "\\b"); break;
		case '\f': OB_LIT(o, "\\f"); break;
		default: put_esc(o, "\\u", c, 4); /* the rest of C0, and DEL */
		}
	}
	ob_putc(o, '"');
}

void tk_fput_json_str(FILE *f, const char *s, size_t len)
{
	WITH_OB(f, o, put_json_str(&o, s, len));
}

/* ---- field access ------------------------------------------------------ */

/* Element i of an integer field; records may be unaligned (perf buffer).
 * Records reach the fields only after tk_record_len() accepted them, so
 * every fixed field is whole and every packed string lies inside. */
/* sizeof(tk_<type>): an array's element size without a division per read */
static const __u8 type_size[] = {
	[TK_T_u8] = 1, [TK_T_u16] = 2, [TK_T_u32] = 4, [TK_T_u64] = 8,
	[TK_T_s32] = 4, [TK_T_s64] = 8, [TK_T_char] = 1,
};

static inline __u64 get_u64(const struct tk_field *fd, const char *rec, unsigned i)
{
	const char *p = rec + fd->offset + (i ? i * type_size[fd->type] : 0);

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
	struct ob *o;
	const struct tk_event_desc *d;
	const char *rec;
	const struct tk_field *fd;
	__u64 v;
};

static void put_num(const struct val *x)
{
	if (x->fd->type == TK_T_s32 || x->fd->type == TK_T_s64)
		put_sdec(x->o, (long long)x->v);
	else
		put_dec(x->o, x->v);
}

static void put_hex_text(const struct val *x) { put_hex(x->o, x->v, false); }
static void put_hex_json(const struct val *x) { put_hex(x->o, x->v, true); }
static void put_bool_text(const struct val *x) { ob_putc(x->o, x->v ? '1' : '0'); }

static void put_oct_text(const struct val *x)
{
	char *p = ob_room(x->o, 23);

	*p = '0';
	ob_end(x->o, fmt_oct(p + 1, x->v));
}

static void put_bool_json(const struct val *x)
{
	if (x->v)
		OB_LIT(x->o, "true");
	else
		OB_LIT(x->o, "false");
}

/* major:minor of the kernel's dev_t */
static void put_dev_text(const struct val *x)
{
	char *p = ob_room(x->o, 41);

	p = fmt_dec(p, x->v >> 20);
	*p++ = ':';
	ob_end(x->o, fmt_dec(p, x->v & 0xfffff));
}

static void put_dev_json(const struct val *x)
{
	ob_putc(x->o, '"');
	put_dev_text(x);
	ob_putc(x->o, '"');
}

/* ns, or three decimals of us/ms/s (rounded half up) */
static void put_duration_ns(struct ob *o, __u64 ns)
{
	__u64 milli = 1; /* ns per thousandth of the unit */
	const char *unit = "ns";
	__u64 q;
	char *p = ob_room(o, 20 + 4 + 2);

	if (ns >= 1000000000)
		milli = 1000000, unit = "s";
	else if (ns >= 1000000)
		milli = 1000, unit = "ms";
	else if (ns >= 1000)
		milli = 1, unit = "us";
	if (ns < 1000) {
		p = fmt_dec(p, ns);
	} else {
		q = ns / milli + (milli > 1 && ns % milli >= milli / 2);
		p = fmt_dec(p, q / 1000);
		*p++ = '.';
		p = fmt_dec_width(p, q % 1000, 3);
	}
	*p++ = unit[0];
	if (unit[1])
		*p++ = unit[1];
	ob_end(o, p);
}

void tk_fput_duration(FILE *f, __u64 ns)
{
	WITH_OB(f, o, put_duration_ns(&o, ns));
}

static void put_duration(const struct val *x) { put_duration_ns(x->o, x->v); }

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
	put_text(x->o, p, n, true);
}

static void put_str_json(const struct val *x)
{
	const char *p;
	size_t n;

	str_locate(x, &p, &n);
	put_json_str(x->o, p, n);
}

static void put_argv_list(struct ob *o, const char *p, size_t len, bool json)
{
	bool first = true;

	if (json)
		ob_putc(o, '[');
	for (size_t i = 0; i < len;) {
		size_t n = strnlen(p + i, len - i);

		if (!first)
			ob_putc(o, json ? ',' : ' ');
		first = false;
		if (json)
			put_json_str(o, p + i, n);
		else
			put_text(o, p + i, n, true);
		i += n + 1;
	}
	if (json)
		ob_putc(o, ']');
}

void tk_fput_argv(FILE *f, const char *p, size_t len, bool json)
{
	WITH_OB(f, o, put_argv_list(&o, p, len, json));
}

static void put_argv(const struct val *x, bool json)
{
	const char *p;
	size_t len = var_locate(x->d, x->rec, x->fd, &p);

	put_argv_list(x->o, p, len, json);
}

static void put_argv_text(const struct val *x) { put_argv(x, false); }
static void put_argv_json(const struct val *x) { put_argv(x, true); }

static void put_addr(struct ob *o, int family, const void *addr)
{
	const unsigned char *a = addr;
	char buf[INET6_ADDRSTRLEN];
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	/* v4-mapped IPv6 (::ffff:a.b.c.d) prints as the IPv4 it is */
	if (family == AF_INET6 && !memcmp(a, v4mapped, 12)) {
		family = AF_INET;
		a += 12;
	}
	if (family != AF_INET6) {
		/* by hand: glibc's inet_ntop formats IPv4 with sprintf, which
		 * was a fifth of nettrace's consumer time under a connect loop
		 * (perf; four addresses a record) */
		for (int i = 0; i < 4; i++) {
			if (i)
				ob_putc(o, '.');
			put_dec(o, a[i]);
		}
		return;
	}
	if (!inet_ntop(AF_INET6, a, buf, sizeof(buf)))
		strcpy(buf, "?");
	ob_puts(o, buf);
}

void tk_fput_ipaddr(FILE *f, int family, const void *addr)
{
	WITH_OB(f, o, put_addr(&o, family, addr));
}

static void put_ipaddr_text(const struct val *x)
{
	const struct tk_field *fam = find_field(x->d, x->fd->aux);

	put_addr(x->o, fam ? (int)get_u64(fam, x->rec, 0) : AF_INET, x->rec + x->fd->offset);
}

static void put_ipaddr_json(const struct val *x)
{
	ob_putc(x->o, '"');
	put_ipaddr_text(x);
	ob_putc(x->o, '"');
}

static void put_event_text(const struct val *x)
{
	const struct tk_event_desc *e = tk_event_by_id((__u32)x->v);

	ob_puts(x->o, e ? e->name : "?");
}

static void put_event_json(const struct val *x)
{
	/* the record's own event, known already: no second lookup */
	const struct tk_event_desc *e = x->v == x->d->id ? x->d : tk_event_by_id((__u32)x->v);
	const char *name = e ? e->name : "?";
	size_t n = strlen(name); /* a label of the event table: short, plain */
	char *p = ob_room(x->o, n + 2);

	*p = '"';
	memcpy(p + 1, name, n);
	p[n + 1] = '"';
	ob_end(x->o, p + n + 2);
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

	(void)len; /* NAME_MAX_LEN: room for "syscall_" and 20 digits */
	if (name)
		return name;
	memcpy(buf, "syscall_", 8);
	*fmt_dec(buf + 8, x->v) = 0;
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
	char rest[24], *r = rest;

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
		if (n)
			*r++ = '|';
		*r++ = '0';
		*r++ = 'x';
		*fmt_hex(r, x->v & ~taken, 1) = 0;
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
static inline bool shown(const struct tk_field *fd, const char *rec, enum when w)
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

/*
 * Every field's key, from the X-macro lists the descriptor tables are
 * made of (include/tk_*.h), so in their order: a record's keys are
 * fixed-size copies, not a strlen and a copy of unknown length each
 * (~15% of a syscall record's decoding). A field is shown under its name,
 * a length field (VSTR, ARGV) under its string's name (aux).
 */
#define KEY_MAX 32 /* a name longer than KEY_MAX + 1 does not compile (the char array) */

/* "name": as JSON writes it, the quotes and the colon in the copy; text
 * takes the name out of the middle */
struct key {
	__u8 len[2];             /* [0]: the name, [1]: aux (without the quotes) */
	char s[2][KEY_MAX + 4];  /* "name": (not NUL-terminated when full) */
};

#define KEY_Q(n) "\"" n "\":"
#define KEY_F(t, n, off, kind, aux)                                            \
	{ { sizeof(#n) - 1, sizeof(TK__STR(aux)) - 1 }, { KEY_Q(#n), KEY_Q(TK__STR(aux)) } },
#define KEY_A(t, n, cnt, off, kind, aux) KEY_F(t, n, off, kind, aux)
#define KEYS_OF(name, id, st, FIELDS, label)                                 \
	static const struct key keys_##name[] = { FIELDS(KEY_F, KEY_A) };
#define KEYS_PTR(name, id, st, FIELDS, label) keys_##name,

static const struct key hdr_keys[] = { TK_HDR_FIELDS(KEY_F, KEY_A) };
TK_ALL_EVENTS(KEYS_OF)
/* by index in tk_event_table, which TK_ALL_EVENTS also orders */
static const struct key *const event_keys[] = { TK_ALL_EVENTS(KEYS_PTR) };

/* lead"key": at p, which has room for JSON_KEY_ROOM bytes (lead: ',' or
 * the record's '{'); returns the end */
#define JSON_KEY_ROOM (1 + KEY_MAX + 4)

static inline char *fmt_json_key(char *p, const struct key *k, bool aux, char lead)
{
	p[0] = lead;
	memcpy(p + 1, k->s[aux], KEY_MAX + 4);
	return p + 1 + k->len[aux] + 3;
}

static void put_json_key(struct ob *o, const struct key *k, bool aux, char lead)
{
	ob_end(o, fmt_json_key(ob_room(o, JSON_KEY_ROOM), k, aux, lead));
}

/* " key=" */
static void put_text_key(struct ob *o, const struct key *k, bool aux)
{
	char *p = ob_room(o, KEY_MAX + 5);

	p[0] = ' ';
	memcpy(p + 1, k->s[aux] + 1, KEY_MAX + 3);
	p += 1 + k->len[aux];
	*p = '=';
	ob_end(o, p + 1);
}

/* ,"<companion>":"name" or ,"<field>_str":"name": names come from the
 * tables (errno, signal, syscall, symbol names), nothing to escape, and are
 * shorter than NAME_MAX_LEN */
static void put_json_name(struct ob *o, const char *companion, const char *field, const char *name)
{
	size_t kn = strlen(companion ? companion : field), n = strlen(name);
	char *p = ob_room(o, kn + n + 10);

	p[0] = ',';
	p[1] = '"';
	memcpy(p + 2, companion ? companion : field, kn);
	p += 2 + kn;
	if (!companion) {
		memcpy(p, "_str", 4);
		p += 4;
	}
	memcpy(p, "\":\"", 3);
	memcpy(p + 3, name, n);
	p[3 + n] = '"';
	ob_end(o, p + 4 + n);
}

static void put_field(struct ob *o, const struct tk_event_desc *d, const char *rec,
		      const struct tk_field *fd, bool json)
{
	const struct kind_fmt *k = &kinds[fd->kind];
	void (*put)(const struct val *) = json ? k->json : k->text;
	struct val x = { o, d, rec, fd, 0 };
	char buf[NAME_MAX_LEN];
	const char *name = NULL;

	/* most fields of most records (ids, sizes, times): no name, nothing
	 * to choose, the same in text and JSON */
	if (fd->kind == TK_K_DEC && fd->count == 1) {
		x.v = get_u64(fd, rec, 0);
		put_num(&x);
		return;
	}
	if (!is_scalar(fd)) {
		if (k->whole) {
			put(&x);
			return;
		}
		ob_putc(o, json ? '[' : '{');
		for (unsigned i = 0; i < fd->count; i++) {
			if (i)
				ob_putc(o, ',');
			x.v = get_u64(fd, rec, i);
			put(&x);
		}
		ob_putc(o, json ? ']' : '}');
		return;
	}
	x.v = get_u64(fd, rec, 0);
	if (k->name)
		name = k->name(&x, buf, sizeof(buf));
	if (json) {
		put(&x);
		if (name)
			put_json_name(o, k->companion, fd->name, name);
		return;
	}
	if (name && k->text_name == TEXT_NAME) {
		ob_puts(o, name);
		return;
	}
	put(&x);
	if (name && k->text_name == TEXT_SUFFIX) {
		ob_putc(o, '(');
		ob_puts(o, name);
		ob_putc(o, ')');
	}
}

/* put_json_field's number with a name (errno, syscall, flags…): the name
 * as put_field gives it */
static __attribute__((noinline)) void put_json_num_name(struct ob *o,
							 const struct tk_event_desc *d,
							 const char *rec,
							 const struct tk_field *fd, __u64 v)
{
	const struct kind_fmt *k = &kinds[fd->kind];
	struct val x = { o, d, rec, fd, v };
	char buf[NAME_MAX_LEN];
	const char *name = k->name(&x, buf, sizeof(buf));

	if (name)
		put_json_name(o, k->companion, fd->name, name);
}

/* put_json_field's other fields */
static __attribute__((noinline)) void put_json_other(struct ob *o,
						      const struct tk_event_desc *d,
						      const char *rec, const struct tk_field *fd,
						      const struct key *key, char lead)
{
	const struct kind_fmt *k = &kinds[fd->kind];

	put_json_key(o, key, is_var(fd), lead);
	/* strings, addresses, the event: put_field would only call the kind's
	 * json function, with nothing to choose */
	if (k->whole || (!k->name && fd->count == 1)) {
		struct val x = { o, d, rec, fd, k->whole ? 0 : get_u64(fd, rec, 0) };

		k->json(&x);
		return;
	}
	put_field(o, d, rec, fd, true);
}

/* a hex element's room: "0x" and 16 digits quoted, and its comma */
#define HEX_ROOM (20 + 1)

/*
 * lead"key":value for a field shown in JSON. The fields most records are
 * made of (ids, sizes, times, fds, return values: one integer; hex arrays:
 * syscall arguments) are written here, key and value in one reservation,
 * without put_field's dispatch; what they print is the kinds table's
 * put_num and put_hex_json (the tests below), nothing of their own.
 * Inlined into tk_print_record's two loops: a call per field was ~8% of
 * a syscall record's instructions (callgrind).
 */
static inline __attribute__((always_inline)) void
put_json_field(struct ob *o, const struct tk_event_desc *d, const char *rec,
	       const struct tk_field *fd, const struct key *key, char lead)
{
	const struct kind_fmt *k = &kinds[fd->kind];
	char *p;

	/* neither is a length field (VSTR, ARGV): the key is the name's */
	if (k->json == put_num && fd->count == 1) {
		__u64 v = get_u64(fd, rec, 0);

		p = fmt_json_key(ob_room(o, JSON_KEY_ROOM + 21), key, false, lead);
		if ((fd->type == TK_T_s32 || fd->type == TK_T_s64) && (__s64)v < 0) {
			*p++ = '-';
			ob_end(o, fmt_dec(p, -v));
		} else {
			ob_end(o, fmt_dec(p, v));
		}
		if (k->name)
			put_json_num_name(o, d, rec, fd, v);
		return;
	}
	if (k->json == put_hex_json && !k->name) {
		/* the whole array in one reservation where it fits */
		bool whole = JSON_KEY_ROOM + 2 + (size_t)fd->count * HEX_ROOM <= OB_CAP;

		p = ob_room(o, whole ? JSON_KEY_ROOM + 2 + fd->count * HEX_ROOM : JSON_KEY_ROOM + 1);
		p = fmt_json_key(p, key, false, lead);
		if (fd->count > 1)
			*p++ = '[';
		for (unsigned i = 0; i < fd->count; i++) {
			if (!whole) {
				ob_end(o, p);
				p = ob_room(o, HEX_ROOM + 1);
			}
			if (i)
				*p++ = ',';
			p = fmt_hex_json(p, get_u64(fd, rec, i));
		}
		if (fd->count > 1)
			*p++ = ']';
		ob_end(o, p);
		return;
	}
	put_json_other(o, d, rec, fd, key, lead);
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
static void render_cgroup_json(struct ob *o, const struct tk_cg_info *ci)
{
	const struct tk_cg_attr *a = &ci->attr;

	OB_LIT(o, ",\"cgroup\":");
	put_json_str(o, ci->path, (size_t)-1);
	if (a->container_id[0]) {
		OB_LIT(o, ",\"container_id\":\"");
		ob_puts(o, a->container_id); /* 64 hex digits: nothing to escape */
		ob_putc(o, '"');
	}
	if (a->pod_uid[0]) {
		OB_LIT(o, ",\"pod_uid\":\"");
		ob_puts(o, a->pod_uid);
		ob_putc(o, '"');
	}
	if (a->unit) {
		OB_LIT(o, ",\"unit\":");
		put_json_str(o, a->unit, a->unit_len);
	}
}

/* Rendered once per cgroup: a record in a container's cgroup carries ~170
 * bytes of keys, and escaping them for each record cost ~12% of the
 * consumer's throughput (syscalltrace -j). */
static void put_cgroup_json(struct ob *o, struct tk_cgroups *cg, __u64 id)
{
	struct tk_cg_info *ci = tk_cgroup_lookup(cg, id);
	FILE *m;

	if (!ci || !ci->path)
		return; /* removed before it was looked up: the id alone */
	if (!ci->json && (m = open_memstream(&ci->json, &ci->json_len))) {
		struct ob mo;

		ob_init(&mo, m);
		render_cgroup_json(&mo, ci);
		ob_flush(&mo);
		if (fclose(m)) {
			free(ci->json);
			ci->json = NULL;
		}
	}
	if (ci->json)
		ob_put(o, ci->json, ci->json_len);
	else
		render_cgroup_json(o, ci); /* out of memory: each time */
}

void tk_fput_cgroup_json(FILE *f, struct tk_cgroups *cg, __u64 id)
{
	WITH_OB(f, o, put_cgroup_json(&o, cg, id));
}

/* put_text() (unquoted) padded to |width| bytes, as "%-*s" / "%*s" would */
static void put_text_padded(struct ob *o, const char *s, size_t len, int width)
{
	size_t at = o->total + o->n, n;
	struct ob count;

	if (width < 0) {
		put_text(o, s, len, false);
		ob_pad(o, o->total + o->n - at, -width);
		return;
	}
	/* right-aligned: the escaped length first, from a dry run */
	ob_init(&count, NULL);
	put_text(&count, s, len, false);
	n = count.total + count.n;
	ob_pad(o, n, width);
	put_text(o, s, len, false);
}

void tk_fput_text_padded(FILE *f, const char *s, size_t len, int width)
{
	WITH_OB(f, o, put_text_padded(&o, s, len, width));
}

static void put_container_text(struct ob *o, struct tk_cgroups *cg, __u64 id)
{
	const struct tk_cg_info *ci = cg ? tk_cgroup_lookup(cg, id) : NULL;
	size_t len;
	const char *l = tk_cgroup_label(ci && ci->path ? ci : NULL, &len);

	ob_putc(o, ' ');
	put_text_padded(o, l, len, -CONTAINER_WIDTH);
}

/*
 * Wall-clock time of a record: its boot-clock ts_ns plus the offset. A
 * ts_ns no clock can have (a corrupt record: the sum overflows, UB in C)
 * or one localtime cannot convert prints as unknown — JSON null, text "?"
 * in the TIME column — rather than a wrapped date.
 *
 * The date and time of the last second are kept: localtime_r and strftime
 * for each record cost more than the rest of the record, and a stream's
 * records share their second. The time zone is the process's, read once
 * (nothing in libtk changes TZ while records are printed).
 */
static void put_time(struct ob *o, __u64 ts_ns, __s64 boot_to_real_ns, bool json)
{
	static struct {
		bool valid, json;
		time_t sec;
		size_t len;
		char s[64];
	} last;
	__s64 real_ns, frac;
	time_t sec;
	struct tm tm;
	char *p;

	if (ts_ns > INT64_MAX || __builtin_add_overflow((__s64)ts_ns, boot_to_real_ns, &real_ns))
		goto unknown;
	/* floored, so a time before 1970 has its fraction counted forwards */
	sec = real_ns / 1000000000;
	frac = real_ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (!last.valid || last.sec != sec || last.json != json) {
		if (!localtime_r(&sec, &tm))
			goto unknown;
		last.len = strftime(last.s, sizeof(last.s), json ? "%Y-%m-%dT%H:%M:%S" : "%H:%M:%S",
				    &tm);
		last.sec = sec;
		last.json = json;
		last.valid = true;
	}
	if (json) {
		OB_LIT(o, ",\"time\":\"");
		ob_put(o, last.s, last.len);
		p = ob_room(o, 8);
		*p++ = '.';
		p = fmt_dec_width(p, frac / 1000, 6);
		*p++ = '"';
	} else {
		ob_put(o, last.s, last.len);
		p = ob_room(o, 5);
		*p++ = '.';
		p = fmt_dec_width(p, frac / 1000000, 3);
		*p++ = ' ';
	}
	ob_end(o, p);
	return;
unknown:
	if (json)
		OB_LIT(o, ",\"time\":null");
	else
		OB_LIT(o, "?            ");
}

/* as "%-<width>u " */
static void put_padded_dec(struct ob *o, unsigned v, int width)
{
	char *p = ob_room(o, 10 + width + 1), *end = fmt_dec(p, v);

	while (end - p < width)
		*end++ = ' ';
	*end++ = ' ';
	ob_end(o, end);
}

static void put_comm(struct ob *o, const char *comm)
{
	size_t n = strnlen(comm, TK_COMM_LEN);

	/* printable ASCII but backslash escapes to itself: no copy needed */
	for (size_t i = 0; i < n; i++) {
		if (comm[i] < 0x20 || comm[i] > 0x7e || comm[i] == '\\')
			goto escape;
	}
	ob_put(o, comm, n);
	ob_pad(o, n, 16);
	return;
escape:
	put_text_padded(o, comm, TK_COMM_LEN, -16);
}

int tk_print_record(const struct tk_out *o, const void *data, size_t size)
{
	const char *rec = data;
	const struct tk_event_desc *d;
	struct tk_hdr hdr, *h = &hdr; /* perf records are only 4-byte aligned */
	const char *dom;
	__u32 id;
	struct ob ob, *b = &ob;
	const struct key *keys;
	size_t len;

	if (size < sizeof(struct tk_hdr))
		return -1;
	memcpy(&hdr, rec, sizeof(hdr));
	id = hdr.event;
	d = tk_event_by_id(id);
	if (!d || tk_record_len(d, rec, size) < 0)
		return -1;

	ob_init(b, o->f);
	/* a known event's domain is registered: its name needs no escaping */
	dom = o->domain ? tk_domain_name(id >> 8) : NULL;
	keys = event_keys[d - tk_event_table];
	if (o->json) {
		if (o->domain) {
			OB_LIT(b, "{\"domain\":\"");
			ob_puts(b, dom);
			ob_putc(b, '"');
		}
		for (size_t i = 0; i < tk_hdr_nfields; i++)
			put_json_field(b, d, rec, &tk_hdr_fields[i], &hdr_keys[i],
				       i || o->domain ? ',' : '{');
		if (o->cg)
			put_cgroup_json(b, o->cg, h->cgroup_id);
		if (o->timestamp)
			put_time(b, h->ts_ns, o->boot_to_real_ns, true);
		for (size_t i = 0; i < d->nfields; i++) {
			const struct tk_field *fd = &d->fields[i];

			if (!shown(fd, rec, kinds[fd->kind].json_when))
				continue;
			put_json_field(b, d, rec, fd, &keys[i], ',');
		}
		OB_LIT(b, "}\n");
		ob_flush(b);
		return 0;
	}

	if (o->timestamp)
		put_time(b, h->ts_ns, o->boot_to_real_ns, false);
	if (o->domain) {
		ob_puts(b, dom);
		ob_pad(b, strlen(dom), 6);
		ob_putc(b, ' ');
	}
	/* as "%-8s %-7u %-7u %-5u %-16s" */
	len = strlen(d->name);
	ob_put(b, d->name, len);
	ob_pad(b, len, 8);
	ob_putc(b, ' ');
	put_padded_dec(b, h->pid, 7);
	put_padded_dec(b, h->tid, 7);
	put_padded_dec(b, h->uid, 5);
	put_comm(b, h->comm);
	if (o->containers)
		put_container_text(b, o->cg, h->cgroup_id);
	for (size_t i = 0; i < d->nfields; i++) {
		const struct tk_field *fd = &d->fields[i];

		if (!shown(fd, rec, kinds[fd->kind].text_when))
			continue;
		put_text_key(b, &keys[i], is_var(fd));
		put_field(b, d, rec, fd, false);
	}
	ob_putc(b, '\n');
	ob_flush(b);
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
