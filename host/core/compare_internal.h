/* Internal to compare*.c: annotations prepared as comparable shapes (boxes,
 * masks rasterised once, points), their pairwise similarity, and the frame an
 * item's masks are rasterised in. */
#ifndef ANNOVET_COMPARE_INTERNAL_H
#define ANNOVET_COMPARE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "match.h"
#include "rle.h"

/* Where an item's masks live: h x w pixels whose top-left corner is (ox, oy). */
typedef struct CmpFrame {
  double ox, oy;
  uint32_t h, w;
} CmpFrame;

/* Runs of masks rasterised here, back to back. */
typedef struct CmpPool {
  uint32_t *v;
  size_t n, cap;
} CmpPool;

typedef struct CmpShape {
  double bb[4];          /* axis-aligned box of the shape (masks: rle_to_bbox) */
  double area;           /* masks: pixels; keypoints (gold): the area OKS scales by */
  const double *pt;      /* keypoints x y v; polyline x y; cuboid corners; text quad */
  uint32_t n;            /* numbers at pt */
  double rb[5];          /* rotated box cx cy w h angle */
  const uint32_t *cnts;  /* masks: runs in the dataset, or NULL when they are pooled */
  size_t off;            /* pooled runs start at pool + off */
  size_t m;              /* number of runs */
  uint32_t h, w;
  uint32_t cls;          /* class (set by the caller) */
  uint8_t out;           /* 0: comparable; else CMP_OUT_SHAPE or CMP_OUT_SIZE + 1 */
  uint8_t pooled;        /* runs at pool + off (cnts NULL until resolved) */
} CmpShape;

/* The axis-aligned box x y w h of annotation i (its bbox, else the extent of its
 * geometry; NaN when it has none). */
void cmp_ann_box(const Dataset *d, uint32_t i, double bb[4]);

/* Whether annotation i has a shape of type t at all (before any check). */
int cmp_shape_kind(const Dataset *d, uint32_t i, CmpType t);

/* Whether type t rasterises (segm, polyline by band): its shapes need a frame. */
int cmp_type_rasterises(const CmpOpts *o);

/* The frame of an item: (0, 0, h, w) of the first known size among sizes
 * (w, h pairs, 0 when unknown); else the extent of the annotations' masks and
 * points (anns[k] of datasets ds[k], counts n[k], k < 2). */
void cmp_frame(const CmpOpts *o, const int32_t sizes[4], const Dataset *const ds[2],
               const uint32_t *const anns[2], const size_t n[2], CmpFrame *fr);

/* Prepares annotation i of d as a shape of o->type in frame fr (masks rasterised
 * into pool). s->out says when it cannot be compared. -1 only on allocation
 * failure. */
int cmp_shape(const Dataset *d, uint32_t i, const CmpOpts *o, const CmpFrame *fr, CmpPool *pool,
              CmpShape *s, Err *e);

/* Similarity of shape a (vendor) with shape b (gold), each with the pool its
 * runs are in: IoU, OKS (sig: b's keypoint sigmas) or, for Chamfer,
 * 1 / (1 + distance). crowd: b is a crowd region; the intersection over a's own
 * area is returned. NaN when the two cannot be compared. */
double cmp_sim(const CmpOpts *o, const CmpShape *a, const uint32_t *apool, const CmpShape *b,
               const uint32_t *bpool, int crowd, const double *sig);

/* The similarity threshold of o (chamfer distances turned into similarities). */
double cmp_sim_thr(const CmpOpts *o);
double cmp_sim_low(const CmpOpts *o);

/* Grows a malloc'd array *p of *cap elements of size bytes to hold need. */
int cmp_reserve(void **p, size_t *cap, size_t need, size_t size, Err *e);

/* One-to-one matching of o's kind (optimal or greedy) at thr. */
int cmp_match(const CmpOpts *o, const double *sim, uint32_t nd, uint32_t ng, double thr, int32_t *d2g,
              MatchWork *mw, Err *e);

/* Names -> indices, open addressing over borrowed strings. */
typedef struct NameMap {
  const char **key;
  uint32_t *val;
  size_t cap;
} NameMap;

#define CMP_AMBIG (CMP_NONE - 1)   /* a name two entries share */

struct CmpGold {
  const Dataset *d;
  CmpOpts o;
  uint32_t nclass;
  const char **class_name;
  uint32_t *cat_class;
  NameMap classes, files, bases;
  uint32_t *item_start, *item_anns;   /* annotations grouped by item */
  CmpShape *shape;                    /* per grouped position, where prepared (runs resolved) */
  uint8_t *prepared;                  /* per item: shapes ready (its size is known) */
  CmpPool *pools;                     /* one per chunk of items prepared in parallel */
  unsigned npools;
  double *cls_thr;                    /* per class: its similarity threshold, NULL without
                                         per-class overrides */
  double thr_min;                     /* the lowest of them */
  const double **sig;                 /* per class: keypoint sigmas (or NULL) */
  uint32_t *nsig;
};

/* Groups the annotations of d by item: start[nitems + 1] into anns[nann]. */
int cmp_group_by_item(const Dataset *d, uint32_t **start, uint32_t **anns, Err *e);

/* Prepares the shapes of gold item k in frame fr into shapes[0 .. its count) and
 * pool. */
int cmp_gold_item_shapes(const CmpGold *g, uint32_t k, const CmpFrame *fr, CmpShape *shapes,
                         CmpPool *pool, Err *e);

/* Scratch of one vendor's run, grown as items need and reused. */
typedef struct CmpWork {
  const CmpGold *g;
  const Dataset *v;
  const CmpOpts *o;
  CmpResult *r;
  MatchWork mw;
  double *S, *M;        size_t cap_s, cap_m;
  int32_t *d2g;         size_t cap_d2g;
  uint32_t *gl, *vl;    size_t cap_gl, cap_vl;
  uint8_t *gst, *vst;   size_t cap_gst, cap_vst;
  uint32_t *gpair, *vpair; size_t cap_gpair, cap_vpair;
  CmpShape *vs, *gs;    size_t cap_vs, cap_gs;
  CmpPool vpool, gpool;
  const uint32_t *vstart, *vanns;     /* vendor annotations by item (the run's) */
  size_t cap_conf, cap_match;
  uint32_t *sem_lab;  size_t cap_sem_lab;     /* semantic: gold then vendor label per pixel */
  uint8_t *sem_crowd; size_t cap_sem_crowd;   /* semantic: pixels in gold crowd regions */
  uint64_t *sem_cnt;  size_t cap_sem_cnt;     /* semantic: per class intersection, gold, vendor */
  uint32_t *sem_who;  size_t cap_sem_who;     /* semantic: per class its annotator, per shape its class */
} CmpWork;

/* Scores gold item k (compare_item.c). */
int cmp_item_run(CmpWork *w, uint32_t k, Err *e);

/* Semantic scoring of gold item k in frame fr (compare_semantic.c): its comparable
 * gold shapes gsh[gl[0..ng)] (grouped from g0; runs in gpool unless resolved)
 * and vendor shapes vs[vl[0..nv)] (grouped from v0), misses charged to
 * miss_who where no vendor mask lies. */
int cmp_sem_item(CmpWork *w, uint32_t k, const CmpFrame *fr, const CmpShape *gsh, const uint32_t *gpool,
                 uint32_t g0, uint32_t ng, uint32_t v0, uint32_t nv, uint32_t miss_who, Err *e);

/* A vendor's result with its classes and items paired and nothing scored yet;
 * *vstart, *vanns get the vendor's annotations grouped by item (compare.c). */
CmpResult *cmp_result_begin(const CmpGold *g, const Dataset *v, uint32_t **vstart, uint32_t **vanns, Err *e);

#endif
