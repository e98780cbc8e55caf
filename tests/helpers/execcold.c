// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execcold: execs with filename and argv strings that live in pages this
 * process never touched (a file mapped but not read), so a BPF read at
 * sys_enter cannot see them. First a failing exec (/nonexistent/cold-path),
 * then a successful one (/bin/echo cold-arg-1 cold-arg-2).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *cold(const char *content, size_t len)
{
	char path[] = "/tmp/tk-cold-XXXXXX";
	int fd = mkstemp(path);
	char *p;

	if (fd < 0 || write(fd, content, len) != (ssize_t)len)
		exit(3);
	unlink(path);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0); /* never read by us */
	close(fd);
	return p == MAP_FAILED ? (exit(3), NULL) : p;
}

int main(void)
{
	static const char bad[] = "/nonexistent/cold-path";
	static const char good[] = "/bin/echo\0cold-arg-1\0cold-arg-2";
	char *b = cold(bad, sizeof(bad)), *g = cold(good, sizeof(good));
	char *bad_argv[] = { b, NULL };
	char *good_argv[] = { g, g + 10, g + 21, NULL };

	execv(b, bad_argv); /* fails: ENOENT */
	execv(g, good_argv);
	return 127;
}
