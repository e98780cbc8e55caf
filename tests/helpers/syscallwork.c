// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * syscallwork: known syscalls for syscalltrace's tests and benchmark.
 *
 *   syscallwork run PATH SIZE SLEEP_NS    the workload, now
 *   syscallwork wait PATH SIZE SLEEP_NS   the workload after SIGUSR1
 *   syscallwork loop N                    N getppid; prints ns per call
 *   syscallwork chunks N                  getppid in chunks of N, without
 *                                         end (chunks.h), for
 *                                         scripts/lib/window.sh
 *
 * The workload is exactly, through raw syscall(2) so libc adds nothing:
 * 10,000 getppid; open(PATH) that must fail with ENOENT; openat of
 * /dev/zero; one read of SIZE bytes from it; close; nanosleep(SLEEP_NS);
 * exit_group(0). In wait mode everything before it (loader, signal mask)
 * happens before SIGUSR1, so a tracer attached in between sees exactly
 * those calls. Exit status 0 only if every call returned what it must.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "chunks.h"

#define GETPPID_N 10000

static char buf[1 << 20];

static long arg(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 0 || v > max) {
		fprintf(stderr, "syscallwork: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void work(const char *path, long size, long sleep_ns)
{
	struct timespec ts = { sleep_ns / 1000000000, sleep_ns % 1000000000 };
	long fd;

	for (int i = 0; i < GETPPID_N; i++)
		syscall(SYS_getppid);
	if (syscall(SYS_open, path, O_RDONLY) != -1 || errno != ENOENT)
		syscall(SYS_exit_group, 3);
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/zero", O_RDONLY);
	if (fd < 0 || syscall(SYS_read, fd, buf, size) != size || syscall(SYS_close, fd))
		syscall(SYS_exit_group, 4);
	if (syscall(SYS_nanosleep, &ts, NULL))
		syscall(SYS_exit_group, 5);
	syscall(SYS_exit_group, 0);
}

/* chunks: getppid in chunks of n until a signal (chunks.h) */
static int chunks(long n)
{
	chunks_begin();
	while (!chunks_stop) {
		long long a = chunks_now();

		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		chunks_line(a, chunks_now(), n);
	}
	return chunks_end();
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "chunks")) {
		long n = arg(argv[2], 1L << 40);

		if (!n) {
			fprintf(stderr, "syscallwork: chunks of 0 calls\n");
			return 2;
		}
		return chunks(n);
	}
	if (argc == 3 && !strcmp(argv[1], "loop")) {
		long n = arg(argv[2], 1L << 40);
		struct timespec a, b;
		double ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
		printf("%ld calls in %.0f ns: %.1f ns/call\n", n, ns, n ? ns / n : 0.0);
		return 0;
	}
	if (argc == 5 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "wait"))) {
		long size = arg(argv[3], sizeof(buf)), sleep_ns = arg(argv[4], 10000000000L);

		if (argv[1][0] == 'w') {
			sigset_t set;
			int sig;

			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			sigprocmask(SIG_BLOCK, &set, NULL);
			if (sigwait(&set, &sig))
				return 1;
		}
		work(argv[2], size, sleep_ns);
	}
	fprintf(stderr, "usage: syscallwork run|wait PATH SIZE SLEEP_NS | loop N | chunks N\n");
	return 2;
}
