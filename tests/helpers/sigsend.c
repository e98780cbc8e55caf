// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sigsend: signals with known senders, codes and results, for
 * test_sigtrace. Forks a child that blocks SIGUSR1 and SIGRTMIN and
 * ignores SIGUSR2, then sends it, in this order:
 *   kill SIGUSR2 (ignored), kill SIGUSR1 (delivered), kill SIGUSR1
 *   (already pending), tgkill SIGUSR1 (delivered: the thread's own
 *   queue), sigqueue SIGRTMIN (delivered, SI_QUEUE)
 * and lets the child unblock them: three handler runs. Prints
 * "sigsend PARENT CHILD HANDLER" on stderr first; exits 0.
 * sigsend N: sends itself N ignored SIGUSR2s instead and nothing else (a
 * workload of exactly N signals from one process, for the standard tests).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	union sigval val = { .sival_int = 42 };
	sigset_t set;
	int go[2], status;
	pid_t child;
	char b = 0;

	if (argc > 1) {
		if (signal(SIGUSR2, SIG_IGN) == SIG_ERR)
			return perror("sigsend: signal"), 1;
		for (long i = strtol(argv[1], NULL, 10); i > 0; i--)
			if (kill(getpid(), SIGUSR2))
				return perror("sigsend: kill"), 1;
		return 0;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) || sigaction(SIGUSR1, &sa, NULL) ||
	    sigaction(SIGRTMIN, &sa, NULL) || signal(SIGUSR2, SIG_IGN) == SIG_ERR || pipe(go))
		return perror("sigsend: setup"), 1;
	child = fork();
	if (child < 0)
		return perror("sigsend: fork"), 1;
	if (child == 0) {
		/* signals stay pending until the parent has sent them all */
		if (read(go[0], &b, 1) != 1)
			_exit(1);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(0);
	}
	fprintf(stderr, "sigsend %d %d %#lx\n", getpid(), child, (unsigned long)on_signal);
	if (kill(child, SIGUSR2) || kill(child, SIGUSR1) || kill(child, SIGUSR1) ||
	    syscall(SYS_tgkill, child, child, SIGUSR1) || sigqueue(child, SIGRTMIN, val) ||
	    write(go[1], &b, 1) != 1)
		return perror("sigsend"), 1;
	if (waitpid(child, &status, 0) != child || status)
		return fprintf(stderr, "sigsend: child status %#x\n", status), 1;
	return 0;
}
