/* Terminals. With process.terminal the container gets a pseudo-terminal of
 * its own, made from its own devpts; nsrun hands the master side out,
 * either to whoever listens on --console-socket (what runc does for
 * containerd), or keeps it and copies between it and its own terminal. */
#ifndef NSRUN_TERMINAL_H
#define NSRUN_TERMINAL_H

#include <stdbool.h>
#include <termios.h>

/* Container side, after pivot_root: open a pty from the container's
 * /dev/ptmx, make it the controlling terminal and stdin/out/err, and send
 * the master over sock. */
void terminal_setup_container(int sock);
/* exec -t: open a pty in the (already joined) container; returns the
 * master, *slave set to the other end. */
int terminal_open_pty(int *slave);
/* Make fd the caller's controlling terminal and stdio (after setsid). */
void terminal_become_stdio(int slave);

/* Pass a file descriptor over a unix socket (SCM_RIGHTS). */
void terminal_send_fd(int sock, int fd);
int terminal_recv_fd(int sock);
/* Connect to the AF_UNIX socket a --console-socket names. */
int console_socket_connect(const char *path);

/* Host side of an attached terminal: raw mode while copying, restored after. */
bool terminal_make_raw(int fd, struct termios *saved);
void terminal_restore(int fd, const struct termios *saved);
/* Give the pty the window size of our terminal. */
void terminal_copy_size(int from, int to);

#endif
