#!/bin/sh
docker run --name bomb --pids-limit 20 busybox sh -c 'for i in $(seq 1 100); do sleep 5 & done; echo started'
