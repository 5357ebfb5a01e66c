#!/bin/sh
docker run --rm --network appnet busybox wget -qO- http://web/ 2>/dev/null | grep -q '<h1>built' || { echo "Write index.html into the site volume, then fetch http://web/ from a container on appnet."; exit 1; }
