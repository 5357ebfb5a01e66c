/* export: a container's file system as a tar, to -o FILE or stdout (never to a terminal). */
#include <stdlib.h>
#include <unistd.h>

#include "docker.h"

int cmd_export(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "export", argc, argv, 1);
  args_exact(&cl, 1);
  const char *out = flag_str(&cl, "output");
  if (out && !*out) out = NULL;
  if (!out && isatty(STDOUT_FILENO)) fail("cowardly refusing to save to a terminal. Use the -o flag or redirect");
  struct buf q = {0};
  buf_puts(&q, "/containers/");
  buf_url(&q, cl.args[0]);
  buf_puts(&q, "/export");
  struct resp *r = api_request("GET", buf_str(&q), NULL);
  if (r->status >= 400) fail("Error response from daemon: %s", api_error_message(http_read_all(r, NULL)));
  return save_body(r, out, "export container");
}
