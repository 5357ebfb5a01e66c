/* The runtime's memory between commands: /run/nsrun/<id>/ holds state.json
 * and, while the container is created but not started, exec.fifo. The
 * status is not stored: it is worked out from what exists each time. */
#ifndef NSRUN_STATE_DIR_H
#define NSRUN_STATE_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define STATE_ROOT_DEFAULT "/run/nsrun"

extern const char *state_root; /* --root, or STATE_ROOT_DEFAULT */

struct container_state {
	char *id;
	pid_t pid;			/* the container's first process, as the host sees it */
	unsigned long long pid_start;	/* its start time, to spot a reused pid */
	pid_t monitor_pid;		/* the process that waits for it (0: none) */
	char *bundle, *rootfs, *cgroup;
	char *created; /* RFC 3339, UTC */
	int exit_status; /* -1 until the container has exited */
	/* Worked out by state_load: */
	const char *status; /* "creating", "created", "running" or "stopped" */
	bool oom_killed;
};

/* Container ids name directories: letters, digits, '_', '-', '.'. */
void state_check_id(const char *id);
char *state_path(const char *id, const char *file); /* file may be NULL */

/* mkdir the container's directory; dies if the id is taken. */
void state_claim(const char *id);
/* Write state.json atomically. */
int state_save(const struct container_state *st);
/* Load and work out the status; dies if there is no such container. */
struct container_state *state_load(const char *id);
/* NULL instead of dying (for list). */
struct container_state *state_try_load(const char *id);
/* Remove the directory and what is in it. */
void state_remove(const char *id);
/* Ids of all containers, sorted; NULL-terminated. */
char **state_list(void);

/* The JSON `nsrun state` prints: the runtime-spec state, plus oomKilled
 * and exitStatus (Docker reports both). internal adds what only nsrun needs. */
char *state_to_json(const struct container_state *st, bool internal);

char *now_rfc3339(void);

#endif
