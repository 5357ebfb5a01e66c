/* version, info, system df, system prune. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

static void row(const char *indent, const char *k, const char *v) {
  char label[64];
  snprintf(label, sizeof label, "%s%s:", indent, k);
  printf("%-20s%s\n", label, v);
}

/* The Client part, with the Go field names templates use. */
static yajl_val client_obj(const char *apiv) {
  yajl_val c = jobj_new();
  jobj_set(c, "Version", CLIENT_VERSION);
  jobj_set(c, "ApiVersion", apiv);
  jobj_set(c, "APIVersion", apiv);
  jobj_set(c, "DefaultAPIVersion", CLIENT_API);
  jobj_set(c, "GitCommit", "slipway");
  jobj_set(c, "GoVersion", "none (C)");
  jobj_set(c, "Os", "linux");
  jobj_set(c, "Arch", "386");
  jobj_set(c, "BuildTime", __DATE__);
  jobj_set(c, "Context", "default");
  yajl_val pl = jobj_new();
  jobj_set(pl, "Name", "");
  jobj_put(c, "Platform", pl);
  return c;
}

int cmd_version(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "version", argc, argv, 1);
  args_none(&cl);
  const char *format = flag_str(&cl, "format");
  if (format && *format) {
    yajl_val all = jobj_new();
    jobj_put(all, "Client", client_obj(api_version()));
    char *text = api_must("GET", "/version", NULL);
    yajl_val s = json_parse(text);
    if (s) {
      yajl_val av = jget(s, "ApiVersion");
      if (av) jobj_put(s, "APIVersion", av);
      yajl_val mv = jget(s, "MinAPIVersion");
      if (mv) jobj_put(s, "MinAPIVersion", mv);
    }
    jobj_put(all, "Server", s);
    if (!strcmp(format, "json")) {
      struct buf b = {0};
      json_write(&b, all, 0, 0);
      puts(buf_str(&b));
      return 0;
    }
    char *err;
    char *out = template_exec(format, all, &err);
    if (!out) fail("%s", err);
    puts(out);
    return 0;
  }
  puts("Client:");
  row(" ", "Version", CLIENT_VERSION);
  /* The connection happens after the client part, as with the real CLI. */
  fflush(stdout);
  char *text;
  int probe = host_connect(g_host);
  if (probe >= 0) close(probe);
  const char *apiv = probe >= 0 ? api_version() : CLIENT_API;
  row(" ", "API version", apiv);
  row(" ", "Go version", "none (C)");
  row(" ", "Git commit", "slipway");
  row(" ", "Built", __DATE__);
  row(" ", "OS/Arch", "linux/386");
  row(" ", "Context", "default");
  if (probe < 0) fail("Cannot connect to the Docker daemon at %s. Is the docker daemon running?", g_host);
  int st = api_call("GET", "/version", NULL, &text);
  if (st >= 400) fail("Error response from daemon: %s", api_error_message(text));
  yajl_val s = json_parse(text);
  const char *pn = jstr(s, "Platform.Name");
  printf("\nServer:%s%s\n", *pn ? " " : "", pn);
  yajl_val comps = jget(s, "Components");
  for (size_t i = 0; i < jlen(comps); i++) {
    yajl_val c = jidx(comps, i);
    const char *name = jstr(c, "Name");
    printf(" %s:\n", name);
    if (!strcmp(name, "Engine")) {
      row("  ", "Version", jstr(c, "Version"));
      char *v = xasprintf("%s (minimum version %s)", jstr(c, "Details.ApiVersion"), jstr(c, "Details.MinAPIVersion"));
      row("  ", "API version", v);
      row("  ", "Go version", jstr(c, "Details.GoVersion"));
      row("  ", "Git commit", jstr(c, "Details.GitCommit"));
      row("  ", "Built", jstr(c, "Details.BuildTime"));
      char *oa = xasprintf("%s/%s", jstr(c, "Details.Os"), jstr(c, "Details.Arch"));
      row("  ", "OS/Arch", oa);
      row("  ", "Experimental", jstr(c, "Details.Experimental"));
    } else {
      row("  ", "Version", jstr(c, "Version"));
      yajl_val d = jget(c, "Details");
      for (size_t k = 0; k < jlen(d); k++)
        if (YAJL_IS_STRING(d->u.object.values[k])) row("  ", d->u.object.keys[k], d->u.object.values[k]->u.string);
    }
  }
  return 0;
}

static void strlist(yajl_val a, const char *sep) {
  for (size_t i = 0; i < jlen(a); i++) printf("%s%s", i ? sep : "", jidx(a, i) && YAJL_IS_STRING(jidx(a, i)) ? jidx(a, i)->u.string : "");
}

int cmd_info(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "info", argc, argv, 1);
  args_none(&cl);
  const char *format = flag_str(&cl, "format");
  if (format && *format) {
    yajl_val all = api_get_json("/info");
    if (!strcmp(format, "json")) {
      struct buf b = {0};
      json_write(&b, all, 0, 0);
      puts(buf_str(&b));
      return 0;
    }
    char *err, *out = template_exec(format, all, &err);
    if (!out) fail("%s", err);
    puts(out);
    return 0;
  }
  printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: false\n\nServer:\n", CLIENT_VERSION);
  fflush(stdout);
  yajl_val v = api_get_json("/info");
  printf(" Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n", jint(v, "Containers"), jint(v, "ContainersRunning"),
         jint(v, "ContainersPaused"), jint(v, "ContainersStopped"));
  printf(" Images: %lld\n Server Version: %s\n", jint(v, "Images"), jstr(v, "ServerVersion"));
  printf(" Storage Driver: %s\n", jstr(v, "Driver"));
  yajl_val ds = jget(v, "DriverStatus");
  for (size_t i = 0; i < jlen(ds); i++) {
    yajl_val p = jidx(ds, i);
    printf("  %s: %s\n", jlen(p) > 0 ? jidx(p, 0)->u.string : "", jlen(p) > 1 ? jidx(p, 1)->u.string : "");
  }
  printf(" Logging Driver: %s\n Cgroup Driver: %s\n", jstr(v, "LoggingDriver"), jstr(v, "CgroupDriver"));
  if (*jstr(v, "CgroupVersion")) printf(" Cgroup Version: %s\n", jstr(v, "CgroupVersion"));
  printf(" Plugins:\n  Volume: ");
  strlist(jget(v, "Plugins.Volume"), " ");
  printf("\n  Network: ");
  strlist(jget(v, "Plugins.Network"), " ");
  if (jlen(jget(v, "Plugins.Authorization"))) {
    printf("\n  Authorization: ");
    strlist(jget(v, "Plugins.Authorization"), " ");
  }
  printf("\n  Log: ");
  strlist(jget(v, "Plugins.Log"), " ");
  printf("\n Swarm: %s\n", jstr(v, "Swarm.LocalNodeState"));
  yajl_val rt = jget(v, "Runtimes");
  printf(" Runtimes:");
  for (size_t i = 0; i < jlen(rt); i++) printf(" %s", rt->u.object.keys[i]);
  printf("\n Default Runtime: %s\n", jstr(v, "DefaultRuntime"));
  printf(" Init Binary: %s\n", jstr(v, "InitBinary"));
  printf(" containerd version: %s\n runc version: %s\n init version: %s\n", jstr(v, "ContainerdCommit.ID"), jstr(v, "RuncCommit.ID"),
         jstr(v, "InitCommit.ID"));
  yajl_val so = jget(v, "SecurityOptions");
  if (jlen(so)) {
    printf(" Security Options:\n");
    for (size_t i = 0; i < jlen(so); i++) {
      char *o = xstrdup(jidx(so, i)->u.string);
      char *save, *kv = strtok_r(o, ",", &save);
      int first = 1;
      for (; kv; kv = strtok_r(NULL, ",", &save), first = 0) {
        char *eq = strchr(kv, '=');
        if (!eq) continue;
        *eq = 0;
        if (first && !strcmp(kv, "name")) printf("  %s\n", eq + 1);
        else printf("   %s%s: %s\n", (char[]){(char)(kv[0] >= 'a' && kv[0] <= 'z' ? kv[0] - 32 : kv[0]), 0}, kv + 1, eq + 1);
      }
    }
  }
  printf(" Kernel Version: %s\n Operating System: %s\n OSType: %s\n Architecture: %s\n", jstr(v, "KernelVersion"),
         jstr(v, "OperatingSystem"), jstr(v, "OSType"), jstr(v, "Architecture"));
  printf(" CPUs: %lld\n Total Memory: %s\n Name: %s\n ID: %s\n Docker Root Dir: %s\n Debug Mode: %s\n", jint(v, "NCPU"),
         bytes_size((double)jint(v, "MemTotal")), jstr(v, "Name"), jstr(v, "ID"), jstr(v, "DockerRootDir"), jbool(v, "Debug") ? "true" : "false");
  if (*jstr(v, "HttpProxy")) printf(" HTTP Proxy: %s\n", jstr(v, "HttpProxy"));
  if (*jstr(v, "HttpsProxy")) printf(" HTTPS Proxy: %s\n", jstr(v, "HttpsProxy"));
  if (*jstr(v, "NoProxy")) printf(" No Proxy: %s\n", jstr(v, "NoProxy"));
  yajl_val labels = jget(v, "Labels");
  if (jlen(labels)) {
    printf(" Labels:\n");
    for (size_t i = 0; i < jlen(labels); i++) printf("  %s\n", jidx(labels, i)->u.string);
  }
  printf(" Experimental: %s\n", jbool(v, "ExperimentalBuild") ? "true" : "false");
  yajl_val ic = jget(v, "RegistryConfig.IndexConfigs"), cidrs = jget(v, "RegistryConfig.InsecureRegistryCIDRs");
  int insecure = 0;
  for (size_t i = 0; i < jlen(ic); i++)
    if (!jbool(ic->u.object.values[i], "Secure")) insecure++;
  if (insecure || jlen(cidrs)) {
    printf(" Insecure Registries:\n");
    for (size_t i = 0; i < jlen(ic); i++)
      if (!jbool(ic->u.object.values[i], "Secure")) printf("  %s\n", jstr(ic->u.object.values[i], "Name"));
    for (size_t i = 0; i < jlen(cidrs); i++) printf("  %s\n", jidx(cidrs, i)->u.string);
  }
  yajl_val mirrors = jget(v, "RegistryConfig.Mirrors");
  if (jlen(mirrors)) {
    printf(" Registry Mirrors:\n");
    for (size_t i = 0; i < jlen(mirrors); i++) printf("  %s\n", jidx(mirrors, i)->u.string);
  }
  printf(" Live Restore Enabled: %s\n\n", jbool(v, "LiveRestoreEnabled") ? "true" : "false");
  yajl_val warns = jget(v, "Warnings");
  for (size_t i = 0; i < jlen(warns); i++) fprintf(stderr, "%s\n", jidx(warns, i)->u.string);
  return 0;
}

static char *reclaim(long long r, long long total) {
  char *h = human_size((double)r, 4);
  if (total > 0) return xasprintf("%s (%lld%%)", h, r * 100 / total);
  return h;
}

int cmd_system_df(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "system df", argc, argv, 1);
  args_none(&cl);
  yajl_val v = api_get_json("/system/df");
  yajl_val ims = jget(v, "Images"), cs = jget(v, "Containers"), vs = jget(v, "Volumes"), bc = jget(v, "BuildCache");
  long long isize = jint(v, "LayersSize"), iused = 0;
  int iactive = 0;
  for (size_t i = 0; i < jlen(ims); i++) {
    yajl_val im = jidx(ims, i);
    if (jint(im, "Containers") > 0) {
      iactive++;
      if (jint(im, "Size") == -1 || jint(im, "SharedSize") == -1) continue;
      iused += jint(im, "Size") - jint(im, "SharedSize");
    }
  }
  long long csize = 0, creclaim = 0;
  int cactive = 0;
  for (size_t i = 0; i < jlen(cs); i++) {
    yajl_val c = jidx(cs, i);
    const char *st = jstr(c, "State");
    int active = strstr(st, "running") || strstr(st, "paused") || strstr(st, "restarting");
    cactive += active;
    csize += jint(c, "SizeRw");
    if (!active) creclaim += jint(c, "SizeRw");
  }
  long long vsize = 0, vreclaim = 0;
  int vactive = 0;
  for (size_t i = 0; i < jlen(vs); i++) {
    yajl_val x = jidx(vs, i);
    long long s = jint(x, "UsageData.Size");
    if (jint(x, "UsageData.RefCount") > 0) vactive++;
    if (s > 0) {
      vsize += s;
      if (jint(x, "UsageData.RefCount") == 0) vreclaim += s;
    }
  }
  long long bsize = 0, breclaim = 0;
  int bactive = 0;
  for (size_t i = 0; i < jlen(bc); i++) {
    yajl_val b = jidx(bc, i);
    if (jbool(b, "InUse")) bactive++;
    if (!jbool(b, "Shared")) {
      bsize += jint(b, "Size");
      if (!jbool(b, "InUse")) breclaim += jint(b, "Size");
    }
  }
  yajl_val rows[4];
  const char *types[4] = {"Images", "Containers", "Local Volumes", "Build Cache"};
  long long totals[4] = {(long long)jlen(ims), (long long)jlen(cs), (long long)jlen(vs), (long long)jlen(bc)};
  int actives[4] = {iactive, cactive, vactive, bactive};
  long long sizes[4] = {isize, csize, vsize, bsize};
  char *recl[4] = {reclaim(isize - iused, isize), reclaim(creclaim, csize), reclaim(vreclaim, vsize), human_size((double)breclaim, 4)};
  for (int i = 0; i < 4; i++) {
    rows[i] = jobj_new();
    jobj_set(rows[i], "Type", types[i]);
    char *t = xasprintf("%lld", totals[i]), *a = xasprintf("%d", actives[i]);
    jobj_set(rows[i], "TotalCount", t);
    jobj_set(rows[i], "Active", a);
    jobj_set(rows[i], "Size", human_size((double)sizes[i], 4));
    jobj_set(rows[i], "Reclaimable", recl[i]);
  }
  static const struct fmt_col cols[] = {{"Type", "TYPE"}, {"TotalCount", "TOTAL"}, {"Active", "ACTIVE"}, {"Size", "SIZE"}, {"Reclaimable", "RECLAIMABLE"}, {NULL, NULL}};
  format_rows(flag_str(&cl, "format"), "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}", cols, rows, 4);
  return 0;
}

int cmd_system_prune(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "system prune", argc, argv, 1);
  args_none(&cl);
  if (!flag_bool(&cl, "force")) {
    printf("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n");
    if (flag_bool(&cl, "volumes")) printf("  - all anonymous volumes not used by at least one container\n");
    printf("  - %s\n", flag_bool(&cl, "all") ? "all images without at least one container associated to them" : "all dangling images");
    printf("  - unused build cache\n\nAre you sure you want to continue? [y/N] ");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) return 0;
  }
  long long space = 0;
  yajl_val c = json_parse(api_must("POST", "/containers/prune", NULL));
  yajl_val del = jget(c, "ContainersDeleted");
  if (jlen(del)) {
    puts("Deleted Containers:");
    for (size_t i = 0; i < jlen(del); i++) puts(jidx(del, i)->u.string);
    puts("");
  }
  space += jint(c, "SpaceReclaimed");
  yajl_val n = json_parse(api_must("POST", "/networks/prune", NULL));
  del = jget(n, "NetworksDeleted");
  if (jlen(del)) {
    puts("Deleted Networks:");
    for (size_t i = 0; i < jlen(del); i++) puts(jidx(del, i)->u.string);
    puts("");
  }
  if (flag_bool(&cl, "volumes")) {
    yajl_val vv = json_parse(api_must("POST", "/volumes/prune", NULL));
    del = jget(vv, "VolumesDeleted");
    if (jlen(del)) {
      puts("Deleted Volumes:");
      for (size_t i = 0; i < jlen(del); i++) puts(jidx(del, i)->u.string);
      puts("");
    }
    space += jint(vv, "SpaceReclaimed");
  }
  struct buf path = {0};
  buf_puts(&path, "/images/prune");
  if (!flag_bool(&cl, "all")) {
    buf_puts(&path, "?filters=");
    buf_url(&path, "{\"dangling\":{\"true\":true}}");
  }
  yajl_val im = json_parse(api_must("POST", buf_str(&path), NULL));
  del = jget(im, "ImagesDeleted");
  if (jlen(del)) {
    puts("Deleted Images:");
    for (size_t k = 0; k < jlen(del); k++) {
      yajl_val e = jidx(del, k);
      if (*jstr(e, "Untagged")) printf("untagged: %s\n", jstr(e, "Untagged"));
      if (*jstr(e, "Deleted")) printf("deleted: %s\n", jstr(e, "Deleted"));
    }
    puts("");
  }
  space += jint(im, "SpaceReclaimed");
  printf("Total reclaimed space: %s\n", human_size((double)space, 4));
  return 0;
}
