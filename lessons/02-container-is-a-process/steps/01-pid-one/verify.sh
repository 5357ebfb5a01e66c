#!/bin/sh
docker inspect -f '{{.State.Running}}' sleeper 2>/dev/null | grep -q true || { echo "Start the container: docker run -d --name sleeper busybox sleep 3600"; exit 1; }
docker exec sleeper sh -c 'echo $$' >/dev/null 2>&1 || { echo "docker exec into sleeper failed"; exit 1; }
