#!/bin/sh
docker run --rm -v notes:/data busybox cat /data/note.txt 2>/dev/null | grep -q remembered || { echo "Write 'remembered' into note.txt on the notes volume."; exit 1; }
