/* diff: a container's overlay upper dir as an OCI layer tar, streamed as
 * DATA on the call's stream. The upper dir is the container's changes:
 *   a char device 0:0 (overlay whiteout)    -> .wh.NAME, an empty file
 *   a dir with trusted.overlay.opaque=y     -> the dir, then DIR/.wh..wh..opq
 * Overlay's xattrs (trusted.overlay.*) are its bookkeeping and are not
 * written. A child walks the tree and writes the tar into a pipe (blocking
 * I/O, off the event loop); the agent reads the pipe only while the stream
 * has credit, so nothing bigger than a pipe and one DATA frame is held. The
 * upper dir needs no mount: it is there whether the container runs or not. */
#include "agent.h"
#include "tar_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* ---- in the child: the tree as a tar ---- */

struct seen {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct walk {
	struct tar_writer tw;
	struct seen *seen; /* files with more than one link: hard links to the first */
	size_t n_seen, cap_seen;
	char copybuf[64 * 1024];
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *first_link(struct walk *w, const struct stat *st, const char *rel)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return w->seen[i].path;
	if (w->n_seen == w->cap_seen) {
		w->cap_seen = w->cap_seen ? 2 * w->cap_seen : 16;
		w->seen = realloc(w->seen, w->cap_seen * sizeof *w->seen);
		if (!w->seen)
			abort();
	}
	w->seen[w->n_seen++] = (struct seen){ st->st_dev, st->st_ino, strdup(rel) };
	return NULL;
}

static int put_file(struct walk *w, const char *abs, struct tar_hdr *h)
{
	int fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fail_errno("open %s", abs);
	if (tw_header(&w->tw, h) < 0) {
		close(fd);
		return -1;
	}
	/* The size in the header is what goes out: a file that shrinks meanwhile
	 * (a running container) is padded with zeros, one that grows is cut. */
	unsigned long long left = h->size;
	while (left) {
		size_t want = left < sizeof w->copybuf ? (size_t)left : sizeof w->copybuf;
		ssize_t n = read(fd, w->copybuf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail_errno("read %s", abs);
			close(fd);
			return -1;
		}
		if (n == 0) {
			memset(w->copybuf, 0, want);
			n = (ssize_t)want;
		}
		if (tw_data(&w->tw, w->copybuf, (size_t)n) < 0) {
			close(fd);
			return -1;
		}
		left -= (unsigned long long)n;
	}
	close(fd);
	return tw_pad(&w->tw, h->size);
}

/* Writes the entries under abs (rel is its path in the tar, "" at the top). */
static int walk_dir(struct walk *w, const char *abs, const char *rel)
{
	DIR *d = opendir(abs);
	if (!d)
		return fail_errno("opendir %s", abs);
	/* Sorted: the same tree always makes the same tar (and diff_id). */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = realloc(names, cap * sizeof *names);
			if (!names)
				abort();
		}
		names[n++] = strdup(e->d_name);
	}
	int r = errno ? fail_errno("readdir %s", abs) : 0;
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);

	for (size_t i = 0; i < n && r == 0; i++) {
		char a[4096], rp[4096], name[4096], link[4096];
		if ((size_t)snprintf(a, sizeof a, "%s/%s", abs, names[i]) >= sizeof a || (size_t)snprintf(rp, sizeof rp, "%s%s", rel, names[i]) >= sizeof rp) {
			r = fail("diff: path too long under %s", abs);
			break;
		}
		struct stat st;
		if (lstat(a, &st) < 0) {
			r = fail_errno("lstat %s", a);
			break;
		}
		struct tar_hdr h = { .name = name, .mode = st.st_mode & 07777, .uid = st.st_uid, .gid = st.st_gid, .mtime = (long long)st.st_mtime };
		memcpy(name, rp, strlen(rp) + 1);
		if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
			/* An overlay whiteout: the OCI (aufs) form, as Docker writes it. */
			if ((size_t)snprintf(name, sizeof name, "%s.wh.%s", rel, names[i]) >= sizeof name) {
				r = fail("diff: path too long: %s", rp);
				break;
			}
			h.type = TAR_REG;
			h.mode = 0600;
			r = tw_header(&w->tw, &h);
		} else if (S_ISDIR(st.st_mode)) {
			if ((size_t)snprintf(name, sizeof name, "%s/", rp) >= sizeof name) {
				r = fail("diff: path too long: %s", rp);
				break;
			}
			h.type = TAR_DIR;
			r = tw_header(&w->tw, &h);
			char opq[2];
			ssize_t k = r == 0 ? lgetxattr(a, "trusted.overlay.opaque", opq, sizeof opq) : -1;
			if (r == 0 && k < 0 && errno != ENODATA && errno != ENOTSUP)
				r = fail_errno("lgetxattr trusted.overlay.opaque %s", a);
			if (r == 0 && k == 1 && opq[0] == 'y') {
				/* Lower layers' entries here are hidden: say so before ours. */
				char wo[4096];
				if ((size_t)snprintf(wo, sizeof wo, "%s/.wh..wh..opq", rp) >= sizeof wo) {
					r = fail("diff: path too long: %s", rp);
					break;
				}
				struct tar_hdr oh = h;
				oh.name = wo;
				oh.type = TAR_REG;
				oh.mode = st.st_mode & 0777;
				r = tw_header(&w->tw, &oh);
			}
			if (r == 0)
				r = walk_dir(w, a, name);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlink(a, link, sizeof link - 1);
			if (k < 0) {
				r = fail_errno("readlink %s", a);
				break;
			}
			link[k] = 0;
			h.type = TAR_SYM;
			h.linkname = link;
			r = tw_header(&w->tw, &h);
		} else if (S_ISREG(st.st_mode)) {
			const char *first = st.st_nlink > 1 ? first_link(w, &st, rp) : NULL;
			if (first) {
				h.type = TAR_LNK;
				h.linkname = first;
				r = tw_header(&w->tw, &h);
			} else {
				h.type = TAR_REG;
				h.size = (unsigned long long)st.st_size;
				r = put_file(w, a, &h);
			}
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
			h.type = S_ISCHR(st.st_mode) ? TAR_CHR : S_ISBLK(st.st_mode) ? TAR_BLK : TAR_FIFO;
			h.devmajor = major(st.st_rdev);
			h.devminor = minor(st.st_rdev);
			r = tw_header(&w->tw, &h);
		}
		/* Sockets are left out, as Docker leaves them out. */
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int write_layer(const char *upper, int fd)
{
	static struct walk w;
	tw_init(&w.tw, fd);
	if (walk_dir(&w, upper, "") < 0)
		return -1;
	return tw_finish(&w.tw);
}

/* ---- in the agent: the pipe onto the stream ---- */

struct diff {
	struct stream *s;
	struct watch w; /* the tar pipe, watched only while the stream has credit */
	int fd, res_fd;
	pid_t pid;
	bool eof, exited, watching;
	int status;
	struct diff *next;
};
static struct diff *diffs;

static void diff_free(struct diff *d)
{
	for (struct diff **pp = &diffs; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	if (d->watching)
		watch_del(&d->w);
	if (d->fd >= 0)
		close(d->fd);
	if (d->res_fd >= 0)
		close(d->res_fd);
	defer_free(d);
}

static void diff_close_pipe(struct diff *d)
{
	if (d->watching)
		watch_del(&d->w);
	d->watching = false;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->eof = true;
}

/* Done when the tar is all read and the child has said how it went. */
static void diff_maybe_done(struct diff *d)
{
	if (!d->eof || !d->exited)
		return;
	struct stream *s = d->s;
	if (s) {
		d->s = NULL;
		s->ctx = NULL;
		if (WIFEXITED(d->status) && WEXITSTATUS(d->status) == 0) {
			stream_end(s);
		} else {
			/* Mid-stream: the tar so far is no layer, so the stream is reset with why. */
			char msg[1024] = "";
			ssize_t n = read(d->res_fd, msg, sizeof msg - 1);
			msg[n > 0 ? n : 0] = 0;
			if (!msg[0])
				snprintf(msg, sizeof msg, "diff: the tar writer died (status %d)", d->status);
			stream_reset(s, msg);
		}
	}
	diff_free(d);
}

static void diff_update(struct diff *d);

static void on_tar_readable(struct watch *w, uint32_t events)
{
	(void)events;
	struct diff *d = w->ctx;
	if (!d->s) {
		diff_close_pipe(d);
		return diff_maybe_done(d);
	}
	static uint8_t chunk[MAX_DATA];
	size_t want = d->s->credit < sizeof chunk ? d->s->credit : sizeof chunk;
	ssize_t n = want ? read(d->fd, chunk, want) : 0;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		stream_data(d->s, -1, chunk, (size_t)n);
		return diff_update(d);
	}
	if (want) {
		if (n < 0)
			logmsg("diff: read tar pipe: %s", strerror(errno));
		diff_close_pipe(d);
		return diff_maybe_done(d);
	}
	diff_update(d);
}

/* The pipe is in epoll only while there is credit: a pipe whose writer is gone
 * reports EPOLLHUP whatever we ask for, which would spin while we wait. */
static void diff_update(struct diff *d)
{
	bool want = d->s && !d->eof && d->s->credit > 0;
	if (want && !d->watching) {
		if (watch_add(&d->w, d->fd, EPOLLIN, on_tar_readable, d) < 0) {
			logmsg("diff: %s", errbuf);
			return;
		}
		d->watching = true;
	} else if (!want && d->watching) {
		watch_del(&d->w);
		d->watching = false;
	}
}

static void diff_credit(struct stream *s)
{
	if (s->ctx)
		diff_update(s->ctx);
}

static void diff_closed(struct stream *s)
{
	struct diff *d = s->ctx;
	if (!d)
		return;
	/* Reset or the link gone: stop writing; the child's exit frees us. */
	d->s = NULL;
	diff_close_pipe(d);
	if (!d->exited)
		kill(d->pid, SIGKILL);
	diff_maybe_done(d);
}

static void diff_ignore(struct stream *s, const uint8_t *p, size_t n)
{
	(void)p;
	stream_credit(s, n);
}

static const struct stream_ops diff_ops = { .data = diff_ignore, .credit = diff_credit, .closed = diff_closed };

bool diff_child_exit(pid_t pid, int status)
{
	for (struct diff *d = diffs; d; d = d->next) {
		if (d->pid != pid)
			continue;
		d->exited = true;
		d->status = status;
		diff_maybe_done(d);
		return true;
	}
	return false;
}

void call_diff(struct stream *s, yajl_val p)
{
	const char *id = json_get_str(p, "id");
	char upper[512];
	struct stat st;
	if (!valid_name(id)) {
		fail("diff: not a valid id");
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	snprintf(upper, sizeof upper, STATE_DIR "/containers/%s/upper", id);
	if (stat(upper, &st) < 0) {
		fail_errno("diff: no files for container %s: stat %s", id, upper);
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	int tp[2], rp[2];
	if (pipe2(tp, O_CLOEXEC) < 0) {
		fail_errno("pipe2");
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	if (pipe2(rp, O_CLOEXEC) < 0) {
		fail_errno("pipe2");
		close(tp[0]), close(tp[1]);
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	pid_t pid = fork();
	if (pid < 0) {
		fail_errno("fork for diff");
		close(tp[0]), close(tp[1]), close(rp[0]), close(rp[1]);
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	if (pid == 0) {
		child_reset_signals();
		/* Only our two pipes: holding another's (a putLayer child's input)
		 * open would keep it from seeing EOF. */
		int r = keep_only_fds(tp[1], rp[1]);
		if (r == 0)
			r = write_layer(upper, tp[1]);
		if (r < 0 && write(rp[1], errbuf, strlen(errbuf)) < 0)
			_exit(2);
		_exit(r < 0 ? 1 : 0);
	}
	close(tp[1]);
	close(rp[1]);
	struct diff *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	d->s = s;
	d->fd = tp[0];
	d->res_fd = rp[0];
	d->pid = pid;
	d->w.fd = -1;
	d->next = diffs;
	diffs = d;
	if (set_nonblock(d->fd) < 0 || set_nonblock(d->res_fd) < 0) {
		kill(pid, SIGKILL);
		d->s = NULL;
		diff_close_pipe(d);
		stream_reply_error(s, errbuf);
		return stream_end(s);
	}
	s->ctx = d;
	s->ops = &diff_ops;
	stream_reply(s, "null");
	diff_update(d);
}
