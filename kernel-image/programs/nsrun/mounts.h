/* The container's filesystem: its root (root.path), the mounts config.json
 * lists on top, a /dev of its own, then pivot_root so nothing of the host's
 * tree is left in reach. */
#ifndef NSRUN_MOUNTS_H
#define NSRUN_MOUNTS_H

#include "config.h"

/* Runs in the container's first process, inside its new mount namespace
 * (and pid namespace, so /proc shows the container's processes). On return
 * "/" is root.path. */
void mounts_setup_rootfs(const struct config *cfg);

#endif
