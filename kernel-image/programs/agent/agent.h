/* The slipway guest agent: what containerd, its shim, libnetwork and
 * docker-proxy do under Docker, in one event-driven process. It talks to the
 * engine daemon (JS, outside the VM) over one multiplexed TCP link; see
 * worker/link/link-protocol.md for the frames. */
#ifndef AGENT_H
#define AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#define LINK_PORT 6986
#define STATE_DIR "/var/lib/slipway"
#define MAX_DATA (64 * 1024)
#define WINDOW (256 * 1024)

/* ---- errors (util.c): the message of the last failure, with its syscall and path ---- */
extern char errbuf[1024];
extern int errnum; /* the errno behind errbuf, 0 if none: the reply's "code" */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- growable byte buffer (util.c) ---- */
struct buf {
	uint8_t *p;
	size_t off, len, cap; /* live bytes are p[off .. off+len) */
};
void buf_put(struct buf *b, const void *data, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_json_str(struct buf *b, const char *s); /* a quoted, escaped JSON string */
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);
static inline uint8_t *buf_data(struct buf *b) { return b->p + b->off; }
char *buf_cstr(struct buf *b); /* NUL-terminates in place */

/* Writes what it can of b to a non-blocking fd; returns bytes written or -1 (errno). */
ssize_t buf_write_fd(struct buf *b, int fd);

/* ---- misc (util.c) ---- */
int set_nonblock(int fd);
void child_reset_signals(void); /* in a forked child, before exec */
int mkdir_p(const char *path, mode_t mode);
int rm_rf(const char *path);
int write_file(const char *path, const void *data, size_t n, mode_t mode);
/* A small file (a /proc or cgroup one) into buf, NUL-terminated: its length, or -1. */
ssize_t read_small_file(const char *path, char *buf, size_t n);
/* Runs argv, waits, collects stdout+stderr into out (may be NULL). Returns the exit status or -1. */
int run_cmd(char *const argv[], struct buf *out);
/* In a forked child: closes every fd from 3 up but these two. */
int keep_only_fds(int a, int b);
const char *json_get_str(yajl_val v, const char *key);
long long json_get_int(yajl_val v, const char *key, long long dflt);
bool json_get_bool(yajl_val v, const char *key);
yajl_val json_get(yajl_val v, const char *key);
bool valid_name(const char *s); /* safe as one path component */

/* ---- event loop (main.c) ---- */
struct watch {
	int fd;
	uint32_t events;
	void (*fn)(struct watch *w, uint32_t events);
	void *ctx;
};
int watch_add(struct watch *w, int fd, uint32_t events, void (*fn)(struct watch *, uint32_t), void *ctx);
void watch_set(struct watch *w, uint32_t events); /* change the events waited for */
void watch_del(struct watch *w);                  /* stops watching; does not close */
/* Called with each child reaped by the agent (it is a subreaper). */
void on_child_exit(pid_t pid, int status);
/* free() once the current epoll batch is handled (its watch may be in it). */
void defer_free(void *p);

/* ---- the link (link.c) ---- */
enum frame_type { F_HELLO = 1, F_OPEN, F_DATA, F_END, F_CALL, F_REPLY, F_CREDIT, F_RESET, F_EVENT };

struct stream;
struct stream_ops {
	void (*data)(struct stream *s, const uint8_t *p, size_t n); /* must stream_credit() as consumed */
	void (*end)(struct stream *s);
	void (*event)(struct stream *s, yajl_val ev);
	void (*credit)(struct stream *s); /* more may be sent now */
	void (*closed)(struct stream *s); /* the stream is gone: drop pointers to it */
};
struct stream {
	uint32_t id;
	const struct stream_ops *ops;
	void *ctx;
	uint32_t credit; /* DATA bytes we may still send */
	bool sent_end, got_end, reply_pending, finished;
};

int link_init(void);
/* Sends DATA; n must be ≤ s->credit. prefix >= 0 puts one byte (an fd number) first. */
void stream_data(struct stream *s, int prefix, const void *p, size_t n);
void stream_end(struct stream *s);
void stream_reset(struct stream *s, const char *reason);
void stream_reply(struct stream *s, const char *result_json); /* {"result": …} */
void stream_reply_error(struct stream *s, const char *message);
/* The usual end of a CALL that returns nothing: null, or errbuf when r < 0. */
void stream_reply_done(struct stream *s, int r);
void stream_event(struct stream *s, const char *json);
void stream_credit(struct stream *s, size_t consumed);
struct stream *stream_open(const char *header_json, const struct stream_ops *ops, void *ctx);
bool link_up(void);

/* A CALL handler replies (stream_reply + stream_end) or takes the stream over. */
typedef void (*call_fn)(struct stream *s, yajl_val params);
call_fn find_call(const char *method);

/* ---- a child at one end of a call's stream (child_stream.c) ----
 * input false: the child writes fd, which becomes DATA (REPLY null first;
 * RESET with the child's error). input true: DATA is the child's fd; the
 * REPLY is what it wrote to res_fd, or its error. fn runs in the child and
 * returns -1 with errbuf/errnum set. On -1 here, nothing was started. */
int child_stream_start(struct stream *s, bool input, int (*fn)(int fd, int res_fd, void *arg), void *arg);
bool child_stream_exit(pid_t pid, int status);

/* ---- a byte relay between a stream and an fd (relay.c): api, dial ---- */
void relay_start(struct stream *s, int fd);

/* ---- concerns ---- */
void call_has_layer(struct stream *s, yajl_val p);
void call_put_layer(struct stream *s, yajl_val p);
void call_remove_layer(struct stream *s, yajl_val p);
int layer_dir(const char *diff_id, char *out, size_t n);
bool layers_child_exit(pid_t pid, int status);

void call_create_container(struct stream *s, yajl_val p);
void call_run_container(struct stream *s, yajl_val p);
void call_connect_network(struct stream *s, yajl_val p);
void call_disconnect_network(struct stream *s, yajl_val p);
void call_start_container(struct stream *s, yajl_val p);
void call_attach(struct stream *s, yajl_val p);
void call_kill(struct stream *s, yajl_val p);
void call_release_container(struct stream *s, yajl_val p);
void call_delete_container(struct stream *s, yajl_val p);
void call_pause(struct stream *s, yajl_val p);
void call_unpause(struct stream *s, yajl_val p);
void call_top(struct stream *s, yajl_val p);
void call_diff(struct stream *s, yajl_val p); /* diff.c */
void call_stat_path(struct stream *s, yajl_val p); /* archive.c: docker cp */
void call_get_archive(struct stream *s, yajl_val p);
void call_put_archive(struct stream *s, yajl_val p);
/* The container's root as the agent sees it, for docker cp: its first
 * process's root while it runs, else its mounted rootfs; 0 if it has no run. */
int container_root(const char *id, char *out, size_t n);
void call_run(struct stream *s, yajl_val p); /* run.c */
bool run_child_exit(pid_t pid, int status);
void call_set_hosts(struct stream *s, yajl_val p);
void call_exec(struct stream *s, yajl_val p);
void containers_child_exit(pid_t pid, int status);

/* stdio.c: a process's stdio held by the agent */
struct proc;
struct proc *proc_new(int in_fd, int out_fd, int err_fd, bool tty);
void proc_attach(struct proc *pr, struct stream *s);
void proc_set_exit(struct proc *pr, int status, bool oom, const char *error);
bool proc_exited(struct proc *pr);
void proc_free(struct proc *pr);

void call_create_network(struct stream *s, yajl_val p);
void call_remove_network(struct stream *s, yajl_val p);
int net_init(void);
/* Container side of networking: netns at /run/netns/<id>, veth on the named bridge. */
/* Plugs the container's netns into a network as eth<slot> (slot 0: the first
 * network, which gets the default route). */
int net_attach(const char *id, int slot, const char *network, const char *want_ip, char *ip, char *gw, char *mac);
/* Unplugs eth<slot> and frees its address. */
void net_unplug(const char *id, int slot, const char *network, const char *ip);
int net_netns_create(const char *id);
void net_detach(const char *id, const char *network, const char *ip);

void call_publish_port(struct stream *s, yajl_val p);
void call_unpublish_port(struct stream *s, yajl_val p);
void call_dial(struct stream *s, yajl_val p);
/* udp_proxy.c: the UDP side of published ports */
struct sockaddr_in;
int udp_port_open(const struct sockaddr_in *bind_addr, int host_port, const struct sockaddr_in *target);
int udp_port_close(int host_port);

int api_relay_init(void);

void call_create_volume(struct stream *s, yajl_val p);
void call_remove_volume(struct stream *s, yajl_val p);

#endif
