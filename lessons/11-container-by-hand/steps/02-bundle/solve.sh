#!/bin/sh
mkdir -p /root/bundle/rootfs/bin && cd /root/bundle && cp /bin/busybox rootfs/bin/ && ln -sf busybox rootfs/bin/sh && ln -sf busybox rootfs/bin/echo && nsrun spec
