#!/bin/sh
docker pull busybox
