#!/bin/sh
if docker ps -a -q --filter ancestor=docker/getting-started | grep -q .; then echo "Stop and remove the getting-started container (docker rm -f ID)."; exit 1; fi
