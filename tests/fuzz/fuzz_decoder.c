// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for the one decoder (user/tk_output.c): any bytes, taken
 * as one record exactly as the consumer would receive it, are printed in
 * JSON and text, with and without -T. libFuzzer hands over a buffer of
 * exactly the input's size, so ASan catches any read past the record's end;
 * UBSan (no recovery) any overflow. On top, what the decoder promises:
 *
 *   - a rejected record (-1) prints nothing; an accepted one exactly one
 *     line, ending in its only newline;
 *   - JSON: that line parses (testlib's strict parser) as an object;
 *   - both: valid UTF-8; no raw C0 control byte (but the newline ending
 *     the line), DEL, C1 control or bidi/invisible format character (JSON
 *     has them as \uXXXX, text as \n, \x1b, \xc2\x9b, \u202e).
 *
 * The checks are written here independently of the decoder's own
 * predicates, so a bug shared by both cannot hide. A failed check aborts,
 * and libFuzzer saves the input. Seeds: tests/fuzz/corpus/ (real records
 * of every event type, from scripts/fuzz-corpus).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tk.h"
#include "testlib.h"

/* A realistic boot-to-wall offset, and the extremes: ts_ns is fuzzed, so
 * the sum's overflow both ways is reachable. */
#define NOW_OFFSET 1700000000000000000LL
static const struct tk_out modes[] = {
	{ .json = true },
	{ .json = false },
	{ .json = true, .timestamp = true, .boot_to_real_ns = NOW_OFFSET },
	{ .timestamp = true, .boot_to_real_ns = NOW_OFFSET },
	{ .json = true, .timestamp = true, .boot_to_real_ns = INT64_MAX },
	{ .timestamp = true, .boot_to_real_ns = INT64_MIN },
};

static __attribute__((noreturn)) void bad(const char *what, const char *out, size_t len)
{
	fprintf(stderr, "fuzz_decoder: %s in output (%zu bytes): ", what, len);
	fwrite(out, 1, len, stderr);
	fputc('\n', stderr);
	abort();
}

/* Strict UTF-8 at s (n bytes left): sequence length and code point, or 0. */
static int decode(const unsigned char *s, size_t n, unsigned *cp)
{
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int len = s[0] < 0x80 ? 1
		  : (s[0] >> 5) == 6 ? 2
		  : (s[0] >> 4) == 14 ? 3
		  : (s[0] >> 3) == 30 ? 4 : 0;

	if (!len || (size_t)len > n)
		return 0;
	*cp = len == 1 ? s[0] : s[0] & (0xff >> (len + 1));
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min[len] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

/* Characters that change how a terminal shows the text around them. */
static bool hidden(unsigned cp)
{
	static const unsigned ranges[][2] = {
		{ 0x80, 0x9f },       /* C1 controls */
		{ 0x61c, 0x61c },     /* Arabic letter mark */
		{ 0x180e, 0x180e },   /* Mongolian vowel separator */
		{ 0x200b, 0x200f },   /* zero-width, LRM/RLM */
		{ 0x2028, 0x202e },   /* line/paragraph separator, embeddings, overrides */
		{ 0x2060, 0x206f },   /* word joiner, invisible operators, isolates */
		{ 0xfeff, 0xfeff },   /* BOM */
		{ 0xfff9, 0xfffb },   /* interlinear annotation */
		{ 0xe0000, 0xe007f }, /* tags */
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

static void check(const struct tk_out *m, const char *out, size_t len, int rc)
{
	const unsigned char *p = (const unsigned char *)out;
	struct jv *v;

	if (rc) {
		if (len)
			bad("a rejected record printed something", out, len);
		return;
	}
	if (!len || out[len - 1] != '\n' || memchr(out, '\n', len) != out + len - 1)
		bad("not exactly one line", out, len);
	for (size_t i = 0; i < len - 1;) {
		unsigned cp;
		int l = decode(p + i, len - 1 - i, &cp);

		if (!l)
			bad("invalid UTF-8", out, len);
		if (hidden(cp))
			bad("a raw C1 or format character", out, len);
		if (cp < 0x20 || cp == 0x7f)
			bad("a raw control byte", out, len);
		i += l;
	}
	if (m->json) {
		char *line = strndup(out, len - 1);

		if (!line)
			abort();
		v = json_parse(line);
		if (!v || v->type != J_OBJ || !json_str(v, "event"))
			bad("a line that is not a JSON object with an event", out, len);
		json_free(v);
		free(line);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the same wall-clock output on every machine, for reproducing */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct tk_out o = modes[i];
		char *out = NULL;
		size_t len = 0;
		int rc;

		o.f = open_memstream(&out, &len);
		if (!o.f)
			abort();
		rc = tk_print_record(&o, data, size);
		if (fclose(o.f))
			abort();
		check(&modes[i], out, len, rc);
		free(out);
	}
	return 0;
}
