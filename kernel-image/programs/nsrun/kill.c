/* nsrun kill <id> [SIGNAL]: send a signal to the container's first process
 * (or, with --all, to every process in its cgroup). */
#include "cgroup.h"
#include "error.h"
#include "state_dir.h"
#include "utils.h"
#include "verbs.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>

static const char usage[] =
	"Usage: nsrun kill [OPTIONS] <id> [SIGNAL]\n"
	"\n"
	"Send SIGNAL (a name like TERM or SIGKILL, or a number; default TERM) to\n"
	"the container's first process. As pid 1 of its namespace it only gets\n"
	"the signals it has a handler for, except KILL and STOP.\n"
	"\n"
	"  -a, --all   signal every process in the container's cgroup\n"
	"  -h, --help  this help\n";

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool all = false;
	int o;
	while ((o = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		if (o == 'a')
			all = true;
		else
			usage_exit(usage, o == 'h' ? 0 : 2);
	}
	if (optind != argc - 1 && optind != argc - 2)
		usage_exit(usage, 2);
	const char *id = argv[optind];
	const char *name = optind == argc - 2 ? argv[optind + 1] : "TERM";
	int sig = parse_signal(name);
	if (sig < 0)
		die("unknown signal \"%s\"", name);

	struct container_state *st = state_load(id);
	if (strcmp(st->status, "created") != 0 && strcmp(st->status, "running") != 0)
		die("cannot kill container \"%s\": it is %s", id, st->status);
	if (all) {
		size_t n;
		pid_t *pids = cgroup_pids(st->cgroup, &n);
		for (size_t i = 0; i < n; i++)
			if (kill(pids[i], sig) < 0 && errno != ESRCH)
				die_errno("kill -%s %d", signal_name(sig), (int)pids[i]);
		return 0;
	}
	if (kill(st->pid, sig) < 0)
		die_errno("kill -%s %d", signal_name(sig), (int)st->pid);
	return 0;
}
