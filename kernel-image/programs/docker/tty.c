/* The terminal for -t: raw mode restored on every exit path, the window size
 * sent to the daemon now and on each SIGWINCH. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "docker.h"

static struct termios saved;
static int saved_fd = -1;
static volatile sig_atomic_t winch;
static char *resize_path;

void tty_restore(void) {
  if (saved_fd >= 0) {
    if (tcsetattr(saved_fd, TCSADRAIN, &saved) < 0) {
      /* nothing more we can do on the way out */
    }
    saved_fd = -1;
  }
}

static void on_fatal(int sig) {
  tty_restore();
  signal(sig, SIG_DFL);
  raise(sig);
}

int tty_raw(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) < 0) return -1;
  saved = t;
  saved_fd = fd;
  atexit(tty_restore);
  signal(SIGTERM, on_fatal);
  signal(SIGHUP, on_fatal);
  cfmakeraw(&t);
  return tcsetattr(fd, TCSADRAIN, &t);
}

int tty_size(int fd, int *h, int *w) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return -1;
  *h = ws.ws_row;
  *w = ws.ws_col;
  return 0;
}

static void on_winch(int sig) {
  (void)sig;
  winch = 1;
}

void tty_resize_now(void) {
  int h, w;
  winch = 0;
  if (!resize_path || tty_size(STDOUT_FILENO, &h, &w) < 0 || h == 0 || w == 0) return;
  char *p = xasprintf("%s?h=%d&w=%d", resize_path, h, w);
  free(api_must("POST", p, NULL));
  free(p);
}

void tty_watch_resize(const char *path) {
  resize_path = xstrdup(path);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_winch;
  if (sigaction(SIGWINCH, &sa, NULL) < 0) fail("sigaction SIGWINCH: %s", strerror(errno));
}

int tty_resize_pending(void) { return winch; }
