/* commit: a container's changes as a new image; prints its ID. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

int cmd_commit(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "commit", argc, argv, 1);
  args_range(&cl, 1, 2);
  struct buf q = {0};
  buf_puts(&q, "/commit?container=");
  buf_url(&q, cl.args[0]);
  if (cl.nargs == 2) {
    /* repo is the full name, the tag "latest" unless given, as the API client sends them */
    struct ref r;
    if (ref_parse(cl.args[1], &r) < 0) fail("%s", ref_error(cl.args[1]));
    if (*r.digest) fail("refusing to create a tag with a digest reference");
    buf_puts(&q, "&repo=");
    buf_url(&q, r.name);
    buf_puts(&q, "&tag=");
    buf_url(&q, *r.tag ? r.tag : "latest");
  }
  const char *m = flag_str(&cl, "message"), *a = flag_str(&cl, "author");
  if (m) {
    buf_puts(&q, "&comment=");
    buf_url(&q, m);
  }
  if (a) {
    buf_puts(&q, "&author=");
    buf_url(&q, a);
  }
  int n;
  char **changes = flag_list(&cl, "change", &n);
  for (int i = 0; i < n; i++) {
    buf_puts(&q, "&changes=");
    buf_url(&q, changes[i]);
  }
  /* --pause defaults to true; only an explicit false goes on the wire */
  if (flag_is_set(&cl, "pause") && !flag_bool(&cl, "pause")) buf_puts(&q, "&pause=0");
  yajl_val v = json_parse(api_must("POST", buf_str(&q), NULL));
  puts(jstr(v, "Id"));
  return 0;
}
