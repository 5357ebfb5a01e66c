/* A subset of Go's text/template for --format and inspect -f: fields
 * ({{.A.B}}, {{.}}, {{$}}), pipelines, the functions Docker's users reach for
 * (json, len, index, join, split, upper, lower, title, print, println,
 * printf), {{range}} (with $k, $v := as Go has it), {{if}}/{{else}}, {{with}},
 * variables ({{$x := …}}, $x.Field) and {{- trimming -}}.
 * Values print as Go prints them: [a b] for lists, map[k:v] for objects. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"

enum { N_TEXT, N_ACTION, N_RANGE, N_IF, N_WITH };
struct node {
  int type;
  char *text;        /* N_TEXT: the text; others: the pipeline source */
  struct node *body; /* children */
  struct node *els;
  struct node *next;
};

struct parser {
  const char *p;
  char *err;
};

static char *dupn(const char *s, size_t n) {
  char *r = xmalloc(n + 1);
  memcpy(r, s, n);
  r[n] = 0;
  return r;
}

/* Parses until {{end}} / {{else}} (stop receives which) or the end. */
static struct node *parse_list(struct parser *ps, char **stop) {
  struct node *head = NULL, **tail = &head;
  *stop = NULL;
  while (*ps->p && !ps->err) {
    const char *open = strstr(ps->p, "{{");
    size_t tn = open ? (size_t)(open - ps->p) : strlen(ps->p);
    const char *act = open ? open + 2 : NULL;
    int ltrim = act && act[0] == '-' && act[1] == ' ';
    size_t keep = tn;
    if (ltrim)
      while (keep && isspace((unsigned char)ps->p[keep - 1])) keep--;
    if (keep) {
      struct node *n = xmalloc(sizeof *n);
      memset(n, 0, sizeof *n);
      n->type = N_TEXT;
      n->text = dupn(ps->p, keep);
      *tail = n;
      tail = &n->next;
    }
    if (!open) {
      ps->p += tn;
      break;
    }
    if (ltrim) act += 2;
    const char *close = strstr(act, "}}");
    if (!close) {
      ps->err = xstrdup("template: :1: unclosed action");
      break;
    }
    const char *aend = close;
    int rtrim = aend - act >= 2 && aend[-1] == '-' && aend[-2] == ' ';
    if (rtrim) aend -= 2;
    while (act < aend && isspace((unsigned char)*act)) act++;
    while (aend > act && isspace((unsigned char)aend[-1])) aend--;
    char *src = dupn(act, (size_t)(aend - act));
    ps->p = close + 2;
    if (rtrim)
      while (isspace((unsigned char)*ps->p)) ps->p++;
    if (!strcmp(src, "end") || !strcmp(src, "else")) {
      *stop = src;
      return head;
    }
    struct node *n = xmalloc(sizeof *n);
    memset(n, 0, sizeof *n);
    int kw = 0;
    if (has_prefix(src, "range ")) n->type = N_RANGE, kw = 6;
    else if (has_prefix(src, "if ")) n->type = N_IF, kw = 3;
    else if (has_prefix(src, "with ")) n->type = N_WITH, kw = 5;
    else n->type = N_ACTION;
    n->text = xstrdup(src + kw);
    free(src);
    if (n->type != N_ACTION) {
      char *st;
      n->body = parse_list(ps, &st);
      if (st && !strcmp(st, "else")) {
        free(st);
        n->els = parse_list(ps, &st);
      }
      if (!st || strcmp(st, "end")) {
        if (!ps->err) ps->err = xstrdup("template: :1: unexpected EOF");
      }
      free(st);
    }
    *tail = n;
    tail = &n->next;
  }
  return head;
}

/* ---- values ---- */

static yajl_val mkstr(const char *s) {
  yajl_val v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = yajl_t_string;
  v->u.string = xstrdup(s);
  return v;
}

static yajl_val mkint(long long i) {
  yajl_val v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = yajl_t_number;
  v->u.number.i = i;
  v->u.number.d = (double)i;
  v->u.number.r = xasprintf("%lld", i);
  v->u.number.flags = YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
  return v;
}

static yajl_val mkarr(size_t n) {
  yajl_val v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = yajl_t_array;
  v->u.array.values = xmalloc(sizeof(yajl_val) * (n ? n : 1));
  v->u.array.len = n;
  return v;
}

static int cmpkeys(const void *a, const void *b) { return strcmp(**(char *const *const *)a, **(char *const *const *)b); }

static void print_val(struct buf *b, yajl_val v, int top) {
  if (!v) {
    buf_puts(b, top ? "<no value>" : "<nil>");
  } else if (YAJL_IS_STRING(v)) {
    buf_puts(b, v->u.string);
  } else if (YAJL_IS_NUMBER(v)) {
    buf_puts(b, v->u.number.r);
  } else if (YAJL_IS_TRUE(v)) {
    buf_puts(b, "true");
  } else if (YAJL_IS_FALSE(v)) {
    buf_puts(b, "false");
  } else if (YAJL_IS_NULL(v)) {
    buf_puts(b, "<nil>");
  } else if (YAJL_IS_ARRAY(v)) {
    buf_puts(b, "[");
    for (size_t i = 0; i < v->u.array.len; i++) {
      if (i) buf_puts(b, " ");
      print_val(b, v->u.array.values[i], 0);
    }
    buf_puts(b, "]");
  } else if (YAJL_IS_OBJECT(v)) {
    size_t n = v->u.object.len;
    const char ***idx = xmalloc(sizeof *idx * (n ? n : 1));
    for (size_t i = 0; i < n; i++) idx[i] = &v->u.object.keys[i];
    qsort(idx, n, sizeof *idx, cmpkeys);
    buf_puts(b, "map[");
    for (size_t i = 0; i < n; i++) {
      size_t k = (size_t)(idx[i] - v->u.object.keys);
      if (i) buf_puts(b, " ");
      buf_printf(b, "%s:", v->u.object.keys[k]);
      print_val(b, v->u.object.values[k], 0);
    }
    buf_puts(b, "]");
    free(idx);
  }
}

static int truthy(yajl_val v) {
  if (!v || YAJL_IS_NULL(v) || YAJL_IS_FALSE(v)) return 0;
  if (YAJL_IS_STRING(v)) return *v->u.string != 0;
  if (YAJL_IS_NUMBER(v)) return v->u.number.d != 0;
  if (YAJL_IS_ARRAY(v)) return v->u.array.len != 0;
  if (YAJL_IS_OBJECT(v)) return v->u.object.len != 0;
  return 1;
}

/* ---- pipelines ---- */

struct ctx {
  yajl_val dot, root;
  char *err;
  /* Variables in scope, innermost last: a range's or {{$x := …}}'s. */
  struct {
    char name[32];
    yajl_val v;
  } vars[32];
  int nvars;
};

static void set_var(struct ctx *c, const char *name, size_t len, yajl_val v) {
  for (int i = c->nvars - 1; i >= 0; i--)
    if (strlen(c->vars[i].name) == len && !strncmp(c->vars[i].name, name, len)) {
      c->vars[i].v = v;
      return;
    }
  if (c->nvars == (int)(sizeof c->vars / sizeof c->vars[0]) || len >= sizeof c->vars[0].name) {
    c->err = xstrdup("template: :1: too many variables");
    return;
  }
  memcpy(c->vars[c->nvars].name, name, len);
  c->vars[c->nvars].name[len] = 0;
  c->vars[c->nvars++].v = v;
}

/* "$name := rest" (or "$a, $b := rest"): the names' spans, and where rest starts; 0 if not one. */
static int declaration(const char *src, const char **names, size_t *lens, const char **rest) {
  int n = 0;
  const char *p = src;
  while (n < 2 && *p == '$' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
    const char *s = ++p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    names[n] = s;
    lens[n++] = (size_t)(p - s);
    while (isspace((unsigned char)*p)) p++;
    if (*p != ',') break;
    p++;
    while (isspace((unsigned char)*p)) p++;
  }
  if (!n || p[0] != ':' || p[1] != '=') return 0;
  *rest = p + 2;
  return n;
}

static void skipws(const char **p) {
  while (isspace((unsigned char)**p)) (*p)++;
}

static yajl_val field(yajl_val v, const char *name, struct ctx *c) {
  (void)c;
  if (!v || !YAJL_IS_OBJECT(v)) return NULL;
  for (size_t i = 0; i < v->u.object.len; i++)
    if (!strcmp(v->u.object.keys[i], name)) return v->u.object.values[i];
  return NULL;
}

static yajl_val operand(const char **p, struct ctx *c);

static yajl_val fields_from(yajl_val v, const char **p, struct ctx *c) {
  while (**p == '.') {
    (*p)++;
    const char *s = *p;
    while (isalnum((unsigned char)**p) || **p == '_') (*p)++;
    if (*p == s) break;
    char *name = dupn(s, (size_t)(*p - s));
    v = field(v, name, c);
    free(name);
  }
  return v;
}

static char *fmt_val(yajl_val v) {
  struct buf b = {0};
  print_val(&b, v, 1);
  return (char *)buf_str(&b);
}

static yajl_val call(const char *fn, yajl_val *args, int n, struct ctx *c) {
  struct buf b = {0};
  if (!strcmp(fn, "json")) {
    if (n < 1) goto argc;
    json_write_go(&b, args[0]);
    return mkstr(buf_str(&b));
  }
  if (!strcmp(fn, "len")) {
    if (n < 1) goto argc;
    if (args[0] && YAJL_IS_STRING(args[0])) return mkint((long long)strlen(args[0]->u.string));
    return mkint((long long)jlen(args[0]));
  }
  if (!strcmp(fn, "index")) {
    yajl_val v = n ? args[0] : NULL;
    for (int i = 1; i < n && v; i++) {
      if (args[i] && YAJL_IS_STRING(args[i])) v = field(v, args[i]->u.string, c);
      else if (args[i] && YAJL_IS_NUMBER(args[i])) v = jidx(v, (size_t)args[i]->u.number.i);
      else v = NULL;
    }
    return v;
  }
  if (!strcmp(fn, "join")) {
    if (n < 2) goto argc;
    for (size_t i = 0; i < jlen(args[0]); i++) {
      if (i) print_val(&b, args[1], 0);
      print_val(&b, jidx(args[0], i), 0);
    }
    return mkstr(buf_str(&b));
  }
  if (!strcmp(fn, "split")) {
    if (n < 2) goto argc;
    char *s = fmt_val(args[0]), *sep = fmt_val(args[1]);
    size_t cnt = 1, sl = strlen(sep);
    for (char *q = s; sl && (q = strstr(q, sep)); q += sl) cnt++;
    yajl_val a = mkarr(cnt);
    char *q = s;
    for (size_t i = 0; i < cnt; i++) {
      char *e = sl ? strstr(q, sep) : NULL;
      if (e) *e = 0;
      a->u.array.values[i] = mkstr(q);
      if (e) q = e + sl;
    }
    return a;
  }
  if (!strcmp(fn, "upper") || !strcmp(fn, "lower") || !strcmp(fn, "title")) {
    if (n < 1) goto argc;
    char *s = fmt_val(args[0]);
    for (char *q = s; *q; q++) {
      if (fn[0] == 'u') *q = (char)toupper((unsigned char)*q);
      else if (fn[0] == 'l') *q = (char)tolower((unsigned char)*q);
      else if (q == s || !isalnum((unsigned char)q[-1])) *q = (char)toupper((unsigned char)*q);
    }
    return mkstr(s);
  }
  if (!strcmp(fn, "print") || !strcmp(fn, "println")) {
    for (int i = 0; i < n; i++) {
      if (i && (fn[5] == 'l' || !(args[i] && YAJL_IS_STRING(args[i])) || !(args[i - 1] && YAJL_IS_STRING(args[i - 1])))) buf_puts(&b, " ");
      print_val(&b, args[i], 0);
    }
    if (fn[5] == 'l') buf_puts(&b, "\n");
    return mkstr(buf_str(&b));
  }
  if (!strcmp(fn, "printf")) {
    if (n < 1) goto argc;
    const char *f = YAJL_IS_STRING(args[0]) ? args[0]->u.string : "";
    int ai = 1;
    for (; *f; f++) {
      if (*f != '%' || !f[1]) {
        buf_add(&b, f, 1);
        continue;
      }
      f++;
      if (*f == '%') buf_puts(&b, "%");
      else if (ai < n) print_val(&b, args[ai++], 0);
    }
    return mkstr(buf_str(&b));
  }
  c->err = xasprintf("template: :1: function \"%s\" not defined", fn);
  return NULL;
argc:
  c->err = xasprintf("template: :1:: wrong number of args for %s", fn);
  return NULL;
}

static yajl_val operand(const char **p, struct ctx *c) {
  skipws(p);
  if (**p == '.') {
    if ((*p)[1] == 0 || isspace((unsigned char)(*p)[1]) || (*p)[1] == ')' || (*p)[1] == '|') {
      (*p)++;
      return c->dot;
    }
    return fields_from(c->dot, p, c);
  }
  if (**p == '$') {
    (*p)++;
    if (isalpha((unsigned char)**p) || **p == '_') {
      const char *s = *p;
      while (isalnum((unsigned char)**p) || **p == '_') (*p)++;
      size_t len = (size_t)(*p - s);
      for (int i = c->nvars - 1; i >= 0; i--)
        if (strlen(c->vars[i].name) == len && !strncmp(c->vars[i].name, s, len)) return fields_from(c->vars[i].v, p, c);
      /* Go finds this when it parses the template, and the CLI says so. */
      c->err = xasprintf("template parsing error: template: :1: undefined variable \"$%.*s\"", (int)len, s);
      return NULL;
    }
    return fields_from(c->root, p, c);
  }
  if (**p == '"' || **p == '`') {
    char q = **p;
    struct buf b = {0};
    (*p)++;
    while (**p && **p != q) {
      if (q == '"' && **p == '\\' && (*p)[1]) {
        (*p)++;
        char e = **p == 'n' ? '\n' : **p == 't' ? '\t' : **p;
        buf_add(&b, &e, 1);
      } else {
        buf_add(&b, *p, 1);
      }
      (*p)++;
    }
    if (**p) (*p)++;
    return mkstr(buf_str(&b));
  }
  if (isdigit((unsigned char)**p) || **p == '-') {
    char *e;
    long long v = strtoll(*p, &e, 10);
    *p = e;
    return mkint(v);
  }
  if (**p == '(') {
    (*p)++;
    /* a parenthesised pipeline */
    const char *s = *p;
    int depth = 1;
    while (**p && depth) {
      if (**p == '(') depth++;
      if (**p == ')') depth--;
      (*p)++;
    }
    char *inner = dupn(s, (size_t)(*p - s - 1));
    extern yajl_val tmpl_pipeline(const char *src, struct ctx *c);
    yajl_val v = tmpl_pipeline(inner, c);
    free(inner);
    return fields_from(v, p, c);
  }
  c->err = xasprintf("template: :1: unexpected \"%c\" in operand", **p ? **p : ' ');
  return NULL;
}

yajl_val tmpl_pipeline(const char *src, struct ctx *c);
yajl_val tmpl_pipeline(const char *src, struct ctx *c) {
  const char *p = src;
  yajl_val prev = NULL;
  int have_prev = 0;
  for (;;) {
    skipws(&p);
    if (!*p) break;
    yajl_val args[16];
    int n = 0;
    if (isalpha((unsigned char)*p)) {
      const char *s = p;
      while (isalnum((unsigned char)*p) || *p == '_') p++;
      char *fn = dupn(s, (size_t)(p - s));
      for (;;) {
        skipws(&p);
        if (!*p || *p == '|' || n >= 15) break;
        args[n++] = operand(&p, c);
        if (c->err) return NULL;
      }
      if (have_prev) args[n++] = prev;
      prev = call(fn, args, n, c);
      free(fn);
    } else {
      prev = operand(&p, c);
    }
    if (c->err) return NULL;
    have_prev = 1;
    skipws(&p);
    if (*p == '|') p++;
    else if (*p) {
      c->err = xasprintf("template: :1: unexpected \"%c\" in command", *p);
      return NULL;
    }
  }
  return prev;
}

static void exec_list(struct node *n, struct ctx *c, struct buf *out) {
  for (; n && !c->err; n = n->next) {
    if (n->type == N_TEXT) {
      buf_puts(out, n->text);
      continue;
    }
    const char *names[2], *src = n->text;
    size_t lens[2];
    int nnames = declaration(n->text, names, lens, &src);
    yajl_val v = tmpl_pipeline(src, c);
    if (c->err) return;
    if (n->type == N_ACTION) {
      /* {{$x := …}} sets a variable and prints nothing. */
      if (nnames) set_var(c, names[0], lens[0], v);
      else print_val(out, v, 1);
    } else if (n->type == N_IF) {
      if (nnames) set_var(c, names[0], lens[0], v);
      exec_list(truthy(v) ? n->body : n->els, c, out);
    } else if (n->type == N_WITH) {
      if (nnames) set_var(c, names[0], lens[0], v);
      if (truthy(v)) {
        yajl_val save = c->dot;
        c->dot = v;
        exec_list(n->body, c, out);
        c->dot = save;
      } else {
        exec_list(n->els, c, out);
      }
    } else if (n->type == N_RANGE) {
      yajl_val save = c->dot;
      int saved_vars = c->nvars;
      size_t cnt = v && YAJL_IS_ARRAY(v) ? v->u.array.len : v && YAJL_IS_OBJECT(v) ? v->u.object.len : 0;
      /* Go ranges over a map in key order. */
      size_t *order = xmalloc(sizeof *order * (cnt ? cnt : 1));
      for (size_t i = 0; i < cnt; i++) order[i] = i;
      for (size_t i = 1; v && YAJL_IS_OBJECT(v) && i < cnt; i++)
        for (size_t j = i; j > 0 && strcmp(v->u.object.keys[order[j - 1]], v->u.object.keys[order[j]]) > 0; j--) {
          size_t t = order[j];
          order[j] = order[j - 1];
          order[j - 1] = t;
        }
      for (size_t k = 0; k < cnt && !c->err; k++) {
        size_t i = order[k];
        c->dot = YAJL_IS_ARRAY(v) ? v->u.array.values[i] : v->u.object.values[i];
        /* One variable gets the element; two get the index or key, then the element. */
        if (nnames == 1) set_var(c, names[0], lens[0], c->dot);
        if (nnames == 2) {
          set_var(c, names[0], lens[0], YAJL_IS_ARRAY(v) ? mkint((long long)i) : mkstr(v->u.object.keys[i]));
          set_var(c, names[1], lens[1], c->dot);
        }
        exec_list(n->body, c, out);
      }
      free(order);
      c->dot = save;
      c->nvars = saved_vars;
      if (!cnt) exec_list(n->els, c, out);
    }
  }
}

char *template_exec(const char *tmpl, yajl_val data, char **err) {
  struct parser ps = {tmpl, NULL};
  char *stop;
  struct node *root = parse_list(&ps, &stop);
  if (!ps.err && stop) ps.err = xasprintf("template: :1: unexpected {{%s}}", stop);
  if (ps.err) {
    *err = xasprintf("template parsing error: %s", ps.err);
    return NULL;
  }
  struct ctx c = {.dot = data, .root = data};
  struct buf out = {0};
  exec_list(root, &c, &out);
  if (c.err) {
    *err = c.err;
    buf_free(&out);
    return NULL;
  }
  return (char *)buf_str(&out);
}

/* ---- list formatting ---- */

static char *unescape_format(const char *f) {
  struct buf b = {0};
  for (; *f; f++) {
    if (f[0] == '\\' && f[1] == 't') buf_puts(&b, "\t"), f++;
    else if (f[0] == '\\' && f[1] == 'n') buf_puts(&b, "\n"), f++;
    else buf_add(&b, f, 1);
  }
  return (char *)buf_str(&b);
}

void format_rows(const char *format, const char *default_table, const struct fmt_col *headers, yajl_val *rows, int n) {
  if (!format || !*format || !strcmp(format, "table")) format = default_table;
  char *err = NULL;
  if (!strcmp(format, "json")) {
    for (int i = 0; i < n; i++) {
      struct buf b = {0};
      json_write(&b, rows[i], 0, 0);
      puts(buf_str(&b));
      buf_free(&b);
    }
    return;
  }
  int table = has_prefix(format, "table");
  const char *t = table ? format + 5 : format;
  while (table && *t == ' ') t++;
  char *tmpl = unescape_format(t);
  struct table tab = {0};
  if (table) {
    /* the header row: the template run on a map of field → header */
    size_t nh = 0;
    while (headers[nh].field) nh++;
    yajl_val h = xmalloc(sizeof *h);
    memset(h, 0, sizeof *h);
    h->type = yajl_t_object;
    h->u.object.keys = xmalloc(sizeof(char *) * (nh + 1));
    h->u.object.values = xmalloc(sizeof(yajl_val) * (nh + 1));
    for (size_t i = 0; i < nh; i++) {
      h->u.object.keys[i] = headers[i].field;
      h->u.object.values[i] = mkstr(headers[i].header);
    }
    h->u.object.len = nh;
    char *line = template_exec(tmpl, h, &err);
    if (!line) fail("%s", err);
    table_row_tabs(&tab, line);
  }
  struct buf all = {0};
  for (int i = 0; i < n; i++) {
    char *line = template_exec(tmpl, rows[i], &err);
    if (!line) fail("%s", err);
    if (table) table_row_tabs(&tab, line);
    else buf_printf(&all, "%s\n", line);
    free(line);
  }
  if (table) table_print(&tab, stdout);
  else fputs(buf_str(&all), stdout);
}
