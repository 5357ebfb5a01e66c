/* The Engine API: where the daemon is (-H, DOCKER_HOST, the default socket),
 * API version negotiation through /_ping, requests on a kept-alive
 * connection, and Docker's error messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

const char *g_host;
static char version[16];
static struct conn *keep; /* idle kept-alive connection */

void api_set_host(const char *h) {
  if (!h || !*h) h = getenv("DOCKER_HOST");
  if (!h || !*h) h = "unix:///var/run/docker.sock";
  if (has_prefix(h, "unix://") || has_prefix(h, "tcp://")) {
    g_host = h;
    return;
  }
  if (h[0] == '/') {
    g_host = xasprintf("unix://%s", h);
    return;
  }
  fprintf(stderr, "Failed to initialize: unable to resolve docker endpoint: invalid bind address format: %s\n", h);
  exit(1);
}

static void cannot_connect(void) __attribute__((noreturn));
static void cannot_connect(void) {
  if (errno == EACCES && has_prefix(g_host, "unix://"))
    fail("permission denied while trying to connect to the Docker daemon socket at %s: connect: permission denied", g_host);
  fail("Cannot connect to the Docker daemon at %s. Is the docker daemon running?", g_host);
}

static struct conn *dial(void) {
  int fd = host_connect(g_host);
  if (fd < 0) cannot_connect();
  struct conn *c = xmalloc(sizeof *c);
  c->fd = fd;
  c->rpos = c->rlen = 0;
  return c;
}

static void conn_close(struct conn *c) {
  if (!c) return;
  close(c->fd);
  free(c);
}

/* One exchange; reuses the idle connection, redialling once if it went stale. */
static struct resp *exchange(const char *method, const char *path, const char *body, int fresh, int upgrade) {
  struct resp *r = xmalloc(sizeof *r);
  for (int attempt = 0; attempt < 2; attempt++) {
    struct conn *c;
    int reused = 0;
    if (!fresh && keep) {
      c = keep;
      keep = NULL;
      reused = 1;
    } else {
      c = dial();
    }
    if (http_send(c, method, path, "api.moby.localhost", "application/json", body, body ? strlen(body) : 0, upgrade) == 0 &&
        http_read_head(c, r) == 0)
      return r;
    int e = errno;
    conn_close(c);
    if (!reused) {
      errno = e;
      fail("error during connect: %s %s: %s", method, path, strerror(e));
    }
  }
  fail("error during connect: %s", strerror(errno));
}

const char *api_version(void) {
  if (*version) return version;
  struct resp *r = exchange("GET", "/_ping", NULL, 0, 0);
  const char *v = r->api_version;
  snprintf(version, sizeof version, "%s", CLIENT_API);
  if (*v) {
    int amaj = 0, amin = 0, bmaj = 0, bmin = 0;
    if (sscanf(v, "%d.%d", &amaj, &amin) == 2 && sscanf(CLIENT_API, "%d.%d", &bmaj, &bmin) == 2 &&
        (amaj < bmaj || (amaj == bmaj && amin < bmin)))
      snprintf(version, sizeof version, "%s", v);
  }
  api_release(r);
  return version;
}

static char *versioned(const char *path) { return xasprintf("/v%s%s", api_version(), path); }

struct resp *api_request(const char *method, const char *path, const char *body) {
  char *p = versioned(path);
  struct resp *r = exchange(method, p, body, 0, 0);
  free(p);
  return r;
}

struct resp *api_request_new(const char *method, const char *path, const char *body, int upgrade) {
  char *p = versioned(path);
  struct resp *r = exchange(method, p, body, 1, upgrade);
  free(p);
  return r;
}

void api_release(struct resp *r) {
  if (!r) return;
  if (r->keepalive && !r->done) free(http_read_all(r, NULL));
  if (r->keepalive && r->done && !keep) keep = r->c;
  else conn_close(r->c);
  free(r);
}

int api_call(const char *method, const char *path, const char *body, char **out) {
  struct resp *r = api_request(method, path, body);
  int status = r->status;
  char *text = http_read_all(r, NULL);
  api_release(r);
  if (out) *out = text;
  else free(text);
  return status;
}

char *api_error_message(const char *body) {
  yajl_val v = json_parse(body);
  const char *m = jstr(v, "message");
  char *out;
  if (*m) {
    out = xstrdup(m);
  } else {
    out = xstrdup(body);
    size_t n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = 0;
  }
  yajl_tree_free(v);
  return out;
}

char *api_must(const char *method, const char *path, const char *body) {
  char *out;
  int status = api_call(method, path, body, &out);
  if (status >= 400) fail("Error response from daemon: %s", api_error_message(out));
  return out;
}

yajl_val api_get_json(const char *path) {
  char *text = api_must("GET", path, NULL);
  yajl_val v = json_parse(text);
  if (!v) fail("error decoding the daemon's response to GET %s", path);
  free(text);
  return v;
}

struct upload *upload_begin(const char *method, const char *path, const char *ctype) {
  char *p = versioned(path);
  struct upload *u = xmalloc(sizeof *u);
  u->c = dial();
  u->n = 0;
  u->total = 0;
  u->broken = 0;
  if (http_send_chunked_head(u->c, method, p, "api.moby.localhost", ctype) < 0) fail("error during connect: %s %s: %s", method, p, strerror(errno));
  free(p);
  return u;
}

static void upload_flush(struct upload *u) {
  if (u->n && !u->broken && http_chunk(u->c, u->buf, u->n) < 0) u->broken = 1;
  u->n = 0;
}

void upload_write(struct upload *u, const void *p, size_t n) {
  const char *s = p;
  u->total += (long long)n;
  while (n) {
    size_t k = sizeof u->buf - u->n;
    if (k > n) k = n;
    memcpy(u->buf + u->n, s, k);
    u->n += k;
    s += k;
    n -= k;
    if (u->n == sizeof u->buf) upload_flush(u);
  }
}

struct resp *upload_finish(struct upload *u) {
  upload_flush(u);
  if (!u->broken && http_chunk(u->c, NULL, 0) < 0) u->broken = 1;
  /* even after a failed write the daemon may have answered (an early error) */
  struct resp *r = xmalloc(sizeof *r);
  if (http_read_head(u->c, r) < 0) fail("error during connect: %s", strerror(errno));
  r->keepalive = 0;
  free(u);
  return r;
}
