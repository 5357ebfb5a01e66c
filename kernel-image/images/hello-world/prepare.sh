#!/usr/bin/env bash
# Compiles hello.c into the build context ($1) as a static i386 binary.
set -euo pipefail
ctx=$1
gcc -m32 -static -Os -s -Wall -Wextra -Werror -o "$ctx/hello" "$ctx/hello.c"
chmod 0755 "$ctx/hello"
rm "$ctx/hello.c"
