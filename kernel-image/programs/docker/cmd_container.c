/* start, stop, restart, kill, pause, unpause, rm, wait, top, port, rename, logs, container prune, attach. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

/* POST/DELETE path for each argument; prints the argument on success and the
 * daemon's error otherwise. Returns how many failed. */
static int each(struct cmdline *cl, const char *method, const char *fmt, const char *query, char ***failed) {
  int bad = 0;
  if (failed) *failed = xmalloc(sizeof(char *) * (size_t)(cl->nargs + 1));
  for (int i = 0; i < cl->nargs; i++) {
    struct buf p = {0};
    buf_printf(&p, fmt, cl->args[i]);
    if (query) buf_puts(&p, query);
    char *body;
    int st = api_call(method, buf_str(&p), NULL, &body);
    buf_free(&p);
    if (st >= 400) {
      fflush(stdout);
      fprintf(stderr, "Error response from daemon: %s\n", api_error_message(body));
      if (failed) (*failed)[bad] = cl->args[i];
      bad++;
    } else {
      puts(cl->args[i]);
    }
    free(body);
  }
  return bad;
}

int start_error_status(const char *msg) {
  if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory") || strstr(msg, "not found")) return 127;
  if (strstr(msg, "permission denied") || strstr(msg, "cannot execute") || strstr(msg, "is a directory")) return 126;
  return 125;
}

static int attach_and_start(struct cmdline *cl) {
  const char *id = cl->args[0];
  yajl_val c = api_get_json(xasprintf("/containers/%s/json", id));
  int tty = jbool(c, "Config.Tty"), in = flag_bool(cl, "interactive") && jbool(c, "Config.OpenStdin");
  char *p = xasprintf("/containers/%s/attach?stream=1&stdin=%d&stdout=1&stderr=1", jstr(c, "Id"), in);
  struct resp *r = api_request_new("POST", p, NULL, 1);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(r, NULL)));
  char *body;
  int st = api_call("POST", xasprintf("/containers/%s/start", jstr(c, "Id")), NULL, &body);
  if (st >= 400) {
    char *m = api_error_message(body);
    fail_status(start_error_status(m), "Error response from daemon: %s", m);
  }
  if (tty && in && isatty(STDIN_FILENO)) tty_raw(STDIN_FILENO);
  if (tty) {
    tty_watch_resize(xasprintf("/containers/%s/resize", jstr(c, "Id")));
    tty_resize_now();
  }
  int detached = stream_session(r, tty, in, tty && in);
  tty_restore();
  if (detached) return 0;
  yajl_val after = api_get_json(xasprintf("/containers/%s/json", jstr(c, "Id")));
  return (int)jint(after, "State.ExitCode");
}

int cmd_start(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "start", argc, argv, 1);
  args_min(&cl, 1);
  if (flag_bool(&cl, "attach") || flag_bool(&cl, "interactive")) {
    if (cl.nargs > 1) fail("you cannot start and attach multiple containers at once");
    return attach_and_start(&cl);
  }
  char **failed;
  int bad = each(&cl, "POST", "/containers/%s/start", NULL, &failed);
  if (bad) {
    fprintf(stderr, "Error: failed to start containers: ");
    for (int i = 0; i < bad; i++) fprintf(stderr, "%s%s", i ? ", " : "", failed[i]);
    fputc('\n', stderr);
    return 1;
  }
  return 0;
}

static char *timeout_query(struct cmdline *cl) {
  const char *t = flag_str(cl, "timeout");
  const char *sig = flag_str(cl, "signal");
  struct buf q = {0};
  if (t) {
    char *end;
    long v = strtol(t, &end, 10);
    if (*end || end == t) flag_invalid(cl, "timeout", t, xasprintf("strconv.ParseInt: parsing \"%s\": invalid syntax", t));
    buf_printf(&q, "?t=%ld", v);
  }
  if (sig && *sig) {
    buf_puts(&q, q.len ? "&signal=" : "?signal=");
    buf_url(&q, sig);
  }
  return (char *)buf_str(&q);
}

int cmd_stop(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "stop", argc, argv, 1);
  args_min(&cl, 1);
  return each(&cl, "POST", "/containers/%s/stop", timeout_query(&cl), NULL) ? 1 : 0;
}

int cmd_restart(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "restart", argc, argv, 1);
  args_min(&cl, 1);
  return each(&cl, "POST", "/containers/%s/restart", timeout_query(&cl), NULL) ? 1 : 0;
}

int cmd_kill(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "kill", argc, argv, 1);
  args_min(&cl, 1);
  const char *sig = flag_str(&cl, "signal");
  struct buf q = {0};
  if (sig && *sig) {
    buf_puts(&q, "?signal=");
    buf_url(&q, sig);
  }
  return each(&cl, "POST", "/containers/%s/kill", q.len ? buf_str(&q) : NULL, NULL) ? 1 : 0;
}

int cmd_pause(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "pause", argc, argv, 1);
  args_min(&cl, 1);
  return each(&cl, "POST", "/containers/%s/pause", NULL, NULL) ? 1 : 0;
}

int cmd_unpause(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "unpause", argc, argv, 1);
  args_min(&cl, 1);
  return each(&cl, "POST", "/containers/%s/unpause", NULL, NULL) ? 1 : 0;
}

int cmd_rm(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "rm", argc, argv, 1);
  args_min(&cl, 1);
  char *q = xasprintf("?force=%d&v=%d&link=%d", flag_bool(&cl, "force"), flag_bool(&cl, "volumes"), flag_bool(&cl, "link"));
  return each(&cl, "DELETE", "/containers/%s", q, NULL) ? 1 : 0;
}

int cmd_wait(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "wait", argc, argv, 1);
  args_min(&cl, 1);
  int status = 0;
  for (int i = 0; i < cl.nargs; i++) {
    char *body;
    int st = api_call("POST", xasprintf("/containers/%s/wait", cl.args[i]), NULL, &body);
    if (st >= 400) {
      fprintf(stderr, "Error response from daemon: %s\n", api_error_message(body));
      status = 1;
      continue;
    }
    yajl_val v = json_parse(body);
    printf("%lld\n", jint(v, "StatusCode"));
  }
  return status;
}

int cmd_top(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "top", argc, argv, 0);
  args_min(&cl, 1);
  struct buf p = {0};
  buf_printf(&p, "/containers/%s/top", cl.args[0]);
  if (cl.nargs > 1) {
    buf_puts(&p, "?ps_args=");
    struct buf a = {0};
    for (int i = 1; i < cl.nargs; i++) buf_printf(&a, "%s%s", i > 1 ? " " : "", cl.args[i]);
    buf_url(&p, buf_str(&a));
  }
  yajl_val v = api_get_json(buf_str(&p));
  struct table t = {.minwidth = 20};
  yajl_val titles = jget(v, "Titles"), procs = jget(v, "Processes");
  struct buf line = {0};
  for (size_t i = 0; i < jlen(titles); i++) buf_printf(&line, "%s%s", i ? "\t" : "", jidx(titles, i)->u.string);
  table_row_tabs(&t, buf_str(&line));
  for (size_t r = 0; r < jlen(procs); r++) {
    struct buf l = {0};
    yajl_val row = jidx(procs, r);
    for (size_t i = 0; i < jlen(row); i++) buf_printf(&l, "%s%s", i ? "\t" : "", jidx(row, i)->u.string);
    table_row_tabs(&t, buf_str(&l));
  }
  table_print(&t, stdout);
  return 0;
}

static int cmp_key(const void *a, const void *b) {
  const char *x = *(char *const *)a, *y = *(char *const *)b;
  long px = atol(x), py = atol(y);
  if (px != py) return px < py ? -1 : 1;
  return strcmp(x, y);
}

int cmd_port(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "port", argc, argv, 1);
  args_range(&cl, 1, 2);
  yajl_val c = api_get_json(xasprintf("/containers/%s/json", cl.args[0]));
  yajl_val ports = jget(c, "NetworkSettings.Ports");
  size_t n = jlen(ports);
  const char **keys = xmalloc(sizeof(char *) * (n + 1));
  for (size_t i = 0; i < n; i++) keys[i] = ports->u.object.keys[i];
  qsort(keys, n, sizeof *keys, cmp_key);
  char *want = NULL;
  if (cl.nargs == 2) want = strchr(cl.args[1], '/') ? xstrdup(cl.args[1]) : xasprintf("%s/tcp", cl.args[1]);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    if (want && strcmp(keys[i], want)) continue;
    yajl_val binds = jget(ports, NULL);
    for (size_t k = 0; k < binds->u.object.len; k++) {
      if (strcmp(binds->u.object.keys[k], keys[i])) continue;
      yajl_val arr = binds->u.object.values[k];
      for (size_t j = 0; j < jlen(arr); j++) {
        const char *ip = jstr(jidx(arr, j), "HostIp"), *hp = jstr(jidx(arr, j), "HostPort");
        int v6 = strchr(ip, ':') != NULL;
        if (want) printf("%s%s%s:%s\n", v6 ? "[" : "", ip, v6 ? "]" : "", hp);
        else printf("%s -> %s%s%s:%s\n", keys[i], v6 ? "[" : "", ip, v6 ? "]" : "", hp);
        found = 1;
      }
    }
  }
  if (want && !found) fail("Error: No public port '%s' published for %s", want, cl.args[0]);
  return 0;
}

int cmd_rename(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "rename", argc, argv, 1);
  args_exact(&cl, 2);
  struct buf p = {0};
  buf_printf(&p, "/containers/%s/rename?name=", cl.args[0]);
  buf_url(&p, cl.args[1]);
  free(api_must("POST", buf_str(&p), NULL));
  return 0;
}

int cmd_container_prune(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "container prune", argc, argv, 1);
  args_none(&cl);
  if (!flag_bool(&cl, "force")) {
    printf("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) return 0;
  }
  yajl_val v = json_parse(api_must("POST", "/containers/prune", NULL));
  yajl_val del = jget(v, "ContainersDeleted");
  if (jlen(del)) {
    puts("Deleted Containers:");
    for (size_t i = 0; i < jlen(del); i++) puts(jidx(del, i)->u.string);
    puts("");
  }
  printf("Total reclaimed space: %s\n", human_size((double)jint(v, "SpaceReclaimed"), 4));
  return 0;
}

int cmd_logs(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "logs", argc, argv, 1);
  args_exact(&cl, 1);
  struct buf p = {0};
  buf_printf(&p, "/containers/%s/logs?stdout=1&stderr=1&follow=%d&timestamps=%d", cl.args[0], flag_bool(&cl, "follow"),
             flag_bool(&cl, "timestamps"));
  const char *tail = flag_str(&cl, "tail");
  if (tail) {
    buf_puts(&p, "&tail=");
    buf_url(&p, tail);
  }
  const char *since = flag_str(&cl, "since");
  if (since) {
    buf_puts(&p, "&since=");
    buf_url(&p, since);
  }
  struct resp *r = api_request("GET", buf_str(&p), NULL);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(r, NULL)));
  int raw = strstr(r->content_type, "multiplexed") == NULL;
  struct stdcopy sc = {0};
  char b[16384];
  for (;;) {
    ssize_t k = http_read(r, b, sizeof b);
    if (k <= 0) break;
    if (raw ? write_all(STDOUT_FILENO, b, (size_t)k) < 0 : stdcopy_feed(&sc, b, (size_t)k, STDOUT_FILENO, STDERR_FILENO) < 0) break;
  }
  api_release(r);
  return 0;
}

int cmd_attach(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "attach", argc, argv, 1);
  args_exact(&cl, 1);
  yajl_val c = api_get_json(xasprintf("/containers/%s/json", cl.args[0]));
  if (!jbool(c, "State.Running")) fail("You cannot attach to a stopped container, start it first");
  int tty = jbool(c, "Config.Tty"), in = !flag_bool(&cl, "no-stdin") && jbool(c, "Config.OpenStdin");
  const char *id = jstr(c, "Id");
  struct resp *r = api_request_new("POST", xasprintf("/containers/%s/attach?stream=1&stdin=%d&stdout=1&stderr=1", id, in), NULL, 1);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(r, NULL)));
  if (tty && in && isatty(STDIN_FILENO)) tty_raw(STDIN_FILENO);
  if (tty) {
    tty_watch_resize(xasprintf("/containers/%s/resize", id));
    tty_resize_now();
  }
  int detached = stream_session(r, tty, in, tty && in);
  tty_restore();
  if (detached) return 0;
  yajl_val after = api_get_json(xasprintf("/containers/%s/json", id));
  return (int)jint(after, "State.ExitCode");
}
