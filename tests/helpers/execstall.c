// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execstall N PROG: N children exec PROG at once and each stays inside
 * its exec, between the syscall's entry and its exit, until all N are
 * there: each is traced here with PTRACE_O_TRACEEXEC, whose stop comes
 * after the new image is in place and before execve returns (the way a
 * debugger holds an exec). Then all go on and are reaped. Exit 0 when
 * every child exec'd and exited 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
	pid_t *kids;
	int status, bad = 0;

	if (n <= 0) {
		fprintf(stderr, "usage: execstall N PROG\n");
		return 2;
	}
	kids = calloc(n, sizeof(*kids));
	if (!kids)
		return 1;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("execstall: fork");
			return 1;
		}
		if (!pid) {
			if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
				_exit(126);
			raise(SIGSTOP);
			execl(argv[2], argv[2], (char *)NULL);
			_exit(127);
		}
		kids[i] = pid;
		/* the SIGSTOP: set the options, then let it exec */
		if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
		    ptrace(PTRACE_SETOPTIONS, pid, NULL,
			   (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) ||
		    ptrace(PTRACE_CONT, pid, NULL, NULL)) {
			perror("execstall: ptrace");
			return 1;
		}
		/* the exec stop: inside execve, past the new image */
		if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
		    status >> 8 != (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			fprintf(stderr, "execstall: child %d: no exec stop (status %#x)\n", pid,
				status);
			return 1;
		}
	}
	for (long i = 0; i < n; i++)
		if (ptrace(PTRACE_DETACH, kids[i], NULL, NULL))
			bad = 1;
	for (long i = 0; i < n; i++)
		if (waitpid(kids[i], &status, 0) != kids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad = 1;
	free(kids);
	return bad;
}
