/* import: a root file system tar (a file, or - for stdin) as a one-layer image. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

int cmd_import(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "import", argc, argv, 1);
  args_min(&cl, 1); /* as the CLI: a third argument is ignored */
  const char *src = cl.args[0];
  if (has_prefix(src, "http://") || has_prefix(src, "https://"))
    fail("importing from a URL is not supported by Slipway: download it first, then docker import FILE");
  struct buf q = {0};
  buf_puts(&q, "/images/create?fromSrc=-");
  if (cl.nargs == 2) {
    struct ref r;
    if (ref_parse(cl.args[1], &r) < 0) fail("%s", ref_error(cl.args[1]));
    buf_puts(&q, "&repo=");
    buf_url(&q, cl.args[1]);
  }
  const char *m = flag_str(&cl, "message"), *plat = flag_str(&cl, "platform");
  if (m) {
    buf_puts(&q, "&message=");
    buf_url(&q, m);
  }
  if (plat && *plat) {
    buf_puts(&q, "&platform=");
    buf_url(&q, plat);
  }
  int n;
  char **changes = flag_list(&cl, "change", &n);
  for (int i = 0; i < n; i++) {
    buf_puts(&q, "&changes=");
    buf_url(&q, changes[i]);
  }
  int fd = STDIN_FILENO;
  if (strcmp(src, "-")) {
    fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open %s: %s", src, go_strerror(errno));
  }
  return post_tar_with_progress(buf_str(&q), fd, strcmp(src, "-") ? src : "/dev/stdin");
}
