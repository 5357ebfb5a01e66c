/* nsrun list: every container nsrun knows of, one line each. */
#include "error.h"
#include "json.h"
#include "state_dir.h"
#include "verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"Usage: nsrun list [OPTIONS]\n"
	"\n"
	"List the containers under the state directory (" STATE_ROOT_DEFAULT ").\n"
	"\n"
	"  -q, --quiet              ids only\n"
	"  -f, --format table|json  json: each container's state\n"
	"  -h, --help               this help\n";

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool quiet = false;
	const char *format = "table";
	int o;
	while ((o = getopt_long(argc, argv, "qf:h", opts, NULL)) != -1) {
		switch (o) {
		case 'q': quiet = true; break;
		case 'f': format = optarg; break;
		default: usage_exit(usage, o == 'h' ? 0 : 2);
		}
	}
	if (optind != argc)
		usage_exit(usage, 2);
	bool json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "table") != 0)
		die("--format %s: expected table or json", format);

	char **ids = state_list();
	if (json)
		fputs("[\n", stdout);
	else if (!quiet)
		printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	for (size_t i = 0; ids[i]; i++) {
		struct container_state *st = state_try_load(ids[i]);
		if (!st)
			continue; /* deleted meanwhile */
		if (json)
			printf("%s%s", i ? ",\n" : "", state_to_json(st, false));
		else if (quiet)
			puts(st->id);
		else
			printf("%-20s %-8d %-10s %-40s %s\n", st->id, strcmp(st->status, "stopped") ? (int)st->pid : 0,
			       st->status, st->bundle, st->created);
	}
	if (json)
		fputs("]\n", stdout);
	return 0;
}
