#!/bin/sh
[ "$(docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hog 2>/dev/null)" = "true 137" ] || { echo "Run the memory hog with -m 8m and name it hog."; exit 1; }
