/* nsrun state <id>: the runtime-spec state of a container, as JSON. */
#include "state_dir.h"
#include "verbs.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] =
	"Usage: nsrun state <id>\n"
	"\n"
	"Print the container's state as JSON: ociVersion, id, status (creating,\n"
	"created, running, stopped), pid, bundle, and once stopped its exitStatus\n"
	"and whether the OOM killer struck (oomKilled).\n";

int cmd_state(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		usage_exit(usage, o == 'h' ? 0 : 2);
	if (optind != argc - 1)
		usage_exit(usage, 2);
	struct container_state *st = state_load(argv[optind]);
	fputs(state_to_json(st, false), stdout);
	return 0;
}
