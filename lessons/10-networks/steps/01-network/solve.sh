#!/bin/sh
docker network create appnet
docker run -d --name web --network appnet -v site:/www busybox httpd -f -p 80 -h /www
