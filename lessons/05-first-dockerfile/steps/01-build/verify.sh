#!/bin/sh
docker run --rm hello-app 2>/dev/null | grep -q 'Hello from my first image' || { echo "Build and tag the image: cd /root/work && docker build -t hello-app ."; exit 1; }
