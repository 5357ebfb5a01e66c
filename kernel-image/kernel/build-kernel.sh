#!/bin/bash
# Builds the guest's i386 bzImage from Debian's linux-source-6.1.
# usage: build-kernel.sh <work-dir> <out-file>
# The work dir keeps the unpacked source and object tree between runs, so a
# changed fragment rebuilds incrementally.
set -euo pipefail
work=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
src=$work/linux-source-6.1
obj=$work/obj

[ -f "$tarball" ] || { echo "missing $tarball (apt package linux-source-6.1)" >&2; exit 1; }
mkdir -p "$work"
# One build at a time in the shared object tree.
exec 9>"$work/.lock"
flock 9
if [ ! -f "$src/Makefile" ]; then
  echo "unpacking $tarball"
  mkdir -p "$work"
  tar -C "$work" -xf "$tarball"
fi
mkdir -p "$obj"
make -C "$src" O="$obj" ARCH=i386 tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$here/slipway.config" >/dev/null
make -C "$src" O="$obj" ARCH=i386 olddefconfig >/dev/null

# olddefconfig silently drops options whose dependencies are unmet: check each one stuck.
missing=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" "$obj/.config" || { echo "kernel option did not stick: $line" >&2; missing=1; } ;;
    "# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
      ! grep -q "^$opt=" "$obj/.config" || { echo "kernel option is still set: $opt" >&2; missing=1; } ;;
  esac
done < "$here/slipway.config"
[ "$missing" = 0 ] || exit 1

make -C "$src" O="$obj" ARCH=i386 -j"$(nproc)" bzImage
cp "$obj/arch/x86/boot/bzImage" "$out"
