/* nsrun run <id> --bundle <dir>: create, start, wait, delete: one command
 * for a container that lives as long as its program. nsrun stays as its
 * parent, passes signals on, and exits with the container's status. */
#include "cgroup.h"
#include "container.h"
#include "error.h"
#include "terminal.h"
#include "utils.h"
#include "verbs.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

static const char usage[] =
	"Usage: nsrun run [OPTIONS] <id>\n"
	"\n"
	"Create and start a container, wait for it to exit, delete it, and exit\n"
	"with its status (126: cannot execute, 127: not found, 128+N: killed by\n"
	"signal N, so 137 after SIGKILL or the OOM killer).\n"
	"With process.terminal, the container gets a terminal that nsrun connects\n"
	"to its own stdin and stdout.\n"
	"\n"
	"  -b, --bundle DIR          bundle directory (default: .)\n"
	"  -d, --detach              create and start, then return (like create+start)\n"
	"      --keep                keep the stopped container (for state, ps, delete)\n"
	"      --console-socket PATH send the terminal's master fd to this socket\n"
	"                            instead of attaching\n"
	"      --pid-file PATH       write the container's pid to PATH\n"
	"  -h, --help                this help\n";

static int run_attached(const char *id, const char *bundle, const char *console, const char *pid_file, bool keep)
{
	struct container *c = container_prepare(id, bundle);
	int master_rx = -1;
	if (c->cfg->process.terminal) {
		if (console) {
			c->console_sock = console_socket_connect(console);
		} else {
			/* Attached: be our own console socket. */
			int sv[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
				die_errno("socketpair");
			master_rx = sv[0];
			c->console_sock = sv[1];
		}
	} else if (console) {
		die("--console-socket: process.terminal is false in config.json");
	}

	/* Nobody waits to see it created before it starts: let it go at once.
	 * (With a terminal, the master must reach us first.) */
	c->start_early = !c->cfg->process.terminal;
	/* Before the clone, so no signal is lost in between. */
	process_block_signals();
	container_make(c, false, getpid());
	if (pid_file)
		write_pid_file(pid_file, c->pid);
	if (c->console_sock >= 0)
		close(c->console_sock);
	int master = -1;
	if (master_rx >= 0) {
		master = terminal_recv_fd(master_rx);
		if (master < 0)
			die("the container sent no terminal");
		close(master_rx);
	}

	process_start(c);
	int code = process_wait(c->pid, master);
	c->pid = 0; /* reaped */
	error_set_cleanup(NULL, NULL);

	/* Only a container with memory.max, or one whose first process was
	 * SIGKILLed, can have met the OOM killer worth reporting: spare the
	 * read of memory.events otherwise. */
	if ((c->cfg->resources.memory_limit > 0 || code == 128 + SIGKILL) && cgroup_oom_killed(c->cgroup))
		warn("container \"%s\": the OOM killer killed a process (memory.max %" PRId64 ")", id,
		     c->cfg->resources.memory_limit);
	if (keep)
		container_record_exit(c, code, 0);
	else
		container_destroy(id, c->cgroup);
	return code;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *bundle = ".", *console = NULL, *pid_file = NULL;
	bool detach = false, keep = false;
	int o;
	while ((o = getopt_long(argc, argv, "b:dh", opts, NULL)) != -1) {
		switch (o) {
		case 'b': bundle = optarg; break;
		case 'd': detach = true; break;
		case 'k': keep = true; break;
		case 'c': console = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'h': usage_exit(usage, 0);
		default: usage_exit(usage, 2);
		}
	}
	if (optind != argc - 1)
		usage_exit(usage, 2);
	const char *id = argv[optind];
	if (detach) {
		int r = create_container(id, bundle, console, pid_file);
		return r ? r : start_container(id);
	}
	return run_attached(id, bundle, console, pid_file, keep);
}
