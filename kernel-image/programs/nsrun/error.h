/* Error reporting: every message starts with "nsrun: " and names what failed
 * (the field, the path, the syscall), the way runc and crun word theirs. */
#ifndef NSRUN_ERROR_H
#define NSRUN_ERROR_H

#include <stdnoreturn.h>

/* Print "nsrun: <message>" and exit(1), after running the cleanup hook. */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with ": strerror(errno)" appended. */
noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit(1) after the cleanup hook, printing nothing: for when the reason was
 * already printed by another process (the container's, during setup). */
noreturn void exit_after_cleanup(void);
/* The same, exiting with this status (the container's program could not run: 126, 127). */
noreturn void exit_status_after_cleanup(int status);
/* Print without exiting. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A half-made container must not outlive a failed create: the verb registers
 * its undo step here and die() runs it. A forked child calls
 * error_set_cleanup(NULL, NULL) first so it never undoes its parent's work. */
void error_set_cleanup(void (*fn)(void *), void *arg);

#endif
