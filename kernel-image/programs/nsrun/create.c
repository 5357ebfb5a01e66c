/* nsrun create <id> --bundle <dir>: make the container and its first
 * process, stopped just before it executes the program: `nsrun start` is
 * what lets it run. */
#include "container.h"
#include "error.h"
#include "terminal.h"
#include "utils.h"
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
	"Usage: nsrun create [OPTIONS] <id>\n"
	"\n"
	"Create a container from a bundle (a directory with config.json and a\n"
	"root filesystem). Its process is held before it runs the program\n"
	"until `nsrun start <id>`.\n"
	"\n"
	"  -b, --bundle DIR          bundle directory (default: .)\n"
	"      --console-socket PATH send the terminal's master fd to this AF_UNIX\n"
	"                            socket (needed when process.terminal is true)\n"
	"      --pid-file PATH       write the container's pid to PATH\n"
	"  -h, --help                this help\n";

void write_pid_file(const char *path, int pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d", pid);
	if (write_file_atomic(path, buf, n) < 0)
		die_errno("write --pid-file %s", path);
}

static int open_fifo(const char *id)
{
	char *path = state_path(id, "exec.fifo");
	/* Non-blocking read end: open does not wait for a writer, and start's
	 * non-blocking open for writing fails (ENXIO) once we are gone. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		die_errno("open %s", path);
	free(path);
	return fd;
}

/* The monitor: parent of the container's first process for its whole life,
 * so someone is there to let it start, reap it and record its exit status
 * (the part containerd-shim or conmon plays beside runc). */
static int monitor(struct container *c, int fifo)
{
	struct pollfd fds[2] = { { fifo, POLLIN, 0 }, { c->sync_fd, POLLIN, 0 } };
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("poll");
		}
		if (fds[0].revents) {
			char b;
			if (read(fifo, &b, 1) == 1) {
				process_start(c);
				break;
			}
			/* A writer came and went without a byte: reopen, or poll
			 * would report the hangup forever. */
			close(fifo);
			fds[0].fd = fifo = open_fifo(c->id);
		}
		if (fds[1].revents)
			break; /* it died before it was started (killed, or deleted) */
	}
	close(fifo);
	int status;
	while (waitpid(c->pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid %d", (int)c->pid);
	container_record_exit(c, exit_code(status), getpid());
	return exit_code(status);
}

int create_container(const char *id, const char *bundle, const char *console_socket, const char *pid_file)
{
	struct container *c = container_prepare(id, bundle);
	if (c->cfg->process.terminal && !console_socket)
		die("process.terminal is true: create needs --console-socket (or use `nsrun run` in a terminal)");
	if (!c->cfg->process.terminal && console_socket)
		die("--console-socket: process.terminal is false in config.json");

	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		die_errno("pipe2");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid > 0) {
		close(ready[1]);
		char b;
		ssize_t n;
		while ((n = read(ready[0], &b, 1)) < 0 && errno == EINTR)
			;
		if (n == 1)
			return 0;
		/* The monitor failed; it said why and undid what it made. */
		if (waitpid(pid, NULL, 0) < 0)
			warn_errno("waitpid %d", (int)pid);
		return 1;
	}

	close(ready[0]);
	/* A session of its own: the terminal's ^C and hangup are not for it. */
	if (setsid() < 0)
		die_errno("setsid");
	if (console_socket)
		c->console_sock = console_socket_connect(console_socket);
	container_make(c, true, getpid());
	if (c->console_sock >= 0)
		close(c->console_sock);
	int fifo = open_fifo(id);
	if (pid_file)
		write_pid_file(pid_file, c->pid);

	/* From here the container exists; a failure no longer undoes it. */
	error_set_cleanup(NULL, NULL);
	if (write(ready[1], "1", 1) != 1)
		die_errno("write to nsrun create");
	close(ready[1]);
	/* Let go of the caller's stdio (the container keeps its own copy), so
	 * that a caller reading our output is not held open by us. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		die_errno("open /dev/null");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(null, fd) < 0)
			die_errno("dup2 /dev/null onto fd %d", fd);
	close(null);
	/* Its own status is the container's: whoever reaps it (the caller's
	 * subreaper) learns the exit without asking `nsrun state`. */
	_exit(monitor(c, fifo));
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *bundle = ".", *console = NULL, *pid_file = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		switch (o) {
		case 'b': bundle = optarg; break;
		case 'c': console = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'h': usage_exit(usage, 0);
		default: usage_exit(usage, 2);
		}
	}
	if (optind != argc - 1)
		usage_exit(usage, 2);
	return create_container(argv[optind], bundle, console, pid_file);
}
