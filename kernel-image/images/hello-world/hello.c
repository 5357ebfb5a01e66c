/*
 * hello-world for Slipway: the first container a learner runs. Like
 * Docker's own, it prints what just happened and exits; unlike it, it also
 * says where the "Docker Hub" is: in the browser tab. One write(2), no
 * stdio, so the static binary stays small.
 */
#include <unistd.h>

static const char message[] =
    "\n"
    "Hello from Docker!\n"
    "This message shows that your installation appears to be working correctly.\n"
    "\n"
    "To generate this message, Docker took the following steps:\n"
    " 1. The Docker client contacted the Docker daemon.\n"
    " 2. The Docker daemon pulled the \"hello-world\" image from the Docker Hub.\n"
    "    (i386)\n"
    "    In Slipway the Docker Hub is the registry built into this browser tab:\n"
    "    the image came from there, not from the internet.\n"
    " 3. The Docker daemon created a new container from that image which runs the\n"
    "    executable that produces the output you are currently reading.\n"
    " 4. The Docker daemon streamed that output to the Docker client, which sent it\n"
    "    to your terminal.\n"
    "\n"
    "All of this ran inside your browser: the client, the daemon, the registry,\n"
    "and the small Linux machine (emulated by v86) that the container ran on.\n"
    "\n"
    "To try something more ambitious, you can run a busybox container with:\n"
    " $ docker run -it busybox sh\n"
    "\n"
    "Or serve a web page from a container, and open it on port 8080:\n"
    " $ docker run -d -p 8080:80 docker/getting-started\n"
    "\n"
    "See what you have and what ran:\n"
    " $ docker images\n"
    " $ docker ps -a\n"
    "\n";

int main(void)
{
	size_t done = 0;

	while (done < sizeof(message) - 1) {
		ssize_t n = write(STDOUT_FILENO, message + done, sizeof(message) - 1 - done);

		if (n <= 0)
			return 1;
		done += (size_t)n;
	}
	return 0;
}
