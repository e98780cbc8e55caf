// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * twoexit N: N processes, each with two threads that leave together via
 * the exit syscall (not exit_group), so both may see their process's live
 * count at zero by the time they reach sched_process_exit. A tracer must
 * still report exactly one exit per process.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t go;

static void *leave(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&go);
	syscall(SYS_exit, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			pthread_t t;

			pthread_barrier_init(&go, NULL, 2);
			if (pthread_create(&t, NULL, leave, NULL))
				_exit(1);
			leave(NULL);
		}
		if (waitpid(pid, NULL, 0) != pid)
			return 1;
	}
	return 0;
}
