#!/bin/sh
docker network ls --format '{{.Name}}' | grep -qx appnet || { echo "Create the network appnet."; exit 1; }
docker inspect -f '{{.State.Running}}' web 2>/dev/null | grep -q true || { echo "Run the web container on appnet."; exit 1; }
