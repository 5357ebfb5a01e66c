#!/bin/sh
docker ps --filter ancestor=docker/getting-started --format '{{.Ports}}' | grep -q '0.0.0.0:80->80/tcp' || { echo "Run: docker run -d -p 80:80 docker/getting-started"; exit 1; }
wget -qO- http://127.0.0.1/ 2>/dev/null | grep -qi '<html' || { echo "The container runs, but nothing answers on port 80 yet."; exit 1; }
