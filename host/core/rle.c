/* COCO run-length masks: the compressed-string codec and pycocotools' mask API. */
#include "rle.h"

#include "confine.h"
#include "geometry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The compressed string (pycocotools' rleFrString): each run in 6-bit groups,
 * least significant first, char = group + 48, bit 0x20 of a group meaning more
 * follow, bit 0x10 of the last the sign. pycocotools' quirk, kept for byte-equal
 * strings: a run is stored as the difference to the run two before it only from
 * index 3 on (i > 2). */

/* The decoder the messages come from: the first fault in s, said as a user can
 * find it. Called only for a string the fast decoder refused. */
static int string_fault(const char *s, size_t len, Err *e) {
  const unsigned char *q = (const unsigned char *)s, *end = q + len;
  size_t n = 0;
  int64_t back2 = 0, back1 = 0;     /* runs n - 2 and n - 1 */
  while (q < end) {
    uint32_t c = (uint32_t)*q++ - 48u;
    if (c > 63) goto bad_char;
    int64_t x = c & 0x1f;
    int sh = 5;
    while (c & 0x20) {
      if (q >= end) return err_set(e, "RLE counts string ends in the middle of a number (at %zu)", len);
      c = (uint32_t)*q++ - 48u;
      if (c > 63) goto bad_char;
      if (sh > 30)
        return err_set(e, "RLE counts string: number too long at %zu", (size_t)(q - 1 - (const unsigned char *)s));
      x |= (int64_t)(c & 0x1f) << sh;
      sh += 5;
    }
    if (c & 0x10) x |= (int64_t)-1 * ((int64_t)1 << sh);
    if (n > 2) x += back2;
    if (x < 0 || x > UINT32_MAX)
      return err_set(e, "RLE counts string: run %zu is %lld, outside 0..2^32-1", n, (long long)x);
    n++;
    back2 = back1;
    back1 = x;
  }
  return err_set(e, "RLE counts string: not decodable");   /* not reached: the fast decoder agreed */
bad_char:
  return err_set(e, "RLE counts string: character %zu is not in '0'..'o'", (size_t)(q - 1 - (const unsigned char *)s));
}

/* A run that fits one character, by byte, plus 17: '0'..'?' are 0..15, '@'..'O'
 * -16..-1 (bit 0x10: negative); 0 for the rest, the first of several or a fault. */
static const uint8_t one_char[256] = {
  [48] = 17, [49] = 18, [50] = 19, [51] = 20, [52] = 21, [53] = 22, [54] = 23, [55] = 24,
  [56] = 25, [57] = 26, [58] = 27, [59] = 28, [60] = 29, [61] = 30, [62] = 31, [63] = 32, [64] = 1,
  [65] = 2, [66] = 3, [67] = 4, [68] = 5, [69] = 6, [70] = 7, [71] = 8, [72] = 9, [73] = 10,
  [74] = 11, [75] = 12, [76] = 13, [77] = 14, [78] = 15, [79] = 16,
};

/* How many of the 8 bytes at q, from the first, are runs of one character
 * ('0'..'O'), by words: a byte is one unless it is over 0x7f, under 0x30 (adding
 * 0x50 leaves its top bit clear) or over 0x4f (adding 0x30 sets it). */
static inline unsigned leading_single(const unsigned char *q) {
  uint64_t w;
  memcpy(&w, q, 8);
  const uint64_t top = 0x8080808080808080ull, low = w & 0x7f7f7f7f7f7f7f7full;
  uint64_t other = (w | ~(low + 0x5050505050505050ull) | (low + 0x3030303030303030ull)) & top;
  if (!other) return 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
  return (unsigned)__builtin_ctzll(other) / 8;
#else
  unsigned k = 0;
  while (k < 8 && one_char[q[k]]) k++;
  return k;
#endif
}

/* Decodes s: runs into out when keep (room for len), their count into *m and
 * their total into *sum; -1 when s has a fault (string_fault says which). Most
 * runs, stored as the difference to the run two before, fit one character: they
 * are found eight bytes at a time and taken with no check of their own, for a
 * run out of 0..2^32-1 (negative ones included) sets a bit above 31 in bad,
 * tested once at the end. The two runs before are kept in registers, so checking
 * (keep 0) needs no array. */
static inline int string_decode(const char *s, size_t len, uint32_t *out, int keep, size_t *m, uint64_t *sum) {
  const unsigned char *q = (const unsigned char *)s, *end = q + len;
  uint64_t total = 0, bad = 0;
  int64_t back2 = 0, back1 = 0;     /* runs n - 2 and n - 1 */
  size_t n = 0;
  while (q < end) {
    if (n > 2 && end - q >= 8) {   /* the quirk: runs 0..2 are not differences */
      unsigned k = leading_single(q);
      for (unsigned i = 0; i < k; i++) {
        int64_t x = (int64_t)one_char[q[i]] - 17 + back2;
        bad |= (uint64_t)x;
        total += (uint64_t)x;
        if (keep) out[n + i] = (uint32_t)x;
        back2 = back1;
        back1 = x;
      }
      q += k;
      n += k;
      if (k == 8) continue;
    }
    /* one run, of any length */
    uint32_t c = (uint32_t)*q++ - 48u;
    if (c > 63) return -1;
    uint64_t u = c & 0x1f;
    unsigned sh = 5;
    while (c & 0x20) {
      if (q >= end || sh > 30) return -1;                   /* ends mid-run; an eighth group */
      c = (uint32_t)*q++ - 48u;
      if (c > 63) return -1;
      u |= (uint64_t)(c & 0x1f) << sh;
      sh += 5;
    }
    if (c & 0x10) u |= ~(uint64_t)0 << sh;
    int64_t x = (int64_t)u;
    if (n > 2) x += back2;
    bad |= (uint64_t)x;
    if (keep) out[n] = (uint32_t)x;
    n++;
    total += (uint64_t)x;
    back2 = back1;
    back1 = x;
  }
  if (bad >> 32) return -1;
  *m = n;
  *sum = total;
  return 0;
}

int rle_from_string(const char *s, size_t len, uint32_t **cnts, size_t *m, Err *e) {
  uint64_t sum;
  *cnts = NULL;
  *m = 0;
  uint32_t *out = err_malloc(e, (len ? len : 1) * sizeof *out);
  if (!out) return -1;
  if (string_decode(s, len, out, 1, m, &sum) != 0) {
    free(out);
    *m = 0;
    return string_fault(s, len, e);
  }
  *cnts = out;
  return 0;
}

int rle_string_check(const char *s, size_t len, size_t *m, uint64_t *sum, Err *e) {
  *m = 0;
  *sum = 0;
  return string_decode(s, len, NULL, 0, m, sum) == 0 ? 0 : string_fault(s, len, e);
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

void rle_free(Rle *r) {
  free(r->cnts);
  r->cnts = NULL;
  r->m = 0;
}

/* Sums the runs; h * w must fit 32-bit runs and equal the sum. */
int rle_check(const Rle *r, Err *e) {
  uint64_t px = (uint64_t)r->h * r->w, sum = 0;
  if (px > RLE_MAX_PIXELS)
    return err_set(e, "mask of %u x %u pixels is over the limit of 2^32 - 1", r->h, r->w);
  for (size_t j = 0; j < r->m; j++) sum += r->cnts[j];
  if (sum != px)
    return err_set(e, "mask runs sum to %llu, not h * w = %u * %u = %llu",
                   (unsigned long long)sum, r->h, r->w, (unsigned long long)px);
  return 0;
}

/* Sets r to h x w with m counts copied from cnts (or left for the caller when
 * cnts is NULL). */
static int rle_init(Rle *r, uint32_t h, uint32_t w, size_t m, const uint32_t *cnts, Err *e) {
  r->h = h;
  r->w = w;
  r->m = m;
  r->cnts = err_malloc(e, (m ? m : 1) * sizeof *r->cnts);
  if (!r->cnts) {
    r->m = 0;
    return -1;
  }
  if (cnts && m) memcpy(r->cnts, cnts, m * sizeof *cnts);
  return 0;
}

/* rleEncode: counts the runs first, so the counts are allocated once. */
int rle_encode(const uint8_t *mask, uint32_t h, uint32_t w, Rle *r, Err *e) {
  uint64_t a = (uint64_t)h * w;
  if (a > RLE_MAX_PIXELS) return err_set(e, "mask of %u x %u pixels is too large", h, w);
  size_t k = 0;
  uint8_t p = 0;
  for (uint64_t j = 0; j < a; j++)
    if (mask[j] != p) {
      k++;
      p = mask[j];
    }
  if (rle_init(r, h, w, k + 1, NULL, e) != 0) return -1;
  uint32_t c = 0;
  k = 0;
  p = 0;
  for (uint64_t j = 0; j < a; j++) {
    if (mask[j] != p) {
      r->cnts[k++] = c;
      c = 0;
      p = mask[j];
    }
    c++;
  }
  r->cnts[k] = c;
  return 0;
}

/* rleDecode, refusing runs that overrun the mask instead of writing past it. */
int rle_decode(const Rle *r, uint8_t *mask, Err *e) {
  uint64_t s = (uint64_t)r->h * r->w, c = 0;
  uint8_t v = 0;
  for (size_t j = 0; j < r->m; j++) {
    if (r->cnts[j] > s - c) return err_set(e, "invalid RLE: the runs overrun the %u x %u mask", r->h, r->w);
    memset(mask + c, v, r->cnts[j]);
    c += r->cnts[j];
    v = !v;
  }
  memset(mask + c, 0, s - c);
  return 0;
}

/* Merges a (m runs in ac) with b into out (room for a.m + b.m runs), as the
 * inner loop of rleMerge. Returns the merged run count, or -1 when the runs do
 * not cover the same pixels. */
static long merge_two(const uint32_t *ac, size_t am, const uint32_t *bc, size_t bm, int intersect,
                      uint32_t *out) {
  uint32_t ca = ac[0], cb = bc[0], cc = 0, c;
  int v = 0, va = 0, vb = 0, vp;
  size_t a = 1, b = 1, m = 0;
  uint64_t ct = 1;
  while (ct > 0) {
    if ((ca == 0 && a >= am) != (cb == 0 && b >= bm)) return -1;
    c = ca < cb ? ca : cb;
    cc += c;
    ct = 0;
    ca -= c;
    if (!ca && a < am) { ca = ac[a++]; va = !va; }
    ct += ca;
    cb -= c;
    if (!cb && b < bm) { cb = bc[b++]; vb = !vb; }
    ct += cb;
    vp = v;
    v = intersect ? (va && vb) : (va || vb);
    if (v != vp || ct == 0) {
      out[m++] = cc;
      cc = 0;
    }
  }
  return (long)m;
}

/* rleMerge: folds the masks in one by one between two buffers sized for the
 * worst case (the sum of the run counts), not h * w as maskApi.c. */
int rle_merge(const Rle *rs, size_t n, int intersect, Rle *out, Err *e) {
  if (n == 0) return rle_init(out, 0, 0, 0, NULL, e);
  uint32_t h = rs[0].h, w = rs[0].w;
  if (n == 1) return rle_init(out, h, w, rs[0].m, rs[0].cnts, e);
  size_t cap = rs[0].m, m = rs[0].m;
  for (size_t i = 1; i < n; i++) cap += rs[i].m;
  uint32_t *cur = err_malloc(e, (cap + 1) * sizeof *cur), *nxt = err_malloc(e, (cap + 1) * sizeof *nxt);
  if (!cur || !nxt) {
    free(cur);
    free(nxt);
    return -1;
  }
  if (m) memcpy(cur, rs[0].cnts, m * sizeof *cur);
  for (size_t i = 1; i < n; i++) {
    if (rs[i].h != h || rs[i].w != w) {
      h = w = 0;
      m = 0;
      break;
    }
    if (m == 0 || rs[i].m == 0) {
      free(cur);
      free(nxt);
      return err_set(e, "merge: mask %zu has no runs", m == 0 ? (size_t)0 : i);
    }
    long k = merge_two(cur, m, rs[i].cnts, rs[i].m, intersect, nxt);
    if (k < 0) {
      free(cur);
      free(nxt);
      return err_set(e, "merge: the runs of mask %zu do not cover the same pixels as the others", i);
    }
    m = (size_t)k;
    uint32_t *t = cur;
    cur = nxt;
    nxt = t;
  }
  free(nxt);
  out->h = h;
  out->w = w;
  out->m = m;
  out->cnts = cur;
  return 0;
}

uint64_t rle_area(const Rle *r) {
  uint64_t a = 0;
  for (size_t j = 1; j < r->m; j += 2) a += r->cnts[j];
  return a;
}

/* Carries row t (may be past h) into columns: a few subtractions for the usual
 * short runs, one division for long ones. */
static inline uint32_t carry_row(uint64_t t, uint32_t h, uint32_t *col) {
  if (t >= 4 * (uint64_t)h) {
    *col += (uint32_t)(t / h);
    return (uint32_t)(t % h);
  }
  while (t >= h) {
    t -= h;
    (*col)++;
  }
  return (uint32_t)t;
}

uint64_t rle_area_sum(const Rle *r, uint64_t *sum) {
  uint64_t a = 0, b = 0;
  size_t j = 0;
  for (; j + 1 < r->m; j += 2) {
    b += r->cnts[j];
    a += r->cnts[j + 1];
  }
  if (j < r->m) b += r->cnts[j];
  *sum = a + b;
  return a;
}

/* rleToBbox, unsigned arithmetic and all, without its two divisions per run:
 * the column and row of the current position are carried along instead. */
void rle_to_bbox(const Rle *r, double bb[4]) {
  uint32_t h = r->h, w = r->w, xs = w, ys = h, xe = 0, ye = 0;
  size_t m = (r->m / 2) * 2;
  if (m == 0 || h == 0) {
    bb[0] = bb[1] = bb[2] = bb[3] = 0;
    return;
  }
  uint32_t col = 0, row = 0;     /* where the next run starts */
  for (size_t j = 0; j < m; j++) {
    uint32_t c = r->cnts[j];
    if (j % 2 == 0 || c == 0) {
      row = carry_row((uint64_t)row + c, h, &col);
      continue;
    }
    uint32_t x_start = col, y_start = row;
    uint32_t y_end = carry_row((uint64_t)row + c - 1, h, &col), x_end = col;   /* its last pixel */
    row = carry_row((uint64_t)y_end + 1, h, &col);
    if (x_start < xs) xs = x_start;
    if (x_end > xe) xe = x_end;
    if (x_start < x_end) {
      ys = 0;
      ye = h - 1;
    } else {
      if (y_start < ys) ys = y_start;
      if (y_end > ye) ye = y_end;
    }
  }
  bb[0] = xs;
  bb[2] = (uint32_t)(xe - xs + 1);
  bb[1] = ys;
  bb[3] = (uint32_t)(ye - ys + 1);
}

/* Pixels in both masks (same size, runs covering the same pixels): the walk of
 * rleIou. -1 on mismatched runs. */
static int64_t rle_inter(const Rle *A, const Rle *B) {
  if (A->m == 0 || B->m == 0) return A->m == B->m ? 0 : -1;
  uint32_t ca = A->cnts[0], cb = B->cnts[0], c;
  size_t a = 1, b = 1, ka = A->m, kb = B->m;
  int va = 0, vb = 0;
  uint64_t i = 0, ct = 1;
  while (ct > 0) {
    if ((ca == 0 && a >= ka) != (cb == 0 && b >= kb)) return -1;
    c = ca < cb ? ca : cb;
    if (va && vb) i += c;
    ct = 0;
    ca -= c;
    if (!ca && a < ka) { ca = A->cnts[a++]; va = !va; }
    ct += ca;
    cb -= c;
    if (!cb && b < kb) { cb = B->cnts[b++]; vb = !vb; }
    ct += cb;
  }
  return (int64_t)i;
}

/* The walk of rleIou, for masks of the same size. */
int rle_intersection(const Rle *a, const Rle *b, uint64_t *n, Err *e) {
  int64_t i = a->h == b->h && a->w == b->w ? rle_inter(a, b) : -1;
  if (i < 0) return err_set(e, "intersection: the two masks do not cover the same pixels");
  *n = (uint64_t)i;
  return 0;
}

int rle_iou_pair(const Rle *dt, const double dbb[4], uint64_t darea, const Rle *gt,
                 const double gbb[4], uint64_t garea, int crowd, double *iou, Err *e) {
  *iou = geom_box_iou(dbb, gbb, crowd);
  if (!(*iou > 0)) return 0;
  if (dt->h != gt->h || dt->w != gt->w) {
    *iou = -1;
    return 0;
  }
  int64_t i = rle_inter(dt, gt);
  if (i < 0) return err_set(e, "IoU: the two masks' runs do not cover the same pixels");
  /* rleIou's u is the union count; with runs covering h * w it is darea + garea - i */
  uint64_t u = i == 0 ? 1 : crowd ? darea : darea + garea - (uint64_t)i;
  *iou = (double)(uint32_t)i / (double)(uint32_t)u;
  return 0;
}

int rle_iou(const Rle *dt, size_t nd, const Rle *gt, size_t ng, const uint8_t *crowd,
            double *o, Err *e) {
  double *db = err_malloc(e, (nd * 4 + 1) * sizeof *db), *gb = err_malloc(e, (ng * 4 + 1) * sizeof *gb);
  uint64_t *da = err_malloc(e, (nd + 1) * sizeof *da), *ga = err_malloc(e, (ng + 1) * sizeof *ga);
  int rc = -1;
  if (!db || !gb || !da || !ga) goto done;
  for (size_t d = 0; d < nd; d++) {
    rle_to_bbox(&dt[d], db + 4 * d);
    da[d] = rle_area(&dt[d]);
  }
  for (size_t g = 0; g < ng; g++) {
    rle_to_bbox(&gt[g], gb + 4 * g);
    ga[g] = rle_area(&gt[g]);
  }
  for (size_t d = 0; d < nd; d++)
    for (size_t g = 0; g < ng; g++)
      if (rle_iou_pair(&dt[d], db + 4 * d, da[d], &gt[g], gb + 4 * g, ga[g], crowd && crowd[g],
                       &o[d * ng + g], e) != 0)
        goto done;
  rc = 0;
done:
  free(db);
  free(gb);
  free(da);
  free(ga);
  return rc;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t c = *(const uint32_t *)a, d = *(const uint32_t *)b;
  return c > d ? 1 : c < d ? -1 : 0;
}

/* Sorts the m keys a[j] = x[j] * h + y[j] ascending (what maskApi.c's qsort
 * does): a counting sort by column x, then by key within each column, which
 * holds few points. tmp has room for m keys. */
static int sort_keys(uint32_t *a, const int *x, size_t m, uint32_t *tmp, Err *e) {
  if (m < 2) return 0;
  int xmin = x[0], xmax = x[0];
  for (size_t j = 1; j < m; j++) {
    if (x[j] < xmin) xmin = x[j];
    if (x[j] > xmax) xmax = x[j];
  }
  size_t range = (size_t)(xmax - xmin) + 1;
  size_t *start = err_calloc(e, range + 1, sizeof *start);
  if (!start) return -1;
  for (size_t j = 0; j < m; j++) start[x[j] - xmin + 1]++;
  for (size_t c = 1; c <= range; c++) start[c] += start[c - 1];
  for (size_t j = 0; j < m; j++) tmp[start[x[j] - xmin]++] = a[j];
  for (size_t c = 0, lo = 0; c < range; lo = start[c++]) {
    size_t hi = start[c];
    if (hi - lo > 32) {
      qsort(tmp + lo, hi - lo, sizeof *tmp, cmp_u32);
      continue;
    }
    for (size_t i = lo + 1; i < hi; i++) {
      uint32_t v = tmp[i];
      size_t j = i;
      for (; j > lo && tmp[j - 1] > v; j--) tmp[j] = tmp[j - 1];
      tmp[j] = v;
    }
  }
  memcpy(a, tmp, m * sizeof *a);
  free(start);
  return 0;
}

/* Upsampled coordinates are ints in maskApi.c: |5x + .5| must fit. */
#define POLY_COORD_MAX 1e8
/* Boundary points rleFrPoly may walk (4 bytes x 2 each): 1 GiB of them at most. */
#define POLY_POINTS_MAX ((size_t)1 << 27)

/* The y-boundary: where is consecutive boundary points, what is kept. */
typedef struct Boundary {
  int *x, *y;          /* downsampled points kept */
  size_t m;
  uint32_t h, w;
} Boundary;

/* One pair of consecutive upsampled boundary points (u0, v0) -> (u1, v1), as the
 * second loop of rleFrPoly sees it: kept where x changes and xd = (x' + .5) / 5
 * - .5 is whole and inside the image (x' the smaller x, less one when x grew).
 * In doubles that is exactly x' = 5q + 2, giving xd = q (other residues leave a
 * fraction of at least .2), so the test is done on integers. The same for
 * either order of the two points. */
static inline void boundary_pair(Boundary *bd, int u0, int v0, int u1, int v1) {
  if (u1 == u0) return;
  int up = u1 < u0 ? u1 : u1 - 1;
  int res = up % 5;
  res += res < 0 ? 5 : 0;
  int q = (up - res) / 5;
  /* w == 0: maskApi.c's unsigned w - 1 bounds nothing */
  if (res != 2 || q < 0 || (bd->w != 0 && (int64_t)q > (int64_t)bd->w - 1)) return;
  double yd = (double)(v1 < v0 ? v1 : v0);
  yd = (yd + .5) / 5 - .5;
  yd = ceil(yd < 0 ? 0 : yd > bd->h ? (double)bd->h : yd);
  bd->x[bd->m] = q;
  bd->y[bd->m] = (int)yd;
  bd->m++;
}

/* The previous point of rle_fr_poly's boundary walk, carried from edge to edge. */
typedef struct Walk {
  int have, pu, pv;
} Walk;

/* One polygon edge from (xs, ys) to (xe, ye) in upsampled coordinates, walked as
 * rleFrPoly walks it, its y-boundary points added to bd. */
static void walk_edge(Boundary *bd, Walk *w, int xs, int xe, int ys, int ye) {
  int dx, dy, t, d;
  int flip;
  double s;
  dx = abs(xe - xs);
  dy = abs(ys - ye);
  flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
  if (flip) {
    t = xs; xs = xe; xe = t;
    t = ys; ys = ye; ye = t;
  }
  if (dx == 0 && dy == 0) {
    /* maskApi.c divides 0 by 0 here; the point's y is never read (its x equals
     * its neighbours'), so any value does */
    if (w->have) boundary_pair(bd, w->pu, w->pv, xs, ys);
    w->pu = xs;
    w->pv = ys;
    w->have = 1;
    return;
  }
  s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
  if (dx >= dy) {
    /* points (t + xs, (int)(ys + s t + .5)), t from 0 to dx (from dx to 0 when
     * flipped): the first pairs with the previous edge's last, then every step
     * changes x, with x' = xs + the smaller t */
    int t0 = flip ? dx : 0, t1 = flip ? 0 : dx;
    int u0 = t0 + xs, v0 = (int)(ys + s * t0 + .5);
    if (w->have) boundary_pair(bd, w->pu, w->pv, u0, v0);
    int r0 = xs % 5;
    r0 += r0 < 0 ? 5 : 0;
    for (t = (7 - r0) % 5; t < dx; t += 5)
      boundary_pair(bd, t + xs, (int)(ys + s * t + .5), t + 1 + xs, (int)(ys + s * (t + 1) + .5));
    w->pu = t1 + xs;
    w->pv = (int)(ys + s * t1 + .5);
  } else {
    /* points ((int)(xs + s t + .5), t + ys): x moves at most one column a
     * step, so only the steps where it changes pair, and of those only the
     * ones reaching x' = 5q + 2 can be kept; each is found from an estimate of
     * its step, then checked (and moved) with the walk's own expression */
    int t0 = flip ? dy : 0, t1 = flip ? 0 : dy;
    int u0 = (int)(xs + s * t0 + .5), uend = (int)(xs + s * t1 + .5);
    if (w->have) boundary_pair(bd, w->pu, w->pv, u0, t0 + ys);
    if (u0 != uend) {
      int dir = uend > u0 ? 1 : -1, want = dir > 0 ? 3 : 2;   /* x' = u - 1 rising, u falling */
      int first = ((want - u0) * dir) % 5;
      first += first <= 0 ? 5 : 0;
#define U_AT(dd) ((int)(xs + s * (flip ? dy - (dd) : (dd)) + .5))
#define REACHED(uu) (dir > 0 ? (uu) >= us : (uu) <= us)
      for (int64_t us = (int64_t)u0 + (int64_t)dir * first; dir > 0 ? us <= uend : us >= uend; us += 5 * dir) {
        double de = ((double)us - .5 - xs) / s;
        de = flip ? dy - de : de;
        d = de < 1 ? 1 : de > dy ? dy : (int)de;
        while (d > 1 && REACHED(U_AT(d - 1))) d--;
        while (d < dy && !REACHED(U_AT(d))) d++;
        boundary_pair(bd, U_AT(d - 1), (flip ? dy - d + 1 : d - 1) + ys, U_AT(d), (flip ? dy - d : d) + ys);
      }
#undef U_AT
#undef REACHED
    }
    w->pu = uend;
    w->pv = t1 + ys;
  }
  w->have = 1;
}

/* rleFrPoly's second half: the y-boundary points (downsampled) sorted into runs. */
static int boundary_runs(Boundary *bd, uint32_t h, uint32_t w, Rle *r, Err *e) {
  /* run-length encoding from the y-boundary points */
  size_t k = bd->m;
  uint32_t *a = err_malloc(e, (k + 1) * sizeof *a), *b = err_malloc(e, (k + 1) * sizeof *b);
  int rc = -1;
  if (!a || !b) goto done;
  for (size_t j = 0; j < k; j++) a[j] = (uint32_t)((int64_t)bd->x[j] * (int64_t)h + bd->y[j]);
  if (sort_keys(a, bd->x, k, b, e) != 0) goto done;
  uint32_t last = (uint32_t)((uint64_t)h * w);   /* sorted in too: the largest key unless w is 0 */
  size_t at = k;
  while (at > 0 && a[at - 1] > last) at--;
  memmove(a + at + 1, a + at, (k - at) * sizeof *a);
  a[at] = last;
  k++;
  uint32_t p = 0;
  for (size_t j = 0; j < k; j++) {
    uint32_t t = a[j];
    a[j] -= p;
    p = t;
  }
  size_t j = 0;
  size_t m = 0;
  b[m++] = a[j++];
  while (j < k) {
    if (a[j] > 0) {
      b[m++] = a[j++];
    } else {
      j++;
      if (j < k) b[m - 1] += a[j++];
    }
  }
  r->h = h;
  r->w = w;
  r->m = m;
  r->cnts = b;
  b = NULL;
  rc = 0;
done:
  free(a);
  free(b);
  return rc;
}

/* rleFrPoly, with the same arithmetic: upsample by 5, walk the boundary densely,
 * keep the points where x changes (the y-boundary), downsample, sort into runs.
 * The walk is not stored: each pair of consecutive points is judged as it comes,
 * and along an edge that is mostly horizontal, where x changes at every step,
 * only the steps with x' = 5q + 2 are visited; along a mostly vertical one, only
 * the steps where x changes to such a column. */
int rle_fr_poly(const double *xy, size_t k, uint32_t h, uint32_t w, Rle *r, Err *e) {
  const double scale = 5;
  if (k == 0) return err_set(e, "polygon with no points");
  for (size_t j = 0; j < 2 * k; j++)
    if (!(fabs(xy[j]) <= POLY_COORD_MAX))
      return err_set(e, "polygon coordinate %g is not a number within +-%g", xy[j], POLY_COORD_MAX);
  int *x = err_malloc(e, (k + 1) * sizeof *x), *y = err_malloc(e, (k + 1) * sizeof *y);
  Boundary bd = {NULL, NULL, 0, h, w};
  int rc = -1;
  if (!x || !y) goto done;
  for (size_t j = 0; j < k; j++) x[j] = (int)(scale * xy[j * 2 + 0] + .5);
  x[k] = x[0];
  for (size_t j = 0; j < k; j++) y[j] = (int)(scale * xy[j * 2 + 1] + .5);
  y[k] = y[0];
  size_t m = 0;
  for (size_t j = 0; j < k; j++) {
    unsigned dx = (unsigned)abs(x[j] - x[j + 1]), dy = (unsigned)abs(y[j] - y[j + 1]);
    m += (dx > dy ? dx : dy) + 1;
  }
  if (m > POLY_POINTS_MAX) {
    err_set(e, "polygon boundary too long to rasterise (%zu upsampled points)", m);
    goto done;
  }
  if (confine_reserve((m + 1) * (sizeof *bd.x + sizeof *bd.y + 2 * sizeof(uint32_t)), e) != 0) goto done;   /* and boundary_runs' two key arrays */
  bd.x = err_malloc(e, (m + 1) * sizeof *bd.x);
  bd.y = err_malloc(e, (m + 1) * sizeof *bd.y);
  if (!bd.x || !bd.y) goto done;
  Walk wk = {0, 0, 0};
  for (size_t j = 0; j < k; j++) walk_edge(&bd, &wk, x[j], x[j + 1], y[j], y[j + 1]);
  rc = boundary_runs(&bd, h, w, r, e);
done:
  free(x);
  free(y);
  free(bd.x);
  free(bd.y);
  return rc;
}

/* rleFrBbox: the box's corners in maskApi.c's order, through rle_fr_poly. */
int rle_fr_bbox(const double bb[4], uint32_t h, uint32_t w, Rle *r, Err *e) {
  double xs = bb[0], xe = xs + bb[2], ys = bb[1], ye = ys + bb[3];
  double xy[8] = {xs, ys, xs, ye, xe, ye, xe, ys};
  return rle_fr_poly(xy, 4, h, w, r, e);
}

int rle_fr_polygons(const double *xy, const uint32_t *npts, size_t nparts, uint32_t h,
                    uint32_t w, Rle *r, Err *e) {
  if (nparts == 0) return err_set(e, "polygon with no parts");
  if (nparts == 1) return rle_fr_poly(xy, npts[0], h, w, r, e);
  Rle *parts = err_calloc(e, nparts, sizeof *parts);
  if (!parts) return -1;
  int rc = 0;
  size_t off = 0;
  for (size_t i = 0; i < nparts && rc == 0; i++) {
    rc = rle_fr_poly(xy + 2 * off, npts[i], h, w, &parts[i], e);
    off += npts[i];
  }
  if (rc == 0) rc = rle_merge(parts, nparts, 0, r, e);
  for (size_t i = 0; i < nparts; i++) rle_free(&parts[i]);
  free(parts);
  return rc;
}
