/* HTTP/1.1 client over a unix or tcp socket: requests with Content-Length
 * bodies, responses with Content-Length, chunked or until-close bodies read
 * as a stream, and the hijacked connection attach and exec upgrade to. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "docker.h"

int host_connect(const char *host) {
  if (has_prefix(host, "unix://")) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *path = host + 7;
    if (strlen(path) >= sizeof sa.sun_path) {
      errno = ENAMETOOLONG;
      return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    return fd;
  }
  if (has_prefix(host, "tcp://")) {
    char hostport[256];
    snprintf(hostport, sizeof hostport, "%s", host + 6);
    char *slash = strchr(hostport, '/');
    if (slash) *slash = 0;
    char *colon = strrchr(hostport, ':');
    const char *port = "2375";
    if (colon) {
      *colon = 0;
      port = colon + 1;
    }
    const char *name = hostport;
    if (*name == '[') {
      name++;
      char *rb = strchr(name, ']');
      if (rb) *rb = 0;
    }
    if (!*name) name = "127.0.0.1";
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
    if (getaddrinfo(name, port, &hints, &res) != 0) {
      errno = EHOSTUNREACH;
      return -1;
    }
    int fd = -1, e = ECONNREFUSED;
    for (ai = res; ai; ai = ai->ai_next) {
      fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        e = errno;
        continue;
      }
      if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
      e = errno;
      close(fd);
      fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
      errno = e;
      return -1;
    }
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
      /* not fatal: only latency */
    }
    return fd;
  }
  errno = EINVAL;
  return -1;
}

int http_send(struct conn *c, const char *method, const char *path, const char *host_hdr, const char *ctype,
              const void *body, size_t blen, int upgrade) {
  struct buf b = {0};
  buf_printf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Docker-Client/%s (linux)\r\n", method, path, host_hdr, CLIENT_VERSION);
  if (upgrade) buf_puts(&b, "Connection: Upgrade\r\nUpgrade: tcp\r\n");
  if (body) buf_printf(&b, "Content-Type: %s\r\nContent-Length: %zu\r\n", ctype ? ctype : "application/json", blen);
  else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) buf_puts(&b, "Content-Length: 0\r\n");
  buf_puts(&b, "\r\n");
  if (body) buf_add(&b, body, blen);
  ssize_t w = write_all(c->fd, b.p, b.len);
  buf_free(&b);
  return w < 0 ? -1 : 0;
}

ssize_t conn_read(struct conn *c, void *p, size_t n) {
  if (c->rpos < c->rlen) {
    size_t k = c->rlen - c->rpos;
    if (k > n) k = n;
    memcpy(p, c->rbuf + c->rpos, k);
    c->rpos += k;
    return (ssize_t)k;
  }
  for (;;) {
    ssize_t r = read(c->fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

static int fill(struct conn *c) {
  if (c->rpos == c->rlen) c->rpos = c->rlen = 0;
  if (c->rlen == sizeof c->rbuf) {
    memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
    c->rlen -= c->rpos;
    c->rpos = 0;
    if (c->rlen == sizeof c->rbuf) {
      errno = E2BIG;
      return -1;
    }
  }
  for (;;) {
    ssize_t r = read(c->fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    c->rlen += (size_t)r;
    return (int)r;
  }
}

/* One CRLF-terminated line into out (without the CRLF). */
static int read_line(struct conn *c, char *out, size_t max) {
  for (;;) {
    char *nl = memchr(c->rbuf + c->rpos, '\n', c->rlen - c->rpos);
    if (nl) {
      size_t n = (size_t)(nl - (c->rbuf + c->rpos));
      size_t k = n;
      if (k && c->rbuf[c->rpos + k - 1] == '\r') k--;
      if (k >= max) k = max - 1;
      memcpy(out, c->rbuf + c->rpos, k);
      out[k] = 0;
      c->rpos += n + 1;
      return 0;
    }
    int r = fill(c);
    if (r <= 0) {
      if (r == 0) errno = ECONNRESET;
      return -1;
    }
  }
}

int http_read_head(struct conn *c, struct resp *r) {
  char line[8192];
  memset(r, 0, sizeof *r);
  r->c = c;
  r->content_length = -1;
  r->keepalive = 1;
  if (read_line(c, line, sizeof line) < 0) return -1;
  if (strncmp(line, "HTTP/1.", 7) != 0) {
    errno = EPROTO;
    return -1;
  }
  r->status = atoi(line + 9);
  for (;;) {
    if (read_line(c, line, sizeof line) < 0) return -1;
    if (!*line) break;
    char *colon = strchr(line, ':');
    if (!colon) continue;
    *colon = 0;
    char *v = colon + 1;
    while (*v == ' ') v++;
    if (!strcasecmp(line, "Content-Length")) r->content_length = atoll(v);
    else if (!strcasecmp(line, "Transfer-Encoding") && strcasestr(v, "chunked")) r->chunked = 1;
    else if (!strcasecmp(line, "Content-Type")) snprintf(r->content_type, sizeof r->content_type, "%s", v);
    else if (!strcasecmp(line, "Api-Version")) snprintf(r->api_version, sizeof r->api_version, "%s", v);
    else if (!strcasecmp(line, "X-Docker-Container-Path-Stat")) snprintf(r->path_stat, sizeof r->path_stat, "%s", v);
    else if (!strcasecmp(line, "Connection") && strcasestr(v, "close")) r->keepalive = 0;
  }
  if (r->status == 101) {
    r->keepalive = 0;
    r->content_length = -1;
    r->chunked = 0;
  } else if (r->status == 204 || r->status == 304 || (!r->chunked && r->content_length == 0)) {
    r->done = 1;
  } else if (!r->chunked && r->content_length < 0) {
    r->keepalive = 0; /* until close */
  }
  return 0;
}

ssize_t http_read(struct resp *r, void *p, size_t n) {
  struct conn *c = r->c;
  if (r->done) return 0;
  if (r->chunked) {
    if (r->chunk_left == 0) {
      char line[64];
      if (read_line(c, line, sizeof line) < 0) return -1;
      r->chunk_left = strtoll(line, NULL, 16);
      if (r->chunk_left == 0) {
        do
          if (read_line(c, line, sizeof line) < 0) return -1;
        while (*line);
        r->done = 1;
        return 0;
      }
    }
    if ((long long)n > r->chunk_left) n = (size_t)r->chunk_left;
    ssize_t k = conn_read(c, p, n);
    if (k <= 0) {
      if (k == 0) errno = ECONNRESET;
      return -1;
    }
    r->chunk_left -= k;
    if (r->chunk_left == 0) {
      char line[8];
      if (read_line(c, line, sizeof line) < 0) return -1;
    }
    return k;
  }
  if (r->content_length >= 0) {
    if (r->content_length == 0) {
      r->done = 1;
      return 0;
    }
    if ((long long)n > r->content_length) n = (size_t)r->content_length;
    ssize_t k = conn_read(c, p, n);
    if (k <= 0) {
      if (k == 0) errno = ECONNRESET;
      return -1;
    }
    r->content_length -= k;
    if (r->content_length == 0) r->done = 1;
    return k;
  }
  ssize_t k = conn_read(c, p, n);
  if (k == 0) r->done = 1;
  return k;
}

char *http_read_all(struct resp *r, size_t *len) {
  struct buf b = {0};
  char tmp[8192];
  for (;;) {
    ssize_t k = http_read(r, tmp, sizeof tmp);
    if (k < 0) {
      r->keepalive = 0;
      break;
    }
    if (k == 0) break;
    buf_add(&b, tmp, (size_t)k);
  }
  if (len) *len = b.len;
  return (char *)(b.p ? b.p : xstrdup(""));
}

/* A request whose body is streamed with chunked encoding (build contexts,
 * image tars): the head now, then http_chunk per piece, http_chunk(…, 0) to end. */
int http_send_chunked_head(struct conn *c, const char *method, const char *path, const char *host_hdr, const char *ctype) {
  struct buf b = {0};
  buf_printf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Docker-Client/%s (linux)\r\nTransfer-Encoding: chunked\r\nContent-Type: %s\r\n\r\n",
             method, path, host_hdr, CLIENT_VERSION, ctype);
  ssize_t w = write_all(c->fd, b.p, b.len);
  buf_free(&b);
  return w < 0 ? -1 : 0;
}

int http_chunk(struct conn *c, const void *p, size_t n) {
  char head[24];
  int hl = snprintf(head, sizeof head, "%zx\r\n", n);
  /* MSG_NOSIGNAL: a daemon that answers early and closes gives EPIPE, not a dead client */
  const char *parts[3] = {head, p, "\r\n"};
  size_t lens[3] = {(size_t)hl, n, 2};
  for (int i = 0; i < 3; i++) {
    size_t done = 0;
    while (done < lens[i]) {
      ssize_t w = send(c->fd, parts[i] + done, lens[i] - done, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      done += (size_t)w;
    }
    if (n == 0 && i == 0) {
      if (send(c->fd, "\r\n", 2, MSG_NOSIGNAL) != 2) return -1;
      return 0;
    }
  }
  return 0;
}
