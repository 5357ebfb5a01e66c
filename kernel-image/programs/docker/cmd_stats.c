/* stats: the resource usage table, computed from the daemon's stats JSON as
 * the real CLI's stats_helpers.go does; --no-stream prints it once, otherwise
 * it is redrawn in place until Ctrl-C. */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"

struct entry {
  char *arg;  /* as named, or the short id */
  struct resp *r;
  struct buf line; /* the stats stream's partial line */
  int have, invalid, ended;
  char *err;
  char *name, *id;
  double cpu, mem, limit, memperc, rx, tx, blkr, blkw;
  unsigned long long pids;
};

static void take(struct entry *e, yajl_val v) {
  double cpu = jnum(v, "cpu_stats.cpu_usage.total_usage"), pcpu = jnum(v, "precpu_stats.cpu_usage.total_usage");
  double sys = jnum(v, "cpu_stats.system_cpu_usage"), psys = jnum(v, "precpu_stats.system_cpu_usage");
  double online = jnum(v, "cpu_stats.online_cpus");
  if (online == 0) online = (double)jlen(jget(v, "cpu_stats.cpu_usage.percpu_usage"));
  double cd = cpu - pcpu, sd = sys - psys;
  e->cpu = sd > 0 && cd > 0 ? cd / sd * online * 100.0 : 0;
  double usage = jnum(v, "memory_stats.usage");
  yajl_val t1 = jget(v, "memory_stats.stats.total_inactive_file");
  double inactive = jnum(v, "memory_stats.stats.inactive_file");
  if (t1 && jnum(t1, NULL) < usage) e->mem = usage - jnum(t1, NULL);
  else if (inactive < usage) e->mem = usage - inactive;
  else e->mem = usage;
  e->limit = jnum(v, "memory_stats.limit");
  e->memperc = e->limit != 0 ? e->mem / e->limit * 100.0 : 0;
  e->blkr = e->blkw = 0;
  yajl_val bio = jget(v, "blkio_stats.io_service_bytes_recursive");
  for (size_t i = 0; i < jlen(bio); i++) {
    const char *op = jstr(jidx(bio, i), "op");
    if (*op == 'r' || *op == 'R') e->blkr += jnum(jidx(bio, i), "value");
    if (*op == 'w' || *op == 'W') e->blkw += jnum(jidx(bio, i), "value");
  }
  e->rx = e->tx = 0;
  yajl_val nets = jget(v, "networks");
  if (nets && YAJL_IS_OBJECT(nets))
    for (size_t i = 0; i < nets->u.object.len; i++) {
      e->rx += jnum(nets->u.object.values[i], "rx_bytes");
      e->tx += jnum(nets->u.object.values[i], "tx_bytes");
    }
  e->pids = (unsigned long long)jnum(v, "pids_stats.current");
  free(e->name);
  free(e->id);
  e->name = xstrdup(jstr(v, "name"));
  e->id = xstrdup(jstr(v, "id"));
  e->have = 1;
  e->invalid = 0;
}

static char *pct(double v) { return xasprintf("%.2f%%", v); }

static yajl_val row(struct entry *e, int trunc) {
  yajl_val o = jobj_new();
  char sid[13];
  jobj_set(o, "Container", e->arg);
  jobj_set(o, "Name", e->name && strlen(e->name) > 1 ? e->name + 1 : "--");
  jobj_set(o, "ID", e->id ? (trunc ? short_id(e->id, sid) : e->id) : "");
  if (e->invalid || !e->have) {
    jobj_set(o, "CPUPerc", "--");
    jobj_set(o, "MemUsage", "-- / --");
    jobj_set(o, "MemPerc", "--");
    jobj_set(o, "NetIO", "--");
    jobj_set(o, "BlockIO", "--");
    jobj_set(o, "PIDs", "--");
    return o;
  }
  jobj_set(o, "CPUPerc", pct(e->cpu));
  jobj_set(o, "MemUsage", xasprintf("%s / %s", bytes_size(e->mem), bytes_size(e->limit)));
  jobj_set(o, "MemPerc", pct(e->memperc));
  jobj_set(o, "NetIO", xasprintf("%s / %s", human_size(e->rx, 3), human_size(e->tx, 3)));
  jobj_set(o, "BlockIO", xasprintf("%s / %s", human_size(e->blkr, 3), human_size(e->blkw, 3)));
  jobj_set(o, "PIDs", xasprintf("%llu", e->pids));
  return o;
}

static const struct fmt_col cols[] = {
  {"Container", "CONTAINER"}, {"Name", "NAME"}, {"ID", "CONTAINER ID"}, {"CPUPerc", "CPU %"}, {"MemUsage", "MEM USAGE / LIMIT"},
  {"MemPerc", "MEM %"}, {"NetIO", "NET I/O"}, {"BlockIO", "BLOCK I/O"}, {"PIDs", "PIDS"}, {NULL, NULL},
};
#define DEFAULT_TABLE "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

static void open_stream(struct entry *e, int stream) {
  e->r = api_request_new("GET", xasprintf("/containers/%s/stats?stream=%d", e->arg, stream), NULL, 0);
  if (e->r->status >= 400) {
    e->err = xasprintf("Error response from daemon: %s", api_error_message(http_read_all(e->r, NULL)));
    e->invalid = 1;
    e->ended = 1;
  }
}

/* Reads what the stream has; takes every complete JSON line. */
static void feed(struct entry *e) {
  char b[8192];
  ssize_t k = http_read(e->r, b, sizeof b);
  if (k <= 0) {
    e->ended = 1;
    e->invalid = 1;
    return;
  }
  buf_add(&e->line, b, (size_t)k);
  char *nl;
  while ((nl = memchr(e->line.p, '\n', e->line.len))) {
    *nl = 0;
    yajl_val v = json_parse(e->line.p);
    if (v) take(e, v);
    yajl_tree_free(v);
    size_t rest = e->line.len - (size_t)(nl + 1 - e->line.p);
    memmove(e->line.p, nl + 1, rest);
    e->line.len = rest;
    e->line.p[rest] = 0;
  }
}

static int pending(struct resp *r) { return r->c->rpos < r->c->rlen; }

static void print_frame(struct entry *es, int n, const char *format, int trunc, int redraw) {
  yajl_val *rows = xmalloc(sizeof(yajl_val) * (size_t)(n + 1));
  int k = 0;
  for (int i = 0; i < n; i++)
    rows[k++] = row(&es[i], trunc);
  if (!redraw) {
    format_rows(format, DEFAULT_TABLE, cols, rows, k);
    fflush(stdout);
    return;
  }
  /* render to memory, then each line with "erase to the end of line", as the real CLI does */
  fflush(stdout);
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  FILE *saved = stdout;
  stdout = mem;
  format_rows(format, DEFAULT_TABLE, cols, rows, k);
  fflush(mem);
  stdout = saved;
  fclose(mem);
  struct buf out = {0};
  buf_puts(&out, "\033[H");
  for (char *line = text, *nl; *line; line = nl + 1) {
    nl = strchr(line, '\n');
    if (!nl) nl = line + strlen(line) - 1;
    buf_printf(&out, "%.*s\033[K\n", (int)(nl - line + (*nl != '\n')), line);
    if (!nl[1]) break;
  }
  buf_puts(&out, "\033[J");
  write_all(STDOUT_FILENO, out.p, out.len);
  free(text);
}

int cmd_stats(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "stats", argc, argv, 1);
  int stream = !flag_bool(&cl, "no-stream"), trunc = !flag_bool(&cl, "no-trunc");
  const char *format = flag_str(&cl, "format");
  int show_all = cl.nargs == 0;
  struct entry *es;
  int n = 0;
  if (show_all) {
    yajl_val list = api_get_json(flag_bool(&cl, "all") ? "/containers/json?all=1" : "/containers/json");
    es = xmalloc(sizeof *es * (jlen(list) + 1));
    memset(es, 0, sizeof *es * (jlen(list) + 1));
    for (size_t i = 0; i < jlen(list); i++) {
      char sid[13];
      es[n++].arg = xstrdup(short_id(jstr(jidx(list, i), "Id"), sid));
    }
  } else {
    es = xmalloc(sizeof *es * (size_t)cl.nargs);
    memset(es, 0, sizeof *es * (size_t)cl.nargs);
    for (int i = 0; i < cl.nargs; i++) {
      int dup = 0;
      for (int j = 0; j < n; j++)
        if (!strcmp(es[j].arg, cl.args[i])) dup = 1;
      if (!dup) es[n++].arg = cl.args[i];
    }
  }
  /* all requests out first, so the daemon samples them together */
  for (int i = 0; i < n; i++) open_stream(&es[i], stream);
  if (!stream) {
    for (int i = 0; i < n; i++)
      while (!es[i].ended && !es[i].have) feed(&es[i]);
    struct buf errs = {0};
    if (!show_all)
      for (int i = 0; i < n; i++)
        if (es[i].err) buf_printf(&errs, "%s%s", errs.len ? "\n" : "", es[i].err);
    if (errs.len) fail("%s", buf_str(&errs));
    print_frame(es, n, format, trunc, 0);
    return 0;
  }
  if (!show_all) {
    struct buf errs = {0};
    for (int i = 0; i < n; i++)
      if (es[i].err) buf_printf(&errs, "%s%s", errs.len ? "\n" : "", es[i].err);
    if (errs.len) fail("%s", buf_str(&errs));
  }
  signal(SIGPIPE, SIG_IGN);
  write_all(STDOUT_FILENO, "\033[2J", 4);
  struct pollfd *pf = xmalloc(sizeof *pf * (size_t)(n + 1));
  for (;;) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    /* read for up to a second, then redraw */
    for (;;) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long ms = 1000 - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
      if (ms <= 0) break;
      int np = 0, ready = 0;
      for (int i = 0; i < n; i++) {
        if (es[i].ended) continue;
        if (pending(es[i].r)) ready = 1;
        pf[np].fd = es[i].r->c->fd;
        pf[np].events = POLLIN;
        pf[np].revents = 0;
        np++;
      }
      if (!np) {
        usleep((useconds_t)ms * 1000);
        break;
      }
      if (!ready && poll(pf, (nfds_t)np, (int)ms) <= 0) continue;
      for (int i = 0, j = 0; i < n; i++) {
        if (es[i].ended) continue;
        if (pending(es[i].r) || (pf[j].revents & (POLLIN | POLLHUP | POLLERR))) feed(&es[i]);
        j++;
      }
    }
    print_frame(es, n, format, trunc, 1);
    int live = 0;
    for (int i = 0; i < n; i++) live += !es[i].ended;
    if (!live && !show_all) break;
  }
  return 0;
}
