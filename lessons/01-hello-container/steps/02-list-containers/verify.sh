#!/bin/sh
if docker ps -a --filter ancestor=hello-world -q | grep -q .; then
  echo "A hello-world container is still there: remove it with docker rm (docker ps -a shows its name)."
  exit 1
fi
docker images --format '{{.Repository}}' | grep -qx hello-world || { echo "Run hello-world first (step 1)."; exit 1; }
