#!/bin/sh
docker images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}' | grep -q '^me/tools:1.0 sha256:' || { echo "Pull me/tools:1.0 back from the registry."; exit 1; }
