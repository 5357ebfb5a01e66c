/* docker: global flags, then the command. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

const char *g_cmd = "docker";
int g_err_style_run;

static void vfail(int status, const char *fmt, va_list ap) __attribute__((noreturn));
static void vfail(int status, const char *fmt, va_list ap) {
  fflush(stdout);
  if (g_err_style_run) fputs("docker: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  if (g_err_style_run) {
    fprintf(stderr, "\nRun '%s --help' for more information\n", g_cmd);
    exit(status ? status : 125);
  }
  exit(status ? status : 1);
}

void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(0, fmt, ap);
}

void fail_status(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(status, fmt, ap);
}

struct command {
  const char *name;
  cmd_fn fn;
  int run_style;
};

static const struct command top[] = {
  {"run", cmd_run, 1}, {"create", cmd_create, 1}, {"start", cmd_start, 0}, {"stop", cmd_stop, 0},
  {"restart", cmd_restart, 0}, {"kill", cmd_kill, 0}, {"rm", cmd_rm, 0}, {"ps", cmd_ps, 0},
  {"logs", cmd_logs, 0}, {"exec", cmd_exec, 0}, {"attach", cmd_attach, 0}, {"images", cmd_images, 0},
  {"pull", cmd_pull, 0}, {"push", cmd_push, 0}, {"tag", cmd_tag, 0}, {"rmi", cmd_rmi, 0},
  {"inspect", cmd_inspect, 0}, {"history", cmd_history, 0}, {"version", cmd_version, 0},
  {"info", cmd_info, 0}, {"top", cmd_top, 0}, {"port", cmd_port, 0}, {"wait", cmd_wait, 0},
  {"rename", cmd_rename, 0}, {"build", cmd_build, 0}, {"commit", cmd_commit, 0}, {"save", cmd_save, 0},
  {"load", cmd_load, 0}, {"export", cmd_export, 0}, {"import", cmd_import, 0}, {"pause", cmd_pause, 0},
  {"unpause", cmd_unpause, 0}, {"diff", cmd_diff, 0}, {"update", cmd_update, 0}, {"stats", cmd_stats, 0},
  {"cp", cmd_cp, 0}, {NULL, NULL, 0},
};

static const struct command container[] = {
  {"run", cmd_run, 1}, {"create", cmd_create, 1}, {"start", cmd_start, 0}, {"stop", cmd_stop, 0},
  {"restart", cmd_restart, 0}, {"kill", cmd_kill, 0}, {"rm", cmd_rm, 0}, {"ls", cmd_ps, 0},
  {"ps", cmd_ps, 0}, {"list", cmd_ps, 0}, {"logs", cmd_logs, 0}, {"exec", cmd_exec, 0},
  {"attach", cmd_attach, 0}, {"inspect", cmd_container_inspect, 0}, {"top", cmd_top, 0},
  {"port", cmd_port, 0}, {"wait", cmd_wait, 0}, {"rename", cmd_rename, 0},
  {"prune", cmd_container_prune, 0}, {"commit", cmd_commit, 0}, {"export", cmd_export, 0}, {"pause", cmd_pause, 0},
  {"unpause", cmd_unpause, 0}, {"diff", cmd_diff, 0}, {"update", cmd_update, 0}, {"stats", cmd_stats, 0},
  {"cp", cmd_cp, 0}, {NULL, NULL, 0},
};

static const struct command image[] = {
  {"ls", cmd_images, 0}, {"list", cmd_images, 0}, {"pull", cmd_pull, 0}, {"push", cmd_push, 0},
  {"tag", cmd_tag, 0}, {"rm", cmd_rmi, 0}, {"remove", cmd_rmi, 0}, {"inspect", cmd_image_inspect, 0},
  {"history", cmd_history, 0}, {"prune", cmd_image_prune, 0}, {"build", cmd_build, 0}, {"save", cmd_save, 0},
  {"load", cmd_load, 0}, {"import", cmd_import, 0}, {NULL, NULL, 0},
};

static const struct command systemc[] = {
  {"df", cmd_system_df, 0}, {"info", cmd_info, 0}, {"prune", cmd_system_prune, 0}, {NULL, NULL, 0},
};

static const struct command *find(const struct command *t, const char *name) {
  for (; t->name; t++)
    if (strcmp(t->name, name) == 0) return t;
  return NULL;
}

static void unknown(const char *group, const char *name) __attribute__((noreturn));
static void unknown(const char *group, const char *name) {
  if (*group)
    fprintf(stderr, "docker: unknown command: docker %s %s\n\nUsage:  docker %s\n\nRun 'docker %s --help' for more information\n", group, name,
            group, group);
  else
    fprintf(stderr, "docker: unknown command: docker %s\n\nRun 'docker --help' for more information\n", name);
  exit(1);
}

/* A management command ("container", "image", "system"): its own table. */
static int group(const char *name, const struct command *t, int argc, char **argv) {
  if (argc == 0 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
    fputs(usage_find(name)->text, argc ? stdout : stderr); /* bare: on stderr, as cobra does */
    return 0;
  }
  if (argv[0][0] == '-') {
    fprintf(stderr, "unknown flag: %s\nSee 'docker %s --help'.\n", argv[0], name);
    return 125;
  }
  const struct command *c = find(t, argv[0]);
  if (!c) unknown(name, argv[0]);
  g_cmd = xasprintf("docker %s %s", name, argv[0]);
  g_err_style_run = c->run_style;
  return c->fn(argc - 1, argv + 1);
}

int main(int argc, char **argv) {
  struct cmdline cl;
  parse_flags(&cl, "", argc - 1, argv + 1, 0);
  if (flag_bool(&cl, "version")) {
    printf("Docker version %s, build slipway\n", CLIENT_VERSION);
    return 0;
  }
  int nh;
  char **hosts = flag_list(&cl, "host", &nh);
  if (nh > 1) {
    fputs("Specify only one -H\n", stderr);
    return 1;
  }
  api_set_host(nh ? hosts[nh - 1] : NULL);
  if (cl.nargs == 0) {
    fputs(usage_find("")->text, stdout);
    return 0;
  }
  const char *name = cl.args[0];
  int rest = cl.nargs - 1;
  char **rargs = cl.args + 1;
  if (!strcmp(name, "help")) {
    if (rest && usage_find(rargs[0])) fputs(usage_find(rargs[0])->text, stdout);
    else fputs(usage_find("")->text, stdout);
    return 0;
  }
  if (!strcmp(name, "container")) return group("container", container, rest, rargs);
  if (!strcmp(name, "image")) return group("image", image, rest, rargs);
  if (!strcmp(name, "system")) return group("system", systemc, rest, rargs);
  if (!strcmp(name, "network")) {
    g_cmd = "docker network";
    return cmd_network(rest, rargs);
  }
  if (!strcmp(name, "volume")) {
    g_cmd = "docker volume";
    return cmd_volume(rest, rargs);
  }
  const struct command *c = find(top, name);
  if (!c) unknown("", name);
  g_cmd = xasprintf("docker %s", name);
  g_err_style_run = c->run_style;
  return c->fn(rest, rargs);
}
