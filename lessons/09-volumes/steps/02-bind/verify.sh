#!/bin/sh
grep -q from-the-container /root/shared/reply.txt 2>/dev/null || { echo "Let a container write /root/shared/reply.txt through a bind mount."; exit 1; }
