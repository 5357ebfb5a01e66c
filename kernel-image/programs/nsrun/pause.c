/* nsrun pause|resume <id>: freeze every process of a running container at
 * once, or thaw them, with the cgroup v2 freezer, as `runc pause` and
 * `runc resume` do. Returns once cgroup.events says the cgroup got there. */
#include "cgroup.h"
#include "error.h"
#include "state_dir.h"
#include "verbs.h"

#include <string.h>

static const char pause_usage[] =
	"Usage: nsrun pause <id>\n"
	"\n"
	"Freeze every process of a running container (cgroup.freeze).\n";

static const char resume_usage[] =
	"Usage: nsrun resume <id>\n"
	"\n"
	"Thaw a paused container's processes.\n";

static int freeze_verb(int argc, char **argv, bool on, const char *usage)
{
	const char *id = only_id_arg(argc, argv, usage);
	struct container_state *st = state_load(id);
	if (strcmp(st->status, "running") != 0 && strcmp(st->status, "created") != 0)
		die("cannot %s container \"%s\": it is %s", on ? "pause" : "resume", id, st->status);
	return cgroup_freeze(st->cgroup, on) < 0 ? 1 : 0;
}

int cmd_pause(int argc, char **argv) { return freeze_verb(argc, argv, true, pause_usage); }
int cmd_resume(int argc, char **argv) { return freeze_verb(argc, argv, false, resume_usage); }
