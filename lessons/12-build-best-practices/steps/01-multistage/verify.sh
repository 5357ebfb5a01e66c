#!/bin/sh
docker run --rm multi 2>/dev/null | grep -q 'made in stage one' || { echo "Build the multi-stage Dockerfile as 'multi'."; exit 1; }
