// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nestload: many short TCP connections at once, for nettrace's nesting
 * test. Byte counts must stay below the tbf burst: tbf drops a packet
 * larger than its bucket. Run it in a network namespace whose lo is throttled (tbf), so that
 * packets are sent from the qdisc's timer in softirq, where TCP state
 * changes interrupt the BPF programs running for a connect() or close() in
 * process context.
 *
 *   nestload ADDR PORT NCLIENTS NCONN CSEND SSEND OTHER_PORT
 *       NCLIENTS clients each make NCONN connections to PORT: send CSEND
 *       bytes, read SSEND, close. The server (WORKERS processes sharing
 *       one listener) reads CSEND, sends SSEND, reads to EOF, closes. Two
 *       more clients do the same against OTHER_PORT with other byte counts
 *       (CSEND+1, SSEND+1), traffic the tracer's --port must leave out.
 *       Exit 0 only if every byte count was exact, and only once every
 *       connection is closed (TIME_WAIT at most).
 *   nestload listen ADDR PORT REUSEPORT MS
 *       listen on PORT (with SO_REUSEPORT if REUSEPORT is 1), print
 *       "listening\n", accept nothing, exit after MS milliseconds.
 *   nestload connect ADDR PORT COUNT
 *       COUNT connections to PORT, each closed once established.
 *   nestload refused ADDR PORT COUNT
 *       COUNT connects to PORT, where nobody listens: each must be refused
 *       (exactly COUNT failed connects, for the standard loss check).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 4
#define OTHER_CLIENTS 2

static struct sockaddr_in addr_of(const char *a, int port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, a, &in.sin_addr) != 1) {
		fprintf(stderr, "nestload: bad address %s\n", a);
		exit(2);
	}
	return in;
}

/* n bytes exactly; n < 0: to EOF, expecting none. */
static int read_exact(int fd, long n)
{
	char buf[4096];
	long got = 0;

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return n < 0 || got == n ? 0 : -1;
		got += r;
		if (n >= 0 && got == n)
			return 0;
		if (n < 0 || got > n)
			return -1;
	}
}

static int write_all(int fd, long n)
{
	char buf[4096];

	memset(buf, 'x', sizeof(buf));
	while (n > 0) {
		ssize_t w = write(fd, buf, n < (long)sizeof(buf) ? n : (long)sizeof(buf));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		n -= w;
	}
	return 0;
}

static int listener(struct sockaddr_in in)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&in, sizeof(in)) || listen(fd, 1024)) {
		perror("nestload: listen");
		exit(1);
	}
	return fd;
}

/* A server worker: one byte on done_fd per connection served exactly. */
static void serve(int lfd, long csend, long ssend, int done_fd)
{
	for (;;) {
		int c = accept(lfd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (read_exact(c, csend) || write_all(c, ssend) || read_exact(c, -1))
			_exit(1);
		close(c);
		if (write(done_fd, "d", 1) != 1)
			_exit(1);
	}
}

static void client(struct sockaddr_in in, long nconn, long csend, long ssend)
{
	for (long i = 0; i < nconn; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&in, sizeof(in)) ||
		    write_all(fd, csend) || read_exact(fd, ssend)) {
			perror("nestload: client");
			_exit(1);
		}
		close(fd);
	}
	_exit(0);
}

/*
 * Waits until no socket of ours is left but in TIME_WAIT (its full socket
 * is closed: nothing more to trace). tbf drops what waits longer than its
 * latency, so a last FIN or ACK may come by retransmission much later
 * than the processes' close(). /proc/net/tcp lists this netns only.
 */
static int settle(long port, long oport)
{
	for (int i = 0; i < 300; i++) {
		FILE *f = fopen("/proc/net/tcp", "r");
		unsigned lport, rport, st;
		char line[512];
		int busy = 0;

		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " %*d: %*x:%x %*x:%x %x", &lport, &rport, &st) == 3 &&
			    st != 6 /* TCP_TIME_WAIT */ &&
			    (lport == port || rport == port || lport == oport || rport == oport))
				busy++;
		fclose(f);
		if (!busy)
			return 0;
		usleep(100000);
	}
	fprintf(stderr, "nestload: connections still open after 30 s\n");
	return -1;
}

static pid_t spawn_server(int lfd, long csend, long ssend, int done_fd)
{
	pid_t pid = fork();

	if (pid == 0)
		serve(lfd, csend, ssend, done_fd);
	return pid;
}

static int listen_only(char **argv)
{
	struct sockaddr_in in = addr_of(argv[2], atoi(argv[3]));
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || (atoi(argv[4]) && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&in, sizeof(in)) || listen(fd, 128)) {
		perror("nestload: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	usleep(atol(argv[5]) * 1000);
	return 0;
}

static int connect_only(char **argv, bool refused)
{
	struct sockaddr_in in = addr_of(argv[2], atoi(argv[3]));

	for (long i = 0; i < atol(argv[4]); i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&in, sizeof(in));

		if (fd < 0 || (refused ? rc != -1 || errno != ECONNREFUSED : rc != 0)) {
			perror("nestload: connect");
			return 1;
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	pid_t servers[2 * WORKERS], clients[64];
	int done[2], ns = 0, nc = 0, rc = 0;
	long port, nclients, nconn, csend, ssend, oport, want;
	struct sockaddr_in in, oin;
	char c;

	if (argc == 6 && !strcmp(argv[1], "listen"))
		return listen_only(argv);
	if (argc == 5 && (!strcmp(argv[1], "connect") || !strcmp(argv[1], "refused")))
		return connect_only(argv, argv[1][0] == 'r');
	if (argc != 8) {
		fprintf(stderr, "usage: nestload ADDR PORT NCLIENTS NCONN CSEND SSEND OTHER_PORT\n");
		return 2;
	}
	port = atol(argv[2]);
	nclients = atol(argv[3]);
	nconn = atol(argv[4]);
	csend = atol(argv[5]);
	ssend = atol(argv[6]);
	oport = atol(argv[7]);
	if (nclients < 1 || nclients + OTHER_CLIENTS > 64 || nconn < 1) {
		fprintf(stderr, "nestload: 1..%d clients\n", 64 - OTHER_CLIENTS);
		return 2;
	}
	in = addr_of(argv[1], port);
	oin = addr_of(argv[1], oport);
	if (pipe(done)) {
		perror("nestload: pipe");
		return 1;
	}
	int lfd = listener(in), ofd = listener(oin);

	for (int i = 0; i < WORKERS; i++) {
		servers[ns++] = spawn_server(lfd, csend, ssend, done[1]);
		servers[ns++] = spawn_server(ofd, csend + 1, ssend + 1, done[1]);
	}
	/* only the servers write done and hold the listeners (which must
	 * close with them, for settle()) */
	close(done[1]);
	close(lfd);
	close(ofd);
	for (long i = 0; i < nclients + OTHER_CLIENTS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (i < nclients)
				client(in, nconn, csend, ssend);
			client(oin, nconn, csend + 1, ssend + 1);
		}
		clients[nc++] = pid;
	}
	for (int i = 0; i < nc; i++) {
		int st;

		if (clients[i] < 0 || waitpid(clients[i], &st, 0) != clients[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			rc = 1;
	}
	/* every server side done (closed after the client's FIN) */
	want = rc ? 0 : (nclients + OTHER_CLIENTS) * nconn;
	for (long i = 0; i < want; i++) {
		struct pollfd p = { .fd = done[0], .events = POLLIN };

		/* a server stuck for 10 s has failed: end, never hang the test */
		if (poll(&p, 1, 10000) != 1 || read(done[0], &c, 1) != 1) {
			rc = 1;
			break;
		}
	}
	for (int i = 0; i < ns; i++) {
		if (servers[i] > 0) {
			kill(servers[i], SIGKILL);
			waitpid(servers[i], NULL, 0);
		} else {
			rc = 1;
		}
	}
	if (!rc && settle(port, oport))
		rc = 1;
	if (rc)
		fprintf(stderr, "nestload: a byte count or connection failed\n");
	return rc;
}
