/* Small helpers: error messages, byte buffers, files, running a command. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char errbuf[1024];
int errnum;

int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof errbuf, fmt, ap);
	va_end(ap);
	errnum = 0;
	return -1;
}

int fail_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(errbuf, sizeof errbuf, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof errbuf)
		snprintf(errbuf + n, sizeof errbuf - n, ": %s", strerror(e));
	errnum = e;
	errno = e;
	return -1;
}

void logmsg(const char *fmt, ...)
{
	/* stderr goes to /var/log/agent.log (see S50agent). */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "[%5ld.%03ld] agent: ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void buf_reserve(struct buf *b, size_t n)
{
	if (b->off + b->len + n <= b->cap)
		return;
	if (b->off && b->len + n <= b->cap) {
		memmove(b->p, b->p + b->off, b->len);
		b->off = 0;
		return;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	uint8_t *p = malloc(cap);
	if (!p) {
		logmsg("out of memory (%zu bytes)", cap);
		abort();
	}
	if (b->len)
		memcpy(p, b->p + b->off, b->len);
	free(b->p);
	b->p = p;
	b->off = 0;
	b->cap = cap;
}

void buf_put(struct buf *b, const void *data, size_t n)
{
	if (!n)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->off + b->len, data, n);
	b->len += n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->off + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_json_str(struct buf *b, const char *s)
{
	buf_put(b, "\"", 1);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_put(b, s, 1);
	}
	buf_put(b, "\"", 1);
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->off = b->len = 0;
		return;
	}
	b->off += n;
	b->len -= n;
}

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

char *buf_cstr(struct buf *b)
{
	buf_reserve(b, 1);
	b->p[b->off + b->len] = 0;
	return (char *)b->p + b->off;
}

ssize_t buf_write_fd(struct buf *b, int fd)
{
	ssize_t total = 0;
	while (b->len) {
		ssize_t n = write(fd, buf_data(b), b->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		buf_consume(b, (size_t)n);
		total += n;
	}
	return total;
}

int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return fail_errno("fcntl O_NONBLOCK fd %d", fd);
	return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return fail("mkdir %s: path too long", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return fail_errno("mkdir %s", tmp);
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return fail_errno("mkdir %s", tmp);
	return 0;
}

int rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fail_errno("lstat %s", path);
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return fail_errno("opendir %s", path);
		struct dirent *e;
		int r = 0;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[4096];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			if (rm_rf(sub) < 0)
				r = -1;
		}
		closedir(d);
		if (r < 0)
			return r;
		if (rmdir(path) < 0)
			return fail_errno("rmdir %s", path);
		return 0;
	}
	if (unlink(path) < 0)
		return fail_errno("unlink %s", path);
	return 0;
}

ssize_t read_small_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t got;
	while ((got = read(fd, buf, n - 1)) < 0 && errno == EINTR)
		;
	close(fd);
	if (got < 0)
		return -1;
	buf[got] = 0;
	return got;
}

int write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return fail_errno("open %s", path);
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail_errno("write %s", path);
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	if (close(fd) < 0)
		return fail_errno("close %s", path);
	return 0;
}

int run_cmd(char *const argv[], struct buf *out)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail_errno("pipe2");
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return fail_errno("fork for %s", argv[0]);
	}
	if (pid == 0) {
		child_reset_signals();
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	char chunk[4096];
	ssize_t n;
	while ((n = read(p[0], chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out)
			buf_put(out, chunk, (size_t)n);
	}
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno("waitpid %s", argv[0]);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

yajl_val json_get(yajl_val v, const char *key)
{
	if (!YAJL_IS_OBJECT(v))
		return NULL;
	for (size_t i = 0; i < v->u.object.len; i++)
		if (!strcmp(v->u.object.keys[i], key))
			return v->u.object.values[i];
	return NULL;
}

const char *json_get_str(yajl_val v, const char *key)
{
	yajl_val s = json_get(v, key);
	return YAJL_IS_STRING(s) ? s->u.string : NULL;
}

long long json_get_int(yajl_val v, const char *key, long long dflt)
{
	yajl_val n = json_get(v, key);
	return YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : dflt;
}

bool json_get_bool(yajl_val v, const char *key)
{
	return YAJL_IS_TRUE(json_get(v, key));
}

bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 128 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ',' || (unsigned char)*s < 0x21)
			return false;
	return true;
}

void child_reset_signals(void)
{
	/* The agent blocks SIGCHLD (for its signalfd) and ignores SIGPIPE; a
	 * program it starts should begin with neither. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
}

int keep_only_fds(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	/* Closes 3.. except lo and hi; close_range wants first <= last. */
	if ((lo > 3 && close_range(3, (unsigned)lo - 1, 0) < 0) || (hi > lo + 1 && close_range((unsigned)lo + 1, (unsigned)hi - 1, 0) < 0) ||
	    close_range((unsigned)hi + 1, ~0U, 0) < 0)
		return fail_errno("close_range");
	return 0;
}
