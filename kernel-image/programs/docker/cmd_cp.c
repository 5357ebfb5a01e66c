/* cp: files between a container and this machine, as the real CLI does it
 * (moby's pkg/archive copy rules): a tar of the source on the wire, renamed
 * so that it lands as the destination asks. From a container: GET
 * /containers/{id}/archive, extracted here by a tar reader that refuses
 * entries escaping the destination. To a container: HEAD for the
 * destination's stat (X-Docker-Container-Path-Stat), then PUT a tar. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "docker.h"

#define GO_MODE_DIR (1LL << 31)
#define GO_MODE_SYMLINK (1LL << 27)
#define GO_MODE_TYPE ((1LL << 31) | (1LL << 27) | (1LL << 26) | (1LL << 25) | (1LL << 24) | (1LL << 21) | (1LL << 19))

/* ---- paths, as Go's filepath and moby's archive package treat them ---- */

/* filepath.Clean */
static char *clean(const char *p) {
  int abs = *p == '/';
  char **parts = xmalloc(sizeof(char *) * (strlen(p) + 1));
  int n = 0;
  char *s = xstrdup(p);
  for (char *t = strtok(s, "/"); t; t = strtok(NULL, "/")) {
    if (!strcmp(t, ".")) continue;
    if (!strcmp(t, "..")) {
      if (n && strcmp(parts[n - 1], "..")) n--;
      else if (!abs) parts[n++] = t;
      continue;
    }
    parts[n++] = t;
  }
  struct buf b = {0};
  if (abs) buf_puts(&b, "/");
  for (int i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? "/" : "", parts[i]);
  if (!b.len) buf_puts(&b, ".");
  free(parts);
  return (char *)buf_str(&b);
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}
static int specifies_current_dir(const char *p) { return !strcmp(p, ".") || ends_with(p, "/."); }
static int asserts_directory(const char *p) { return ends_with(p, "/") || specifies_current_dir(p); }

/* archive.SplitPathDirEntry */
static void split_dir_entry(const char *path, char **dir, char **base) {
  char *c = clean(path);
  if (specifies_current_dir(path)) c = xasprintf("%s%s.", c, ends_with(c, "/") ? "" : "/");
  char *slash = strrchr(c, '/');
  if (!slash) {
    *dir = xstrdup(".");
    *base = c;
  } else {
    *base = xstrdup(slash + 1);
    *dir = slash == c ? xstrdup("/") : xasprintf("%.*s", (int)(slash - c), c);
  }
}

/* filepath.Abs, keeping a trailing "/" or "/." (archive.PreserveTrailingDotOrSeparator) */
static char *resolve_local(const char *p) {
  char *abs;
  if (*p == '/') {
    abs = clean(p);
  } else {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) fail("getwd: %s", go_strerror(errno));
    abs = clean(xasprintf("%s/%s", cwd, p));
  }
  if (specifies_current_dir(p) && !specifies_current_dir(abs)) abs = xasprintf("%s%s.", abs, ends_with(abs, "/") ? "" : "/");
  else if (ends_with(p, "/") && !ends_with(abs, "/")) abs = xasprintf("%s/", abs);
  return abs;
}

/* ---- a tar reader that extracts under a directory ---- */

struct rd {
  struct resp *r;
  long long total;
};

static int rd_full(struct rd *s, void *p, size_t n) {
  char *c = p;
  while (n) {
    ssize_t k = http_read(s->r, c, n);
    if (k <= 0) return -1;
    c += k;
    n -= (size_t)k;
    s->total += k;
  }
  return 0;
}

static unsigned long long oct(const char *f, size_t n) {
  unsigned long long v = 0;
  for (size_t i = 0; i < n && f[i]; i++)
    if (f[i] >= '0' && f[i] <= '7') v = v * 8 + (unsigned)(f[i] - '0');
  return v;
}

/* An entry's name after the rename PrepareArchiveCopy asks for (RebaseArchiveEntries). */
static char *rebase(const char *name, const char *old, const char *new) {
  if (!old) return xstrdup(name);
  size_t ol = strlen(old);
  if (strcmp(name, old) && !(strncmp(name, old, ol) == 0 && name[ol] == '/')) return xstrdup(name);
  return xasprintf("%s%s", new, name + ol);
}

static void mkdir_all(const char *path) {
  char *p = xstrdup(path);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') {
      *s = 0;
      mkdir(p, 0755);
      *s = '/';
    }
  mkdir(p, 0755);
  free(p);
}

static void skip(struct rd *s, unsigned long long size) {
  char b[4096];
  unsigned long long left = size; /* exact: callers add the padding */
  while (left) {
    size_t k = left < sizeof b ? (size_t)left : sizeof b;
    if (rd_full(s, b, k) < 0) fail("unexpected EOF");
    left -= k;
  }
}

static void untar(struct rd *s, const char *dest, const char *old, const char *new) {
  char h[512];
  char *long_name = NULL, *long_link = NULL;
  char *root = clean(dest);
  for (;;) {
    if (rd_full(s, h, 512) < 0) return;
    int zero = 1;
    for (int i = 0; i < 512; i++)
      if (h[i]) zero = 0;
    if (zero) return;
    char type = h[156];
    unsigned long long size = oct(h + 124, 12);
    if (type == 'x' || type == 'L' || type == 'K' || type == 'g') {
      char *d = xmalloc((size_t)size + 1);
      if (rd_full(s, d, (size_t)size) < 0) fail("unexpected EOF");
      d[size] = 0;
      if (size % 512) skip(s, 512 - size % 512);
      if (type == 'L') long_name = d;
      else if (type == 'K') long_link = d;
      else if (type == 'x')
        for (char *p = d; p < d + size;) {
          char *sp = strchr(p, ' ');
          long len = atol(p);
          if (!sp || len <= 0) break;
          char *kv = sp + 1, *eq = strchr(kv, '='), *end = p + len - 1;
          if (eq && eq < end) {
            char *v = xasprintf("%.*s", (int)(end - eq - 1), eq + 1);
            if (!strncmp(kv, "path=", 5)) long_name = v;
            else if (!strncmp(kv, "linkpath=", 9)) long_link = v;
          }
          p += len;
        }
      continue;
    }
    char *name;
    if (long_name) name = long_name;
    else if (h[345]) name = xasprintf("%.155s/%.100s", h + 345, h);
    else name = xasprintf("%.100s", h);
    char *lnk = long_link ? long_link : xasprintf("%.100s", h + 157);
    long_name = long_link = NULL;
    unsigned mode = (unsigned)oct(h + 100, 8) & 07777;
    long long mtime = (long long)oct(h + 136, 12);
    name = rebase(name, old, new);
    /* the path, cleaned, must stay under dest */
    char *rel = clean(xasprintf("/%s", name));
    char *path = strcmp(rel, "/") ? xasprintf("%s%s", strcmp(root, "/") ? root : "", rel) : xstrdup(root);
    char *chk = clean(xasprintf("%s", name));
    if (!strncmp(chk, "../", 3) || !strcmp(chk, "..")) fail("Error processing tar file(\"%s\" is outside of \"%s\")", name, dest);
    char *parent = xstrdup(path), *sl = strrchr(parent, '/');
    if (sl && sl != parent) {
      *sl = 0;
      mkdir_all(parent);
    }
    /* a symlink extracted earlier must not lead the next entries outside dest */
    char rp[PATH_MAX], rr[PATH_MAX];
    if (strcmp(path, root) && realpath(sl && sl != parent ? parent : "/", rp) && realpath(root, rr) &&
        (strncmp(rp, rr, strlen(rr)) || (rp[strlen(rr)] && rp[strlen(rr)] != '/' && strcmp(rr, "/"))))
      fail("Error processing tar file(\"%s\" is outside of \"%s\")", name, dest);
    struct stat old_st;
    int exists = lstat(path, &old_st) == 0;
    if (type == '5') {
      if (exists && !S_ISDIR(old_st.st_mode)) fail("Error processing tar file(cannot overwrite non-directory \"%s\" with directory \"%s\")", path, name);
      if (!exists && mkdir(path, mode) < 0) fail("mkdir %s: %s", path, go_strerror(errno));
      chmod(path, mode);
    } else if (type == '0' || type == '\0' || type == '7' || type == '2' || type == '1') {
      if (exists && S_ISDIR(old_st.st_mode)) fail("Error processing tar file(cannot overwrite directory \"%s\" with non-directory \"%s\")", path, name);
      if (exists) unlink(path);
      if (type == '2') {
        if (symlink(lnk, path) < 0) fail("symlink %s %s: %s", lnk, path, go_strerror(errno));
      } else if (type == '1') {
        char *lrel = clean(xasprintf("/%s", rebase(lnk, old, new)));
        if (link(xasprintf("%s%s", strcmp(root, "/") ? root : "", lrel), path) < 0) fail("link %s %s: %s", lnk, path, go_strerror(errno));
      } else {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0) fail("open %s: %s", path, go_strerror(errno));
        char b[32768];
        unsigned long long left = size;
        while (left) {
          size_t k = left < sizeof b ? (size_t)left : sizeof b;
          if (rd_full(s, b, k) < 0) fail("unexpected EOF");
          if (write_all(fd, b, k) < 0) fail("write %s: %s", path, go_strerror(errno));
          left -= k;
        }
        close(fd);
        chmod(path, mode);
        if (size % 512) skip(s, 512 - size % 512);
        size = 0;
      }
    }
    if (size) skip(s, (size + 511) / 512 * 512);
    if (type != '2') {
      struct timeval tv[2] = {{(time_t)mtime, 0}, {(time_t)mtime, 0}};
      utimes(path, tv);
    }
  }
}

/* ---- a tar writer over a local tree ---- */

static void up_write(void *ctx, const void *p, size_t n) { upload_write(ctx, p, n); }

static int cmp_names(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void tar_tree(struct tar_writer *w, const char *path, const char *name) {
  struct stat st;
  if (lstat(path, &st) < 0) fail("lstat %s: %s", path, go_strerror(errno));
  if (tar_path(w, path, name, &st) < 0) fail("open %s: %s", path, go_strerror(errno));
  if (!S_ISDIR(st.st_mode)) return;
  struct dirent **list;
  int n = scandir(path, &list, NULL, cmp_names);
  if (n < 0) fail("open %s: %s", path, go_strerror(errno));
  for (int i = 0; i < n; i++) {
    const char *d = list[i]->d_name;
    if (strcmp(d, ".") && strcmp(d, ".."))
      tar_tree(w, xasprintf("%s/%s", path, d), !strcmp(name, ".") ? xasprintf("./%s", d) : xasprintf("%s/%s", name, d));
    free(list[i]);
  }
  free(list);
}

/* ---- the path stat header ---- */

static char *b64dec(const char *s, size_t *len) {
  static const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = xmalloc(strlen(s) + 1);
  size_t n = 0;
  unsigned v = 0;
  int bits = 0;
  for (; *s && *s != '='; s++) {
    const char *p = strchr(al, *s);
    if (!p) continue;
    v = (v << 6) | (unsigned)(p - al);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (char)((v >> bits) & 0xff);
    }
  }
  out[n] = 0;
  *len = n;
  return out;
}

struct pstat {
  int ok;
  long long mode;
  char *link;
};

static struct pstat stat_of(struct resp *r) {
  struct pstat st = {0};
  size_t n;
  yajl_val v = json_parse(b64dec(r->path_stat, &n));
  if (!v) return st;
  st.ok = 1;
  st.mode = (long long)jnum(v, "mode");
  st.link = xstrdup(jstr(v, "linkTarget"));
  return st;
}

static struct pstat head_stat(const char *ctr, const char *path, char **err) {
  struct buf p = {0};
  buf_printf(&p, "/containers/%s/archive?path=", ctr);
  buf_url(&p, path);
  struct resp *r = api_request_new("HEAD", buf_str(&p), NULL, 0);
  struct pstat st = {0};
  if (r->status < 400) st = stat_of(r);
  else if (err) *err = xasprintf("status %d", r->status);
  r->keepalive = 0;
  api_release(r);
  return st;
}

static int is_tty_out(void) { return isatty(STDOUT_FILENO); }

static void copied(long long n, const char *to) {
  fprintf(stderr, "Successfully copied %s to %s\n", human_size((double)n, 3), to);
}

static int from_container(const char *ctr, const char *src, const char *dst_arg, int quiet) {
  const char *dst = dst_arg;
  if (strcmp(dst, "-")) {
    dst = resolve_local(dst_arg);
    /* command.ValidateOutputPath */
    char *cd = clean(dst), *sl = strrchr(cd, '/');
    char *dir = sl ? (sl == cd ? xstrdup("/") : xasprintf("%.*s", (int)(sl - cd), cd)) : xstrdup(".");
    struct stat st;
    if (strcmp(dir, ".") && stat(dir, &st) < 0 && errno == ENOENT) fail("invalid output path: directory \"%s\" does not exist", dir);
    if (stat(dst, &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
      fail("invalid output path: \"%s\" must be a directory or a regular file: got a %s", dst,
           S_ISLNK(st.st_mode) ? "symbolic link" : S_ISFIFO(st.st_mode) ? "named pipe" : S_ISSOCK(st.st_mode) ? "socket" : "device file");
  }
  struct buf p = {0};
  buf_printf(&p, "/containers/%s/archive?path=", ctr);
  buf_url(&p, src);
  struct resp *r = api_request_new("GET", buf_str(&p), NULL, 0);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(r, NULL)));
  struct pstat sst = stat_of(r);
  int src_dir = (sst.mode & GO_MODE_DIR) != 0;
  if (!strcmp(dst, "-")) {
    char b[32768];
    ssize_t k;
    while ((k = http_read(r, b, sizeof b)) > 0)
      if (write_all(STDOUT_FILENO, b, (size_t)k) < 0) fail("write /dev/stdout: %s", go_strerror(errno));
    return 0;
  }
  /* archive.CopyInfoDestinationPath: follow the destination's symlinks */
  char *dpath = xstrdup(dst);
  struct stat st;
  int exists = 0, isdir = 0;
  for (int i = 0; i < 32; i++) {
    if (lstat(dpath, &st) < 0) {
      if (errno != ENOENT) fail("lstat %s: %s", dpath, go_strerror(errno));
      char *dir, *base;
      split_dir_entry(dpath, &dir, &base);
      struct stat ps;
      if (stat(dir, &ps) < 0) fail("stat %s: %s", dir, go_strerror(errno));
      if (!S_ISDIR(ps.st_mode)) fail("not a directory");
      break;
    }
    if (!S_ISLNK(st.st_mode)) {
      exists = 1;
      isdir = S_ISDIR(st.st_mode);
      break;
    }
    char t[PATH_MAX];
    ssize_t k = readlink(dpath, t, sizeof t - 1);
    if (k < 0) fail("readlink %s: %s", dpath, go_strerror(errno));
    t[k] = 0;
    if (*t == '/') {
      dpath = xstrdup(t);
    } else {
      char *dir, *base;
      split_dir_entry(dpath, &dir, &base);
      dpath = clean(xasprintf("%s/%s", dir, t));
    }
  }
  /* archive.PrepareArchiveCopy */
  char *ddir, *dbase, *sdir, *sbase;
  split_dir_entry(dpath, &ddir, &dbase);
  split_dir_entry(src, &sdir, &sbase);
  const char *into = ddir, *old = sbase, *new = dbase;
  if (exists && isdir) {
    into = dpath;
    old = new = NULL;
  } else if (exists && src_dir) {
    fail("cannot copy directory");
  } else if (!exists && !src_dir && asserts_directory(dpath)) {
    fail("no such directory");
  }
  struct rd s = {r, 0};
  untar(&s, into, old, new);
  if (!quiet) copied(s.total, dst);
  return 0;
}

/* PUT /containers/{ctr}/archive?path=dir: the upload a tar of what is copied in goes up. */
static struct upload *put_archive(const char *ctr, const char *dir) {
  struct buf p = {0};
  buf_printf(&p, "/containers/%s/archive?path=", ctr);
  buf_url(&p, dir);
  buf_puts(&p, "&noOverwriteDirNonDir=true");
  return upload_begin("PUT", buf_str(&p), "application/x-tar");
}

static int to_container(const char *ctr, const char *src_arg, const char *dst, int quiet) {
  const char *src = strcmp(src_arg, "-") ? resolve_local(src_arg) : src_arg;
  char *dpath = xstrdup(dst);
  struct pstat ds = head_stat(ctr, dst, NULL);
  if (ds.ok && (ds.mode & GO_MODE_SYMLINK)) {
    char *t = ds.link;
    if (*t != '/') {
      char *dir, *base;
      split_dir_entry(dst, &dir, &base);
      t = clean(xasprintf("%s/%s", dir, t));
    }
    dpath = t;
    ds = head_stat(ctr, t, NULL);
  }
  long long type = ds.mode & GO_MODE_TYPE;
  if (ds.ok && type && type != GO_MODE_DIR)
    fail("destination \"%s:%s\" must be a directory or a regular file: got a %s", ctr, dst,
         type & GO_MODE_SYMLINK ? "symbolic link" : type & (1LL << 25) ? "named pipe" : type & (1LL << 24) ? "socket" : "device file");
  int dexists = ds.ok, disdir = ds.ok && (ds.mode & GO_MODE_DIR);
  const char *target;
  struct upload *u;
  if (!strcmp(src, "-")) {
    if (!disdir) fail("destination \"%s:%s\" must be a directory", ctr, dst);
    target = dpath;
    u = put_archive(ctr, target);
    upload_fd(u, STDIN_FILENO, "/dev/stdin");
  } else {
    /* archive.CopyInfoSourcePath: the parent's symlinks resolved, the entry itself not */
    struct stat st;
    char *sdir, *sbase;
    split_dir_entry(src, &sdir, &sbase);
    char real[PATH_MAX];
    if (!realpath(sdir, real)) fail("lstat %s: %s", sdir, go_strerror(errno));
    char *rsrc = specifies_current_dir(src) ? xasprintf("%s/.", real) : xasprintf("%s/%s", strcmp(real, "/") ? real : "", sbase);
    if (lstat(rsrc, &st) < 0) fail("lstat %s: %s", rsrc, go_strerror(errno));
    int sisdir = S_ISDIR(st.st_mode);
    char *ddir, *dbase;
    split_dir_entry(dpath, &ddir, &dbase);
    const char *new = NULL;
    if (dexists && disdir) {
      target = dpath;
    } else if (dexists && sisdir) {
      fail("cannot copy directory");
    } else if (!dexists && !sisdir && asserts_directory(dpath)) {
      fail("no such directory");
    } else {
      target = ddir;
      new = dbase;
    }
    u = put_archive(ctr, target);
    struct tar_writer w = {up_write, u, 0};
    /* the entries are named after the source's base ("." for DIR/.), or renamed to the destination's */
    tar_tree(&w, rsrc, new ? new : sbase);
    tar_end(&w);
  }
  long long total = u->total;
  struct resp *r = upload_finish(u);
  char *body = http_read_all(r, NULL);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(body));
  if (!quiet) copied(total, xasprintf("%s:%s", ctr, dpath));
  return 0;
}

/* splitCpArg */
static void split_arg(const char *arg, char **ctr, char **path) {
  *ctr = NULL;
  *path = (char *)arg;
  if (*arg == '/') return;
  const char *c = strchr(arg, ':');
  if (!c || *arg == '.') return;
  *ctr = xasprintf("%.*s", (int)(c - arg), arg);
  *path = (char *)c + 1;
}

int cmd_cp(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "cp", argc, argv, 1);
  args_exact(&cl, 2);
  if (!*cl.args[0]) fail("source can not be empty");
  if (!*cl.args[1]) fail("destination can not be empty");
  int quiet = flag_is_set(&cl, "quiet") ? flag_bool(&cl, "quiet") : !is_tty_out();
  char *sc, *sp, *dc, *dp;
  split_arg(cl.args[0], &sc, &sp);
  split_arg(cl.args[1], &dc, &dp);
  if (sc && dc) fail("copying between containers is not supported");
  if (sc) return from_container(sc, sp, dp, quiet);
  if (dc) return to_container(dc, sp, dp, quiet);
  fail("must specify at least one container source");
}
