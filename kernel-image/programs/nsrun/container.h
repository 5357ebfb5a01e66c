/* The steps create and run share: check the config, claim the id, make the
 * cgroup, start the first process, record the state; and undo them all. */
#ifndef NSRUN_CONTAINER_H
#define NSRUN_CONTAINER_H

#include <stdbool.h>
#include "process.h"
#include "state_dir.h"

/* Parse and check everything; nothing is made yet. */
struct container *container_prepare(const char *id, const char *bundle);
/* Claim the state dir, make the cgroup, spawn the first process (held
 * before execve) and write state.json. The fifo makes `nsrun start` the
 * one to let it run. If anything fails, all of it is undone. */
void container_make(struct container *c, bool with_fifo, pid_t monitor_pid);
/* Record the exit status in state.json. */
void container_record_exit(struct container *c, int code, pid_t monitor_pid);
/* Kill whatever is left, remove the cgroup and the state dir. 0 if all
 * went; a failure is printed. */
int container_destroy(const char *id, const char *cgroup);

/* The undo step die() runs while a create is under way. */
void container_undo(void *arg);

#endif
