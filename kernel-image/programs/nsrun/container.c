#include "container.h"
#include "cgroup.h"
#include "error.h"
#include "utils.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct container *container_prepare(const char *id, const char *bundle)
{
	state_check_id(id);
	struct container *c = xcalloc(1, sizeof *c);
	c->id = id;
	c->cfg = config_load(bundle);
	c->cgroup = cgroup_path_for(c->cfg, id);
	c->console_sock = -1;
	c->sync_fd = -1;
	namespaces_open_joins(c->cfg, &c->joins);
	return c;
}

static bool made_dir; /* the id is ours: undo may remove its directory */

void container_undo(void *arg)
{
	struct container *c = arg;
	/* Best effort, unchecked: we are failing already, and the cgroup
	 * steps below catch whatever this misses. */
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (made_dir) {
		cgroup_kill_all(c->cgroup);
		cgroup_destroy(c->cgroup);
		state_remove(c->id);
	}
}

static struct container_state state_of(const struct container *c, pid_t monitor_pid, int exit_status)
{
	struct container_state st = {
		.id = (char *)c->id,
		.pid = c->pid,
		.pid_start = process_start_time(c->pid),
		.monitor_pid = monitor_pid,
		.bundle = c->cfg->bundle,
		.rootfs = c->cfg->root_path,
		.cgroup = c->cgroup,
		.exit_status = exit_status,
	};
	return st;
}

static char *created_at;

void container_make(struct container *c, bool with_fifo, pid_t monitor_pid)
{
	state_claim(c->id);
	made_dir = true;
	error_set_cleanup(container_undo, c);
	cgroup_create(c->cgroup, &c->cfg->resources);
	if (with_fifo) {
		char *fifo = state_path(c->id, "exec.fifo");
		if (mkfifo(fifo, 0600) < 0)
			die_errno("mkfifo %s", fifo);
		free(fifo);
	}
	process_spawn(c);
	created_at = now_rfc3339();
	struct container_state st = state_of(c, monitor_pid, -1);
	st.created = created_at;
	if (state_save(&st) < 0)
		exit_after_cleanup();
}

void container_record_exit(struct container *c, int code, pid_t monitor_pid)
{
	struct container_state st = state_of(c, monitor_pid, code);
	st.created = created_at;
	state_save(&st);
}

int container_destroy(const char *id, const char *cgroup)
{
	int r = 0;
	/* Usually the container has exited and its cgroup is empty: one rmdir.
	 * EBUSY means processes are left (without a pid namespace they can
	 * outlive the first one): cgroup.kill gets them all, then remove it. */
	if (cgroup && cgroup[0] && rmdir(cgroup) < 0 && errno != ENOENT) {
		if (errno != EBUSY) {
			warn_errno("rmdir %s", cgroup);
			r = -1;
		} else {
			if (cgroup_kill_all(cgroup) < 0)
				r = -1;
			if (cgroup_destroy(cgroup) < 0)
				r = -1;
		}
	}
	state_remove(id);
	return r;
}
