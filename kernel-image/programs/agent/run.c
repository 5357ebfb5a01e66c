/* run: a shell script in the guest itself (the Docker host), not in a
 * container: `/bin/sh -c script` as root in the agent's namespaces, cwd
 * /root, a clean environment, stdin /dev/null, stdout and stderr into one
 * pipe. The lesson runner checks and solves steps with it, away from the
 * learner's terminal. The reply comes when sh exits: {status, output,
 * timedOut}. After `timeout` seconds its whole process group is killed. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_OUTPUT (1024 * 1024) /* kept for the reply; the rest is dropped */

struct run {
	struct stream *s; /* NULL once the caller is gone */
	pid_t pid;
	struct watch out_w, timer_w;
	struct buf out;
	bool truncated, timed_out;
	struct run *next;
};
static struct run *runs;

static void close_watch(struct watch *w)
{
	int fd = w->fd;
	if (fd < 0)
		return;
	watch_del(w);
	close(fd);
}

/* Reads what the pipe has now; false at EOF or an error. */
static bool drain(struct run *r)
{
	char chunk[16384];
	for (;;) {
		ssize_t n = read(r->out_w.fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) {
			if (n < 0)
				logmsg("run: read output pipe: %s", strerror(errno));
			return false;
		}
		size_t keep = r->out.len < MAX_OUTPUT ? MAX_OUTPUT - r->out.len : 0;
		if ((size_t)n > keep)
			r->truncated = true;
		buf_put(&r->out, chunk, (size_t)n < keep ? (size_t)n : keep);
	}
}

static void on_output(struct watch *w, uint32_t events)
{
	(void)events;
	struct run *r = w->ctx;
	if (!drain(r))
		close_watch(&r->out_w);
}

static void on_timeout(struct watch *w, uint32_t events)
{
	(void)events;
	struct run *r = w->ctx;
	uint64_t ticks;
	if (read(w->fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		logmsg("run: read timerfd: %s", strerror(errno));
	close_watch(&r->timer_w);
	r->timed_out = true;
	/* The script's children too: it leads its own process group (setsid). */
	if (kill(-r->pid, SIGKILL) < 0 && errno != ESRCH)
		logmsg("run: kill -%d: %s", (int)r->pid, strerror(errno));
}

static void run_closed(struct stream *s)
{
	struct run *r = s->ctx;
	if (!r)
		return;
	/* Nobody waits for the answer: stop the script; its exit frees r. */
	r->s = NULL;
	if (kill(-r->pid, SIGKILL) < 0 && errno != ESRCH)
		logmsg("run: kill -%d: %s", (int)r->pid, strerror(errno));
}

static void run_ignore(struct stream *s, const uint8_t *p, size_t n)
{
	(void)p;
	stream_credit(s, n);
}

static const struct stream_ops run_ops = { .data = run_ignore, .closed = run_closed };

bool run_child_exit(pid_t pid, int status)
{
	for (struct run **pp = &runs; *pp; pp = &(*pp)->next) {
		struct run *r = *pp;
		if (r->pid != pid)
			continue;
		*pp = r->next;
		/* sh is gone, so all it wrote is in the pipe. A background child
		 * may hold the pipe open: take what is there, do not wait for EOF. */
		if (r->out_w.fd >= 0)
			drain(r);
		close_watch(&r->out_w);
		close_watch(&r->timer_w);
		if (r->s) {
			struct stream *s = r->s;
			s->ctx = NULL;
			int st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			if (r->timed_out)
				st = 124; /* as timeout(1) says it */
			struct buf b = { 0 };
			buf_printf(&b, "{\"status\":%d,\"timedOut\":%s,\"truncated\":%s,\"output\":", st, r->timed_out ? "true" : "false", r->truncated ? "true" : "false");
			buf_json_str(&b, buf_cstr(&r->out));
			buf_printf(&b, "}");
			stream_reply(s, buf_cstr(&b));
			stream_end(s);
			buf_free(&b);
		}
		buf_free(&r->out);
		defer_free(r);
		return true;
	}
	return false;
}

void call_run(struct stream *s, yajl_val p)
{
	const char *script = json_get_str(p, "script");
	long long timeout = json_get_int(p, "timeout", 60);
	if (!script) {
		stream_reply_error(s, "run: script is required");
		return stream_end(s);
	}
	if (timeout <= 0 || timeout > 24 * 3600) {
		stream_reply_error(s, "run: timeout must be 1 to 86400 seconds");
		return stream_end(s);
	}
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0) {
		fail_errno("run: pipe2");
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = { .it_value = { .tv_sec = (time_t)timeout } };
	if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
		fail_errno("run: timerfd");
		if (tfd >= 0)
			close(tfd);
		close(out[0]), close(out[1]);
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	pid_t pid = fork();
	if (pid < 0) {
		fail_errno("run: fork");
		close(tfd), close(out[0]), close(out[1]);
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	if (pid == 0) {
		child_reset_signals();
		/* Its own session and process group: the timeout kills all of it,
		 * and no terminal of the agent's is its controlling one. */
		if (setsid() < 0)
			dprintf(out[1], "run: setsid: %s\n", strerror(errno));
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0) {
			dprintf(out[1], "run: stdio: %s\n", strerror(errno));
			_exit(126);
		}
		if (close_range(3, ~0U, 0) < 0)
			dprintf(2, "run: close_range: %s\n", strerror(errno));
		if (chdir("/root") < 0) {
			dprintf(2, "run: chdir /root: %s\n", strerror(errno));
			_exit(126);
		}
		char *argv[] = { "sh", "-c", (char *)script, NULL };
		char *envp[] = { "HOME=/root", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "USER=root", "LOGNAME=root", "SHELL=/bin/sh", "TERM=dumb", NULL };
		execve("/bin/sh", argv, envp);
		dprintf(2, "run: exec /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	close(out[1]);
	struct run *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->pid = pid;
	r->s = s;
	r->out_w.fd = r->timer_w.fd = -1;
	r->next = runs;
	runs = r;
	s->ctx = r;
	s->ops = &run_ops;
	if (set_nonblock(out[0]) < 0 || watch_add(&r->out_w, out[0], EPOLLIN, on_output, r) < 0) {
		logmsg("run: %s", errbuf); /* the output is lost; the status still comes */
		close(out[0]);
		r->out_w.fd = -1;
	}
	if (watch_add(&r->timer_w, tfd, EPOLLIN, on_timeout, r) < 0) {
		logmsg("run: %s", errbuf);
		close(tfd);
		r->timer_w.fd = -1;
	}
}
