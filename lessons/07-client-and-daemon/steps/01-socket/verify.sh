#!/bin/sh
[ -S /var/run/docker.sock ] || { echo "/var/run/docker.sock is missing: the daemon link is down"; exit 1; }
docker version --format '{{.Server.APIVersion}}' | grep -q '^1\.' || { echo "docker version could not reach the daemon"; exit 1; }
