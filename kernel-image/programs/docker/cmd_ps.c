/* ps (container ls). */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

static int cmp_port(const void *a, const void *b) {
  yajl_val x = *(yajl_val const *)a, y = *(yajl_val const *)b;
  long long d = jint(x, "PrivatePort") - jint(y, "PrivatePort");
  if (d) return d < 0 ? -1 : 1;
  int c = strcmp(jstr(x, "Type"), jstr(y, "Type"));
  if (c) return c;
  c = strcmp(jstr(x, "IP"), jstr(y, "IP"));
  if (c) return c;
  d = jint(x, "PublicPort") - jint(y, "PublicPort");
  return d < 0 ? -1 : d > 0;
}

/* formatter.DisplayablePorts, without folding port ranges. */
static char *ports_text(yajl_val ports) {
  size_t n = jlen(ports);
  yajl_val *p = xmalloc(sizeof(yajl_val) * (n + 1));
  for (size_t i = 0; i < n; i++) p[i] = jidx(ports, i);
  qsort(p, n, sizeof *p, cmp_port);
  struct buf b = {0}, tail = {0};
  for (size_t i = 0; i < n; i++) {
    const char *ip = jstr(p[i], "IP"), *type = jstr(p[i], "Type");
    long long priv = jint(p[i], "PrivatePort"), pub = jint(p[i], "PublicPort");
    int v6 = strchr(ip, ':') != NULL;
    if (*ip && pub != priv) {
      buf_printf(&tail, "%s%s%s%s:%lld->%lld/%s", tail.len ? ", " : "", v6 ? "[" : "", ip, v6 ? "]" : "", pub, priv, type);
      continue;
    }
    if (b.len) buf_puts(&b, ", ");
    if (*ip) buf_printf(&b, "%s:%lld->%lld/%s", ip, priv, priv, type);
    else buf_printf(&b, "%lld/%s", priv, type);
  }
  if (tail.len) {
    if (b.len) buf_puts(&b, ", ");
    buf_puts(&b, buf_str(&tail));
  }
  free(p);
  return (char *)buf_str(&b);
}

int cmd_ps(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "ps", argc, argv, 1);
  args_none(&cl);
  int all = flag_bool(&cl, "all"), quiet = flag_bool(&cl, "quiet"), notrunc = flag_bool(&cl, "no-trunc");
  long limit = -1;
  if (flag_str(&cl, "last")) {
    char *end;
    limit = strtol(flag_str(&cl, "last"), &end, 10);
    if (*end || end == flag_str(&cl, "last")) {
      char why[200];
      snprintf(why, sizeof why, "strconv.ParseInt: parsing \"%s\": invalid syntax", flag_str(&cl, "last"));
      flag_invalid(&cl, "last", flag_str(&cl, "last"), why);
    }
  }
  if (flag_bool(&cl, "latest")) limit = 1;
  struct buf path = {0};
  buf_printf(&path, "/containers/json?all=%d", all);
  if (limit > 0) buf_printf(&path, "&limit=%ld", limit);
  if (flag_bool(&cl, "size")) buf_puts(&path, "&size=1");
  int nf;
  char **f = flag_list(&cl, "filter", &nf);
  if (nf) {
    buf_puts(&path, "&filters=");
    buf_url(&path, filters_json(f, nf));
  }
  yajl_val list = api_get_json(buf_str(&path));
  size_t n = jlen(list);
  yajl_val *rows = xmalloc(sizeof(yajl_val) * (n + 1));
  char sid[16];
  for (size_t i = 0; i < n; i++) {
    yajl_val c = jidx(list, i);
    const char *id = jstr(c, "Id");
    if (quiet) {
      puts(notrunc ? id : short_id(id, sid));
      continue;
    }
    yajl_val r = rows[i] = jobj_new();
    jobj_set(r, "ID", notrunc ? id : short_id(id, sid));
    const char *image = jstr(c, "Image");
    char sid2[16], sid3[16];
    if (!*image) image = "<no image>";
    else if (!notrunc && !strcmp(short_id(jstr(c, "ImageID"), sid2), short_id(image, sid3))) image = sid2;
    jobj_set(r, "Image", image);
    const char *cmd = jstr(c, "Command");
    char *shown = notrunc ? xstrdup(cmd) : ellipsis(cmd, 20);
    struct buf q = {0};
    json_html = 0;
    buf_json_str(&q, shown);
    json_html = 1;
    jobj_set(r, "Command", buf_str(&q));
    jobj_set(r, "RunningFor", time_since(jint(c, "Created")));
    jobj_set(r, "CreatedAt", time_local(jint(c, "Created")));
    jobj_set(r, "Status", jstr(c, "Status"));
    jobj_set(r, "State", jstr(c, "State"));
    jobj_set(r, "Ports", ports_text(jget(c, "Ports")));
    struct buf names = {0};
    yajl_val ns = jget(c, "Names");
    for (size_t k = 0; k < jlen(ns); k++) {
      const char *nm = jidx(ns, k)->u.string;
      if (*nm == '/') nm++;
      if (strchr(nm, '/')) continue;
      if (names.len) buf_puts(&names, ",");
      buf_puts(&names, nm);
    }
    jobj_set(r, "Names", buf_str(&names));
    struct buf labels = {0};
    yajl_val ls = jget(c, "Labels");
    for (size_t k = 0; k < jlen(ls); k++) {
      if (labels.len) buf_puts(&labels, ",");
      buf_printf(&labels, "%s=%s", ls->u.object.keys[k], YAJL_IS_STRING(ls->u.object.values[k]) ? ls->u.object.values[k]->u.string : "");
    }
    jobj_set(r, "Labels", buf_str(&labels));
    struct buf nets = {0};
    yajl_val nw = jget(c, "NetworkSettings.Networks");
    for (size_t k = 0; k < jlen(nw); k++) {
      if (nets.len) buf_puts(&nets, ",");
      buf_puts(&nets, nw->u.object.keys[k]);
    }
    jobj_set(r, "Networks", buf_str(&nets));
    struct buf mounts = {0};
    yajl_val ms = jget(c, "Mounts");
    for (size_t k = 0; k < jlen(ms); k++) {
      const char *nm = jstr(jidx(ms, k), "Name");
      if (!*nm) nm = jstr(jidx(ms, k), "Source");
      if (mounts.len) buf_puts(&mounts, ",");
      buf_puts(&mounts, notrunc ? nm : ellipsis(nm, 15));
    }
    jobj_set(r, "Mounts", buf_str(&mounts));
    char *sz = human_size((double)jint(c, "SizeRw"), 3), *vs = human_size((double)jint(c, "SizeRootFs"), 3);
    char *size = xasprintf("%s (virtual %s)", sz, vs);
    jobj_set(r, "Size", size);
  }
  if (quiet) return 0;
  static const struct fmt_col cols[] = {{"ID", "CONTAINER ID"}, {"Image", "IMAGE"}, {"Command", "COMMAND"}, {"RunningFor", "CREATED"},
                                        {"CreatedAt", "CREATED AT"}, {"Status", "STATUS"}, {"State", "STATE"}, {"Ports", "PORTS"},
                                        {"Names", "NAMES"}, {"Labels", "LABELS"}, {"Networks", "NETWORKS"}, {"Mounts", "MOUNTS"},
                                        {"Size", "SIZE"}, {NULL, NULL}};
  const char *def = flag_bool(&cl, "size") ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}"
                                           : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  format_rows(flag_str(&cl, "format"), def, cols, rows, (int)n);
  return 0;
}
