/* Namespaces: the kernel feature that makes a process see its own pid
 * numbering, hostname, mount table, IPC objects and network stack. */
#ifndef NSRUN_NAMESPACES_H
#define NSRUN_NAMESPACES_H

#include <sys/types.h>
#include "config.h"

/* Namespaces to join, opened before anything is made so that a bad path
 * fails create early. fd[i] belongs to cfg->namespaces[i], -1 if new. */
struct ns_joins {
	int fd[16];
};

/* The CLONE_NEW* flags for the namespaces the config wants created. */
int namespaces_clone_flags(const struct config *cfg);
void namespaces_open_joins(const struct config *cfg, struct ns_joins *joins);
/* setns() into each opened namespace of the given type mask (user first). */
void namespaces_join(const struct config *cfg, const struct ns_joins *joins, int only_flags);

/* fork() that also takes CLONE_NEW* flags: the child starts in the new
 * namespaces (with CLONE_NEWPID as pid 1 of the new one) and, given a
 * cgroup directory fd, in that cgroup. */
pid_t clone_with_flags(int flags, int cgroup_fd);

/* Write the user namespace's uid_map and gid_map for the child. */
void namespaces_write_id_mappings(const struct config *cfg, pid_t pid);

/* "pid", "net", ...: the name under /proc/<pid>/ns/. */
const char *namespace_proc_name(int flag);

/* For exec: join every namespace of the running container that differs
 * from ours. Joining the pid namespace only affects children we fork after. */
void namespaces_enter(pid_t container_pid);

#endif
