#!/bin/sh
[ "$(unshare -u sh -c 'hostname by-hand; hostname')" = by-hand ] && [ "$(hostname)" != by-hand ] && exit 0
echo "unshare -u did not isolate the hostname"; exit 1
