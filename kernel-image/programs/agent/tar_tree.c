/* A directory tree as tar entries, for diff (a container's upper dir, as an
 * OCI layer) and for docker cp (a path in a container's root). Entries are
 * sorted, parents first, so the same tree always makes the same bytes.
 * Regular files, dirs (names ending in '/'), symlinks, hard links (to the
 * first path seen), devices and fifos, with mode, uid/gid and mtime; sockets
 * are left out, as Docker leaves them out. In an overlay upper dir (overlay
 * true) a char device 0:0 is a whiteout and becomes an empty file .wh.NAME,
 * and a dir with trusted.overlay.opaque=y is followed by DIR/.wh..wh..opq.
 * Blocking I/O: it runs in a child, never in the event loop. */
#include "agent.h"
#include "tar_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

struct seen {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct walk {
	struct tar_writer *tw;
	bool overlay;
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
	if (tw_header(w->tw, h) < 0) {
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
		if (tw_data(w->tw, w->copybuf, (size_t)n) < 0) {
			close(fd);
			return -1;
		}
		left -= (unsigned long long)n;
	}
	close(fd);
	return tw_pad(w->tw, h->size);
}

static int walk_dir(struct walk *w, const char *abs, const char *prefix);

/* One entry: abs on disk, prefix+base in the tar (prefix "" or ending in '/'). */
static int put_entry(struct walk *w, const char *abs, const char *prefix, const char *base)
{
	char name[4096], link[4096];
	struct stat st;
	if (lstat(abs, &st) < 0)
		return fail_errno("lstat %s", abs);
	if ((size_t)snprintf(name, sizeof name, "%s%s", prefix, base) >= sizeof name - 1)
		return fail("tar: path too long under %s", abs);
	struct tar_hdr h = { .name = name, .mode = st.st_mode & 07777, .uid = st.st_uid, .gid = st.st_gid, .mtime = (long long)st.st_mtime };
	if (w->overlay && S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
		/* An overlay whiteout: the OCI (aufs) form, as Docker writes it. */
		if ((size_t)snprintf(name, sizeof name, "%s.wh.%s", prefix, base) >= sizeof name)
			return fail("tar: path too long: %s%s", prefix, base);
		h.type = TAR_REG;
		h.mode = 0600;
		return tw_header(w->tw, &h);
	}
	if (S_ISDIR(st.st_mode)) {
		size_t len = strlen(name);
		if (len == 0 || name[len - 1] != '/')
			memcpy(name + len, "/", 2);
		h.type = TAR_DIR;
		if (tw_header(w->tw, &h) < 0)
			return -1;
		if (w->overlay) {
			char opq[2];
			ssize_t k = lgetxattr(abs, "trusted.overlay.opaque", opq, sizeof opq);
			if (k < 0 && errno != ENODATA && errno != ENOTSUP)
				return fail_errno("lgetxattr trusted.overlay.opaque %s", abs);
			if (k == 1 && opq[0] == 'y') {
				/* Lower layers' entries here are hidden: say so before ours. */
				char wo[4200];
				snprintf(wo, sizeof wo, "%s.wh..wh..opq", name);
				struct tar_hdr oh = h;
				oh.name = wo;
				oh.type = TAR_REG;
				oh.mode = st.st_mode & 0777;
				if (tw_header(w->tw, &oh) < 0)
					return -1;
			}
		}
		return walk_dir(w, abs, name);
	}
	if (S_ISLNK(st.st_mode)) {
		ssize_t k = readlink(abs, link, sizeof link - 1);
		if (k < 0)
			return fail_errno("readlink %s", abs);
		link[k] = 0;
		h.type = TAR_SYM;
		h.linkname = link;
		return tw_header(w->tw, &h);
	}
	if (S_ISREG(st.st_mode)) {
		const char *first = st.st_nlink > 1 ? first_link(w, &st, name) : NULL;
		if (first) {
			h.type = TAR_LNK;
			h.linkname = first;
			return tw_header(w->tw, &h);
		}
		h.type = TAR_REG;
		h.size = (unsigned long long)st.st_size;
		return put_file(w, abs, &h);
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
		h.type = S_ISCHR(st.st_mode) ? TAR_CHR : S_ISBLK(st.st_mode) ? TAR_BLK : TAR_FIFO;
		h.devmajor = major(st.st_rdev);
		h.devminor = minor(st.st_rdev);
		return tw_header(w->tw, &h);
	}
	return 0; /* a socket */
}

/* The entries under abs, named prefix+name. */
static int walk_dir(struct walk *w, const char *abs, const char *prefix)
{
	DIR *d = opendir(abs);
	if (!d)
		return fail_errno("opendir %s", abs);
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
		char a[4096];
		if ((size_t)snprintf(a, sizeof a, "%s%s%s", abs, abs[strlen(abs) - 1] == '/' ? "" : "/", names[i]) >= sizeof a)
			r = fail("tar: path too long under %s", abs);
		else
			r = put_entry(w, a, prefix, names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int tw_tree(struct tar_writer *t, const char *abs, const char *name, bool overlay)
{
	static struct walk w;
	w.tw = t;
	w.overlay = overlay;
	return name[0] ? put_entry(&w, abs, "", name) : walk_dir(&w, abs, "");
}
