// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rawstat [--perfbuf] [--max-ratio R] [--cgroup-id ID] FILE: reads a tool's --raw file (a
 * native-endian u32 size, then the record's bytes, per record) with the
 * descriptor tables and prints, per event type, the records, the mean
 * bytes sent and the mean meaningful bytes, and their ratio.
 *
 * Meaningful bytes of a record: its fixed part (header included, as the
 * struct in include/tk_*.h) plus each packed string's length field, which
 * counts the string's bytes and its NUL (tk_record_len()). Bytes sent:
 * the size the consumer received; under --perfbuf the kernel rounds a
 * sample up to 8 bytes with its u32 size word, so a record may carry
 * TK_PERF_PAD bytes more, which the BPF side writes as zeros.
 *
 * Exit 1 when a record is not exactly its meaningful bytes (plus, under
 * --perfbuf, its zero pad), is malformed, or a ratio exceeds R (1.25):
 * tests use it to prove that no record carries a byte it does not mean.
 * With --cgroup-id, also when a record's header does not carry that
 * cgroup_id (tests that know which cgroup every traced task is in).
 * Exit 2 on bad usage or an unreadable file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tk.h"

struct stat_row {
	unsigned long long records, sent, meant;
};

int main(int argc, char **argv)
{
	static struct stat_row rows[TK_ID_MAX + 1]; /* by event id */
	static char rec[1 << 16];
	double max_ratio = 1.25;
	bool perf = false, want_cg = false;
	unsigned long long cgroup_id = 0, bad_cg = 0;
	unsigned long long bad = 0, total = 0;
	const char *path = NULL;
	int rc = 0;
	__u32 size;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--perfbuf")) {
			perf = true;
		} else if (!strcmp(argv[i], "--max-ratio") && i + 1 < argc) {
			char *end;

			max_ratio = strtod(argv[++i], &end);
			if (*end || max_ratio <= 0) {
				fprintf(stderr, "rawstat: bad ratio '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--cgroup-id") && i + 1 < argc) {
			char *end;

			errno = 0;
			cgroup_id = strtoull(argv[++i], &end, 10);
			if (*end || errno || !*argv[i]) {
				fprintf(stderr, "rawstat: bad cgroup id '%s'\n", argv[i]);
				return 2;
			}
			want_cg = true;
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			fprintf(stderr, "usage: rawstat [--perfbuf] [--max-ratio R] [--cgroup-id ID] FILE\n");
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: rawstat [--perfbuf] [--max-ratio R] [--cgroup-id ID] FILE\n");
		return 2;
	}
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "rawstat: cannot open '%s': %s\n", path, strerror(errno));
		return 2;
	}
	while (fread(&size, sizeof(size), 1, f) == 1) {
		const struct tk_event_desc *d;
		struct tk_hdr h;
		long len;
		size_t want;

		if (size > sizeof(rec) || fread(rec, 1, size, f) != size) {
			fprintf(stderr, "rawstat: %s: truncated record\n", path);
			fclose(f);
			return 2;
		}
		total++;
		if (size < sizeof(h)) {
			bad++;
			continue;
		}
		memcpy(&h, rec, sizeof(h));
		d = tk_event_by_id(h.event);
		len = d ? tk_record_len(d, rec, size) : -1;
		if (len < 0) {
			fprintf(stderr, "rawstat: record %llu (event %u, %u bytes) is malformed\n",
				total, h.event, size);
			bad++;
			continue;
		}
		want = perf ? (size_t)len + ((4 - len) & 7) : (size_t)len;
		if (size != want) {
			fprintf(stderr, "rawstat: record %llu (%s) is %u bytes, means %ld\n", total,
				d->name, size, len);
			bad++;
		}
		for (size_t i = len; i < size; i++) {
			if (rec[i]) {
				fprintf(stderr, "rawstat: record %llu (%s): pad byte %zu is not 0\n",
					total, d->name, i);
				bad++;
				break;
			}
		}
		if (want_cg && h.cgroup_id != cgroup_id && !bad_cg++)
			fprintf(stderr, "rawstat: record %llu (%s): cgroup_id %llu, expected %llu\n",
				total, d->name, (unsigned long long)h.cgroup_id, cgroup_id);
		rows[h.event].records++;
		rows[h.event].sent += size;
		rows[h.event].meant += len;
	}
	if (ferror(f)) {
		fprintf(stderr, "rawstat: reading '%s': %s\n", path, strerror(errno));
		fclose(f);
		return 2;
	}
	fclose(f);
	printf("%-10s %8s %10s %10s %6s\n", "event", "records", "sent/rec", "meant/rec", "ratio");
	for (int id = 0; id <= TK_ID_MAX; id++) {
		const struct stat_row *r = &rows[id];
		double ratio;

		if (!r->records)
			continue;
		ratio = (double)r->sent / r->meant;
		printf("%-10s %8llu %10.1f %10.1f %6.3f%s\n", tk_event_by_id(id)->name, r->records,
		       (double)r->sent / r->records, (double)r->meant / r->records, ratio,
		       ratio > max_ratio ? "  > max" : "");
		if (ratio > max_ratio)
			rc = 1;
	}
	if (bad_cg) {
		fprintf(stderr, "rawstat: %llu of %llu records carry another cgroup_id\n", bad_cg,
			total);
		rc = 1;
	}
	if (bad) {
		fprintf(stderr, "rawstat: %llu of %llu records carry bytes they do not mean\n", bad,
			total);
		rc = 1;
	}
	return rc;
}
