// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * openloop [-w FIFO] N PATH: open(PATH, O_RDONLY) + close, N times, then
 * print the time per iteration. With -w, first wait for a line on FIFO, so
 * a tracer can be attached to this pid (-p) before the loop starts. The
 * loop makes exactly N openat calls and nothing else, so a tracer's event
 * count can be checked against N.
 *
 * openloop -c N PATH: the same loop in chunks of N iterations, without
 * end (chunks.h), for scripts/lib/window.sh; exit 0 at SIGINT or SIGTERM.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chunks.h"

/* -c: chunks of n iterations until a signal; failed opens fail the run */
static int chunks(long n, const char *path)
{
	long fails = 0;

	chunks_begin();
	while (!chunks_stop) {
		long long a = chunks_now();

		for (long i = 0; i < n; i++) {
			int fd = open(path, O_RDONLY);

			if (fd < 0)
				fails++;
			else
				close(fd);
		}
		chunks_line(a, chunks_now(), n);
	}
	if (chunks_end())
		return 1;
	if (fails)
		fprintf(stderr, "openloop: %ld opens failed\n", fails);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *fifo = NULL;
	struct timespec a, b;
	long n, fails = 0;
	char c;

	if (argc == 4 && !strcmp(argv[1], "-c")) {
		if ((n = strtol(argv[2], NULL, 10)) <= 0) {
			fprintf(stderr, "usage: openloop -c N PATH\n");
			return 2;
		}
		return chunks(n, argv[3]);
	}
	if (argc > 2 && !strcmp(argv[1], "-w")) {
		fifo = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: openloop [-w FIFO] N PATH | -c N PATH\n");
		return 2;
	}
	if (fifo) {
		int fd = open(fifo, O_RDONLY);

		if (fd < 0 || read(fd, &c, 1) != 1)
			return 1;
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0)
			fails++;
		else
			close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("iterations=%ld failed=%ld ns_per_iter=%.1f\n", n, fails,
	       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return fails ? 1 : 0;
}
