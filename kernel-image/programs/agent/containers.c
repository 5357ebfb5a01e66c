/* Containers: an overlay root over the stored layers, a bundle with the
 * daemon's config.json (root, netns and /etc/hosts filled in here), and
 * nsrun to create, start, kill and delete it. nsrun's monitor process is
 * reparented to us (we are a subreaper) when `nsrun create` exits; when it
 * is reaped, `nsrun state` has the exit status and whether OOM struck. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_EXTRA_NETWORKS 7

struct container {
	char id[80];
	char dir[256];
	char cgroup[400]; /* for pause: where nsrun puts the container's processes */
	char network[128], ip[16];
	/* Networks docker network connect added: eth<i + 1>; an empty name is a free slot. */
	struct {
		char network[128], ip[16];
	} extra[MAX_EXTRA_NETWORKS];
	bool tty, started, attached_net;
	pid_t pid;     /* the container's first process */
	pid_t monitor; /* nsrun's monitor: its parent, ours once `nsrun create` exits */
	struct proc *io;
	struct container *next;
};
static struct container *containers;

struct exec_proc {
	pid_t pid;
	struct proc *io;
	struct exec_proc *next;
};
static struct exec_proc *execs;

static struct container *find_container(const char *id)
{
	for (struct container *c = containers; c && id; c = c->next)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

static void reply_err_end(struct stream *s)
{
	stream_reply_error(s, errbuf[0] ? errbuf : "failed");
	stream_end(s);
}

static void reply_ok_end(struct stream *s, const char *json)
{
	stream_reply(s, json);
	stream_end(s);
}

/* ---- config.json: the daemon's spec with our paths put in ---- */

struct spec_fill {
	const char *rootfs;
	const char *netns; /* NULL: share the guest's (host mode) */
	const char *dir;   /* for hosts, hostname */
};

static void emit(struct buf *b, yajl_val v);

static void emit_namespaces(struct buf *b, yajl_val arr, const struct spec_fill *f)
{
	buf_put(b, "[", 1);
	bool first = true, had_net = false;
	for (size_t i = 0; YAJL_IS_ARRAY(arr) && i < arr->u.array.len; i++) {
		yajl_val ns = arr->u.array.values[i];
		const char *type = json_get_str(ns, "type");
		if (type && !strcmp(type, "network")) {
			had_net = true;
			if (!f->netns)
				continue; /* host mode: no network namespace of its own */
			buf_printf(b, "%s{\"type\":\"network\",\"path\":", first ? "" : ",");
			buf_json_str(b, f->netns);
			buf_put(b, "}", 1);
		} else {
			if (!first)
				buf_put(b, ",", 1);
			emit(b, ns);
		}
		first = false;
	}
	if (!had_net && f->netns) {
		buf_printf(b, "%s{\"type\":\"network\",\"path\":", first ? "" : ",");
		buf_json_str(b, f->netns);
		buf_put(b, "}", 1);
	}
	buf_put(b, "]", 1);
}

static void emit_mounts(struct buf *b, yajl_val arr, const struct spec_fill *f)
{
	buf_put(b, "[", 1);
	for (size_t i = 0; YAJL_IS_ARRAY(arr) && i < arr->u.array.len; i++) {
		emit(b, arr->u.array.values[i]);
		buf_put(b, ",", 1);
	}
	/* The agent's files, rewritten in place by setHosts. */
	const char *files[] = { "hosts", "hostname" };
	for (int i = 0; i < 2; i++) {
		buf_printf(b, "%s{\"destination\":\"/etc/%s\",\"type\":\"bind\",\"source\":\"%s/%s\",\"options\":[\"rbind\",\"rw\"]}", i ? "," : "", files[i], f->dir, files[i]);
	}
	buf_put(b, "]", 1);
}

static void emit(struct buf *b, yajl_val v)
{
	if (YAJL_IS_OBJECT(v)) {
		buf_put(b, "{", 1);
		for (size_t i = 0; i < v->u.object.len; i++) {
			if (i)
				buf_put(b, ",", 1);
			buf_json_str(b, v->u.object.keys[i]);
			buf_put(b, ":", 1);
			emit(b, v->u.object.values[i]);
		}
		buf_put(b, "}", 1);
	} else if (YAJL_IS_ARRAY(v)) {
		buf_put(b, "[", 1);
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				buf_put(b, ",", 1);
			emit(b, v->u.array.values[i]);
		}
		buf_put(b, "]", 1);
	} else if (YAJL_IS_STRING(v)) {
		buf_json_str(b, v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		buf_printf(b, "%s", v->u.number.r);
	} else if (YAJL_IS_TRUE(v)) {
		buf_printf(b, "true");
	} else if (YAJL_IS_FALSE(v)) {
		buf_printf(b, "false");
	} else {
		buf_printf(b, "null");
	}
}

static void emit_spec(struct buf *b, yajl_val spec, const struct spec_fill *f)
{
	buf_put(b, "{", 1);
	bool first = true, had_mounts = false;
	for (size_t i = 0; YAJL_IS_OBJECT(spec) && i < spec->u.object.len; i++) {
		const char *k = spec->u.object.keys[i];
		yajl_val v = spec->u.object.values[i];
		if (!strcmp(k, "root"))
			continue;
		if (!first)
			buf_put(b, ",", 1);
		first = false;
		buf_json_str(b, k);
		buf_put(b, ":", 1);
		if (!strcmp(k, "mounts")) {
			had_mounts = true;
			emit_mounts(b, v, f);
		} else if (!strcmp(k, "linux") && YAJL_IS_OBJECT(v)) {
			buf_put(b, "{", 1);
			bool had_ns = false;
			for (size_t j = 0; j < v->u.object.len; j++) {
				if (j)
					buf_put(b, ",", 1);
				buf_json_str(b, v->u.object.keys[j]);
				buf_put(b, ":", 1);
				if (!strcmp(v->u.object.keys[j], "namespaces")) {
					had_ns = true;
					emit_namespaces(b, v->u.object.values[j], f);
				} else
					emit(b, v->u.object.values[j]);
			}
			if (!had_ns) {
				buf_printf(b, "%s\"namespaces\":", v->u.object.len ? "," : "");
				emit_namespaces(b, NULL, f);
			}
			buf_put(b, "}", 1);
		} else
			emit(b, v);
	}
	if (!had_mounts) {
		buf_printf(b, "%s\"mounts\":", first ? "" : ",");
		emit_mounts(b, NULL, f);
		first = false;
	}
	/* The overlay is ours to name; whether it is read-only is the daemon's
	 * (docker run --read-only). */
	bool readonly = json_get_bool(json_get(spec, "root"), "readonly");
	buf_printf(b, "%s\"root\":{\"path\":", first ? "" : ",");
	buf_json_str(b, f->rootfs);
	buf_printf(b, ",\"readonly\":%s}}", readonly ? "true" : "false");
}

/* ---- running nsrun ---- */

/* Starts nsrun with the given stdio (-1: /dev/null); returns its pid. */
static pid_t spawn(char *const argv[], int in, int out, int err, bool setctty)
{
	pid_t pid = fork();
	if (pid < 0) {
		fail_errno("fork %s", argv[0]);
		return -1;
	}
	if (pid == 0) {
		child_reset_signals();
		int null = open("/dev/null", O_RDWR);
		dup2(in >= 0 ? in : null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(err >= 0 ? err : null, 2);
		if (setctty) {
			setsid();
			ioctl(0, TIOCSCTTY, 0);
		}
		execvp(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int wait_for(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno("waitpid %d", (int)pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs `nsrun …` to completion; on failure errbuf gets what it printed. */
static int nsrun(char *const argv[], struct buf *out)
{
	struct buf o = { 0 };
	int st = run_cmd(argv, &o);
	if (st != 0) {
		char *text = buf_cstr(&o);
		size_t n = strlen(text);
		while (n && text[n - 1] == '\n')
			text[--n] = 0;
		if (st > 0)
			fail("%s %s: %s", argv[0], argv[1], n ? text : "failed");
	}
	if (out && st == 0)
		buf_put(out, buf_data(&o), o.len);
	buf_free(&o);
	return st == 0 ? 0 : -1;
}

/* Receives the pty master that `nsrun create --console-socket` sends. */
static int recv_fd(int sock)
{
	char data[64];
	struct iovec iov = { data, sizeof data };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof cm.buf };
	if (recvmsg(sock, &msg, 0) < 0)
		return fail_errno("recvmsg console socket");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return fail("console socket: no fd received");
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* Frees what a run holds (the root mount, the netns and veth, the address,
 * the bundle's files) and keeps upper/ and work/: the container's files stay
 * for diff, and for the next createContainer of this id, until delete. */
static void container_release(struct container *c)
{
	char path[512];
	snprintf(path, sizeof path, "%s/rootfs", c->dir);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		logmsg("umount %s: %s", path, strerror(errno));
	for (int i = 0; i < MAX_EXTRA_NETWORKS; i++)
		if (c->extra[i].network[0])
			net_unplug(c->id, i + 1, c->extra[i].network, c->extra[i].ip);
	net_detach(c->id, c->network, c->ip);
	const char *files[] = { "config.json", "pid", "hosts", "hostname", "console.sock" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", c->dir, files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			logmsg("unlink %s: %s", path, strerror(errno));
	}
}

static void container_cleanup(struct container *c)
{
	container_release(c);
	if (rm_rf(c->dir) < 0)
		logmsg("%s", errbuf);
}

static int read_pid(struct container *c);
static pid_t parent_of(pid_t pid);

/* createContainer, and runContainer (create and start at once: one
 * `nsrun run --detach` instead of `nsrun create` then `nsrun start`,
 * as containerd can ask runc for `run -d`). */
static void create_container(struct stream *s, yajl_val p, bool start)
{
	const char *id = json_get_str(p, "id");
	yajl_val layers = json_get(p, "layers"), net = json_get(p, "network"), spec = json_get(p, "spec");
	if (!valid_name(id)) {
		fail("createContainer: not a valid id");
		return reply_err_end(s);
	}
	if (find_container(id)) {
		fail("container %s exists", id);
		return reply_err_end(s);
	}
	struct container *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	snprintf(c->id, sizeof c->id, "%s", id);
	snprintf(c->dir, sizeof c->dir, STATE_DIR "/containers/%s", id);
	/* nsrun's rule: linux.cgroupsPath below the root, else nsrun/<id>. */
	const char *cgp = json_get_str(json_get(spec, "linux"), "cgroupsPath");
	while (cgp && *cgp == '/')
		cgp++;
	if (cgp && *cgp)
		snprintf(c->cgroup, sizeof c->cgroup, "/sys/fs/cgroup/%s", cgp);
	else
		snprintf(c->cgroup, sizeof c->cgroup, "/sys/fs/cgroup/nsrun/%s", id);
	c->tty = json_get_bool(p, "tty");
	bool open_stdin = json_get_bool(p, "openStdin");
	const char *mode = json_get_str(net, "mode");
	if (!mode)
		mode = "none";
	char rootfs[512], upper[512], work[512], lower_empty[512], path[600];
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", c->dir);
	snprintf(upper, sizeof upper, "%s/upper", c->dir);
	snprintf(work, sizeof work, "%s/work", c->dir);
	snprintf(lower_empty, sizeof lower_empty, "%s/empty", c->dir);
	struct buf opts = { 0 }, cfg = { 0 };
	char ip[16] = "", gw[16] = "", mac[18] = "", netns[300];
	int in_p[2] = { -1, -1 }, out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 }, console = -1, master = -1;
	/* A container run before (and released, not deleted) keeps its upper
	 * dir: it is mounted again, and a failure here must not remove it. */
	struct stat kept;
	bool existed = stat(upper, &kept) == 0;

	if (mkdir_p(rootfs, 0755) < 0 || mkdir_p(upper, 0755) < 0 || mkdir_p(work, 0700) < 0 || mkdir_p(lower_empty, 0755) < 0)
		goto fail;
	/* lowerdir lists the top layer first; layers come lowest first. */
	buf_printf(&opts, "lowerdir=");
	size_t nl = YAJL_IS_ARRAY(layers) ? layers->u.array.len : 0;
	for (size_t i = nl; i-- > 0;) {
		char dir[256];
		yajl_val l = layers->u.array.values[i];
		if (layer_dir(YAJL_IS_STRING(l) ? l->u.string : NULL, dir, sizeof dir) < 0)
			goto fail;
		struct stat st;
		if (stat(dir, &st) < 0) {
			fail_errno("layer %s", dir);
			goto fail;
		}
		buf_printf(&opts, "%s%s", i == nl - 1 ? "" : ":", dir);
	}
	if (!nl)
		buf_printf(&opts, "%s", lower_empty);
	buf_printf(&opts, ",upperdir=%s,workdir=%s", upper, work);
	if (mount("overlay", rootfs, "overlay", 0, buf_cstr(&opts)) < 0) {
		fail_errno("mount overlay %s", rootfs);
		goto fail;
	}

	const char *hosts = json_get_str(p, "hosts"), *hostname = json_get_str(p, "hostname");
	snprintf(path, sizeof path, "%s/hosts", c->dir);
	if (write_file(path, hosts ? hosts : "", hosts ? strlen(hosts) : 0, 0644) < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/hostname", c->dir);
	char hn[300];
	int hl = snprintf(hn, sizeof hn, "%s\n", hostname ? hostname : c->id);
	if (write_file(path, hn, (size_t)hl, 0644) < 0)
		goto fail;

	bool host_net = !strcmp(mode, "host");
	snprintf(netns, sizeof netns, "/run/netns/%s", c->id);
	if (!host_net) {
		if (net_netns_create(c->id) < 0)
			goto fail;
		if (!strcmp(mode, "bridge")) {
			const char *name = json_get_str(net, "name");
			snprintf(c->network, sizeof c->network, "%s", name ? name : "bridge");
			if (net_attach(c->id, 0, c->network, json_get_str(net, "ip"), ip, gw, mac) < 0)
				goto fail;
			snprintf(c->ip, sizeof c->ip, "%s", ip);
		}
	}
	struct spec_fill f = { rootfs, host_net ? NULL : netns, c->dir };
	emit_spec(&cfg, spec, &f);
	snprintf(path, sizeof path, "%s/config.json", c->dir);
	if (write_file(path, buf_data(&cfg), cfg.len, 0600) < 0)
		goto fail;

	char pidfile[600], sockpath[600];
	snprintf(pidfile, sizeof pidfile, "%s/pid", c->dir);
	snprintf(sockpath, sizeof sockpath, "%s/console.sock", c->dir);
	if (c->tty) {
		console = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		if (strlen(sockpath) >= sizeof a.sun_path) {
			fail("console socket path too long: %s", sockpath);
			goto fail;
		}
		memcpy(a.sun_path, sockpath, strlen(sockpath) + 1);
		if (console < 0 || bind(console, (struct sockaddr *)&a, sizeof a) < 0 || listen(console, 1) < 0) {
			fail_errno("console socket %s", sockpath);
			goto fail;
		}
		/* nsrun's own complaints (a missing program) still come on stderr. */
		if (pipe2(err_p, O_CLOEXEC) < 0) {
			fail_errno("pipe2");
			goto fail;
		}
	} else {
		/* The container's init inherits these from `nsrun create`. */
		if ((open_stdin && pipe2(in_p, O_CLOEXEC) < 0) || pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) {
			fail_errno("pipe2");
			goto fail;
		}
	}
	char *argv[12];
	int argc = 0;
	argv[argc++] = "nsrun";
	argv[argc++] = start ? "run" : "create";
	if (start)
		argv[argc++] = "--detach";
	argv[argc++] = "--bundle";
	argv[argc++] = c->dir;
	argv[argc++] = "--pid-file";
	argv[argc++] = pidfile;
	if (c->tty) {
		argv[argc++] = "--console-socket";
		argv[argc++] = sockpath;
	}
	argv[argc++] = c->id;
	argv[argc] = NULL;
	pid_t pid = spawn(argv, in_p[0], out_p[1], err_p[1], false);
	if (pid < 0)
		goto fail;
	int st = wait_for(pid);
	if (st != 0) {
		/* nsrun said why on its stderr: our pipe. */
		char msg[800] = "";
		if (err_p[0] >= 0) {
			close(err_p[1]);
			err_p[1] = -1;
			set_nonblock(err_p[0]);
			ssize_t n = read(err_p[0], msg, sizeof msg - 1);
			msg[n > 0 ? n : 0] = 0;
			while (n > 0 && msg[n - 1] == '\n')
				msg[--n] = 0;
		}
		fail("nsrun create %s: %s", c->id, msg[0] ? msg : "failed");
		goto fail;
	}
	if (c->tty) {
		int conn = accept4(console, NULL, NULL, SOCK_CLOEXEC);
		master = conn >= 0 ? recv_fd(conn) : fail_errno("accept console socket");
		if (conn >= 0)
			close(conn);
		if (master < 0)
			goto fail;
		c->io = proc_new(master, dup(master), -1, true);
	} else {
		c->io = proc_new(in_p[1], out_p[0], err_p[0], false);
		in_p[1] = out_p[0] = err_p[0] = -1;
	}
	for (int i = 0; i < 2; i++) {
		if (in_p[i] >= 0)
			close(in_p[i]);
		if (out_p[i] >= 0)
			close(out_p[i]);
		if (err_p[i] >= 0)
			close(err_p[i]);
	}
	if (console >= 0)
		close(console);
	unlink(sockpath);
	c->next = containers;
	containers = c;
	/* nsrun's monitor, the container's parent for its whole life, comes to us
	 * (the subreaper) and exits with the container's status. */
	c->pid = read_pid(c);
	c->monitor = parent_of(c->pid);
	struct buf r = { 0 };
	buf_printf(&r, "{");
	if (ip[0])
		buf_printf(&r, "\"ip\":\"%s\",\"gateway\":\"%s\",\"macAddress\":\"%s\",", ip, gw, mac);
	buf_printf(&r, "\"pid\":%d}", (int)c->pid);
	if (start) {
		c->started = true;
		stream_reply(s, buf_cstr(&r));
		/* Attached after the reply: output DATA follows it. */
		proc_attach(c->io, s);
	} else
		reply_ok_end(s, buf_cstr(&r));
	buf_free(&r);
	buf_free(&opts);
	buf_free(&cfg);
	return;

fail:;
	char saved[sizeof errbuf];
	memcpy(saved, errbuf, sizeof saved);
	for (int i = 0; i < 2; i++) {
		if (in_p[i] >= 0)
			close(in_p[i]);
		if (out_p[i] >= 0)
			close(out_p[i]);
		if (err_p[i] >= 0)
			close(err_p[i]);
	}
	if (console >= 0)
		close(console);
	/* Leave nothing behind: nsrun's state, the mount, the netns, the files. */
	char *del[] = { "nsrun", "delete", "--force", c->id, NULL };
	run_cmd(del, NULL);
	if (existed)
		container_release(c);
	else
		container_cleanup(c);
	free(c);
	buf_free(&opts);
	buf_free(&cfg);
	memcpy(errbuf, saved, sizeof saved);
	reply_err_end(s);
}

void call_create_container(struct stream *s, yajl_val p) { create_container(s, p, false); }
void call_run_container(struct stream *s, yajl_val p) { create_container(s, p, true); }

/* The parent of pid, from /proc/<pid>/stat (0 if it is gone). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof buf) <= 0)
		return 0;
	/* "pid (comm) state ppid …": comm may hold spaces and parentheses. */
	char *p = strrchr(buf, ')');
	int ppid = 0;
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

static int read_pid(struct container *c)
{
	char path[600];
	snprintf(path, sizeof path, "%s/pid", c->dir);
	FILE *f = fopen(path, "re");
	int pid = 0;
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

void call_start_container(struct stream *s, yajl_val p)
{
	struct container *c = find_container(json_get_str(p, "id"));
	if (!c) {
		fail("no container %s", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)");
		return reply_err_end(s);
	}
	char *argv[] = { "nsrun", "start", c->id, NULL };
	if (nsrun(argv, NULL) < 0)
		return reply_err_end(s);
	c->started = true;
	char r[64];
	snprintf(r, sizeof r, "{\"pid\":%d}", (int)c->pid);
	stream_reply(s, r);
	/* Attached after the reply: output DATA follows it. */
	proc_attach(c->io, s);
}

void call_attach(struct stream *s, yajl_val p)
{
	struct container *c = find_container(json_get_str(p, "id"));
	if (!c) {
		fail("no container %s", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)");
		return reply_err_end(s);
	}
	char r[64];
	snprintf(r, sizeof r, "{\"pid\":%d}", read_pid(c));
	stream_reply(s, r);
	proc_attach(c->io, s);
}

void call_kill(struct stream *s, yajl_val p)
{
	struct container *c = find_container(json_get_str(p, "id"));
	const char *sig = json_get_str(p, "signal");
	if (!c) {
		fail("no container %s", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)");
		return reply_err_end(s);
	}
	char *argv[] = { "nsrun", "kill", c->id, (char *)(sig ? sig : "SIGTERM"), NULL };
	if (nsrun(argv, NULL) < 0)
		return reply_err_end(s);
	reply_ok_end(s, "null");
}

/* Takes the container out of the list and frees its run; true if it was there. */
static bool container_unlist(const char *id)
{
	for (struct container **pp = &containers; *pp; pp = &(*pp)->next) {
		struct container *c = *pp;
		if (strcmp(c->id, id) != 0)
			continue;
		char *argv[] = { "nsrun", "delete", "--force", c->id, NULL };
		if (nsrun(argv, NULL) < 0)
			logmsg("%s", errbuf); /* it may never have been created: go on */
		*pp = c->next;
		proc_free(c->io);
		container_release(c);
		free(c);
		return true;
	}
	return false;
}

void call_release_container(struct stream *s, yajl_val p)
{
	const char *id = json_get_str(p, "id");
	if (!valid_name(id)) {
		fail("releaseContainer: not a valid id");
		return reply_err_end(s);
	}
	/* Nothing running is fine: released already, or never created. */
	container_unlist(id);
	reply_ok_end(s, "null");
}

void call_delete_container(struct stream *s, yajl_val p)
{
	const char *id = json_get_str(p, "id");
	if (!valid_name(id)) {
		fail("deleteContainer: not a valid id");
		return reply_err_end(s);
	}
	container_unlist(id);
	char dir[300], rootfs[320];
	snprintf(dir, sizeof dir, STATE_DIR "/containers/%s", id);
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", dir);
	/* rm_rf must not walk into a mount that outlived its run. */
	if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		fail_errno("umount %s", rootfs);
		return reply_err_end(s);
	}
	if (rm_rf(dir) < 0)
		return reply_err_end(s);
	reply_ok_end(s, "null");
}

/* docker network connect: one more veth into the running container's netns,
 * eth1, eth2…, without a default route (the first network keeps it). */
void call_connect_network(struct stream *s, yajl_val p)
{
	struct container *c = find_container(json_get_str(p, "id"));
	const char *network = json_get_str(p, "network");
	if (!c || !c->network[0]) {
		fail("connectNetwork: no running container %s on a bridge network", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)");
		return reply_err_end(s);
	}
	int slot = -1;
	for (int i = 0; i < MAX_EXTRA_NETWORKS; i++) {
		if (network && !strcmp(c->extra[i].network, network)) {
			fail("container %s is already on network %s", c->id, network);
			return reply_err_end(s);
		}
		if (slot < 0 && !c->extra[i].network[0])
			slot = i;
	}
	if (slot < 0) {
		fail("container %s is on %d networks already", c->id, MAX_EXTRA_NETWORKS + 1);
		return reply_err_end(s);
	}
	char ip[16] = "", gw[16] = "", mac[18] = "";
	if (net_attach(c->id, slot + 1, network, json_get_str(p, "ip"), ip, gw, mac) < 0)
		return reply_err_end(s);
	snprintf(c->extra[slot].network, sizeof c->extra[slot].network, "%s", network);
	snprintf(c->extra[slot].ip, sizeof c->extra[slot].ip, "%s", ip);
	char r[160];
	snprintf(r, sizeof r, "{\"ip\":\"%s\",\"gateway\":\"%s\",\"macAddress\":\"%s\",\"interface\":\"eth%d\"}", ip, gw, mac, slot + 1);
	reply_ok_end(s, r);
}

void call_disconnect_network(struct stream *s, yajl_val p)
{
	struct container *c = find_container(json_get_str(p, "id"));
	const char *network = json_get_str(p, "network");
	for (int i = 0; c && network && i < MAX_EXTRA_NETWORKS; i++) {
		if (strcmp(c->extra[i].network, network) != 0)
			continue;
		net_unplug(c->id, i + 1, c->extra[i].network, c->extra[i].ip);
		c->extra[i].network[0] = c->extra[i].ip[0] = 0;
		return reply_ok_end(s, "null");
	}
	fail("disconnectNetwork: container %s is not on network %s", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)", network ? network : "(missing)");
	reply_err_end(s);
}

/* docker pause: the runtime freezes the container's cgroup (`nsrun pause`,
 * as containerd asks `runc pause`): every process stops (or goes on) at
 * once, which a signal to its init would not do. */
static void freeze(struct stream *s, yajl_val p, bool on)
{
	struct container *c = find_container(json_get_str(p, "id"));
	if (!c || !c->started) {
		fail("%s: no running container %s", on ? "pause" : "unpause", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)");
		return reply_err_end(s);
	}
	char *argv[] = { "nsrun", on ? "pause" : "resume", c->id, NULL };
	if (nsrun(argv, NULL) < 0)
		return reply_err_end(s);
	reply_ok_end(s, "null");
}

int container_root(const char *id, char *out, size_t n)
{
	struct container *c = find_container(id);
	if (!c)
		return 0;
	struct stat st;
	/* /proc/<pid>/root is the container's own view: its volumes and bind mounts too. */
	if (c->started && c->pid > 0 && (size_t)snprintf(out, n, "/proc/%d/root", (int)c->pid) < n && stat(out, &st) == 0)
		return 1;
	return (size_t)snprintf(out, n, "%s/rootfs", c->dir) < n;
}

void call_pause(struct stream *s, yajl_val p) { freeze(s, p, true); }
void call_unpause(struct stream *s, yajl_val p) { freeze(s, p, false); }

void call_top(struct stream *s, yajl_val p)
{
	struct container *c = find_container(json_get_str(p, "id"));
	if (!c) {
		fail("no container %s", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)");
		return reply_err_end(s);
	}
	struct buf out = { 0 };
	char *argv[] = { "nsrun", "ps", c->id, NULL };
	if (nsrun(argv, &out) < 0) {
		buf_free(&out);
		return reply_err_end(s);
	}
	/* First line: titles; each row has as many columns, the last takes the rest. */
	struct buf r = { 0 };
	char *text = buf_cstr(&out), *save = NULL;
	size_t ncols = 0;
	buf_printf(&r, "{\"titles\":[");
	char *line = strtok_r(text, "\n", &save);
	if (line) {
		char *sv2 = NULL;
		for (char *t = strtok_r(line, " \t", &sv2); t; t = strtok_r(NULL, " \t", &sv2)) {
			buf_printf(&r, "%s", ncols++ ? "," : "");
			buf_json_str(&r, t);
		}
	}
	buf_printf(&r, "],\"processes\":[");
	bool firstrow = true;
	while ((line = strtok_r(NULL, "\n", &save))) {
		buf_printf(&r, "%s[", firstrow ? "" : ",");
		firstrow = false;
		char *q = line;
		for (size_t i = 0; i < ncols; i++) {
			while (*q == ' ' || *q == '\t')
				q++;
			char *start = q;
			if (i + 1 < ncols)
				while (*q && *q != ' ' && *q != '\t')
					q++;
			else
				q += strlen(q);
			char save_c = *q;
			*q = 0;
			buf_printf(&r, "%s", i ? "," : "");
			buf_json_str(&r, start);
			*q = save_c;
		}
		buf_printf(&r, "]");
	}
	buf_printf(&r, "]}");
	reply_ok_end(s, buf_cstr(&r));
	buf_free(&r);
	buf_free(&out);
}

void call_set_hosts(struct stream *s, yajl_val p)
{
	struct container *c = find_container(json_get_str(p, "id"));
	const char *content = json_get_str(p, "content");
	if (!c || !content) {
		fail("setHosts: no container %s, or no content", json_get_str(p, "id") ? json_get_str(p, "id") : "(missing)");
		return reply_err_end(s);
	}
	/* Written in place (not renamed over): the bind mount holds this inode. */
	char path[600];
	snprintf(path, sizeof path, "%s/hosts", c->dir);
	if (write_file(path, content, strlen(content), 0644) < 0)
		return reply_err_end(s);
	reply_ok_end(s, "null");
}

void call_exec(struct stream *s, yajl_val p)
{
	const char *id = json_get_str(p, "containerId");
	struct container *c = find_container(id);
	yajl_val args = json_get(p, "args"), env = json_get(p, "env");
	if (!c || !YAJL_IS_ARRAY(args) || !args->u.array.len) {
		fail("exec: no container %s, or no command", id ? id : "(missing)");
		return reply_err_end(s);
	}
	bool tty = json_get_bool(p, "tty"), open_stdin = json_get_bool(p, "openStdin");
	const char *cwd = json_get_str(p, "cwd"), *user = json_get_str(p, "user");
	size_t ne = YAJL_IS_ARRAY(env) ? env->u.array.len : 0, na = args->u.array.len;
	char **argv = calloc(8 + 2 * ne + na + 2, sizeof *argv);
	if (!argv)
		abort();
	size_t k = 0;
	argv[k++] = "nsrun";
	argv[k++] = "exec";
	/* The command needs a pty from the container's own devpts (ours is invisible
	 * there); nsrun makes one and relays it to the pty we hold. */
	if (tty)
		argv[k++] = "-t";
	for (size_t i = 0; i < ne; i++)
		if (YAJL_IS_STRING(env->u.array.values[i])) {
			argv[k++] = "-e";
			argv[k++] = env->u.array.values[i]->u.string;
		}
	if (cwd && *cwd) {
		argv[k++] = "-w";
		argv[k++] = (char *)cwd;
	}
	if (user && *user) {
		argv[k++] = "-u";
		argv[k++] = (char *)user;
	}
	argv[k++] = c->id;
	argv[k++] = "--";
	for (size_t i = 0; i < na; i++)
		argv[k++] = YAJL_IS_STRING(args->u.array.values[i]) ? args->u.array.values[i]->u.string : "";
	argv[k] = NULL;

	int in_p[2] = { -1, -1 }, out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 }, master = -1, slave = -1;
	pid_t pid = -1;
	if (tty) {
		/* Our own pty: nsrun and the command share it as their terminal. */
		if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
			fail_errno("openpty");
		else
			pid = spawn(argv, slave, slave, slave, true);
	} else if ((open_stdin && pipe2(in_p, O_CLOEXEC) < 0) || pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) {
		fail_errno("pipe2");
	} else {
		pid = spawn(argv, in_p[0], out_p[1], err_p[1], false);
	}
	free(argv);
	if (slave >= 0)
		close(slave);
	if (in_p[0] >= 0)
		close(in_p[0]);
	if (out_p[1] >= 0)
		close(out_p[1]);
	if (err_p[1] >= 0)
		close(err_p[1]);
	if (pid < 0) {
		int fds[] = { master, in_p[1], out_p[0], err_p[0] };
		for (int i = 0; i < 4; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return reply_err_end(s);
	}
	struct exec_proc *e = calloc(1, sizeof *e);
	if (!e)
		abort();
	e->pid = pid;
	e->io = tty ? proc_new(master, dup(master), -1, true) : proc_new(in_p[1], out_p[0], err_p[0], false);
	e->next = execs;
	execs = e;
	char r[64];
	snprintf(r, sizeof r, "{\"pid\":%d}", (int)pid);
	stream_reply(s, r);
	proc_attach(e->io, s);
}

/* memory.events counts the OOM killer's kills in the cgroup. */
static bool oom_killed(const char *cgroup)
{
	char path[450], text[512];
	snprintf(path, sizeof path, "%s/memory.events", cgroup);
	if (read_small_file(path, text, sizeof text) <= 0)
		return false;
	char *p = strstr(text, "oom_kill ");
	return p && strtoull(p + strlen("oom_kill "), NULL, 10) > 0;
}

/* A child is gone: an exec's nsrun (its status is the command's), or a
 * container's monitor (its status is the container's). */
void containers_child_exit(pid_t pid, int status)
{
	for (struct exec_proc **pp = &execs; *pp; pp = &(*pp)->next) {
		struct exec_proc *e = *pp;
		if (e->pid != pid)
			continue;
		*pp = e->next;
		proc_set_exit(e->io, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), false, NULL);
		/* The proc stays until its stream is done with it: freed with a leak
		 * guard here for brevity once nothing is attached. */
		free(e);
		return;
	}
	/* The monitor exits with the container's status (the part waitpid on
	 * runc's init plays for containerd's shim); the OOM killer's visit is in
	 * the container's cgroup, still there until nsrun delete. */
	for (struct container *c = containers; c; c = c->next) {
		if (c->monitor != pid || !c->started || proc_exited(c->io))
			continue;
		if (!WIFEXITED(status))
			break; /* the monitor itself was killed: ask nsrun below */
		proc_set_exit(c->io, WEXITSTATUS(status), oom_killed(c->cgroup), NULL);
		return;
	}
	for (struct container *c = containers; c; c = c->next) {
		if (!c->started || proc_exited(c->io))
			continue;
		struct buf out = { 0 };
		char *argv[] = { "nsrun", "state", c->id, NULL };
		if (nsrun(argv, &out) == 0) {
			char err[128];
			yajl_val st = yajl_tree_parse(buf_cstr(&out), err, sizeof err);
			const char *stv = json_get_str(st, "status");
			if (stv && !strcmp(stv, "stopped"))
				proc_set_exit(c->io, (int)json_get_int(st, "exitStatus", -1), json_get_bool(st, "oomKilled"), NULL);
			yajl_tree_free(st);
		}
		buf_free(&out);
	}
}
