/* exec: create the exec, start it on a hijacked connection, return its status. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"

int cmd_exec(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "exec", argc, argv, 0);
  args_min(&cl, 2);
  int detach = flag_bool(&cl, "detach"), in = flag_bool(&cl, "interactive"), tty = flag_bool(&cl, "tty");
  if (tty && in && !isatty(STDIN_FILENO)) fail("the input device is not a TTY");
  struct buf b = {0};
  buf_puts(&b, "{\"User\":");
  buf_json_str(&b, flag_str(&cl, "user") ? flag_str(&cl, "user") : "");
  buf_printf(&b, ",\"Privileged\":%s,\"Tty\":%s,\"AttachStdin\":%s,\"AttachStderr\":%s,\"AttachStdout\":%s,\"Detach\":%s,\"Env\":[",
             flag_bool(&cl, "privileged") ? "true" : "false", tty ? "true" : "false", in && !detach ? "true" : "false",
             detach ? "false" : "true", detach ? "false" : "true", detach ? "true" : "false");
  int n;
  char **env = flag_list(&cl, "env", &n);
  for (int i = 0; i < n; i++) {
    if (i) buf_puts(&b, ",");
    buf_json_str(&b, env[i]);
  }
  buf_puts(&b, "],\"WorkingDir\":");
  buf_json_str(&b, flag_str(&cl, "workdir") ? flag_str(&cl, "workdir") : "");
  buf_puts(&b, ",\"Cmd\":[");
  for (int i = 1; i < cl.nargs; i++) {
    if (i > 1) buf_puts(&b, ",");
    buf_json_str(&b, cl.args[i]);
  }
  buf_puts(&b, "]}");
  yajl_val v = json_parse(api_must("POST", xasprintf("/containers/%s/exec", cl.args[0]), buf_str(&b)));
  const char *id = xstrdup(jstr(v, "Id"));
  char *start = xasprintf("{\"Detach\":%s,\"Tty\":%s}", detach ? "true" : "false", tty ? "true" : "false");
  if (detach) {
    free(api_must("POST", xasprintf("/exec/%s/start", id), start));
    return 0;
  }
  struct resp *r = api_request_new("POST", xasprintf("/exec/%s/start", id), start, 1);
  if (r->status >= 400) {
    char *m = api_error_message(http_read_all(r, NULL));
    fail_status(start_error_status(m) == 125 ? 1 : start_error_status(m), "Error response from daemon: %s", m);
  }
  if (tty && in && tty_raw(STDIN_FILENO) < 0) fail("failed to set the terminal to raw mode");
  if (tty && isatty(STDOUT_FILENO)) {
    tty_watch_resize(xasprintf("/exec/%s/resize", id));
    tty_resize_now();
  }
  int detached = stream_session(r, tty, in, tty && in);
  tty_restore();
  if (detached) return 0;
  yajl_val x = api_get_json(xasprintf("/exec/%s/json", id));
  return (int)jint(x, "ExitCode");
}
