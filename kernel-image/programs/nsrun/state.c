/* nsrun state <id>: the runtime-spec state of a container, as JSON. */
#include "state_dir.h"
#include "verbs.h"

#include <stdio.h>

static const char usage[] =
	"Usage: nsrun state <id>\n"
	"\n"
	"Print the container's state as JSON: ociVersion, id, status (creating,\n"
	"created, running, stopped), pid, bundle, and once stopped its exitStatus\n"
	"and whether the OOM killer struck (oomKilled).\n";

int cmd_state(int argc, char **argv)
{
	struct container_state *st = state_load(only_id_arg(argc, argv, usage));
	fputs(state_to_json(st, false), stdout);
	return 0;
}
