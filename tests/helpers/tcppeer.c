// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcppeer: the two ends of a TCP connection with exact byte counts, for
 * nettrace's tests. The test knows every pid, port and byte.
 *
 *   tcppeer server ADDR NCONN RECV SEND [DELAY_MS]
 *       listen on ADDR, an ephemeral port; print "PORT\n"; then NCONN times:
 *       accept, read exactly RECV bytes, write SEND bytes, read to EOF (the
 *       client closes first), wait DELAY_MS, close. Exit 0 only if every
 *       count was exact.
 *   tcppeer client [-s SYNCNT] ADDR PORT SEND RECV
 *       connect, print the local port "SPORT\n", write SEND bytes, read
 *       exactly RECV, close. A failed connect exits with its errno (111 is
 *       ECONNREFUSED, 110 ETIMEDOUT): the test checks the very cause.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_addr(const char *s, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return AF_INET6;
	}
	return -1;
}

static unsigned local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Reads exactly n bytes (n = 0: to EOF, expecting none). */
static int read_exact(int fd, long n)
{
	char buf[8192];
	long got = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		got += r;
		if (n && got == n)
			return 0;
		if (got > n && n)
			return -1;
	}
	return r == 0 && got == n ? 0 : -1;
}

static int write_all(int fd, long n)
{
	char buf[8192];

	memset(buf, 'x', sizeof(buf));
	while (n > 0) {
		ssize_t w = write(fd, buf, n < (long)sizeof(buf) ? (size_t)n : sizeof(buf));

		if (w <= 0)
			return -1;
		n -= w;
	}
	return 0;
}

static int server(const char *addr, long nconn, long recv_n, long send_n, long delay_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = parse_addr(addr, 0, &ss, &len), lfd, one = 1;

	if (fam < 0 || (lfd = socket(fam, SOCK_STREAM, 0)) < 0)
		return 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 16))
		return 1;
	printf("%u\n", local_port(lfd));
	fflush(stdout);
	for (long i = 0; i < nconn; i++) {
		int c = accept(lfd, NULL, NULL);

		if (c < 0 || read_exact(c, recv_n) || write_all(c, send_n) || read_exact(c, 0))
			return 1;
		usleep(delay_ms * 1000);
		close(c);
	}
	close(lfd);
	return 0;
}

static int client(const char *addr, unsigned port, long send_n, long recv_n, int syncnt)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = parse_addr(addr, port, &ss, &len), fd;

	if (fam < 0 || (fd = socket(fam, SOCK_STREAM, 0)) < 0)
		return 1;
	if (syncnt && setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof(syncnt)))
		return 1;
	if (connect(fd, (struct sockaddr *)&ss, len))
		return errno > 1 && errno < 256 ? errno : 1;
	printf("%u\n", local_port(fd));
	fflush(stdout);
	if (write_all(fd, send_n) || read_exact(fd, recv_n))
		return 1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "server"))
		return server(argv[2], atol(argv[3]), atol(argv[4]), atol(argv[5]),
			      argc == 7 ? atol(argv[6]) : 0);
	if (argc == 6 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]), 0);
	if (argc == 8 && !strcmp(argv[1], "client") && !strcmp(argv[2], "-s"))
		return client(argv[4], atoi(argv[5]), atol(argv[6]), atol(argv[7]), atoi(argv[3]));
	fprintf(stderr, "usage: tcppeer server ADDR NCONN RECV SEND [DELAY_MS]\n"
			"       tcppeer client [-s SYNCNT] ADDR PORT SEND RECV\n");
	return 2;
}
