/* Uncertainty of the compare scores: per gold item and class the TP, FP and FN
 * counts of each vendor (from its matches and conflicts), the items resampled
 * with replacement by the agreement engine's portable PRNG (xoshiro256** seeded
 * by splitmix64), percentile intervals of micro and per-class precision, recall
 * and F1, and paired intervals of the F1 difference of two vendors on the same
 * resampled items. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "rng.h"

enum { P = 0, R, F, NSTAT };

/* One vendor's counts by item: entries start[k] .. start[k + 1] of item k. */
typedef struct ItemCounts {
  uint32_t *start;                 /* nitems + 1 */
  uint32_t *cls;                   /* per entry */
  uint64_t (*c)[3];                /* per entry: tp, fp, fn */
} ItemCounts;

static void item_counts_free(ItemCounts *ic) {
  free(ic->start);
  free(ic->cls);
  free(ic->c);
}

/* The events of r (a match: TP of its class; extra, duplicate: FP; missing: FN;
 * wrong class, low overlap: FP of the vendor's class and FN of the gold's)
 * grouped by gold item and added up per class. */
static int item_counts(const CmpResult *r, ItemCounts *ic, Err *e) {
  const Dataset *g = r->gold;
  uint32_t n = g->nitems;
  size_t nev = r->nmatch + 2 * r->nconf, k = 0;
  uint32_t *ev_item = err_malloc(e, (nev + 1) * sizeof *ev_item), *ev_cls = err_malloc(e, (nev + 1) * sizeof *ev_cls);
  uint8_t *ev_kind = err_malloc(e, nev + 1);
  uint32_t *cnt = err_calloc(e, (size_t)n + 2, sizeof *cnt), *order = err_malloc(e, (nev + 1) * sizeof *order);
  uint32_t *slot = err_malloc(e, ((size_t)r->nclass + 1) * sizeof *slot);
  memset(ic, 0, sizeof *ic);
  ic->start = err_calloc(e, (size_t)n + 2, sizeof *ic->start);
  ic->cls = err_malloc(e, (nev + 1) * sizeof *ic->cls);
  ic->c = err_calloc(e, nev + 1, sizeof *ic->c);
  int rc = -1;
  if (!ev_item || !ev_cls || !ev_kind || !cnt || !order || !slot || !ic->start || !ic->cls || !ic->c) goto done;
  for (size_t m = 0; m < r->nmatch; m++) {
    uint32_t gi = r->match[m].g;
    ev_item[k] = g->item[gi];
    ev_cls[k] = r->gcat_class[g->cat[gi]];
    ev_kind[k++] = 0;
  }
  for (size_t j = 0; j < r->nconf; j++) {
    const CmpConflict *c = &r->conf[j];
    int fp = c->kind == CMP_EXTRA || c->kind == CMP_DUPLICATE || c->kind == CMP_WRONG_CLASS || c->kind == CMP_LOW_OVERLAP;
    int fn = c->kind == CMP_MISSING || c->kind == CMP_WRONG_CLASS || c->kind == CMP_LOW_OVERLAP;
    if (fp) {
      ev_item[k] = c->item;
      ev_cls[k] = c->vcls;
      ev_kind[k++] = 1;
    }
    if (fn) {
      ev_item[k] = c->item;
      ev_cls[k] = c->gcls;
      ev_kind[k++] = 2;
    }
  }
  nev = k;
  for (k = 0; k < nev; k++) cnt[ev_item[k] + 1]++;
  for (uint32_t i = 0; i < n; i++) cnt[i + 1] += cnt[i];
  for (k = 0; k < nev; k++) order[cnt[ev_item[k]]++] = (uint32_t)k;   /* cnt[i] ends as item i's end */
  for (uint32_t c = 0; c < r->nclass; c++) slot[c] = CMP_NONE;
  uint32_t ne = 0, from = 0;
  for (uint32_t i = 0; i < n; i++) {
    ic->start[i] = ne;
    for (uint32_t j = from; j < cnt[i]; j++) {
      uint32_t x = order[j], c = ev_cls[x];
      if (slot[c] == CMP_NONE || slot[c] < ic->start[i]) {
        slot[c] = ne;
        ic->cls[ne++] = c;
      }
      ic->c[slot[c]][ev_kind[x]]++;
    }
    from = cnt[i];
  }
  ic->start[n] = ne;
  rc = 0;
done:
  free(ev_item);
  free(ev_cls);
  free(ev_kind);
  free(cnt);
  free(order);
  free(slot);
  if (rc != 0) item_counts_free(ic);
  return rc;
}

/* Precision, recall and F1 of counts, NaN where a ratio has no denominator. */
static void prf(double tp, double fp, double fn, double out[NSTAT]) {
  out[P] = tp + fp > 0 ? tp / (tp + fp) : NAN;
  out[R] = tp + fn > 0 ? tp / (tp + fn) : NAN;
  out[F] = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : NAN;
}

/* The scores of one vendor with item k weighted mult[k] (all 1 when NULL):
 * per class into s[c * NSTAT ..], micro at c = nclass; acc is scratch of
 * 3 * (nclass + 1). */
static void scores(const ItemCounts *ic, uint32_t nitems, uint32_t nclass, const uint32_t *mult, double *acc,
                   double *s) {
  memset(acc, 0, 3 * ((size_t)nclass + 1) * sizeof *acc);
  for (uint32_t i = 0; i < nitems; i++) {
    double m = mult ? mult[i] : 1;
    if (m == 0) continue;
    for (uint32_t j = ic->start[i]; j < ic->start[i + 1]; j++)
      for (int q = 0; q < 3; q++) acc[3 * (size_t)ic->cls[j] + q] += m * (double)ic->c[j][q];
  }
  double *micro = acc + 3 * (size_t)nclass;
  for (uint32_t c = 0; c < nclass; c++) {
    for (int q = 0; q < 3; q++) micro[q] += acc[3 * (size_t)c + q];
    prf(acc[3 * (size_t)c], acc[3 * (size_t)c + 1], acc[3 * (size_t)c + 2], s + (size_t)c * NSTAT);
  }
  prf(micro[0], micro[1], micro[2], s + (size_t)nclass * NSTAT);
}


/* The interval of the replicates v[0..B) (NaN ones undefined, dropped), sorted
 * in place, around the estimate est. */
static void interval(double est, double *v, uint32_t B, double level, CmpCI *ci) {
  uint32_t k = 0;
  for (uint32_t b = 0; b < B; b++)
    if (!isnan(v[b])) v[k++] = v[b];
  ci->est = est;
  ci->undefined = B - k;
  ci->defined = k > 0 && !isnan(est);
  ci->low = ci->high = ci->se = NAN;
  if (!ci->defined) return;
  double mean = 0, ss = 0;
  for (uint32_t j = 0; j < k; j++) mean += v[j];
  mean /= k;
  for (uint32_t j = 0; j < k; j++) ss += (v[j] - mean) * (v[j] - mean);
  ci->se = k > 1 ? sqrt(ss / (k - 1)) : 0;
  rng_sort(v, k);
  ci->low = rng_quantile(v, k, (1 - level) / 2);
  ci->high = rng_quantile(v, k, (1 + level) / 2);
}

double cmp_norm_quantile(double p) {
  double lo = -40, hi = 40;   /* bisection on the normal CDF, 0.5 erfc(-x / sqrt 2) */
  for (int i = 0; i < 200; i++) {
    double mid = (lo + hi) / 2;
    if (0.5 * erfc(-mid / sqrt(2.0)) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/* The verdict of a difference's interval and the gold items that would settle
 * one not yet distinguishable: n (z se / |diff|)^2, rounded up; NaN when
 * settled, or when the estimates are equal (cannot tell). */
static void verdict(const CmpCI *d, uint32_t n, double z, int *v, double *need) {
  *v = !d->defined ? 0 : d->low > 0 ? 1 : d->high < 0 ? -1 : 0;
  *need = NAN;
  if (d->defined && *v == 0 && fabs(d->est) > 1e-12 && d->se > 0) {
    double x = z * d->se / fabs(d->est);
    *need = ceil(n * x * x);
  }
}

void cmp_boot_free(CmpBoot *b) {
  if (!b) return;
  for (uint32_t v = 0; b->v && v < b->nvendors; v++) free(b->v[v].cls);
  for (uint32_t p = 0; b->pair && p < b->npairs; p++) {
    free(b->pair[p].cls);
    free(b->pair[p].cls_verdict);
    free(b->pair[p].cls_needed);
  }
  free(b->v);
  free(b->pair);
  memset(b, 0, sizeof *b);
}

int cmp_bootstrap(const CmpResult *const *res, uint32_t nv, uint32_t B, uint64_t seed, double level, CmpBoot *out,
                  Err *e) {
  memset(out, 0, sizeof *out);
  if (nv == 0 || B == 0) return err_set(e, "bootstrap: no vendors or no resamples");
  const Dataset *gold = res[0]->gold;
  uint32_t n = gold->nitems, ng = res[0]->ngold_class, maxc = 0;
  for (uint32_t v = 0; v < nv; v++) {
    if (res[v]->gold != gold || res[v]->ngold_class != ng)
      return err_set(e, "bootstrap: the vendors were not scored against the same gold panel");
    if (res[v]->type == CMP_SEMANTIC)
      return err_set(e, "bootstrap: intervals are over objects, not the pixels of a semantic comparison");
    if (res[v]->nclass > maxc) maxc = res[v]->nclass;
  }
  if (n == 0) return err_set(e, "bootstrap: the gold panel has no items");
  out->resamples = B;
  out->seed = seed;
  out->level = level;
  out->z = cmp_norm_quantile((1 + level) / 2);
  out->items = n;
  out->nvendors = nv;
  out->npairs = nv * (nv - 1) / 2;
  out->ngold_class = ng;
  ItemCounts *ic = err_calloc(e, nv, sizeof *ic);
  double **rep = err_calloc(e, nv, sizeof *rep);   /* per vendor: [(c * NSTAT + stat) * B + b] */
  double *acc = err_malloc(e, 3 * ((size_t)maxc + 1) * sizeof *acc);
  double *s = err_malloc(e, NSTAT * ((size_t)maxc + 1) * sizeof *s);
  double *dv = err_malloc(e, ((size_t)B + 1) * sizeof *dv);
  uint32_t *mult = err_malloc(e, ((size_t)n + 1) * sizeof *mult);
  double **est = err_calloc(e, nv, sizeof *est);
  out->v = err_calloc(e, nv, sizeof *out->v);
  out->pair = err_calloc(e, (size_t)out->npairs + 1, sizeof *out->pair);
  int rc = -1;
  if (!ic || !rep || !acc || !s || !dv || !mult || !est || !out->v || !out->pair) goto done;
  for (uint32_t v = 0; v < nv; v++) {
    uint32_t nc = res[v]->nclass;
    out->v[v].nclass = nc;
    if (item_counts(res[v], &ic[v], e) != 0 ||
        !(rep[v] = err_malloc(e, ((size_t)nc + 1) * NSTAT * B * sizeof *rep[v])) ||
        !(est[v] = err_malloc(e, ((size_t)nc + 1) * NSTAT * sizeof *est[v])) ||
        !(out->v[v].cls = err_calloc(e, (size_t)nc + 1, sizeof *out->v[v].cls)))
      goto done;
    scores(&ic[v], n, nc, NULL, acc, est[v]);
    for (uint32_t c = 0; c < nc; c++) {   /* the counts by item add up to the result's */
      const CmpStats *st = &res[v]->stats[c];
      double t[NSTAT];
      prf((double)st->tp, (double)st->fp, (double)st->fn, t);
      for (int q = 0; q < NSTAT; q++)
        if (!(t[q] == est[v][c * NSTAT + q] || (isnan(t[q]) && isnan(est[v][c * NSTAT + q])))) {
          err_set(e, "bootstrap: the counts by item of class '%s' differ from its totals", res[v]->class_name[c]);
          goto done;
        }
    }
  }
  for (uint32_t p = 0, a = 0; a < nv; a++)
    for (uint32_t b = a + 1; b < nv; b++, p++) {
      CmpBootPair *pr = &out->pair[p];
      pr->a = a;
      pr->b = b;
      if (!(pr->cls = err_calloc(e, (size_t)ng + 1, sizeof *pr->cls)) ||
          !(pr->cls_verdict = err_calloc(e, (size_t)ng + 1, sizeof *pr->cls_verdict)) ||
          !(pr->cls_needed = err_calloc(e, (size_t)ng + 1, sizeof *pr->cls_needed)))
        goto done;
    }
  Rng g;
  rng_seed(&g, seed);
  for (uint32_t b = 0; b < B; b++) {
    memset(mult, 0, (size_t)n * sizeof *mult);
    for (uint32_t i = 0; i < n; i++) mult[rng_below(&g, n)]++;
    for (uint32_t v = 0; v < nv; v++) {
      uint32_t nc = res[v]->nclass;
      scores(&ic[v], n, nc, mult, acc, s);
      for (size_t j = 0; j < ((size_t)nc + 1) * NSTAT; j++) rep[v][j * B + b] = s[j];
    }
  }
  /* paired differences first (the per-vendor intervals sort the replicates) */
  for (uint32_t p = 0; p < out->npairs; p++) {
    CmpBootPair *pr = &out->pair[p];
    uint32_t a = pr->a, b = pr->b, na = res[a]->nclass, nb = res[b]->nclass;
    for (uint32_t c = 0; c <= ng; c++) {   /* gold classes, then micro (at ng) */
      size_t ja = ((c == ng ? na : c) * NSTAT + F), jb = ((c == ng ? nb : c) * NSTAT + F);
      for (uint32_t r = 0; r < B; r++) dv[r] = rep[a][ja * B + r] - rep[b][jb * B + r];
      CmpCI *ci = c == ng ? &pr->diff : &pr->cls[c];
      interval(est[a][ja] - est[b][jb], dv, B, level, ci);
      if (c == ng) verdict(ci, n, out->z, &pr->verdict, &pr->needed);
      else verdict(ci, n, out->z, &pr->cls_verdict[c], &pr->cls_needed[c]);
    }
  }
  for (uint32_t v = 0; v < nv; v++) {
    uint32_t nc = res[v]->nclass;
    for (uint32_t c = 0; c <= nc; c++) {
      CmpPRF *x = c == nc ? &out->v[v].micro : &out->v[v].cls[c];
      CmpCI *dst[NSTAT] = {&x->p, &x->r, &x->f1};
      for (int q = 0; q < NSTAT; q++)
        interval(est[v][c * NSTAT + q], rep[v] + ((size_t)c * NSTAT + q) * B, B, level, dst[q]);
    }
  }
  rc = 0;
done:
  for (uint32_t v = 0; v < nv; v++) {
    if (ic) item_counts_free(&ic[v]);
    if (rep) free(rep[v]);
    if (est) free(est[v]);
  }
  free(ic);
  free(rep);
  free(est);
  free(acc);
  free(s);
  free(dv);
  free(mult);
  if (rc != 0) cmp_boot_free(out);
  return rc;
}
