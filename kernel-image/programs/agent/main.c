/* The agent's event loop: one thread, epoll over every fd it holds (the link,
 * the api sockets, container stdio, port proxies), and a signalfd for SIGCHLD.
 * Nothing blocks for long: slow work (unpacking a layer) runs in a child. */
#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static int epfd = -1;

int watch_add(struct watch *w, int fd, uint32_t events, void (*fn)(struct watch *, uint32_t), void *ctx)
{
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->ctx = ctx;
	struct epoll_event ev = { .events = events, .data.ptr = w };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return fail_errno("epoll_ctl ADD fd %d", fd);
	return 0;
}

void watch_set(struct watch *w, uint32_t events)
{
	if (w->fd < 0 || w->events == events)
		return;
	w->events = events;
	struct epoll_event ev = { .events = events, .data.ptr = w };
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		logmsg("epoll_ctl MOD fd %d: %s", w->fd, strerror(errno));
}

void watch_del(struct watch *w)
{
	if (w->fd < 0)
		return;
	if (epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL) < 0)
		logmsg("epoll_ctl DEL fd %d: %s", w->fd, strerror(errno));
	w->fd = -1;
}

/* An object whose watch fired earlier in the same epoll batch must outlive
 * the batch: it is freed once the batch is done. */
static void *graveyard[256];
static size_t n_graveyard;

void defer_free(void *p)
{
	if (n_graveyard == sizeof graveyard / sizeof graveyard[0]) {
		/* Rare: leak rather than risk a use after free. */
		logmsg("graveyard full, leaking %p", p);
		return;
	}
	graveyard[n_graveyard++] = p;
}

void on_child_exit(pid_t pid, int status)
{
	if (layers_child_exit(pid, status) || child_stream_exit(pid, status) || run_child_exit(pid, status))
		return;
	containers_child_exit(pid, status);
}

static struct watch sigchld_watch;

static void on_sigchld(struct watch *w, uint32_t events)
{
	(void)events;
	struct signalfd_siginfo si;
	while (read(w->fd, &si, sizeof si) == (ssize_t)sizeof si)
		;
	/* One SIGCHLD may stand for many children: reap them all. */
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0)
			break;
		on_child_exit(pid, status);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	setvbuf(stderr, NULL, _IOLBF, 0);
	/* Orphans in our subtree (nsrun's monitor, the container's init once
	 * `nsrun create` exits) become our children, so we reap them and learn
	 * when a container has exited. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		logmsg("prctl PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		return 1;
	}
	/* A peer going away must not kill us with SIGPIPE: write() returns EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		logmsg("epoll_create1: %s", strerror(errno));
		return 1;
	}
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		logmsg("sigprocmask: %s", strerror(errno));
		return 1;
	}
	int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || watch_add(&sigchld_watch, sfd, EPOLLIN, on_sigchld, NULL) < 0) {
		logmsg("signalfd: %s", sfd < 0 ? strerror(errno) : errbuf);
		return 1;
	}
	if (mkdir_p(STATE_DIR "/layers", 0700) < 0 || mkdir_p(STATE_DIR "/containers", 0700) < 0 ||
	    mkdir_p(STATE_DIR "/volumes", 0755) < 0 || mkdir_p(STATE_DIR "/tmp", 0700) < 0 || mkdir_p("/run/netns", 0755) < 0) {
		logmsg("%s", errbuf);
		return 1;
	}
	if (link_init() < 0) {
		logmsg("%s", errbuf);
		return 1;
	}
	/* The rest is not vital: say what failed and carry on with the link. */
	if (net_init() < 0)
		logmsg("networking: %s", errbuf);
	if (api_relay_init() < 0)
		logmsg("api relay: %s", errbuf);
	logmsg("listening on tcp %d", LINK_PORT);

	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logmsg("epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;
			if (w->fd >= 0)
				w->fn(w, evs[i].events);
		}
		while (n_graveyard)
			free(graveyard[--n_graveyard]);
	}
}
