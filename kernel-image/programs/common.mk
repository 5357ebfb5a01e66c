# Flags every guest program builds with: static i386, warnings are errors.
CC ?= gcc
# Each function and object in a section of its own, so the linker can drop
# what nothing calls: smaller binaries, fewer pages to fault in (slow in v86).
CFLAGS ?= -Wall -Wextra -Werror -std=gnu11 -m32 -static -Os -ffunction-sections -fdata-sections
LDFLAGS ?= -m32 -static -s -Wl,--gc-sections
SYSROOT ?= $(abspath ../build/sysroot)
OUT ?= $(abspath ../build/bin)
SYSROOT_CFLAGS = -I$(SYSROOT)/usr/include
SYSROOT_LDFLAGS = -L$(SYSROOT)/usr/lib/i386-linux-gnu
