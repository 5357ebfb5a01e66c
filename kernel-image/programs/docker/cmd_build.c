/* build: the classic builder's client (DOCKER_BUILDKIT is ignored: the
 * daemon is a classic builder). The context directory goes up as a tar with
 * .dockerignore applied here, as the real CLI does; the answer is rendered as
 * the classic CLI renders it: the "stream" text as it is, an errorDetail as
 * the message and its code as the exit status, -q printing the image ID. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"

/* The upload, with the progress line the CLI shows for it ("Sending build
 * context to Docker daemon  6.144kB\r"), at most every 100 ms, into out. */
struct sending {
  struct upload *u;
  struct buf *out; /* the progress text (stdout, or kept for stderr with -q) */
  int direct;      /* write out straight to stdout */
  struct timespec last;
  int live; /* stdout is a terminal: updates as it goes; otherwise only the last (lastProgressOutput) */
};

static void progress_line(struct sending *s) {
  char *h = human_size((double)s->u->total, 4);
  /* action, a space, then the size as "%8v" */
  char *line = xasprintf("Sending build context to Docker daemon %8s\r", h);
  buf_puts(s->out, line);
  free(line);
  free(h);
  if (s->direct) {
    fputs(buf_str(s->out), stdout);
    fflush(stdout);
    s->out->len = 0;
  }
}

static void send_bytes(void *ctx, const void *p, size_t n) {
  struct sending *s = ctx;
  upload_write(s->u, p, n);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long ms = (now.tv_sec - s->last.tv_sec) * 1000LL + (now.tv_nsec - s->last.tv_nsec) / 1000000;
  if (s->live && ms >= 100) {
    s->last = now;
    progress_line(s);
  }
}

struct walk {
  struct tar_writer *w;
  struct ignore ig;
  const char *keep[2]; /* the Dockerfile and .dockerignore go up even when ignored */
  const char *dockerignore_extra; /* appended to .dockerignore (a Dockerfile from outside) */
  int wrote_dockerignore;
};

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void walk_dir(struct walk *wk, const char *dir, const char *rel) {
  struct dirent **names;
  int n = scandir(dir, &names, NULL, by_name);
  if (n < 0) fail("error checking context: can't stat '%s': %s", dir, go_strerror(errno));
  for (int i = 0; i < n; i++) {
    const char *name = names[i]->d_name;
    if (!strcmp(name, ".") || !strcmp(name, "..")) {
      free(names[i]);
      continue;
    }
    char *path = xasprintf("%s/%s", dir, name);
    char *r = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
    struct stat st;
    if (lstat(path, &st) < 0) fail("error checking context: can't stat '%s': %s", path, go_strerror(errno));
    int skip = ignore_match(&wk->ig, r);
    for (int k = 0; k < 2; k++)
      if (wk->keep[k] && !strcmp(wk->keep[k], r)) skip = 0;
    if (skip) {
      if (S_ISDIR(st.st_mode) && wk->ig.has_exclusions && ignore_may_include_under(&wk->ig, r)) walk_dir(wk, path, r);
    } else if (!strcmp(r, ".dockerignore") && wk->dockerignore_extra && S_ISREG(st.st_mode)) {
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) fail("error checking context: can't open '%s': %s", path, go_strerror(errno));
      struct buf b = {0};
      char tmp[4096];
      ssize_t k;
      while ((k = read(fd, tmp, sizeof tmp)) > 0) buf_add(&b, tmp, (size_t)k);
      if (k < 0) fail("error reading %s: %s", path, go_strerror(errno));
      close(fd);
      buf_puts(&b, wk->dockerignore_extra);
      tar_bytes(wk->w, r, st.st_mode, st.st_mtime, b.p, b.len);
      buf_free(&b);
      wk->wrote_dockerignore = 1;
    } else {
      if (tar_path(wk->w, path, r, &st) < 0) fail("error checking context: can't read '%s': %s", path, go_strerror(errno));
      if (S_ISDIR(st.st_mode)) walk_dir(wk, path, r);
    }
    free(path);
    free(r);
    free(names[i]);
  }
  free(names);
}

static char *read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct buf b = {0};
  char tmp[8192];
  ssize_t k;
  while ((k = read(fd, tmp, sizeof tmp)) != 0) {
    if (k < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      buf_free(&b);
      errno = e;
      return NULL;
    }
    buf_add(&b, tmp, (size_t)k);
  }
  close(fd);
  buf_str(&b);
  if (len) *len = b.len;
  return b.p ? b.p : xstrdup("");
}

static char *absolute(const char *p) {
  if (p[0] == '/') return xstrdup(p);
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) fail("unable to get the current directory: %s", go_strerror(errno));
  return xasprintf("%s/%s", cwd, p);
}

/* "K=V" → "K":"V"; "K" alone takes $K, or null when unset (opts.ConvertKVStringsToMapWithNil).
 * A Go map on the wire: the last value of a key wins, keys sorted. */
static int by_key(const void *a, const void *b) {
  const char *x = *(char *const *)a, *y = *(char *const *)b;
  size_t lx = strcspn(x, "="), ly = strcspn(y, "=");
  int c = strncmp(x, y, lx < ly ? lx : ly);
  return c ? c : (lx > ly) - (lx < ly);
}

static void kv_json(struct buf *b, char **kv, int n, int env_fallback) {
  char **s = xmalloc(sizeof *s * (size_t)(n ? n : 1));
  int m = 0;
  for (int i = n - 1; i >= 0; i--) { /* from the last: later values win */
    int dup = 0;
    for (int j = 0; j < m && !dup; j++) dup = by_key(&kv[i], &s[j]) == 0;
    if (!dup) s[m++] = kv[i];
  }
  qsort(s, (size_t)m, sizeof *s, by_key);
  buf_puts(b, "{");
  for (int i = 0; i < m; i++) {
    if (i) buf_puts(b, ",");
    char *k = xstrdup(s[i]), *eq = strchr(k, '=');
    if (eq) *eq = 0;
    buf_json_str(b, k);
    buf_puts(b, ":");
    if (eq) buf_json_str(b, eq + 1);
    else if (!env_fallback) buf_json_str(b, "");
    else if (getenv(k)) buf_json_str(b, getenv(k));
    else buf_puts(b, "null");
    free(k);
  }
  buf_puts(b, "}");
  free(s);
}

int cmd_build(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "build", argc, argv, 1);
  args_exact(&cl, 1);
  int quiet = flag_bool(&cl, "quiet");
  const char *ctxarg = cl.args[0];
  const char *fflag = flag_str(&cl, "file");
  char *ctxdir = NULL, *reldf = NULL, *outside = NULL; /* outside: a Dockerfile's text from outside the context */
  size_t outside_len = 0;
  int from_stdin = !strcmp(ctxarg, "-");
  if (!from_stdin) {
    struct stat st;
    if (stat(ctxarg, &st) < 0) {
      if (has_prefix(ctxarg, "http://") || has_prefix(ctxarg, "https://") || has_prefix(ctxarg, "git@") || has_prefix(ctxarg, "github.com/"))
        fail("unable to prepare context: building from a URL is not supported by Slipway");
      fail("unable to prepare context: path \"%s\" not found", ctxarg);
    }
    char *abs = absolute(ctxarg);
    ctxdir = realpath(abs, NULL);
    if (!ctxdir) fail("unable to prepare context: unable to evaluate symlinks in context path: lstat %s: %s", abs, go_strerror(errno));
    if (!S_ISDIR(st.st_mode)) fail("unable to prepare context: context must be a directory: %s", ctxdir);
    /* -f is relative to the current directory, not to the context */
    char *df;
    if (fflag && *fflag) {
      df = absolute(fflag);
    } else {
      df = xasprintf("%s/Dockerfile", ctxdir);
      struct stat ds;
      if (lstat(df, &ds) < 0 && errno == ENOENT) {
        char *lower = xasprintf("%s/dockerfile", ctxdir);
        if (lstat(lower, &ds) == 0) df = lower;
      }
    }
    struct stat ds;
    if (lstat(df, &ds) < 0) fail("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat %s: %s", df, go_strerror(errno));
    char *real = realpath(df, NULL);
    if (!real) fail("unable to prepare context: unable to evaluate symlinks in Dockerfile path: %s: %s", df, go_strerror(errno));
    size_t cl_ = strlen(ctxdir);
    if (!strncmp(real, ctxdir, cl_) && real[cl_] == '/') {
      reldf = xstrdup(real + cl_ + 1);
    } else {
      /* outside the context: added under a random name, and kept out of COPY . by .dockerignore */
      outside = read_file(real, &outside_len);
      if (!outside) fail("unable to open Dockerfile: open %s: %s", real, go_strerror(errno));
      unsigned char rnd[10];
      int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
      if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) fail("reading /dev/urandom: %s", go_strerror(errno));
      close(fd);
      struct buf name = {0};
      buf_puts(&name, ".dockerfile.");
      for (size_t i = 0; i < sizeof rnd; i++) buf_printf(&name, "%02x", rnd[i]);
      reldf = (char *)buf_str(&name);
    }
  }

  struct buf q = {0};
  int nt;
  char **tags = flag_list(&cl, "tag", &nt);
  for (int i = 0; i < nt; i++) {
    struct ref r;
    if (ref_parse(tags[i], &r) < 0) flag_invalid(&cl, "tag", tags[i], ref_error(tags[i]));
    buf_puts(&q, "&t=");
    buf_url(&q, tags[i]);
  }
  if (reldf) {
    buf_puts(&q, "&dockerfile=");
    buf_url(&q, reldf);
  } else if (fflag && *fflag) {
    buf_puts(&q, "&dockerfile=");
    buf_url(&q, fflag);
  }
  if (flag_bool(&cl, "no-cache")) buf_puts(&q, "&nocache=1");
  if (quiet) buf_puts(&q, "&q=1");
  if (flag_bool(&cl, "pull")) buf_puts(&q, "&pull=1");
  if (flag_str(&cl, "target") && *flag_str(&cl, "target")) {
    buf_puts(&q, "&target=");
    buf_url(&q, flag_str(&cl, "target"));
  }
  int n;
  char **args = flag_list(&cl, "build-arg", &n);
  if (n) {
    struct buf j = {0};
    kv_json(&j, args, n, 1);
    buf_puts(&q, "&buildargs=");
    buf_url(&q, buf_str(&j));
    buf_free(&j);
  }
  char **labels = flag_list(&cl, "label", &n);
  if (n) {
    struct buf j = {0};
    kv_json(&j, labels, n, 0);
    buf_puts(&q, "&labels=");
    buf_url(&q, buf_str(&j));
    buf_free(&j);
  }
  char *path = xasprintf("/build?version=1%s", buf_str(&q));

  struct buf prog = {0};
  struct sending s = {.out = &prog, .direct = !quiet, .live = isatty(STDOUT_FILENO)};
  clock_gettime(CLOCK_MONOTONIC, &s.last);
  s.u = upload_begin("POST", path, "application/x-tar");
  struct tar_writer w = {.write = send_bytes, .ctx = &s};
  if (from_stdin) {
    /* a tar (or compressed tar) goes up as it is; anything else is a Dockerfile */
    size_t len;
    char *in = read_file("/dev/stdin", &len);
    if (!in) fail("unable to read the context from stdin: %s", go_strerror(errno));
    int is_tar = len >= 512 && !memcmp(in + 257, "ustar", 5);
    int compressed = len >= 2 && ((unsigned char)in[0] == 0x1f && (unsigned char)in[1] == 0x8b);
    if (is_tar || compressed) send_bytes(&s, in, len);
    else {
      tar_bytes(&w, "Dockerfile", 0600, time(NULL), in, len);
      tar_end(&w);
    }
  } else {
    struct walk wk = {.w = &w, .keep = {reldf, ".dockerignore"}};
    char *ignpath = xasprintf("%s/.dockerignore", ctxdir);
    char *ign = read_file(ignpath, NULL);
    if (!ign && errno != ENOENT) fail("error reading .dockerignore: open %s: %s", ignpath, go_strerror(errno));
    ignore_load(&wk.ig, ign ? ign : "");
    if (outside) wk.dockerignore_extra = xasprintf("\n%s\n", reldf);
    walk_dir(&wk, ctxdir, "");
    if (outside) {
      tar_bytes(&w, reldf, 0600, time(NULL), outside, outside_len);
      if (!wk.wrote_dockerignore) tar_bytes(&w, ".dockerignore", 0600, time(NULL), wk.dockerignore_extra, strlen(wk.dockerignore_extra));
    }
    tar_end(&w);
  }
  progress_line(&s);
  buf_puts(&prog, "\r\n");
  if (!quiet) {
    fputs(buf_str(&prog), stdout);
    fflush(stdout);
    prog.len = 0;
  }
  struct resp *r = upload_finish(s.u);
  if (r->status >= 400) {
    char *body = http_read_all(r, NULL);
    if (quiet) fputs(buf_str(&prog), stderr);
    fail("Error response from daemon: %s", api_error_message(body));
  }
  /* with -q the stream is kept, and shown on stderr only if the build fails */
  FILE *out = stdout;
  char *kept = NULL;
  size_t kept_len = 0;
  if (quiet) {
    out = open_memstream(&kept, &kept_len);
    if (!out) fail("open_memstream: %s", go_strerror(errno));
  }
  int code = 0;
  char *id = NULL;
  char *err = progress_display_ex(r, out, quiet ? -1 : STDOUT_FILENO, &code, &id);
  api_release(r);
  if (quiet) fclose(out);
  if (err) {
    if (quiet) {
      fputs(buf_str(&prog), stderr);
      fwrite(kept, 1, kept_len, stderr);
    }
    fail_status(code ? code : 1, "%s", err);
  }
  if (quiet) {
    if (!id) fail("Server did not return image ID");
    printf("%s\n", id);
  }
  const char *iid = flag_str(&cl, "iidfile");
  if (iid && *iid) {
    int fd = open(iid, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 || write_all(fd, id ? id : "", id ? strlen(id) : 0) < 0 || close(fd) < 0)
      fail("failed to write image ID to file: open %s: %s", iid, go_strerror(errno));
  }
  return 0;
}
