/* Uncertainty and breakdowns: the percentile bootstrap over units (util/rng.c's
 * seeded PRNG), and agreement per category (one category against the rest). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agree.h"
#include "rng.h"


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
  Rng g;
  rng_seed(&g, seed);
  uint32_t k = 0;
  for (uint32_t b = 0; b < resamples; b++) {
    memset(mult, 0, (size_t)v->n_units * sizeof *mult);
    for (uint32_t i = 0; i < v->n_units; i++) mult[rng_below(&g, v->n_units)]++;
    AgreeResult r;
    if (agree_compute(v, o, w, mult, 0, &r, e) != 0) goto done;
    if (r.defined) vals[k++] = r.value;
    else ci->undefined++;
  }
  if (k > 0) {
    rng_sort(vals, k);
    ci->low = rng_quantile(vals, k, (1 - level) / 2);
    ci->high = rng_quantile(vals, k, (1 + level) / 2);
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
