/* Image references as the distribution/reference package normalizes them:
 * "busybox" → docker.io/library/busybox:latest, familiar "busybox". */
#include <ctype.h>
#include <string.h>

#include "docker.h"

int ref_parse(const char *s, struct ref *r) {
  memset(r, 0, sizeof *r);
  if (!*s || strlen(s) >= 400) return -1;
  char tmp[400];
  snprintf(tmp, sizeof tmp, "%s", s);
  char *at = strchr(tmp, '@');
  if (at) {
    snprintf(r->digest, sizeof r->digest, "%s", at + 1);
    *at = 0;
  }
  char *slash = strrchr(tmp, '/');
  char *colon = strrchr(tmp, ':');
  if (colon && (!slash || colon > slash)) {
    snprintf(r->tag, sizeof r->tag, "%s", colon + 1);
    *colon = 0;
    if (!*r->tag) return -1;
  }
  for (char *p = tmp; *p; p++)
    if (isupper((unsigned char)*p)) return -1;
  if (!*tmp) return -1;
  char *first = strchr(tmp, '/');
  int has_domain = first && (memchr(tmp, '.', (size_t)(first - tmp)) || memchr(tmp, ':', (size_t)(first - tmp)) ||
                              ((size_t)(first - tmp) == 9 && !strncmp(tmp, "localhost", 9)));
  if (has_domain) {
    snprintf(r->name, sizeof r->name, "%s", tmp);
    if (has_prefix(tmp, "docker.io/")) {
      const char *rest = tmp + 10;
      snprintf(r->familiar, sizeof r->familiar, "%s", has_prefix(rest, "library/") && !strchr(rest + 8, '/') ? rest + 8 : rest);
    } else {
      snprintf(r->familiar, sizeof r->familiar, "%s", tmp);
    }
  } else if (first) {
    snprintf(r->name, sizeof r->name, "docker.io/%s", tmp);
    snprintf(r->familiar, sizeof r->familiar, "%s", tmp);
  } else {
    snprintf(r->name, sizeof r->name, "docker.io/library/%s", tmp);
    snprintf(r->familiar, sizeof r->familiar, "%s", tmp);
  }
  return 0;
}

/* The distribution/reference error for an invalid s, as the CLI prints it. */
const char *ref_error(const char *s) {
  char low[400];
  snprintf(low, sizeof low, "%s", s);
  int upper = 0;
  for (char *p = low; *p && *p != ':' && *p != '@'; p++)
    if (isupper((unsigned char)*p)) {
      *p = (char)tolower((unsigned char)*p);
      upper = 1;
    }
  struct ref r;
  if (upper && ref_parse(low, &r) == 0) {
    /* the name as it was given, with docker.io/library/ shortened to library/ */
    char name[400];
    snprintf(name, sizeof name, "%s", s);
    char *cut = strpbrk(name, ":@");
    if (cut) *cut = 0;
    return xasprintf("invalid reference format: repository name (%s%s) must be lowercase", strchr(name, '/') ? "" : "library/", name);
  }
  return "invalid reference format";
}
