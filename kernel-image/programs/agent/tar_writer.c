/* A streaming tar writer: ustar headers, with a pax extended header ('x')
 * in front when a field does not fit (paths or link targets over 100 bytes,
 * ids over 7 octal digits, sizes over 11). Blocking writes to one fd through
 * a 64 KiB buffer: it runs in a child (diff.c), never in the event loop. */
#include "agent.h"
#include "tar_writer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 512

static int tw_flush(struct tar_writer *t)
{
	size_t off = 0;
	while (off < t->len) {
		ssize_t n = write(t->fd, t->buf + off, t->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail_errno("write tar to fd %d", t->fd);
		}
		off += (size_t)n;
	}
	t->len = 0;
	return 0;
}

static int tw_put(struct tar_writer *t, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		size_t room = sizeof t->buf - t->len;
		size_t k = n < room ? n : room;
		memcpy(t->buf + t->len, b, k);
		t->len += k;
		b += k;
		n -= k;
		t->total += k;
		if (t->len == sizeof t->buf && tw_flush(t) < 0)
			return -1;
	}
	return 0;
}

static int tw_zeros(struct tar_writer *t, size_t n)
{
	static const uint8_t zero[BLOCK];
	while (n) {
		size_t k = n < BLOCK ? n : BLOCK;
		if (tw_put(t, zero, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

void tw_init(struct tar_writer *t, int fd)
{
	t->fd = fd;
	t->len = 0;
	t->total = 0;
}

/* One pax record: "<len> key=value\n", where <len> counts itself. */
static void pax_record(struct buf *b, const char *key, const char *value)
{
	size_t body = 1 + strlen(key) + 1 + strlen(value) + 1; /* " key=value\n" */
	size_t len = body + 1;
	char digits[24];
	for (;;) {
		size_t d = (size_t)snprintf(digits, sizeof digits, "%zu", len);
		if (body + d == len)
			break;
		len = body + d;
	}
	buf_printf(b, "%zu %s=%s\n", len, key, value);
}

static void octal(uint8_t *field, size_t width, unsigned long long v)
{
	/* width-1 digits and a NUL, as GNU and Go write them. */
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%0*llo", (int)(width - 1), v);
	memcpy(field, tmp, width - 1);
	field[width - 1] = 0;
}

static bool fits_octal(unsigned long long v, size_t width)
{
	return v < (1ULL << (3 * (width - 1)));
}

static int tw_ustar(struct tar_writer *t, const char *name, char type, const struct tar_hdr *h, unsigned long long size)
{
	uint8_t hb[BLOCK] = { 0 };
	/* Fields that did not fit went into the pax header: truncate them here. */
	memcpy(hb, name, strnlen(name, 100));
	octal(hb + 100, 8, h->mode & 07777);
	octal(hb + 108, 8, fits_octal(h->uid, 8) ? h->uid : 0);
	octal(hb + 116, 8, fits_octal(h->gid, 8) ? h->gid : 0);
	octal(hb + 124, 12, fits_octal(size, 12) ? size : 0);
	octal(hb + 136, 12, h->mtime > 0 && fits_octal((unsigned long long)h->mtime, 12) ? (unsigned long long)h->mtime : 0);
	hb[156] = (uint8_t)type;
	if (h->linkname)
		memcpy(hb + 157, h->linkname, strnlen(h->linkname, 100));
	memcpy(hb + 257, "ustar\0" "00", 8);
	if (type == TAR_CHR || type == TAR_BLK) {
		octal(hb + 329, 8, h->devmajor);
		octal(hb + 337, 8, h->devminor);
	}
	memset(hb + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < BLOCK; i++)
		sum += hb[i];
	char ck[8];
	snprintf(ck, sizeof ck, "%06o", sum);
	memcpy(hb + 148, ck, 6);
	hb[154] = 0;
	hb[155] = ' ';
	return tw_put(t, hb, BLOCK);
}

int tw_header(struct tar_writer *t, const struct tar_hdr *h)
{
	unsigned long long size = h->type == TAR_REG ? h->size : 0;
	struct buf pax = { 0 };
	char num[32];
	if (strlen(h->name) > 100)
		pax_record(&pax, "path", h->name);
	if (h->linkname && strlen(h->linkname) > 100)
		pax_record(&pax, "linkpath", h->linkname);
	if (!fits_octal(h->uid, 8)) {
		snprintf(num, sizeof num, "%u", (unsigned)h->uid);
		pax_record(&pax, "uid", num);
	}
	if (!fits_octal(h->gid, 8)) {
		snprintf(num, sizeof num, "%u", (unsigned)h->gid);
		pax_record(&pax, "gid", num);
	}
	if (!fits_octal(size, 12)) {
		snprintf(num, sizeof num, "%llu", size);
		pax_record(&pax, "size", num);
	}
	int r = 0;
	if (pax.len) {
		/* The pax header's own name only has to be a plausible path. */
		char pname[101];
		const char *base = strrchr(h->name, '/');
		base = base && base[1] ? base + 1 : h->name;
		snprintf(pname, sizeof pname, "PaxHeaders/%.80s", base);
		struct tar_hdr ph = { .name = pname, .type = TAR_PAX, .mode = 0644, .mtime = h->mtime };
		r = tw_ustar(t, pname, TAR_PAX, &ph, pax.len);
		if (r == 0)
			r = tw_put(t, buf_data(&pax), pax.len);
		if (r == 0)
			r = tw_zeros(t, (BLOCK - pax.len % BLOCK) % BLOCK);
	}
	buf_free(&pax);
	if (r == 0)
		r = tw_ustar(t, h->name, h->type, h, size);
	return r;
}

int tw_data(struct tar_writer *t, const void *p, size_t n)
{
	return tw_put(t, p, n);
}

int tw_pad(struct tar_writer *t, unsigned long long size)
{
	return tw_zeros(t, (size_t)((BLOCK - size % BLOCK) % BLOCK));
}

int tw_finish(struct tar_writer *t)
{
	/* Two zero blocks end the archive. */
	if (tw_zeros(t, 2 * BLOCK) < 0)
		return -1;
	return tw_flush(t);
}
