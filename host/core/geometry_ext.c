/* The rest of geometry.h: polylines (width bands, Chamfer distance), edit
 * distance of text, tag counts and semantic-mask IoU. */
#include "geometry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- polylines ---- */

/* The y-interval [*lo, *hi] where the vertical line x = cx meets the capsule of
 * radius r around segment a-b (the disks at both ends and the band between).
 * Returns 0 when they do not meet. */
static int capsule_column(const double *a, const double *b, double r, double cx,
                          double *lo, double *hi) {
  double l = INFINITY, h = -INFINITY;
  for (int k = 0; k < 2; k++) {
    const double *p = k ? b : a;
    double dx = cx - p[0];
    if (fabs(dx) <= r) {
      double half = sqrt(r * r - dx * dx);
      l = fmin(l, p[1] - half);
      h = fmax(h, p[1] + half);
    }
  }
  double dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
  if (len2 > 0) {
    /* 0 <= (P - a).d <= |d|^2 and |d x (P - a)| <= r |d|, with P = (cx, y):
     * each linear in y; intersect the three intervals */
    double ylo = -INFINITY, yhi = INFINITY, px = cx - a[0];
    double c1 = dy, k1 = px * dx;                   /* k1 + c1 (y - ay) in [0, len2] */
    double c2 = dx, k2 = -dy * px, rl = r * sqrt(len2); /* k2 + c2 (y - ay) in [-rl, rl] */
    int ok = 1;
    if (c1 != 0) {
      double t0 = (0 - k1) / c1, t1 = (len2 - k1) / c1;
      ylo = fmax(ylo, fmin(t0, t1));
      yhi = fmin(yhi, fmax(t0, t1));
    } else if (k1 < 0 || k1 > len2) {
      ok = 0;
    }
    if (c2 != 0) {
      double t0 = (-rl - k2) / c2, t1 = (rl - k2) / c2;
      ylo = fmax(ylo, fmin(t0, t1));
      yhi = fmin(yhi, fmax(t0, t1));
    } else if (fabs(k2) > rl) {
      ok = 0;
    }
    if (ok && ylo <= yhi) {
      l = fmin(l, ylo + a[1]);
      h = fmax(h, yhi + a[1]);
    }
  }
  *lo = l;
  *hi = h;
  return l <= h;
}

typedef struct Span { int32_t lo, hi; } Span;   /* rows lo..hi inclusive */

static int cmp_span(const void *x, const void *y) {
  const Span *a = x, *b = y;
  return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Appends a run of 1s covering linear pixels [start, end) to the counts being
 * built in *c (m used, cap room); `last` is where the previous 1-run ended. */
static int push_run(uint32_t **c, size_t *m, size_t *cap, uint64_t *last, uint64_t start,
                    uint64_t end, Err *e) {
  if (start == *last && *m >= 2) {
    (*c)[*m - 1] += (uint32_t)(end - start);
  } else {
    if (*m + 2 > *cap) {
      size_t nc = *cap ? *cap * 2 : 64;
      uint32_t *q = err_realloc(e, *c, nc, sizeof *q);
      if (!q) return -1;
      *c = q;
      *cap = nc;
    }
    (*c)[(*m)++] = (uint32_t)(start - *last);
    (*c)[(*m)++] = (uint32_t)(end - start);
  }
  *last = end;
  return 0;
}

int geom_polyline_rle(const double *xy, size_t n, double width, double ox, double oy,
                      uint32_t h, uint32_t w, Rle *r, Err *e) {
  r->h = h;
  r->w = w;
  r->m = 0;
  r->cnts = NULL;
  if (!(width > 0) || !isfinite(width)) return err_set(e, "polyline width must be a positive number");
  if ((uint64_t)h * w > RLE_MAX_PIXELS) return err_set(e, "polyline canvas of %u x %u is too large", h, w);
  for (size_t j = 0; j < 2 * n; j++)
    if (!isfinite(xy[j])) return err_set(e, "polyline coordinate is not a finite number");
  double rad = width / 2;
  size_t nseg = n > 1 ? n - 1 : n;
  Span *sp = err_malloc(e, (nseg + 1) * sizeof *sp);
  uint32_t *c = NULL;
  size_t m = 0, cap = 0;
  uint64_t last = 0;
  if (!sp) return -1;
  for (uint32_t col = 0; col < w; col++) {
    double cx = ox + col + 0.5;
    size_t ns = 0;
    for (size_t s = 0; s < nseg; s++) {
      const double *a = xy + 2 * s, *b = n > 1 ? xy + 2 * (s + 1) : a;
      if (cx < fmin(a[0], b[0]) - rad || cx > fmax(a[0], b[0]) + rad) continue;
      double lo, hi;
      if (!capsule_column(a, b, rad, cx, &lo, &hi)) continue;
      double rlo = ceil(lo - oy - 0.5), rhi = floor(hi - oy - 0.5);
      if (rlo < 0) rlo = 0;
      if (rhi > (double)h - 1) rhi = (double)h - 1;
      if (rlo > rhi) continue;
      sp[ns].lo = (int32_t)rlo;
      sp[ns].hi = (int32_t)rhi;
      ns++;
    }
    if (ns == 0) continue;
    qsort(sp, ns, sizeof *sp, cmp_span);
    size_t i = 0;
    while (i < ns) {
      int32_t lo = sp[i].lo, hi = sp[i].hi;
      for (i++; i < ns && sp[i].lo <= hi + 1; i++)
        if (sp[i].hi > hi) hi = sp[i].hi;
      uint64_t base = (uint64_t)col * h;
      if (push_run(&c, &m, &cap, &last, base + (uint64_t)lo, base + (uint64_t)hi + 1, e) != 0) {
        free(sp);
        free(c);
        return -1;
      }
    }
  }
  free(sp);
  uint64_t total = (uint64_t)h * w;
  if (m + 1 > cap) {
    uint32_t *q = err_realloc(e, c, m + 1, sizeof *q);
    if (!q) {
      free(c);
      return -1;
    }
    c = q;
  }
  if (last < total || m == 0) c[m++] = (uint32_t)(total - last);
  r->m = m;
  r->cnts = c;
  return 0;
}

void geom_polyline_window(const double *a, size_t na, const double *b, size_t nb,
                          double width, double win[4]) {
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, rad = width / 2;
  for (int k = 0; k < 2; k++) {
    const double *p = k ? b : a;
    size_t n = k ? nb : na;
    for (size_t j = 0; j < n; j++) {
      x0 = fmin(x0, p[2 * j]);
      x1 = fmax(x1, p[2 * j]);
      y0 = fmin(y0, p[2 * j + 1]);
      y1 = fmax(y1, p[2 * j + 1]);
    }
  }
  if (!(x0 <= x1) || !(y0 <= y1)) {
    win[0] = win[1] = win[2] = win[3] = 0;
    return;
  }
  win[0] = floor(x0 - rad) - 1;
  win[1] = floor(y0 - rad) - 1;
  win[2] = ceil(x1 + rad) + 1 - win[0];
  win[3] = ceil(y1 + rad) + 1 - win[1];
}

/* Distance from point p to the polyline q of n points. */
static double point_line_dist(const double *p, const double *q, size_t n) {
  double best = INFINITY;
  if (n == 1) return hypot(p[0] - q[0], p[1] - q[1]);
  for (size_t s = 0; s + 1 < n; s++) {
    const double *a = q + 2 * s, *b = a + 2;
    double dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double d = hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
    if (d < best) best = d;
  }
  return best;
}

/* Mean distance from the points of a (its vertices, or samples every `step`
 * along it from its start, plus its end) to the polyline b. */
static double mean_dist(const double *a, size_t na, const double *b, size_t nb, double step) {
  double sum = 0;
  if (step <= 0 || na == 1) {
    for (size_t j = 0; j < na; j++) sum += point_line_dist(a + 2 * j, b, nb);
    return sum / (double)na;
  }
  size_t cnt = 0;
  double acc = 0, next = 0, lastpos = -1;
  for (size_t s = 0; s + 1 < na; s++) {
    const double *p = a + 2 * s, *q = p + 2;
    double len = hypot(q[0] - p[0], q[1] - p[1]);
    while (next <= acc + len) {
      double f = len > 0 ? (next - acc) / len : 0;
      double pt[2] = {p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])};
      sum += point_line_dist(pt, b, nb);
      lastpos = next;
      next = (double)++cnt * step;
    }
    acc += len;
  }
  if (lastpos < acc) {
    sum += point_line_dist(a + 2 * (na - 1), b, nb);
    cnt++;
  }
  return sum / (double)cnt;
}

/* Both directions of mean_dist, averaged; infinite when a line is empty. */
double geom_chamfer(const double *a, size_t na, const double *b, size_t nb, double step) {
  if (na == 0 || nb == 0) return INFINITY;
  return (mean_dist(a, na, b, nb, step) + mean_dist(b, nb, a, na, step)) / 2;
}

/* ---- text ---- */

/* Decodes one UTF-8 code point at s (n bytes left) into *cp; returns its length.
 * An invalid byte is one symbol, 0x110000 + the byte. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned c = s[0];
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  int ok = len > 0 && len <= n;
  for (size_t k = 1; ok && k < len; k++) ok = (s[k] & 0xC0) == 0x80;
  if (ok && len == 2) ok = c >= 0xC2;
  if (ok && len == 3) ok = !(c == 0xE0 && s[1] < 0xA0) && !(c == 0xED && s[1] >= 0xA0);
  if (ok && len == 4) ok = c <= 0xF4 && !(c == 0xF0 && s[1] < 0x90) && !(c == 0xF4 && s[1] >= 0x90);
  if (!ok) {
    *cp = 0x110000u + c;
    return 1;
  }
  uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; k++) v = (v << 6) | (s[k] & 0x3F);
  *cp = v;
  return len;
}

/* Python's str.isspace(), which str.split() splits on. */
static int is_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

/* A symbol of a sequence: a code point, or a word as a byte range of its text. */
typedef struct Sym { uint32_t off, len; } Sym;

/* Splits s into symbols (code points, or words); *out is malloc'd. */
static int symbols(const char *s, size_t n, int words, Sym **out, size_t *nout, Err *e) {
  if (n > UINT32_MAX) return err_set(e, "text longer than 4 GiB");
  Sym *v = err_malloc(e, (n + 1) * sizeof *v);
  if (!v) return -1;
  size_t k = 0, p = 0;
  int in_word = 0;
  while (p < n) {
    uint32_t cp;
    size_t len = utf8_next((const unsigned char *)s + p, n - p, &cp);
    if (!words) {
      v[k].off = (uint32_t)p;
      v[k++].len = cp;                    /* the code point itself */
    } else if (is_space(cp)) {
      in_word = 0;
    } else if (in_word) {
      v[k - 1].len += (uint32_t)len;
    } else {
      v[k].off = (uint32_t)p;
      v[k++].len = (uint32_t)len;
      in_word = 1;
    }
    p += len;
  }
  *out = v;
  *nout = k;
  return 0;
}

int geom_edit_distance(const char *ref, size_t nref_bytes, const char *hyp, size_t nhyp_bytes,
                       int words, size_t *dist, size_t *nref, Err *e) {
  Sym *a = NULL, *b = NULL;
  size_t na, nb, *row = NULL;
  int rc = -1;
  if (symbols(ref, nref_bytes, words, &a, &na, e) != 0 ||
      symbols(hyp, nhyp_bytes, words, &b, &nb, e) != 0)
    goto done;
  row = err_malloc(e, (nb + 1) * sizeof *row);
  if (!row) goto done;
  for (size_t j = 0; j <= nb; j++) row[j] = j;
  for (size_t i = 1; i <= na; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= nb; j++) {
      int same = words ? a[i - 1].len == b[j - 1].len &&
                             memcmp(ref + a[i - 1].off, hyp + b[j - 1].off, a[i - 1].len) == 0
                       : a[i - 1].len == b[j - 1].len;
      size_t best = diag + !same;
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      diag = row[j];
      row[j] = best;
    }
  }
  *dist = row[nb];
  *nref = na;
  rc = 0;
done:
  free(a);
  free(b);
  free(row);
  return rc;
}

/* ---- tags ---- */

static int cmp_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

/* Sorted, de-duplicated item * nlabels + label keys of n pairs; *out malloc'd. */
static int tag_keys(const uint32_t *item, const uint32_t *label, size_t n, uint32_t nitems,
                    uint32_t nlabels, uint64_t **out, size_t *nout, Err *e) {
  uint64_t *k = err_malloc(e, (n + 1) * sizeof *k);
  if (!k) return -1;
  for (size_t i = 0; i < n; i++) {
    if (item[i] >= nitems || label[i] >= nlabels) {
      free(k);
      return err_set(e, "tag pair %zu: item %u or label %u out of range", i, item[i], label[i]);
    }
    k[i] = (uint64_t)item[i] * nlabels + label[i];
  }
  qsort(k, n, sizeof *k, cmp_u64);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (m == 0 || k[m - 1] != k[i]) k[m++] = k[i];
  *out = k;
  *nout = m;
  return 0;
}

int geom_tag_counts(const uint32_t *g_item, const uint32_t *g_label, size_t ng,
                    const uint32_t *v_item, const uint32_t *v_label, size_t nv,
                    uint32_t nitems, uint32_t nlabels, uint64_t *tp, uint64_t *fp,
                    uint64_t *fn, uint64_t *exact, Err *e) {
  uint64_t *g = NULL, *v = NULL;
  uint8_t *bad = NULL;
  size_t mg, mv;
  int rc = -1;
  if (tag_keys(g_item, g_label, ng, nitems, nlabels, &g, &mg, e) != 0 ||
      tag_keys(v_item, v_label, nv, nitems, nlabels, &v, &mv, e) != 0)
    goto done;
  bad = err_calloc(e, (size_t)nitems + 1, 1);
  if (!bad) goto done;
  size_t i = 0, j = 0;
  while (i < mg || j < mv) {
    if (j >= mv || (i < mg && g[i] < v[j])) {
      fn[g[i] % nlabels]++;
      bad[g[i] / nlabels] = 1;
      i++;
    } else if (i >= mg || v[j] < g[i]) {
      fp[v[j] % nlabels]++;
      bad[v[j] / nlabels] = 1;
      j++;
    } else {
      tp[g[i] % nlabels]++;
      i++;
      j++;
    }
  }
  *exact = 0;
  for (uint32_t it = 0; it < nitems; it++) *exact += !bad[it];
  rc = 0;
done:
  free(g);
  free(v);
  free(bad);
  return rc;
}

/* ---- semantic masks ---- */

int geom_semantic_iou(const Rle *gold, const Rle *pred, size_t ncls, uint64_t *inter,
                      uint64_t *uni, Err *e) {
  for (size_t c = 0; c < ncls; c++) {
    if (gold[c].h != gold[0].h || gold[c].w != gold[0].w || pred[c].h != gold[0].h ||
        pred[c].w != gold[0].w)
      return err_set(e, "semantic masks of class %zu: sizes differ", c);
    if (rle_intersection(&gold[c], &pred[c], &inter[c], e) != 0) return -1;
    uni[c] = rle_area(&gold[c]) + rle_area(&pred[c]) - inter[c];
  }
  return 0;
}
