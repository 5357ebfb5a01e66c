/* /var/run/docker.sock and tcp 0.0.0.0:2375 inside the guest: each client
 * connection becomes a stream to the engine daemon, which serves the Engine
 * API. So `docker` in the guest and DOCKER_HOST=tcp://…:2375 both work. */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define API_SOCK "/var/run/docker.sock"
#define API_PORT 2375

static struct watch unix_w = { .fd = -1 }, tcp_w = { .fd = -1 };

static void on_accept(struct watch *w, uint32_t events)
{
	(void)events;
	int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			logmsg("api accept: %s", strerror(errno));
		return;
	}
	/* No daemon connected: nobody could answer, so refuse at once. */
	struct stream *s = stream_open(w == &unix_w ? "{\"kind\":\"api\",\"via\":\"unix\"}" : "{\"kind\":\"api\",\"via\":\"tcp\"}", NULL, NULL);
	if (!s) {
		close(fd);
		return;
	}
	relay_start(s, fd);
}

int api_relay_init(void)
{
	int u = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u < 0)
		return fail_errno("socket AF_UNIX");
	struct sockaddr_un ua = { .sun_family = AF_UNIX };
	strcpy(ua.sun_path, API_SOCK);
	if (unlink(API_SOCK) < 0 && errno != ENOENT)
		return fail_errno("unlink %s", API_SOCK);
	if (bind(u, (struct sockaddr *)&ua, sizeof ua) < 0)
		return fail_errno("bind %s", API_SOCK);
	/* Docker's own mode: root and the docker group. */
	if (chmod(API_SOCK, 0660) < 0)
		return fail_errno("chmod %s", API_SOCK);
	if (listen(u, 16) < 0)
		return fail_errno("listen %s", API_SOCK);
	if (watch_add(&unix_w, u, EPOLLIN, on_accept, NULL) < 0)
		return -1;

	int t = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t < 0)
		return fail_errno("socket AF_INET");
	int one = 1;
	if (setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		return fail_errno("setsockopt SO_REUSEADDR");
	struct sockaddr_in ta = { .sin_family = AF_INET, .sin_port = htons(API_PORT), .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (bind(t, (struct sockaddr *)&ta, sizeof ta) < 0)
		return fail_errno("bind tcp 0.0.0.0:%d", API_PORT);
	if (listen(t, 16) < 0)
		return fail_errno("listen tcp %d", API_PORT);
	return watch_add(&tcp_w, t, EPOLLIN, on_accept, NULL);
}
