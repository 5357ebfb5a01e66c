/* load: an image tar from -i FILE or stdin; prints "Loaded image: …". */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

/* Streams fd to an upload; fails with the path on a read error. */
void upload_fd(struct upload *u, int fd, const char *path) {
  char buf[32768];
  for (;;) {
    ssize_t k = read(fd, buf, sizeof buf);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) fail("read %s: %s", path, go_strerror(errno));
    if (k == 0) break;
    upload_write(u, buf, (size_t)k);
  }
}

int post_tar_with_progress(const char *path, int fd, const char *name) {
  struct upload *u = upload_begin("POST", path, "application/x-tar");
  upload_fd(u, fd, name);
  struct resp *r = upload_finish(u);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(r, NULL)));
  char *err = progress_display(r, stdout, STDOUT_FILENO);
  api_release(r);
  if (err) fail("%s", err);
  return 0;
}

int cmd_load(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "load", argc, argv, 1);
  args_none(&cl);
  const char *in = flag_str(&cl, "input");
  int fd = STDIN_FILENO;
  if (in && *in) {
    fd = open(in, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open %s: %s", in, go_strerror(errno));
  } else if (isatty(STDIN_FILENO)) {
    fail("requested load from stdin, but stdin is empty");
  }
  return post_tar_with_progress(flag_bool(&cl, "quiet") ? "/images/load?quiet=1" : "/images/load?quiet=0", fd, in && *in ? in : "/dev/stdin");
}
