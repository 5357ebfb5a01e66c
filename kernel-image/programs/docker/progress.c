/* jsonmessage rendering, as the CLI's DisplayJSONMessagesStream: on a
 * terminal each layer keeps its own line, updated in place with cursor
 * moves and a progress bar; otherwise only the status lines, no bars. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"

struct ids {
  char id[64][80];
  int n;
};

static int line_of(struct ids *ids, const char *id) {
  for (int i = 0; i < ids->n; i++)
    if (!strcmp(ids->id[i], id)) return i;
  return -1;
}

static char *progress_string(yajl_val m, int width) {
  long long cur = jint(m, "progressDetail.current"), total = jint(m, "progressDetail.total");
  const char *units = jstr(m, "progressDetail.units");
  if (cur <= 0 && total <= 0) return xstrdup("");
  if (total <= 0) {
    if (*units) return xasprintf("%lld %s", cur, units);
    char *h = human_size((double)cur, 4), *s = xasprintf("%8s", h);
    return s;
  }
  struct buf b = {0};
  int pct = (int)((double)cur / (double)total * 100) / 2;
  if (pct > 50) pct = 50;
  if (width > 110) {
    buf_puts(&b, "[");
    for (int i = 0; i < pct; i++) buf_puts(&b, "=");
    buf_puts(&b, ">");
    for (int i = pct; i < 50; i++) buf_puts(&b, " ");
    buf_puts(&b, "] ");
  }
  if (!jbool(m, "progressDetail.hidecounts")) {
    if (*units) {
      buf_printf(&b, "%lld/%lld %s", cur, total, units);
    } else {
      char *c = human_size((double)cur, 4), *t = human_size((double)total, 4);
      if (cur > total) buf_printf(&b, "%8s", c);
      else buf_printf(&b, "%8s/%s", c, t);
    }
  }
  long long start = jint(m, "progressDetail.start");
  if (cur > 0 && start > 0 && pct < 50 && width > 50) {
    long long from = (long long)time(NULL) - start;
    long long left = (long long)((double)(total - cur) * ((double)from / (double)cur));
    buf_printf(&b, " %s", go_duration(left));
  }
  return (char *)buf_str(&b);
}

char *progress_display(struct resp *r, FILE *out, int out_fd) { return progress_display_ex(r, out, out_fd, NULL, NULL); }

char *progress_display_ex(struct resp *r, FILE *out, int out_fd, int *code, char **aux_id) {
  int term = isatty(out_fd);
  int width = 80;
  struct winsize ws;
  if (term && ioctl(out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col) width = ws.ws_col;
  struct ids ids = {.n = 0};
  struct buf pending = {0};
  char chunk[4096];
  char *error = NULL;
  for (;;) {
    ssize_t k = http_read(r, chunk, sizeof chunk);
    if (k < 0) return xstrdup("unexpected EOF");
    if (k > 0) buf_add(&pending, chunk, (size_t)k);
    char *nl;
    while (pending.len && ((nl = memchr(pending.p, '\n', pending.len)) || k == 0)) {
      size_t n = nl ? (size_t)(nl - pending.p) : pending.len;
      char *line = xmalloc(n + 1);
      memcpy(line, pending.p, n);
      line[n] = 0;
      memmove(pending.p, pending.p + n + (nl ? 1 : 0), pending.len - n - (nl ? 1 : 0));
      pending.len -= n + (nl ? 1 : 0);
      yajl_val m = json_parse(line);
      free(line);
      if (!m) continue;
      if (jget(m, "errorDetail") || *jstr(m, "error")) {
        const char *e = jstr(m, "errorDetail.message");
        error = xstrdup(*e ? e : jstr(m, "error"));
        if (code) *code = (int)jint(m, "errorDetail.code");
        yajl_tree_free(m);
        continue;
      }
      if (jget(m, "aux")) {
        if (aux_id && *jstr(m, "aux.ID")) *aux_id = xstrdup(jstr(m, "aux.ID"));
        yajl_tree_free(m);
        continue;
      }
      const char *id = jstr(m, "id");
      yajl_val prog = jget(m, "progressDetail");
      int has_prog = prog != NULL && !YAJL_IS_NULL(prog);
      const char *pmsg = jstr(m, "progress");
      int diff = 0;
      if (*id && (has_prog || *pmsg)) {
        int line_no = line_of(&ids, id);
        if (line_no < 0 && ids.n < 64) {
          line_no = ids.n;
          snprintf(ids.id[ids.n++], sizeof ids.id[0], "%s", id);
          if (term) fputs("\n", out);
        }
        if (line_no < 0) line_no = ids.n - 1;
        diff = ids.n - line_no;
        if (term && diff) fprintf(out, "\x1b[%dA", diff);
      } else {
        ids.n = 0;
      }
      char *ps = has_prog ? progress_string(m, width) : xstrdup("");
      const char *endl = "";
      const char *stream = jstr(m, "stream");
      int skip = 0;
      if (term && !*stream && has_prog) {
        fputs("\x1b[2K\r", out);
        endl = "\r";
      } else if (has_prog && *ps) {
        skip = 1;
      }
      if (!skip) {
        if (*id) fprintf(out, "%s: ", id);
        const char *from = jstr(m, "from");
        if (*from) fprintf(out, "(from %s) ", from);
        const char *status = jstr(m, "status");
        if (has_prog && term) fprintf(out, "%s %s%s", status, ps, endl);
        else if (*pmsg) fprintf(out, "%s %s%s", status, pmsg, endl);
        else if (*stream) fprintf(out, "%s%s", stream, endl);
        else fprintf(out, "%s%s\n", status, endl);
      }
      free(ps);
      if (*id && term && diff) fprintf(out, "\x1b[%dB", diff);
      fflush(out);
      yajl_tree_free(m);
    }
    if (k == 0) break;
  }
  buf_free(&pending);
  return error;
}
