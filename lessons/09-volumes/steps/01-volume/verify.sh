#!/bin/sh
docker volume inspect notes >/dev/null 2>&1 || { echo "Create the volume: docker volume create notes"; exit 1; }
docker run --rm -v notes:/data busybox cat /data/note.txt 2>/dev/null | grep -q remembered || { echo "Write 'remembered' into note.txt on the notes volume."; exit 1; }
