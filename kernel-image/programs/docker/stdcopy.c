/* Docker's multiplexed stream: frames of an 8-byte header (stream 0/1/2,
 * three zero bytes, big-endian length) followed by that many bytes. */
#include <string.h>

#include "docker.h"

int stdcopy_feed(struct stdcopy *s, const char *p, size_t n, int out_fd, int err_fd) {
  while (n) {
    if (s->left == 0) {
      size_t k = 8 - (size_t)s->hlen;
      if (k > n) k = n;
      memcpy(s->hdr + s->hlen, p, k);
      s->hlen += (int)k;
      p += k;
      n -= k;
      if (s->hlen < 8) return 0;
      s->hlen = 0;
      s->stream = s->hdr[0];
      s->left = (size_t)s->hdr[4] << 24 | (size_t)s->hdr[5] << 16 | (size_t)s->hdr[6] << 8 | s->hdr[7];
      continue;
    }
    size_t k = s->left < n ? s->left : n;
    if (write_all(s->stream == 2 ? err_fd : out_fd, p, k) < 0) return -1;
    s->left -= k;
    p += k;
    n -= k;
  }
  return 0;
}
