#include "terminal.h"
#include "error.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int terminal_open_pty(int *slave)
{
	/* /dev/ptmx -> pts/ptmx: the devpts instance mounted for the container,
	 * so the pty shows up as the container's /dev/pts/0. */
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		die_errno("open /dev/ptmx in the container (is devpts mounted on /dev/pts?)");
	if (unlockpt(master) < 0)
		die_errno("unlockpt /dev/ptmx");
	/* TIOCGPTPEER opens the slave through the master, not by a path name
	 * that something could have swapped. */
	*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		die_errno("ioctl TIOCGPTPEER on /dev/ptmx");
	return master;
}

void terminal_become_stdio(int slave)
{
	/* The container's first process made its session already (EPERM). */
	if (setsid() < 0 && errno != EPERM)
		die_errno("setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		die_errno("ioctl TIOCSCTTY");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			die_errno("dup2 the terminal onto fd %d", fd);
	if (slave > 2)
		close(slave);
}

void terminal_setup_container(int sock)
{
	int slave;
	int master = terminal_open_pty(&slave);
	terminal_send_fd(sock, master);
	close(master);
	close(sock);
	terminal_become_stdio(slave);
}

void terminal_send_fd(int sock, int fd)
{
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &msg, 0) < 0)
		if (errno != EINTR)
			die_errno("send the terminal's master fd (sendmsg)");
}

int terminal_recv_fd(int sock)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			die_errno("receive the terminal's master fd (recvmsg)");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (n == 0 || !c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int console_socket_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof addr.sun_path)
		die("--console-socket %s: path too long", path);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die_errno("connect --console-socket %s", path);
	return fd;
}

bool terminal_make_raw(int fd, struct termios *saved)
{
	if (!isatty(fd))
		return false;
	if (tcgetattr(fd, saved) < 0)
		die_errno("tcgetattr");
	struct termios raw = *saved;
	/* Keys go to the container's terminal untouched: its line discipline
	 * does the echo, ^C and the rest. */
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		die_errno("tcsetattr (raw mode)");
	return true;
}

void terminal_restore(int fd, const struct termios *saved)
{
	if (tcsetattr(fd, TCSANOW, saved) < 0)
		warn_errno("tcsetattr (restore)");
}

void terminal_copy_size(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0 && ioctl(to, TIOCSWINSZ, &ws) < 0)
		warn_errno("ioctl TIOCSWINSZ");
}
