/* JSON through yajl's tree: parse, walk dotted paths, write back (compact or
 * indented like Go's json.Indent). */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

yajl_val json_parse(const char *s) {
  char err[256];
  return yajl_tree_parse(s, err, sizeof err);
}

yajl_val jget(yajl_val v, const char *path) {
  if (!path || !*path) return v;
  char key[256];
  while (v && *path) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    if (n >= sizeof key) return NULL;
    memcpy(key, path, n);
    key[n] = 0;
    path += n + (dot ? 1 : 0);
    if (!YAJL_IS_OBJECT(v)) return NULL;
    yajl_val next = NULL;
    for (size_t i = 0; i < v->u.object.len; i++)
      if (strcmp(v->u.object.keys[i], key) == 0) {
        next = v->u.object.values[i];
        break;
      }
    v = next;
  }
  return v;
}

const char *jstr(yajl_val v, const char *path) {
  v = jget(v, path);
  return v && YAJL_IS_STRING(v) ? v->u.string : "";
}

long long jint(yajl_val v, const char *path) {
  v = jget(v, path);
  if (!v || !YAJL_IS_NUMBER(v)) return 0;
  return YAJL_IS_INTEGER(v) ? v->u.number.i : (long long)v->u.number.d;
}

double jnum(yajl_val v, const char *path) {
  v = jget(v, path);
  if (!v || !YAJL_IS_NUMBER(v)) return 0;
  return v->u.number.d;
}

int jbool(yajl_val v, const char *path) {
  v = jget(v, path);
  return v && YAJL_IS_TRUE(v);
}

size_t jlen(yajl_val v) {
  if (v && YAJL_IS_ARRAY(v)) return v->u.array.len;
  if (v && YAJL_IS_OBJECT(v)) return v->u.object.len;
  return 0;
}

yajl_val jidx(yajl_val v, size_t i) { return v && YAJL_IS_ARRAY(v) && i < v->u.array.len ? v->u.array.values[i] : NULL; }

static void newline(struct buf *b, int indent, int level) {
  buf_add(b, "\n", 1);
  for (int i = 0; i < indent * level; i++) buf_add(b, " ", 1);
}

void json_write(struct buf *b, yajl_val v, int indent, int level) {
  if (!v || YAJL_IS_NULL(v)) {
    buf_puts(b, "null");
  } else if (YAJL_IS_TRUE(v)) {
    buf_puts(b, "true");
  } else if (YAJL_IS_FALSE(v)) {
    buf_puts(b, "false");
  } else if (YAJL_IS_NUMBER(v)) {
    buf_puts(b, v->u.number.r);
  } else if (YAJL_IS_STRING(v)) {
    buf_json_str(b, v->u.string);
  } else if (YAJL_IS_ARRAY(v)) {
    buf_add(b, "[", 1);
    for (size_t i = 0; i < v->u.array.len; i++) {
      if (i) buf_add(b, ",", 1);
      if (indent) newline(b, indent, level + 1);
      json_write(b, v->u.array.values[i], indent, level + 1);
    }
    if (indent && v->u.array.len) newline(b, indent, level);
    buf_add(b, "]", 1);
  } else if (YAJL_IS_OBJECT(v)) {
    buf_add(b, "{", 1);
    for (size_t i = 0; i < v->u.object.len; i++) {
      if (i) buf_add(b, ",", 1);
      if (indent) newline(b, indent, level + 1);
      buf_json_str(b, v->u.object.keys[i]);
      buf_add(b, indent ? ": " : ":", indent ? 2 : 1);
      json_write(b, v->u.object.values[i], indent, level + 1);
    }
    if (indent && v->u.object.len) newline(b, indent, level);
    buf_add(b, "}", 1);
  }
}

/* Does this object look like a Go map rather than a struct? A struct's keys
 * are exported Go names (Capitalised identifiers); a map's are anything. */
static int go_map(yajl_val v) {
  for (size_t i = 0; i < v->u.object.len; i++) {
    const char *k = v->u.object.keys[i];
    if (!(*k >= 'A' && *k <= 'Z')) return 1;
    for (; *k; k++)
      if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_')) return 1;
  }
  return 0;
}

static const char *const *sort_keys_base;
static int by_key_index(const void *a, const void *b) {
  return strcmp(sort_keys_base[*(const size_t *)a], sort_keys_base[*(const size_t *)b]);
}

/* As the template's json function (Go's encoding/json on the CLI's decoded
 * value): compact, maps with their keys sorted, structs in their order. */
void json_write_go(struct buf *b, yajl_val v) {
  if (v && YAJL_IS_ARRAY(v)) {
    buf_add(b, "[", 1);
    for (size_t i = 0; i < v->u.array.len; i++) {
      if (i) buf_add(b, ",", 1);
      json_write_go(b, v->u.array.values[i]);
    }
    buf_add(b, "]", 1);
    return;
  }
  if (!v || !YAJL_IS_OBJECT(v)) {
    json_write(b, v, 0, 0);
    return;
  }
  size_t n = v->u.object.len;
  size_t *order = xmalloc(sizeof *order * (n ? n : 1));
  for (size_t i = 0; i < n; i++) order[i] = i;
  if (go_map(v)) {
    sort_keys_base = (const char *const *)v->u.object.keys;
    qsort(order, n, sizeof *order, by_key_index);
  }
  buf_add(b, "{", 1);
  for (size_t i = 0; i < n; i++) {
    if (i) buf_add(b, ",", 1);
    buf_json_str(b, v->u.object.keys[order[i]]);
    buf_add(b, ":", 1);
    json_write_go(b, v->u.object.values[order[i]]);
  }
  buf_add(b, "}", 1);
  free(order);
}

yajl_val jobj_new(void) {
  yajl_val v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = yajl_t_object;
  return v;
}

void jobj_put(yajl_val o, const char *k, yajl_val v) {
  size_t n = o->u.object.len;
  o->u.object.keys = xrealloc(o->u.object.keys, sizeof(char *) * (n + 1));
  o->u.object.values = xrealloc(o->u.object.values, sizeof(yajl_val) * (n + 1));
  o->u.object.keys[n] = xstrdup(k);
  o->u.object.values[n] = v;
  o->u.object.len = n + 1;
}

void jobj_set(yajl_val o, const char *k, const char *s) {
  yajl_val v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = yajl_t_string;
  v->u.string = xstrdup(s);
  jobj_put(o, k, v);
}

const char *short_id(const char *id, char *out) {
  if (has_prefix(id, "sha256:")) id += 7;
  snprintf(out, 13, "%s", id);
  return out;
}

char *filters_json(char **f, int n) {
  /* {"key":{"value":true,…},…} with repeated keys merged */
  struct buf b = {0};
  buf_puts(&b, "{");
  int *done = xmalloc(sizeof(int) * (size_t)(n + 1));
  memset(done, 0, sizeof(int) * (size_t)(n + 1));
  int first = 1;
  for (int i = 0; i < n; i++) {
    char *eq = strchr(f[i], '=');
    if (!eq) fail("bad format of filter (expected name=value)");
    if (done[i]) continue;
    size_t kl = (size_t)(eq - f[i]);
    char *key = xasprintf("%.*s", (int)kl, f[i]);
    if (!first) buf_puts(&b, ",");
    first = 0;
    buf_json_str(&b, key);
    buf_puts(&b, ":{");
    for (int j = i, fv = 1; j < n; j++) {
      if (strncmp(f[j], key, kl) || f[j][kl] != '=') continue;
      done[j] = 1;
      if (!fv) buf_puts(&b, ",");
      fv = 0;
      buf_json_str(&b, f[j] + kl + 1);
      buf_puts(&b, ":true");
    }
    buf_puts(&b, "}");
    free(key);
  }
  buf_puts(&b, "}");
  free(done);
  return (char *)buf_str(&b);
}
