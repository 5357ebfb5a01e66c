# Flags every guest program builds with: static i386, warnings are errors.
CC ?= gcc
CFLAGS ?= -Wall -Wextra -Werror -std=gnu11 -m32 -static -Os
LDFLAGS ?= -m32 -static -s
SYSROOT ?= $(abspath ../build/sysroot)
OUT ?= $(abspath ../build/bin)
SYSROOT_CFLAGS = -I$(SYSROOT)/usr/include
SYSROOT_LDFLAGS = -L$(SYSROOT)/usr/lib/i386-linux-gnu
