#!/bin/sh
grep -qx by-hand /root/inside.txt 2>/dev/null || { echo "Run the unshare line: it renames the host inside a new UTS namespace and writes the name to /root/inside.txt."; exit 1; }
[ "$(hostname)" != by-hand ] || { echo "The host itself is called by-hand now: the rename was not inside a new namespace."; exit 1; }
