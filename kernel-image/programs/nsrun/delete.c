/* nsrun delete [--force] <id>: remove a stopped container: its cgroup and
 * its state. Its mounts lived in its own mount namespace, which went away
 * with its last process. */
#include "cgroup.h"
#include "container.h"
#include "error.h"
#include "utils.h"
#include "verbs.h"

#include <getopt.h>
#include <string.h>

static const char usage[] =
	"Usage: nsrun delete [OPTIONS] <id>\n"
	"\n"
	"Delete a stopped (or created, never started) container.\n"
	"\n"
	"  -f, --force  kill it first if it is running\n"
	"  -h, --help   this help\n";

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool force = false;
	int o;
	while ((o = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		if (o == 'f')
			force = true;
		else
			usage_exit(usage, o == 'h' ? 0 : 2);
	}
	if (optind != argc - 1)
		usage_exit(usage, 2);
	const char *id = argv[optind];
	struct container_state *st = state_load(id);
	if (!force && (strcmp(st->status, "running") == 0 || strcmp(st->status, "creating") == 0))
		die("cannot delete container \"%s\": it is %s (stop it first, or use --force)", id, st->status);

	if (st->cgroup[0])
		cgroup_kill_all(st->cgroup);
	/* The monitor records the exit status once the last process is gone;
	 * let it finish before its directory goes. */
	for (int i = 0; i < 500 && st->monitor_pid > 0 && process_alive(st->monitor_pid, 0); i++)
		sleep_ms(10);
	return container_destroy(id, st->cgroup) < 0 ? 1 : 0;
}
