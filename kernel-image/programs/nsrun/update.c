/* nsrun update [OPTIONS] <id>: change a container's resource limits while
 * it exists, as `runc update` does: the new values are written to its
 * cgroup; the ones not given stay as they are. */
#include "cgroup.h"
#include "error.h"
#include "state_dir.h"
#include "verbs.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: nsrun update [OPTIONS] <id>\n"
	"\n"
	"Change the resource limits of a created or running container.\n"
	"\n"
	"      --memory BYTES       memory limit (memory.max)\n"
	"      --memory-swap BYTES  memory plus swap (memory.swap.max gets the swap part)\n"
	"      --pids-limit N       maximum number of processes (pids.max; 0: no limit)\n"
	"      --cpu-quota USEC     CPU time per period (cpu.max)\n"
	"      --cpu-period USEC    the period for --cpu-quota (default 100000)\n"
	"      --cpu-share N        relative CPU weight, cgroup v1 shares (cpu.weight)\n"
	"  -h, --help               this help\n";

static int64_t number(const char *flag, const char *text)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end)
		die("--%s: not a number: %s", flag, text);
	return v;
}

int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "memory-swap", required_argument, NULL, 's' },
		{ "pids-limit", required_argument, NULL, 'p' },
		{ "cpu-quota", required_argument, NULL, 'q' },
		{ "cpu-period", required_argument, NULL, 'P' },
		{ "cpu-share", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct resources r = { .memory_limit = -1, .memory_reservation = -1, .memory_swap = -1, .pids_limit = -1,
			       .cpu_quota = -1, .cpu_period = -1, .cpu_shares = -1 };
	int o, idx;
	while ((o = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		const char *flag = o == 'h' || o == '?' ? "" : opts[idx].name;
		switch (o) {
		case 'm': r.memory_limit = number(flag, optarg); break;
		case 's': r.memory_swap = number(flag, optarg); break;
		case 'p': r.pids_limit = number(flag, optarg); break;
		case 'q': r.cpu_quota = number(flag, optarg); break;
		case 'P': r.cpu_period = number(flag, optarg); break;
		case 'c': r.cpu_shares = number(flag, optarg); break;
		case 'h': usage_exit(usage, 0);
		default: usage_exit(usage, 2);
		}
	}
	if (optind != argc - 1)
		usage_exit(usage, 2);
	const char *id = argv[optind];
	struct container_state *st = state_load(id);
	if (strcmp(st->status, "created") != 0 && strcmp(st->status, "running") != 0)
		die("cannot update container \"%s\": it is %s", id, st->status);
	if (!st->cgroup || !st->cgroup[0])
		die("container \"%s\" has no cgroup to update", id);
	/* memory-swap alone keeps the memory limit it is measured against. */
	if (r.memory_swap != -1 && r.memory_limit == -1)
		die("--memory-swap: give --memory with it");
	cgroup_set_limits(st->cgroup, &r);
	return 0;
}
