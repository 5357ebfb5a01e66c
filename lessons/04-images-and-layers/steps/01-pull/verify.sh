#!/bin/sh
docker images --format '{{.Repository}}:{{.Tag}}' | grep -qx busybox:latest || { echo "Pull it: docker pull busybox"; exit 1; }
