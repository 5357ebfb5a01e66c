#!/bin/sh
docker rmi me/tools:1.0 busybox
docker pull me/tools:1.0
