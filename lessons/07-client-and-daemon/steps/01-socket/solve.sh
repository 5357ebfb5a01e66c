#!/bin/sh
docker -H unix:///var/run/docker.sock create --name via-socket busybox
