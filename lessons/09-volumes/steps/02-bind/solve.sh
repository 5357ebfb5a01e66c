#!/bin/sh
mkdir -p /root/shared && echo from-the-host > /root/shared/hello.txt
docker run --rm -v /root/shared:/mnt busybox sh -c 'echo from-the-container > /mnt/reply.txt'
