/* images, pull, push, tag, rmi, history, image prune. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"

int cmd_images(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "images", argc, argv, 1);
  args_range(&cl, 0, 1);
  struct buf path = {0};
  buf_printf(&path, "/images/json?all=%d", flag_bool(&cl, "all"));
  if (cl.nargs) {
    buf_puts(&path, "&filters=");
    struct buf f = {0};
    buf_puts(&f, "{\"reference\":{");
    buf_json_str(&f, cl.args[0]);
    buf_puts(&f, ":true}}");
    buf_url(&path, buf_str(&f));
  }
  yajl_val list = api_get_json(buf_str(&path));
  int quiet = flag_bool(&cl, "quiet"), notrunc = flag_bool(&cl, "no-trunc"), digests = flag_bool(&cl, "digests");
  yajl_val rows[1024];
  int n = 0;
  char sid[16];
  for (size_t i = 0; i < jlen(list); i++) {
    yajl_val im = jidx(list, i);
    const char *id = jstr(im, "Id");
    if (quiet) {
      const char *show = notrunc ? id : short_id(id, sid);
      int dup = 0;
      for (size_t j = 0; j < i; j++)
        if (!strcmp(jstr(jidx(list, j), "Id"), id)) dup = 1;
      if (!dup) puts(show);
      continue;
    }
    yajl_val tags = jget(im, "RepoTags");
    size_t nt = jlen(tags);
    char *created = time_since(jint(im, "Created"));
    char *size = human_size((double)jint(im, "Size"), 3);
    char *createdat = time_local(jint(im, "Created"));
    for (size_t t = 0; t < (nt ? nt : 1) && n < 1024; t++) {
      const char *rt = nt ? jidx(tags, t)->u.string : "<none>:<none>";
      char repo[512], tag[256];
      const char *colon = strrchr(rt, ':');
      snprintf(repo, sizeof repo, "%.*s", (int)(colon ? colon - rt : (long)strlen(rt)), rt);
      snprintf(tag, sizeof tag, "%s", colon ? colon + 1 : "<none>");
      yajl_val row = jobj_new();
      jobj_set(row, "Repository", repo);
      jobj_set(row, "Tag", tag);
      jobj_set(row, "ID", notrunc ? id : short_id(id, sid));
      jobj_set(row, "CreatedSince", created);
      jobj_set(row, "CreatedAt", createdat);
      jobj_set(row, "Size", size);
      const char *digest = "<none>";
      yajl_val ds = jget(im, "RepoDigests");
      for (size_t d = 0; d < jlen(ds); d++) {
        const char *s = jidx(ds, d)->u.string, *at = strchr(s, '@');
        if (at && (size_t)(at - s) == strlen(repo) && !strncmp(s, repo, strlen(repo))) digest = at + 1;
      }
      jobj_set(row, "Digest", digest);
      jobj_set(row, "Containers", "N/A");
      rows[n++] = row;
    }
  }
  if (quiet) return 0;
  static const struct fmt_col cols[] = {{"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"},
                                        {"CreatedAt", "CREATED AT"}, {"Size", "SIZE"}, {"Digest", "DIGEST"}, {"Containers", "CONTAINERS"}, {NULL, NULL}};
  format_rows(flag_str(&cl, "format"),
              digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                      : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}",
              cols, rows, n);
  return 0;
}

/* Pulls image; progress to out. Returns 0, or prints the error and returns 1. */
int pull_image(const char *image, FILE *out, int out_fd, int print_ref, int quiet) {
  struct ref r;
  if (ref_parse(image, &r) < 0) fail("invalid reference format");
  struct buf path = {0};
  buf_puts(&path, "/images/create?fromImage=");
  buf_url(&path, r.name);
  buf_puts(&path, "&tag=");
  buf_url(&path, *r.digest ? r.digest : *r.tag ? r.tag : "latest");
  struct resp *resp = api_request("POST", buf_str(&path), NULL);
  if (resp->status >= 400) {
    char *body = http_read_all(resp, NULL);
    api_release(resp);
    fail("Error response from daemon: %s", api_error_message(body));
  }
  FILE *sink = out;
  if (quiet) {
    sink = fopen("/dev/null", "w");
    if (!sink) fail("open /dev/null: %m");
    out_fd = -1;
  }
  char *err = progress_display(resp, sink, out_fd);
  api_release(resp);
  if (quiet) fclose(sink);
  if (err) fail("%s", err);
  if (print_ref || quiet) fprintf(out, "%s%s%s\n", r.name, *r.digest ? "@" : ":", *r.digest ? r.digest : *r.tag ? r.tag : "latest");
  return 0;
}

int cmd_pull(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "pull", argc, argv, 1);
  args_exact(&cl, 1);
  struct ref r;
  if (ref_parse(cl.args[0], &r) < 0) fail("invalid reference format");
  int quiet = flag_bool(&cl, "quiet");
  if (!*r.tag && !*r.digest && !flag_bool(&cl, "all-tags") && !quiet) puts("Using default tag: latest");
  fflush(stdout);
  return pull_image(cl.args[0], stdout, STDOUT_FILENO, 1, quiet);
}

int cmd_push(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "push", argc, argv, 1);
  args_exact(&cl, 1);
  struct ref r;
  if (ref_parse(cl.args[0], &r) < 0) fail("invalid reference format");
  if (!*r.tag && !flag_bool(&cl, "all-tags")) puts("Using default tag: latest");
  fflush(stdout);
  struct buf path = {0};
  buf_puts(&path, "/images/");
  buf_puts(&path, r.name);
  buf_puts(&path, "/push?tag=");
  buf_url(&path, *r.tag ? r.tag : "latest");
  struct resp *resp = api_request("POST", buf_str(&path), NULL);
  if (resp->status >= 400) {
    char *body = http_read_all(resp, NULL);
    api_release(resp);
    fail("Error response from daemon: %s", api_error_message(body));
  }
  char *err = progress_display(resp, stdout, STDOUT_FILENO);
  api_release(resp);
  if (err) fail("%s", err);
  return 0;
}

int cmd_tag(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "tag", argc, argv, 1);
  args_exact(&cl, 2);
  struct ref r;
  if (ref_parse(cl.args[1], &r) < 0 || *r.digest) fail("Error parsing reference: \"%s\" is not a valid repository/tag: invalid reference format", cl.args[1]);
  struct buf path = {0};
  buf_puts(&path, "/images/");
  buf_puts(&path, cl.args[0]);
  buf_puts(&path, "/tag?repo=");
  buf_url(&path, r.name);
  buf_puts(&path, "&tag=");
  buf_url(&path, *r.tag ? r.tag : "latest");
  free(api_must("POST", buf_str(&path), NULL));
  return 0;
}

int cmd_rmi(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "rmi", argc, argv, 1);
  args_min(&cl, 1);
  int status = 0;
  for (int i = 0; i < cl.nargs; i++) {
    struct buf path = {0};
    buf_printf(&path, "/images/%s?force=%d&noprune=%d", cl.args[i], flag_bool(&cl, "force"), flag_bool(&cl, "no-prune"));
    char *body;
    int st = api_call("DELETE", buf_str(&path), NULL, &body);
    if (st >= 400) {
      fprintf(stderr, "Error response from daemon: %s\n", api_error_message(body));
      status = 1;
      continue;
    }
    yajl_val v = json_parse(body);
    for (size_t k = 0; k < jlen(v); k++) {
      yajl_val e = jidx(v, k);
      if (*jstr(e, "Untagged")) printf("Untagged: %s\n", jstr(e, "Untagged"));
      if (*jstr(e, "Deleted")) printf("Deleted: %s\n", jstr(e, "Deleted"));
    }
  }
  return status;
}

int cmd_history(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "history", argc, argv, 1);
  args_exact(&cl, 1);
  char *p = xasprintf("/images/%s/history", cl.args[0]);
  yajl_val list = api_get_json(p);
  int notrunc = flag_bool(&cl, "no-trunc"), quiet = flag_bool(&cl, "quiet");
  int human = !flag_is_set(&cl, "human") || flag_bool(&cl, "human");
  yajl_val rows[512];
  int n = 0;
  char sid[16];
  for (size_t i = 0; i < jlen(list) && n < 512; i++) {
    yajl_val h = jidx(list, i);
    const char *id = jstr(h, "Id");
    const char *showid = !strcmp(id, "<missing>") ? id : notrunc ? id : short_id(id, sid);
    if (quiet) {
      puts(showid);
      continue;
    }
    yajl_val row = jobj_new();
    jobj_set(row, "ID", showid);
    char *created = human ? time_since(jint(h, "Created")) : time_local(jint(h, "Created"));
    jobj_set(row, "CreatedSince", created);
    jobj_set(row, "CreatedAt", time_local(jint(h, "Created")));
    char *by = xstrdup(jstr(h, "CreatedBy"));
    for (char *q = by; *q; q++)
      if (*q == '\t') *q = ' ';
    jobj_set(row, "CreatedBy", notrunc ? by : ellipsis(by, 45));
    char *size = human ? human_size((double)jint(h, "Size"), 3) : xasprintf("%lld", jint(h, "Size"));
    jobj_set(row, "Size", size);
    jobj_set(row, "Comment", jstr(h, "Comment"));
    rows[n++] = row;
  }
  if (quiet) return 0;
  static const struct fmt_col cols[] = {{"ID", "IMAGE"}, {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"}, {"CreatedBy", "CREATED BY"},
                                        {"Size", "SIZE"}, {"Comment", "COMMENT"}, {NULL, NULL}};
  format_rows(flag_str(&cl, "format"), "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}", cols, rows, n);
  return 0;
}

int cmd_image_prune(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "image prune", argc, argv, 1);
  args_none(&cl);
  if (!flag_bool(&cl, "force")) {
    printf("WARNING! This will remove all %s.\nAre you sure you want to continue? [y/N] ",
           flag_bool(&cl, "all") ? "images without at least one container associated to them" : "dangling images");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) return 0;
  }
  struct buf path = {0};
  buf_puts(&path, "/images/prune");
  if (!flag_bool(&cl, "all")) {
    buf_puts(&path, "?filters=");
    buf_url(&path, "{\"dangling\":{\"true\":true}}");
  }
  char *body = api_must("POST", buf_str(&path), NULL);
  yajl_val v = json_parse(body);
  yajl_val del = jget(v, "ImagesDeleted");
  if (jlen(del)) {
    puts("Deleted Images:");
    for (size_t k = 0; k < jlen(del); k++) {
      yajl_val e = jidx(del, k);
      if (*jstr(e, "Untagged")) printf("untagged: %s\n", jstr(e, "Untagged"));
      if (*jstr(e, "Deleted")) printf("deleted: %s\n", jstr(e, "Deleted"));
    }
    puts("");
  }
  printf("Total reclaimed space: %s\n", human_size((double)jint(v, "SpaceReclaimed"), 4));
  return 0;
}
