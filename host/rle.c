/* COCO run-length masks. */
#include "rle.h"

#include <stdlib.h>

/* pycocotools' quirk, kept for byte-equal strings: a count is stored as the
 * difference to the count two before it only from index 3 on (i > 2). */
int rle_from_string(const char *s, size_t len, uint32_t **cnts, size_t *m, Err *e) {
  *cnts = NULL;
  *m = 0;
  uint32_t *out = err_malloc(e, (len ? len : 1) * sizeof *out);
  if (!out) return -1;
  size_t n = 0, p = 0;
  while (p < len) {
    int64_t x = 0;
    int k = 0, more = 1;
    while (more) {
      if (p >= len) {
        free(out);
        return err_set(e, "RLE counts string ends in the middle of a number (at %zu)", p);
      }
      int c = (unsigned char)s[p] - 48;
      if (c < 0 || c > 63) {
        free(out);
        return err_set(e, "RLE counts string: character %zu is not in '0'..'o'", p);
      }
      if (k > 6) {
        free(out);
        return err_set(e, "RLE counts string: number too long at %zu", p);
      }
      x |= (int64_t)(c & 0x1f) << (5 * k);
      more = c & 0x20;
      p++;
      k++;
      if (!more && (c & 0x10)) x |= (int64_t)-1 * ((int64_t)1 << (5 * k));
    }
    if (n > 2) x += out[n - 2];
    if (x < 0 || x > UINT32_MAX) {
      free(out);
      return err_set(e, "RLE counts string: run %zu is %lld, outside 0..2^32-1", n, (long long)x);
    }
    out[n++] = (uint32_t)x;
  }
  *cnts = out;
  *m = n;
  return 0;
}

char *rle_to_string(const uint32_t *cnts, size_t m, Err *e) {
  char *s = err_malloc(e, m * 7 + 1);
  if (!s) return NULL;
  size_t p = 0;
  for (size_t i = 0; i < m; i++) {
    int64_t x = cnts[i];
    if (i > 2) x -= cnts[i - 2];
    int more = 1;
    while (more) {
      int c = (int)(x & 0x1f);
      x >>= 5;
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      s[p++] = (char)(c + 48);
    }
  }
  s[p] = '\0';
  return s;
}
