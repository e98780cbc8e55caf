// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* execchain N: execs itself N times, one process throughout, so a tracer
 * filtering on its pid sees exactly N execs after this one (for the
 * generated tool's standard tests: make new-tool). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : -1;
	char left[24];

	if (n < 0) {
		fprintf(stderr, "usage: execchain N\n");
		return 2;
	}
	if (n == 0)
		return 0;
	snprintf(left, sizeof(left), "%ld", n - 1);
	execl("/proc/self/exe", argv[0], left, (char *)NULL);
	perror("execchain: exec");
	return 1;
}
