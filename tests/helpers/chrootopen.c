// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * chrootopen DIR PATH: chroot to DIR, then open(PATH, O_RDONLY) and close
 * it. A path's walk ends at the task's root, so under a chroot a test
 * knows exactly how many steps the walk of PATH takes: one per component,
 * with no mount crossing (DIR's tree on one filesystem). Exits 0 when the
 * open succeeded, 1 when it failed, 2 on usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: chrootopen DIR PATH\n");
		return 2;
	}
	if (chroot(argv[1]) || chdir("/")) {
		perror("chrootopen: chroot");
		return 1;
	}
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		perror("chrootopen: open");
		return 1;
	}
	close(fd);
	return 0;
}
