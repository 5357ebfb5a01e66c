#!/bin/sh
[ "$(docker inspect -f '{{.HostConfig.PidsLimit}}' bomb 2>/dev/null)" = 20 ] || { echo "Run the fork bomb with --pids-limit 20 and name it bomb."; exit 1; }
docker logs bomb 2>&1 | grep -qi "can't fork\|resource temporarily unavailable" || { echo "The bomb container should have hit its limit: its log would say \"can't fork\"."; exit 1; }
