/* The agreement coefficients over a reliability view: percent agreement, Fleiss'
 * kappa (Gwet's generalisation), Gwet's AC1/AC2 and Brennan-Prediger as in
 * irrCAC's raw-data functions; Cohen's kappa, Scott's pi and Light's kappa from
 * paired ratings; Krippendorff's alpha from the coincidence counts. Every pass is
 * over the ratings grouped by unit, with per-unit category counts kept sparse. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agree.h"
#include "confine.h"

struct AgreeWork {
  uint32_t q;
  uint32_t *cnt;          /* per category, zero between units */
  uint32_t *touched;      /* the categories a unit used */
  uint32_t *used;         /* alpha: the categories with pairable values */
  double *W;              /* q x q agreement weights, or NULL for the identity */
  double *pi, *aux, *aux2, *cum;   /* per category (cum: q + 1) */
  double *pairs;          /* Light: per rater pair, 2 + 2q sums */
  size_t npairs;
  double *dtab;           /* alpha's standard error: q x q distances, when q is small */
};

static const char *const metric_names[AGREE_NMETRICS] = {
  "percent_agreement", "cohen_kappa", "light_kappa", "scott_pi", "fleiss_kappa",
  "krippendorff_alpha", "gwet_ac1", "brennan_prediger"
};
static const char *const level_names[AGREE_NLEVELS] = {
  "nominal", "ordinal", "interval", "ratio", "jaccard", "masi"
};
static const char *const weight_names[AGREE_NWEIGHTS] = {"none", "linear", "quadratic", "custom"};

const char *agree_metric_name(AgreeMetric m) { return m < AGREE_NMETRICS ? metric_names[m] : NULL; }
const char *agree_level_name(AgreeLevel l) { return l < AGREE_NLEVELS ? level_names[l] : NULL; }
const char *agree_weights_name(AgreeWeights w) { return w < AGREE_NWEIGHTS ? weight_names[w] : NULL; }

static int find_name(const char *const *names, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], s) == 0) return i;
  return -1;
}

int agree_metric_parse(const char *s) { return find_name(metric_names, AGREE_NMETRICS, s); }
int agree_level_parse(const char *s) { return find_name(level_names, AGREE_NLEVELS, s); }
int agree_weights_parse(const char *s) { return find_name(weight_names, AGREE_NWEIGHTS, s); }

static int two_rater(AgreeMetric m) { return m == AGREE_COHEN || m == AGREE_SCOTT; }

int agree_check(const AgreeView *v, const AgreeOpts *o, Err *e) {
  const char *name = agree_metric_name(o->metric);
  if (!name) return err_set(e, "unknown metric");
  if (v->n_raters < 2)
    return err_set(e, "%s: %s, agreement needs at least two", name,
                   v->n_raters ? "the data have one rater" : "the data have no ratings");
  if (two_rater(o->metric) && v->n_raters != 2)
    return err_set(e, "%s needs exactly two raters, the data have %u (light_kappa averages Cohen's "
                   "kappa over pairs; fleiss_kappa and krippendorff_alpha take any number)", name, v->n_raters);
  if (o->metric == AGREE_ALPHA) {
    if (o->weights != AGREE_W_NONE) return err_option(e, "weights", "krippendorff_alpha takes a level, not weights");
    if ((o->level == AGREE_INTERVAL || o->level == AGREE_RATIO) && !v->cat_value)
      return err_set(e, "the %s level needs numbers as values", agree_level_name(o->level));
    int sets = o->level == AGREE_JACCARD || o->level == AGREE_MASI;
    if (sets && !v->set_start)
      return err_set(e, "the %s level compares label sets: it needs multi-label data", agree_level_name(o->level));
    if (v->set_start && !sets && o->level != AGREE_NOMINAL)
      return err_option(e, "level", "label sets take nominal, jaccard or masi");
  } else if (o->level != AGREE_NOMINAL) {
    return err_option(e, "level", "applies to krippendorff_alpha only (%s takes weights)", name);
  }
  if (o->weights != AGREE_W_NONE && v->n_cats > AGREE_MAX_WEIGHTED)
    return err_set(e, "weights need at most %d categories, the data have %u", AGREE_MAX_WEIGHTED, v->n_cats);
  if (o->weights == AGREE_W_CUSTOM && !o->custom) return err_set(e, "custom weights need a matrix");
  if (o->metric == AGREE_LIGHT) {
    double np = (double)v->n_raters * (v->n_raters - 1) / 2;
    if (np * (2.0 + 2.0 * v->n_cats) > 1e8)
      return err_set(e, "light_kappa over %u raters and %u categories is too large (use fleiss_kappa or "
                     "krippendorff_alpha)", v->n_raters, v->n_cats);
  }
  return 0;
}

void agree_work_free(AgreeWork *w) {
  if (!w) return;
  free(w->cnt);
  free(w->touched);
  free(w->used);
  free(w->W);
  free(w->pi);
  free(w->aux);
  free(w->aux2);
  free(w->cum);
  free(w->pairs);
  free(w->dtab);
  free(w);
}

AgreeWork *agree_work_new(const AgreeView *v, const AgreeOpts *o, Err *e) {
  AgreeWork *w = err_calloc(e, 1, sizeof *w);
  if (!w) return NULL;
  uint32_t q = w->q = v->n_cats;
  w->cnt = err_calloc(e, (size_t)q + 1, sizeof *w->cnt);
  w->touched = err_malloc(e, ((size_t)q + 1) * sizeof *w->touched);
  w->used = err_malloc(e, ((size_t)q + 1) * sizeof *w->used);
  w->pi = err_malloc(e, ((size_t)q + 1) * sizeof *w->pi);
  w->aux = err_malloc(e, ((size_t)q + 1) * sizeof *w->aux);
  w->aux2 = err_malloc(e, ((size_t)q + 1) * sizeof *w->aux2);
  w->cum = err_malloc(e, ((size_t)q + 2) * sizeof *w->cum);
  if (!w->cnt || !w->touched || !w->used || !w->pi || !w->aux || !w->aux2 || !w->cum) goto fail;
  if (o->weights != AGREE_W_NONE) {
    if (confine_reserve((size_t)q * q * sizeof *w->W, e) != 0) goto fail;   /* q categories: q^2 weights */
    if (!(w->W = err_malloc(e, (size_t)q * q * sizeof *w->W + 1))) goto fail;
    for (uint32_t k = 0; k < q; k++)
      for (uint32_t l = 0; l < q; l++) {
        double d = q > 1 ? fabs((double)k - l) / (q - 1) : 0, x;
        if (o->weights == AGREE_W_LINEAR) x = 1 - d;
        else if (o->weights == AGREE_W_QUADRATIC) x = 1 - d * d;
        else x = o->custom[(size_t)k * q + l];
        w->W[(size_t)k * q + l] = x;
      }
  }
  if (o->metric == AGREE_ALPHA && o->level != AGREE_NOMINAL && q <= 256) {
    if (!(w->dtab = err_malloc(e, (size_t)q * q * sizeof *w->dtab + 1))) goto fail;
  }
  if (o->metric == AGREE_LIGHT) {
    w->npairs = (size_t)v->n_raters * (v->n_raters - 1) / 2;
    if (confine_reserve(w->npairs * (2 + 2 * (size_t)q) * sizeof *w->pairs, e) != 0) goto fail;
    if (!(w->pairs = err_malloc(e, w->npairs * (2 + 2 * (size_t)q) * sizeof *w->pairs))) goto fail;
  }
  return w;
fail:
  agree_work_free(w);
  return NULL;
}

static inline double weight(const AgreeWork *w, uint32_t k, uint32_t l) {
  return w->W ? w->W[(size_t)k * w->q + l] : (double)(k == l);
}

static void undefined(AgreeResult *r, const char *why) {
  r->defined = 0;
  r->warn = 0;
  r->value = 0;
  r->has_se = 0;
  snprintf(r->why, sizeof r->why, "%s", why);
}

/* Undefined because every value the coefficient rests on (what: "rating",
 * "pairable value", "paired rating") is category c: a chance-corrected
 * coefficient cannot tell that agreement from chance, whatever its formula
 * gives (0/0, or 1 when chance agreement comes from the category count). The
 * binding names the category. */
static void one_category(AgreeResult *r, uint32_t c, const char *what) {
  undefined(r, "agreement cannot be told from chance");
  r->same_cat = c;
  r->same_what = what;
}

/* Counts unit u's ratings by category into w->cnt; returns how many distinct
 * categories (listed in w->touched). */
static uint32_t tally(const AgreeView *v, AgreeWork *w, uint32_t u) {
  uint32_t nt = 0;
  for (uint32_t i = v->unit_start[u]; i < v->unit_start[u + 1]; i++) {
    uint32_t c = v->code[i];
    if (w->cnt[c]++ == 0) w->touched[nt++] = c;
  }
  return nt;
}

static void untally(AgreeWork *w, uint32_t nt) {
  for (uint32_t t = 0; t < nt; t++) w->cnt[w->touched[t]] = 0;
}

/* sum_k n_k (sum_l w_kl n_l - 1) over the tallied unit: irrCAC's sum.q. */
static double unit_sumq(const AgreeWork *w, uint32_t nt) {
  double s = 0;
  for (uint32_t a = 0; a < nt; a++) {
    uint32_t k = w->touched[a];
    double nk = w->cnt[k], inner = -1;
    if (!w->W) {
      inner += nk;
    } else {
      for (uint32_t b = 0; b < nt; b++) inner += weight(w, k, w->touched[b]) * w->cnt[w->touched[b]];
    }
    s += nk * inner;
  }
  return s;
}

static double finish_se(double var, AgreeResult *r) {
  if (var < 0 && var > -1e-15) var = 0;
  if (!(var >= 0) || !isfinite(var)) return 0;
  r->has_se = 1;
  r->se = sqrt(var);
  return r->se;
}

/* Percent agreement, Fleiss' kappa, Gwet's AC1/AC2, Brennan-Prediger: irrCAC's
 * pa.coeff.raw, fleiss.kappa.raw, gwet.ac1.raw, bp.coeff.raw, with their
 * variance. Units with one rating count in the classification probabilities and
 * in n, not in the observed agreement (Gwet 2014). One pairable unit gives the
 * references' value with a warning; so does one category used, for AC1 and
 * Brennan-Prediger, when the categories (given, or the binary recoding) are two
 * or more: their chance agreement then counts the unused ones, and Gwet's
 * formulas give 1. */
static void multi_rater(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, const uint32_t *mult,
                        int want_se, AgreeResult *r) {
  uint32_t q = v->n_cats;
  double n = 0, n2 = 0, pa = 0, pe = 0, tw = 0;
  uint64_t npu = 0;
  for (uint32_t k = 0; k < q; k++) w->pi[k] = 0;
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t m = mult ? mult[u] : 1;
    if (!m) continue;
    uint32_t ru = v->unit_start[u + 1] - v->unit_start[u], nt = tally(v, w, u);
    n += m;
    for (uint32_t t = 0; t < nt; t++) w->pi[w->touched[t]] += (double)m * w->cnt[w->touched[t]] / ru;
    if (ru >= 2) {
      n2 += m;
      npu++;
      pa += m * unit_sumq(w, nt) / ((double)ru * (ru - 1));
      r->pairable += (uint64_t)m * ru;
    }
    untally(w, nt);
  }
  if (n2 == 0) return undefined(r, "no pairable values: no unit has ratings from two raters");
  if (npu < 2 && o->metric != AGREE_PERCENT) r->warn |= AGREE_WARN_ONE_UNIT;
  pa /= n2;
  uint32_t used = 0, only = 0;
  for (uint32_t k = 0; k < q; k++) {
    w->pi[k] /= n;
    if (w->pi[k] > 0) {
      used++;
      only = k;
    }
  }
  if (used < 2 && o->metric != AGREE_PERCENT) {
    if ((o->metric != AGREE_AC1 && o->metric != AGREE_BP) || q < 2) return one_category(r, only, "rating");
    r->warn |= AGREE_WARN_ONE_CATEGORY;
    r->same_cat = only;
    r->same_what = "rating";
  }
  if (w->W) {
    for (size_t i = 0; i < (size_t)q * q; i++) tw += w->W[i];
  } else {
    tw = q;
  }
  switch (o->metric) {
  case AGREE_FLEISS:
    for (uint32_t k = 0; k < q; k++) {
      if (!w->W) {
        pe += w->pi[k] * w->pi[k];
        continue;
      }
      for (uint32_t l = 0; l < q; l++) pe += weight(w, k, l) * w->pi[k] * w->pi[l];
    }
    break;
  case AGREE_AC1:
  case AGREE_BP:
    if (o->metric == AGREE_BP) {
      pe = tw / ((double)q * q);
    } else {
      for (uint32_t k = 0; k < q; k++) pe += w->pi[k] * (1 - w->pi[k]);
      pe *= tw / ((double)q * (q - 1));
    }
    break;
  default:
    pe = 0;
  }
  if (!(1 - pe > 1e-12)) return undefined(r, "chance agreement is 1: the coefficient is 0/0");
  double kappa = (pa - pe) / (1 - pe);
  r->defined = 1;
  r->value = kappa;
  r->pa = pa;
  r->pe = pe;
  if (!want_se || n < 2) return;
  /* per-category terms of the unit-level chance agreement */
  double c1 = q > 1 ? tw / ((double)q * (q - 1)) : 0;
  for (uint32_t k = 0; k < q; k++) {
    double s = 0;
    if (o->metric == AGREE_FLEISS) {
      if (!w->W) s = w->pi[k];
      else
        for (uint32_t l = 0; l < q; l++) s += (weight(w, k, l) + weight(w, l, k)) * w->pi[l] / 2;
    } else if (o->metric == AGREE_AC1) {
      s = c1 * (1 - w->pi[k]);
    }
    w->aux[k] = s;
  }
  double acc = 0;
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t ru = v->unit_start[u + 1] - v->unit_start[u], nt = tally(v, w, u);
    double pai = ru >= 2 ? unit_sumq(w, nt) / ((double)ru * (ru - 1)) : 0, ki;
    if (o->metric == AGREE_PERCENT) {
      ki = n / n2 * pai;
    } else {
      ki = n / n2 * (pai - (ru >= 2 ? pe : 0)) / (1 - pe);
      if (o->metric != AGREE_BP) {
        double pei = 0;
        for (uint32_t t = 0; t < nt; t++) pei += w->cnt[w->touched[t]] * w->aux[w->touched[t]];
        pei /= ru;
        ki -= 2 * (1 - kappa) * (pei - pe) / (1 - pe);
      }
    }
    acc += (ki - kappa) * (ki - kappa);
    untally(w, nt);
  }
  finish_se(acc / (n * (n - 1)), r);
}

/* ---- Krippendorff's alpha ---- */

/* The distance between categories c and k at the level (Krippendorff 2011):
 * ordinal reads the marginal counts' running sums in w->cum. */
static double delta(const AgreeView *v, const AgreeOpts *o, const AgreeWork *w, uint32_t c, uint32_t k) {
  if (c == k) return 0;
  switch (o->level) {
  case AGREE_NOMINAL:
    return 1;
  case AGREE_ORDINAL: {
    if (c > k) {
      uint32_t t = c;
      c = k;
      k = t;
    }
    double s = w->cum[k + 1] - w->cum[c] - (w->aux2[c] + w->aux2[k]) / 2;
    return s * s;
  }
  case AGREE_INTERVAL: {
    double d = v->cat_value[c] - v->cat_value[k];
    return d * d;
  }
  case AGREE_RATIO: {
    double a = v->cat_value[c], b = v->cat_value[k];
    if (a + b == 0) return 0;
    double d = (a - b) / (a + b);
    return d * d;
  }
  default: {   /* label sets: Jaccard, or MASI (Passonneau 2006, as nltk) */
    const uint32_t *x = v->set_label + v->set_start[c], *y = v->set_label + v->set_start[k];
    uint32_t nx = v->set_start[c + 1] - v->set_start[c], ny = v->set_start[k + 1] - v->set_start[k];
    uint32_t i = 0, j = 0, inter = 0;
    while (i < nx && j < ny) {
      if (x[i] == y[j]) {
        inter++;
        i++;
        j++;
      } else if (x[i] < y[j]) {
        i++;
      } else {
        j++;
      }
    }
    uint32_t uni = nx + ny - inter;
    if (uni == 0) return 0;
    double m = 1;
    if (o->level == AGREE_MASI) {
      uint32_t mn = nx < ny ? nx : ny;
      m = (nx == ny && nx == inter) ? 1 : inter == mn ? 0.67 : inter > 0 ? 0.33 : 0;
    }
    return 1 - (double)inter / uni * m;
  }
  }
}

/* Alpha's expected disagreement sum_ck n_c n_k d_ck over the used categories
 * (closed forms for nominal and interval). */
static double alpha_expected(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, const double *nc,
                             uint32_t nused, double n) {
  double de = 0;
  if (o->level == AGREE_NOMINAL) {
    for (uint32_t a = 0; a < nused; a++) de += nc[w->used[a]] * (n - nc[w->used[a]]);
  } else if (o->level == AGREE_INTERVAL) {
    double mean = 0, ss = 0;
    for (uint32_t a = 0; a < nused; a++) mean += nc[w->used[a]] * v->cat_value[w->used[a]];
    mean /= n;
    for (uint32_t a = 0; a < nused; a++) {
      double d = v->cat_value[w->used[a]] - mean;
      ss += nc[w->used[a]] * d * d;
    }
    de = 2 * n * ss;
  } else {
    for (uint32_t a = 0; a < nused; a++)
      for (uint32_t b = a + 1; b < nused; b++)
        de += 2 * nc[w->used[a]] * nc[w->used[b]] * delta(v, o, w, w->used[a], w->used[b]);
  }
  return de;
}

/* Unit u's observed disagreement sum_ck n_uc n_uk d_ck (its ru values from s on). */
static double alpha_unit(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, uint32_t u, uint32_t s,
                         uint32_t ru) {
  double du = 0;
  if (o->level == AGREE_NOMINAL) {
    double sq = 0;
    for (uint32_t i = s; i < s + ru; i++) w->cnt[v->code[i]]++;
    for (uint32_t i = s; i < s + ru; i++) {
      uint32_t c = v->code[i];
      if (w->cnt[c]) {
        sq += (double)w->cnt[c] * w->cnt[c];
        w->cnt[c] = 0;
      }
    }
    du = (double)ru * ru - sq;
  } else if (o->level == AGREE_INTERVAL) {   /* sum_ij (x_i - x_j)^2 = 2 (m sum x^2 - (sum x)^2) */
    double sx = 0, mean, ss = 0;
    for (uint32_t i = s; i < s + ru; i++) sx += v->cat_value[v->code[i]];
    mean = sx / ru;
    for (uint32_t i = s; i < s + ru; i++) {
      double d = v->cat_value[v->code[i]] - mean;
      ss += d * d;
    }
    du = 2 * ru * ss;
  } else {   /* over the distinct categories of the unit */
    uint32_t nt = tally(v, w, u);
    for (uint32_t a = 0; a < nt; a++)
      for (uint32_t b = a + 1; b < nt; b++)
        du += 2.0 * w->cnt[w->touched[a]] * w->cnt[w->touched[b]] * delta(v, o, w, w->touched[a], w->touched[b]);
    untally(w, nt);
  }
  return du;
}

/* sum over the unit's pairs i < j of 2 d(c_i, c_j), in that order. Nominal:
 * 2 x the discordant pairs, ru (ru - 1) - sum_c n_c (n_c - 1) from the unit's
 * counts (whole numbers, so the same double); otherwise the pairs, with the
 * distances from w->dtab when it is there. */
static double unit_dq(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, uint32_t u, uint32_t s,
                      uint32_t ru) {
  double dq = 0;
  if (o->level == AGREE_NOMINAL) {
    uint32_t nt = tally(v, w, u);
    uint64_t same = 0;
    for (uint32_t a = 0; a < nt; a++) {
      uint64_t c = w->cnt[w->touched[a]];
      same += c * (c - 1);
    }
    untally(w, nt);
    return (double)((uint64_t)ru * (ru - 1) - same);
  }
  const uint32_t *code = v->code;
  if (w->dtab) {
    uint32_t q = w->q;
    for (uint32_t i = s; i < s + ru; i++) {
      const double *row = w->dtab + (size_t)code[i] * q;
      for (uint32_t j = i + 1; j < s + ru; j++)
        if (code[i] != code[j]) dq += 2 * row[code[j]];
    }
    return dq;
  }
  for (uint32_t i = s; i < s + ru; i++)
    for (uint32_t j = i + 1; j < s + ru; j++)
      if (code[i] != code[j]) dq += 2 * delta(v, o, w, code[i], code[j]);
  return dq;
}

/* Gwet's standard error of alpha (irrCAC krippen.alpha.raw) with weights 1 - d (its
 * value is the same for any scale of d), from the value counts nc over n values in
 * npu_w pairable units. */
static void alpha_se(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, const double *nc, uint32_t nused,
                     double n, double npu_w, AgreeResult *r) {
  uint32_t q = v->n_cats;
  double rbar = n / npu_w, eps = 1 / n, paprime = 0;
  double *pi = w->pi, *sk = w->aux;
  for (uint32_t k = 0; k < q; k++) pi[k] = nc[k] / (rbar * npu_w);
  for (uint32_t a = 0; a < nused; a++) {
    uint32_t k = w->used[a];
    double s = 0;
    if (o->level == AGREE_NOMINAL) {
      s = 1 - pi[k];
    } else {
      for (uint32_t b = 0; b < nused; b++) s += delta(v, o, w, k, w->used[b]) * pi[w->used[b]];
    }
    sk[k] = s;
  }
  double pe = 1;
  for (uint32_t a = 0; a < nused; a++) pe -= pi[w->used[a]] * sk[w->used[a]];
  if (w->dtab)
    for (uint32_t c = 0; c < q; c++)
      for (uint32_t k = 0; k < q; k++) w->dtab[(size_t)c * q + k] = delta(v, o, w, c, k);
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t s = v->unit_start[u], ru = v->unit_start[u + 1] - s;
    if (ru < 2) continue;
    double dq = unit_dq(v, o, w, u, s, ru);
    paprime += ((double)ru * (ru - 1) - dq) / (rbar * (ru - 1));
  }
  paprime /= npu_w;
  double pa = (1 - eps) * paprime + eps, aprime = (paprime - pe) / (1 - pe), acc = 0;
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t s = v->unit_start[u], ru = v->unit_start[u + 1] - s;
    if (ru < 2) continue;
    double dq = unit_dq(v, o, w, u, s, ru), pei = 0;
    for (uint32_t i = s; i < s + ru; i++) pei += 1 - sk[v->code[i]];
    double pai = ((double)ru * (ru - 1) - dq) / (rbar * (ru - 1)) - pa * (ru - rbar) / rbar;
    pei = pei / rbar - pe * (ru - rbar) / rbar;
    double ki = (pai - pe) / (1 - pe) - 2 * (1 - aprime) * (pei - pe) / (1 - pe);
    acc += (ki - aprime) * (ki - aprime);
  }
  finish_se(acc / (npu_w * (npu_w - 1)), r);
}

/* Krippendorff's alpha from the coincidences: pairable units (two or more
 * values) only, alpha = 1 - (n - 1) sum_u sum_ck n_uc n_uk d_ck / (m_u - 1)
 * / sum_ck n_c n_k d_ck. The standard error is Gwet's (irrCAC krippen.alpha.raw)
 * with agreement weights 1 - d, for the levels whose distance does not depend on
 * the data (every level but ordinal). One pairable unit gives 0, its
 * coincidences being the expected ones (nltk, fast-krippendorff), with a warning. */
static void alpha(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, const uint32_t *mult,
                  int want_se, AgreeResult *r) {
  uint32_t q = v->n_cats, nused = 0;
  double n = 0, npu_w = 0;
  uint64_t npu = 0;
  double *nc = w->aux2;
  for (uint32_t k = 0; k < q; k++) nc[k] = 0;
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t m = mult ? mult[u] : 1, s = v->unit_start[u], ru = v->unit_start[u + 1] - s;
    if (!m || ru < 2) continue;
    npu++;
    npu_w += m;
    n += (double)m * ru;
    for (uint32_t i = s; i < s + ru; i++) nc[v->code[i]] += m;
  }
  r->pairable = (uint64_t)n;
  if (npu == 0) return undefined(r, "no pairable values: no unit has ratings from two raters");
  if (npu < 2) r->warn |= AGREE_WARN_ONE_UNIT;   /* alpha 0 (nltk, fast-krippendorff) */
  for (uint32_t k = 0; k < q; k++)
    if (nc[k] > 0) w->used[nused++] = k;
  if (nused < 2) return one_category(r, w->used[0], "pairable value");
  w->cum[0] = 0;
  for (uint32_t k = 0; k < q; k++) w->cum[k + 1] = w->cum[k] + nc[k];
  double de = alpha_expected(v, o, w, nc, nused, n);
  if (!(de > 0)) return undefined(r, "expected disagreement is 0: alpha is 0/0");
  double dsum = 0;
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t m = mult ? mult[u] : 1, s = v->unit_start[u], ru = v->unit_start[u + 1] - s;
    if (!m || ru < 2) continue;
    dsum += m * alpha_unit(v, o, w, u, s, ru) / (ru - 1);
  }
  r->defined = 1;
  r->value = 1 - (n - 1) * dsum / de;
  r->pa = 1 - dsum / n;
  r->pe = 1 - de / (n * (n - 1));
  if (!want_se || o->level == AGREE_ORDINAL || npu < 2) return;
  alpha_se(v, o, w, nc, nused, n, npu_w, r);
}

/* ---- two raters: Cohen's kappa, Scott's pi ---- */

/* The codes of raters 0 and 1 in unit u, or 0 when the unit lacks one. */
static int unit_pair(const AgreeView *v, uint32_t u, uint32_t *a, uint32_t *b) {
  int got = 0;
  for (uint32_t i = v->unit_start[u]; i < v->unit_start[u + 1]; i++) {
    if (v->rater[i] == 0) {
      *a = v->code[i];
      got |= 1;
    } else if (v->rater[i] == 1) {
      *b = v->code[i];
      got |= 2;
    }
  }
  return got == 3;
}

/* Cohen's kappa with the Fleiss-Cohen-Everitt (1969) large-sample standard error
 * (statsmodels' cohens_kappa std_kappa), or Scott's pi with Gwet's (irrCAC
 * scott2.table); weighted with agreement weights. */
static void two_raters(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, const uint32_t *mult,
                       int want_se, AgreeResult *r) {
  uint32_t q = v->n_cats, a = 0, b = 0;
  double *row = w->pi, *col = w->aux, N = 0, po = 0, pe = 0;
  uint64_t npu = 0;
  for (uint32_t k = 0; k < q; k++) row[k] = col[k] = 0;
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t m = mult ? mult[u] : 1;
    if (!m || !unit_pair(v, u, &a, &b)) continue;
    npu++;
    N += m;
    row[a] += m;
    col[b] += m;
    po += m * weight(w, a, b);
  }
  r->pairable = 2 * (uint64_t)N;
  if (npu == 0) return undefined(r, "no pairable values: no unit was rated by both raters");
  if (npu < 2) return undefined(r, "one unit: chance agreement cannot be estimated from a single unit");
  for (uint32_t k = 0; k < q; k++)
    if (row[k] == N && col[k] == N) return one_category(r, k, "paired rating");
  po /= N;
  for (uint32_t k = 0; k < q; k++) {
    row[k] /= N;
    col[k] /= N;
  }
  int scott = o->metric == AGREE_SCOTT;
  double *pk = w->aux2;   /* Scott: the pooled proportions */
  for (uint32_t k = 0; k < q; k++) pk[k] = (row[k] + col[k]) / 2;
  for (uint32_t k = 0; k < q; k++) {
    if (!w->W) {
      pe += scott ? pk[k] * pk[k] : row[k] * col[k];
      continue;
    }
    for (uint32_t l = 0; l < q; l++) pe += weight(w, k, l) * (scott ? pk[k] * pk[l] : row[k] * col[l]);
  }
  if (!(1 - pe > 1e-12)) return undefined(r, "chance agreement is 1: the coefficient is 0/0");
  double kappa = (po - pe) / (1 - pe);
  r->defined = 1;
  r->value = kappa;
  r->pa = po;
  r->pe = pe;
  if (!want_se) return;
  /* wr[k] = sum_l w_kl col_l, wc[l] = sum_k w_kl row_k (Scott: their mean) */
  double *wr = w->cum, *wc = w->cum + 0;
  double *tmp = malloc(((size_t)q + 1) * sizeof *tmp);
  if (!tmp) return;   /* no standard error rather than a wrong one */
  wc = tmp;
  for (uint32_t k = 0; k < q; k++) {
    double sr = 0, sc = 0;
    if (!w->W) {
      sr = col[k];
      sc = row[k];
    } else {
      for (uint32_t l = 0; l < q; l++) {
        sr += weight(w, k, l) * col[l];
        sc += weight(w, l, k) * row[l];
      }
    }
    wr[k] = sr;
    wc[k] = sc;
  }
  if (scott)
    for (uint32_t k = 0; k < q; k++) wr[k] = wc[k] = (wr[k] + wc[k]) / 2;
  double acc = 0;
  for (uint32_t u = 0; u < v->n_units; u++) {
    if (!unit_pair(v, u, &a, &b)) continue;
    double t = weight(w, a, b) - (wr[a] + wc[b]) * (1 - kappa);
    acc += t * t;
  }
  free(tmp);
  acc /= N;
  double c = scott ? po - 2 * (1 - kappa) * pe : kappa - pe * (1 - kappa);
  finish_se((acc - c * c) / ((1 - pe) * (1 - pe) * N), r);
}

/* ---- Light's kappa: the mean of Cohen's kappa over every pair of raters ---- */

static void light(const AgreeView *v, AgreeWork *w, const uint32_t *mult, AgreeResult *r) {
  uint32_t q = v->n_cats, R = v->n_raters;
  size_t stride = 2 + 2 * (size_t)q;
  uint32_t first = AGREE_NONE;
  int same = 1;
  memset(w->pairs, 0, w->npairs * stride * sizeof *w->pairs);
  for (uint32_t u = 0; u < v->n_units; u++) {
    uint32_t m = mult ? mult[u] : 1, s = v->unit_start[u], e = v->unit_start[u + 1];
    if (!m || e - s < 2) continue;
    r->pairable += (uint64_t)m * (e - s);
    if (first == AGREE_NONE) first = v->code[s];
    for (uint32_t i = s; i < e && same; i++) same = v->code[i] == first;
    for (uint32_t i = s; i < e; i++)
      for (uint32_t j = i + 1; j < e; j++) {
        uint32_t ra = v->rater[i], rb = v->rater[j], ca = v->code[i], cb = v->code[j];
        if (ra > rb) {
          uint32_t t = ra;
          ra = rb;
          rb = t;
          t = ca;
          ca = cb;
          cb = t;
        }
        /* pairs (a, b), a < b, numbered row by row */
        size_t p = (size_t)ra * (2 * (size_t)R - ra - 1) / 2 + (rb - ra - 1);
        double *acc = w->pairs + p * stride;
        acc[0] += m;
        acc[1] += m * weight(w, ca, cb);
        acc[2 + ca] += m;
        acc[2 + q + cb] += m;
      }
  }
  if (first != AGREE_NONE && same) return one_category(r, first, "paired rating");   /* whatever the pair */
  double sum = 0, spa = 0, spe = 0;
  for (uint32_t ra = 0; ra < R; ra++)
    for (uint32_t rb = ra + 1; rb < R; rb++) {
      size_t p = (size_t)ra * (2 * (size_t)R - ra - 1) / 2 + (rb - ra - 1);
      const double *acc = w->pairs + p * stride, *row = acc + 2, *col = acc + 2 + q;
      double N = acc[0], pe = 0;
      r->pair_a = ra;
      r->pair_b = rb;
      if (N < 2) return undefined(r, N == 0 ? "no unit rated by both" : "one unit rated by both");
      for (uint32_t k = 0; k < q; k++)
        if (row[k] == N && col[k] == N) return one_category(r, k, "paired rating");
      for (uint32_t k = 0; k < q; k++) {
        if (!w->W) {
          pe += row[k] * col[k];
          continue;
        }
        for (uint32_t l = 0; l < q; l++) pe += weight(w, k, l) * row[k] * col[l];
      }
      pe /= N * N;
      if (!(1 - pe > 1e-12)) return undefined(r, "chance agreement is 1: kappa is 0/0");
      double po = acc[1] / N;
      sum += (po - pe) / (1 - pe);
      spa += po;
      spe += pe;
    }
  double np = (double)w->npairs;
  r->pair_a = r->pair_b = AGREE_NONE;
  r->defined = 1;
  r->value = sum / np;
  r->pa = spa / np;
  r->pe = spe / np;
}

int agree_compute(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, const uint32_t *mult,
                  int want_se, AgreeResult *r, Err *e) {
  (void)e;
  memset(r, 0, sizeof *r);
  r->units = v->n_units;
  r->raters = v->n_raters;
  r->pair_a = r->pair_b = r->same_cat = AGREE_NONE;
  if (mult) want_se = 0;
  switch (o->metric) {
  case AGREE_COHEN:
  case AGREE_SCOTT:
    two_raters(v, o, w, mult, want_se, r);
    break;
  case AGREE_LIGHT:
    light(v, w, mult, r);
    break;
  case AGREE_ALPHA:
    alpha(v, o, w, mult, want_se, r);
    break;
  default:
    multi_rater(v, o, w, mult, want_se, r);
  }
  if (r->defined && !isfinite(r->value)) undefined(r, "the coefficient is not a finite number");
  return 0;
}
