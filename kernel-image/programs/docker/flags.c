/* Flag parsing with pflag's semantics over the flag tables generated from
 * the real CLI's help (usage.c): combined shorthands (-it), attached values
 * (-p80:80, --name=x, -e=K=V), bools with =false, "--" to end flags. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

const struct usage *usage_find(const char *cmd) {
  for (const struct usage *u = usages; u->cmd; u++)
    if (strcmp(u->cmd, cmd) == 0) return u;
  return NULL;
}

void print_usage_line(FILE *f, const struct usage *u) {
  if (!*u->cmd) {
    fputs("Usage:  docker [OPTIONS] COMMAND [ARG...]\n", f);
    return;
  }
  const char *nl = strchr(u->text, '\n');
  fprintf(f, "%.*s\n", (int)(nl ? nl - u->text : (long)strlen(u->text)), u->text);
}

static void usage_error(struct cmdline *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void usage_error(struct cmdline *cl, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\n\n", stderr);
  print_usage_line(stderr, cl->u);
  fprintf(stderr, "\nRun 'docker %s%s--help' for more information\n", cl->u->cmd, *cl->u->cmd ? " " : "");
  exit(125);
}

void flag_invalid(struct cmdline *cl, const char *name, const char *val, const char *why) {
  struct flag *f = flag_get(cl, name);
  char spec[64];
  if (f && f->shorthand) snprintf(spec, sizeof spec, "-%c, --%s", f->shorthand, f->name);
  else snprintf(spec, sizeof spec, "--%s", name);
  usage_error(cl, "invalid argument \"%s\" for \"%s\" flag: %s", val, spec, why);
}

long long flag_int(struct cmdline *cl, const char *name) {
  const char *s = flag_str(cl, name);
  if (!s) return 0;
  char *end;
  long long v = strtoll(s, &end, 10);
  if (*end || end == s) flag_invalid(cl, name, s, xasprintf("strconv.ParseInt: parsing \"%s\": invalid syntax", s));
  return v;
}

long long flag_ram(struct cmdline *cl, const char *name, int allow_minus1) {
  const char *s = flag_str(cl, name);
  long long v = 0;
  if (!s) return 0;
  if (allow_minus1 && !strcmp(s, "-1")) return -1;
  if (parse_ram(s, &v) < 0) flag_invalid(cl, name, s, xasprintf("invalid size: '%s'", s));
  return v;
}

long long flag_nanocpus(struct cmdline *cl, const char *name) {
  const char *s = flag_str(cl, name);
  if (!s) return 0;
  char *end;
  double v = strtod(s, &end);
  if (*end || end == s) flag_invalid(cl, name, s, xasprintf("failed to parse %s as a rational number", s));
  return (long long)(v * 1e9 + 0.5);
}

static void load_flags(struct cmdline *cl) {
  const char *p = cl->u->flags;
  cl->nflags = 0;
  while (*p && cl->nflags < (int)(sizeof cl->flags / sizeof cl->flags[0])) {
    struct flag *f = &cl->flags[cl->nflags++];
    memset(f, 0, sizeof *f);
    if (*p != ':') f->shorthand = *p++;
    p++; /* ':' */
    const char *colon = strchr(p, ':');
    snprintf(f->name, sizeof f->name, "%.*s", (int)(colon - p), p);
    p = colon + 1;
    const char *end = strchr(p, ' ');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    snprintf(f->type, sizeof f->type, "%.*s", (int)n, p);
    p += n;
    while (*p == ' ') p++;
    f->kind = strcmp(f->type, "bool") == 0 ? FLAG_BOOL : FLAG_VALUE;
  }
}

struct flag *flag_get(struct cmdline *cl, const char *name) {
  for (int i = 0; i < cl->nflags; i++)
    if (strcmp(cl->flags[i].name, name) == 0) return &cl->flags[i];
  return NULL;
}

static struct flag *flag_short(struct cmdline *cl, char c) {
  for (int i = 0; i < cl->nflags; i++)
    if (cl->flags[i].shorthand == c) return &cl->flags[i];
  return NULL;
}

int flag_bool(struct cmdline *cl, const char *name) {
  struct flag *f = flag_get(cl, name);
  return f && f->set && f->bval;
}

int flag_is_set(struct cmdline *cl, const char *name) {
  struct flag *f = flag_get(cl, name);
  return f && f->set;
}

const char *flag_str(struct cmdline *cl, const char *name) {
  struct flag *f = flag_get(cl, name);
  return f && f->set ? f->val : NULL;
}

char **flag_list(struct cmdline *cl, const char *name, int *n) {
  struct flag *f = flag_get(cl, name);
  *n = f && f->set ? f->nlist : 0;
  return f ? f->list : NULL;
}

static void help(struct cmdline *cl) {
  fputs(cl->u->text, stdout);
  exit(0);
}

static void set_value(struct cmdline *cl, struct flag *f, const char *v) {
  f->set = 1;
  if (f->kind == FLAG_BOOL) {
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "t") || !strcmp(v, "T") || !strcmp(v, "TRUE") || !strcmp(v, "True"))
      f->bval = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "f") || !strcmp(v, "F") || !strcmp(v, "FALSE") || !strcmp(v, "False"))
      f->bval = 0;
    else {
      char why[300];
      snprintf(why, sizeof why, "strconv.ParseBool: parsing \"%s\": invalid syntax", v);
      flag_invalid(cl, f->name, v, why);
    }
    return;
  }
  f->val = (char *)v;
  f->list = xrealloc(f->list, sizeof(char *) * (size_t)(f->nlist + 1));
  f->list[f->nlist++] = (char *)v;
}

void parse_flags(struct cmdline *cl, const char *cmd, int argc, char **argv, int interspersed) {
  memset(cl, 0, sizeof *cl);
  cl->u = usage_find(cmd);
  if (!cl->u) {
    fprintf(stderr, "docker: no usage for %s\n", cmd);
    exit(125);
  }
  load_flags(cl);
  int has_h = flag_short(cl, 'h') != NULL;
  cl->args = xmalloc(sizeof(char *) * (size_t)(argc + 1));
  int i = 0;
  for (; i < argc; i++) {
    char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[0] != '-' || a[1] == 0) {
      if (!interspersed) break;
      cl->args[cl->nargs++] = a;
      continue;
    }
    if (a[1] == '-') {
      char *name = a + 2, *eq = strchr(name, '=');
      char nm[64];
      snprintf(nm, sizeof nm, "%.*s", (int)(eq ? eq - name : (long)strlen(name)), name);
      if (strcmp(nm, "help") == 0) help(cl);
      struct flag *f = flag_get(cl, nm);
      if (!f) usage_error(cl, "unknown flag: --%s", nm);
      if (eq) set_value(cl, f, eq + 1);
      else if (f->kind == FLAG_BOOL) set_value(cl, f, "true");
      else if (i + 1 < argc) set_value(cl, f, argv[++i]);
      else usage_error(cl, "flag needs an argument: --%s", nm);
      continue;
    }
    for (char *p = a + 1; *p; p++) {
      struct flag *f = flag_short(cl, *p);
      if (!f) {
        if (*p == 'h' && !has_h) help(cl);
        usage_error(cl, "unknown shorthand flag: '%c' in %s", *p, a);
      }
      if (f->kind == FLAG_BOOL) {
        if (p[1] == '=') {
          set_value(cl, f, p + 2);
          break;
        }
        set_value(cl, f, "true");
        continue;
      }
      if (p[1] == '=') set_value(cl, f, p + 2);
      else if (p[1]) set_value(cl, f, p + 1);
      else if (i + 1 < argc) set_value(cl, f, argv[++i]);
      else usage_error(cl, "flag needs an argument: '%c' in %s", *p, a);
      break;
    }
  }
  for (; i < argc; i++) cl->args[cl->nargs++] = argv[i];
  cl->args[cl->nargs] = NULL;
}

static void args_error(struct cmdline *cl, const char *see, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
static void args_error(struct cmdline *cl, const char *see, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "docker: '%s' ", g_cmd ? g_cmd : "docker");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\n\n", stderr);
  print_usage_line(stderr, cl->u);
  fprintf(stderr, "\n%s 'docker %s --help' for more information\n", see, cl->u->cmd);
  exit(1);
}

static const char *plural(int n) { return n == 1 ? "argument" : "arguments"; }

void args_exact(struct cmdline *cl, int n) {
  if (cl->nargs != n) args_error(cl, "Run", "requires %d %s", n, plural(n));
}
void args_min(struct cmdline *cl, int n) {
  if (cl->nargs < n) args_error(cl, "See", "requires at least %d %s", n, plural(n));
}
void args_range(struct cmdline *cl, int min, int max) {
  if (cl->nargs < min || cl->nargs > max) args_error(cl, "Run", "requires at least %d and at most %d %s", min, max, plural(max));
}
void args_none(struct cmdline *cl) {
  if (cl->nargs) args_error(cl, "Run", "accepts no arguments");
}
