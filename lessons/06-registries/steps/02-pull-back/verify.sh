#!/bin/sh
if docker image inspect busybox >/dev/null 2>&1; then echo "busybox still names the image: remove both names (docker rmi me/tools:1.0 busybox), then pull me/tools:1.0."; exit 1; fi
docker images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}' | grep -q '^me/tools:1.0 sha256:' || { echo "Pull me/tools:1.0 back from the registry."; exit 1; }
