#!/bin/sh
[ "$(docker exec sleeper hostname 2>/dev/null)" = "inside-box" ] || { echo "Set the container's hostname: docker exec sleeper hostname inside-box"; exit 1; }
[ "$(hostname)" != "inside-box" ] || { echo "That changed the host's hostname, not the container's."; exit 1; }
