/* network ls/create/connect/disconnect/rm/inspect/prune and volume
 * ls/create/rm/inspect/prune. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

static int confirm(const char *warning) {
  printf("%s\nAre you sure you want to continue? [y/N] ", warning);
  fflush(stdout);
  char line[64];
  return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static int by_name(const void *a, const void *b) {
  return strcmp(jstr(*(yajl_val const *)a, "Name"), jstr(*(yajl_val const *)b, "Name"));
}

static void add_filters(struct buf *path, struct cmdline *cl, char sep) {
  int nf;
  char **f = flag_list(cl, "filter", &nf);
  if (!nf) return;
  buf_printf(path, "%cfilters=", sep);
  buf_url(path, filters_json(f, nf));
}

static int group_help(const char *name, int argc, char **argv, const char **subs) {
  if (argc == 0 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
    fputs(usage_find(name)->text, argc ? stdout : stderr);
    return 0;
  }
  for (int i = 0; subs[i]; i++)
    if (!strcmp(argv[0], subs[i])) return -1;
  fprintf(stderr, "docker: unknown command: docker %s %s\n\nUsage:  docker %s\n\nRun 'docker %s --help' for more information\n", name, argv[0],
          name, name);
  return 1;
}

static int network_ls(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "network ls", argc, argv, 1);
  args_none(&cl);
  struct buf path = {0};
  buf_puts(&path, "/networks");
  add_filters(&path, &cl, '?');
  yajl_val list = api_get_json(buf_str(&path));
  size_t n = jlen(list);
  yajl_val *nets = xmalloc(sizeof(yajl_val) * (n + 1));
  for (size_t i = 0; i < n; i++) nets[i] = jidx(list, i);
  qsort(nets, n, sizeof *nets, by_name);
  int notrunc = flag_bool(&cl, "no-trunc");
  char sid[16];
  yajl_val *rows = xmalloc(sizeof(yajl_val) * (n + 1));
  for (size_t i = 0; i < n; i++) {
    const char *id = jstr(nets[i], "Id");
    if (flag_bool(&cl, "quiet")) {
      puts(notrunc ? id : short_id(id, sid));
      continue;
    }
    rows[i] = jobj_new();
    jobj_set(rows[i], "ID", notrunc ? id : short_id(id, sid));
    jobj_set(rows[i], "Name", jstr(nets[i], "Name"));
    jobj_set(rows[i], "Driver", jstr(nets[i], "Driver"));
    jobj_set(rows[i], "Scope", jstr(nets[i], "Scope"));
    jobj_set(rows[i], "IPv6", jbool(nets[i], "EnableIPv6") ? "true" : "false");
    jobj_set(rows[i], "Internal", jbool(nets[i], "Internal") ? "true" : "false");
    jobj_set(rows[i], "CreatedAt", jstr(nets[i], "Created"));
  }
  if (flag_bool(&cl, "quiet")) return 0;
  static const struct fmt_col cols[] = {{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"Scope", "SCOPE"},
                                        {"IPv6", "IPV6"}, {"Internal", "INTERNAL"}, {"CreatedAt", "CREATED AT"}, {NULL, NULL}};
  format_rows(flag_str(&cl, "format"), "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", cols, rows, (int)n);
  return 0;
}

static void kv_object(struct buf *b, struct cmdline *cl, const char *flag) {
  int n;
  char **l = flag_list(cl, flag, &n);
  buf_puts(b, "{");
  for (int i = 0; i < n; i++) {
    char *eq = strchr(l[i], '=');
    char *k = xasprintf("%.*s", (int)(eq ? eq - l[i] : (long)strlen(l[i])), l[i]);
    if (i) buf_puts(b, ",");
    buf_json_str(b, k);
    buf_puts(b, ":");
    buf_json_str(b, eq ? eq + 1 : "");
    free(k);
  }
  buf_puts(b, "}");
}

static int network_create(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "network create", argc, argv, 1);
  args_exact(&cl, 1);
  struct buf b = {0};
  buf_puts(&b, "{\"Name\":");
  buf_json_str(&b, cl.args[0]);
  buf_puts(&b, ",\"Driver\":");
  const char *driver = flag_str(&cl, "driver");
  buf_json_str(&b, driver ? driver : "bridge");
  buf_printf(&b, ",\"Internal\":%s,\"Attachable\":%s,\"CheckDuplicate\":true,\"Options\":", flag_bool(&cl, "internal") ? "true" : "false",
             flag_bool(&cl, "attachable") ? "true" : "false");
  kv_object(&b, &cl, "opt");
  buf_puts(&b, ",\"Labels\":");
  kv_object(&b, &cl, "label");
  int ns, ng, nr;
  char **subnets = flag_list(&cl, "subnet", &ns), **gws = flag_list(&cl, "gateway", &ng), **ranges = flag_list(&cl, "ip-range", &nr);
  buf_puts(&b, ",\"IPAM\":{\"Driver\":\"default\",\"Config\":[");
  for (int i = 0; i < ns; i++) {
    if (i) buf_puts(&b, ",");
    buf_puts(&b, "{\"Subnet\":");
    buf_json_str(&b, subnets[i]);
    if (i < ng) {
      buf_puts(&b, ",\"Gateway\":");
      buf_json_str(&b, gws[i]);
    }
    if (i < nr) {
      buf_puts(&b, ",\"IPRange\":");
      buf_json_str(&b, ranges[i]);
    }
    buf_puts(&b, "}");
  }
  buf_puts(&b, "]}}");
  if (ng > ns) fail("every ip-range or gateway must have a corresponding subnet");
  yajl_val v = json_parse(api_must("POST", "/networks/create", buf_str(&b)));
  puts(jstr(v, "Id"));
  return 0;
}

/* network connect NETWORK CONTAINER: one more network for a container (now,
 * if it runs); network disconnect takes one away. Both print nothing. */
static int network_connect(int argc, char **argv, int connect) {
  struct cmdline cl;
  parse_flags(&cl, connect ? "network connect" : "network disconnect", argc, argv, 1);
  args_exact(&cl, 2);
  struct buf b = {0};
  buf_puts(&b, "{\"Container\":");
  buf_json_str(&b, cl.args[1]);
  if (connect) {
    const char *ip = flag_str(&cl, "ip");
    buf_puts(&b, ",\"EndpointConfig\":{");
    if (ip) {
      buf_puts(&b, "\"IPAMConfig\":{\"IPv4Address\":");
      buf_json_str(&b, ip);
      buf_puts(&b, "}");
    }
    buf_puts(&b, "}");
  } else {
    buf_printf(&b, ",\"Force\":%s", flag_bool(&cl, "force") ? "true" : "false");
  }
  buf_puts(&b, "}");
  char *path = xasprintf("/networks/%s/%s", cl.args[0], connect ? "connect" : "disconnect");
  api_must("POST", path, buf_str(&b));
  return 0;
}

static int network_rm(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "network rm", argc, argv, 1);
  args_min(&cl, 1);
  int status = 0;
  for (int i = 0; i < cl.nargs; i++) {
    char *p = xasprintf("/networks/%s", cl.args[i]), *body;
    int st = api_call("DELETE", p, NULL, &body);
    if (st >= 400) {
      if (!(st == 404 && flag_bool(&cl, "force"))) {
        fprintf(stderr, "Error response from daemon: %s\n", api_error_message(body));
        status = 1;
      }
      continue;
    }
    puts(cl.args[i]);
  }
  if (status) fputs("exit status 1\n", stderr);
  return status;
}

static int network_prune(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "network prune", argc, argv, 1);
  args_none(&cl);
  if (!flag_bool(&cl, "force") && !confirm("WARNING! This will remove all custom networks not used by at least one container.")) return 0;
  yajl_val v = json_parse(api_must("POST", "/networks/prune", NULL));
  yajl_val del = jget(v, "NetworksDeleted");
  if (jlen(del)) {
    puts("Deleted Networks:");
    for (size_t i = 0; i < jlen(del); i++) puts(jidx(del, i)->u.string);
  }
  return 0;
}

int cmd_network(int argc, char **argv) {
  static const char *subs[] = {"ls", "list", "create", "connect", "disconnect", "rm", "remove", "inspect", "prune", NULL};
  int r = group_help("network", argc, argv, subs);
  if (r >= 0) return r;
  g_cmd = xasprintf("docker network %s", argv[0]);
  const char *s = argv[0];
  if (!strcmp(s, "ls") || !strcmp(s, "list")) return network_ls(argc - 1, argv + 1);
  if (!strcmp(s, "create")) return network_create(argc - 1, argv + 1);
  if (!strcmp(s, "connect")) return network_connect(argc - 1, argv + 1, 1);
  if (!strcmp(s, "disconnect")) return network_connect(argc - 1, argv + 1, 0);
  if (!strcmp(s, "rm") || !strcmp(s, "remove")) return network_rm(argc - 1, argv + 1);
  if (!strcmp(s, "prune")) return network_prune(argc - 1, argv + 1);
  struct cmdline cl;
  parse_flags(&cl, "network inspect", argc - 1, argv + 1, 1);
  args_min(&cl, 1);
  return inspect_kind(&cl, 2);
}

static int volume_ls(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "volume ls", argc, argv, 1);
  args_none(&cl);
  struct buf path = {0};
  buf_puts(&path, "/volumes");
  add_filters(&path, &cl, '?');
  yajl_val resp = api_get_json(buf_str(&path));
  yajl_val list = jget(resp, "Volumes");
  size_t n = jlen(list);
  yajl_val *vols = xmalloc(sizeof(yajl_val) * (n + 1));
  for (size_t i = 0; i < n; i++) vols[i] = jidx(list, i);
  qsort(vols, n, sizeof *vols, by_name);
  yajl_val *rows = xmalloc(sizeof(yajl_val) * (n + 1));
  for (size_t i = 0; i < n; i++) {
    if (flag_bool(&cl, "quiet")) {
      puts(jstr(vols[i], "Name"));
      continue;
    }
    rows[i] = jobj_new();
    jobj_set(rows[i], "Driver", jstr(vols[i], "Driver"));
    jobj_set(rows[i], "Name", jstr(vols[i], "Name"));
    jobj_set(rows[i], "Scope", jstr(vols[i], "Scope"));
    jobj_set(rows[i], "Mountpoint", jstr(vols[i], "Mountpoint"));
    jobj_set(rows[i], "CreatedAt", jstr(vols[i], "CreatedAt"));
  }
  if (flag_bool(&cl, "quiet")) return 0;
  static const struct fmt_col cols[] = {{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Scope", "SCOPE"}, {"Mountpoint", "MOUNTPOINT"},
                                        {"CreatedAt", "CREATED"}, {NULL, NULL}};
  format_rows(flag_str(&cl, "format"), "table {{.Driver}}\t{{.Name}}", cols, rows, (int)n);
  return 0;
}

static int volume_create(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "volume create", argc, argv, 1);
  args_range(&cl, 0, 1);
  const char *name = cl.nargs ? cl.args[0] : flag_str(&cl, "name");
  struct buf b = {0};
  buf_puts(&b, "{\"Name\":");
  buf_json_str(&b, name ? name : "");
  buf_puts(&b, ",\"Driver\":");
  const char *driver = flag_str(&cl, "driver");
  buf_json_str(&b, driver ? driver : "local");
  buf_puts(&b, ",\"DriverOpts\":");
  kv_object(&b, &cl, "opt");
  buf_puts(&b, ",\"Labels\":");
  kv_object(&b, &cl, "label");
  buf_puts(&b, "}");
  yajl_val v = json_parse(api_must("POST", "/volumes/create", buf_str(&b)));
  puts(jstr(v, "Name"));
  return 0;
}

static int volume_rm(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "volume rm", argc, argv, 1);
  args_min(&cl, 1);
  int status = 0;
  for (int i = 0; i < cl.nargs; i++) {
    char *p = xasprintf("/volumes/%s?force=%d", cl.args[i], flag_bool(&cl, "force")), *body;
    int st = api_call("DELETE", p, NULL, &body);
    if (st >= 400) {
      fprintf(stderr, "Error response from daemon: %s\n", api_error_message(body));
      status = 1;
      continue;
    }
    puts(cl.args[i]);
  }
  return status;
}

static int volume_prune(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "volume prune", argc, argv, 1);
  args_none(&cl);
  if (!flag_bool(&cl, "force") && !confirm("WARNING! This will remove anonymous local volumes not used by at least one container.")) return 0;
  struct buf path = {0};
  buf_puts(&path, "/volumes/prune");
  if (flag_bool(&cl, "all")) {
    buf_puts(&path, "?filters=");
    buf_url(&path, "{\"all\":{\"true\":true}}");
  }
  yajl_val v = json_parse(api_must("POST", buf_str(&path), NULL));
  yajl_val del = jget(v, "VolumesDeleted");
  if (jlen(del)) {
    puts("Deleted Volumes:");
    for (size_t i = 0; i < jlen(del); i++) puts(jidx(del, i)->u.string);
    puts("");
  }
  printf("Total reclaimed space: %s\n", human_size((double)jint(v, "SpaceReclaimed"), 4));
  return 0;
}

int cmd_volume(int argc, char **argv) {
  static const char *subs[] = {"ls", "list", "create", "rm", "remove", "inspect", "prune", NULL};
  int r = group_help("volume", argc, argv, subs);
  if (r >= 0) return r;
  g_cmd = xasprintf("docker volume %s", argv[0]);
  const char *s = argv[0];
  if (!strcmp(s, "ls") || !strcmp(s, "list")) return volume_ls(argc - 1, argv + 1);
  if (!strcmp(s, "create")) return volume_create(argc - 1, argv + 1);
  if (!strcmp(s, "rm") || !strcmp(s, "remove")) return volume_rm(argc - 1, argv + 1);
  if (!strcmp(s, "prune")) return volume_prune(argc - 1, argv + 1);
  struct cmdline cl;
  parse_flags(&cl, "volume inspect", argc - 1, argv + 1, 1);
  args_min(&cl, 1);
  return inspect_kind(&cl, 3);
}
