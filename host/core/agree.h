/* Inter-annotator agreement over compact arrays: reliability data (units x raters,
 * category codes, missing values absent), the coefficients, analytic standard
 * errors, per-category agreement and a reproducible bootstrap. Knows neither the
 * annotation model nor Lua. */
#ifndef ANNOVET_AGREE_H
#define ANNOVET_AGREE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define AGREE_NONE UINT32_MAX        /* "no id": an empty label set, a missing value */
#define AGREE_MAX_WEIGHTED 4096      /* most categories a dense weight matrix may have */
#define AGREE_WHY 200

typedef enum AgreeMetric {
  AGREE_PERCENT, AGREE_COHEN, AGREE_LIGHT, AGREE_SCOTT, AGREE_FLEISS,
  AGREE_ALPHA, AGREE_AC1, AGREE_BP, AGREE_NMETRICS
} AgreeMetric;

typedef enum AgreeLevel {
  AGREE_NOMINAL, AGREE_ORDINAL, AGREE_INTERVAL, AGREE_RATIO, AGREE_JACCARD, AGREE_MASI,
  AGREE_NLEVELS
} AgreeLevel;

typedef enum AgreeWeights {
  AGREE_W_NONE, AGREE_W_LINEAR, AGREE_W_QUADRATIC, AGREE_W_CUSTOM, AGREE_NWEIGHTS
} AgreeWeights;

/* What the coefficients read: ratings grouped by unit (CSR). Unit u's ratings are
 * [unit_start[u], unit_start[u+1]); each has a rater and a category code. */
typedef struct AgreeView {
  uint32_t n_units, n_raters, n_cats;
  const uint32_t *unit_start;   /* n_units + 1 */
  const uint32_t *rater;        /* per rating, < n_raters; distinct within a unit */
  const uint32_t *code;         /* per rating, < n_cats */
  const double *cat_value;      /* per category: its number (interval, ratio), or NULL */
  const uint32_t *set_start;    /* multi-label: category c is the label set */
  const uint32_t *set_label;    /*   set_label[set_start[c] .. set_start[c+1]), sorted */
} AgreeView;

/* Reliability data with the names that go with the codes. */
typedef struct AgreeData {
  AgreeView v;
  char **cat_name;              /* n_cats display names (a set prints as "a|b") */
  char **rater_name;            /* n_raters */
  char **label_name;            /* multi-label: n_labels label names; else NULL */
  uint32_t n_labels;            /* multi-label: distinct labels; else 0 */
  int numeric;                  /* every category is a number (cat_value set) */
  int multi_label;
  uint64_t n_ratings;
  /* owned storage behind the view */
  uint32_t *unit_start, *rater, *code, *set_start, *set_label;
  double *cat_value;
} AgreeData;

void agree_data_free(AgreeData *d);

/* The options of one computation. */
typedef struct AgreeOpts {
  AgreeMetric metric;
  AgreeLevel level;             /* alpha only */
  AgreeWeights weights;         /* every metric but alpha */
  const double *custom;         /* n_cats x n_cats agreement weights, row-major (AGREE_W_CUSTOM) */
} AgreeOpts;

/* Why a defined value rests on little (AgreeResult.warn): the references give
 * the number, and so does annovet, with a warning. */
#define AGREE_WARN_ONE_UNIT 1u       /* one pairable unit: chance from its ratings alone */
#define AGREE_WARN_ONE_CATEGORY 2u   /* AC1, Brennan-Prediger: every value is same_cat, and
                                      * chance agreement counts the unused categories */

/* One coefficient with what it rests on. */
typedef struct AgreeResult {
  int defined;                  /* 0: value is meaningless, why says so */
  unsigned warn;                /* AGREE_WARN_* of a defined value, else 0 */
  double value;
  int has_se;
  double se;
  double pa, pe;                /* observed and chance agreement (alpha: 1-Do, 1-De) */
  uint32_t units, raters;       /* units and raters with at least one rating */
  uint64_t pairable;            /* values in pairable units (Cohen, Scott: in paired units) */
  char why[AGREE_WHY];          /* the reason when not defined; "" otherwise */
  uint32_t pair_a, pair_b;      /* Light: the rater pair the reason is about, else AGREE_NONE */
  uint32_t same_cat;            /* every value is this category (undefined, or AGREE_WARN_ONE_CATEGORY), else AGREE_NONE */
  const char *same_what;        /*   the values meant: "rating", "pairable value", "paired rating" */
} AgreeResult;

/* Scratch space reused across calls (the bootstrap calls the same metric often). */
typedef struct AgreeWork AgreeWork;

AgreeWork *agree_work_new(const AgreeView *v, const AgreeOpts *o, Err *e);
void agree_work_free(AgreeWork *w);

/* Names <-> enums; NULL / -1 when unknown. */
const char *agree_metric_name(AgreeMetric m);
int agree_metric_parse(const char *s);
const char *agree_level_name(AgreeLevel l);
int agree_level_parse(const char *s);
const char *agree_weights_name(AgreeWeights w);
int agree_weights_parse(const char *s);

/* Checks that the options suit the data (raters, levels, weights, sizes); -1 with
 * a message otherwise (bad usage or bad input, not an undefined coefficient). */
int agree_check(const AgreeView *v, const AgreeOpts *o, Err *e);

/* Computes the coefficient on v. mult (n_units, may be NULL for all ones) gives
 * how often each unit counts (the bootstrap's resample). want_se asks for the
 * analytic standard error. Returns 0, or -1 on allocation failure. */
int agree_compute(const AgreeView *v, const AgreeOpts *o, AgreeWork *w, const uint32_t *mult,
                  int want_se, AgreeResult *r, Err *e);

/* ---- agree_boot.c ---- */

typedef struct AgreeCI {
  double low, high, level;
  uint32_t resamples;           /* resamples drawn */
  uint32_t undefined;           /* of which the coefficient was undefined */
  uint64_t seed;
  int defined;                  /* 0 when no resample gave a value */
} AgreeCI;

/* Percentile bootstrap over units: `resamples` resamples of n_units units drawn
 * with replacement, the coefficient on each, and the (1-level)/2 and (1+level)/2
 * quantiles of the defined values (linear interpolation between order
 * statistics, numpy's and R's type 7). */
int agree_bootstrap(const AgreeView *v, const AgreeOpts *o, uint32_t resamples, uint64_t seed,
                    double level, AgreeCI *ci, Err *e);

/* Category (or, multi-label, label) k against the rest: the same metric on the
 * binary recoding, nominal and unweighted. */
int agree_per_category(const AgreeView *v, const AgreeOpts *o, uint32_t k, AgreeResult *r, Err *e);

/* ---- agree_data.c: building reliability data from strings ---- */

typedef struct AgreeBuilder AgreeBuilder;

/* Names the place of a rating for messages: writes e.g. "f.csv: row 7, column
 * 'value'" into buf. which: 0 unit, 1 rater, 2 value; id: the value's id when
 * which is 2, else AGREE_NONE. */
typedef void (*AgreeWhere)(void *ctx, uint32_t row, uint32_t id, int which, char *buf, size_t n);

/* ctx is the where callback's; ctx_free (may be NULL) releases it with the builder. */
AgreeBuilder *agree_builder_new(int multi_label, AgreeWhere where, void *ctx,
                                void (*ctx_free)(void *), Err *e);
void agree_builder_free(AgreeBuilder *b);
/* Interns a unit, rater or value string: its id, or AGREE_NONE when out of memory. */
uint32_t agree_builder_unit(AgreeBuilder *b, const char *s, size_t len);
uint32_t agree_builder_rater(AgreeBuilder *b, const char *s, size_t len);
/* A new unnamed unit (one per row of a wide file without a unit column); a
 * builder takes either named or unnamed units, not both. */
uint32_t agree_builder_unit_seq(AgreeBuilder *b);
uint32_t agree_builder_value(AgreeBuilder *b, const char *s, size_t len, uint32_t row);
/* Adds one rating (value AGREE_NONE: multi-label, the rater gave no label). */
int agree_builder_add(AgreeBuilder *b, uint32_t unit, uint32_t rater, uint32_t value,
                      uint32_t row, Err *e);
uint32_t agree_builder_nraters(const AgreeBuilder *b);

typedef struct AgreeSpec {
  const char *const *categories;   /* fixed category (label) set and order, or NULL */
  size_t n_categories;
  int numbers;                     /* 1: values must be numbers; 2: non-negative numbers */
} AgreeSpec;

/* Turns what was added into reliability data (*out, free with agree_data_free).
 * Bad input (a value outside the categories, a non-number where numbers are
 * needed, a unit rated twice by one rater) is -1 with a message naming the place. */
int agree_builder_finish(AgreeBuilder *b, const AgreeSpec *spec, AgreeData **out, Err *e);

#endif
