/* Uncertainty and breakdowns: a portable PRNG (xoshiro256** seeded by splitmix64,
 * Blackman and Vigna 2018), the percentile bootstrap over units, and agreement
 * per category (one category against the rest). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agree.h"

/* splitmix64 (Steele, Lea and Flood 2014): expands one seed into the state. */
static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void agree_rng_seed(AgreeRng *g, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) g->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0, as published at prng.di.unimi.it. */
uint64_t agree_rng_next(AgreeRng *g) {
  uint64_t *s = g->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t agree_rng_below(AgreeRng *g, uint64_t n) {
  uint64_t limit = (0 - n) % n;   /* 2^64 mod n: draws below it would bias the remainder */
  for (;;) {
    uint64_t x = agree_rng_next(g);
    if (x >= limit) return x % n;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The p-quantile of sorted x[0..n), n > 0: linear between order statistics. */
static double quantile(const double *x, uint32_t n, double p) {
  double h = (n - 1) * p, f = floor(h);
  uint32_t i = (uint32_t)f;
  if (i + 1 >= n) return x[n - 1];
  return x[i] + (h - f) * (x[i + 1] - x[i]);
}

int agree_bootstrap(const AgreeView *v, const AgreeOpts *o, uint32_t resamples, uint64_t seed,
                    double level, AgreeCI *ci, Err *e) {
  memset(ci, 0, sizeof *ci);
  ci->level = level;
  ci->seed = seed;
  ci->resamples = resamples;
  AgreeWork *w = agree_work_new(v, o, e);
  uint32_t *mult = err_calloc(e, (size_t)v->n_units + 1, sizeof *mult);
  double *vals = err_malloc(e, ((size_t)resamples + 1) * sizeof *vals);
  int rc = -1;
  if (!w || !mult || !vals) goto done;
  AgreeRng g;
  agree_rng_seed(&g, seed);
  uint32_t k = 0;
  for (uint32_t b = 0; b < resamples; b++) {
    memset(mult, 0, (size_t)v->n_units * sizeof *mult);
    for (uint32_t i = 0; i < v->n_units; i++) mult[agree_rng_below(&g, v->n_units)]++;
    AgreeResult r;
    if (agree_compute(v, o, w, mult, 0, &r, e) != 0) goto done;
    if (r.defined) vals[k++] = r.value;
    else ci->undefined++;
  }
  if (k > 0) {
    qsort(vals, k, sizeof *vals, cmp_double);
    ci->low = quantile(vals, k, (1 - level) / 2);
    ci->high = quantile(vals, k, (1 + level) / 2);
    ci->defined = 1;
  }
  rc = 0;
done:
  agree_work_free(w);
  free(mult);
  free(vals);
  return rc;
}

int agree_per_category(const AgreeView *v, const AgreeOpts *o, uint32_t k, AgreeResult *r, Err *e) {
  uint32_t q = v->n_cats, n = v->unit_start[v->n_units];
  uint8_t *has = err_calloc(e, (size_t)q + 1, 1);
  uint32_t *code = err_malloc(e, ((size_t)n + 1) * sizeof *code);
  AgreeWork *w = NULL;
  int rc = -1;
  if (!has || !code) goto done;
  if (v->set_start) {   /* multi-label: k is a label, a category is a set */
    for (uint32_t c = 0; c < q; c++)
      for (uint32_t i = v->set_start[c]; i < v->set_start[c + 1]; i++)
        if (v->set_label[i] == k) has[c] = 1;
  } else if (k < q) {
    has[k] = 1;
  }
  for (uint32_t i = 0; i < n; i++) code[i] = has[v->code[i]];
  AgreeView b = *v;
  b.n_cats = 2;
  b.code = code;
  b.cat_value = NULL;
  b.set_start = b.set_label = NULL;
  AgreeOpts ob = *o;
  ob.level = AGREE_NOMINAL;
  ob.weights = AGREE_W_NONE;
  ob.custom = NULL;
  if (!(w = agree_work_new(&b, &ob, e))) goto done;
  rc = agree_compute(&b, &ob, w, NULL, 0, r, e);
done:
  agree_work_free(w);
  free(has);
  free(code);
  return rc;
}
