#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void (*cleanup_fn)(void *);
static void *cleanup_arg;

void error_set_cleanup(void (*fn)(void *), void *arg)
{
	cleanup_fn = fn;
	cleanup_arg = arg;
}

static void vreport(int err, const char *fmt, va_list ap)
{
	/* Build the whole line first: an unbuffered stderr would otherwise send
	 * it in pieces that interleave with the container's own output. */
	char msg[1024], line[1200];
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	int n = err ? snprintf(line, sizeof line, "nsrun: %s: %s\n", msg, strerror(err))
		    : snprintf(line, sizeof line, "nsrun: %s\n", msg);
	if (n > (int)sizeof line - 1)
		n = sizeof line - 1;
	if (n > 0 && write(STDERR_FILENO, line, n) < 0) {
		/* nowhere left to report it */
	}
}

static noreturn void finish_with(int status)
{
	void (*fn)(void *) = cleanup_fn;
	cleanup_fn = NULL; /* a failure inside the cleanup must not loop */
	if (fn)
		fn(cleanup_arg);
	exit(status);
}

static noreturn void finish(void)
{
	finish_with(1);
}

void exit_after_cleanup(void)
{
	finish();
}

void exit_status_after_cleanup(int status)
{
	finish_with(status);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, fmt, ap);
	va_end(ap);
	finish();
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(err, fmt, ap);
	va_end(ap);
	finish();
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, fmt, ap);
	va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(err, fmt, ap);
	va_end(ap);
}
