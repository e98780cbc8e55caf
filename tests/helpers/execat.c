// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* execat DIR NAME [ARG...]: execveat(2) of NAME relative to an fd of DIR,
 * argv NAME ARG..., so a test sees the exec family's second call traced
 * with its own argument layout (dirfd first). glibc has no wrapper for a
 * relative name (fexecve passes "" and AT_EMPTY_PATH): the raw syscall. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	int dir;

	if (argc < 3) {
		fprintf(stderr, "usage: execat DIR NAME [ARG...]\n");
		return 2;
	}
	dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror("execat: open");
		return 1;
	}
	syscall(SYS_execveat, dir, argv[2], argv + 2, environ, 0);
	perror("execat: execveat");
	return 1;
}
