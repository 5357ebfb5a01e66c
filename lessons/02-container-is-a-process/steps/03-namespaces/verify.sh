#!/bin/sh
if docker ps -a --format '{{.Names}}' | grep -qx sleeper; then echo "Remove the container when you are done: docker rm -f sleeper"; exit 1; fi
