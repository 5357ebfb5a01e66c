/* nsrun ps <id>: the processes in the container's cgroup, with their pid
 * on the host and inside the container's pid namespace. */
#include "cgroup.h"
#include "error.h"
#include "json.h"
#include "state_dir.h"
#include "utils.h"
#include "verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: nsrun ps [OPTIONS] <id>\n"
	"\n"
	"List the container's processes: PID as the host sees it, NSPID as the\n"
	"container sees it, and the command line.\n"
	"\n"
	"  -f, --format table|json  json: just the host pids, as runc prints them\n"
	"  -h, --help               this help\n";

/* The last number of the NSpid: line is the pid in the innermost namespace. */
static int ns_pid(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	char *text = read_file(path, NULL);
	int nspid = -1;
	char *line = text ? strstr(text, "\nNSpid:") : NULL;
	if (line) {
		char *end = strchr(line + 1, '\n');
		if (end)
			*end = '\0';
		char *last = strrchr(line, '\t');
		if (last)
			nspid = atoi(last + 1);
	}
	free(text);
	return nspid;
}

static char *cmdline(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return xstrdup("?");
	/* Arguments are NUL-separated. */
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '\0')
			text[i] = ' ';
	return text;
}

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *format = "table";
	int o;
	while ((o = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (o == 'f')
			format = optarg;
		else
			usage_exit(usage, o == 'h' ? 0 : 2);
	}
	if (optind != argc - 1)
		usage_exit(usage, 2);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		die("--format %s: expected table or json", format);
	struct container_state *st = state_load(argv[optind]);
	size_t n;
	pid_t *pids = cgroup_pids(st->cgroup, &n);
	if (strcmp(format, "json") == 0) {
		yajl_gen g = json_new();
		json_array_open(g);
		for (size_t i = 0; i < n; i++)
			json_int(g, pids[i]);
		json_array_close(g);
		size_t len;
		const char *buf = json_finish(g, &len);
		fwrite(buf, 1, len, stdout);
		return 0;
	}
	printf("%-8s %-8s %s\n", "PID", "NSPID", "CMD");
	for (size_t i = 0; i < n; i++) {
		char *cmd = cmdline(pids[i]);
		printf("%-8d %-8d %s\n", (int)pids[i], ns_pid(pids[i]), cmd);
		free(cmd);
	}
	return 0;
}
