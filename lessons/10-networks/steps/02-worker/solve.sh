#!/bin/sh
docker run --rm -v site:/www busybox sh -c 'echo "<h1>built at $(date)</h1>" > /www/index.html'
