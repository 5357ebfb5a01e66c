/* A child process at one end of a call's stream, so the event loop never
 * waits on a filesystem walk or an unpacking:
 *   output: the child writes bytes into a pipe (a tar: diff, getArchive);
 *           the agent reads the pipe only while the stream has credit, so
 *           nothing bigger than a pipe and one DATA frame is held. The REPLY
 *           (null) goes first; if the child fails, the stream is RESET with
 *           its reason, as a tar cut short is no tar.
 *   input:  JS DATA goes down a pipe into the child (putArchive); the REPLY
 *           comes when the child has exited: its report, or its error (with
 *           the errno's name as the code).
 * A child reports on a second pipe: on success, output children write
 * nothing and input children the result JSON; on failure, "<errno> <message>". */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
	struct stream *s;
	bool input;
	int fd;             /* output: the pipe from the child; input: the pipe into it */
	struct watch w;     /* on fd: output only while there is credit */
	struct buf pending; /* input: DATA not yet in the pipe */
	int res_fd;
	pid_t pid;
	bool eof, exited, watching;
	int status;
	struct child *next;
};
static struct child *children;

static void child_free(struct child *c)
{
	for (struct child **pp = &children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->watching)
		watch_del(&c->w);
	if (c->fd >= 0)
		close(c->fd);
	if (c->res_fd >= 0)
		close(c->res_fd);
	buf_free(&c->pending);
	defer_free(c);
}

static void child_close_pipe(struct child *c)
{
	if (c->watching)
		watch_del(&c->w);
	c->watching = false;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->eof = true;
}

/* The child's report; on failure errbuf and errnum are set from it. */
static bool child_report(struct child *c, struct buf *report)
{
	char chunk[1024];
	ssize_t n;
	while ((n = read(c->res_fd, chunk, sizeof chunk)) > 0)
		buf_put(report, chunk, (size_t)n);
	if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0)
		return true;
	char *r = buf_cstr(report), *msg = r;
	int e = (int)strtol(r, &msg, 10);
	if (msg != r && *msg == ' ')
		msg++;
	else
		e = 0, msg = r;
	if (*msg)
		fail("%s", msg);
	else
		fail("the child died (status %d)", c->status);
	errnum = e;
	return false;
}

/* Done when the output is all read (or the input all written) and the child has exited. */
static void child_maybe_done(struct child *c)
{
	if (!c->exited || (!c->input && !c->eof))
		return;
	struct stream *s = c->s;
	struct buf report = { 0 };
	bool ok = child_report(c, &report);
	if (s) {
		c->s = NULL;
		s->ctx = NULL;
		if (c->input) {
			if (ok)
				stream_reply(s, report.len ? buf_cstr(&report) : "null");
			else
				stream_reply_error(s, errbuf);
			stream_end(s);
		} else if (ok) {
			stream_end(s);
		} else {
			stream_reset(s, errbuf);
		}
	}
	buf_free(&report);
	child_free(c);
}

static void output_update(struct child *c);

static void on_output_readable(struct watch *w, uint32_t events)
{
	(void)events;
	struct child *c = w->ctx;
	if (!c->s) {
		child_close_pipe(c);
		return child_maybe_done(c);
	}
	static uint8_t chunk[MAX_DATA];
	size_t want = c->s->credit < sizeof chunk ? c->s->credit : sizeof chunk;
	ssize_t n = want ? read(c->fd, chunk, want) : 0;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		stream_data(c->s, -1, chunk, (size_t)n);
		return output_update(c);
	}
	if (want) {
		if (n < 0)
			logmsg("child %d: read pipe: %s", (int)c->pid, strerror(errno));
		child_close_pipe(c);
		return child_maybe_done(c);
	}
	output_update(c);
}

/* The pipe is in epoll only while there is credit: a pipe whose writer is gone
 * reports EPOLLHUP whatever we ask for, which would spin while we wait. */
static void output_update(struct child *c)
{
	bool want = c->s && !c->eof && c->s->credit > 0;
	if (want && !c->watching) {
		if (watch_add(&c->w, c->fd, EPOLLIN, on_output_readable, c) < 0) {
			logmsg("child %d: %s", (int)c->pid, errbuf);
			return;
		}
		c->watching = true;
	} else if (!want && c->watching) {
		watch_del(&c->w);
		c->watching = false;
	}
}

static void input_flush(struct child *c)
{
	if (c->fd < 0)
		return;
	size_t before = c->pending.len;
	if (buf_write_fd(&c->pending, c->fd) < 0) {
		/* The child stopped reading (it failed, or is done): drain the rest. */
		if (c->s)
			stream_credit(c->s, before);
		buf_consume(&c->pending, c->pending.len);
		child_close_pipe(c);
		return;
	}
	if (c->s)
		stream_credit(c->s, before - c->pending.len);
	if (!c->pending.len && c->s && c->s->got_end) {
		child_close_pipe(c); /* EOF for the child */
		return;
	}
	watch_set(&c->w, c->pending.len ? EPOLLOUT : 0);
}

static void on_input_writable(struct watch *w, uint32_t events)
{
	(void)events;
	input_flush(w->ctx);
}

static void cs_data(struct stream *s, const uint8_t *p, size_t n)
{
	struct child *c = s->ctx;
	if (!c || !c->input || c->fd < 0) {
		stream_credit(s, n); /* nothing to feed: drain */
		return;
	}
	buf_put(&c->pending, p, n);
	input_flush(c);
}

static void cs_end(struct stream *s)
{
	struct child *c = s->ctx;
	if (c && c->input)
		input_flush(c);
}

static void cs_credit(struct stream *s)
{
	struct child *c = s->ctx;
	if (c && !c->input)
		output_update(c);
}

static void cs_closed(struct stream *s)
{
	struct child *c = s->ctx;
	if (!c)
		return;
	/* Reset or the link gone: stop the child; its exit frees us. */
	c->s = NULL;
	child_close_pipe(c);
	if (!c->exited)
		kill(c->pid, SIGKILL);
	child_maybe_done(c);
}

static const struct stream_ops cs_ops = { .data = cs_data, .end = cs_end, .credit = cs_credit, .closed = cs_closed };

bool child_stream_exit(pid_t pid, int status)
{
	for (struct child *c = children; c; c = c->next) {
		if (c->pid != pid)
			continue;
		c->exited = true;
		c->status = status;
		child_maybe_done(c);
		return true;
	}
	return false;
}

int child_stream_start(struct stream *s, bool input, int (*fn)(int fd, int res_fd, void *arg), void *arg)
{
	int dp[2], rp[2];
	if (pipe2(dp, O_CLOEXEC) < 0)
		return fail_errno("pipe2");
	if (pipe2(rp, O_CLOEXEC) < 0) {
		close(dp[0]), close(dp[1]);
		return fail_errno("pipe2");
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(dp[0]), close(dp[1]), close(rp[0]), close(rp[1]);
		return fail_errno("fork");
	}
	if (pid == 0) {
		child_reset_signals();
		signal(SIGPIPE, SIG_IGN); /* a reader gone is EPIPE, handled */
		int mine = input ? dp[0] : dp[1];
		/* Only our two pipes: holding another's (a putLayer child's input)
		 * open would keep it from seeing EOF. */
		int r = keep_only_fds(mine, rp[1]);
		if (r == 0)
			r = fn(mine, rp[1], arg);
		if (r < 0) {
			char num[16];
			int k = snprintf(num, sizeof num, "%d ", errnum);
			if (write(rp[1], num, (size_t)k) < 0 || write(rp[1], errbuf, strlen(errbuf)) < 0)
				_exit(2);
		}
		_exit(r < 0 ? 1 : 0);
	}
	close(input ? dp[0] : dp[1]);
	close(rp[1]);
	struct child *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->s = s;
	c->input = input;
	c->fd = input ? dp[1] : dp[0];
	c->w.fd = -1;
	c->res_fd = rp[0];
	c->pid = pid;
	c->next = children;
	children = c;
	s->ctx = c;
	s->ops = &cs_ops;
	if (set_nonblock(c->fd) < 0 || set_nonblock(c->res_fd) < 0 || (input && watch_add(&c->w, c->fd, 0, on_input_writable, c) < 0)) {
		/* The child's exit frees c; the stream is answered now. */
		kill(pid, SIGKILL);
		c->s = NULL;
		s->ctx = NULL;
		child_close_pipe(c);
		return -1;
	}
	if (input) {
		c->watching = true;
	} else {
		stream_reply(s, "null");
		output_update(c);
	}
	return 0;
}
