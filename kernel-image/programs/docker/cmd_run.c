/* run and create: the create request from docker's flags (-e, -p, -v, -m,
 * --cpus, …), "Unable to find image" and a pull, then for run: attach,
 * wait, start, stream, and the container's exit status. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

static int is_port(const char *s, int allow_range) {
  if (!*s) return 0;
  char *end;
  long a = strtol(s, &end, 10);
  if (end == s || a < 0 || a > 65535) return 0;
  if (*end == '-' && allow_range) {
    const char *b = end + 1;
    long z = strtol(b, &end, 10);
    if (end == b || z < a || z > 65535) return 0;
  }
  return *end == 0;
}

/* One -p spec into ExposedPorts and PortBindings (nat.ParsePortSpec). */
static void add_port(const char *spec, struct buf *exposed, struct buf *bindings) {
  char *s = xstrdup(spec), *proto = "tcp";
  char *slash = strrchr(s, '/');
  if (slash) {
    *slash = 0;
    proto = slash + 1;
    if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")) fail("invalid proto: %s", proto);
  }
  char *parts[64];
  int n = 0;
  for (char *p = s;; n++) {
    if (n == 64) fail("invalid port format: %s", spec);
    parts[n] = p;
    char *c = strchr(p, ':');
    if (!c) {
      n++;
      break;
    }
    *c = 0;
    p = c + 1;
  }
  const char *cport = parts[n - 1], *hport = n >= 2 ? parts[n - 2] : "";
  struct buf ip = {0};
  for (int i = 0; i < n - 2; i++) buf_printf(&ip, "%s%s", i ? ":" : "", parts[i]);
  const char *ips = buf_str(&ip);
  if (*ips) {
    char addr[64];
    snprintf(addr, sizeof addr, "%s", ips);
    char *a = addr;
    size_t al = strlen(a);
    if (*a == '[' && al > 1 && a[al - 1] == ']') {
      a[al - 1] = 0;
      a++;
    }
    unsigned char tmp[16];
    if (inet_pton(AF_INET, a, tmp) != 1 && inet_pton(AF_INET6, a, tmp) != 1) fail("invalid IP address: %s", ips);
    ips = xstrdup(a);
  }
  if (!is_port(cport, 1)) fail("invalid containerPort: %s", cport);
  if (*hport && !is_port(hport, 1)) fail("invalid hostPort: %s", hport);
  char *key = xasprintf("%s/%s", cport, proto);
  if (exposed->len > 1) buf_puts(exposed, ",");
  buf_json_str(exposed, key);
  buf_puts(exposed, ":{}");
  if (bindings->len > 1) buf_puts(bindings, ",");
  buf_json_str(bindings, key);
  buf_puts(bindings, ":[{\"HostIp\":");
  buf_json_str(bindings, ips);
  buf_puts(bindings, ",\"HostPort\":");
  buf_json_str(bindings, hport);
  buf_puts(bindings, "}]");
}

static void add_env(struct cmdline *cl, struct buf *env, const char *e, int from_flag) {
  if (!*e || *e == '=') {
    char *why = xasprintf("invalid environment variable: %s", e);
    if (from_flag) flag_invalid(cl, "env", e, why);
    fail("%s", why);
  }
  if (!strchr(e, '=')) {
    const char *v = getenv(e);
    if (!v) return;
    e = xasprintf("%s=%s", e, v);
  }
  if (env->len > 1) buf_puts(env, ",");
  buf_json_str(env, e);
}

static void warn_unsupported(struct cmdline *cl) {
  static const char *supported[] = {
    "detach", "interactive", "tty", "rm", "name", "env", "env-file", "publish", "publish-all", "volume", "workdir",
    "entrypoint", "hostname", "memory", "pids-limit", "cpus", "network", "net", "init", "user", "label", "restart",
    "expose", "attach", "platform", "pull", "quiet", "sig-proxy", "detach-keys", "disable-content-trust",
    "read-only", "tmpfs", "mount", "cgroupns", NULL,
  };
  for (int i = 0; i < cl->nflags; i++) {
    if (!cl->flags[i].set) continue;
    int ok = 0;
    for (int k = 0; supported[k]; k++)
      if (!strcmp(cl->flags[i].name, supported[k])) ok = 1;
    if (!ok) fprintf(stderr, "WARNING: --%s is not supported by Slipway's docker client and was ignored\n", cl->flags[i].name);
  }
}

/* One --mount spec (opts.MountOpt): type=,source=,target=,readonly,tmpfs-size=,tmpfs-mode=. */
static void add_mount(struct cmdline *cl, struct buf *m, const char *spec) {
  const char *type = "volume";
  char *src = NULL, *dst = NULL, *s = xstrdup(spec);
  int ro = 0, nocopy = -1;
  long long tsize = 0, tmode = 0;
  char *prop = NULL;
  for (char *f = strtok(s, ","); f; f = strtok(NULL, ",")) {
    char *eq = strchr(f, '='), *v = eq ? eq + 1 : NULL;
    if (eq) *eq = 0;
    if (!v && (!strcmp(f, "readonly") || !strcmp(f, "ro"))) {
      ro = 1;
      continue;
    }
    if (!v && !strcmp(f, "volume-nocopy")) {
      nocopy = 1;
      continue;
    }
    if (!v) flag_invalid(cl, "mount", spec, xasprintf("invalid field '%s' must be a key=value pair", f));
    if (!strcmp(f, "type")) type = v;
    else if (!strcmp(f, "source") || !strcmp(f, "src")) src = v;
    else if (!strcmp(f, "target") || !strcmp(f, "dst") || !strcmp(f, "destination")) dst = v;
    else if (!strcmp(f, "readonly") || !strcmp(f, "ro")) ro = !strcmp(v, "1") || !strcasecmp(v, "true");
    else if (!strcmp(f, "volume-nocopy")) nocopy = !strcmp(v, "1") || !strcasecmp(v, "true");
    else if (!strcmp(f, "bind-propagation")) prop = v;
    else if (!strcmp(f, "tmpfs-size")) {
      if (parse_ram(v, &tsize) < 0) flag_invalid(cl, "mount", spec, xasprintf("invalid value for %s: %s", f, v));
    } else if (!strcmp(f, "tmpfs-mode")) tmode = strtoll(v, NULL, 8);
    else if (strcmp(f, "consistency") && strcmp(f, "volume-driver") && strcmp(f, "volume-label") && strcmp(f, "volume-opt"))
      flag_invalid(cl, "mount", spec, xasprintf("unexpected key '%s' in '%s'", f, xasprintf("%s=%s", f, v)));
  }
  if (!dst) flag_invalid(cl, "mount", spec, "target is required");
  if (m->len > 1) buf_puts(m, ",");
  buf_puts(m, "{\"Type\":");
  buf_json_str(m, type);
  if (src) {
    buf_puts(m, ",\"Source\":");
    buf_json_str(m, src);
  }
  buf_puts(m, ",\"Target\":");
  buf_json_str(m, dst);
  if (ro) buf_puts(m, ",\"ReadOnly\":true");
  if (prop) {
    buf_puts(m, ",\"BindOptions\":{\"Propagation\":");
    buf_json_str(m, prop);
    buf_puts(m, "}");
  }
  if (nocopy >= 0) buf_printf(m, ",\"VolumeOptions\":{\"NoCopy\":%s}", nocopy ? "true" : "false");
  if (tsize || tmode) {
    buf_puts(m, ",\"TmpfsOptions\":{");
    if (tsize) buf_printf(m, "\"SizeBytes\":%lld", tsize);
    if (tmode) buf_printf(m, "%s\"Mode\":%lld", tsize ? "," : "", tmode);
    buf_puts(m, "}");
  }
  buf_puts(m, "}");
}

static char *create_body(struct cmdline *cl, const char *image, char **cmd, int ncmd) {
  int detach = flag_bool(cl, "detach"), in = flag_bool(cl, "interactive"), tty = flag_bool(cl, "tty");
  struct buf b = {0}, env = {0}, exposed = {0}, bindings = {0}, binds = {0}, vols = {0}, labels = {0};
  int n;
  char **l;
  buf_puts(&env, "[");
  l = flag_list(cl, "env-file", &n);
  for (int i = 0; i < n; i++) {
    FILE *f = fopen(l[i], "r");
    if (!f) fail("open %s: %s", l[i], errno == ENOENT ? "no such file or directory" : strerror(errno));
    char line[4096];
    while (fgets(line, sizeof line, f)) {
      char *p = line;
      while (*p == ' ' || *p == '\t') p++;
      size_t len = strlen(p);
      while (len && (p[len - 1] == '\n' || p[len - 1] == '\r')) p[--len] = 0;
      if (!*p || *p == '#') continue;
      add_env(cl, &env, xstrdup(p), 0);
    }
    fclose(f);
  }
  l = flag_list(cl, "env", &n);
  for (int i = 0; i < n; i++) add_env(cl, &env, l[i], 1);
  buf_puts(&env, "]");
  buf_puts(&exposed, "{");
  buf_puts(&bindings, "{");
  l = flag_list(cl, "publish", &n);
  for (int i = 0; i < n; i++) add_port(l[i], &exposed, &bindings);
  l = flag_list(cl, "expose", &n);
  for (int i = 0; i < n; i++) {
    if (exposed.len > 1) buf_puts(&exposed, ",");
    buf_json_str(&exposed, strchr(l[i], '/') ? l[i] : xasprintf("%s/tcp", l[i]));
    buf_puts(&exposed, ":{}");
  }
  buf_puts(&exposed, "}");
  buf_puts(&bindings, "}");
  buf_puts(&binds, "[");
  buf_puts(&vols, "{");
  l = flag_list(cl, "volume", &n);
  for (int i = 0; i < n; i++) {
    if (!*l[i]) fail("invalid empty volume spec");
    if (strchr(l[i], ':')) {
      if (binds.len > 1) buf_puts(&binds, ",");
      buf_json_str(&binds, l[i]);
    } else {
      if (vols.len > 1) buf_puts(&vols, ",");
      buf_json_str(&vols, l[i]);
      buf_puts(&vols, ":{}");
    }
  }
  buf_puts(&binds, "]");
  buf_puts(&vols, "}");
  buf_puts(&labels, "{");
  l = flag_list(cl, "label", &n);
  for (int i = 0; i < n; i++) {
    char *eq = strchr(l[i], '=');
    if (labels.len > 1) buf_puts(&labels, ",");
    buf_json_str(&labels, eq ? xasprintf("%.*s", (int)(eq - l[i]), l[i]) : l[i]);
    buf_puts(&labels, ":");
    buf_json_str(&labels, eq ? eq + 1 : "");
  }
  buf_puts(&labels, "}");

  long long memory = flag_ram(cl, "memory", 0);
  long long nanocpus = flag_nanocpus(cl, "cpus");
  long long pids = flag_int(cl, "pids-limit");

  buf_puts(&b, "{\"Hostname\":");
  buf_json_str(&b, flag_str(cl, "hostname") ? flag_str(cl, "hostname") : "");
  buf_puts(&b, ",\"User\":");
  buf_json_str(&b, flag_str(cl, "user") ? flag_str(cl, "user") : "");
  const char *t = in ? "true" : "false";
  buf_printf(&b, ",\"AttachStdin\":%s,\"AttachStdout\":%s,\"AttachStderr\":%s,\"Tty\":%s,\"OpenStdin\":%s,\"StdinOnce\":%s", t,
             detach ? "false" : "true", detach ? "false" : "true", tty ? "true" : "false", t, in && !detach ? "true" : "false");
  buf_printf(&b, ",\"ExposedPorts\":%s,\"Env\":%s,\"Cmd\":", buf_str(&exposed), buf_str(&env));
  if (ncmd) {
    buf_puts(&b, "[");
    for (int i = 0; i < ncmd; i++) {
      if (i) buf_puts(&b, ",");
      buf_json_str(&b, cmd[i]);
    }
    buf_puts(&b, "]");
  } else {
    buf_puts(&b, "null");
  }
  buf_puts(&b, ",\"Image\":");
  buf_json_str(&b, image);
  buf_printf(&b, ",\"Volumes\":%s,\"WorkingDir\":", buf_str(&vols));
  buf_json_str(&b, flag_str(cl, "workdir") ? flag_str(cl, "workdir") : "");
  buf_puts(&b, ",\"Entrypoint\":");
  if (flag_is_set(cl, "entrypoint")) {
    buf_puts(&b, "[");
    buf_json_str(&b, flag_str(cl, "entrypoint"));
    buf_puts(&b, "]");
  } else {
    buf_puts(&b, "null");
  }
  buf_printf(&b, ",\"Labels\":%s,\"HostConfig\":{\"Binds\":%s,\"PortBindings\":%s,\"AutoRemove\":%s,\"PublishAllPorts\":%s", buf_str(&labels),
             buf_str(&binds), buf_str(&bindings), flag_bool(cl, "rm") ? "true" : "false", flag_bool(cl, "publish-all") ? "true" : "false");
  const char *net = flag_str(cl, "network");
  if (!net) net = flag_str(cl, "net");
  if (net) {
    buf_puts(&b, ",\"NetworkMode\":");
    buf_json_str(&b, net);
  }
  if (memory) buf_printf(&b, ",\"Memory\":%lld", memory);
  if (nanocpus) buf_printf(&b, ",\"NanoCpus\":%lld", nanocpus);
  if (flag_is_set(cl, "pids-limit")) buf_printf(&b, ",\"PidsLimit\":%lld", pids);
  if (flag_bool(cl, "read-only")) buf_puts(&b, ",\"ReadonlyRootfs\":true");
  l = flag_list(cl, "tmpfs", &n);
  if (n) {
    buf_puts(&b, ",\"Tmpfs\":{");
    for (int i = 0; i < n; i++) {
      char *colon = strchr(l[i], ':');
      buf_puts(&b, i ? "," : "");
      buf_json_str(&b, colon ? xasprintf("%.*s", (int)(colon - l[i]), l[i]) : l[i]);
      buf_puts(&b, ":");
      buf_json_str(&b, colon ? colon + 1 : "");
    }
    buf_puts(&b, "}");
  }
  l = flag_list(cl, "mount", &n);
  if (n) {
    struct buf m = {0};
    buf_puts(&m, "[");
    for (int i = 0; i < n; i++) add_mount(cl, &m, l[i]);
    buf_puts(&m, "]");
    buf_printf(&b, ",\"Mounts\":%s", buf_str(&m));
  }
  const char *cgns = flag_str(cl, "cgroupns");
  if (cgns && *cgns) {
    if (strcmp(cgns, "host") && strcmp(cgns, "private")) fail("--cgroupns: invalid CGROUP mode");
    buf_puts(&b, ",\"CgroupnsMode\":");
    buf_json_str(&b, cgns);
  }
  if (flag_is_set(cl, "init")) buf_printf(&b, ",\"Init\":%s", flag_bool(cl, "init") ? "true" : "false");
  const char *restart = flag_str(cl, "restart");
  if (restart) {
    char *name = xstrdup(restart), *colon = strchr(name, ':');
    long max = 0;
    if (colon) {
      *colon = 0;
      max = atol(colon + 1);
    }
    buf_puts(&b, ",\"RestartPolicy\":{\"Name\":");
    buf_json_str(&b, name);
    buf_printf(&b, ",\"MaximumRetryCount\":%ld}", max);
  }
  buf_puts(&b, "}}");
  return (char *)buf_str(&b);
}

/* Creates the container, pulling its image when missing. Returns its id. */
static char *create(struct cmdline *cl) {
  const char *image = cl->args[0];
  struct ref r;
  if (ref_parse(image, &r) < 0) fail("invalid reference format");
  char *body = create_body(cl, image, cl->args + 1, cl->nargs - 1);
  warn_unsupported(cl);
  struct buf path = {0};
  buf_puts(&path, "/containers/create");
  if (flag_str(cl, "name")) {
    buf_puts(&path, "?name=");
    buf_url(&path, flag_str(cl, "name"));
  }
  const char *pull = flag_str(cl, "pull");
  if (pull && !strcmp(pull, "always")) pull_image(image, stderr, STDERR_FILENO, 0, flag_bool(cl, "quiet"));
  char *out;
  int st = api_call("POST", buf_str(&path), body, &out);
  if (st == 404 && strstr(api_error_message(out), "No such image") && !(pull && !strcmp(pull, "never"))) {
    fprintf(stderr, "Unable to find image '%s%s%s' locally\n", r.familiar, *r.digest ? "@" : ":", *r.digest ? r.digest : *r.tag ? r.tag : "latest");
    pull_image(image, stderr, STDERR_FILENO, 0, flag_bool(cl, "quiet"));
    st = api_call("POST", buf_str(&path), body, &out);
  }
  if (st >= 400) fail("Error response from daemon: %s", api_error_message(out));
  yajl_val v = json_parse(out);
  yajl_val w = jget(v, "Warnings");
  for (size_t i = 0; i < jlen(w); i++) fprintf(stderr, "WARNING: %s\n", jidx(w, i)->u.string);
  return xstrdup(jstr(v, "Id"));
}

int cmd_create(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "create", argc, argv, 0);
  args_min(&cl, 1);
  puts(create(&cl));
  return 0;
}

int cmd_run(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "run", argc, argv, 0);
  args_min(&cl, 1);
  int detach = flag_bool(&cl, "detach"), in = flag_bool(&cl, "interactive"), tty = flag_bool(&cl, "tty");
  if (detach && flag_bool(&cl, "rm") && 0) fail("conflicting options");
  if (tty && in && !isatty(STDIN_FILENO)) fail("the input device is not a TTY");
  char *id = create(&cl);
  if (detach) {
    char *out;
    int st = api_call("POST", xasprintf("/containers/%s/start", id), NULL, &out);
    if (st >= 400) {
      char *m = api_error_message(out);
      fail_status(start_error_status(m), "Error response from daemon: %s", m);
    }
    puts(id);
    return 0;
  }
  struct resp *att = api_request_new("POST", xasprintf("/containers/%s/attach?stream=1&stdin=%d&stdout=1&stderr=1", id, in), NULL, 1);
  if (att->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(att, NULL)));
  /* the wait goes out before the start, so that a quick exit is not missed */
  struct conn wc;
  wc.fd = host_connect(g_host);
  wc.rpos = wc.rlen = 0;
  if (wc.fd < 0) fail("Cannot connect to the Docker daemon at %s. Is the docker daemon running?", g_host);
  char *wpath = xasprintf("/v%s/containers/%s/wait?condition=%s", api_version(), id, flag_bool(&cl, "rm") ? "removed" : "next-exit");
  if (http_send(&wc, "POST", wpath, "api.moby.localhost", NULL, NULL, 0, 0) < 0) fail("error during connect: %s", strerror(errno));
  char *out;
  int st = api_call("POST", xasprintf("/containers/%s/start", id), NULL, &out);
  if (st >= 400) {
    char *m = api_error_message(out);
    fail_status(start_error_status(m), "Error response from daemon: %s", m);
  }
  if (tty && in) {
    if (tty_raw(STDIN_FILENO) < 0) fail("failed to set the terminal to raw mode: %s", strerror(errno));
  }
  if (tty && isatty(STDOUT_FILENO)) {
    tty_watch_resize(xasprintf("/containers/%s/resize", id));
    tty_resize_now();
  }
  int detached = stream_session(att, tty, in, tty && in);
  tty_restore();
  if (detached) return 0;
  struct resp wr;
  if (http_read_head(&wc, &wr) < 0) fail("error waiting for container: %s", strerror(errno));
  char *wbody = http_read_all(&wr, NULL);
  if (wr.status >= 400) fail("Error response from daemon: %s", api_error_message(wbody));
  yajl_val v = json_parse(wbody);
  if (*jstr(v, "Error.Message")) fail("Error response from daemon: %s", jstr(v, "Error.Message"));
  return (int)jint(v, "StatusCode");
}
