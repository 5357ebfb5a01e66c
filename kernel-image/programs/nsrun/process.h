/* The container's processes: the first one (cloned into new namespaces,
 * set up, then held until start) and how they are waited for. */
#ifndef NSRUN_PROCESS_H
#define NSRUN_PROCESS_H

#include <signal.h>
#include <stdnoreturn.h>
#include <sys/types.h>
#include "config.h"
#include "namespaces.h"

/* Exit statuses, as Docker reports them. */
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

struct container {
	const char *id;
	struct config *cfg;
	char *cgroup;
	struct ns_joins joins;
	int console_sock; /* where the container sends its pty master; -1: no terminal */
	int sync_fd;	  /* our end of the socket to the first process */
	pid_t pid;	  /* the first process, as we see it */
	/* `run` without a terminal: the start byte goes before the clone, so the
	 * first process runs its program as soon as it is set up, without a
	 * round trip back to us (two context switches fewer: in an emulator
	 * they are a good part of a short container's cost). */
	bool start_early;
};

/* Clone the first process and wait until it is set up and holding, just
 * before execve. Dies (after cleanup) if its setup fails. */
void process_spawn(struct container *c);
/* Let it execve. */
void process_start(struct container *c);

/* execve args with env, looking args[0] up in env's PATH. On failure exit
 * 127 (not found) or 126 (found, cannot be run), as docker run does. */
noreturn void process_exec(char *const *args, char *const *env);
/* setgroups, setgid, setuid from process.user (or an exec --user). */
void process_set_user(uid_t uid, gid_t gid, const gid_t *gids, size_t n_gids);

/* The signals nsrun passes on to the container rather than dying of them. */
void process_block_signals(void);
void process_unblock_signals(void);
/* Wait for pid, forwarding signals to it and, with a terminal, copying
 * between our stdin/stdout and master. Returns the Docker-style status. */
int process_wait(pid_t pid, int master);
/* waitpid status -> exit code: the code itself, or 128+N after signal N. */
int exit_code(int wait_status);

#endif
