/* nsrun exec <id> -- cmd...: run another program in a running container:
 * join its namespaces and its cgroup, then fork, so the new process is
 * born inside its pid namespace. */
#include "cgroup.h"
#include "config.h"
#include "error.h"
#include "namespaces.h"
#include "process.h"
#include "state_dir.h"
#include "terminal.h"
#include "utils.h"
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"Usage: nsrun exec [OPTIONS] <id> [--] <command> [args...]\n"
	"\n"
	"Run a command inside a running container: in its namespaces and its\n"
	"cgroup, with its environment (process.env) and user, exiting with the\n"
	"command's status.\n"
	"\n"
	"  -t, --tty          give the command a terminal of its own\n"
	"  -e, --env KEY=VAL  set an environment variable (repeatable)\n"
	"  -w, --cwd DIR      working directory (default: process.cwd)\n"
	"  -u, --user UID[:GID]  run as this user (default: process.user)\n"
	"  -h, --help         this help\n";

/* process.env with the --env overrides applied (same key: replaced). */
static char **merge_env(char **base, char **extra, size_t n_extra)
{
	size_t n = 0;
	while (base[n])
		n++;
	char **env = xcalloc(n + n_extra + 1, sizeof *env);
	memcpy(env, base, n * sizeof *env);
	for (size_t i = 0; i < n_extra; i++) {
		size_t key = strcspn(extra[i], "=");
		size_t k;
		for (k = 0; k < n; k++)
			if (strncmp(env[k], extra[i], key + 1) == 0)
				break;
		env[k] = extra[i];
		if (k == n)
			n++;
	}
	return env;
}

int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tty", no_argument, NULL, 't' },	 { "env", required_argument, NULL, 'e' },
		{ "cwd", required_argument, NULL, 'w' }, { "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },	 { 0 },
	};
	bool tty = false;
	const char *cwd = NULL, *user = NULL, *id = NULL;
	char **extra_env = xcalloc(argc, sizeof *extra_env);
	size_t n_env = 0;
	/* "+": stop at the first word that is not an option, so the command's
	 * own options stay its own. Options may come before and after the id. */
	for (;;) {
		int o;
		while ((o = getopt_long(argc, argv, "+te:w:u:h", opts, NULL)) != -1) {
			switch (o) {
			case 't': tty = true; break;
			case 'e':
				if (!strchr(optarg, '='))
					die("--env %s: expected KEY=VALUE", optarg);
				extra_env[n_env++] = optarg;
				break;
			case 'w': cwd = optarg; break;
			case 'u': user = optarg; break;
			case 'h': usage_exit(usage, 0);
			default: usage_exit(usage, 2);
			}
		}
		if (id || optind >= argc || strcmp(argv[optind - 1], "--") == 0)
			break;
		id = argv[optind++];
	}
	if (!id && optind < argc)
		id = argv[optind++];
	if (!id || optind >= argc)
		usage_exit(usage, 2);
	char **cmd = &argv[optind];

	struct container_state *st = state_load(id);
	if (strcmp(st->status, "running") != 0)
		die("cannot exec in container \"%s\": it is %s", id, st->status);
	struct config *cfg = config_load(st->bundle);
	char **env = merge_env(cfg->process.env, extra_env, n_env);
	uid_t uid = cfg->process.uid;
	gid_t gid = cfg->process.gid;
	if (user) {
		unsigned u, g;
		int n = sscanf(user, "%u:%u", &u, &g);
		if (n < 1)
			die("--user %s: expected UID[:GID]", user);
		uid = u;
		gid = n == 2 ? g : u;
	}
	if (!cwd)
		cwd = cfg->process.cwd;

	/* Opened now: after setns the host's /sys/fs/cgroup is out of sight. */
	int cgroup_fd = cgroup_open(st->cgroup);

	namespaces_enter(st->pid);
	int master = -1, slave = -1;
	if (tty)
		master = terminal_open_pty(&slave);

	process_block_signals();
	/* Forked into the container's cgroup; and into its pid namespace,
	 * which setns chose for our children. */
	pid_t pid = clone_with_flags(0, cgroup_fd);
	if (pid < 0)
		die_errno("clone3 into %s", st->cgroup);
	if (pid == 0) {
		/* Its own session, as the container's first process has. */
		if (tty)
			terminal_become_stdio(slave);
		else if (setsid() < 0)
			die_errno("setsid");
		if (chdir(cwd) < 0)
			die_errno("chdir to %s", cwd);
		process_set_user(uid, gid, cfg->process.additional_gids, cfg->process.n_additional_gids);
		process_unblock_signals();
		process_exec(cmd, env);
	}
	close(cgroup_fd);
	if (slave >= 0)
		close(slave);
	return process_wait(pid, master);
}
