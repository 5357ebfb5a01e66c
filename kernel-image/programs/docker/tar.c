/* A tar writer for build contexts, as the real CLI's archive package writes
 * them (so that "Sending build context" shows the same size): ustar headers,
 * uid/gid 0, no user names, mtimes in whole seconds, entries in lexical order,
 * a PAX record only for a name ustar cannot hold, no padding after the two
 * zero blocks. And .dockerignore as moby/patternmatcher applies it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docker.h"

static void octal(char *field, size_t width, unsigned long long v) {
  /* width-1 digits and a NUL, as Go's formatter does */
  snprintf(field, width, "%0*llo", (int)width - 1, v);
}

static void emit(struct tar_writer *w, const void *p, size_t n) {
  w->write(w->ctx, p, n);
  w->size += (long long)n;
}

static void pad(struct tar_writer *w, unsigned long long n) {
  static const char zero[512];
  if (n % 512) emit(w, zero, 512 - n % 512);
}

static void header(struct tar_writer *w, const char *name, char type, unsigned mode, unsigned long long size, long long mtime,
                   const char *link) {
  char h[512];
  memset(h, 0, sizeof h);
  size_t nl = strlen(name);
  int need_pax = 0;
  if (nl <= 100) {
    memcpy(h, name, nl);
  } else {
    /* ustar: a prefix of up to 155 bytes and a name of up to 100, split at a slash */
    const char *split = NULL;
    for (const char *s = name + 1; *s; s++)
      if (*s == '/' && (size_t)(s - name) <= 155 && strlen(s + 1) <= 100 && s[1]) {
        split = s;
        break;
      }
    if (split) {
      memcpy(h + 345, name, (size_t)(split - name));
      memcpy(h, split + 1, strlen(split + 1));
    } else {
      need_pax = 1;
    }
  }
  if (link && strlen(link) > 100) need_pax = 1;
  if (need_pax) {
    /* records "<len> path=<name>\n", the length counting itself */
    struct buf rec = {0};
    const char *keys[2] = {"path", "linkpath"};
    const char *vals[2] = {nl > 100 ? name : NULL, link && strlen(link) > 100 ? link : NULL};
    for (int i = 0; i < 2; i++) {
      if (!vals[i]) continue;
      size_t body = strlen(keys[i]) + strlen(vals[i]) + 3; /* ' ', '=', '\n' */
      size_t len = body + 1;
      while (len != body + (size_t)snprintf(NULL, 0, "%zu", len)) len = body + (size_t)snprintf(NULL, 0, "%zu", len);
      buf_printf(&rec, "%zu %s=%s\n", len, keys[i], vals[i]);
    }
    char pname[100];
    snprintf(pname, sizeof pname, "PaxHeaders.0/%.80s", strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
    header(w, pname, 'x', 0644, rec.len, mtime, NULL);
    emit(w, rec.p, rec.len);
    pad(w, rec.len);
    buf_free(&rec);
    memcpy(h, name, nl > 100 ? 100 : nl);
  }
  octal(h + 100, 8, mode & 07777);
  octal(h + 108, 8, 0);
  octal(h + 116, 8, 0);
  octal(h + 124, 12, size);
  octal(h + 136, 12, (unsigned long long)(mtime < 0 ? 0 : mtime));
  h[156] = type;
  if (link) memcpy(h + 157, link, strlen(link) > 100 ? 100 : strlen(link));
  memcpy(h + 257, "ustar\0" "00", 8);
  octal(h + 329, 8, 0);
  octal(h + 337, 8, 0);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; i++) sum += (unsigned char)h[i];
  snprintf(h + 148, 7, "%06o", sum);
  h[155] = ' ';
  emit(w, h, sizeof h);
}

void tar_bytes(struct tar_writer *w, const char *name, unsigned mode, long long mtime, const void *p, size_t n) {
  header(w, name, '0', mode, n, mtime, NULL);
  emit(w, p, n);
  pad(w, n);
}

int tar_path(struct tar_writer *w, const char *path, const char *name, const struct stat *st) {
  if (S_ISDIR(st->st_mode)) {
    char *n = xasprintf("%s/", name);
    header(w, n, '5', st->st_mode, 0, st->st_mtime, NULL);
    free(n);
    return 0;
  }
  if (S_ISLNK(st->st_mode)) {
    char target[4096];
    ssize_t k = readlink(path, target, sizeof target - 1);
    if (k < 0) return -1;
    target[k] = 0;
    header(w, name, '2', st->st_mode, 0, st->st_mtime, target);
    return 0;
  }
  if (!S_ISREG(st->st_mode)) return 0; /* sockets, fifos, devices: not part of a context */
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  header(w, name, '0', st->st_mode, (unsigned long long)st->st_size, st->st_mtime, NULL);
  char buf[32768];
  unsigned long long left = (unsigned long long)st->st_size;
  while (left) {
    ssize_t k = read(fd, buf, left < sizeof buf ? left : sizeof buf);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      /* the file shrank under us: the header promised its size, so end with zeros */
      int e = k < 0 ? errno : EIO;
      close(fd);
      errno = e;
      return -1;
    }
    emit(w, buf, (size_t)k);
    left -= (unsigned long long)k;
  }
  close(fd);
  pad(w, (unsigned long long)st->st_size);
  return 0;
}

void tar_end(struct tar_writer *w) {
  static const char zero[1024];
  emit(w, zero, sizeof zero);
}

/* ---- .dockerignore ---- */

/* filepath.Clean, without a leading slash */
static char *clean(const char *p) {
  char *s = xstrdup(p), *out = xmalloc(strlen(p) + 1);
  size_t o = 0;
  for (char *tok = strtok(s, "/"); tok; tok = strtok(NULL, "/")) {
    if (!strcmp(tok, ".")) continue;
    if (!strcmp(tok, "..")) {
      while (o && out[o - 1] != '/') o--;
      if (o) o--;
      continue;
    }
    if (o) out[o++] = '/';
    memcpy(out + o, tok, strlen(tok));
    o += strlen(tok);
  }
  out[o] = 0;
  free(s);
  return out;
}

static void add_re_char(struct buf *re, char ch) {
  if (strchr(".^$+(){}|\\[]*?", ch)) buf_add(re, "\\", 1);
  buf_add(re, &ch, 1);
}

/* patternmatcher's translation: * and ? within a component, ** across them */
static int compile(const char *pattern, regex_t *out) {
  struct buf re = {0};
  buf_puts(&re, "^");
  size_t n = strlen(pattern);
  for (size_t i = 0; i < n; i++) {
    char ch = pattern[i];
    if (ch == '*') {
      if (pattern[i + 1] == '*') {
        i++;
        if (pattern[i + 1] == '/') i++;
        buf_puts(&re, i + 1 >= n ? ".*" : "(.*/)?");
      } else {
        buf_puts(&re, "[^/]*");
      }
    } else if (ch == '?') {
      buf_puts(&re, "[^/]");
    } else if (ch == '\\' && i + 1 < n) {
      add_re_char(&re, pattern[++i]);
    } else if (ch == '[') {
      const char *end = strchr(pattern + i + 1, ']');
      if (!end) {
        buf_puts(&re, "\\[");
      } else {
        buf_puts(&re, "[");
        const char *s = pattern + i + 1;
        if (*s == '!' || *s == '^') {
          buf_puts(&re, "^");
          s++;
        }
        buf_add(&re, s, (size_t)(end - s));
        buf_puts(&re, "]");
        i = (size_t)(end - pattern);
      }
    } else {
      add_re_char(&re, ch);
    }
  }
  buf_puts(&re, "$");
  int r = regcomp(out, buf_str(&re), REG_EXTENDED | REG_NOSUB);
  buf_free(&re);
  return r;
}

void ignore_load(struct ignore *ig, const char *text) {
  memset(ig, 0, sizeof *ig);
  char *s = xstrdup(text);
  for (char *line = s, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    /* trimmed, # comments, ! exceptions, cleaned, relative to the context */
    while (*line == ' ' || *line == '\t' || *line == '\r') line++;
    size_t l = strlen(line);
    while (l && (line[l - 1] == ' ' || line[l - 1] == '\t' || line[l - 1] == '\r')) line[--l] = 0;
    if (!*line || *line == '#') continue;
    int excl = 0;
    if (*line == '!') {
      excl = 1;
      line++;
      while (*line == ' ' || *line == '\t') line++;
    }
    char *c = clean(line);
    if (!*c) {
      free(c);
      continue;
    }
    ig->pats = xrealloc(ig->pats, sizeof *ig->pats * (size_t)(ig->n + 1));
    struct ignore_pat *p = &ig->pats[ig->n];
    if (compile(c, &p->re) != 0) {
      free(c);
      continue; /* patternmatcher rejects it too; the daemon reports it */
    }
    p->text = c;
    p->exclusion = excl;
    ig->n++;
    if (excl) ig->has_exclusions = 1;
  }
  free(s);
}

int ignore_match(const struct ignore *ig, const char *path) {
  char *file = clean(path);
  int matched = 0;
  for (int i = 0; i < ig->n; i++) {
    const struct ignore_pat *p = &ig->pats[i];
    if (p->exclusion != matched) continue;
    int m = regexec(&p->re, file, 0, NULL, 0) == 0;
    /* a pattern matching a parent directory matches everything under it */
    for (char *slash = strchr(file, '/'); !m && slash; slash = strchr(slash + 1, '/')) {
      *slash = 0;
      m = regexec(&p->re, file, 0, NULL, 0) == 0;
      *slash = '/';
    }
    if (m) matched = !p->exclusion;
  }
  free(file);
  return matched;
}

/* An excluded directory is still walked when an exception may re-include something under it. */
int ignore_may_include_under(const struct ignore *ig, const char *dir) {
  size_t dl = strlen(dir);
  for (int i = 0; i < ig->n; i++) {
    const struct ignore_pat *p = &ig->pats[i];
    if (!p->exclusion) continue;
    if (!strncmp(p->text, dir, dl) && (p->text[dl] == '/' || p->text[dl] == 0)) return 1;
  }
  return 0;
}
