#include "mounts.h"
#include "error.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Open path as if root.path were "/": a symlink in the image (say
 * /dev -> /host/dev) then cannot lead a mount out onto the host. */
static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* mount(2) takes paths, not fds: /proc/self/fd/N names exactly the
 * directory we resolved, with no second lookup to race against. */
static const char *fd_path(int fd)
{
	static char buf[32];
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
	return buf;
}

/* Create the last component of path (a directory, or an empty file) in its
 * parent and return an O_PATH fd for it; -1 with errno ENOENT when the
 * parent is missing too. Dies on any other failure. */
static int create_in_parent(const struct config *cfg, int rootfd, char *path, bool file)
{
	char *slash = strrchr(path, '/');
	*slash = '\0';
	int parent = open_in_root(rootfd, path);
	*slash = '/';
	if (parent < 0) {
		if (errno == ENOENT)
			return -1;
		die_errno("open %s%.*s", cfg->root_path, (int)(slash - path), path);
	}
	int r;
	if (file) {
		r = openat(parent, slash + 1, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
		if (r >= 0)
			close(r);
	} else {
		r = mkdirat(parent, slash + 1, 0755);
	}
	if (r < 0 && errno != EEXIST)
		die_errno("create mount point %s%s", cfg->root_path, path);
	close(parent);
	int fd = open_in_root(rootfd, path);
	if (fd < 0)
		die_errno("open mount point %s%s", cfg->root_path, path);
	return fd;
}

/* Make dest (and its parents) inside the root, as a directory or an empty
 * file, and return an O_PATH fd for it. */
static int make_mountpoint(const struct config *cfg, int rootfd, const char *dest, bool dir)
{
	int existing = open_in_root(rootfd, dest);
	if (existing >= 0)
		return existing;
	if (errno != ENOENT)
		die_errno("open mount point %s%s", cfg->root_path, dest);
	char *prefix = xstrdup(dest);
	/* Usually only the last component is missing (/dev/pts on a new tmpfs):
	 * try that before walking down from the root. */
	int fd = create_in_parent(cfg, rootfd, prefix, !dir);
	size_t len = strlen(dest);
	for (size_t i = 1; fd < 0 && i <= len; i++) {
		if (i < len && dest[i] != '/')
			continue;
		bool last = i == len;
		prefix[i] = '\0';
		fd = open_in_root(rootfd, prefix);
		if (fd < 0 && errno == ENOENT)
			fd = create_in_parent(cfg, rootfd, prefix, last && !dir);
		if (fd < 0)
			die_errno("open mount point %s%s", cfg->root_path, prefix);
		if (!last) {
			close(fd);
			fd = -1;
			prefix[i] = '/';
		}
	}
	free(prefix);
	if (fd < 0)
		die("internal error: empty mount destination");
	return fd;
}

struct mount_flags {
	unsigned long flags;	   /* for mount(2) */
	unsigned long propagation; /* applied in a second call: the kernel wants them alone */
	bool bind;
	char data[512]; /* the options that are not flags, for the filesystem */
};

static void parse_options(char *const *options, struct mount_flags *mf, const char *dest)
{
	mf->flags = mf->propagation = 0;
	mf->bind = false;
	mf->data[0] = '\0';
	for (size_t i = 0; options[i]; i++) {
		unsigned long flag;
		bool clear, propagation;
		if (mount_option_flag(options[i], &flag, &clear, &propagation)) {
			if (propagation)
				mf->propagation = flag;
			else if (flag & MS_BIND)
				mf->bind = true, mf->flags |= flag;
			else if (clear)
				mf->flags &= ~flag;
			else
				mf->flags |= flag;
			continue;
		}
		size_t used = strlen(mf->data);
		if (snprintf(mf->data + used, sizeof mf->data - used, "%s%s", used ? "," : "", options[i]) >=
		    (int)(sizeof mf->data - used))
			die("mount %s: options too long", dest);
	}
}

static void do_mount(const struct config *cfg, int rootfd, const struct mount_entry *m)
{
	struct mount_flags mf;
	parse_options(m->options, &mf, m->destination);
	if (m->type && strcmp(m->type, "bind") == 0)
		mf.bind = true, mf.flags |= MS_BIND;
	/* On a cgroup v2 host "cgroup" can only mean cgroup2 (runc and crun map it too). */
	const char *type = m->type;
	if (type && strcmp(type, "cgroup") == 0)
		type = "cgroup2";

	bool dir = true;
	if (mf.bind) {
		struct stat st;
		if (stat(m->source, &st) < 0)
			die_errno("bind mount source %s", m->source);
		dir = S_ISDIR(st.st_mode);
	}
	int fd = make_mountpoint(cfg, rootfd, m->destination, dir);
	const char *where = fd_path(fd);

	if (mf.bind) {
		if (mount(m->source, where, NULL, mf.flags & (MS_BIND | MS_REC), NULL) < 0)
			die_errno("bind mount %s on %s%s", m->source, cfg->root_path, m->destination);
	} else {
		if (mount(m->source, where, type, mf.flags, mf.data[0] ? mf.data : NULL) < 0)
			die_errno("mount %s on %s%s", type, cfg->root_path, m->destination);
	}
	close(fd);

	/* The fd still names the directory underneath; reopen to reach the new mount. */
	unsigned long extra = mf.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	if ((mf.bind && extra) || mf.propagation) {
		fd = open_in_root(rootfd, m->destination);
		if (fd < 0)
			die_errno("open %s%s", cfg->root_path, m->destination);
		where = fd_path(fd);
		/* A bind mount takes ro, nosuid, ... only in a remount. */
		if (mf.bind && extra && mount(NULL, where, NULL, MS_REMOUNT | MS_BIND | extra, NULL) < 0)
			die_errno("remount %s%s with its options", cfg->root_path, m->destination);
		if (mf.propagation && mount(NULL, where, NULL, mf.propagation, NULL) < 0)
			die_errno("set propagation of %s%s", cfg->root_path, m->destination);
		close(fd);
	}
}

static bool mounts_tmpfs_dev(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (strcmp(cfg->mounts[i].destination, "/dev") == 0)
			return cfg->mounts[i].type && strcmp(cfg->mounts[i].type, "tmpfs") == 0;
	return false;
}

/* The devices every Linux program may expect, and the /dev/fd links. */
static void populate_dev(const struct config *cfg, int rootfd)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} devices[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const struct {
		const char *name, *target;
	} links[] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
		{ "ptmx", "pts/ptmx" }, /* the container's own devpts instance */
		{ "core", "/proc/kcore" },
	};
	int dev = open_in_root(rootfd, "/dev");
	if (dev < 0)
		die_errno("open %s/dev", cfg->root_path);
	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
		const char *name = devices[i].name;
		if (mknodat(dev, name, S_IFCHR | 0666, makedev(devices[i].maj, devices[i].min)) == 0)
			continue;
		if (errno != EPERM)
			die_errno("mknod %s/dev/%s", cfg->root_path, name);
		/* In a user namespace mknod is refused: bind the host's node instead. */
		char *host = xasprintf("/dev/%s", name);
		int f = openat(dev, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0)
			die_errno("create %s/dev/%s", cfg->root_path, name);
		close(f);
		char *target = xasprintf("%s/dev/%s", cfg->root_path, name);
		if (mount(host, target, NULL, MS_BIND, NULL) < 0)
			die_errno("bind mount %s on %s", host, target);
		free(target);
		free(host);
	}
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
			die_errno("symlink %s/dev/%s -> %s", cfg->root_path, links[i].name, links[i].target);
	close(dev);
}

/* Hide a path: /dev/null over a file, an empty read-only tmpfs over a directory. */
static void mask_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return;
		die_errno("linux.maskedPaths: stat %s", path);
	}
	int r = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0")
				    : mount("/dev/null", path, NULL, MS_BIND, NULL);
	if (r < 0)
		die_errno("linux.maskedPaths: mount over %s", path);
}

static void readonly_path(const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return;
		die_errno("linux.readonlyPaths: bind mount %s", path);
	}
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC, NULL) < 0)
		die_errno("linux.readonlyPaths: remount %s read-only", path);
}

/* A bind remount must repeat the flags it keeps (the kernel refuses to drop
 * a locked nosuid/nodev/noexec); statvfs tells which are set. */
static unsigned long current_flags(const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		die_errno("statvfs %s", path);
	unsigned long flags = 0;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

void mounts_setup_rootfs(const struct config *cfg)
{
	const char *root = cfg->root_path;
	/* Mounts made from here on must not propagate back to the host (and
	 * the host's must not appear in here): private, unless the config says. */
	if (mount(NULL, "/", NULL, cfg->rootfs_propagation, NULL) < 0)
		die_errno("make / %s (linux.rootfsPropagation)",
			  cfg->rootfs_propagation & MS_SHARED ? "shared" : cfg->rootfs_propagation & MS_SLAVE ? "slave" : "private");
	/* pivot_root needs the new root to be a mount point. */
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		die_errno("bind mount root.path %s on itself", root);
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die_errno("open root.path %s", root);

	for (size_t i = 0; i < cfg->n_mounts; i++)
		do_mount(cfg, rootfd, &cfg->mounts[i]);
	if (mounts_tmpfs_dev(cfg))
		populate_dev(cfg, rootfd);

	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * unmounting "." then takes the old root away, the host's whole tree
	 * with it, and no directory for it is needed in the image. */
	if (fchdir(rootfd) < 0)
		die_errno("chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die_errno("pivot_root %s", root);
	if (umount2(".", MNT_DETACH) < 0)
		die_errno("detach the old root (umount2 / MNT_DETACH)");
	if (chdir("/") < 0)
		die_errno("chdir /");
	close(rootfd);

	for (size_t i = 0; cfg->masked_paths[i]; i++)
		mask_path(cfg->masked_paths[i]);
	for (size_t i = 0; cfg->readonly_paths[i]; i++)
		readonly_path(cfg->readonly_paths[i]);

	if (cfg->root_readonly &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | current_flags("/"), NULL) < 0)
		die_errno("remount root.path %s read-only", root);
}
