#!/bin/sh
docker ps -a --format '{{.Names}}' | grep -qx via-tcp || { echo "Create the container via-tcp with DOCKER_HOST=tcp://127.0.0.1:2375"; exit 1; }
