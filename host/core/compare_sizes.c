/* Scores by object size: the counts of a vendor's result per area range and
 * class, with COCOeval's convention for the ranges (closed at both ends, so an
 * object of an area exactly on a bound counts in both ranges). A true positive
 * and a miss count by the gold object's area, a false positive by the vendor
 * object's (as COCOeval's unmatched detections outside a range are ignored). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

void cmp_sizes_free(CmpSizes *s) {
  if (!s) return;
  free(s->lo);
  free(s->hi);
  free(s->c);
  memset(s, 0, sizeof *s);
}

/* Adds one event of kind q (0 TP, 1 FP, 2 FN) of class c for an object of area
 * a to every range that holds it. */
static void add(CmpSizes *s, uint32_t c, int q, double a) {
  if (isnan(a) || c == CMP_NONE) return;
  for (uint32_t k = 0; k < s->nranges; k++)
    if (a >= s->lo[k] && a <= s->hi[k]) s->c[(size_t)k * s->nclass + c][q]++;
}

int cmp_sizes(const CmpResult *r, const double *bounds, uint32_t nb, CmpSizes *s, Err *e) {
  memset(s, 0, sizeof *s);
  if (nb == 0) return err_set(e, "sizes: no bounds");
  for (uint32_t k = 0; k < nb; k++)
    if (!(bounds[k] >= 0) || (k && !(bounds[k] > bounds[k - 1])))
      return err_set(e, "sizes: the bounds must be increasing areas from 0");
  s->nranges = nb;
  s->nclass = r->nclass;
  s->lo = err_malloc(e, ((size_t)nb + 1) * sizeof *s->lo);
  s->hi = err_malloc(e, ((size_t)nb + 1) * sizeof *s->hi);
  s->c = err_calloc(e, (size_t)nb * r->nclass + 1, sizeof *s->c);
  if (!s->lo || !s->hi || !s->c) {
    cmp_sizes_free(s);
    return -1;
  }
  for (uint32_t k = 0; k < nb; k++) {
    s->lo[k] = bounds[k];
    s->hi[k] = k + 1 < nb ? bounds[k + 1] : INFINITY;
  }
  for (size_t m = 0; m < r->nmatch; m++) {
    uint32_t g = r->match[m].g;
    add(s, r->gcat_class[r->gold->cat[g]], 0, r->garea[g]);
  }
  for (size_t j = 0; j < r->nconf; j++) {
    const CmpConflict *c = &r->conf[j];
    int fp = c->kind == CMP_EXTRA || c->kind == CMP_DUPLICATE || c->kind == CMP_WRONG_CLASS || c->kind == CMP_LOW_OVERLAP;
    int fn = c->kind == CMP_MISSING || c->kind == CMP_WRONG_CLASS || c->kind == CMP_LOW_OVERLAP;
    if (fp) add(s, c->vcls, 1, r->varea[c->v]);
    if (fn) add(s, c->gcls, 2, r->garea[c->g]);
  }
  return 0;
}
