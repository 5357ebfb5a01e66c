/* A UDP echo server and client for the tests: the guest's busybox has no UDP
 * tool (Debian's nc has no -u, and there is no udpsvd). Built static for i386
 * by the test and copied into an image.
 *   udp-echo serve PORT            echoes each datagram to its sender, forever
 *   udp-echo send HOST PORT TEXT…  sends each TEXT from a socket of its own (all
 *                                  first, then reads), prints "TEXT -> REPLY"
 *   udp-echo size HOST PORT N      sends N bytes, prints the size echoed back */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static char buf[65536];

static int die(const char *what)
{
	perror(what);
	return 1;
}

static int client_socket(const char *host, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port)) };
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "not an IPv4 address: %s\n", host);
		exit(2);
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct timeval tv = { .tv_sec = 5 };
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		exit(die("client socket"));
	return fd;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2])) };
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
			return die("bind");
		printf("listening on udp %s\n", argv[2]);
		fflush(stdout);
		for (;;) {
			struct sockaddr_in from;
			socklen_t len = sizeof from;
			ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
			if (n < 0)
				return die("recvfrom");
			if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) < 0)
				perror("sendto");
		}
	}
	if (argc >= 5 && !strcmp(argv[1], "send")) {
		int n = argc - 4, fds[64];
		if (n > 64)
			n = 64;
		for (int i = 0; i < n; i++) {
			fds[i] = client_socket(argv[2], argv[3]);
			if (send(fds[i], argv[4 + i], strlen(argv[4 + i]), 0) < 0)
				return die("send");
		}
		for (int i = 0; i < n; i++) {
			ssize_t r = recv(fds[i], buf, sizeof buf - 1, 0);
			if (r < 0)
				return die("recv");
			buf[r] = 0;
			printf("%s -> %s\n", argv[4 + i], buf);
		}
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "size")) {
		int fd = client_socket(argv[2], argv[3]);
		size_t n = (size_t)atoi(argv[4]);
		if (n > sizeof buf)
			n = sizeof buf;
		memset(buf, 'x', n);
		if (send(fd, buf, n, 0) < 0)
			return die("send");
		memset(buf, 0, sizeof buf);
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r < 0)
			return die("recv");
		size_t same = 0;
		while (same < (size_t)r && buf[same] == 'x')
			same++;
		printf("sent %zu, got %zd, intact %s\n", n, r, same == (size_t)r && (size_t)r == n ? "yes" : "no");
		return 0;
	}
	fprintf(stderr, "usage: udp-echo serve PORT | send HOST PORT TEXT... | size HOST PORT N\n");
	return 2;
}
