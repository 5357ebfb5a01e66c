#!/bin/sh
[ -f /root/bundle/config.json ] || { echo "Write a config.json with nsrun spec in /root/bundle."; exit 1; }
[ -x /root/bundle/rootfs/bin/busybox ] || { echo "Copy busybox into /root/bundle/rootfs/bin."; exit 1; }
