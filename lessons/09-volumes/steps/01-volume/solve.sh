#!/bin/sh
docker volume create notes
docker run --rm -v notes:/data busybox sh -c 'echo remembered > /data/note.txt'
