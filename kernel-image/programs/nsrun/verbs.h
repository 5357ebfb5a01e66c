/* One function per nsrun verb, each in a file of its name (as crun does). */
#ifndef NSRUN_VERBS_H
#define NSRUN_VERBS_H

#include <stdbool.h>
#include <stdnoreturn.h>

int cmd_spec(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);

/* Shared by create and run --detach. */
int create_container(const char *id, const char *bundle, const char *console_socket, const char *pid_file);
/* Shared by start and run --detach. */
int start_container(const char *id);
/* Write the container's pid to --pid-file. */
void write_pid_file(const char *path, int pid);

/* Print usage and exit 0 (--help) or 2 (a usage error). */
noreturn void usage_exit(const char *usage, int status);
/* The <id> of a verb that takes nothing else (--help aside). */
const char *only_id_arg(int argc, char **argv, const char *usage);

#endif
