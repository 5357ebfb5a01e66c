/* The content store: each layer unpacked once into
 * /var/lib/slipway/layers/<hex of diff_id>/, ready to be an overlay lower dir.
 * (The hex alone: a ':' would split overlay's lowerdir option.)
 *
 * The bytes arrive as DATA on the putLayer stream and go down a pipe to a
 * child, so the event loop never waits on the unpacking. The child inflates
 * (zlib), hashes the uncompressed tar (nettle's sha256: that is the diff_id),
 * feeds busybox `tar -x`, then turns OCI whiteouts into overlay ones:
 *   .wh.NAME       -> NAME as a character device 0:0
 *   .wh..wh..opq   -> the directory gets trusted.overlay.opaque=y */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

int layer_dir(const char *diff_id, char *out, size_t n)
{
	if (!diff_id || strncmp(diff_id, "sha256:", 7) != 0 || strlen(diff_id) != 7 + 64 || strspn(diff_id + 7, "0123456789abcdef") != 64)
		return fail("not a sha256 diff_id: %s", diff_id ? diff_id : "(missing)");
	if ((size_t)snprintf(out, n, STATE_DIR "/layers/%s", diff_id + 7) >= n)
		return fail("layer path too long");
	return 0;
}

/* ---- in the child ---- */

static int convert_whiteouts(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return fail_errno("opendir %s", dir);
	/* Collect first: changing a directory while reading it is unreliable. */
	struct buf names = { 0 };
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		buf_put(&names, e->d_name, strlen(e->d_name) + 1);
		count++;
	}
	closedir(d);
	int r = 0;
	char *name = (char *)buf_data(&names);
	for (size_t i = 0; i < count && r == 0; i++, name += strlen(name) + 1) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (!strcmp(name, ".wh..wh..opq")) {
			if (unlink(path) < 0)
				r = fail_errno("unlink %s", path);
			else if (setxattr(dir, "trusted.overlay.opaque", "y", 1, 0) < 0)
				r = fail_errno("setxattr trusted.overlay.opaque %s", dir);
		} else if (!strncmp(name, ".wh.", 4)) {
			char target[4096];
			snprintf(target, sizeof target, "%s/%s", dir, name + 4);
			if (unlink(path) < 0)
				r = fail_errno("unlink %s", path);
			else if (rm_rf(target) < 0)
				r = -1;
			else if (mknod(target, S_IFCHR | 0000, makedev(0, 0)) < 0)
				r = fail_errno("mknod %s", target);
		} else {
			struct stat st;
			if (lstat(path, &st) < 0)
				r = fail_errno("lstat %s", path);
			else if (S_ISDIR(st.st_mode))
				r = convert_whiteouts(path);
		}
	}
	buf_free(&names);
	return r;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads the layer from fd 0; returns the uncompressed size or -1. */
static long long unpack(const char *hex, const char *tmp, const char *final)
{
	if (mkdir(tmp, 0755) < 0)
		return fail_errno("mkdir %s", tmp);
	int tp[2];
	if (pipe(tp) < 0)
		return fail_errno("pipe");
	pid_t tar = fork();
	if (tar < 0)
		return fail_errno("fork tar");
	if (tar == 0) {
		child_reset_signals();
		dup2(tp[0], 0);
		close(tp[0]);
		close(tp[1]);
		execlp("tar", "tar", "-x", "-f", "-", "-C", tmp, (char *)NULL);
		fprintf(stderr, "exec tar: %s\n", strerror(errno));
		_exit(127);
	}
	close(tp[0]);

	struct sha256_ctx sha;
	sha256_init(&sha);
	z_stream z = { 0 };
	bool gz = false, sniffed = false, tar_gone = false;
	long long size = 0;
	static uint8_t inb[65536], outb[65536];
	for (;;) {
		ssize_t n = read(0, inb, sizeof inb);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_errno("read layer stream");
		if (n == 0)
			break;
		if (!sniffed) {
			sniffed = true;
			gz = n >= 2 && inb[0] == 0x1f && inb[1] == 0x8b;
			/* 16+: a gzip header and trailer around the deflate data. */
			if (gz && inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
				return fail("inflateInit2 failed");
		}
		z.next_in = inb;
		z.avail_in = (uInt)n;
		do {
			const uint8_t *data = inb;
			size_t len = (size_t)n;
			if (gz) {
				z.next_out = outb;
				z.avail_out = sizeof outb;
				int zr = inflate(&z, Z_NO_FLUSH);
				if (zr == Z_STREAM_END && z.avail_in)
					inflateReset(&z); /* another gzip member follows */
				else if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
					return fail("layer: gzip data is corrupt (%s)", z.msg ? z.msg : "inflate failed");
				data = outb;
				len = sizeof outb - z.avail_out;
			} else {
				z.avail_in = 0;
			}
			sha256_update(&sha, len, data);
			size += (long long)len;
			/* tar may stop at the end-of-archive blocks and leave padding
			 * unread: keep hashing what follows, write it nowhere. */
			if (!tar_gone && len && write_all(tp[1], data, len) < 0) {
				if (errno != EPIPE)
					return fail_errno("write to tar");
				tar_gone = true;
			}
		} while (gz && (z.avail_in || z.avail_out == 0));
	}
	if (gz)
		inflateEnd(&z);
	close(tp[1]);
	int status;
	while (waitpid(tar, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno("waitpid tar");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail("tar -x into %s failed (status %d)", tmp, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));

	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_digest(&sha, sizeof digest, digest);
	char got[65];
	for (int i = 0; i < 32; i++)
		sprintf(got + 2 * i, "%02x", digest[i]);
	if (strcmp(got, hex) != 0)
		return fail("layer diff_id mismatch: the tar's sha256 is %s, expected %s", got, hex);
	if (convert_whiteouts(tmp) < 0)
		return -1;
	if (rename(tmp, final) < 0) {
		/* Someone stored the same layer meanwhile: theirs will do. */
		if (errno != EEXIST && errno != ENOTEMPTY)
			return fail_errno("rename %s to %s", tmp, final);
		rm_rf(tmp);
	}
	return size;
}

/* ---- in the agent ---- */

struct put {
	struct stream *s;
	pid_t pid;
	int res_fd;        /* the child's report */
	struct watch w;    /* the pipe into the child */
	struct buf pending;
	char tmp[300], final[200];
	long long existing; /* >= 0: already stored, the body is only drained */
	struct put *next;
};
static struct put *puts_list;

static void put_finish_reply(struct put *pt, bool ok, const char *msg)
{
	struct stream *s = pt->s;
	if (s) {
		/* Detach first: ending the stream may finish it at once. */
		s->ctx = NULL;
		pt->s = NULL;
		if (ok)
			stream_reply(s, msg);
		else
			stream_reply_error(s, msg);
		stream_end(s);
	}
}

static void put_close_input(struct put *pt)
{
	if (pt->w.fd >= 0) {
		int fd = pt->w.fd;
		watch_del(&pt->w);
		close(fd);
	}
}

static void put_free(struct put *pt)
{
	for (struct put **pp = &puts_list; *pp; pp = &(*pp)->next)
		if (*pp == pt) {
			*pp = pt->next;
			break;
		}
	put_close_input(pt);
	if (pt->res_fd >= 0)
		close(pt->res_fd);
	buf_free(&pt->pending);
	defer_free(pt);
}

static void put_flush(struct put *pt)
{
	if (pt->w.fd < 0)
		return;
	size_t before = pt->pending.len;
	if (buf_write_fd(&pt->pending, pt->w.fd) < 0) {
		/* The child died early; its exit status tells why. */
		put_close_input(pt);
		return;
	}
	if (pt->s)
		stream_credit(pt->s, before - pt->pending.len);
	if (!pt->pending.len && pt->s && pt->s->got_end) {
		put_close_input(pt); /* EOF for the child */
		return;
	}
	watch_set(&pt->w, pt->pending.len ? EPOLLOUT : 0);
}

static void on_put_writable(struct watch *w, uint32_t events)
{
	(void)events;
	put_flush(w->ctx);
}

static void put_data(struct stream *s, const uint8_t *p, size_t n)
{
	struct put *pt = s->ctx;
	if (!pt || pt->existing >= 0 || pt->w.fd < 0) {
		stream_credit(s, n); /* nothing to feed: drain */
		return;
	}
	buf_put(&pt->pending, p, n);
	put_flush(pt);
}

static void put_end(struct stream *s)
{
	struct put *pt = s->ctx;
	if (!pt)
		return;
	if (pt->existing >= 0) {
		char r[64];
		snprintf(r, sizeof r, "{\"size\":%lld}", pt->existing);
		put_finish_reply(pt, true, r);
		put_free(pt);
		return;
	}
	put_flush(pt);
}

static void put_closed(struct stream *s)
{
	struct put *pt = s->ctx;
	if (!pt)
		return;
	pt->s = NULL;
	/* Reset or link lost mid-layer: stop the child; its exit cleans up. */
	if (pt->pid > 0)
		kill(pt->pid, SIGKILL);
	else
		put_free(pt);
}

static const struct stream_ops put_ops = { .data = put_data, .end = put_end, .closed = put_closed };

bool layers_child_exit(pid_t pid, int status)
{
	for (struct put *pt = puts_list; pt; pt = pt->next) {
		if (pt->pid != pid)
			continue;
		struct buf report = { 0 };
		char chunk[1024];
		ssize_t n;
		while ((n = read(pt->res_fd, chunk, sizeof chunk)) > 0)
			buf_put(&report, chunk, (size_t)n);
		bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (!ok) {
			rm_rf(pt->tmp);
			if (!report.len)
				buf_printf(&report, "unpacking %s: the unpacker died (status %d)", pt->final, status);
		}
		put_finish_reply(pt, ok, buf_cstr(&report));
		buf_free(&report);
		put_free(pt);
		return true;
	}
	return false;
}

void call_put_layer(struct stream *s, yajl_val p)
{
	const char *diff_id = json_get_str(p, "diffId");
	struct put *pt = calloc(1, sizeof *pt);
	if (!pt)
		abort();
	pt->w.fd = pt->res_fd = -1;
	pt->existing = -1;
	pt->s = s;
	s->ctx = pt;
	s->ops = &put_ops;
	pt->next = puts_list;
	puts_list = pt;
	if (layer_dir(diff_id, pt->final, sizeof pt->final) < 0) {
		put_finish_reply(pt, false, errbuf);
		put_free(pt);
		return;
	}
	struct stat st;
	if (stat(pt->final, &st) == 0) {
		char sizef[300];
		snprintf(sizef, sizeof sizef, "%s.size", pt->final);
		FILE *f = fopen(sizef, "re");
		pt->existing = 0;
		if (f) {
			if (fscanf(f, "%lld", &pt->existing) != 1)
				pt->existing = 0;
			fclose(f);
		}
		return; /* the body is drained, then the reply */
	}
	int in[2], res[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0) {
		fail_errno("pipe2");
		put_finish_reply(pt, false, errbuf);
		put_free(pt);
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fail_errno("fork");
		close(in[0]), close(in[1]), close(res[0]), close(res[1]);
		put_finish_reply(pt, false, errbuf);
		put_free(pt);
		return;
	}
	snprintf(pt->tmp, sizeof pt->tmp, "%s.tmp-%d", pt->final, pid ? pid : getpid());
	if (pid == 0) {
		child_reset_signals();
		signal(SIGPIPE, SIG_IGN); /* tar leaving early is EPIPE, handled */
		/* Only our two pipes: holding another layer's pipe open would
		 * keep its child from ever seeing EOF. */
		dup2(in[0], 0);
		dup2(res[1], 3);
		close_range(4, ~0U, 0);
		res[1] = 3;
		long long size = unpack(pt->final + strlen(STATE_DIR "/layers/"), pt->tmp, pt->final);
		if (size < 0) {
			if (write(res[1], errbuf, strlen(errbuf)) < 0)
				_exit(2);
			_exit(1);
		}
		char sizef[300], r[64];
		snprintf(sizef, sizeof sizef, "%s.size", pt->final);
		int n = snprintf(r, sizeof r, "%lld", size);
		write_file(sizef, r, (size_t)n, 0600);
		n = snprintf(r, sizeof r, "{\"size\":%lld}", size);
		if (write(res[1], r, (size_t)n) < 0)
			_exit(2);
		_exit(0);
	}
	close(in[0]);
	close(res[1]);
	pt->pid = pid;
	pt->res_fd = res[0];
	if (set_nonblock(in[1]) < 0 || set_nonblock(res[0]) < 0 || watch_add(&pt->w, in[1], 0, on_put_writable, pt) < 0) {
		close(in[1]);
		kill(pid, SIGKILL); /* its exit frees pt */
		s->ctx = NULL;
		pt->s = NULL;
		stream_reply_error(s, errbuf);
		stream_end(s);
	}
}

void call_has_layer(struct stream *s, yajl_val p)
{
	char dir[256];
	struct stat st;
	if (layer_dir(json_get_str(p, "diffId"), dir, sizeof dir) < 0)
		stream_reply_error(s, errbuf);
	else
		stream_reply(s, stat(dir, &st) == 0 ? "true" : "false");
	stream_end(s);
}

void call_remove_layer(struct stream *s, yajl_val p)
{
	char dir[256], sizef[300];
	if (layer_dir(json_get_str(p, "diffId"), dir, sizeof dir) < 0 || rm_rf(dir) < 0) {
		stream_reply_error(s, errbuf);
	} else {
		snprintf(sizef, sizeof sizef, "%s.size", dir);
		unlink(sizef);
		stream_reply(s, "null");
	}
	stream_end(s);
}
