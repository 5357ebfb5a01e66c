#!/bin/sh
docker run --name hog -m 8m busybox sh -c 'x=a; while true; do x=$x$x; done'
