#include "process.h"
#include "cgroup.h"
#include "error.h"
#include "mounts.h"
#include "terminal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The first process and nsrun talk over a socketpair, one byte a step:
 *   nsrun -> child  'c'  configured: uid/gid maps written (only with a new
 *                        user namespace; without one there is nothing to wait for)
 *   child -> nsrun  'r'  ready: namespaces, mounts, user set; next is execve
 *   nsrun -> child  's'  start (sent ahead, before the clone, for `run`
 *                        without a terminal: see struct container)
 * End of file instead of a byte means the other side died. */
enum { SYNC_CONFIGURED = 'c', SYNC_READY = 'r', SYNC_START = 's' };

static void send_byte(int fd, char b)
{
	while (write(fd, &b, 1) < 0)
		if (errno != EINTR)
			die_errno("write to the container's sync socket");
}

/* The byte read, or -1 when the other end is gone: end of file, or a reset
 * (a process that exits with our start byte unread resets the socket). */
static int recv_byte(int fd)
{
	char b;
	ssize_t n;
	while ((n = read(fd, &b, 1)) < 0) {
		if (errno == ECONNRESET)
			return -1;
		if (errno != EINTR)
			die_errno("read from the container's sync socket");
	}
	return n == 0 ? -1 : b;
}

void process_set_user(uid_t uid, gid_t gid, const gid_t *gids, size_t n_gids)
{
	/* Groups first: once uid is no longer 0 we may not change them. */
	if (setgroups(n_gids, gids) < 0)
		die_errno("setgroups (process.user.additionalGids)");
	if (setgid(gid) < 0)
		die_errno("setgid %u (process.user.gid)", (unsigned)gid);
	if (setuid(uid) < 0)
		die_errno("setuid %u (process.user.uid)", (unsigned)uid);
}

static noreturn void exec_failed(const char *path, int err)
{
	if (err == ENOENT) {
		warn("exec \"%s\": executable file not found: %s", path, strerror(err));
		_exit(EXIT_NOT_FOUND);
	}
	warn("exec \"%s\": %s", path, strerror(err));
	_exit(EXIT_CANNOT_EXECUTE);
}

/* The file execve will run for args[0], searched in the container's PATH as
 * Docker (Go's LookPath) does: files that are not executable are skipped.
 * NULL when there is none, with *err ENOENT (not found) or EACCES. */
static char *lookup_executable(char *const *args, char *const *env, int *err)
{
	const char *file = args[0];
	struct stat st;
	if (strchr(file, '/')) {
		if (stat(file, &st) < 0) {
			*err = errno;
			return NULL;
		}
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
			*err = EACCES;
			return NULL;
		}
		return xstrdup(file);
	}
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	char *dirs = xstrdup(path);
	for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", dir, file);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			free(dirs);
			return full;
		}
		free(full);
	}
	free(dirs);
	*err = ENOENT;
	return NULL;
}

/* Says why args[0] cannot run, in runc's words (which Docker passes on and
 * its CLI maps to 126 or 127), and exits with the status Docker uses. */
static noreturn void lookup_failed(const char *file, int err)
{
	if (err == ENOENT && !strchr(file, '/')) {
		warn("exec: \"%s\": executable file not found in $PATH", file);
		_exit(EXIT_NOT_FOUND);
	}
	if (err == ENOENT || err == ENOTDIR) {
		warn("exec: \"%s\": stat %s: no such file or directory", file, file);
		_exit(EXIT_NOT_FOUND);
	}
	warn("exec: \"%s\": permission denied", file);
	_exit(EXIT_CANNOT_EXECUTE);
}

noreturn void process_exec(char *const *args, char *const *env)
{
	int err = 0;
	char *full = lookup_executable(args, env, &err);
	if (!full)
		lookup_failed(args[0], err);
	execve(full, args, env);
	exec_failed(full, errno);
}

/* In the new process: finish the container from the inside, then execve. */
static noreturn void container_init(struct container *c, int sock)
{
	const struct config *cfg = c->cfg;
	const struct process_config *p = &cfg->process;

	/* nsrun's cleanup belongs to nsrun, not to this copy of it. */
	error_set_cleanup(NULL, NULL);
	close(c->sync_fd);
	/* Whatever nsrun's caller left open must not leak into the container. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die_errno("close_range");
	/* Modes given in config.json (mode=1777, the device nodes) mean what they say. */
	umask(0);

	const struct namespace_entry *user = config_namespace(cfg, CLONE_NEWUSER);
	bool new_user = user && !user->path;
	if (new_user && recv_byte(sock) != SYNC_CONFIGURED)
		_exit(1); /* nsrun died and has said why */

	namespaces_join(cfg, &c->joins, ~CLONE_NEWPID);
	if (new_user) {
		/* uid_map is written: become the namespace's root. */
		if (setresgid(0, 0, 0) < 0)
			die_errno("setresgid 0 in the new user namespace");
		if (setresuid(0, 0, 0) < 0)
			die_errno("setresuid 0 in the new user namespace");
	}
	/* A cgroup namespace is rooted at its maker's cgroup at that moment:
	 * clone3 would root it at nsrun's, so make it here, already inside ours. */
	const struct namespace_entry *cg = config_namespace(cfg, CLONE_NEWCGROUP);
	if (cg && !cg->path && unshare(CLONE_NEWCGROUP) < 0)
		die_errno("unshare cgroup namespace");
	if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		die_errno("sethostname \"%s\" (hostname)", cfg->hostname);

	const struct namespace_entry *mnt = config_namespace(cfg, CLONE_NEWNS);
	if (!mnt->path)
		mounts_setup_rootfs(cfg);
	else if (chdir("/") < 0) /* a joined mount namespace brings its own root */
		die_errno("chdir /");

	/* Like runc, find the program before reporting ready: a missing one makes
	 * `create` fail (Docker's start error, exit 127 or 126) rather than start a
	 * container that dies at once. Done before the terminal takes over stderr,
	 * so the reason reaches nsrun's caller. A relative path is the cwd's. */
	if (p->args[0][0] != '/' && strchr(p->args[0], '/') && chdir(p->cwd) < 0)
		die_errno("chdir to process.cwd %s", p->cwd);
	int err = 0;
	char *exe = lookup_executable(p->args, p->env, &err);
	if (!exe)
		lookup_failed(p->args[0], err);

	/* A session of its own: the keyboard's ^C then reaches nsrun only,
	 * which passes it on once, instead of the terminal signalling the
	 * container directly as well. */
	if (setsid() < 0)
		die_errno("setsid");
	if (p->terminal)
		terminal_setup_container(c->console_sock);
	if (chdir(p->cwd) < 0)
		die_errno("chdir to process.cwd %s", p->cwd);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			die_errno("setrlimit (process.rlimits[%zu])", i);
	}
	umask(p->umask >= 0 ? (mode_t)p->umask : 022);
	process_set_user(p->uid, p->gid, p->additional_gids, p->n_additional_gids);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno("prctl PR_SET_NO_NEW_PRIVS (process.noNewPrivileges)");

	send_byte(sock, SYNC_READY);
	if (recv_byte(sock) != SYNC_START)
		_exit(1); /* deleted before it was started */
	process_unblock_signals();
	/* sock is close-on-exec: nsrun sees it close when execve succeeds.
	 * exe was found above: no second search of PATH. */
	execve(exe, p->args, p->env);
	exec_failed(exe, errno);
}

static const char *describe_flags(int flags, char *buf, size_t size)
{
	static const int all[] = { CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET };
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (flags & all[i]) {
			size_t used = strlen(buf);
			snprintf(buf + used, size - used, "%s%s", used ? "," : "", namespace_proc_name(all[i]));
		}
	return buf;
}

void process_spawn(struct container *c)
{
	const struct config *cfg = c->cfg;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die_errno("socketpair");
	c->sync_fd = sv[0];
	/* Not with a new user namespace: its first byte must be "configured". */
	if (c->start_early && !(namespaces_clone_flags(cfg) & CLONE_NEWUSER))
		send_byte(c->sync_fd, SYNC_START);
	else
		c->start_early = false;
	/* setns into a pid namespace moves only our future children there. */
	namespaces_join(cfg, &c->joins, CLONE_NEWPID);

	int flags = namespaces_clone_flags(cfg) & ~CLONE_NEWCGROUP;
	/* Born in its cgroup, so every process it forks is counted against
	 * the limits from the start. */
	int cgroup_fd = cgroup_open(c->cgroup);
	pid_t pid = clone_with_flags(flags, cgroup_fd);
	if (pid < 0) {
		char buf[64];
		die_errno("clone3 into %s (new namespaces: %s)", c->cgroup, describe_flags(flags, buf, sizeof buf));
	}
	if (pid == 0)
		container_init(c, sv[1]);
	close(sv[1]);
	close(cgroup_fd);
	c->pid = pid;
	for (size_t i = 0; i < cfg->n_namespaces; i++)
		if (c->joins.fd[i] >= 0)
			close(c->joins.fd[i]);

	if (flags & CLONE_NEWUSER) {
		namespaces_write_id_mappings(cfg, pid);
		send_byte(c->sync_fd, SYNC_CONFIGURED);
	}

	if (recv_byte(c->sync_fd) == SYNC_READY)
		return;
	/* Setup failed: the child printed why (its die() exits 1). */
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid %d", (int)pid);
	c->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		exit_after_cleanup();
	/* The program is missing or not executable: said already; keep Docker's status. */
	if (WIFEXITED(status) && (WEXITSTATUS(status) == EXIT_NOT_FOUND || WEXITSTATUS(status) == EXIT_CANNOT_EXECUTE))
		exit_status_after_cleanup(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		die("the container's first process was killed by SIG%s during setup", signal_name(WTERMSIG(status)));
	die("the container's first process exited with %d during setup", WEXITSTATUS(status));
}

void process_start(struct container *c)
{
	if (!c->start_early)
		send_byte(c->sync_fd, SYNC_START);
	close(c->sync_fd);
	c->sync_fd = -1;
}

/* Signals nsrun receives on the container's behalf. */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

static void wait_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

void process_block_signals(void)
{
	/* Blocked, they wait in the queue for the signalfd in process_wait
	 * instead of killing nsrun. The child unblocks them before execve. */
	sigset_t set;
	wait_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die_errno("sigprocmask");
}

void process_unblock_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
		die_errno("sigprocmask");
}

int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* the reader went away: drop the output, keep waiting */
		}
		buf += w;
		n -= w;
	}
}

int process_wait(pid_t pid, int master)
{
	sigset_t set;
	wait_set(&set);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die_errno("signalfd");
	struct termios saved;
	bool raw = false;
	if (master >= 0) {
		raw = terminal_make_raw(STDIN_FILENO, &saved);
		terminal_copy_size(STDIN_FILENO, master);
	}

	int status = 0;
	char buf[4096];
	struct pollfd fds[3] = {
		{ sfd, POLLIN, 0 },
		{ master, POLLIN, 0 },			    /* container's terminal -> our stdout */
		{ master >= 0 ? STDIN_FILENO : -1, POLLIN, 0 }, /* our stdin -> container's terminal */
	};
	for (;;) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("poll");
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) != sizeof si)
				die_errno("read signalfd");
			if (si.ssi_signo == SIGCHLD) {
				pid_t w = waitpid(pid, &status, WNOHANG);
				if (w < 0 && errno != EINTR)
					die_errno("waitpid %d", (int)pid);
				if (w == pid)
					break;
			} else if (si.ssi_signo == SIGWINCH && master >= 0) {
				terminal_copy_size(STDIN_FILENO, master);
			} else if (kill(pid, si.ssi_signo) < 0 && errno != ESRCH) {
				warn_errno("forward SIG%s to %d", signal_name(si.ssi_signo), (int)pid);
			}
		}
		if (fds[1].revents) {
			ssize_t n = read(master, buf, sizeof buf);
			if (n > 0)
				write_all(STDOUT_FILENO, buf, n);
			else if (n < 0 && errno != EINTR && errno != EAGAIN)
				fds[1].fd = -1; /* EIO: every slave fd is closed */
		}
		if (fds[2].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
			if (n > 0)
				write_all(master, buf, n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				fds[2].fd = -1;
		}
	}
	if (master >= 0) {
		/* What the container printed last may still sit in the pty. */
		if (fcntl(master, F_SETFL, O_NONBLOCK) == 0)
			for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;)
				write_all(STDOUT_FILENO, buf, n);
		if (raw)
			terminal_restore(STDIN_FILENO, &saved);
	}
	close(sfd);
	return exit_code(status);
}
