/* save: images as a tar, to -o FILE or to stdout (never to a terminal). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

/* The body of a tar-answering GET to out (or stdout): into a temporary file
 * beside it first (0600, as the CLI's), renamed at the end, so that a failure
 * leaves no half file. */
int save_body(struct resp *r, const char *out, const char *what) {
  int fd = STDOUT_FILENO;
  char *tmp = NULL;
  if (out) {
    tmp = xasprintf("%s.docker_temp_XXXXXX", out);
    fd = mkstemp(tmp);
    if (fd < 0) fail("failed to %s: failed to create temporary file: open %s: %s", what, tmp, go_strerror(errno));
  }
  char buf[32768];
  for (;;) {
    ssize_t k = http_read(r, buf, sizeof buf);
    if (k < 0) {
      if (tmp) unlink(tmp);
      fail("failed to %s: unexpected EOF from the daemon", what);
    }
    if (k == 0) break;
    if (write_all(fd, buf, (size_t)k) < 0) {
      int e = errno;
      if (tmp) unlink(tmp);
      fail("failed to %s: write %s: %s", what, out ? out : "/dev/stdout", go_strerror(e));
    }
  }
  api_release(r);
  if (tmp) {
    if (close(fd) < 0) fail("failed to %s: %s: %s", what, tmp, go_strerror(errno));
    if (rename(tmp, out) < 0) {
      int e = errno;
      unlink(tmp);
      fail("failed to %s: rename %s %s: %s", what, tmp, out, go_strerror(e));
    }
  }
  return 0;
}

int cmd_save(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "save", argc, argv, 1);
  args_min(&cl, 1);
  const char *out = flag_str(&cl, "output");
  if (out && !*out) out = NULL;
  if (!out && isatty(STDOUT_FILENO)) fail("cowardly refusing to save to a terminal. Use the -o flag or redirect");
  struct buf q = {0};
  buf_puts(&q, "/images/get?");
  for (int i = 0; i < cl.nargs; i++) {
    buf_puts(&q, i ? "&names=" : "names=");
    buf_url(&q, cl.args[i]);
  }
  struct resp *r = api_request("GET", buf_str(&q), NULL);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(r, NULL)));
  return save_body(r, out, "save image");
}
