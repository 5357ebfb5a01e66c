#!/bin/sh
docker run -d --name sleeper busybox sleep 3600
