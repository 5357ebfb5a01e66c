#include "config.h"
#include "error.h"
#include "utils.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

/* The parsed tree is never freed: nsrun lives for one command, and the
 * strings below point into it or into copies made from it. */

/* Value of key in a JSON object, or NULL. */
static yajl_val member(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

static yajl_val object_or_die(yajl_val v, const char *field)
{
	if (v && !YAJL_IS_OBJECT(v))
		die("config.json: %s: must be an object", field);
	return v;
}

static char *string_or_die(yajl_val v, const char *field, bool required)
{
	if (!v || YAJL_IS_NULL(v)) {
		if (required)
			die("config.json: %s: required", field);
		return NULL;
	}
	if (!YAJL_IS_STRING(v))
		die("config.json: %s: must be a string", field);
	return YAJL_GET_STRING(v);
}

static bool bool_or_die(yajl_val v, const char *field)
{
	if (!v || YAJL_IS_NULL(v))
		return false;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		die("config.json: %s: must be true or false", field);
	return YAJL_IS_TRUE(v);
}

/* Integer field: returns dflt when absent. */
static int64_t int_or_die(yajl_val v, const char *field, int64_t dflt)
{
	if (!v || YAJL_IS_NULL(v))
		return dflt;
	if (!YAJL_IS_INTEGER(v))
		die("config.json: %s: must be an integer", field);
	return YAJL_GET_INTEGER(v);
}

static uint32_t u32_or_die(yajl_val v, const char *field, uint32_t dflt)
{
	int64_t n = int_or_die(v, field, dflt);
	if (n < 0 || n > UINT32_MAX)
		die("config.json: %s: %lld is out of range", field, (long long)n);
	return (uint32_t)n;
}

static size_t array_len_or_die(yajl_val v, const char *field)
{
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_ARRAY(v))
		die("config.json: %s: must be an array", field);
	return v->u.array.len;
}

/* An array of strings as a NULL-terminated char*[] (empty when absent). */
static char **strings_or_die(yajl_val v, const char *field)
{
	size_t n = array_len_or_die(v, field);
	char **out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		yajl_val s = v->u.array.values[i];
		if (!YAJL_IS_STRING(s))
			die("config.json: %s[%zu]: must be a string", field, i);
		out[i] = YAJL_GET_STRING(s);
	}
	return out;
}

static const struct {
	const char *name;
	int flag;
} namespace_types[] = {
	{ "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },	{ "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

static const struct {
	const char *name;
	int resource;
} rlimit_types[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },	     { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },	     { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },	     { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },    { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },    { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const struct {
	const char *name;
	unsigned long flag;
	bool clear, propagation;
} mount_flags[] = {
	{ "ro", MS_RDONLY, false, false },	   { "rw", MS_RDONLY, true, false },
	{ "nosuid", MS_NOSUID, false, false },	   { "suid", MS_NOSUID, true, false },
	{ "nodev", MS_NODEV, false, false },	   { "dev", MS_NODEV, true, false },
	{ "noexec", MS_NOEXEC, false, false },	   { "exec", MS_NOEXEC, true, false },
	{ "sync", MS_SYNCHRONOUS, false, false },  { "async", MS_SYNCHRONOUS, true, false },
	{ "dirsync", MS_DIRSYNC, false, false },   { "remount", MS_REMOUNT, false, false },
	{ "mand", MS_MANDLOCK, false, false },	   { "nomand", MS_MANDLOCK, true, false },
	{ "atime", MS_NOATIME, true, false },	   { "noatime", MS_NOATIME, false, false },
	{ "diratime", MS_NODIRATIME, true, false }, { "nodiratime", MS_NODIRATIME, false, false },
	{ "relatime", MS_RELATIME, false, false }, { "norelatime", MS_RELATIME, true, false },
	{ "strictatime", MS_STRICTATIME, false, false }, { "nostrictatime", MS_STRICTATIME, true, false },
	{ "bind", MS_BIND, false, false },	   { "rbind", MS_BIND | MS_REC, false, false },
	{ "private", MS_PRIVATE, false, true },	   { "rprivate", MS_PRIVATE | MS_REC, false, true },
	{ "shared", MS_SHARED, false, true },	   { "rshared", MS_SHARED | MS_REC, false, true },
	{ "slave", MS_SLAVE, false, true },	   { "rslave", MS_SLAVE | MS_REC, false, true },
	{ "unbindable", MS_UNBINDABLE, false, true }, { "runbindable", MS_UNBINDABLE | MS_REC, false, true },
};

bool mount_option_flag(const char *opt, unsigned long *flag, bool *clear, bool *propagation)
{
	for (size_t i = 0; i < sizeof mount_flags / sizeof mount_flags[0]; i++)
		if (strcmp(opt, mount_flags[i].name) == 0) {
			*flag = mount_flags[i].flag;
			*clear = mount_flags[i].clear;
			*propagation = mount_flags[i].propagation;
			return true;
		}
	return false;
}

static void parse_process(struct process_config *p, yajl_val proc)
{
	if (!proc)
		die("config.json: process: required");
	object_or_die(proc, "process");
	p->terminal = bool_or_die(member(proc, "terminal"), "process.terminal");

	p->args = strings_or_die(member(proc, "args"), "process.args");
	if (!p->args[0] || !p->args[0][0])
		die("config.json: process.args: must name the program to run");
	p->env = strings_or_die(member(proc, "env"), "process.env");
	for (size_t i = 0; p->env[i]; i++)
		if (!strchr(p->env[i], '='))
			die("config.json: process.env[%zu]: \"%s\" is not KEY=VALUE", i, p->env[i]);

	p->cwd = string_or_die(member(proc, "cwd"), "process.cwd", false);
	if (!p->cwd)
		p->cwd = "/";
	if (p->cwd[0] != '/')
		die("config.json: process.cwd: \"%s\" must be an absolute path", p->cwd);

	yajl_val user = object_or_die(member(proc, "user"), "process.user");
	p->uid = u32_or_die(member(user, "uid"), "process.user.uid", 0);
	p->gid = u32_or_die(member(user, "gid"), "process.user.gid", 0);
	p->umask = (int)int_or_die(member(user, "umask"), "process.user.umask", -1);
	yajl_val gids = member(user, "additionalGids");
	p->n_additional_gids = array_len_or_die(gids, "process.user.additionalGids");
	p->additional_gids = xcalloc(p->n_additional_gids, sizeof(gid_t));
	for (size_t i = 0; i < p->n_additional_gids; i++) {
		char field[64];
		snprintf(field, sizeof field, "process.user.additionalGids[%zu]", i);
		p->additional_gids[i] = u32_or_die(gids->u.array.values[i], field, 0);
	}

	p->no_new_privileges = bool_or_die(member(proc, "noNewPrivileges"), "process.noNewPrivileges");

	yajl_val rl = member(proc, "rlimits");
	p->n_rlimits = array_len_or_die(rl, "process.rlimits");
	p->rlimits = xcalloc(p->n_rlimits, sizeof *p->rlimits);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		char field[64];
		yajl_val r = rl->u.array.values[i];
		snprintf(field, sizeof field, "process.rlimits[%zu].type", i);
		const char *type = string_or_die(member(r, "type"), field, true);
		size_t k;
		for (k = 0; k < sizeof rlimit_types / sizeof rlimit_types[0]; k++)
			if (strcmp(type, rlimit_types[k].name) == 0)
				break;
		if (k == sizeof rlimit_types / sizeof rlimit_types[0])
			die("config.json: %s: unknown rlimit \"%s\"", field, type);
		p->rlimits[i].resource = rlimit_types[k].resource;
		snprintf(field, sizeof field, "process.rlimits[%zu].soft", i);
		p->rlimits[i].soft = (uint64_t)int_or_die(member(r, "soft"), field, 0);
		snprintf(field, sizeof field, "process.rlimits[%zu].hard", i);
		p->rlimits[i].hard = (uint64_t)int_or_die(member(r, "hard"), field, 0);
	}
}

/* Does a path have a ".." component? */
static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

static void parse_mounts(struct config *cfg, yajl_val mounts)
{
	cfg->n_mounts = array_len_or_die(mounts, "mounts");
	cfg->mounts = xcalloc(cfg->n_mounts, sizeof *cfg->mounts);
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		yajl_val m = mounts->u.array.values[i];
		struct mount_entry *e = &cfg->mounts[i];
		char field[64];
		snprintf(field, sizeof field, "mounts[%zu]", i);
		object_or_die(m, field);
		snprintf(field, sizeof field, "mounts[%zu].destination", i);
		e->destination = string_or_die(member(m, "destination"), field, true);
		if (e->destination[0] != '/')
			die("config.json: %s: \"%s\" must be an absolute path", field, e->destination);
		/* ".." could climb out of the rootfs before the path is resolved. */
		if (has_dotdot(e->destination))
			die("config.json: %s: \"%s\" must not contain \"..\"", field, e->destination);
		snprintf(field, sizeof field, "mounts[%zu].type", i);
		e->type = string_or_die(member(m, "type"), field, false);
		snprintf(field, sizeof field, "mounts[%zu].source", i);
		e->source = string_or_die(member(m, "source"), field, false);
		snprintf(field, sizeof field, "mounts[%zu].options", i);
		e->options = strings_or_die(member(m, "options"), field);

		bool bind = e->type && strcmp(e->type, "bind") == 0;
		for (size_t k = 0; e->options[k]; k++)
			if (strcmp(e->options[k], "bind") == 0 || strcmp(e->options[k], "rbind") == 0)
				bind = true;
		if (!bind && !e->type)
			die("config.json: mounts[%zu].type: required for \"%s\"", i, e->destination);
		if (bind && !e->source)
			die("config.json: mounts[%zu].source: a bind mount of \"%s\" needs a source", i, e->destination);
		if (!e->source)
			e->source = e->type;
	}
}

static void parse_id_mappings(yajl_val v, const char *name, struct id_mapping **out, size_t *n)
{
	*n = array_len_or_die(v, name);
	*out = xcalloc(*n, sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		yajl_val m = v->u.array.values[i];
		char field[64];
		snprintf(field, sizeof field, "%s[%zu].containerID", name, i);
		(*out)[i].container_id = u32_or_die(member(m, "containerID"), field, 0);
		snprintf(field, sizeof field, "%s[%zu].hostID", name, i);
		(*out)[i].host_id = u32_or_die(member(m, "hostID"), field, 0);
		snprintf(field, sizeof field, "%s[%zu].size", name, i);
		(*out)[i].size = u32_or_die(member(m, "size"), field, 0);
		if ((*out)[i].size == 0)
			die("config.json: %s: must be at least 1", field);
	}
}

static void parse_resources(struct resources *r, yajl_val res)
{
	object_or_die(res, "linux.resources");
	yajl_val mem = object_or_die(member(res, "memory"), "linux.resources.memory");
	r->memory_limit = int_or_die(member(mem, "limit"), "linux.resources.memory.limit", -1);
	r->memory_reservation = int_or_die(member(mem, "reservation"), "linux.resources.memory.reservation", -1);
	r->memory_swap = int_or_die(member(mem, "swap"), "linux.resources.memory.swap", -1);
	if (r->memory_limit == 0 || r->memory_limit < -1)
		die("config.json: linux.resources.memory.limit: %lld is not a limit in bytes",
		    (long long)r->memory_limit);

	yajl_val pids = object_or_die(member(res, "pids"), "linux.resources.pids");
	r->pids_limit = int_or_die(member(pids, "limit"), "linux.resources.pids.limit", -1);

	yajl_val cpu = object_or_die(member(res, "cpu"), "linux.resources.cpu");
	r->cpu_quota = int_or_die(member(cpu, "quota"), "linux.resources.cpu.quota", -1);
	r->cpu_period = int_or_die(member(cpu, "period"), "linux.resources.cpu.period", -1);
	r->cpu_shares = int_or_die(member(cpu, "shares"), "linux.resources.cpu.shares", -1);
	/* The kernel takes periods of 1 ms .. 1 s and quotas from 1 ms. */
	if (r->cpu_period != -1 && (r->cpu_period < 1000 || r->cpu_period > 1000000))
		die("config.json: linux.resources.cpu.period: %lld is outside 1000..1000000 microseconds",
		    (long long)r->cpu_period);
	if (r->cpu_quota != -1 && r->cpu_quota < 1000)
		die("config.json: linux.resources.cpu.quota: %lld is below 1000 microseconds", (long long)r->cpu_quota);
	if (r->cpu_shares != -1 && (r->cpu_shares < 2 || r->cpu_shares > 262144))
		die("config.json: linux.resources.cpu.shares: %lld is outside 2..262144", (long long)r->cpu_shares);

	yajl_val unified = object_or_die(member(res, "unified"), "linux.resources.unified");
	if (unified) {
		r->n_unified = unified->u.object.len;
		r->unified = xcalloc(r->n_unified, sizeof *r->unified);
		for (size_t i = 0; i < r->n_unified; i++) {
			char field[128];
			const char *key = unified->u.object.keys[i];
			snprintf(field, sizeof field, "linux.resources.unified.%s", key);
			/* A key names a file in the cgroup directory, nothing more. */
			if (strchr(key, '/') || key[0] == '.' || !strchr(key, '.'))
				die("config.json: %s: not a cgroup interface file name", field);
			r->unified[i].key = (char *)key;
			r->unified[i].value = string_or_die(unified->u.object.values[i], field, true);
		}
	}
}

static void parse_linux(struct config *cfg, yajl_val linux_obj)
{
	object_or_die(linux_obj, "linux");
	yajl_val ns = member(linux_obj, "namespaces");
	cfg->n_namespaces = array_len_or_die(ns, "linux.namespaces");
	cfg->namespaces = xcalloc(cfg->n_namespaces, sizeof *cfg->namespaces);
	for (size_t i = 0; i < cfg->n_namespaces; i++) {
		char field[64];
		yajl_val n = ns->u.array.values[i];
		snprintf(field, sizeof field, "linux.namespaces[%zu].type", i);
		const char *type = string_or_die(member(n, "type"), field, true);
		size_t k;
		for (k = 0; k < sizeof namespace_types / sizeof namespace_types[0]; k++)
			if (strcmp(type, namespace_types[k].name) == 0)
				break;
		if (k == sizeof namespace_types / sizeof namespace_types[0])
			die("config.json: %s: unknown namespace type \"%s\"", field, type);
		for (size_t j = 0; j < i; j++)
			if (cfg->namespaces[j].flag == namespace_types[k].flag)
				die("config.json: %s: \"%s\" is listed twice", field, type);
		cfg->namespaces[i].flag = namespace_types[k].flag;
		snprintf(field, sizeof field, "linux.namespaces[%zu].path", i);
		cfg->namespaces[i].path = string_or_die(member(n, "path"), field, false);
		if (cfg->namespaces[i].path && cfg->namespaces[i].path[0] != '/')
			die("config.json: %s: \"%s\" must be an absolute path", field, cfg->namespaces[i].path);
	}

	parse_id_mappings(member(linux_obj, "uidMappings"), "linux.uidMappings", &cfg->uid_mappings, &cfg->n_uid_mappings);
	parse_id_mappings(member(linux_obj, "gidMappings"), "linux.gidMappings", &cfg->gid_mappings, &cfg->n_gid_mappings);

	yajl_val res = member(linux_obj, "resources");
	if (res)
		parse_resources(&cfg->resources, res);

	cfg->cgroups_path = string_or_die(member(linux_obj, "cgroupsPath"), "linux.cgroupsPath", false);
	if (cfg->cgroups_path && (has_dotdot(cfg->cgroups_path) || strchr(cfg->cgroups_path, ':')))
		die("config.json: linux.cgroupsPath: \"%s\" must be a plain cgroupfs path (no \"..\", no systemd slice:prefix:name)",
		    cfg->cgroups_path);

	cfg->masked_paths = strings_or_die(member(linux_obj, "maskedPaths"), "linux.maskedPaths");
	cfg->readonly_paths = strings_or_die(member(linux_obj, "readonlyPaths"), "linux.readonlyPaths");

	const char *prop = string_or_die(member(linux_obj, "rootfsPropagation"), "linux.rootfsPropagation", false);
	if (prop) {
		unsigned long flag;
		bool clear, propagation;
		if (!mount_option_flag(prop, &flag, &clear, &propagation) || !propagation)
			die("config.json: linux.rootfsPropagation: \"%s\" is not a propagation type", prop);
		cfg->rootfs_propagation = flag;
	}
}

struct config *config_load(const char *bundle)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	char *abs = realpath(bundle, NULL);
	if (!abs)
		die_errno("bundle %s", bundle);
	cfg->bundle = abs;

	char *path = xasprintf("%s/config.json", abs);
	char *text = read_file(path, NULL);
	if (!text)
		die_errno("open %s", path);
	char err[512];
	yajl_val root = yajl_tree_parse(text, err, sizeof err);
	if (!root) {
		/* yajl's message spans lines; the first one says what is wrong. */
		char *nl = strchr(err, '\n');
		if (nl)
			*nl = '\0';
		die("%s: invalid JSON: %s", path, err);
	}
	if (!YAJL_IS_OBJECT(root))
		die("%s: must hold a JSON object", path);

	cfg->resources = (struct resources){ -1, -1, -1, -1, -1, -1, -1, NULL, 0 };
	cfg->rootfs_propagation = MS_PRIVATE | MS_REC;

	yajl_val root_obj = object_or_die(member(root, "root"), "root");
	const char *root_path = string_or_die(member(root_obj, "path"), "root.path", true);
	char *joined = root_path[0] == '/' ? xstrdup(root_path) : xasprintf("%s/%s", abs, root_path);
	struct stat st;
	if (stat(joined, &st) < 0)
		die_errno("config.json: root.path: %s", joined);
	if (!S_ISDIR(st.st_mode))
		die("config.json: root.path: %s is not a directory", joined);
	cfg->root_path = joined;
	cfg->root_readonly = bool_or_die(member(root_obj, "readonly"), "root.readonly");

	parse_process(&cfg->process, member(root, "process"));
	cfg->hostname = string_or_die(member(root, "hostname"), "hostname", false);
	parse_mounts(cfg, member(root, "mounts"));
	yajl_val linux_obj = member(root, "linux");
	if (linux_obj)
		parse_linux(cfg, linux_obj);

	/* nsrun builds the container's root inside a mount namespace of its own;
	 * without one, pivot_root would move the host's root. */
	const struct namespace_entry *mnt = config_namespace(cfg, CLONE_NEWNS);
	if (!mnt)
		die("config.json: linux.namespaces: a \"mount\" namespace is required");
	if (cfg->hostname && !config_namespace(cfg, CLONE_NEWUTS))
		die("config.json: hostname: setting it needs a \"uts\" namespace");
	const struct namespace_entry *user = config_namespace(cfg, CLONE_NEWUSER);
	if (user && !user->path && (cfg->n_uid_mappings == 0 || cfg->n_gid_mappings == 0))
		die("config.json: linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
	free(path);
	return cfg;
}

const struct namespace_entry *config_namespace(const struct config *cfg, int flag)
{
	for (size_t i = 0; i < cfg->n_namespaces; i++)
		if (cfg->namespaces[i].flag == flag)
			return &cfg->namespaces[i];
	return NULL;
}
