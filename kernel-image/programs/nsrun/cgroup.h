/* cgroup v2: the container's processes live in a directory of the cgroup2
 * filesystem, and the limits are files in it (memory.max, pids.max, ...). */
#ifndef NSRUN_CGROUP_H
#define NSRUN_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "config.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* /sys/fs/cgroup + linux.cgroupsPath, or /sys/fs/cgroup/nsrun/<id>. */
char *cgroup_path_for(const struct config *cfg, const char *id);

/* Make the directory (it must not exist yet), hand the controllers down to
 * it, and write the limits. Dies naming the file and field on failure. */
void cgroup_create(const char *path, const struct resources *res);
/* Write the limits that are set in res (the others stay as they are):
 * at creation, and for `nsrun update`. */
void cgroup_set_limits(const char *path, const struct resources *res);
/* The cgroup directory, open for clone3's CLONE_INTO_CGROUP. */
int cgroup_open(const char *path);
/* SIGKILL everything inside (cgroup.kill) and wait until it is empty. */
int cgroup_kill_all(const char *path);
/* rmdir, retried while the last processes are being reaped. 0 or -1. */
int cgroup_destroy(const char *path);
/* Freeze (on) or thaw the cgroup's processes and wait until cgroup.events
 * says so (2 s at most). 0, or -1 having said why. */
int cgroup_freeze(const char *path, bool on);
/* Did the kernel's OOM killer kill a process in here (memory.events)? */
bool cgroup_oom_killed(const char *path);
/* The pids in cgroup.procs; *n is set to their count. */
pid_t *cgroup_pids(const char *path, size_t *n);

#endif
