/* diff and update: a container's file changes, and its limits changed in place. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

int cmd_diff(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "diff", argc, argv, 1);
  args_exact(&cl, 1);
  if (!*cl.args[0]) fail("Container name cannot be empty");
  yajl_val v = api_get_json(xasprintf("/containers/%s/changes", cl.args[0]));
  for (size_t i = 0; i < jlen(v); i++) {
    yajl_val ch = jidx(v, i);
    long long k = jint(ch, "Kind");
    printf("%s %s\n", k == 0 ? "C" : k == 1 ? "A" : k == 2 ? "D" : "", jstr(ch, "Path"));
  }
  return 0;
}

int cmd_update(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "update", argc, argv, 1);
  args_min(&cl, 1);
  long long memory = flag_ram(&cl, "memory", 0), swap = flag_ram(&cl, "memory-swap", 1);
  long long reservation = flag_ram(&cl, "memory-reservation", 0);
  long long pids = flag_int(&cl, "pids-limit"), shares = flag_int(&cl, "cpu-shares");
  long long period = flag_int(&cl, "cpu-period"), quota = flag_int(&cl, "cpu-quota");
  long long blkio = flag_int(&cl, "blkio-weight");
  long long nanocpus = flag_nanocpus(&cl, "cpus");
  int nset = 0;
  for (int i = 0; i < cl.nflags; i++) nset += cl.flags[i].set != 0;
  if (!nset) fail("you must provide one or more flags when using this command");
  const char *restart = flag_str(&cl, "restart");
  char *rname = NULL;
  long rmax = 0;
  if (restart && *restart) {
    rname = xstrdup(restart);
    char *colon = strchr(rname, ':');
    if (colon) {
      *colon = 0;
      if (!*rname) fail("invalid restart policy format: no policy provided before colon");
      if (colon[1]) {
        char *end;
        rmax = strtol(colon + 1, &end, 10);
        if (*end) fail("invalid restart policy format: maximum retry count must be an integer");
      }
    }
  }
  struct buf b = {0};
  buf_printf(&b, "{\"BlkioWeight\":%lld,\"CpuShares\":%lld,\"Memory\":%lld,\"NanoCpus\":%lld,\"CpuPeriod\":%lld,\"CpuQuota\":%lld", blkio, shares,
             memory, nanocpus, period, quota);
  buf_printf(&b, ",\"MemoryReservation\":%lld,\"MemorySwap\":%lld", reservation, swap);
  if (pids) buf_printf(&b, ",\"PidsLimit\":%lld", pids);
  buf_puts(&b, ",\"RestartPolicy\":{\"Name\":");
  buf_json_str(&b, rname ? rname : "");
  buf_printf(&b, ",\"MaximumRetryCount\":%ld}}", rmax);
  struct buf errs = {0}, warns = {0};
  for (int i = 0; i < cl.nargs; i++) {
    char *out;
    int st = api_call("POST", xasprintf("/containers/%s/update", cl.args[i]), buf_str(&b), &out);
    if (st >= 400) {
      buf_printf(&errs, "%sError response from daemon: %s", errs.len ? "\n" : "", api_error_message(out));
      continue;
    }
    puts(cl.args[i]);
    yajl_val v = json_parse(out);
    yajl_val w = jget(v, "Warnings");
    for (size_t k = 0; k < jlen(w); k++) buf_printf(&warns, "%s%s", warns.len ? "\n" : "", jidx(w, k)->u.string);
  }
  if (warns.len) puts(buf_str(&warns));
  if (errs.len) fail("%s", buf_str(&errs));
  return 0;
}
