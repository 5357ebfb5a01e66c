/* docker cp: a path in a container's root, stat'ed, read as a tar or written
 * from one (the Engine API's /containers/{id}/archive). Each call runs in a
 * child (child_stream.c) that first enters the container's root:
 *   running (or created): chroot into /proc/<pid>/root or the mounted rootfs;
 *   stopped, or never started: in a mount namespace of its own, the overlay
 *   (the kept upper dir on the layers) is mounted on rootfs and chroot'ed
 *   into; the mount goes with the child, as dockerd mounts a stopped
 *   container's root for the copy and unmounts it after.
 * Inside the chroot, ".." and symlinks, absolute or not, resolve within the
 * container's root, as Docker's FollowSymlinkInScope has them: nothing
 * outside it can be read or written. */
#include "agent.h"
#include "tar_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct cp_args {
	const char *id;
	yajl_val layers;
	char path[PATH_MAX + 4]; /* cleaned, absolute, a trailing "/" or "/." kept */
	bool no_overwrite_dir_non_dir;
};

/* ---- in the child ---- */

static int enter_root(const struct cp_args *a)
{
	char root[512], dir[300];
	if (container_root(a->id, root, sizeof root) == 0) {
		char upper[400], work[400], empty[400];
		snprintf(dir, sizeof dir, STATE_DIR "/containers/%s", a->id);
		snprintf(root, sizeof root, "%s/rootfs", dir);
		snprintf(upper, sizeof upper, "%s/upper", dir);
		snprintf(work, sizeof work, "%s/work", dir);
		snprintf(empty, sizeof empty, "%s/empty", dir);
		if (mkdir_p(root, 0755) < 0 || mkdir_p(upper, 0755) < 0 || mkdir_p(work, 0700) < 0 || mkdir_p(empty, 0755) < 0)
			return -1;
		if (unshare(CLONE_NEWNS) < 0)
			return fail_errno("unshare CLONE_NEWNS");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return fail_errno("mount --make-rprivate /");
		struct buf opts = { 0 };
		buf_printf(&opts, "lowerdir=");
		size_t nl = YAJL_IS_ARRAY(a->layers) ? a->layers->u.array.len : 0;
		for (size_t i = nl; i-- > 0;) {
			char l[256];
			yajl_val v = a->layers->u.array.values[i];
			if (layer_dir(YAJL_IS_STRING(v) ? v->u.string : NULL, l, sizeof l) < 0)
				return -1;
			buf_printf(&opts, "%s%s", i == nl - 1 ? "" : ":", l);
		}
		if (!nl)
			buf_printf(&opts, "%s", empty);
		buf_printf(&opts, ",upperdir=%s,workdir=%s", upper, work);
		if (mount("overlay", root, "overlay", 0, buf_cstr(&opts)) < 0)
			return fail_errno("mount overlay %s", root);
	}
	if (chroot(root) < 0)
		return fail_errno("chroot %s", root);
	if (chdir("/") < 0)
		return fail_errno("chdir / in %s", root);
	return 0;
}

/* filepath.Base: the last element, trailing slashes aside; "/" for the root. */
static const char *base_name(const char *path, char *out, size_t n)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *start = path + len;
	while (start > path && start[-1] != '/')
		start--;
	if (start == path + len)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(path + len - start), start);
	return out;
}

static int stat_path(int fd, int res_fd, void *arg)
{
	(void)fd;
	const struct cp_args *a = arg;
	struct stat st;
	char name[NAME_MAX + 2], target[PATH_MAX] = "";
	if (enter_root(a) < 0)
		return -1;
	if (lstat(a->path, &st) < 0)
		return fail_errno("lstat %s", a->path);
	if (S_ISLNK(st.st_mode) && !realpath(a->path, target)) {
		/* A dangling link: where it points, made absolute. */
		char link[PATH_MAX];
		ssize_t k = readlink(a->path, link, sizeof link - 1);
		if (k < 0)
			return fail_errno("readlink %s", a->path);
		link[k] = 0;
		char dir[sizeof a->path];
		memcpy(dir, a->path, sizeof dir);
		*strrchr(dir, '/') = 0;
		if ((size_t)snprintf(target, sizeof target, "%s%s%s", link[0] == '/' ? "" : dir, link[0] == '/' ? "" : "/", link) >= sizeof target)
			return fail("the target of %s is too long", a->path);
	}
	struct buf b = { 0 };
	buf_printf(&b, "{\"name\":");
	buf_json_str(&b, base_name(a->path, name, sizeof name));
	buf_printf(&b, ",\"size\":%lld,\"mode\":%u,\"mtime\":%lld,\"mtimeNsec\":%ld,\"linkTarget\":", (long long)st.st_size, (unsigned)st.st_mode, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	buf_json_str(&b, target);
	buf_printf(&b, "}");
	if (write(res_fd, buf_data(&b), b.len) != (ssize_t)b.len)
		return fail_errno("write stat result");
	return 0;
}

static int get_archive(int fd, int res_fd, void *arg)
{
	(void)res_fd;
	const struct cp_args *a = arg;
	static struct tar_writer tw;
	char name[NAME_MAX + 2];
	if (enter_root(a) < 0)
		return -1;
	tw_init(&tw, fd);
	if (tw_tree(&tw, a->path, base_name(a->path, name, sizeof name), false) < 0)
		return -1;
	return tw_finish(&tw);
}

/* ---- reading a tar (in the child): ustar, pax and GNU long names ---- */

struct tar_in {
	int fd;
	char block[512];
};

static int read_full(struct tar_in *t, void *p, size_t n, bool *eof)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(t->fd, (char *)p + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return fail_errno("read the archive");
		if (k == 0) {
			if (eof && got == 0) {
				*eof = true;
				return 0;
			}
			return fail("archive/tar: unexpected EOF");
		}
		got += (size_t)k;
	}
	return 0;
}

static unsigned long long octal_field(const char *f, size_t n)
{
	unsigned long long v = 0;
	if ((unsigned char)f[0] & 0x80) { /* base-256, as GNU writes big numbers */
		for (size_t i = 1; i < n; i++)
			v = v << 8 | (unsigned char)f[i];
		return v;
	}
	size_t i = 0;
	while (i < n && (f[i] == ' ' || f[i] == 0))
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (unsigned)(f[i] - '0');
	return v;
}

/* Reads n bytes of data (and the padding) into a fresh string. */
static char *read_blob(struct tar_in *t, unsigned long long n)
{
	if (n > 1 << 20) {
		fail("archive/tar: a header of %llu bytes", n);
		return NULL;
	}
	size_t padded = (size_t)((n + 511) / 512 * 512);
	char *p = malloc(padded + 1);
	if (!p)
		abort();
	if (read_full(t, p, padded, NULL) < 0) {
		free(p);
		return NULL;
	}
	p[n] = 0;
	return p;
}

static int skip_data(struct tar_in *t, unsigned long long n)
{
	unsigned long long padded = (n + 511) / 512 * 512;
	char buf[4096];
	while (padded) {
		size_t k = padded < sizeof buf ? (size_t)padded : sizeof buf;
		if (read_full(t, buf, k, NULL) < 0)
			return -1;
		padded -= k;
	}
	return 0;
}

struct entry {
	char name[PATH_MAX], link[PATH_MAX];
	char type;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	unsigned long long size;
	long long mtime;
	unsigned devmajor, devminor;
};

static void pax_apply(struct entry *e, char *recs, bool *has_name, bool *has_link, bool *has_size)
{
	char *p = recs;
	while (*p) {
		char *end;
		unsigned long len = strtoul(p, &end, 10);
		if (end == p || *end != ' ' || len == 0 || len > strlen(p))
			return;
		char *kv = end + 1, *rec_end = p + len;
		char *eq = memchr(kv, '=', (size_t)(rec_end - kv));
		if (!eq)
			return;
		rec_end[-1] = 0; /* the record's newline */
		*eq = 0;
		const char *v = eq + 1;
		if (!strcmp(kv, "path"))
			snprintf(e->name, sizeof e->name, "%s", v), *has_name = true;
		else if (!strcmp(kv, "linkpath"))
			snprintf(e->link, sizeof e->link, "%s", v), *has_link = true;
		else if (!strcmp(kv, "size"))
			e->size = strtoull(v, NULL, 10), *has_size = true;
		else if (!strcmp(kv, "uid"))
			e->uid = (uid_t)strtoul(v, NULL, 10);
		else if (!strcmp(kv, "gid"))
			e->gid = (gid_t)strtoul(v, NULL, 10);
		else if (!strcmp(kv, "mtime"))
			e->mtime = strtoll(v, NULL, 10);
		p = rec_end;
	}
}

/* The next entry; *done at the end of the archive. */
static int next_entry(struct tar_in *t, struct entry *e, bool *done)
{
	bool has_name = false, has_link = false, has_size = false, eof = false;
	memset(e, 0, sizeof *e);
	for (;;) {
		if (read_full(t, t->block, 512, &eof) < 0)
			return -1;
		const char *h = t->block;
		bool zero = true;
		for (int i = 0; i < 512 && zero; i++)
			zero = h[i] == 0;
		if (eof || zero) {
			*done = true;
			return 0;
		}
		unsigned sum = 0;
		for (int i = 0; i < 512; i++)
			sum += (i >= 148 && i < 156) ? ' ' : (unsigned char)h[i];
		if (sum != octal_field(h + 148, 8))
			return fail("archive/tar: invalid tar header");
		char type = h[156] ? h[156] : '0';
		unsigned long long size = octal_field(h + 124, 12);
		if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
			char *blob = read_blob(t, size);
			if (!blob)
				return -1;
			if (type == 'x')
				pax_apply(e, blob, &has_name, &has_link, &has_size);
			else if (type == 'L')
				snprintf(e->name, sizeof e->name, "%s", blob), has_name = true;
			else if (type == 'K')
				snprintf(e->link, sizeof e->link, "%s", blob), has_link = true;
			free(blob);
			continue;
		}
		if (!has_name) {
			/* ustar: prefix "/" name, when the magic says there is a prefix. */
			if (!memcmp(h + 257, "ustar\0", 6) && h[345])
				snprintf(e->name, sizeof e->name, "%.155s/%.100s", h + 345, h);
			else
				snprintf(e->name, sizeof e->name, "%.100s", h);
		}
		if (!has_link)
			snprintf(e->link, sizeof e->link, "%.100s", h + 157);
		if (!has_size)
			e->size = size;
		e->type = type == '7' ? '0' : type;
		e->mode = (mode_t)octal_field(h + 100, 8) & 07777;
		if (!e->uid)
			e->uid = (uid_t)octal_field(h + 108, 8);
		if (!e->gid)
			e->gid = (gid_t)octal_field(h + 116, 8);
		if (!e->mtime)
			e->mtime = (long long)octal_field(h + 136, 12);
		e->devmajor = (unsigned)octal_field(h + 329, 8);
		e->devminor = (unsigned)octal_field(h + 337, 8);
		if (strchr("123456", e->type))
			e->size = 0; /* no data follows these */
		return 0;
	}
}

/* filepath.Clean of a relative name ("." when nothing is left); false if it
 * leaves the directory, or, with at_root, ".." at the top stays there (as
 * filepath.Join("/", name) has it) and false means too long. */
static bool clean_name(const char *in, char *out, size_t n, bool at_root)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", in);
	size_t len = 0;
	out[0] = 0;
	for (char *save, *c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (len == 0 && !at_root)
				return false;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = 0;
			continue;
		}
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "/" : "", c);
		if (len >= n)
			return false;
	}
	if (!len)
		snprintf(out, n, ".");
	return true;
}

struct dir_time {
	char *name;
	long long mtime;
};

static int set_time(const char *name, long long mtime)
{
	struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	if (utimensat(AT_FDCWD, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_errno("utimensat %s", name);
	return 0;
}

static int copy_data(struct tar_in *t, int out, const char *name, unsigned long long size)
{
	static char buf[64 * 1024];
	unsigned long long left = (size + 511) / 512 * 512, data = size;
	while (left) {
		size_t k = left < sizeof buf ? (size_t)left : sizeof buf;
		if (read_full(t, buf, k, NULL) < 0)
			return -1;
		size_t w = data < k ? (size_t)data : k;
		for (size_t off = 0; off < w;) {
			ssize_t n = write(out, buf + off, w - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fail_errno("write %s", name);
			off += (size_t)n;
		}
		data -= w;
		left -= k;
	}
	return 0;
}

/* One entry into the current directory (the extraction point), as Docker's Untar does it. */
static int extract_entry(struct tar_in *t, struct entry *e, const struct cp_args *a, struct dir_time **dirs, size_t *n_dirs)
{
	char name[PATH_MAX];
	if (!clean_name(e->name[0] == '/' ? e->name + 1 : e->name, name, sizeof name, false)) {
		fail("%s: \"%s\" is outside of \"%s\"", "breakout", e->name, a->path);
		return -1;
	}
	if (!strcmp(name, "."))
		return e->type == '0' ? skip_data(t, e->size) : 0;
	/* The parents first, as Untar makes them (0755, root). */
	char *slash = strrchr(name, '/');
	if (slash) {
		*slash = 0;
		struct stat pst;
		int r = lstat(name, &pst) < 0 && errno == ENOENT ? mkdir_p(name, 0755) : 0;
		*slash = '/';
		if (r < 0)
			return -1;
	}
	struct stat st;
	if (lstat(name, &st) == 0) {
		bool is_dir = S_ISDIR(st.st_mode), want_dir = e->type == '5';
		if (a->no_overwrite_dir_non_dir && is_dir && !want_dir)
			return fail("cannot overwrite directory \"%s/%s\" with non-directory \"%s\"", strcmp(a->path, "/") ? a->path : "", name, a->path);
		if (a->no_overwrite_dir_non_dir && !is_dir && want_dir)
			return fail("cannot overwrite non-directory \"%s/%s\" with directory \"%s\"", strcmp(a->path, "/") ? a->path : "", name, a->path);
		if (!(is_dir && want_dir) && rm_rf(name) < 0)
			return -1;
	} else if (errno != ENOENT) {
		return fail_errno("lstat %s", name);
	}
	switch (e->type) {
	case '5':
		if (mkdir(name, e->mode) < 0 && errno != EEXIST)
			return fail_errno("mkdir %s", name);
		break;
	case '0': {
		int out = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, e->mode);
		if (out < 0)
			return fail_errno("open %s", name);
		int r = copy_data(t, out, name, e->size);
		if (close(out) < 0 && r == 0)
			r = fail_errno("close %s", name);
		if (r < 0)
			return -1;
		break;
	}
	case '1': {
		char target[PATH_MAX];
		if (!clean_name(e->link[0] == '/' ? e->link + 1 : e->link, target, sizeof target, false))
			return fail("breakout: invalid hardlink \"%s\" -> \"%s\"", e->name, e->link);
		if (link(target, name) < 0)
			return fail_errno("link %s %s", target, name);
		break;
	}
	case '2':
		if (symlink(e->link, name) < 0)
			return fail_errno("symlink %s %s", e->link, name);
		break;
	case '3':
	case '4':
	case '6': {
		mode_t kind = e->type == '3' ? S_IFCHR : e->type == '4' ? S_IFBLK : S_IFIFO;
		if (mknod(name, kind | e->mode, makedev(e->devmajor, e->devminor)) < 0)
			return fail_errno("mknod %s", name);
		break;
	}
	default:
		logmsg("putArchive: %s: tar entry type '%c' skipped", e->name, e->type);
		return skip_data(t, e->size);
	}
	if (lchown(name, e->uid, e->gid) < 0)
		return fail_errno("lchown %s", name);
	if (e->type != '2' && chmod(name, e->mode) < 0)
		return fail_errno("chmod %s", name);
	if (e->type == '5') {
		/* A dir's time is set last: what is written into it changes it. */
		*dirs = realloc(*dirs, (*n_dirs + 1) * sizeof **dirs);
		if (!*dirs)
			abort();
		(*dirs)[(*n_dirs)++] = (struct dir_time){ strdup(name), e->mtime };
		return 0;
	}
	return set_time(name, e->mtime);
}

static int put_archive(int fd, int res_fd, void *arg)
{
	(void)res_fd;
	const struct cp_args *a = arg;
	struct stat st;
	if (enter_root(a) < 0)
		return -1;
	/* The extraction point, every symlink resolved (in the container's root). */
	if (stat(a->path, &st) < 0)
		return fail_errno("stat %s", a->path);
	if (!S_ISDIR(st.st_mode)) {
		fail("extraction point is not a directory");
		errnum = ENOTDIR;
		return -1;
	}
	if (chdir(a->path) < 0)
		return fail_errno("chdir %s", a->path);
	static struct tar_in t;
	t.fd = fd;
	struct dir_time *dirs = NULL;
	size_t n_dirs = 0;
	int r = 0;
	for (;;) {
		static struct entry e;
		bool done = false;
		if ((r = next_entry(&t, &e, &done)) < 0 || done)
			break;
		if ((r = extract_entry(&t, &e, a, &dirs, &n_dirs)) < 0)
			break;
	}
	for (size_t i = n_dirs; r == 0 && i-- > 0;)
		r = set_time(dirs[i].name, dirs[i].mtime);
	return r;
}

/* ---- in the agent ---- */

/* The path as Docker takes it: absolute, cleaned, a trailing "/" or "/." kept. */
static int parse_args(yajl_val p, struct cp_args *a)
{
	a->id = json_get_str(p, "id");
	a->layers = json_get(p, "layers");
	a->no_overwrite_dir_non_dir = json_get_bool(p, "noOverwriteDirNonDir");
	const char *path = json_get_str(p, "path");
	if (!valid_name(a->id))
		return fail("not a valid container id");
	if (!path || !*path)
		return fail("path cannot be empty");
	char rel[PATH_MAX];
	if (!clean_name(path, rel, sizeof rel, true))
		return fail("path too long: %s", path);
	size_t pl = strlen(path);
	bool dot = pl >= 2 && !strcmp(path + pl - 2, "/.");
	bool sep = path[pl - 1] == '/';
	if (!strcmp(rel, "."))
		snprintf(a->path, sizeof a->path, "/");
	else
		snprintf(a->path, sizeof a->path, "/%s%s", rel, dot ? "/." : sep ? "/" : "");
	return 0;
}

static void start(struct stream *s, yajl_val p, bool input, int (*fn)(int, int, void *))
{
	static struct cp_args a;
	if (parse_args(p, &a) < 0 || child_stream_start(s, input, fn, &a) < 0)
		stream_reply_done(s, -1);
}

void call_stat_path(struct stream *s, yajl_val p) { start(s, p, true, stat_path); }
void call_get_archive(struct stream *s, yajl_val p) { start(s, p, false, get_archive); }
void call_put_archive(struct stream *s, yajl_val p) { start(s, p, true, put_archive); }
