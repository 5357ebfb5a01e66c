#include "namespaces.h"
#include "error.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Join order: the user namespace first (it owns the others, so joining it
 * grants the capabilities the other setns calls need), mount last. */
static const struct {
	int flag;
	const char *proc_name;
} order[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWIPC, "ipc" },
	{ CLONE_NEWUTS, "uts" },   { CLONE_NEWNET, "net" },	  { CLONE_NEWPID, "pid" },
	{ CLONE_NEWNS, "mnt" },
};

const char *namespace_proc_name(int flag)
{
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (order[i].flag == flag)
			return order[i].proc_name;
	return "?";
}

int namespaces_clone_flags(const struct config *cfg)
{
	int flags = 0;
	for (size_t i = 0; i < cfg->n_namespaces; i++)
		if (!cfg->namespaces[i].path)
			flags |= cfg->namespaces[i].flag;
	return flags;
}

void namespaces_open_joins(const struct config *cfg, struct ns_joins *joins)
{
	if (cfg->n_namespaces > sizeof joins->fd / sizeof joins->fd[0])
		die("config.json: linux.namespaces: too many entries");
	for (size_t i = 0; i < cfg->n_namespaces; i++) {
		joins->fd[i] = -1;
		const struct namespace_entry *ns = &cfg->namespaces[i];
		if (!ns->path)
			continue;
		joins->fd[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (joins->fd[i] < 0)
			die_errno("linux.namespaces[%zu]: open %s", i, ns->path);
	}
}

void namespaces_join(const struct config *cfg, const struct ns_joins *joins, int only_flags)
{
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		if (!(order[k].flag & only_flags))
			continue;
		for (size_t i = 0; i < cfg->n_namespaces; i++) {
			if (cfg->namespaces[i].flag != order[k].flag || joins->fd[i] < 0)
				continue;
			if (setns(joins->fd[i], order[k].flag) < 0)
				die_errno("setns %s namespace %s", order[k].proc_name, cfg->namespaces[i].path);
			close(joins->fd[i]);
		}
	}
}

pid_t clone_with_flags(int flags, int cgroup_fd)
{
	/* Everything buffered in stdio would otherwise be written twice. */
	fflush(NULL);
	/* No stack given: like fork(), the child returns here on a copy of ours.
	 * CLONE_INTO_CGROUP starts it in its cgroup; moving it there afterwards
	 * (writing cgroup.procs) waits for an RCU grace period, the slowest
	 * step of a container start in an emulator. */
	struct clone_args args = {
		.flags = (unsigned)flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
		.exit_signal = SIGCHLD,
		.cgroup = cgroup_fd >= 0 ? (unsigned)cgroup_fd : 0,
	};
	return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

static void write_mapping(pid_t pid, const char *file, const struct id_mapping *m, size_t n)
{
	/* The kernel takes the whole map in a single write. */
	char buf[1024];
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, sizeof buf - used, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= sizeof buf - used)
			die("linux.%s: too many mappings", strcmp(file, "uid_map") == 0 ? "uidMappings" : "gidMappings");
		used += w;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	if (write_file(path, buf) < 0)
		die_errno("write %s", path);
}

void namespaces_write_id_mappings(const struct config *cfg, pid_t pid)
{
	write_mapping(pid, "uid_map", cfg->uid_mappings, cfg->n_uid_mappings);
	write_mapping(pid, "gid_map", cfg->gid_mappings, cfg->n_gid_mappings);
}

void namespaces_enter(pid_t pid)
{
	int fds[sizeof order / sizeof order[0]];
	/* Open them all first: once in the container's mount namespace, the
	 * host's /proc is out of sight. */
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		char mine[64], theirs[64];
		struct stat a, b;
		snprintf(mine, sizeof mine, "/proc/self/ns/%s", order[k].proc_name);
		snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int)pid, order[k].proc_name);
		fds[k] = -1;
		if (stat(theirs, &b) < 0)
			die_errno("stat %s", theirs);
		if (stat(mine, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			continue; /* shared with us already: setns would fail (user) or be a no-op */
		fds[k] = open(theirs, O_RDONLY | O_CLOEXEC);
		if (fds[k] < 0)
			die_errno("open %s", theirs);
	}
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		if (fds[k] < 0)
			continue;
		if (setns(fds[k], order[k].flag) < 0)
			die_errno("setns %s namespace of pid %d", order[k].proc_name, (int)pid);
		close(fds[k]);
	}
}
