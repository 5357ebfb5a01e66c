#!/bin/sh
DOCKER_HOST=tcp://127.0.0.1:2375 docker create --name via-tcp busybox
