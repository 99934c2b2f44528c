/* Label Studio brush masks <-> COCO runs. */
#include "labelstudio_brush.h"

#include <stdlib.h>
#include <string.h>

#include "confine.h"

typedef struct Bits {
  const uint8_t *b;
  size_t n, pos;     /* pos in bits */
} Bits;

/* Reads k (<= 32) bits, most significant first; -1 when the stream ends. */
static int64_t bits_read(Bits *s, int k) {
  if (s->pos + (size_t)k > s->n * 8) return -1;
  uint64_t v = 0;
  for (int i = 0; i < k; i++, s->pos++)
    v = (v << 1) | ((s->b[s->pos >> 3] >> (7 - (s->pos & 7))) & 1u);
  return (int64_t)v;
}

/* Column-major COCO runs of a row-major h x w bitmap. */
static int bitmap_runs(const uint8_t *bm, uint32_t w, uint32_t h, uint32_t **runs, size_t *nruns, Err *e) {
  size_t cap = 64, n = 0;
  uint32_t *r = err_malloc(e, cap * sizeof *r);
  if (!r) return -1;
  uint8_t cur = 0;
  uint32_t len = 0;
  for (uint32_t x = 0; x < w; x++) {
    for (uint32_t y = 0; y < h; y++) {
      uint8_t v = bm[(size_t)y * w + x];
      if (v != cur) {
        if (n + 1 >= cap) {
          uint32_t *q = err_realloc(e, r, cap * 2, sizeof *r);
          if (!q) {
            free(r);
            return -1;
          }
          r = q;
          cap *= 2;
        }
        r[n++] = len;
        len = 0;
        cur = v;
      }
      len++;
    }
  }
  r[n++] = len;
  *runs = r;
  *nruns = n;
  return 0;
}

int labelstudio_brush_decode(const uint8_t *bytes, size_t n, uint32_t w, uint32_t h, uint32_t **runs,
                   size_t *nruns, Err *e) {
  Bits s = {bytes, n, 0};
  int64_t num = bits_read(&s, 32), ws = bits_read(&s, 5);
  int sizes[4];
  for (int k = 0; k < 4; k++) sizes[k] = (int)bits_read(&s, 4) + 1;
  if (num < 0 || ws < 0 || sizes[3] == 0) return err_set(e, "brush RLE: header cut short");
  ws += 1;
  if ((uint64_t)num != (uint64_t)w * h * 4)
    return err_set(e, "brush RLE: %lld values, expected width x height x 4 = %llu", (long long)num,
                   (unsigned long long)((uint64_t)w * h * 4));
  if (confine_reserve((size_t)w * h, e) != 0) return -1;   /* a few bytes of runs may declare a huge image */
  uint8_t *bm = err_calloc(e, (size_t)w * h > 0 ? (size_t)w * h : 1, 1);
  if (!bm) return -1;
  uint64_t i = 0;
  while (i < (uint64_t)num) {
    int64_t x = bits_read(&s, 1), idx = bits_read(&s, 2), cnt = idx < 0 ? -1 : bits_read(&s, sizes[idx]);
    if (x < 0 || cnt < 0) goto cut;
    uint64_t j = i + 1 + (uint64_t)cnt;
    if (j > (uint64_t)num) {
      free(bm);
      return err_set(e, "brush RLE: a run passes the end of the image");
    }
    if (x) {
      int64_t v = bits_read(&s, (int)ws);
      if (v < 0) goto cut;
      if (v)
        for (uint64_t k = i + (7 - i % 4) % 4; k < j; k += 4) bm[k / 4] = 1;   /* alpha: k % 4 == 3 */
      i = j;
    } else {
      for (; i < j; i++) {
        int64_t v = bits_read(&s, (int)ws);
        if (v < 0) goto cut;
        if (i % 4 == 3 && v) bm[i / 4] = 1;
      }
    }
  }
  int rc = bitmap_runs(bm, w, h, runs, nruns, e);
  free(bm);
  return rc;
cut:
  free(bm);
  return err_set(e, "brush RLE: the stream ends before the image does");
}

typedef struct BitOut {
  uint8_t *b;
  size_t n, cap, pos;
} BitOut;

static int put_bits(BitOut *o, uint64_t v, int k, Err *e) {
  for (int i = k - 1; i >= 0; i--, o->pos++) {
    if ((o->pos >> 3) >= o->cap) {
      uint8_t *q = err_realloc(e, o->b, o->cap * 2, 1);
      if (!q) return -1;
      memset(q + o->cap, 0, o->cap);
      o->b = q;
      o->cap *= 2;
    }
    if ((v >> i) & 1u) o->b[o->pos >> 3] |= (uint8_t)(0x80u >> (o->pos & 7));
  }
  return 0;
}

/* One series of len equal values v, split into runs of at most 2^16. */
static int put_series(BitOut *o, uint64_t len, unsigned v, Err *e) {
  static const int sizes[4] = {3, 4, 8, 16};
  while (len > 0) {
    uint64_t chunk = len > 65536 ? 65536 : len;
    int k = 0;
    while (chunk - 1 >= (1ull << sizes[k])) k++;
    if (put_bits(o, 1, 1, e) || put_bits(o, (uint64_t)k, 2, e) || put_bits(o, chunk - 1, sizes[k], e) ||
        put_bits(o, v, 8, e))
      return -1;
    len -= chunk;
  }
  return 0;
}

int labelstudio_brush_encode(const uint32_t *runs, size_t nruns, uint32_t h, uint32_t w, uint8_t **bytes,
                   size_t *n, Err *e) {
  uint64_t total = (uint64_t)w * h;
  if (total * 4 > UINT32_MAX) return err_set(e, "brush RLE: image of %u x %u too large", w, h);
  uint8_t *bm = err_calloc(e, total ? total : 1, 1);
  if (!bm) return -1;
  uint64_t p = 0;                      /* column-major runs into a row-major bitmap */
  for (size_t r = 0; r < nruns && p < total; r++) {
    for (uint64_t k = 0; k < runs[r] && p < total; k++, p++)
      if (r % 2) bm[(p % h) * w + p / h] = 1;
  }
  BitOut o = {NULL, 0, 64, 0};
  if (!(o.b = err_calloc(e, o.cap, 1))) {
    free(bm);
    return -1;
  }
  int rc = put_bits(&o, total * 4, 32, e) || put_bits(&o, 7, 5, e) || put_bits(&o, 2, 4, e) ||
           put_bits(&o, 3, 4, e) || put_bits(&o, 7, 4, e) || put_bits(&o, 15, 4, e);
  for (uint64_t i = 0; !rc && i < total;) {
    uint64_t j = i;
    while (j < total && bm[j] == bm[i]) j++;
    rc = put_series(&o, (j - i) * 4, bm[i] ? 255 : 0, e);
    i = j;
  }
  free(bm);
  if (rc) {
    free(o.b);
    return -1;
  }
  *bytes = o.b;
  *n = (o.pos + 7) / 8;
  return 0;
}
