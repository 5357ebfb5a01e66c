/* inspect (any object), image inspect, container inspect, and the shared
 * printing: Go's json.Indent of the raw objects, or a template per object. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

int inspect_print(const char *format, yajl_val *vals, char **raws, int n) {
  (void)raws;
  if (format && *format && strcmp(format, "json")) {
    for (int i = 0; i < n; i++) {
      char *err, *out = template_exec(format, vals[i], &err);
      if (!out) {
        fprintf(stderr, "%s\n", err);
        /* The real CLI parses the template first and exits 64 (usage) when it cannot. */
        return strncmp(err, "template parsing error", 22) ? 1 : 64;
      }
      puts(out);
      free(out);
    }
    return 0;
  }
  yajl_val arr = xmalloc(sizeof *arr);
  memset(arr, 0, sizeof *arr);
  arr->type = yajl_t_array;
  arr->u.array.values = vals;
  arr->u.array.len = (size_t)n;
  struct buf b = {0};
  json_html = 0;
  json_write(&b, arr, 4, 0);
  json_html = 1;
  puts(buf_str(&b));
  buf_free(&b);
  return 0;
}

static const char *const paths[] = {"/containers/%s/json", "/images/%s/json", "/networks/%s", "/volumes/%s"};
static const char *const kinds[] = {"container", "image", "network", "volume"};

/* kind: -1 for any object type. */
static int inspect(struct cmdline *cl, int kind) {
  const char *type = flag_str(cl, "type");
  if (kind < 0 && type && *type) {
    for (int k = 0; k < 4; k++)
      if (!strcmp(type, kinds[k])) kind = k;
    if (kind < 0) fail("\"%s\" is not a valid value for --type", type);
  }
  yajl_val *vals = xmalloc(sizeof(yajl_val) * (size_t)(cl->nargs + 1));
  char **raws = xmalloc(sizeof(char *) * (size_t)(cl->nargs + 1));
  char **errs = xmalloc(sizeof(char *) * (size_t)(cl->nargs + 1));
  int n = 0, ne = 0;
  for (int i = 0; i < cl->nargs; i++) {
    int found = 0;
    char *lasterr = NULL;
    for (int k = kind < 0 ? 0 : kind; k < (kind < 0 ? 4 : kind + 1) && !found; k++) {
      struct buf p = {0};
      buf_printf(&p, paths[k], cl->args[i]);
      if (k <= 1 && flag_bool(cl, "size")) buf_puts(&p, "?size=1");
      char *body;
      int st = api_call("GET", buf_str(&p), NULL, &body);
      buf_free(&p);
      if (st < 400) {
        vals[n] = json_parse(body);
        raws[n++] = body;
        found = 1;
      } else {
        lasterr = api_error_message(body);
        free(body);
        if (st != 404) break;
      }
    }
    if (!found) errs[ne++] = kind < 0 ? xasprintf("Error: No such object: %s", cl->args[i]) : xasprintf("Error response from daemon: %s", lasterr);
  }
  int status = inspect_print(flag_str(cl, "format"), vals, raws, n);
  fflush(stdout);
  for (int i = 0; i < ne; i++) fprintf(stderr, "%s\n", errs[i]);
  return ne ? 1 : status;
}

int cmd_inspect(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "inspect", argc, argv, 1);
  args_min(&cl, 1);
  return inspect(&cl, -1);
}

int cmd_container_inspect(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "container inspect", argc, argv, 1);
  args_min(&cl, 1);
  return inspect(&cl, 0);
}

int cmd_image_inspect(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "image inspect", argc, argv, 1);
  args_min(&cl, 1);
  return inspect(&cl, 1);
}

int inspect_kind(struct cmdline *cl, int kind) { return inspect(cl, kind); }
