#include "state_dir.h"
#include "cgroup.h"
#include "error.h"
#include "json.h"
#include "utils.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

const char *state_root = STATE_ROOT_DEFAULT;

void state_check_id(const char *id)
{
	if (!id || !*id)
		die("a container id is required");
	if (id[0] == '.' || strlen(id) > 128)
		die("invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '.'))
			die("invalid container id \"%s\": use letters, digits, '_', '-' and '.'", id);
}

char *state_path(const char *id, const char *file)
{
	return file ? xasprintf("%s/%s/%s", state_root, id, file) : xasprintf("%s/%s", state_root, id);
}

void state_claim(const char *id)
{
	char *dir = state_path(id, NULL);
	/* mkdir is atomic: of two creates of one id, exactly one succeeds. */
	int r = mkdir(dir, 0700);
	if (r < 0 && errno == ENOENT) {
		if (mkdir_p(state_root, 0700) < 0)
			die_errno("mkdir %s", state_root);
		r = mkdir(dir, 0700);
	}
	if (r < 0) {
		if (errno == EEXIST)
			die("container \"%s\" already exists", id);
		die_errno("mkdir %s", dir);
	}
	free(dir);
}

char *state_to_json(const struct container_state *st, bool internal)
{
	yajl_gen g = json_new();
	json_map_open(g);
	json_key_string(g, "ociVersion", "1.0.2");
	json_key_string(g, "id", st->id);
	json_key_int(g, "pid", internal || strcmp(st->status, "stopped") != 0 ? st->pid : 0);
	if (!internal)
		json_key_string(g, "status", st->status);
	json_key_string(g, "bundle", st->bundle);
	json_key_string(g, "rootfs", st->rootfs);
	json_key_string(g, "created", st->created);
	json_key_string(g, "owner", "");
	json_key_string(g, "cgroupPath", st->cgroup);
	if (internal) {
		json_key_int(g, "pidStartTime", (long long)st->pid_start);
		json_key_int(g, "monitorPid", st->monitor_pid);
	}
	if (internal || strcmp(st->status, "stopped") == 0) {
		json_key_int(g, "exitStatus", st->exit_status);
		if (!internal)
			json_key_bool(g, "oomKilled", st->oom_killed);
	}
	json_map_close(g);
	size_t len;
	const char *buf = json_finish(g, &len);
	char *out = xmalloc(len + 1);
	memcpy(out, buf, len);
	out[len] = '\0';
	yajl_gen_free(g);
	return out;
}

int state_save(const struct container_state *st)
{
	char *json = state_to_json(st, true);
	char *path = state_path(st->id, "state.json");
	int r = write_file_atomic(path, json, strlen(json));
	if (r < 0)
		warn_errno("write %s", path);
	free(path);
	free(json);
	return r;
}

static yajl_val member(yajl_val obj, const char *key)
{
	const char *path[] = { key, NULL };
	return yajl_tree_get(obj, path, yajl_t_any);
}

static char *str(yajl_val obj, const char *key)
{
	yajl_val v = member(obj, key);
	return xstrdup(v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "");
}

static long long num(yajl_val obj, const char *key, long long dflt)
{
	yajl_val v = member(obj, key);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : dflt;
}

struct container_state *state_try_load(const char *id)
{
	struct container_state *st = xcalloc(1, sizeof *st);
	st->id = xstrdup(id);
	st->exit_status = -1;
	char *dir = state_path(id, NULL);
	struct stat sb;
	if (stat(dir, &sb) < 0) {
		free(dir);
		free(st->id);
		free(st);
		return NULL;
	}
	free(dir);

	char *path = state_path(id, "state.json");
	char *text = read_file(path, NULL);
	free(path);
	if (!text) {
		/* The directory is claimed, state.json not yet written. */
		st->status = "creating";
		st->bundle = st->rootfs = st->cgroup = st->created = xstrdup("");
		return st;
	}
	char err[256];
	yajl_val root = yajl_tree_parse(text, err, sizeof err);
	free(text);
	if (!root)
		die("%s/%s/state.json: invalid JSON: %s", state_root, id, err);
	st->pid = (pid_t)num(root, "pid", 0);
	st->pid_start = (unsigned long long)num(root, "pidStartTime", 0);
	st->monitor_pid = (pid_t)num(root, "monitorPid", 0);
	st->exit_status = (int)num(root, "exitStatus", -1);
	st->bundle = str(root, "bundle");
	st->rootfs = str(root, "rootfs");
	st->cgroup = str(root, "cgroupPath");
	st->created = str(root, "created");
	yajl_tree_free(root);

	char *fifo = state_path(id, "exec.fifo");
	if (st->exit_status < 0 && process_alive(st->pid, st->pid_start))
		st->status = access(fifo, F_OK) == 0 ? "created" : "running";
	else
		st->status = "stopped";
	free(fifo);
	st->oom_killed = st->cgroup[0] && cgroup_oom_killed(st->cgroup);
	return st;
}

struct container_state *state_load(const char *id)
{
	state_check_id(id);
	struct container_state *st = state_try_load(id);
	if (!st)
		die("container \"%s\" does not exist", id);
	return st;
}

static void unlink_state_file(const char *id, const char *file)
{
	char *p = state_path(id, file);
	if (unlink(p) < 0 && errno != ENOENT)
		warn_errno("unlink %s", p);
	free(p);
}

void state_remove(const char *id)
{
	/* Usually state.json is all there is: try the rmdir before unlinking
	 * files that are rarely there (each syscall counts in an emulator). */
	unlink_state_file(id, "state.json");
	char *dir = state_path(id, NULL);
	int r = rmdir(dir);
	if (r < 0 && errno == ENOTEMPTY) {
		unlink_state_file(id, "exec.fifo");
		unlink_state_file(id, "state.json.tmp");
		r = rmdir(dir);
	}
	if (r < 0 && errno != ENOENT)
		warn_errno("rmdir %s", dir);
	free(dir);
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **state_list(void)
{
	size_t n = 0, cap = 16;
	char **ids = xcalloc(cap, sizeof *ids);
	DIR *d = opendir(state_root);
	if (!d) {
		if (errno != ENOENT)
			die_errno("opendir %s", state_root);
		return ids;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			ids = realloc(ids, cap * sizeof *ids);
			if (!ids)
				die("out of memory");
		}
		ids[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	ids[n] = NULL;
	qsort(ids, n, sizeof *ids, compare);
	return ids;
}

char *now_rfc3339(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		die_errno("clock_gettime");
	struct tm tm;
	if (!gmtime_r(&ts.tv_sec, &tm))
		die_errno("gmtime_r");
	/* Not strftime: it reads /etc/localtime, and UTC needs none of it. */
	return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}
