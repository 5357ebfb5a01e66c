#!/bin/sh
docker ps -a --filter ancestor=hello-world --format '{{.Status}}' | grep -q 'Exited (0)' && exit 0
echo "No hello-world container has run yet. Type: docker run hello-world"
exit 1
