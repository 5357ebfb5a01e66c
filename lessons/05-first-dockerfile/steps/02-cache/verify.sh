#!/bin/sh
docker run --rm hello-app 2>/dev/null | grep -q 'changed' || { echo "Change message.txt (it should contain the word 'changed') and rebuild."; exit 1; }
