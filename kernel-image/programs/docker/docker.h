/* docker: the Docker CLI for the Slipway guest. Shared declarations. */
#ifndef DOCKER_H
#define DOCKER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#define CLIENT_VERSION "28.2.2-slipway"
#define CLIENT_API "1.43"

/* ---- util.c ---- */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int has_prefix(const char *s, const char *p);
ssize_t write_all(int fd, const void *p, size_t n);
const char *go_strerror(int e); /* strerror as Go prints it: "no such file or directory" */

/* A growable byte buffer, always NUL-terminated. */
struct buf {
  char *p;
  size_t len, cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_json_str(struct buf *b, const char *s); /* a quoted, escaped JSON string */
extern int json_html; /* escape < > & as Go's encoder does (default 1) */
void buf_url(struct buf *b, const char *s);      /* percent-encoded query value */
const char *buf_str(struct buf *b);
void buf_free(struct buf *b);

/* ---- errors (main.c) ----
 * How the current command reports errors: run/create/start -a print
 * "docker: <msg>\n\nRun 'docker run --help' for more information" and exit
 * 125; the others print "<msg>" and exit 1. */
extern const char *g_cmd;     /* "run", "network ls", … */
extern int g_err_style_run;  /* 1: the run/create style above */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fail_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* ---- flags.c: pflag semantics over the flag tables in usage.c ---- */
struct usage {
  const char *cmd, *text, *flags;
};
extern const struct usage usages[];
const struct usage *usage_find(const char *cmd);

enum { FLAG_BOOL, FLAG_VALUE, FLAG_LIST };
struct flag {
  char shorthand;
  char name[40];
  char type[16];
  int kind;
  int set;
  int bval;
  char *val;   /* last value */
  char **list; /* every value (FLAG_LIST and FLAG_VALUE) */
  int nlist;
};
struct cmdline {
  const struct usage *u;
  struct flag flags[128];
  int nflags;
  char **args;
  int nargs;
};
/* Parses argv (after the command words). interspersed=0: flags end at the
 * first positional argument (run, create, exec). Prints Docker's message and
 * exits 125 on a bad flag; prints the help text and exits 0 on --help. */
void parse_flags(struct cmdline *cl, const char *cmd, int argc, char **argv, int interspersed);
struct flag *flag_get(struct cmdline *cl, const char *name);
int flag_bool(struct cmdline *cl, const char *name);
const char *flag_str(struct cmdline *cl, const char *name); /* NULL if unset */
int flag_is_set(struct cmdline *cl, const char *name);
char **flag_list(struct cmdline *cl, const char *name, int *n);
/* Argument-count checks with Docker's messages (exit 1). */
void args_exact(struct cmdline *cl, int n);
void args_min(struct cmdline *cl, int n);
void args_range(struct cmdline *cl, int min, int max);
void args_none(struct cmdline *cl);
/* "invalid argument "x" for "-t, --timeout" flag: …" + usage, exit 125 */
void flag_invalid(struct cmdline *cl, const char *name, const char *val, const char *why) __attribute__((noreturn));
/* Typed values of set flags (0 when unset), refused in the real CLI's words. */
long long flag_int(struct cmdline *cl, const char *name);                  /* strconv.ParseInt */
long long flag_ram(struct cmdline *cl, const char *name, int allow_minus1); /* 64m, 1g…; -1 when allowed */
long long flag_nanocpus(struct cmdline *cl, const char *name);             /* --cpus 0.5 -> 500000000 */
void print_usage_line(FILE *f, const struct usage *u);

/* ---- http.c ---- */
struct conn {
  int fd;
  char rbuf[16384];
  size_t rpos, rlen;
};
struct resp {
  struct conn *c;
  int status;
  char content_type[128];
  char api_version[16];
  char path_stat[2048]; /* X-Docker-Container-Path-Stat (base64 JSON), for docker cp */
  long long content_length; /* -1: unknown */
  int chunked;
  long long chunk_left;
  int done;
  int keepalive;
};
int host_connect(const char *host); /* -1 with errno on failure */
int http_send(struct conn *c, const char *method, const char *path, const char *host_hdr, const char *ctype,
              const void *body, size_t blen, int upgrade);
int http_read_head(struct conn *c, struct resp *r); /* 0 ok, -1 error */
ssize_t http_read(struct resp *r, void *p, size_t n); /* body bytes; 0 at end */
char *http_read_all(struct resp *r, size_t *len);
ssize_t conn_read(struct conn *c, void *p, size_t n); /* raw (buffered) read, for hijacked streams */
int http_send_chunked_head(struct conn *c, const char *method, const char *path, const char *host_hdr, const char *ctype);
int http_chunk(struct conn *c, const void *p, size_t n); /* n == 0: the last chunk */

/* ---- api.c ---- */
extern const char *g_host; /* the daemon address: unix:///…, tcp://… */
void api_set_host(const char *h);
const char *api_version(void);
/* A request with a versioned path; exits with "Cannot connect …" when the
 * daemon is unreachable. body may be NULL. The connection is kept alive and
 * reused when the response is read to its end. */
struct resp *api_request(const char *method, const char *path, const char *body);
/* Same, on a fresh connection that is handed over (hijack/stream); upgrade asks for 101. */
struct resp *api_request_new(const char *method, const char *path, const char *body, int upgrade);
void api_release(struct resp *r); /* reads the rest, keeps or closes the connection */
/* An upload: a fresh connection with the head sent; write the body with
 * upload_write (buffered into 32 KiB chunks), then upload_finish for the answer. */
struct upload {
  struct conn *c;
  char buf[32768];
  size_t n;
  long long total; /* bytes written so far */
  int broken;      /* the daemon stopped reading: its answer says why */
};
struct upload *upload_begin(const char *method, const char *path, const char *ctype);
void upload_write(struct upload *u, const void *p, size_t n);
struct resp *upload_finish(struct upload *u);
/* request + read all; returns status, body in *out (NUL-terminated) */
int api_call(const char *method, const char *path, const char *body, char **out);
/* The daemon's error message for a failed call ("No such container: x"). */
char *api_error_message(const char *body);
/* api_call that fails the command with "Error response from daemon: …" on status >= 400. */
char *api_must(const char *method, const char *path, const char *body);
yajl_val api_get_json(const char *path);

/* ---- json.c ---- */
yajl_val json_parse(const char *s);
yajl_val jget(yajl_val v, const char *path); /* dotted path: "State.Status" */
const char *jstr(yajl_val v, const char *path); /* "" when missing or not a string */
long long jint(yajl_val v, const char *path);
double jnum(yajl_val v, const char *path);
int jbool(yajl_val v, const char *path);
size_t jlen(yajl_val v);
yajl_val jidx(yajl_val v, size_t i);
void json_write(struct buf *b, yajl_val v, int indent, int level); /* indent 0: compact */
void json_write_go(struct buf *b, yajl_val v); /* compact, map keys sorted as Go's encoder does */

yajl_val jobj_new(void);                                /* an empty object for --format rows */
void jobj_put(yajl_val o, const char *k, yajl_val v);
void jobj_set(yajl_val o, const char *k, const char *s); /* a string field */
const char *short_id(const char *id, char *out);
char *filters_json(char **f, int n); /* -f k=v … as the API's filters JSON */        /* 12 hex digits, without sha256: (out: 13 bytes) */

/* ---- units.c ---- */
char *time_since(long long t); /* "2 years ago" */
char *time_local(long long t); /* "2024-01-01 00:00:00 +0000 UTC" */
char *human_size(double size, int precision); /* go-units HumanSizeWithPrecision */
char *bytes_size(double size);                /* go-units BytesSize */
char *human_duration(long long seconds);      /* go-units HumanDuration */
int parse_ram(const char *s, long long *out); /* go-units RAMInBytes */
char *go_duration(long long seconds);         /* time.Duration.String for whole seconds */
long long parse_time_rfc3339(const char *s);  /* seconds since the epoch, or -1 */
int display_width(const char *s);
char *ellipsis(const char *s, int max);

/* ---- table.c: text/tabwriter as Docker's formatter uses it (minwidth 10, padding 3) ---- */
struct table {
  int minwidth; /* 0: 10 */
  char ***rows;
  int *ncells;
  int nrows, cap;
};
void table_row(struct table *t, int n, ...);
void table_row_v(struct table *t, char **cells, int n); /* takes the cells */
void table_row_tabs(struct table *t, const char *line);  /* cells split on \t */
void table_print(struct table *t, FILE *f);

/* ---- template.c: a subset of Go's text/template ---- */
/* Returns NULL and sets *err on a parse or execution error. */
char *template_exec(const char *tmpl, yajl_val data, char **err);
/* Formatting for list commands: "table", "table TEMPLATE", "json", "TEMPLATE". */
struct fmt_col {
  const char *field, *header;
};
void format_rows(const char *format, const char *default_table, const struct fmt_col *headers, yajl_val *rows, int n);

/* ---- stdcopy.c ---- */
/* Demultiplexes Docker's 8-byte framed stream incrementally. */
struct stdcopy {
  unsigned char hdr[8];
  int hlen;
  unsigned stream;
  size_t left;
};
int stdcopy_feed(struct stdcopy *s, const char *p, size_t n, int out_fd, int err_fd); /* -1 on write error */

/* ---- tty.c ---- */
int tty_raw(int fd);      /* saves the state; restored by tty_restore/atexit */
void tty_restore(void);
int tty_size(int fd, int *h, int *w);
void tty_watch_resize(const char *resize_path); /* SIGWINCH → POST resize_path?h=&w= */
void tty_resize_now(void);
int tty_resize_pending(void);

/* ---- stream.c: the attached session ---- */
/* Pumps stdin to the connection and the connection to stdout/stderr until
 * the output ends. Returns 0, or 1 when the user detached (Ctrl-P Ctrl-Q). */
int stream_session(struct resp *r, int tty, int send_stdin, int detach_keys);

/* ---- progress.c ---- */
/* Renders a jsonmessage stream; returns the error message (or NULL). */
char *progress_display(struct resp *r, FILE *out, int out_fd);
/* Same, also giving errorDetail.code (0 if none) and the last aux.ID (NULL if none). */
char *progress_display_ex(struct resp *r, FILE *out, int out_fd, int *code, char **aux_id);

/* ---- reference.c ---- */
/* Normalizes a reference: full name ("docker.io/library/busybox"), tag, digest. */
struct ref {
  char name[560];
  char familiar[560];
  char tag[129];
  char digest[160];
};
int ref_parse(const char *s, struct ref *r); /* -1 if invalid */
const char *ref_error(const char *s);         /* why s is invalid, in the CLI's words */

/* ---- tar.c: the tar writer for contexts, .dockerignore ---- */
struct stat;
struct tar_writer {
  void (*write)(void *ctx, const void *p, size_t n);
  void *ctx;
  long long size; /* bytes so far */
};
/* One file system entry (file, directory, symlink; others are skipped) as name. -1 with errno. */
int tar_path(struct tar_writer *w, const char *path, const char *name, const struct stat *st);
void tar_bytes(struct tar_writer *w, const char *name, unsigned mode, long long mtime, const void *p, size_t n);
void tar_end(struct tar_writer *w);
#include <regex.h>
struct ignore_pat {
  char *text;
  regex_t re;
  int exclusion;
};
struct ignore {
  struct ignore_pat *pats;
  int n, has_exclusions;
};
void ignore_load(struct ignore *ig, const char *text);
int ignore_match(const struct ignore *ig, const char *path); /* 1: excluded */
int ignore_may_include_under(const struct ignore *ig, const char *dir);

/* ---- commands ---- */
typedef int (*cmd_fn)(int argc, char **argv);
int cmd_run(int, char **);
int cmd_create(int, char **);
int cmd_start(int, char **);
int cmd_stop(int, char **);
int cmd_restart(int, char **);
int cmd_kill(int, char **);
int cmd_pause(int, char **);
int cmd_unpause(int, char **);
int cmd_diff(int, char **);
int cmd_update(int, char **);
int cmd_stats(int, char **);
int cmd_cp(int, char **);
int cmd_rm(int, char **);
int cmd_ps(int, char **);
int cmd_logs(int, char **);
int cmd_exec(int, char **);
int cmd_attach(int, char **);
int cmd_wait(int, char **);
int cmd_top(int, char **);
int cmd_port(int, char **);
int cmd_rename(int, char **);
int cmd_container_prune(int, char **);
int cmd_images(int, char **);
int cmd_pull(int, char **);
int cmd_push(int, char **);
int cmd_tag(int, char **);
int cmd_rmi(int, char **);
int cmd_history(int, char **);
int cmd_image_prune(int, char **);
int cmd_inspect(int, char **);
int cmd_image_inspect(int, char **);
int cmd_container_inspect(int, char **);
int cmd_version(int, char **);
int cmd_info(int, char **);
int cmd_network(int, char **);
int cmd_volume(int, char **);
int cmd_system_df(int, char **);
int cmd_system_prune(int, char **);
int cmd_build(int, char **);
int cmd_commit(int, char **);
int cmd_save(int, char **);
int cmd_load(int, char **);
int cmd_export(int, char **);
int cmd_import(int, char **);

/* shared by run/create (cmd_run.c) and pull (cmd_pull.c) */
int pull_image(const char *image, FILE *out, int out_fd, int print_ref, int quiet);
/* inspect's -f/--format output for a list of JSON values */
int inspect_kind(struct cmdline *cl, int kind); /* 0 container, 1 image, 2 network, 3 volume */
int inspect_print(const char *format, yajl_val *vals, char **raws, int n);
/* save/export: a tar body to -o FILE (via a temporary file) or stdout */
int save_body(struct resp *r, const char *out, const char *what);
/* load/import: a file descriptor's bytes up an upload */
void upload_fd(struct upload *u, int fd, const char *path);
/* load/import: POST a tar from fd (named name in errors) to path and show the
 * daemon's progress stream; fails with the daemon's words. */
int post_tar_with_progress(const char *path, int fd, const char *name);
/* shared by start/run: exit status of a failed start */
int start_error_status(const char *msg);

#endif
