#!/bin/bash
# usage: sysroot.sh <dir>
# Puts the i386 development packages the guest programs link against under
# <dir>, without installing them on the host: apt-get download + dpkg-deb -x.
# Idempotent: does nothing when <dir> already has this exact package list.
set -euo pipefail
[ $# = 1 ] || { echo "usage: $0 <dir>" >&2; exit 2; }
mkdir -p "$1"
dir=$(cd "$1" && pwd)

# libyajl-dev ships the static archive (libyajl_s.a) besides the headers.
# The agent adds nettle-dev (libnettle.a: sha256) and zlib1g-dev (libz.a: gzip).
packages="libyajl-dev:i386 nettle-dev:i386 zlib1g-dev:i386"

stamp="$dir/.complete"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ] && exit 0

dpkg --print-foreign-architectures | grep -qx i386 || {
  echo "sysroot.sh: the i386 architecture is not enabled (dpkg --add-architecture i386 && apt-get update)" >&2
  exit 1
}
debs="$dir/debs"
rm -rf "$debs"
mkdir -p "$debs"
# apt's _apt user cannot write into root's directories; run the download as root there.
(cd "$debs" && apt-get download -o APT::Sandbox::User=root $packages)
for deb in "$debs"/*.deb; do
  dpkg-deb -x "$deb" "$dir"
done
echo "$packages" > "$stamp"
