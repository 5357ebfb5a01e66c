#!/bin/sh
[ -S /var/run/docker.sock ] || { echo "/var/run/docker.sock is missing: the daemon link is down"; exit 1; }
docker ps -a --format '{{.Names}}' | grep -qx via-socket || { echo "Create the container via-socket with docker -H unix:///var/run/docker.sock create --name via-socket busybox"; exit 1; }
