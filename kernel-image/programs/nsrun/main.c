/* nsrun: an OCI runtime, the part runc plays under Docker. A container is
 * an ordinary process given namespaces of its own, a cgroup and a root
 * filesystem; each verb below is one step of the runtime-spec lifecycle:
 *
 *   create -> created -> start -> running -> (exit or kill) -> stopped -> delete
 */
#include "error.h"
#include "state_dir.h"
#include "verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} verbs[] = {
	{ "spec", cmd_spec, "write a default config.json" },
	{ "create", cmd_create, "create a container, held before its program runs" },
	{ "start", cmd_start, "let a created container run its program" },
	{ "run", cmd_run, "create, start and wait for a container; exit with its status" },
	{ "state", cmd_state, "print a container's state as JSON" },
	{ "kill", cmd_kill, "send a signal to a container" },
	{ "delete", cmd_delete, "delete a stopped container" },
	{ "exec", cmd_exec, "run another command in a running container" },
	{ "ps", cmd_ps, "list a container's processes" },
	{ "list", cmd_list, "list containers" },
	{ "update", cmd_update, "change a container's resource limits" },
	{ "pause", cmd_pause, "freeze a container's processes" },
	{ "resume", cmd_resume, "thaw a paused container's processes" },
};

void usage_exit(const char *usage, int status)
{
	fputs(usage, status ? stderr : stdout);
	exit(status);
}

const char *only_id_arg(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		usage_exit(usage, o == 'h' ? 0 : 2);
	if (optind != argc - 1)
		usage_exit(usage, 2);
	return argv[optind];
}

static noreturn void main_usage(int status)
{
	FILE *f = status ? stderr : stdout;
	fprintf(f, "Usage: nsrun [--root DIR] <command> [ARGS...]\n\n"
		   "An OCI runtime: runs containers from bundles (config.json + root filesystem).\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  --root DIR  state directory (default: " STATE_ROOT_DEFAULT ")\n"
		   "  --version   print the version\n"
		   "  --help      this help; `nsrun <command> --help` for each command\n");
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int o;
	/* "+": options after the command word are the command's. */
	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (o) {
		case 'r': state_root = optarg; break;
		case 'v': puts("nsrun version 0.1.0\nspec: 1.0.2"); return 0;
		case 'h': main_usage(0);
		default: main_usage(2);
		}
	}
	if (optind >= argc)
		main_usage(2);
	const char *verb = argv[optind];
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(verb, verbs[i].name) != 0)
			continue;
		int vargc = argc - optind;
		char **vargv = argv + optind;
		optind = 0; /* 0 makes glibc's getopt start afresh for the verb */
		return verbs[i].fn(vargc, vargv);
	}
	fprintf(stderr, "nsrun: unknown command \"%s\"\n", verb);
	main_usage(2);
}
