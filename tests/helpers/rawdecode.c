// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rawdecode [-j] [-T] [-C] [-D] [--repeat N] FILE: decodes a tool's --raw
 * file (a native-endian u32 size, then the record's bytes, per record)
 * with the one decoder, as the consumer does: tk_print_record() into
 * stdout, buffered as the runtime buffers it (64 KiB), cgroup attribution
 * on where cgroup v2 is mounted. -j JSON, -T wall-clock time (a fixed
 * boot-to-real offset, so the output is reproducible), -C the container
 * column, -D the domain (tracekit trace).
 *
 * What it is for: the decoder's cost per record apart from the kernel and
 * the ring (valgrind --tool=callgrind on it counts instructions per
 * record, whatever else the machine runs), and byte-for-byte comparisons
 * of two decoders' output for the same records (cmp). The records are
 * read into memory first and decoded --repeat times (1), so the file's
 * reading is not in the loop; on stderr: records decoded, malformed ones,
 * and the loop's CPU ns per record.
 * Exit 1 on a failed write, 2 on bad usage or an unreadable file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tk.h"
#include "tk_cgroup.h"

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: rawdecode [-j] [-T] [-C] [-D] [--repeat N] FILE\n");
	exit(2);
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char obuf[1 << 16];
	struct tk_out o = { .f = stdout };
	const char *path = NULL;
	unsigned long repeat = 1;
	unsigned long long n = 0, bad = 0;
	char *data = NULL;
	size_t len = 0, cap = 0, got;
	double t0, t1;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			o.json = true;
		} else if (!strcmp(argv[i], "-T")) {
			o.timestamp = true;
			/* 2023-11-14T22:13:20 UTC at ts_ns 0 */
			o.boot_to_real_ns = 1700000000000000000LL;
		} else if (!strcmp(argv[i], "-C")) {
			o.containers = true;
		} else if (!strcmp(argv[i], "-D")) {
			o.domain = true;
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			char *end;

			repeat = strtoul(argv[++i], &end, 10);
			if (*end || !repeat)
				usage();
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			usage();
		}
	}
	if (!path)
		usage();
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "rawdecode: cannot open '%s': %s\n", path, strerror(errno));
		return 2;
	}
	do {
		if (len == cap && !(data = realloc(data, cap = cap ? cap * 2 : 1 << 20))) {
			fprintf(stderr, "rawdecode: out of memory\n");
			return 2;
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got);
	if (ferror(f)) {
		fprintf(stderr, "rawdecode: reading '%s': %s\n", path, strerror(errno));
		return 2;
	}
	fclose(f);
	o.cg = tk_cgroups_new(NULL, 0);
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));

	t0 = cpu_ns();
	for (unsigned long r = 0; r < repeat; r++) {
		for (size_t at = 0; at + 4 <= len;) {
			__u32 size;

			memcpy(&size, data + at, 4);
			at += 4;
			if (size > len - at) {
				fprintf(stderr, "rawdecode: %s: truncated record\n", path);
				return 2;
			}
			n++;
			if (tk_print_record(&o, data + at, size))
				bad++;
			at += size;
		}
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "rawdecode: writing: %s\n", strerror(errno));
		return 1;
	}
	t1 = cpu_ns();
	fprintf(stderr, "rawdecode: %llu records, %llu malformed, %.1f ns/record (CPU)\n", n, bad,
		n ? (t1 - t0) / n : 0);
	tk_cgroups_free(o.cg);
	free(data);
	return 0;
}
