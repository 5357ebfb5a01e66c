#!/bin/sh
mkdir -p /root/ms && cd /root/ms && printf 'FROM busybox AS build\nRUN echo "made in stage one" > /artifact.txt\nFROM busybox\nCOPY --from=build /artifact.txt /artifact.txt\nCMD ["cat", "/artifact.txt"]\n' > Dockerfile && docker build -t multi .
