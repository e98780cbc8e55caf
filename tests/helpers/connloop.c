// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * connloop ADDR PORT SECONDS: the loopback connect/accept/close loop of
 * `make bench-net`. A forked server accepts and closes at once; the client
 * connects, waits for the server's close (EOF), closes, and starts again.
 * So every iteration is a whole connection on both sides before the next
 * begins (and the server side keeps the TIME_WAIT, not the client's
 * ephemeral ports). Prints "connections N seconds S rate R".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	double secs, t0, t;
	long n = 0;
	int lfd, one = 1, status;
	char c;
	pid_t srv;

	if (argc != 4 || (secs = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: connloop ADDR PORT SECONDS\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(atoi(argv[2]));
		len = sizeof(*in);
	} else if (inet_pton(AF_INET6, argv[1], &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(argv[2]));
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "connloop: bad address '%s'\n", argv[1]);
		return 2;
	}
	lfd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 128)) {
		fprintf(stderr, "connloop: cannot listen: %s\n", strerror(errno));
		return 1;
	}
	srv = fork();
	if (srv < 0)
		return 1;
	if (srv == 0) {
		for (;;) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0)
				close(fd);
		}
	}
	close(lfd);
	t0 = now();
	do {
		int fd = socket(ss.ss_family, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) || read(fd, &c, 1) != 0) {
			fprintf(stderr, "connloop: connection %ld failed: %s\n", n + 1,
				strerror(errno));
			kill(srv, SIGKILL);
			return 1;
		}
		close(fd);
		n++;
		t = now();
	} while (t - t0 < secs);
	kill(srv, SIGKILL);
	waitpid(srv, &status, 0);
	printf("connections %ld seconds %.3f rate %.0f\n", n, t - t0, n / (t - t0));
	return 0;
}
