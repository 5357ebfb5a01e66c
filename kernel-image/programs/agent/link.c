/* The link to the engine daemon: one TCP connection carrying frames
 * (u32 stream, u8 type, u32 length, payload; big-endian), multiplexed into
 * streams with per-stream credit. See worker/link/link-protocol.md. */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEADER 9
#define MAX_PAYLOAD (1 << 20)

static struct watch listen_w = { .fd = -1 };
static struct watch conn_w = { .fd = -1 };
static struct buf in, out;
static struct stream **streams;
static size_t n_streams, cap_streams;
static uint32_t next_id = 2; /* ours are even */

bool link_up(void) { return conn_w.fd >= 0; }

static void conn_flush(void)
{
	if (conn_w.fd < 0)
		return;
	if (buf_write_fd(&out, conn_w.fd) < 0) {
		logmsg("link: write: %s", strerror(errno));
		return; /* the read side sees the error and drops the link */
	}
	watch_set(&conn_w, EPOLLIN | (out.len ? EPOLLOUT : 0));
}

static void send_frame(uint32_t id, uint8_t type, int prefix, const void *p, size_t n)
{
	if (conn_w.fd < 0)
		return;
	uint8_t h[HEADER + 1];
	size_t total = n + (prefix >= 0);
	h[0] = id >> 24, h[1] = id >> 16, h[2] = id >> 8, h[3] = id;
	h[4] = type;
	h[5] = total >> 24, h[6] = total >> 16, h[7] = total >> 8, h[8] = total;
	h[9] = (uint8_t)prefix;
	buf_put(&out, h, HEADER + (prefix >= 0));
	buf_put(&out, p, n);
	/* Writing at once keeps latency low; EAGAIN leaves the rest for EPOLLOUT. */
	conn_flush();
}

static struct stream *find_stream(uint32_t id)
{
	for (size_t i = 0; i < n_streams; i++)
		if (streams[i]->id == id)
			return streams[i];
	return NULL;
}

static void unary_data(struct stream *s, const uint8_t *p, size_t n)
{
	(void)p;
	stream_credit(s, n);
}

/* Streams nobody has taken over (unary calls) ignore what comes. */
static const struct stream_ops unary_ops = { .data = unary_data };

static struct stream *stream_new(uint32_t id)
{
	struct stream *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->id = id;
	s->ops = &unary_ops;
	s->credit = WINDOW;
	if (n_streams == cap_streams) {
		cap_streams = cap_streams ? cap_streams * 2 : 64;
		streams = realloc(streams, cap_streams * sizeof *streams);
		if (!streams)
			abort();
	}
	streams[n_streams++] = s;
	return s;
}

static void stream_finish(struct stream *s)
{
	if (s->finished)
		return;
	s->finished = true;
	for (size_t i = 0; i < n_streams; i++)
		if (streams[i] == s) {
			streams[i] = streams[--n_streams];
			break;
		}
	if (s->ops->closed)
		s->ops->closed(s);
	defer_free(s);
}

static void maybe_done(struct stream *s)
{
	if (s->sent_end && s->got_end && !s->reply_pending)
		stream_finish(s);
}

void stream_data(struct stream *s, int prefix, const void *p, size_t n)
{
	if (s->finished || s->sent_end)
		return;
	size_t total = n + (prefix >= 0);
	s->credit = total > s->credit ? 0 : s->credit - (uint32_t)total;
	send_frame(s->id, F_DATA, prefix, p, n);
}

void stream_end(struct stream *s)
{
	if (s->finished || s->sent_end)
		return;
	s->sent_end = true;
	send_frame(s->id, F_END, -1, NULL, 0);
	maybe_done(s);
}

void stream_reset(struct stream *s, const char *reason)
{
	if (s->finished)
		return;
	send_frame(s->id, F_RESET, -1, reason, reason ? strlen(reason) : 0);
	stream_finish(s);
}

void stream_reply(struct stream *s, const char *result_json)
{
	if (s->finished || !s->reply_pending)
		return;
	struct buf b = { 0 };
	buf_printf(&b, "{\"result\":%s}", result_json ? result_json : "null");
	s->reply_pending = false;
	send_frame(s->id, F_REPLY, -1, buf_data(&b), b.len);
	buf_free(&b);
	maybe_done(s);
}

void stream_reply_done(struct stream *s, int r)
{
	if (r < 0)
		stream_reply_error(s, errbuf);
	else
		stream_reply(s, "null");
	stream_end(s);
}

void stream_reply_error(struct stream *s, const char *message)
{
	if (s->finished || !s->reply_pending)
		return;
	struct buf b = { 0 };
	buf_printf(&b, "{\"error\":{\"message\":");
	buf_json_str(&b, message);
	/* The errno's name (EADDRINUSE…) when the message is errbuf's. */
	if (message == errbuf && errnum && strerrorname_np(errnum))
		buf_printf(&b, ",\"code\":\"%s\"", strerrorname_np(errnum));
	buf_printf(&b, "}}");
	s->reply_pending = false;
	send_frame(s->id, F_REPLY, -1, buf_data(&b), b.len);
	buf_free(&b);
	maybe_done(s);
}

void stream_event(struct stream *s, const char *json)
{
	if (!s->finished)
		send_frame(s->id, F_EVENT, -1, json, strlen(json));
}

void stream_credit(struct stream *s, size_t consumed)
{
	if (s->finished || !consumed)
		return;
	uint8_t b[4] = { consumed >> 24, consumed >> 16, consumed >> 8, consumed };
	send_frame(s->id, F_CREDIT, -1, b, 4);
}

struct stream *stream_open(const char *header_json, const struct stream_ops *ops, void *ctx)
{
	if (conn_w.fd < 0)
		return NULL;
	while (find_stream(next_id))
		next_id += 2;
	struct stream *s = stream_new(next_id);
	next_id = next_id >= 0xfffffffc ? 2 : next_id + 2;
	if (ops)
		s->ops = ops;
	s->ctx = ctx;
	send_frame(s->id, F_OPEN, -1, header_json, strlen(header_json));
	return s;
}

/* ---- the echo call: what tests and the bench measure the link with ---- */
struct echo {
	struct buf pending; /* bytes received, not yet sent back for want of credit */
};

static void echo_pump(struct stream *s)
{
	struct echo *e = s->ctx;
	while (e->pending.len && s->credit) {
		size_t n = e->pending.len;
		if (n > s->credit)
			n = s->credit;
		if (n > MAX_DATA)
			n = MAX_DATA;
		stream_data(s, -1, buf_data(&e->pending), n);
		buf_consume(&e->pending, n);
		/* Credit back only what left again: the window bounds our buffer. */
		stream_credit(s, n);
	}
	if (!e->pending.len && s->got_end)
		stream_end(s);
}

static void echo_data(struct stream *s, const uint8_t *p, size_t n)
{
	buf_put(&((struct echo *)s->ctx)->pending, p, n);
	echo_pump(s);
}

static void echo_closed(struct stream *s)
{
	struct echo *e = s->ctx;
	buf_free(&e->pending);
	free(e);
}

static const struct stream_ops echo_ops = { .data = echo_data, .end = echo_pump, .credit = echo_pump, .closed = echo_closed };

static void call_echo(struct stream *s, yajl_val p)
{
	(void)p;
	s->ctx = calloc(1, sizeof(struct echo));
	s->ops = &echo_ops;
	stream_reply(s, "null");
}

/* ---- sink and source: one-way byte counts and sha256, for tests and the bench ---- */
struct counted {
	struct sha256_ctx sha;
	unsigned long long size, left;
	uint32_t x; /* xorshift state: cheap bytes for the source */
	bool raw;   /* the bench: no hashing, no fresh bytes, just the transport */
};

static void sha_hex(struct sha256_ctx *sha, char out[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_digest(sha, sizeof d, d);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void sink_data(struct stream *s, const uint8_t *p, size_t n)
{
	struct counted *c = s->ctx;
	if (!c->raw)
		sha256_update(&c->sha, n, p);
	c->size += n;
	stream_credit(s, n);
}

static void sink_end(struct stream *s)
{
	struct counted *c = s->ctx;
	char hex[65], r[160];
	sha_hex(&c->sha, hex);
	snprintf(r, sizeof r, "{\"size\":%llu,\"sha256\":\"%s\"}", c->size, hex);
	stream_reply(s, r);
	stream_end(s);
}

static void counted_closed(struct stream *s)
{
	free(s->ctx);
}

static const struct stream_ops sink_ops = { .data = sink_data, .end = sink_end, .closed = counted_closed };

static void source_pump(struct stream *s)
{
	struct counted *c = s->ctx;
	static uint8_t chunk[MAX_DATA];
	while (c->left && s->credit) {
		size_t n = c->left < MAX_DATA ? (size_t)c->left : MAX_DATA;
		if (n > s->credit)
			n = s->credit;
		for (size_t i = 0; i < n && !c->raw; i++) {
			c->x ^= c->x << 13, c->x ^= c->x >> 17, c->x ^= c->x << 5;
			chunk[i] = (uint8_t)c->x;
		}
		if (!c->raw)
			sha256_update(&c->sha, n, chunk);
		stream_data(s, -1, chunk, n);
		c->left -= n;
	}
	if (!c->left && !s->sent_end) {
		char hex[65], ev[120];
		sha_hex(&c->sha, hex);
		snprintf(ev, sizeof ev, "{\"sha256\":\"%s\"}", hex);
		stream_event(s, ev);
		stream_end(s);
	}
}

static const struct stream_ops source_ops = { .data = unary_data, .credit = source_pump, .closed = counted_closed };

static void call_counted(struct stream *s, yajl_val p, bool source)
{
	struct counted *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	sha256_init(&c->sha);
	c->x = 2463534242u;
	c->raw = json_get_bool(p, "raw");
	s->ctx = c;
	s->ops = source ? &source_ops : &sink_ops;
	if (source) {
		long long n = json_get_int(p, "size", 0);
		c->left = n > 0 ? (unsigned long long)n : 0;
		stream_reply(s, "null");
		source_pump(s);
	}
}

static void call_sink(struct stream *s, yajl_val p) { call_counted(s, p, false); }
static void call_source(struct stream *s, yajl_val p) { call_counted(s, p, true); }

static const struct {
	const char *name;
	call_fn fn;
} calls[] = {
	{ "echo", call_echo },
	{ "sink", call_sink },
	{ "source", call_source },
	{ "hasLayer", call_has_layer },
	{ "putLayer", call_put_layer },
	{ "removeLayer", call_remove_layer },
	{ "createContainer", call_create_container },
	{ "startContainer", call_start_container },
	{ "runContainer", call_run_container },
	{ "connectNetwork", call_connect_network },
	{ "disconnectNetwork", call_disconnect_network },
	{ "attach", call_attach },
	{ "kill", call_kill },
	{ "releaseContainer", call_release_container },
	{ "deleteContainer", call_delete_container },
	{ "pause", call_pause },
	{ "unpause", call_unpause },
	{ "run", call_run },
	{ "top", call_top },
	{ "diff", call_diff },
	{ "statPath", call_stat_path },
	{ "getArchive", call_get_archive },
	{ "putArchive", call_put_archive },
	{ "setHosts", call_set_hosts },
	{ "exec", call_exec },
	{ "createNetwork", call_create_network },
	{ "removeNetwork", call_remove_network },
	{ "publishPort", call_publish_port },
	{ "unpublishPort", call_unpublish_port },
	{ "dial", call_dial },
	{ "createVolume", call_create_volume },
	{ "removeVolume", call_remove_volume },
};

call_fn find_call(const char *method)
{
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (!strcmp(calls[i].name, method))
			return calls[i].fn;
	return NULL;
}

static void on_call(uint32_t id, const uint8_t *p, size_t n)
{
	if (find_stream(id) || id % 2 == 0) {
		send_frame(id, F_RESET, -1, "bad stream id", 13);
		return;
	}
	struct stream *s = stream_new(id);
	s->reply_pending = true;
	char *text = malloc(n + 1);
	if (!text)
		abort();
	memcpy(text, p, n);
	text[n] = 0;
	char err[256];
	yajl_val root = yajl_tree_parse(text, err, sizeof err);
	free(text);
	const char *method = json_get_str(root, "method");
	call_fn fn = method ? find_call(method) : NULL;
	if (!fn) {
		char msg[300];
		snprintf(msg, sizeof msg, root ? "unknown method %s" : "CALL: invalid JSON: %s", root ? (method ? method : "(none)") : err);
		stream_reply_error(s, msg);
		stream_end(s);
	} else {
		errbuf[0] = 0;
		fn(s, json_get(root, "params"));
	}
	yajl_tree_free(root);
}

static void drop_link(const char *why)
{
	if (conn_w.fd < 0)
		return;
	logmsg("link closed: %s", why);
	int fd = conn_w.fd;
	watch_del(&conn_w);
	close(fd);
	buf_free(&in);
	buf_free(&out);
	/* Streams die with the link; their owners (containers) keep running. */
	while (n_streams)
		stream_finish(streams[n_streams - 1]);
}

static void on_frame(uint32_t id, uint8_t type, const uint8_t *p, size_t n)
{
	if (type == F_CALL) {
		on_call(id, p, n);
		return;
	}
	if (id == 0)
		return; /* the daemon's HELLO, link events: nothing to do yet */
	struct stream *s = find_stream(id);
	if (!s)
		return; /* a frame crossing our RESET */
	switch (type) {
	case F_DATA:
		if (!s->got_end && s->ops->data)
			s->ops->data(s, p, n);
		break;
	case F_END:
		if (s->got_end)
			break;
		s->got_end = true;
		if (s->ops->end)
			s->ops->end(s);
		if (!s->finished)
			maybe_done(s);
		break;
	case F_CREDIT:
		if (n == 4) {
			s->credit += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
			if (s->ops->credit)
				s->ops->credit(s);
		}
		break;
	case F_EVENT:
		if (s->ops->event) {
			char *text = strndup((const char *)p, n);
			yajl_val ev = text ? yajl_tree_parse(text, NULL, 0) : NULL;
			free(text);
			if (ev)
				s->ops->event(s, ev);
			yajl_tree_free(ev);
		}
		break;
	case F_RESET:
		stream_finish(s);
		break;
	default:
		break;
	}
}

static void on_conn(struct watch *w, uint32_t events)
{
	if (events & EPOLLOUT)
		conn_flush();
	if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return;
	uint8_t chunk[65536];
	for (;;) {
		ssize_t n = read(w->fd, chunk, sizeof chunk);
		if (n == 0) {
			drop_link("the daemon closed it");
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			char why[128];
			snprintf(why, sizeof why, "read: %s", strerror(errno));
			drop_link(why);
			return;
		}
		/* v86 sends the next segment only once this one is ACKed; Linux
		 * would delay that ACK by up to 40 ms when it has nothing to send
		 * back. Quick ACKs (re-armed after each read) keep the link moving. */
		int one = 1;
		setsockopt(w->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
		buf_put(&in, chunk, (size_t)n);
		/* Handle the frames complete so far; the rest waits for more bytes. */
		while (in.len >= HEADER) {
			const uint8_t *h = buf_data(&in);
			uint32_t id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
			uint32_t len = (uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 8 | h[8];
			if (len > MAX_PAYLOAD || h[4] < F_HELLO || h[4] > F_EVENT) {
				drop_link("protocol error: bad frame header");
				return;
			}
			if (in.len < HEADER + len)
				break;
			int fd = w->fd;
			on_frame(id, h[4], h + HEADER, len);
			if (conn_w.fd != fd)
				return; /* a handler dropped the link */
			buf_consume(&in, HEADER + len);
		}
	}
}

static void on_accept(struct watch *w, uint32_t events)
{
	(void)events;
	int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			logmsg("accept on tcp %d: %s", LINK_PORT, strerror(errno));
		return;
	}
	/* One link at a time: a newer one (a reloaded page) replaces the old. */
	drop_link("replaced by a new connection");
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
	/* v86 ignores the window we advertise and never retransmits: if our
	 * receive buffer ever filled, the link would stall for good. Credit keeps
	 * what is in flight small; a big buffer is the margin. */
	int size = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		logmsg("setsockopt SO_RCVBUFFORCE: %s", strerror(errno));
	if (watch_add(&conn_w, fd, EPOLLIN, on_conn, NULL) < 0) {
		logmsg("%s", errbuf);
		close(fd);
		return;
	}
	logmsg("link connected");
	static const char hello[] = "{\"version\":1,\"agent\":\"slipway-agent\"}";
	send_frame(0, F_HELLO, -1, hello, sizeof hello - 1);
}

int link_init(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno("socket");
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		return fail_errno("setsockopt SO_REUSEADDR");
	/* Set before listen so accepted sockets start with a large window. */
	int size = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		logmsg("setsockopt SO_RCVBUFFORCE: %s", strerror(errno));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(LINK_PORT), .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return fail_errno("bind tcp 0.0.0.0:%d", LINK_PORT);
	if (listen(fd, 4) < 0)
		return fail_errno("listen tcp %d", LINK_PORT);
	return watch_add(&listen_w, fd, EPOLLIN, on_accept, NULL);
}
