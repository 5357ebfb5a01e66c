/* A container's or an exec's stdio, held by the agent (the shim's job): the
 * pipes or the pty master stay open here, so output is kept while no client
 * is attached, and sent as DATA (first byte: 1 stdout, 2 stderr) to the
 * stream attached, within its credit. */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define KEEP (1024 * 1024) /* output kept while detached; then the writer blocks */

struct proc {
	struct watch out_w, err_w, in_w;
	bool tty;
	struct buf outq; /* records: u8 fd, u32 length (host order), bytes */
	struct buf stdin_pending;
	struct stream *s;
	bool exited, exit_sent;
	int status;
	bool oom;
	char error[512];
};

static void proc_pump(struct proc *pr);

static void close_watch(struct watch *w)
{
	int fd = w->fd;
	if (fd < 0)
		return;
	watch_del(w);
	close(fd);
}

static void update_reading(struct proc *pr)
{
	uint32_t ev = pr->outq.len < KEEP ? EPOLLIN : 0;
	watch_set(&pr->out_w, ev);
	watch_set(&pr->err_w, ev);
}

static void on_output(struct watch *w, uint32_t events)
{
	(void)events;
	struct proc *pr = w->ctx;
	uint8_t chunk[16384];
	ssize_t n = read(w->fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF, or EIO from a pty master once the last slave holder is gone. */
		close_watch(w);
	} else {
		uint8_t fd = w == &pr->err_w ? 2 : 1;
		uint32_t len = (uint32_t)n;
		buf_put(&pr->outq, &fd, 1);
		buf_put(&pr->outq, &len, 4);
		buf_put(&pr->outq, chunk, (size_t)n);
	}
	proc_pump(pr);
}

static void stdin_flush(struct proc *pr)
{
	if (pr->in_w.fd < 0) {
		if (pr->s)
			stream_credit(pr->s, pr->stdin_pending.len);
		pr->stdin_pending.len = 0;
		return;
	}
	size_t before = pr->stdin_pending.len;
	if (buf_write_fd(&pr->stdin_pending, pr->in_w.fd) < 0) {
		close_watch(&pr->in_w); /* the process closed its stdin */
		pr->stdin_pending.len = 0;
	}
	if (pr->s)
		stream_credit(pr->s, before - pr->stdin_pending.len);
	/* A tty's "stdin" is the master: closing it would hang the terminal up. */
	if (!pr->stdin_pending.len && pr->s && pr->s->got_end && !pr->tty)
		close_watch(&pr->in_w);
	else
		watch_set(&pr->in_w, pr->stdin_pending.len ? EPOLLOUT : 0);
}

static void on_stdin_writable(struct watch *w, uint32_t events)
{
	(void)events;
	stdin_flush(w->ctx);
}

static void proc_pump(struct proc *pr)
{
	struct stream *s = pr->s;
	while (s && pr->outq.len && s->credit > 1) {
		uint8_t *rec = buf_data(&pr->outq);
		uint32_t len;
		memcpy(&len, rec + 1, 4);
		size_t n = len;
		if (n > s->credit - 1)
			n = s->credit - 1;
		if (n > MAX_DATA - 1)
			n = MAX_DATA - 1;
		stream_data(s, rec[0], rec + 5, n);
		if (n == len) {
			buf_consume(&pr->outq, 5 + n);
		} else {
			/* Send the rest later: move the record header forward. */
			uint8_t fd = rec[0];
			uint32_t rest = len - (uint32_t)n;
			buf_consume(&pr->outq, n);
			rec = buf_data(&pr->outq);
			rec[0] = fd;
			memcpy(rec + 1, &rest, 4);
		}
	}
	update_reading(pr);
	/* All output is out and the process is gone: say how it ended. */
	if (s && pr->exited && !pr->exit_sent && !pr->outq.len && pr->out_w.fd < 0 && pr->err_w.fd < 0) {
		struct buf b = { 0 };
		buf_printf(&b, "{\"exit\":{\"status\":%d,\"oomKilled\":%s", pr->status, pr->oom ? "true" : "false");
		if (pr->error[0]) {
			buf_printf(&b, ",\"error\":");
			buf_json_str(&b, pr->error);
		}
		buf_printf(&b, "}}");
		stream_event(s, buf_cstr(&b));
		buf_free(&b);
		pr->exit_sent = true;
		stream_end(s);
	}
}

static void io_data(struct stream *s, const uint8_t *p, size_t n)
{
	struct proc *pr = s->ctx;
	if (!pr) {
		stream_credit(s, n);
		return;
	}
	buf_put(&pr->stdin_pending, p, n);
	stdin_flush(pr);
}

static void io_end(struct stream *s)
{
	if (s->ctx)
		stdin_flush(s->ctx);
}

static void io_event(struct stream *s, yajl_val ev)
{
	struct proc *pr = s->ctx;
	yajl_val rs = json_get(ev, "resize");
	if (!pr || !YAJL_IS_ARRAY(rs) || rs->u.array.len != 2 || !pr->tty || pr->out_w.fd < 0)
		return;
	struct winsize ws = { .ws_row = (unsigned short)YAJL_GET_INTEGER(rs->u.array.values[0]), .ws_col = (unsigned short)YAJL_GET_INTEGER(rs->u.array.values[1]) };
	if (ioctl(pr->out_w.fd, TIOCSWINSZ, &ws) < 0)
		logmsg("TIOCSWINSZ: %s", strerror(errno));
}

static void io_credit(struct stream *s)
{
	if (s->ctx)
		proc_pump(s->ctx);
}

static void io_closed(struct stream *s)
{
	struct proc *pr = s->ctx;
	if (pr && pr->s == s)
		pr->s = NULL; /* detached: output is kept for the next attach */
}

static const struct stream_ops io_ops = { .data = io_data, .end = io_end, .event = io_event, .credit = io_credit, .closed = io_closed };

struct proc *proc_new(int in_fd, int out_fd, int err_fd, bool tty)
{
	struct proc *pr = calloc(1, sizeof *pr);
	if (!pr)
		abort();
	pr->tty = tty;
	pr->out_w.fd = pr->err_w.fd = pr->in_w.fd = -1;
	if (out_fd >= 0 && (set_nonblock(out_fd) < 0 || watch_add(&pr->out_w, out_fd, EPOLLIN, on_output, pr) < 0))
		logmsg("stdio: %s", errbuf);
	if (err_fd >= 0 && (set_nonblock(err_fd) < 0 || watch_add(&pr->err_w, err_fd, EPOLLIN, on_output, pr) < 0))
		logmsg("stdio: %s", errbuf);
	if (in_fd >= 0 && (set_nonblock(in_fd) < 0 || watch_add(&pr->in_w, in_fd, 0, on_stdin_writable, pr) < 0))
		logmsg("stdio: %s", errbuf);
	return pr;
}

void proc_attach(struct proc *pr, struct stream *s)
{
	if (pr->s && pr->s != s) {
		struct stream *old = pr->s;
		pr->s = NULL;
		old->ctx = NULL;
		stream_reset(old, "another client attached");
	}
	pr->s = s;
	s->ctx = pr;
	s->ops = &io_ops;
	pr->exit_sent = false;
	proc_pump(pr);
}

void proc_set_exit(struct proc *pr, int status, bool oom, const char *error)
{
	if (pr->exited)
		return;
	pr->exited = true;
	pr->status = status;
	pr->oom = oom;
	if (error)
		snprintf(pr->error, sizeof pr->error, "%s", error);
	proc_pump(pr);
}

bool proc_exited(struct proc *pr) { return pr->exited; }

void proc_free(struct proc *pr)
{
	if (!pr)
		return;
	if (pr->s) {
		pr->s->ctx = NULL;
		stream_reset(pr->s, "the container was removed");
	}
	close_watch(&pr->out_w);
	close_watch(&pr->err_w);
	close_watch(&pr->in_w);
	buf_free(&pr->outq);
	buf_free(&pr->stdin_pending);
	defer_free(pr);
}
