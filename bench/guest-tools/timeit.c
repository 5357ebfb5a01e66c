/* timeit: run a command N times and print each run's wall-clock time in
 * milliseconds, one per line. For benchmarks inside the guest, whose
 * busybox `date` has no sub-second format and `time` only centiseconds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0) {
		perror("timeit: clock_gettime");
		exit(1);
	}
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int n = 1, first = 1;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		n = atoi(argv[2]);
		first = 3;
	}
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	if (first >= argc || n < 1) {
		fprintf(stderr, "Usage: timeit [-n RUNS] [--] COMMAND [ARGS...]\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();
		pid_t pid = fork();
		if (pid < 0) {
			perror("timeit: fork");
			return 1;
		}
		if (pid == 0) {
			execvp(argv[first], argv + first);
			fprintf(stderr, "timeit: exec %s: %s\n", argv[first], strerror(errno));
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) < 0) {
			perror("timeit: waitpid");
			return 1;
		}
		printf("%.3f\n", now_ms() - t0);
		fflush(stdout);
		/* A failing command makes the figure meaningless: stop there. */
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "timeit: %s failed (status %d)\n", argv[first], status);
			return 1;
		}
	}
	return 0;
}
