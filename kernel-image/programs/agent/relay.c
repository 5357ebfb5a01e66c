/* A byte relay between a link stream and a socket in the guest: api
 * connections and `dial`. Each direction ends on its own: the stream's END
 * becomes shutdown(SHUT_WR) on the socket (a real Linux socket, where
 * half-close works), the socket's EOF becomes an END frame. */
#include "agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct relay {
	struct stream *s; /* NULL once the stream is gone */
	struct watch w;
	int fd;
	struct buf to_fd;       /* from the link, not yet written */
	bool fd_eof, shut_done; /* read EOF from fd; shut down its writing side */
	bool dead;
};

static void relay_close(struct relay *r)
{
	if (r->dead)
		return;
	r->dead = true;
	watch_del(&r->w);
	close(r->fd);
	buf_free(&r->to_fd);
	if (r->s) {
		struct stream *s = r->s;
		r->s = NULL;
		s->ctx = NULL;
		stream_reset(s, "the guest side closed");
	}
	defer_free(r);
}

static void relay_update(struct relay *r)
{
	if (r->dead)
		return;
	/* Done when the stream is finished and what it brought is written out. */
	if (!r->s && !r->to_fd.len) {
		relay_close(r);
		return;
	}
	uint32_t ev = 0;
	if (r->s && !r->fd_eof && r->s->credit > 0)
		ev |= EPOLLIN;
	if (r->to_fd.len)
		ev |= EPOLLOUT;
	watch_set(&r->w, ev);
}

static void relay_flush(struct relay *r)
{
	size_t before = r->to_fd.len;
	if (buf_write_fd(&r->to_fd, r->fd) < 0) {
		relay_close(r);
		return;
	}
	if (r->s)
		stream_credit(r->s, before - r->to_fd.len);
	if (!r->to_fd.len && !r->shut_done && (!r->s || r->s->got_end)) {
		shutdown(r->fd, SHUT_WR);
		r->shut_done = true;
	}
	relay_update(r);
}

static void on_fd(struct watch *w, uint32_t events)
{
	struct relay *r = w->ctx;
	if (events & EPOLLOUT)
		relay_flush(r);
	if (r->dead)
		return;
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && r->s && !r->fd_eof && r->s->credit > 0) {
		uint8_t chunk[MAX_DATA];
		size_t want = r->s->credit < sizeof chunk ? r->s->credit : sizeof chunk;
		ssize_t n = read(r->fd, chunk, want);
		if (n > 0)
			stream_data(r->s, -1, chunk, (size_t)n);
		else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			r->fd_eof = true;
			stream_end(r->s); /* may finish the stream: r->s is cleared then */
		}
	} else if ((events & (EPOLLHUP | EPOLLERR)) && !r->s) {
		relay_close(r);
		return;
	}
	relay_update(r);
}

static void on_data(struct stream *s, const uint8_t *p, size_t n)
{
	struct relay *r = s->ctx;
	if (!r)
		return;
	buf_put(&r->to_fd, p, n);
	relay_flush(r);
}

static void on_end(struct stream *s)
{
	struct relay *r = s->ctx;
	if (r)
		relay_flush(r); /* shuts down once what is buffered is out */
}

static void on_credit(struct stream *s)
{
	if (s->ctx)
		relay_update(s->ctx);
}

static void on_closed(struct stream *s)
{
	struct relay *r = s->ctx;
	if (!r)
		return;
	r->s = NULL;
	/* Reset or link gone: no one reads further; what is buffered still goes out. */
	if (!s->got_end || !s->sent_end) {
		r->fd_eof = true;
		if (!r->to_fd.len && !r->shut_done) {
			shutdown(r->fd, SHUT_WR);
			r->shut_done = true;
		}
	}
	relay_update(r);
}

static const struct stream_ops relay_ops = { .data = on_data, .end = on_end, .credit = on_credit, .closed = on_closed };

void relay_start(struct stream *s, int fd)
{
	struct relay *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->s = s;
	r->fd = fd;
	s->ops = &relay_ops;
	s->ctx = r;
	if (set_nonblock(fd) < 0 || watch_add(&r->w, fd, EPOLLIN, on_fd, r) < 0) {
		logmsg("relay: %s", errbuf);
		r->w.fd = -1;
		r->dead = true;
		close(fd);
		s->ctx = NULL;
		stream_reset(s, errbuf);
		free(r);
	}
}
