# Shell helpers for the nsrun guest tests (sourced inside the guest).
# A rootfs made of the guest's own busybox, shared by every bundle.
R=/tmp/nsr/rootfs
if [ ! -x $R/bin/busybox ]; then
  mkdir -p $R/bin $R/tmp $R/etc $R/root $R/proc $R/dev $R/sys
  cp /bin/busybox $R/bin/
  for a in sh echo cat ls hostname mount ps id pwd sleep true false touch ip env grep wc; do
    ln -s busybox $R/bin/$a
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd
  printf 'echo not a binary\n' > $R/notexec
  chmod 644 $R/notexec
fi

# mkb DIR ARGS_JSON: write DIR/config.json. Tuned by variables:
#   RES (linux.resources JSON), RO (root.readonly), UIDGID ("uid gid"),
#   CWD, ENVX (extra env entries, JSON, with a leading comma), TTY,
#   MOUNTX (extra mounts, JSON, leading comma), NETNS (the network namespace
#   entry), CGPATH (linux.cgroupsPath).
mkb() {
  mkdir -p "$1"
  set -- "$1" "$2" ${UIDGID:-0 0}
  netns=${NETNS:-'{ "type": "network" }'}
  cgpath=
  [ -z "${CGPATH:-}" ] || cgpath=" \"cgroupsPath\": \"$CGPATH\","
  cat > "$1/config.json" <<J
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": ${TTY:-false},
    "user": { "uid": $3, "gid": $4 },
    "args": $2,
    "env": ["PATH=/bin", "HOME=/root"${ENVX:-}],
    "cwd": "${CWD:-/}"
  },
  "root": { "path": "$R", "readonly": ${RO:-false} },
  "hostname": "ctr",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "ro"] }${MOUNTX:-}
  ],
  "linux": {
    "resources": ${RES:-{\}},$cgpath
    "namespaces": [
      { "type": "pid" }, $netns, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" }, { "type": "cgroup" }
    ]
  }
}
J
}

# status ID: the "status" field of nsrun state.
status() { nsrun state "$1" | sed -n 's/.*"status": "\(.*\)".*/\1/p'; }

# wait_status ID WANT: poll until the container reaches WANT (10 s at most).
wait_status() {
  i=0
  while [ "$(status "$1")" != "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  status "$1"
}
