/* Scoring a vendor's annotations against the gold panel: items paired by file
 * name (then basename), classes by name, per item the similarity of the chosen
 * shape and one-to-one matching at the threshold, then the conflicts (a
 * class-agnostic pass, duplicates, low overlap, attributes, keypoint visibility,
 * text). Also the reliability data of several annotators' shapes for the
 * agreement engine. Joins the model, the geometry and the matcher; knows no Lua. */
#ifndef ANNOVET_COMPARE_H
#define ANNOVET_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

/* The shape compared (cocoeval's names where it has them). CMP_SEMANTIC is not
 * matched object by object: each item's masks are painted into one label image
 * per side and counted pixel by pixel (compare_semantic.c). */
typedef enum CmpType {
  CMP_BBOX = 0, CMP_SEGM, CMP_KEYPOINTS, CMP_RBOX, CMP_POLYLINE, CMP_CUBOID, CMP_TEXT, CMP_TAG,
  CMP_SEMANTIC, CMP_NTYPES
} CmpType;

const char *cmp_type_name(CmpType t);
int cmp_type_parse(const char *s);       /* -1 when unknown */

/* Counts, per iou type, the annotations of d that carry that shape of their own
 * rather than one derived from another shape (segm: a polygon or a mask, a
 * keypoint set's segmentation included; keypoints: keypoints; bbox: any
 * geometry; rbox, polyline, cuboid, text, tag: that type) into n[CMP_NTYPES],
 * for choosing the default iou type. */
void cmp_shape_counts(const Dataset *d, uint64_t n[CMP_NTYPES]);

/* Keypoint sigmas of one class (by name), n of them. */
typedef struct CmpSigmas {
  const char *cls;
  const double *s;
  uint32_t n;
} CmpSigmas;

typedef struct CmpOpts {
  CmpType type;
  double thr;            /* IoU or OKS at or above which a pair matches; chamfer: the
                            distance in pixels at or below which it does */
  double low;            /* low overlap: unmatched same-class pairs with similarity in
                            [low, thr) (chamfer: distance in (thr, low]) */
  int greedy;            /* greedy matching instead of optimal */
  int chamfer;           /* polylines by Chamfer distance instead of band IoU */
  double line_width;     /* polyline band width where the annotation gives none */
  double chamfer_step;   /* resampling step of the Chamfer distance (<= 0: vertices) */
  const CmpSigmas *sigmas; size_t nsigmas;   /* keypoints: per class; COCO's for 17 */
  const char *const *map; size_t nmap;       /* nmap pairs: vendor class, gold class */
  const char *const *attrs; size_t nattrs;   /* attribute keys compared (NULL: all of gold's) */
  int no_attrs;          /* compare no attributes */
  int count_missing;     /* gold items the vendor lacks count as missed, not left out */
  const char *const *thr_class; const double *thr_value; size_t nthr;   /* per gold class
                            thresholds (IoU or OKS) overriding thr; not for Chamfer or semantic */
  unsigned threads;      /* threads preparing the gold (0: par_threads()) */
} CmpOpts;

/* The gold panel prepared once for several vendors: per item its annotations, the
 * shapes (masks rasterised at the item's size), the classes and keypoint sigmas. */
typedef struct CmpGold CmpGold;

CmpGold *cmp_gold_new(const Dataset *gold, const CmpOpts *o, Err *e);
void cmp_gold_free(CmpGold *g);
/* The gold panel's annotations (how much work a vendor's run is). */
size_t cmp_gold_annotations(const CmpGold *g);

typedef enum CmpKind {
  CMP_MISSING = 0, CMP_EXTRA, CMP_WRONG_CLASS, CMP_LOW_OVERLAP, CMP_DUPLICATE,
  CMP_WRONG_ATTRIBUTE, CMP_WRONG_VISIBILITY, CMP_WRONG_TEXT, CMP_NKINDS
} CmpKind;

const char *cmp_kind_name(CmpKind k);

#define CMP_NONE UINT32_MAX

/* One problem found on a gold item. */
typedef struct CmpConflict {
  uint32_t item;         /* gold item index */
  uint32_t g, v;         /* gold and vendor annotation indices, CMP_NONE for none */
  uint32_t gcls, vcls;   /* their classes, CMP_NONE for none */
  uint32_t who;          /* annotator charged: vendor annotator index, or nwho - 1 */
  uint32_t ga, va;       /* wrong attribute: indices into the gold and vendor attrs
                            pools, CMP_NONE when that side has none */
  uint8_t kind;
  double sim;            /* the pair's IoU or OKS (Chamfer: distance), NaN when no pair */
  double x, y;           /* wrong text: CER, WER; wrong visibility: keypoints that
                            differ, keypoints */
} CmpConflict;

/* One true positive. */
typedef struct CmpMatch {
  uint32_t g, v;
  double sim;            /* IoU or OKS (Chamfer: distance) */
} CmpMatch;

typedef struct CmpStats {
  uint64_t tp, fp, fn;
  uint64_t ignored;      /* vendor annotations inside a gold crowd region */
  double sum_sim;        /* of the matches' IoU or OKS (Chamfer: distance) */
  uint64_t char_edits, chars, word_edits, words;   /* text, over true positives */
} CmpStats;

/* How a vendor item found its gold item. */
enum { CMP_BY_FILE = 1, CMP_BY_BASENAME, CMP_BY_ID, CMP_NOT_IN_GOLD, CMP_ITEM_TWICE, CMP_AMBIGUOUS };
/* What became of a gold item. */
enum { CMP_COMPARED = 1, CMP_NOT_DELIVERED, CMP_SIZE_DIFFERS };

/* Why an annotation was left out of the counts (index into CmpResult.left_out). */
enum {
  CMP_OUT_SHAPE = 0,     /* it has no shape of the compared type (by_type says which) */
  CMP_OUT_CROWD,         /* vendor: marked iscrowd */
  CMP_OUT_NO_CLASS,      /* no category */
  CMP_OUT_ITEM,          /* on an item left out (not delivered, not in gold, size differs) */
  CMP_OUT_SIZE,          /* mask or keypoints not of the item's size or count */
  CMP_NOUT
};

typedef struct CmpResult {
  const Dataset *gold, *vendor;
  CmpType type;
  uint32_t nclass, ngold_class;    /* classes 0..ngold_class-1 are gold's, the rest vendor-only */
  const char **class_name;         /* into the datasets' string pools */
  uint32_t *gcat_class, *vcat_class;   /* category index -> class (CMP_NONE: none) */
  uint8_t *map_used;               /* nmap: whether a --map pair named a vendor class */
  CmpStats *stats;                 /* nclass */
  uint64_t *ngold, *nvendor;       /* nclass: annotations counted (gold non-crowd; vendor) */
  uint32_t nwho;                   /* vendor annotators + 1 (the last: unattributed) */
  CmpStats *who_stats;             /* nwho x nclass */
  CmpMatch *match;  size_t nmatch;
  CmpConflict *conf; size_t nconf;
  uint32_t *vitem_gold;            /* vendor item -> gold item, CMP_NONE */
  uint8_t *vitem_how;              /* CMP_BY_FILE ... */
  uint32_t *gitem_vendor;          /* gold item -> vendor item, CMP_NONE */
  uint8_t *gitem_state;            /* CMP_COMPARED ... */
  uint64_t left_out[2][CMP_NOUT];  /* [0] gold, [1] vendor */
  uint64_t shape_by_type[2][ANN_TYPE_COUNT];   /* CMP_OUT_SHAPE by annotation type */
  uint64_t gold_crowd;             /* gold crowd regions (never missed) */
  double *garea, *varea;           /* per gold and vendor annotation: the area it counts by in
                                      the size breakdown (NaN where not compared) */
  /* semantic: stats, who_stats and conflicts count pixels (tp: the same class on
   * both sides; fp: the vendor's class where the gold has another or none; fn:
   * the gold's class where the vendor has another or none); conflicts are per
   * item and class where the item's IoU is below the threshold (sim: that IoU;
   * x, y: the gold's and the vendor's pixels of the class) */
  uint64_t *px_conf;               /* (nclass + 1)^2 pixels: [gold class + 1][vendor class + 1], 0 none */
  uint64_t px_ignored;             /* pixels inside gold crowd regions, left out */
  uint64_t px_overlap[2];          /* pixels where one side's masks of different classes overlap */
} CmpResult;

/* Scores vendor against the prepared gold. Returns NULL with e set on failure
 * (out of memory, a --map naming no gold class); bad geometry is left out and
 * counted, never fatal. */
CmpResult *cmp_run(const CmpGold *g, const Dataset *vendor, Err *e);
void cmp_result_free(CmpResult *r);

/* The same in parts that may run on different threads (compare_run.c): begin
 * pairs items and classes and splits the gold items into nparts runs of about
 * equal work; each part scores its items (parts of one run, and of different
 * runs, may run at once); end joins them in item order into the result, which
 * is the same for any number of parts. free releases a run not ended. */
typedef struct CmpRun CmpRun;
CmpRun *cmp_run_begin(const CmpGold *g, const Dataset *vendor, unsigned nparts, Err *e);
unsigned cmp_run_parts(const CmpRun *run);
int cmp_run_part(CmpRun *run, unsigned part);
CmpResult *cmp_run_end(CmpRun *run, Err *e);
void cmp_run_free(CmpRun *run);

/* ---- uncertainty: the bootstrap over gold items (compare_boot.c) ---- */

/* A percentile interval: est from all items, low and high the (1 - level) / 2
 * and (1 + level) / 2 quantiles of the defined replicates (linear between order
 * statistics), se their standard deviation; undefined counts the replicates
 * where the ratio had no denominator (dropped). */
typedef struct CmpCI {
  int defined;
  double est, low, high, se;
  uint32_t undefined;
} CmpCI;

typedef struct CmpPRF {
  CmpCI p, r, f1;
} CmpPRF;

typedef struct CmpBootVendor {
  uint32_t nclass;       /* the vendor's result's classes */
  CmpPRF micro;
  CmpPRF *cls;           /* nclass */
} CmpBootVendor;

/* Vendors a and b on the same resampled items: the interval of F1(a) - F1(b),
 * micro (diff) and per gold class (cls); verdict 1 (a better: the interval is
 * above 0), -1 (b better) or 0 (not distinguishable); needed the gold items
 * n (z se / |diff|)^2 that would settle an undistinguished difference, NaN
 * when settled or when the two estimates are equal. */
typedef struct CmpBootPair {
  uint32_t a, b;
  CmpCI diff;
  int verdict;
  double needed;
  CmpCI *cls;            /* ngold_class */
  int *cls_verdict;
  double *cls_needed;
} CmpBootPair;

typedef struct CmpBoot {
  uint32_t resamples, items, nvendors, npairs, ngold_class;
  uint64_t seed;
  double level, z;       /* z: the normal quantile of (1 + level) / 2 */
  CmpBootVendor *v;      /* nvendors */
  CmpBootPair *pair;     /* npairs: (0, 1), (0, 2), ..., (1, 2), ... */
} CmpBoot;

/* Resamples the gold items (every item of the panel, n of them) with
 * replacement B times (util/rng.c seeded with seed; n draws of
 * rng_below(n) per resample) and gives the intervals of each vendor of
 * r[0..nv) (all scored against the same gold) and of each pair. Not for
 * semantic results. -1 with e set on failure. */
int cmp_bootstrap(const CmpResult *const *r, uint32_t nv, uint32_t B, uint64_t seed, double level, CmpBoot *out,
                  Err *e);
void cmp_boot_free(CmpBoot *b);

/* The standard normal quantile of p in (0, 1). */
double cmp_norm_quantile(double p);

/* ---- scores by object size (compare_sizes.c) ---- */

/* Counts per area range k (lo[k] <= area <= hi[k], closed as COCOeval's) and
 * class c: c[k * nclass + c] = {tp, fp, fn}. */
typedef struct CmpSizes {
  uint32_t nranges, nclass;
  double *lo, *hi;
  uint64_t (*c)[3];
} CmpSizes;

/* The ranges [bounds[0], bounds[1]], ..., [bounds[nb - 1], inf) (bounds
 * increasing from 0) and r's counts in them: a TP and a miss by the gold
 * object's area, a false positive by the vendor object's (r->garea, r->varea);
 * objects without an area in none. */
int cmp_sizes(const CmpResult *r, const double *bounds, uint32_t nb, CmpSizes *s, Err *e);
void cmp_sizes_free(CmpSizes *s);

/* ---- agreement of several annotators on the same items (compare_clusters.c) ---- */

/* Shapes of different annotators clustered per item: annotators in index order,
 * each one's shapes matched one-to-one (optimally, class-agnostic) to the item's
 * clusters so far at the threshold, the similarity to a cluster being the mean
 * over its members; the unmatched start new clusters. */
typedef struct CmpClusters {
  uint32_t nclusters;
  uint32_t *cluster;     /* per annotation: its cluster, CMP_NONE when left out */
  uint32_t *item;        /* per cluster: the item */
  uint64_t left_out[CMP_NOUT];
  uint64_t no_annotator; /* annotations without an annotator (left out) */
} CmpClusters;

int cmp_cluster(const Dataset *d, const CmpOpts *o, CmpClusters *out, Err *e);
void cmp_clusters_free(CmpClusters *c);

/* Krippendorff's alpha with distance 1 - similarity over the clustered shapes:
 * clusters with two or more members are the pairable units. */
typedef struct CmpAlpha {
  int defined;
  double value, d_o, d_e;
  uint32_t units;        /* pairable units */
  uint64_t pairable;     /* shapes in them */
  char why[160];
} CmpAlpha;

int cmp_alpha(const Dataset *d, const CmpOpts *o, const CmpClusters *c, CmpAlpha *out, Err *e);

#endif
