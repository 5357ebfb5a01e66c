/* Small helpers shared by every part: allocation that cannot fail, and the
 * read-a-file / write-a-file pattern that cgroupfs and procfs are built on. */
#ifndef NSRUN_UTILS_H
#define NSRUN_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write the whole string to an existing file (O_WRONLY, no create): returns 0
 * or -1 with errno set. cgroupfs reports a rejected value as write()'s errno. */
int write_file(const char *path, const char *data);
/* Create or replace a file atomically (write a temporary, then rename). */
int write_file_atomic(const char *path, const char *data, size_t len);
/* Whole file as a NUL-terminated string, or NULL with errno set. */
char *read_file(const char *path, size_t *len);

/* mkdir -p: 0, or -1 with errno set. */
int mkdir_p(const char *path, mode_t mode);

/* "KILL", "SIGKILL", "9" -> 9; -1 when unknown. */
int parse_signal(const char *s);
const char *signal_name(int sig);

/* Sleep for the given number of milliseconds. */
void sleep_ms(int ms);

/* Is pid alive and still the process we started? (start time from
 * /proc/<pid>/stat guards against the pid having been reused; a zombie
 * counts as gone). */
bool process_alive(pid_t pid, unsigned long long start_time);
/* Field 22 of /proc/<pid>/stat, 0 if unreadable. */
unsigned long long process_start_time(pid_t pid);

#endif
