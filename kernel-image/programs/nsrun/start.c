/* nsrun start <id>: let a created container's process run its program. */
#include "error.h"
#include "state_dir.h"
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"Usage: nsrun start <id>\n"
	"\n"
	"Start a created container: its process executes the program of\n"
	"process.args.\n";

int start_container(const char *id)
{
	struct container_state *st = state_load(id);
	if (strcmp(st->status, "created") != 0)
		die("cannot start container \"%s\": it is %s, not created", id, st->status);
	char *fifo = state_path(id, "exec.fifo");
	/* The monitor holds the fifo open for reading and waits for one byte. */
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENXIO)
			die("cannot start container \"%s\": its monitor process is gone (open %s: no reader)", id, fifo);
		die_errno("open %s", fifo);
	}
	if (write(fd, "s", 1) != 1)
		die_errno("write %s", fifo);
	close(fd);
	/* No fifo means started: the status is "running" from now on. */
	if (unlink(fifo) < 0)
		die_errno("unlink %s", fifo);
	return 0;
}

int cmd_start(int argc, char **argv)
{
	return start_container(only_id_arg(argc, argv, usage));
}
