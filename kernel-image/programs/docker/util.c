/* Small helpers: checked allocation, a growable buffer, full writes. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

static void oom(void) {
  fputs("docker: out of memory\n", stderr);
  exit(125);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom();
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) oom();
  return p;
}

char *xstrdup(const char *s) {
  char *p = strdup(s ? s : "");
  if (!p) oom();
  return p;
}

char *xasprintf(const char *fmt, ...) {
  va_list ap;
  char *s;
  va_start(ap, fmt);
  int r = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (r < 0) oom();
  return s;
}

int has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

ssize_t write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, c + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    done += (size_t)w;
  }
  return (ssize_t)done;
}

void buf_add(struct buf *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->len, p, n);
  b->len += n;
  b->p[b->len] = 0;
}

void buf_puts(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_printf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  char *s;
  va_start(ap, fmt);
  int r = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (r < 0) oom();
  buf_add(b, s, (size_t)r);
  free(s);
}

int json_html = 1;

void buf_json_str(struct buf *b, const char *s) {
  buf_add(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': buf_puts(b, "\\\""); break;
    case '\\': buf_puts(b, "\\\\"); break;
    case '\n': buf_puts(b, "\\n"); break;
    case '\r': buf_puts(b, "\\r"); break;
    case '\t': buf_puts(b, "\\t"); break;
    case '<': buf_puts(b, json_html ? "\\u003c" : "<"); break;
    case '>': buf_puts(b, json_html ? "\\u003e" : ">"); break;
    case '&': buf_puts(b, json_html ? "\\u0026" : "&"); break;
    default:
      if (*p < 0x20) buf_printf(b, "\\u%04x", *p);
      else buf_add(b, p, 1);
    }
  }
  buf_add(b, "\"", 1);
}

void buf_url(struct buf *b, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
      buf_add(b, p, 1);
    else
      buf_printf(b, "%%%02X", *p);
  }
}

const char *buf_str(struct buf *b) {
  if (!b->p) buf_add(b, "", 0);
  return b->p;
}

void buf_free(struct buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* strerror as Go's syscall.Errno prints it: lower case ("no such file or directory"). */
const char *go_strerror(int e) {
  static char out[128];
  snprintf(out, sizeof out, "%s", strerror(e));
  out[0] = (char)tolower((unsigned char)out[0]);
  return out;
}
