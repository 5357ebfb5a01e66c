#!/bin/sh
docker pull busybox >/dev/null
docker tag busybox me/tools:1.0
docker push me/tools:1.0
