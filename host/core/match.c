/* Optimal and greedy one-to-one matching over a similarity matrix. */
#include "match.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void match_work_free(MatchWork *w) {
  free(w->buf);
  w->buf = NULL;
  w->cap = 0;
}

/* Returns at least n bytes of scratch; the caller carves it in 16-byte aligned pieces. */
static void *work_get(MatchWork *w, size_t n, Err *e) {
  if (n <= w->cap) return w->buf;
  void *p = err_realloc(e, w->buf, n, 1);
  if (!p) return NULL;
  w->buf = p;
  w->cap = n;
  return p;
}

static int eligible(double s, double thr) {
  return s >= thr;   /* false for NaN */
}

static size_t align16(size_t n) {
  return (n + 15) & ~(size_t)15;
}

/* Union-find root with path halving. */
static uint32_t uf_find(uint32_t *parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* Minimum-cost assignment of every row of the r x c matrix a (r <= c), row-major,
 * by shortest augmenting paths with potentials (Kuhn-Munkres in the Jonker-Volgenant
 * form, O(r^2 c)). Writes the column of each row into row2col. Scratch: u[r+1],
 * v[c+1], p[c+1], way[c+1], minv[c+1], used[c+1]. */
static void hungarian(const double *a, uint32_t r, uint32_t c, uint32_t *row2col,
                      double *u, double *v, uint32_t *p, uint32_t *way, double *minv,
                      unsigned char *used) {
  for (uint32_t j = 0; j <= c; j++) { v[j] = 0; p[j] = 0; way[j] = 0; }
  for (uint32_t i = 0; i <= r; i++) u[i] = 0;
  for (uint32_t i = 1; i <= r; i++) {
    p[0] = i;
    uint32_t j0 = 0;
    for (uint32_t j = 0; j <= c; j++) { minv[j] = DBL_MAX; used[j] = 0; }
    do {
      used[j0] = 1;
      uint32_t i0 = p[j0], j1 = 0;
      double delta = DBL_MAX;
      for (uint32_t j = 1; j <= c; j++) {
        if (used[j]) continue;
        double cur = a[(size_t)(i0 - 1) * c + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (uint32_t j = 0; j <= c; j++) {
        if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
        else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      uint32_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  for (uint32_t j = 1; j <= c; j++)
    if (p[j]) row2col[p[j] - 1] = j - 1;
}

/* Solves one connected block: rows rd[0..nr), columns cg[0..nc) of sim. */
static int solve_block(const double *sim, uint32_t ng, double thr, const uint32_t *rd, uint32_t nr,
                       const uint32_t *cg, uint32_t nc, int32_t *d2g, MatchWork *w, Err *e) {
  if (nr == 1 && nc == 1) {
    d2g[rd[0]] = (int32_t)cg[0];
    return 0;
  }
  int transpose = nr > nc;
  uint32_t r = transpose ? nc : nr, c = transpose ? nr : nc;
  size_t need = align16((size_t)r * c * sizeof(double)) + align16((r + 1) * sizeof(double)) +
                2 * align16((c + 1) * sizeof(double)) + 2 * align16((c + 1) * sizeof(uint32_t)) +
                align16(r * sizeof(uint32_t)) +
                align16(c + 1);
  char *buf = work_get(w, need, e);
  if (!buf) return -1;
  double *a = (double *)buf;
  buf += align16((size_t)r * c * sizeof(double));
  double *u = (double *)buf;   buf += align16((r + 1) * sizeof(double));
  double *v = (double *)buf;   buf += align16((c + 1) * sizeof(double));
  double *minv = (double *)buf; buf += align16((c + 1) * sizeof(double));
  uint32_t *p = (uint32_t *)buf; buf += align16((c + 1) * sizeof(uint32_t));
  uint32_t *way = (uint32_t *)buf; buf += align16((c + 1) * sizeof(uint32_t));
  uint32_t *row2col = (uint32_t *)buf; buf += align16(r * sizeof(uint32_t));
  unsigned char *used = (unsigned char *)buf;
  /* cost = -similarity for eligible pairs, 0 (same as unmatched) otherwise */
  for (uint32_t i = 0; i < r; i++)
    for (uint32_t j = 0; j < c; j++) {
      uint32_t di = transpose ? rd[j] : rd[i], gj = transpose ? cg[i] : cg[j];
      double s = sim[(size_t)di * ng + gj];
      a[(size_t)i * c + j] = eligible(s, thr) ? -s : 0.0;
    }
  hungarian(a, r, c, row2col, u, v, p, way, minv, used);
  for (uint32_t i = 0; i < r; i++) {
    uint32_t j = row2col[i];
    uint32_t di = transpose ? rd[j] : rd[i], gj = transpose ? cg[i] : cg[j];
    if (eligible(sim[(size_t)di * ng + gj], thr)) d2g[di] = (int32_t)gj;
  }
  return 0;
}

int64_t match_optimal(const double *sim, uint32_t nd, uint32_t ng, double thr,
                      int32_t *d2g, MatchWork *w, Err *e) {
  for (uint32_t i = 0; i < nd; i++) d2g[i] = -1;
  if (nd == 0 || ng == 0) return 0;
  /* Connected blocks of the eligibility graph: nodes 0..nd-1 detections, nd.. gold. */
  uint32_t n = nd + ng;
  uint32_t *parent = malloc((size_t)n * 3 * sizeof *parent);
  if (!parent) return err_nomem(e);
  uint32_t *order = parent + n, *start = parent + 2 * n;
  for (uint32_t i = 0; i < n; i++) parent[i] = i;
  for (uint32_t i = 0; i < nd; i++)
    for (uint32_t j = 0; j < ng; j++)
      if (eligible(sim[(size_t)i * ng + j], thr)) {
        uint32_t a = uf_find(parent, i), b = uf_find(parent, nd + j);
        if (a != b) parent[a < b ? b : a] = a < b ? a : b;
      }
  /* Bucket nodes by root (counting sort keeps index order inside a block). */
  for (uint32_t i = 0; i < n; i++) start[i] = 0;
  for (uint32_t i = 0; i < n; i++) start[uf_find(parent, i)]++;
  uint32_t acc = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t k = start[i];
    start[i] = acc;
    acc += k;
  }
  for (uint32_t i = 0; i < n; i++) order[start[uf_find(parent, i)]++] = i;
  /* start[root] now marks the end of each block; walk blocks in order. */
  int64_t matched = 0;
  uint32_t pos = 0;
  while (pos < n) {
    uint32_t root = uf_find(parent, order[pos]), end = start[root];
    uint32_t nr = 0;
    while (pos + nr < end && order[pos + nr] < nd) nr++;
    uint32_t nc = end - pos - nr;
    if (nr && nc) {
      uint32_t *cg = order + pos + nr;
      for (uint32_t k = 0; k < nc; k++) cg[k] -= nd;
      if (solve_block(sim, ng, thr, order + pos, nr, cg, nc, d2g, w, e) != 0) {
        free(parent);
        return -1;
      }
    }
    pos = end;
  }
  free(parent);
  for (uint32_t i = 0; i < nd; i++) matched += d2g[i] >= 0;
  return matched;
}

typedef struct Pair {
  double s;
  uint32_t d, g;
} Pair;

static int pair_cmp(const void *a, const void *b) {
  const Pair *x = a, *y = b;
  if (x->s != y->s) return x->s > y->s ? -1 : 1;
  if (x->d != y->d) return x->d < y->d ? -1 : 1;
  return x->g < y->g ? -1 : x->g > y->g;
}

int64_t match_greedy(const double *sim, uint32_t nd, uint32_t ng, double thr,
                     int32_t *d2g, MatchWork *w, Err *e) {
  for (uint32_t i = 0; i < nd; i++) d2g[i] = -1;
  size_t np = 0;
  for (size_t k = 0; k < (size_t)nd * ng; k++) np += eligible(sim[k], thr);
  if (np == 0) return 0;
  Pair *pairs = work_get(w, np * sizeof *pairs + ng, e);
  if (!pairs) return -1;
  unsigned char *gused = (unsigned char *)(pairs + np);
  memset(gused, 0, ng);
  np = 0;
  for (uint32_t i = 0; i < nd; i++)
    for (uint32_t j = 0; j < ng; j++)
      if (eligible(sim[(size_t)i * ng + j], thr)) pairs[np++] = (Pair){sim[(size_t)i * ng + j], i, j};
  qsort(pairs, np, sizeof *pairs, pair_cmp);
  int64_t matched = 0;
  for (size_t k = 0; k < np; k++) {
    if (d2g[pairs[k].d] >= 0 || gused[pairs[k].g]) continue;
    d2g[pairs[k].d] = (int32_t)pairs[k].g;
    gused[pairs[k].g] = 1;
    matched++;
  }
  return matched;
}
