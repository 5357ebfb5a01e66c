#!/bin/sh
out=$(docker run --rm --pids-limit 10 busybox sh -c 'for i in $(seq 1 30); do sleep 2 & done 2>&1; wait' 2>&1)
echo "$out" | grep -qi 'resource\|fork\|can.t' && exit 0
echo "Try the command with --pids-limit: the shell should report it can't fork."
exit 1
