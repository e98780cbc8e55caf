// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fileworkload [-w FIFO] DIR MANIFEST: the file workload filetrace's
 * integration test asserts, call by call. Raw syscalls, so the syscall
 * behind each event is known exactly whatever the libc does. DIR must
 * exist, be empty and be searchable by uid 65534. With -w, wait for a line
 * on FIFO first (so a tracer can attach with -p).
 *
 * MANIFEST receives key=value lines: pid, child (the pid that got EACCES),
 * dev (major:minor), ino_f1, ino_secret, ino_sub, ino_rel, and the fds
 * returned (fd_a .. fd_g). Exit status 0 only if every call returned what
 * the test expects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[2048];
static int failures;

static const char *at(const char *name)
{
	static char bufs[4][4096];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, 4096, "%s/%s", dir, name);
	return b;
}

/* r must equal want (a value, or -errno) */
static long expect(const char *what, long r, long want)
{
	if (r < 0)
		r = -errno;
	if (r != want) {
		fprintf(stderr, "fileworkload: %s returned %ld, expected %ld\n", what, r, want);
		failures++;
	}
	return r;
}

static long ok(const char *what, long r)
{
	if (r < 0) {
		fprintf(stderr, "fileworkload: %s failed: %s\n", what, strerror(errno));
		failures++;
	}
	return r;
}

static unsigned long long ino_of(int fd, FILE *m, const char *key)
{
	struct stat st;

	if (fstat(fd, &st)) {
		failures++;
		return 0;
	}
	fprintf(m, "%s=%llu\n", key, (unsigned long long)st.st_ino);
	return st.st_ino;
}

int main(int argc, char **argv)
{
	static char buf[16384];
	struct iovec iov[2] = { { buf, 100 }, { buf + 100, 23 } };
	struct open_how how = { .flags = O_RDONLY };
	struct stat st;
	FILE *m;
	long a, b, c, d, e, f, g;
	int status;
	pid_t child;

	if (argc == 5 && !strcmp(argv[1], "-w")) {
		char ch;
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0 || read(fd, &ch, 1) != 1)
			return 1;
		close(fd);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: fileworkload [-w FIFO] DIR MANIFEST\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	m = fopen(argv[2], "w");
	if (!m)
		return 1;
	memset(buf, 'x', sizeof(buf));
	fprintf(m, "pid=%d\n", getpid());

	/* create exclusively, write 12345 bytes */
	a = ok("openat f1", syscall(SYS_openat, AT_FDCWD, at("f1"), O_CREAT | O_EXCL | O_WRONLY, 0640));
	fprintf(m, "fd_a=%ld\n", a);
	ino_of(a, m, "ino_f1");
	if (!fstat(a, &st))
		fprintf(m, "dev=%u:%u\n", major(st.st_dev), minor(st.st_dev));
	expect("write", syscall(SYS_write, a, buf, 12345), 12345);
	expect("close a", syscall(SYS_close, a), 0);

	/* read it back: 12345 bytes, EOF, a pread of the last 45 */
	b = ok("open f1", syscall(SYS_open, at("f1"), O_RDONLY));
	fprintf(m, "fd_b=%ld\n", b);
	expect("read", syscall(SYS_read, b, buf, sizeof(buf)), 12345);
	expect("read eof", syscall(SYS_read, b, buf, sizeof(buf)), 0);
	expect("pread64", syscall(SYS_pread64, b, buf, 100, 12300), 45);
	expect("close b", syscall(SYS_close, b), 0);

	expect("rename", syscall(SYS_rename, at("f1"), at("f2")), 0);
	expect("truncate", syscall(SYS_truncate, at("f2"), 100), 0);
	expect("unlink", syscall(SYS_unlink, at("f2")), 0);
	expect("open missing", syscall(SYS_openat, AT_FDCWD, at("missing"), O_RDONLY), -ENOENT);

	/* EACCES: a 0600 root file opened by uid 65534 in a child */
	c = ok("creat secret", syscall(SYS_creat, at("secret"), 0600));
	fprintf(m, "fd_c=%ld\n", c);
	ino_of(c, m, "ino_secret");
	expect("close c", syscall(SYS_close, c), 0);
	fflush(m);
	child = fork();
	if (child == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		_exit(syscall(SYS_openat, AT_FDCWD, at("secret"), O_RDONLY) < 0 && errno == EACCES
			      ? 0 : 4);
	}
	fprintf(m, "child=%d\n", child);
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "fileworkload: EACCES child failed\n");
		failures++;
	}

	/* relative paths: through a dirfd, and through the cwd */
	expect("mkdir sub", syscall(SYS_mkdir, at("sub"), 0750), 0);
	d = ok("open sub", syscall(SYS_openat, AT_FDCWD, at("sub"), O_RDONLY | O_DIRECTORY));
	fprintf(m, "fd_d=%ld\n", d);
	ino_of(d, m, "ino_sub");
	e = ok("openat rel", syscall(SYS_openat, d, "rel", O_CREAT | O_WRONLY | O_TRUNC, 0600));
	fprintf(m, "fd_e=%ld\n", e);
	ino_of(e, m, "ino_rel");
	expect("writev", syscall(SYS_writev, e, iov, 2), 123);
	expect("ftruncate", syscall(SYS_ftruncate, e, 7), 0);
	expect("close e", syscall(SYS_close, e), 0);
	expect("openat nope", syscall(SYS_openat, d, "nope", O_RDONLY), -ENOENT);
	f = ok("openat2 rel", syscall(SYS_openat2, d, "rel", &how, sizeof(how)));
	fprintf(m, "fd_f=%ld\n", f);
	expect("close f", syscall(SYS_close, f), 0);
	expect("renameat2", syscall(SYS_renameat2, d, "rel", d, "rel2", RENAME_NOREPLACE), 0);
	if (chdir(at("sub")))
		failures++;
	g = ok("open rel2", syscall(SYS_open, "rel2", O_RDONLY));
	fprintf(m, "fd_g=%ld\n", g);
	expect("close g", syscall(SYS_close, g), 0);
	expect("open nocwd", syscall(SYS_open, "nocwd", O_RDONLY), -ENOENT);
	expect("unlinkat rel2", syscall(SYS_unlinkat, d, "rel2", 0), 0);
	expect("mkdirat d2", syscall(SYS_mkdirat, d, "d2", 0700), 0);
	expect("unlinkat d2", syscall(SYS_unlinkat, d, "d2", AT_REMOVEDIR), 0);
	expect("close d", syscall(SYS_close, d), 0);
	if (chdir(dir))
		failures++;
	expect("rmdir sub", syscall(SYS_rmdir, "sub"), 0);

	/* a hostile name: newline, an escape sequence, invalid UTF-8 */
	expect("open hostile", syscall(SYS_openat, AT_FDCWD, at("h\n\x1b[31m\xff"), O_RDONLY),
	       -ENOENT);
	expect("unlink secret", syscall(SYS_unlink, at("secret")), 0);

	fprintf(m, "failures=%d\n", failures);
	if (fclose(m))
		failures++;
	return failures ? 1 : 0;
}
