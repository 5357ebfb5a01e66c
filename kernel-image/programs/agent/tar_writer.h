/* A streaming tar writer (tar_writer.c): ustar, pax where ustar falls short. */
#ifndef TAR_WRITER_H
#define TAR_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum { TAR_REG = '0', TAR_LNK = '1', TAR_SYM = '2', TAR_CHR = '3', TAR_BLK = '4', TAR_DIR = '5', TAR_FIFO = '6', TAR_PAX = 'x' };

struct tar_hdr {
	const char *name; /* relative path; directories end in '/' */
	char type;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	unsigned long long size; /* regular files only */
	long long mtime;
	const char *linkname; /* hard or symbolic link target */
	unsigned devmajor, devminor;
};

struct tar_writer {
	int fd;
	size_t len;
	unsigned long long total; /* bytes written so far */
	uint8_t buf[64 * 1024];
};

void tw_init(struct tar_writer *t, int fd);
/* The header (and a pax header before it when needed); a regular file's data follows. */
int tw_header(struct tar_writer *t, const struct tar_hdr *h);
int tw_data(struct tar_writer *t, const void *p, size_t n);
/* Zeros up to the next 512-byte block after `size` bytes of data. */
int tw_pad(struct tar_writer *t, unsigned long long size);
/* The end-of-archive blocks, and everything flushed. */
int tw_finish(struct tar_writer *t);

/* tar_tree.c: the tree at abs as entries. name "": its contents at the top
 * (a layer); else one entry called name for abs itself, and its tree below.
 * overlay: abs is an overlay upper dir (whiteouts and opaque dirs in OCI form). */
int tw_tree(struct tar_writer *t, const char *abs, const char *name, bool overlay);

#endif
