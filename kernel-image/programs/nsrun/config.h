/* config.json, the OCI runtime-spec bundle configuration, parsed with yajl
 * into plain C structs. Parsing validates everything up front, so that a bad
 * config.json is rejected before anything (a cgroup, a state dir) is made. */
#ifndef NSRUN_CONFIG_H
#define NSRUN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mount_entry {
	char *destination; /* absolute path inside the container */
	char *type;	   /* "proc", "tmpfs", "bind", ... */
	char *source;
	char **options; /* NULL-terminated */
};

struct namespace_entry {
	int flag;   /* CLONE_NEWPID, ... */
	char *path; /* join this existing namespace instead of making one */
};

struct id_mapping {
	uint32_t container_id, host_id, size;
};

struct rlimit_entry {
	int resource;
	uint64_t soft, hard;
};

struct unified_entry {
	char *key, *value;
};

struct resources {
	/* -1 when the field is absent: the cgroup keeps the kernel default. */
	int64_t memory_limit, memory_reservation, memory_swap;
	int64_t pids_limit;
	int64_t cpu_quota, cpu_period, cpu_shares;
	struct unified_entry *unified;
	size_t n_unified;
};

struct process_config {
	bool terminal;
	char **args; /* NULL-terminated, at least one */
	char **env;  /* NULL-terminated */
	char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	int umask; /* -1: leave as is */
	bool no_new_privileges;
	struct rlimit_entry *rlimits;
	size_t n_rlimits;
};

struct config {
	char *bundle;	 /* absolute */
	char *root_path; /* absolute */
	bool root_readonly;
	struct process_config process;
	char *hostname; /* NULL: keep */
	struct mount_entry *mounts;
	size_t n_mounts;
	struct namespace_entry *namespaces;
	size_t n_namespaces;
	struct id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct resources resources;
	char *cgroups_path; /* NULL: /nsrun/<id> */
	char **masked_paths, **readonly_paths; /* NULL-terminated */
	unsigned long rootfs_propagation;	/* MS_PRIVATE unless set */
};

/* Parse <bundle>/config.json, or die naming the field that is wrong. */
struct config *config_load(const char *bundle);

/* The namespace entry of the given CLONE_NEW* type, or NULL. */
const struct namespace_entry *config_namespace(const struct config *cfg, int flag);

/* Translate a mount option ("ro", "nosuid", "rprivate", ...) into mount
 * flags; returns false when it is not a flag (then it is filesystem data).
 * *clear is set when the option turns a flag off ("rw", "suid", ...). */
bool mount_option_flag(const char *opt, unsigned long *flag, bool *clear, bool *propagation);

#endif
