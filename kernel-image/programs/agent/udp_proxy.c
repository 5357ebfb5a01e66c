/* The UDP half of the userland proxy behind `-p hostPort:port/udp`, as
 * docker-proxy does it. UDP has no connections, so the proxy keeps a flow per
 * client address: a socket of its own connected to the container's ip:port.
 * A client's datagrams go out on its flow's socket; what the container sends
 * back on it is returned to that client from the listening socket, so the
 * reply comes from the address the client sent to. A flow nobody has used for
 * UDP_FLOW_IDLE seconds is closed (docker-proxy's UDPConnTrackTimeout); one
 * timerfd per published port wakes the agent when the oldest flow is due. */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define UDP_FLOW_IDLE 90 /* seconds: docker-proxy's UDPConnTrackTimeout */
/* Flows per published port. Past this the least recently used flow is
 * dropped, so a scan of many source ports cannot use up the agent's fds. */
#define UDP_MAX_FLOWS 256
/* Datagrams handled per wakeup, so one busy port cannot starve the rest. */
#define UDP_BATCH 32

/* One datagram of any size IPv4 allows (65,507 bytes of payload). */
static uint8_t dgram[64 * 1024];

struct udp_port;
struct udp_flow {
	struct watch w; /* the socket connected to the container */
	struct udp_port *port;
	struct sockaddr_in client;
	time_t last; /* CLOCK_MONOTONIC seconds of the last datagram either way */
	struct udp_flow *next;
};

struct udp_port {
	struct watch w;     /* the listening socket on hostIp:hostPort */
	struct watch timer; /* a timerfd: the next flow expiry */
	int host_port;
	struct sockaddr_in target;
	struct udp_flow *flows;
	int n_flows;
	bool timer_armed;
	struct udp_port *next;
};
static struct udp_port *udp_ports;

static time_t now_s(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0) {
		logmsg("clock_gettime CLOCK_MONOTONIC: %s", strerror(errno));
		return 0;
	}
	return ts.tv_sec;
}

static const char *addr_str(const struct sockaddr_in *a, char *out, size_t n)
{
	char ip[INET_ADDRSTRLEN];
	if (!inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip))
		snprintf(ip, sizeof ip, "?");
	snprintf(out, n, "%s:%d", ip, ntohs(a->sin_port));
	return out;
}

static void flow_close(struct udp_flow *f)
{
	struct udp_port *pt = f->port;
	for (struct udp_flow **pp = &pt->flows; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	pt->n_flows--;
	int fd = f->w.fd;
	watch_del(&f->w);
	if (fd >= 0 && close(fd) < 0)
		logmsg("udp %d: close flow socket: %s", pt->host_port, strerror(errno));
	defer_free(f);
}

/* Arms the port's timer for its soonest expiry, or disarms it without flows. */
static void timer_update(struct udp_port *pt)
{
	struct itimerspec its = { 0 };
	if (pt->flows) {
		time_t oldest = pt->flows->last;
		for (struct udp_flow *f = pt->flows; f; f = f->next)
			if (f->last < oldest)
				oldest = f->last;
		time_t in = oldest + UDP_FLOW_IDLE - now_s();
		its.it_value.tv_sec = in > 0 ? in : 1;
	} else if (!pt->timer_armed) {
		return;
	}
	if (timerfd_settime(pt->timer.fd, 0, &its, NULL) < 0) {
		logmsg("udp %d: timerfd_settime: %s", pt->host_port, strerror(errno));
		return;
	}
	pt->timer_armed = pt->flows != NULL;
}

static void on_timer(struct watch *w, uint32_t events)
{
	(void)events;
	struct udp_port *pt = w->ctx;
	uint64_t ticks;
	if (read(w->fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		logmsg("udp %d: read timerfd: %s", pt->host_port, strerror(errno));
	pt->timer_armed = false;
	time_t now = now_s();
	for (struct udp_flow *f = pt->flows, *next; f; f = next) {
		next = f->next;
		if (now - f->last >= UDP_FLOW_IDLE)
			flow_close(f);
	}
	timer_update(pt);
}

/* The container answered on a flow: hand it to the client from the listener. */
static void on_flow(struct watch *w, uint32_t events)
{
	(void)events;
	struct udp_flow *f = w->ctx;
	struct udp_port *pt = f->port;
	for (int i = 0; i < UDP_BATCH; i++) {
		ssize_t n = recv(w->fd, dgram, sizeof dgram, 0);
		if (n < 0) {
			/* ECONNREFUSED: an ICMP port unreachable for an earlier datagram
			 * (nothing listens in the container yet). docker-proxy keeps the
			 * flow and goes on reading; so do we. */
			if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED) {
				char a[32];
				logmsg("udp %d: recv from %s: %s", pt->host_port, addr_str(&pt->target, a, sizeof a), strerror(errno));
				flow_close(f);
			}
			return;
		}
		f->last = now_s();
		if (sendto(pt->w.fd, dgram, (size_t)n, 0, (const struct sockaddr *)&f->client, sizeof f->client) < 0 && errno != EAGAIN) {
			/* EAGAIN: the listener's send buffer is full; UDP may drop. */
			char a[32];
			logmsg("udp %d: sendto %s: %s", pt->host_port, addr_str(&f->client, a, sizeof a), strerror(errno));
		}
	}
}

static struct udp_flow *flow_find(struct udp_port *pt, const struct sockaddr_in *client)
{
	for (struct udp_flow *f = pt->flows; f; f = f->next)
		if (f->client.sin_addr.s_addr == client->sin_addr.s_addr && f->client.sin_port == client->sin_port)
			return f;
	return NULL;
}

static struct udp_flow *flow_open(struct udp_port *pt, const struct sockaddr_in *client)
{
	if (pt->n_flows >= UDP_MAX_FLOWS) {
		struct udp_flow *lru = pt->flows;
		for (struct udp_flow *f = pt->flows; f; f = f->next)
			if (f->last < lru->last)
				lru = f;
		flow_close(lru);
	}
	char a[32];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fail_errno("socket udp for %s", addr_str(client, a, sizeof a));
		return NULL;
	}
	if (connect(fd, (const struct sockaddr *)&pt->target, sizeof pt->target) < 0) {
		fail_errno("connect udp %s", addr_str(&pt->target, a, sizeof a));
		close(fd);
		return NULL;
	}
	struct udp_flow *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->port = pt;
	f->client = *client;
	f->last = now_s();
	if (watch_add(&f->w, fd, EPOLLIN, on_flow, f) < 0) {
		close(fd);
		free(f);
		return NULL;
	}
	f->next = pt->flows;
	pt->flows = f;
	pt->n_flows++;
	if (!pt->timer_armed)
		timer_update(pt);
	return f;
}

/* A client sent a datagram to the published port: pass it on its flow. */
static void on_listener(struct watch *w, uint32_t events)
{
	(void)events;
	struct udp_port *pt = w->ctx;
	for (int i = 0; i < UDP_BATCH; i++) {
		struct sockaddr_in client;
		socklen_t len = sizeof client;
		ssize_t n = recvfrom(w->fd, dgram, sizeof dgram, 0, (struct sockaddr *)&client, &len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				logmsg("udp %d: recvfrom: %s", pt->host_port, strerror(errno));
			return;
		}
		if (client.sin_family != AF_INET)
			continue;
		struct udp_flow *f = flow_find(pt, &client);
		if (!f && !(f = flow_open(pt, &client))) {
			logmsg("udp %d: can't proxy a datagram: %s", pt->host_port, errbuf);
			continue;
		}
		f->last = now_s();
		if (send(f->w.fd, dgram, (size_t)n, 0) < 0 && errno != EAGAIN && errno != ECONNREFUSED) {
			char a[32];
			logmsg("udp %d: send to %s: %s", pt->host_port, addr_str(&pt->target, a, sizeof a), strerror(errno));
		}
	}
}

int udp_port_open(const struct sockaddr_in *bind_addr, int host_port, const struct sockaddr_in *target)
{
	char a[32];
	addr_str(bind_addr, a, sizeof a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno("socket udp %s", a);
	if (bind(fd, (const struct sockaddr *)bind_addr, sizeof *bind_addr) < 0) {
		fail_errno("bind udp %s", a);
		close(fd);
		return -1;
	}
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0) {
		fail_errno("timerfd_create for udp %s", a);
		close(fd);
		return -1;
	}
	struct udp_port *pt = calloc(1, sizeof *pt);
	if (!pt)
		abort();
	pt->host_port = host_port;
	pt->target = *target;
	pt->w.fd = pt->timer.fd = -1;
	if (watch_add(&pt->w, fd, EPOLLIN, on_listener, pt) < 0 || watch_add(&pt->timer, tfd, EPOLLIN, on_timer, pt) < 0) {
		watch_del(&pt->w);
		close(fd);
		close(tfd);
		free(pt);
		return -1;
	}
	pt->next = udp_ports;
	udp_ports = pt;
	return 0;
}

int udp_port_close(int host_port)
{
	for (struct udp_port **pp = &udp_ports; *pp; pp = &(*pp)->next) {
		struct udp_port *pt = *pp;
		if (pt->host_port != host_port)
			continue;
		*pp = pt->next;
		/* Unlike TCP connections, flows go with the port: docker-proxy's
		 * exit closes them all. */
		while (pt->flows)
			flow_close(pt->flows);
		int fds[2] = { pt->w.fd, pt->timer.fd };
		watch_del(&pt->w);
		watch_del(&pt->timer);
		for (int i = 0; i < 2; i++)
			if (close(fds[i]) < 0)
				logmsg("udp %d: close: %s", host_port, strerror(errno));
		defer_free(pt);
		return 0;
	}
	return fail("no published port %d/udp", host_port);
}
