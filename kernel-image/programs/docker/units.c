/* go-units and time formatting as the Docker CLI prints them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docker.h"

static const char *decimal[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
static const char *binary[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

static char *custom_size(const char *fmt, double size, double base, const char **map) {
  int i = 0;
  while (size >= base && i < 8) {
    size /= base;
    i++;
  }
  return xasprintf(fmt, size, map[i]);
}

char *human_size(double size, int precision) {
  char fmt[16];
  snprintf(fmt, sizeof fmt, "%%.%dg%%s", precision);
  return custom_size(fmt, size, 1000.0, decimal);
}

char *bytes_size(double size) { return custom_size("%.4g%s", size, 1024.0, binary); }

char *human_duration(long long s) {
  if (s < 1) return xstrdup("Less than a second");
  if (s == 1) return xstrdup("1 second");
  if (s < 60) return xasprintf("%lld seconds", s);
  long long m = s / 60;
  if (m == 1) return xstrdup("About a minute");
  if (m < 60) return xasprintf("%lld minutes", m);
  long long h = (long long)((double)s / 3600.0 + 0.5);
  if (h == 1) return xstrdup("About an hour");
  if (h < 48) return xasprintf("%lld hours", h);
  if (h < 24 * 7 * 2) return xasprintf("%lld days", h / 24);
  if (h < 24 * 30 * 2) return xasprintf("%lld weeks", h / 24 / 7);
  if (h < 24 * 365 * 2) return xasprintf("%lld months", h / 24 / 30);
  return xasprintf("%lld years", s / 3600 / 24 / 365);
}

int parse_ram(const char *s, long long *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || !isdigit((unsigned char)*s)) return -1;
  if (*end == ' ') end++;
  double mul = 1;
  switch (tolower((unsigned char)*end)) {
  case 'k': mul = 1024.0; end++; break;
  case 'm': mul = 1024.0 * 1024; end++; break;
  case 'g': mul = 1024.0 * 1024 * 1024; end++; break;
  case 't': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
  case 'p': mul = 1024.0 * 1024 * 1024 * 1024 * 1024; end++; break;
  }
  if (*end == 'i' || *end == 'I') end++;
  if (*end == 'b' || *end == 'B') end++;
  if (*end) return -1;
  *out = (long long)(v * mul);
  return 0;
}

char *go_duration(long long s) {
  if (s == 0) return xstrdup("0s");
  if (s < 60) return xasprintf("%llds", s);
  if (s < 3600) return xasprintf("%lldm%llds", s / 60, s % 60);
  return xasprintf("%lldh%lldm%llds", s / 3600, s / 60 % 60, s % 60);
}

long long parse_time_rfc3339(const char *s) {
  struct tm tm = {0};
  const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (!p) return -1;
  long long t = (long long)timegm(&tm);
  if (*p == '.')
    for (p++; isdigit((unsigned char)*p); p++) {
    }
  if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    int hh = atoi(p + 1), mm = p[3] == ':' ? atoi(p + 4) : 0;
    t -= sign * (hh * 3600 + mm * 60);
  }
  return t;
}

int display_width(const char *s) {
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xc0) != 0x80) n++;
  return n;
}

/* Docker's formatter.Ellipsis: at most max display cells, ending in "…". */
char *ellipsis(const char *s, int max) {
  if (display_width(s) <= max) return xstrdup(s);
  struct buf b = {0};
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p & 0xc0) != 0x80 && ++n > max - 1) break;
    buf_add(&b, p, 1);
  }
  buf_puts(&b, "\xe2\x80\xa6");
  return b.p;
}

char *time_since(long long t) {
  char *d = human_duration((long long)time(NULL) - t);
  char *s = xasprintf("%s ago", d);
  free(d);
  return s;
}

char *time_local(long long t) {
  time_t tt = (time_t)t;
  struct tm tm;
  char b[64];
  localtime_r(&tt, &tm);
  strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return xstrdup(b);
}
