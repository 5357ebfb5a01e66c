#!/bin/sh
a=$(docker inspect -f '{{.Id}}' mybox:v1 2>/dev/null) || { echo "Tag it: docker tag busybox mybox:v1"; exit 1; }
[ "$a" = "$(docker inspect -f '{{.Id}}' busybox)" ] || { echo "mybox:v1 should be the same image as busybox"; exit 1; }
