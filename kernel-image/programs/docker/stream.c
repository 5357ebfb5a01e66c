/* An attached session on a hijacked connection: stdin → container (with
 * Ctrl-P Ctrl-Q detaching on a TTY), container → stdout/stderr (raw with a
 * TTY, else demultiplexed). Half-closes the write side when stdin ends. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "docker.h"

int stream_session(struct resp *r, int tty, int send_stdin, int detach_keys) {
  struct stdcopy sc = {0};
  char buf[16384];
  int in_open = send_stdin, held = 0; /* held: a Ctrl-P waiting for its Ctrl-Q */
  /* bytes already buffered past the response head */
  for (;;) {
    if (r->c->rpos < r->c->rlen) {
      ssize_t k = conn_read(r->c, buf, sizeof buf);
      if (tty ? write_all(STDOUT_FILENO, buf, (size_t)k) < 0 : stdcopy_feed(&sc, buf, (size_t)k, STDOUT_FILENO, STDERR_FILENO) < 0)
        return 0;
      continue;
    }
    if (tty_resize_pending()) tty_resize_now();
    struct pollfd p[2] = {{r->c->fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    int n = poll(p, in_open ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("poll: %s", strerror(errno));
    }
    if (p[0].revents) {
      ssize_t k = read(r->c->fd, buf, sizeof buf);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) return 0;
      if (tty) {
        if (write_all(STDOUT_FILENO, buf, (size_t)k) < 0) return 0;
      } else if (stdcopy_feed(&sc, buf, (size_t)k, STDOUT_FILENO, STDERR_FILENO) < 0) {
        return 0;
      }
    }
    if (in_open && p[1].revents) {
      ssize_t k = read(STDIN_FILENO, buf, sizeof buf);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) {
        in_open = 0;
        if (held && write_all(r->c->fd, "\x10", 1) < 0) return 0;
        if (shutdown(r->c->fd, SHUT_WR) < 0 && errno != ENOTCONN) fail("shutdown: %s", strerror(errno));
        continue;
      }
      char out[sizeof buf + 1];
      size_t o = 0;
      for (ssize_t i = 0; i < k; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (detach_keys) {
          if (held) {
            held = 0;
            if (ch == 0x11) return 1; /* Ctrl-Q after Ctrl-P */
            out[o++] = 0x10;
          } else if (ch == 0x10) {
            held = 1;
            continue;
          }
        }
        out[o++] = (char)ch;
      }
      if (o && write_all(r->c->fd, out, o) < 0) return 0;
    }
  }
}
