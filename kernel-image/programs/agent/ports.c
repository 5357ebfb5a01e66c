/* The userland proxy behind `-p hostPort:port`: docker-proxy's job. It
 * listens on the guest's hostPort and copies bytes to the container's
 * ip:port, each direction ending on its own (EOF becomes shutdown). UDP is
 * udp_proxy.c's. `dial` is the same outward connect, but relayed over the link. */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PROXY_BUF (256 * 1024)

struct port {
	struct watch w;
	int host_port;
	struct sockaddr_in target;
	struct port *next;
};
static struct port *ports;

/* One proxied connection: two sockets, a buffer each way. */
struct half {
	struct watch w;
	struct buf out;  /* to be written to this socket */
	bool eof;        /* read EOF from this socket */
	bool shut;       /* its writing side is shut down */
};
struct pair {
	struct half h[2];
	bool dead;
};

static void pair_close(struct pair *p)
{
	if (p->dead)
		return;
	p->dead = true;
	for (int i = 0; i < 2; i++) {
		int fd = p->h[i].w.fd;
		watch_del(&p->h[i].w);
		if (fd >= 0)
			close(fd);
		buf_free(&p->h[i].out);
	}
	defer_free(p);
}

static void pair_update(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		struct half *me = &p->h[i], *other = &p->h[1 - i];
		if (!me->out.len && other->eof && !me->shut) {
			shutdown(me->w.fd, SHUT_WR);
			me->shut = true;
		}
	}
	if (p->h[0].shut && p->h[1].shut) {
		pair_close(p);
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct half *me = &p->h[i], *other = &p->h[1 - i];
		/* Stop reading while the other side's buffer is full: backpressure. */
		uint32_t ev = (!me->eof && other->out.len < PROXY_BUF ? EPOLLIN : 0) | (me->out.len ? EPOLLOUT : 0);
		watch_set(&me->w, ev);
	}
}

static void on_half(struct watch *w, uint32_t events)
{
	struct pair *p = w->ctx;
	int i = w == &p->h[0].w ? 0 : 1;
	struct half *me = &p->h[i], *other = &p->h[1 - i];
	if ((events & EPOLLOUT) && buf_write_fd(&me->out, w->fd) < 0) {
		pair_close(p);
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !me->eof) {
		uint8_t chunk[65536];
		ssize_t n = read(w->fd, chunk, sizeof chunk);
		if (n > 0) {
			buf_put(&other->out, chunk, (size_t)n);
			if (buf_write_fd(&other->out, other->w.fd) < 0) {
				pair_close(p);
				return;
			}
		} else if (n == 0) {
			me->eof = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			pair_close(p);
			return;
		}
	}
	pair_update(p);
}

/* A blocking connect: targets are containers on a local bridge, which answer
 * (or refuse) at once; a short timeout covers an address nobody has. */
static int connect_to(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno("socket");
	struct timeval tv = { .tv_sec = 3 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (const struct sockaddr *)a, sizeof *a) < 0) {
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
		fail_errno("connect %s:%d", ip, ntohs(a->sin_port));
		close(fd);
		return -1;
	}
	return fd;
}

static void on_port_accept(struct watch *w, uint32_t events)
{
	(void)events;
	struct port *pt = w->ctx;
	int c = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	int t = connect_to(&pt->target);
	if (t < 0) {
		logmsg("port %d: %s", pt->host_port, errbuf);
		close(c);
		return;
	}
	struct pair *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	p->h[0].w.fd = p->h[1].w.fd = -1;
	if (set_nonblock(t) < 0 || watch_add(&p->h[0].w, c, EPOLLIN, on_half, p) < 0 || watch_add(&p->h[1].w, t, EPOLLIN, on_half, p) < 0) {
		logmsg("port %d: %s", pt->host_port, errbuf);
		if (p->h[0].w.fd < 0)
			close(c);
		if (p->h[1].w.fd < 0)
			close(t);
		pair_close(p);
	}
}

static int parse_target(yajl_val params, struct sockaddr_in *a, const char *ipkey, const char *portkey)
{
	const char *ip = json_get_str(params, ipkey);
	long long port = json_get_int(params, portkey, -1);
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	if (!ip || inet_pton(AF_INET, ip, &a->sin_addr) != 1)
		return fail("%s: not an IPv4 address: %s", ipkey, ip ? ip : "(missing)");
	if (port <= 0 || port > 65535)
		return fail("%s: not a port: %lld", portkey, port);
	a->sin_port = htons((uint16_t)port);
	return 0;
}

/* The TCP listener on a (bound) address; its connections are accepted and proxied. */
static int tcp_port_open(const struct sockaddr_in *a, int hp, const struct sockaddr_in *target)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno("socket tcp %s:%d", ip, hp);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		fail_errno("setsockopt SO_REUSEADDR tcp %s:%d", ip, hp);
	else if (bind(fd, (const struct sockaddr *)a, sizeof *a) < 0)
		fail_errno("bind tcp %s:%d", ip, hp);
	else if (listen(fd, 64) < 0)
		fail_errno("listen tcp %s:%d", ip, hp);
	else {
		struct port *pt = calloc(1, sizeof *pt);
		if (!pt)
			abort();
		pt->host_port = hp;
		pt->target = *target;
		if (watch_add(&pt->w, fd, EPOLLIN, on_port_accept, pt) == 0) {
			pt->next = ports;
			ports = pt;
			return 0;
		}
		free(pt);
	}
	close(fd);
	return -1;
}

static int tcp_port_close(int hp)
{
	for (struct port **pp = &ports; *pp; pp = &(*pp)->next) {
		struct port *pt = *pp;
		if (pt->host_port != hp)
			continue;
		*pp = pt->next;
		int fd = pt->w.fd;
		watch_del(&pt->w);
		if (close(fd) < 0)
			logmsg("port %d: close: %s", hp, strerror(errno));
		defer_free(pt);
		/* Connections already proxied keep going, as with docker-proxy. */
		return 0;
	}
	return fail("no published port %d/tcp", hp);
}

void call_publish_port(struct stream *s, yajl_val p)
{
	const char *proto = json_get_str(p, "proto");
	bool udp = proto && strcmp(proto, "udp") == 0;
	long long hp = json_get_int(p, "hostPort", -1);
	const char *hip = json_get_str(p, "hostIp");
	struct sockaddr_in target;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)hp), .sin_addr.s_addr = htonl(INADDR_ANY) };
	int r = -1;
	if (proto && !udp && strcmp(proto, "tcp") != 0)
		fail("publishPort: %s is not supported, only tcp and udp", proto);
	else if (hp <= 0 || hp > 65535)
		fail("publishPort: hostPort %lld is not a port", hp);
	else if (hip && *hip && inet_pton(AF_INET, hip, &a.sin_addr) != 1)
		fail("publishPort: hostIp %s is not an IPv4 address", hip);
	else if (parse_target(p, &target, "ip", "port") == 0)
		r = udp ? udp_port_open(&a, (int)hp, &target) : tcp_port_open(&a, (int)hp, &target);
	stream_reply_done(s, r);
}

void call_unpublish_port(struct stream *s, yajl_val p)
{
	const char *proto = json_get_str(p, "proto");
	long long hp = json_get_int(p, "hostPort", -1);
	int r;
	if (hp <= 0 || hp > 65535)
		r = fail("unpublishPort: hostPort %lld is not a port", hp);
	else
		r = proto && strcmp(proto, "udp") == 0 ? udp_port_close((int)hp) : tcp_port_close((int)hp);
	stream_reply_done(s, r);
}

void call_dial(struct stream *s, yajl_val p)
{
	struct sockaddr_in a;
	int fd = -1;
	if (parse_target(p, &a, "host", "port") == 0)
		fd = connect_to(&a);
	if (fd < 0) {
		stream_reply_error(s, errbuf);
		stream_end(s);
		return;
	}
	stream_reply(s, "null");
	relay_start(s, fd);
}
