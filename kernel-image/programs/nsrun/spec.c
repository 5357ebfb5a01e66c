/* nsrun spec: write a default config.json, the starting point for a bundle
 * (the same shape `runc spec` and `crun spec` write). */
#include "error.h"
#include "json.h"
#include "utils.h"
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"Usage: nsrun spec [OPTIONS]\n"
	"\n"
	"Write a default config.json into the bundle directory: run sh on a\n"
	"terminal, in new pid, network, ipc, uts, mount and cgroup namespaces,\n"
	"with the root filesystem in ./rootfs, read-only.\n"
	"\n"
	"  -b, --bundle DIR  where to write config.json (default: .)\n"
	"  -h, --help        this help\n";

static void mount_entry(yajl_gen g, const char *dest, const char *type, const char *source,
			const char *const *options)
{
	json_map_open(g);
	json_key_string(g, "destination", dest);
	json_key_string(g, "type", type);
	json_key_string(g, "source", source);
	if (options)
		json_key_strings(g, "options", options);
	json_map_close(g);
}

static void write_spec(yajl_gen g)
{
	json_map_open(g);
	json_key_string(g, "ociVersion", "1.0.2");

	json_string(g, "process");
	json_map_open(g);
	json_key_bool(g, "terminal", true);
	json_string(g, "user");
	json_map_open(g);
	json_key_int(g, "uid", 0);
	json_key_int(g, "gid", 0);
	json_map_close(g);
	json_key_strings(g, "args", (const char *const[]){ "sh", NULL });
	json_key_strings(g, "env", (const char *const[]){
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL });
	json_key_string(g, "cwd", "/");
	json_string(g, "rlimits");
	json_array_open(g);
	json_map_open(g);
	json_key_string(g, "type", "RLIMIT_NOFILE");
	json_key_int(g, "hard", 1024);
	json_key_int(g, "soft", 1024);
	json_map_close(g);
	json_array_close(g);
	json_key_bool(g, "noNewPrivileges", true);
	json_map_close(g);

	json_string(g, "root");
	json_map_open(g);
	json_key_string(g, "path", "rootfs");
	json_key_bool(g, "readonly", true);
	json_map_close(g);

	json_key_string(g, "hostname", "nsrun");

	json_string(g, "mounts");
	json_array_open(g);
	mount_entry(g, "/proc", "proc", "proc", NULL);
	mount_entry(g, "/dev", "tmpfs", "tmpfs",
		    (const char *const[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL });
	mount_entry(g, "/dev/pts", "devpts", "devpts",
		    (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL });
	mount_entry(g, "/dev/shm", "tmpfs", "shm",
		    (const char *const[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL });
	mount_entry(g, "/dev/mqueue", "mqueue", "mqueue", (const char *const[]){ "nosuid", "noexec", "nodev", NULL });
	mount_entry(g, "/sys", "sysfs", "sysfs", (const char *const[]){ "nosuid", "noexec", "nodev", "ro", NULL });
	mount_entry(g, "/sys/fs/cgroup", "cgroup", "cgroup",
		    (const char *const[]){ "nosuid", "noexec", "nodev", "relatime", "ro", NULL });
	json_array_close(g);

	json_string(g, "linux");
	json_map_open(g);
	json_string(g, "resources");
	json_map_open(g);
	json_map_close(g);
	json_string(g, "namespaces");
	json_array_open(g);
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		json_map_open(g);
		json_key_string(g, "type", ns[i]);
		json_map_close(g);
	}
	json_array_close(g);
	json_key_strings(g, "maskedPaths", (const char *const[]){
		"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
		"/proc/sched_debug", "/proc/scsi", "/sys/firmware", NULL });
	json_key_strings(g, "readonlyPaths", (const char *const[]){
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL });
	json_map_close(g);

	json_map_close(g);
}

int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *bundle = ".";
	int o;
	while ((o = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		if (o == 'b')
			bundle = optarg;
		else
			usage_exit(usage, o == 'h' ? 0 : 2);
	}
	if (optind != argc)
		usage_exit(usage, 2);

	char *path = xasprintf("%s/config.json", bundle);
	/* O_EXCL: never overwrite someone's edited config. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			die("%s exists already: remove it first", path);
		die_errno("create %s", path);
	}
	yajl_gen g = json_new();
	write_spec(g);
	size_t len;
	const char *buf = json_finish(g, &len);
	if (write(fd, buf, len) != (ssize_t)len || close(fd) < 0)
		die_errno("write %s", path);
	yajl_gen_free(g);
	return 0;
}
