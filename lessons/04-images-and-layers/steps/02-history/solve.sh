#!/bin/sh
docker pull docker/getting-started >/dev/null
docker tag busybox mybox:v1
