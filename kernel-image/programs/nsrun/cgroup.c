#include "cgroup.h"
#include "error.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cgroup_path_for(const struct config *cfg, const char *id)
{
	if (cfg->cgroups_path) {
		const char *p = cfg->cgroups_path;
		while (*p == '/')
			p++;
		if (!*p)
			die("config.json: linux.cgroupsPath: must name a cgroup below the root");
		return xasprintf(CGROUP_ROOT "/%s", p);
	}
	return xasprintf(CGROUP_ROOT "/nsrun/%s", id);
}

/* Is the word in a space-separated list like cgroup.controllers? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* A controller works in a cgroup only if every ancestor lists it in
 * cgroup.subtree_control; pass memory, pids and cpu down from dir. */
static void enable_controllers(const char *dir)
{
	char *avail_path = xasprintf("%s/cgroup.controllers", dir);
	char *avail = read_file(avail_path, NULL);
	if (!avail)
		die_errno("read %s", avail_path);
	char *ctl = xasprintf("%s/cgroup.subtree_control", dir);
	char *enabled = read_file(ctl, NULL);
	if (!enabled)
		die_errno("read %s", ctl);
	static const char *const wanted[] = { "memory", "pids", "cpu" };
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
		/* Missing ones are reported by cgroup_create if a limit needs them;
		 * enabled ones are not written again (each write rebuilds the tree). */
		if (!has_word(avail, wanted[i]) || has_word(enabled, wanted[i]))
			continue;
		char *plus = xasprintf("+%s", wanted[i]);
		if (write_file(ctl, plus) < 0)
			die_errno("write \"%s\" to %s", plus, ctl);
		free(plus);
	}
	free(ctl);
	free(enabled);
	free(avail);
	free(avail_path);
}

static void set_limit(const char *dir, const char *file, const char *value, const char *field)
{
	char *path = xasprintf("%s/%s", dir, file);
	if (write_file(path, value) < 0)
		die_errno("%s: write \"%s\" to %s", field, value, path);
	free(path);
}

static void need_controller(const char *dir, const char *controller, const char *field)
{
	char *path = xasprintf("%s/cgroup.controllers", dir);
	char *avail = read_file(path, NULL);
	if (!avail)
		die_errno("read %s", path);
	if (!has_word(avail, controller))
		die("%s: the %s controller is not enabled for %s (kernel config, or a parent's cgroup.subtree_control)",
		    field, controller, dir);
	free(avail);
	free(path);
}

/* Does the parent of path list memory, pids and cpu in its subtree_control? */
static bool parent_ready(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *ctl = xasprintf("%.*s/cgroup.subtree_control", (int)(slash - path), path);
	char *enabled = read_file(ctl, NULL);
	bool ready = enabled && has_word(enabled, "memory") && has_word(enabled, "pids") && has_word(enabled, "cpu");
	free(enabled);
	free(ctl);
	return ready;
}

/* Each level from the root down to the parent must exist and hand the
 * controllers on to the next. */
static void prepare_ancestors(const char *path)
{
	char *p = xstrdup(path);
	size_t root_len = strlen(CGROUP_ROOT);
	for (char *s = p + root_len; s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (s > p + root_len && mkdir(p, 0755) < 0 && errno != EEXIST)
			die_errno("mkdir %s", p);
		enable_controllers(p);
		*s = '/';
	}
	free(p);
}

void cgroup_create(const char *path, const struct resources *r)
{
	/* Every container after the first finds its parent ready. */
	if (!parent_ready(path))
		prepare_ancestors(path);

	if (mkdir(path, 0755) < 0) {
		if (errno == EEXIST)
			die("cgroup %s already exists (a container of that name, or one not deleted)", path);
		die_errno("mkdir %s", path);
	}
	cgroup_set_limits(path, r);
}

void cgroup_set_limits(const char *path, const struct resources *r)
{
	char value[64];
	if (r->memory_limit > 0) {
		need_controller(path, "memory", "linux.resources.memory.limit");
		snprintf(value, sizeof value, "%" PRId64, r->memory_limit);
		set_limit(path, "memory.max", value, "linux.resources.memory.limit");
		/* runtime-spec's swap is memory+swap; cgroup v2 counts swap alone.
		 * A guest without swap has no memory.swap.max: nothing to limit. */
		char *swap = xasprintf("%s/memory.swap.max", path);
		if (r->memory_swap != -1 && access(swap, F_OK) == 0) {
			if (r->memory_swap < r->memory_limit)
				die("linux.resources.memory.swap: must be at least memory.limit");
			snprintf(value, sizeof value, "%" PRId64, r->memory_swap - r->memory_limit);
			set_limit(path, "memory.swap.max", value, "linux.resources.memory.swap");
		}
		free(swap);
	}
	if (r->memory_reservation > 0) {
		need_controller(path, "memory", "linux.resources.memory.reservation");
		snprintf(value, sizeof value, "%" PRId64, r->memory_reservation);
		set_limit(path, "memory.low", value, "linux.resources.memory.reservation");
	}
	if (r->pids_limit != -1) {
		need_controller(path, "pids", "linux.resources.pids.limit");
		if (r->pids_limit > 0)
			snprintf(value, sizeof value, "%" PRId64, r->pids_limit);
		else
			strcpy(value, "max"); /* runtime-spec: 0 or -1 means unlimited */
		set_limit(path, "pids.max", value, "linux.resources.pids.limit");
	}
	if (r->cpu_quota != -1 || r->cpu_period != -1) {
		need_controller(path, "cpu", "linux.resources.cpu.quota");
		char quota[32];
		if (r->cpu_quota > 0)
			snprintf(quota, sizeof quota, "%" PRId64, r->cpu_quota);
		else
			strcpy(quota, "max");
		snprintf(value, sizeof value, "%s %" PRId64, quota, r->cpu_period > 0 ? r->cpu_period : 100000);
		set_limit(path, "cpu.max", value, "linux.resources.cpu.quota/period");
	}
	if (r->cpu_shares != -1) {
		need_controller(path, "cpu", "linux.resources.cpu.shares");
		/* cgroup v1 shares (2..262144, default 1024) onto v2 weight
		 * (1..10000, default 100): the mapping runc and crun use. */
		int64_t weight = 1 + ((r->cpu_shares - 2) * 9999) / 262142;
		snprintf(value, sizeof value, "%" PRId64, weight);
		set_limit(path, "cpu.weight", value, "linux.resources.cpu.shares");
	}
	for (size_t i = 0; i < r->n_unified; i++) {
		char field[160];
		snprintf(field, sizeof field, "linux.resources.unified.%s", r->unified[i].key);
		set_limit(path, r->unified[i].key, r->unified[i].value, field);
	}
}

int cgroup_open(const char *path)
{
	/* Not O_PATH: clone3 wants a real open file. */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open %s", path);
	return fd;
}

static bool populated(const char *path)
{
	char *events = xasprintf("%s/cgroup.events", path);
	char *text = read_file(events, NULL);
	free(events);
	if (!text)
		return false; /* gone already */
	bool yes = strstr(text, "populated 1") != NULL;
	free(text);
	return yes;
}

int cgroup_kill_all(const char *path)
{
	if (!populated(path))
		return 0; /* the usual case: the container exited by itself */
	char *kill_file = xasprintf("%s/cgroup.kill", path);
	int r = write_file(kill_file, "1");
	if (r < 0 && errno != ENOENT)
		warn_errno("write 1 to %s", kill_file);
	free(kill_file);
	/* The kill is asynchronous; the processes still have to exit. */
	for (int i = 0; i < 1000 && populated(path); i++)
		sleep_ms(10);
	if (populated(path)) {
		warn("%s: processes still alive after cgroup.kill", path);
		return -1;
	}
	return 0;
}

int cgroup_destroy(const char *path)
{
	for (int i = 0; i < 300; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		/* Busy while the last exiting processes are being accounted. */
		sleep_ms(10);
	}
	warn_errno("rmdir %s", path);
	return -1;
}

bool cgroup_oom_killed(const char *path)
{
	char *events = xasprintf("%s/memory.events", path);
	char *text = read_file(events, NULL);
	free(events);
	if (!text)
		return false;
	bool killed = false;
	char *p = strstr(text, "oom_kill ");
	if (p)
		killed = strtoull(p + strlen("oom_kill "), NULL, 10) > 0;
	free(text);
	return killed;
}

pid_t *cgroup_pids(const char *path, size_t *n)
{
	char *procs = xasprintf("%s/cgroup.procs", path);
	char *text = read_file(procs, NULL);
	*n = 0;
	if (!text) {
		free(procs);
		return xcalloc(1, sizeof(pid_t));
	}
	size_t lines = 0;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	pid_t *pids = xcalloc(lines + 1, sizeof(pid_t));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		pids[(*n)++] = (pid_t)atoi(line);
	free(text);
	free(procs);
	return pids;
}

int cgroup_freeze(const char *path, bool on)
{
	char *ctl = xasprintf("%s/cgroup.freeze", path);
	if (write_file(ctl, on ? "1" : "0") < 0) {
		warn_errno("write %s to %s", on ? "1" : "0", ctl);
		free(ctl);
		return -1;
	}
	free(ctl);
	/* The write starts it; cgroup.events says when every task is there. */
	char *events = xasprintf("%s/cgroup.events", path);
	const char *want = on ? "frozen 1" : "frozen 0";
	int r = -1;
	for (int i = 0; i < 200 && r < 0; i++) {
		char *text = read_file(events, NULL);
		if (!text) {
			warn_errno("read %s", events);
			break;
		}
		if (strstr(text, want))
			r = 0;
		free(text);
		if (r < 0)
			sleep_ms(10);
	}
	if (r < 0)
		warn("%s did not say \"%s\" within 2 s", events, want);
	free(events);
	return r;
}

