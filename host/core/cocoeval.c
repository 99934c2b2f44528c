/* COCOeval in C: pycocotools' evaluate, accumulate and summarize over compact
 * arrays, reproducing its order of operations (stable score sorts, gold sorted
 * by ignore flag, min(t, 1 - 1e-10), searchsorted on 101 recall thresholds,
 * numpy's pairwise sums) so the numbers agree to the last bit or nearly. */
#include "cocoeval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geometry.h"

#define MATCH(t) (1u << (t))
#define IGNORE(t) (1u << (16 + (t)))

/* Objects in group order, file order kept inside a group: by (category, image)
 * with categories, by (image, category) without (pycocotools concatenates an
 * image's categories in id order). Two stable counting sorts, so memory stays
 * linear in the objects; the groups present are walked in order. */
typedef struct Groups {
  uint32_t *ord;
  uint64_t *key;     /* the group of ord[j]: category << 32 | image (image alone without) */
  size_t n;
} Groups;

/* Stable counting sort of the n indices in src by key(obj) (< nkeys) into dst. */
static int count_sort(const uint32_t *src, uint32_t *dst, size_t n, const CocoObj *obj, int by_cat,
                      size_t nkeys, Err *e) {
  size_t *start = err_calloc(e, nkeys + 1, sizeof *start);
  if (!start) return -1;
  for (size_t j = 0; j < n; j++) start[(by_cat ? obj[src[j]].cat : obj[src[j]].img) + 1]++;
  for (size_t k = 1; k <= nkeys; k++) start[k] += start[k - 1];
  for (size_t j = 0; j < n; j++) dst[start[by_cat ? obj[src[j]].cat : obj[src[j]].img]++] = src[j];
  free(start);
  return 0;
}

/* Sorts obj into g: the minor key first, then the major one. */
static int groups_build(const CocoInput *in, const CocoObj *obj, size_t n, Groups *g, Err *e) {
  uint32_t *tmp = err_malloc(e, (n + 1) * sizeof *tmp);
  g->ord = err_malloc(e, (n + 1) * sizeof *g->ord);
  g->n = n;
  g->key = NULL;
  int rc = -1;
  if (tmp && g->ord) {
    for (size_t j = 0; j < n; j++) g->ord[j] = (uint32_t)j;
    int major_cat = in->use_cats != 0;
    rc = count_sort(g->ord, tmp, n, obj, !major_cat, major_cat ? in->nimg : in->ncat, e);
    if (rc == 0) rc = count_sort(tmp, g->ord, n, obj, major_cat, major_cat ? in->ncat : in->nimg, e);
  }
  free(tmp);
  g->key = rc == 0 ? err_malloc(e, (n + 1) * sizeof *g->key) : NULL;
  if (!g->key) return -1;
  for (size_t j = 0; j < n; j++) {
    const CocoObj *o = &obj[g->ord[j]];
    g->key[j] = in->use_cats ? (uint64_t)o->cat << 32 | o->img : o->img;
  }
  return 0;
}

/* The end of the run of g's objects from lo with the key of lo. */
static size_t group_end(const Groups *g, size_t lo) {
  size_t hi = lo;
  while (hi < g->n && g->key[hi] == g->key[lo]) hi++;
  return hi;
}

static void groups_free(Groups *g) {
  free(g->ord);
  free(g->key);
}

/* np.argsort(-score, kind='mergesort'): descending, stable, NaN last. */
typedef struct Ranked { double key; uint32_t pos; } Ranked;

static int cmp_ranked(const void *x, const void *y) {
  const Ranked *a = x, *b = y;
  int na = isnan(a->key), nb = isnan(b->key);
  if (na != nb) return na - nb;
  if (!na && a->key != b->key) return a->key > b->key ? -1 : 1;
  return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Parameters of Params.setDetParams / setKpParams, thresholds as np.linspace. */
static void eval_params(CocoEval *ev, CocoIouType type) {
  double step = (0.95 - 0.5) / 9;
  for (int i = 0; i < COCO_T; i++) ev->iou_thrs[i] = i < COCO_T - 1 ? i * step + 0.5 : 0.95;
  for (int i = 0; i < COCO_R; i++) ev->rec_thrs[i] = i < COCO_R - 1 ? i * 0.01 + 0.0 : 1.0;
  ev->type = type;
  if (type == COCO_KEYPOINTS) {
    static const double rng[3][2] = {{0, 1e10}, {1024, 9216}, {9216, 1e10}};
    static const char *const lbl[3] = {"all", "medium", "large"};
    ev->A = 3;
    ev->M = 1;
    ev->max_dets[0] = 20;
    for (int a = 0; a < 3; a++) {
      ev->area_rng[a][0] = rng[a][0];
      ev->area_rng[a][1] = rng[a][1];
      ev->area_lbl[a] = lbl[a];
    }
  } else {
    static const double rng[4][2] = {{0, 1e10}, {0, 1024}, {1024, 9216}, {9216, 1e10}};
    static const char *const lbl[4] = {"all", "small", "medium", "large"};
    ev->A = 4;
    ev->M = 3;
    ev->max_dets[0] = 1;
    ev->max_dets[1] = 10;
    ev->max_dets[2] = 100;
    for (int a = 0; a < 4; a++) {
      ev->area_rng[a][0] = rng[a][0];
      ev->area_rng[a][1] = rng[a][1];
      ev->area_lbl[a] = lbl[a];
    }
  }
}

/* Scratch for one evaluation, reused across groups. */
typedef struct Work {
  const CocoInput *in;
  CocoEval *ev;
  Groups gg, dg;
  double *gbb, *dbb;            /* segm: boxes of the masks (rleToBbox), made when needed */
  uint8_t *gbb_ok, *dbb_ok;
  uint64_t *garea, *darea;      /* segm: areas of the masks */
  /* detections kept per group (at most maxDets[-1]), category by category */
  size_t npos;
  double *score;                /* per position */
  uint16_t *rank;               /* rank inside its group */
  uint32_t *flags;              /* per position and area range: MATCH/IGNORE bits */
  size_t *kstart;               /* positions of category k: kstart[k] .. kstart[k + 1] */
  uint64_t *npig;               /* [K][A] gold not ignored */
  /* per group */
  double *ious;  size_t ious_cap;
  uint32_t *gsel, *dsel, *gs;  uint8_t *gig, *gtm;  size_t sel_cap;   /* dsel, gs and gtm
                                                                            live in the blocks of gsel and gig */
  Ranked *rk;  size_t rk_cap;
  double *pr;  size_t pr_cap;
} Work;

/* Grows *p to hold n elements of size bytes. */
static int reserve(void **p, size_t *cap, size_t n, size_t size, Err *e) {
  if (n <= *cap) return 0;
  size_t c = *cap ? *cap : 64;
  while (c < n) c *= 2;
  void *q = err_realloc(e, *p, c, size);
  if (!q) return -1;
  *p = q;
  *cap = c;
  return 0;
}

/* The gold (sorted positions g0..g1) and detections (d0..d1; score order, cut
 * at maxDets[-1]) of one group into w->gsel / w->dsel; their counts into ng, nd. */
static int group_select(Work *w, size_t g0, size_t g1, size_t d0, size_t d1, size_t *ng, size_t *nd,
                        Err *e) {
  const CocoInput *in = w->in;
  size_t need = (g1 - g0) > (d1 - d0) ? g1 - g0 : d1 - d0;
  if (need > w->sel_cap) {   /* gsel, dsel, gs share one block; gig, gtm another */
    size_t cap = need + need / 2 + 16;
    uint32_t *sel = err_realloc(e, w->gsel, 3 * cap, sizeof *sel);
    if (!sel) return -1;
    w->gsel = sel;
    uint8_t *b = err_realloc(e, w->gig, 2 * cap, 1);
    if (!b) return -1;
    w->gig = b;
    w->dsel = sel + cap;
    w->gs = sel + 2 * cap;
    w->gtm = b + cap;
    w->sel_cap = cap;
  }
  if (reserve((void **)&w->rk, &w->rk_cap, d1 - d0 + 1, sizeof *w->rk, e) != 0) return -1;
  for (size_t j = g0; j < g1; j++) w->gsel[j - g0] = w->gg.ord[j];
  /* ties keep the group's order: file order, and with useCats = 0 category by
   * category first (evaluateImg concatenates _dts[img, cat] over catIds) */
  for (size_t j = d0; j < d1; j++) {
    w->rk[j - d0].key = in->dt[w->dg.ord[j]].score;
    w->rk[j - d0].pos = (uint32_t)(j - d0);
  }
  qsort(w->rk, d1 - d0, sizeof *w->rk, cmp_ranked);
  size_t maxdet = w->ev->max_dets[w->ev->M - 1];
  *nd = d1 - d0 < maxdet ? d1 - d0 : maxdet;
  for (size_t j = 0; j < *nd; j++) w->dsel[j] = w->dg.ord[d0 + w->rk[j].pos];
  *ng = g1 - g0;
  return 0;
}

/* The rleToBbox box of mask i, made on first use. */
static const double *mask_box(double *bb, uint8_t *ok, const CocoObj *o, uint32_t i) {
  if (!ok[i]) {
    rle_to_bbox(&o[i].rle, bb + 4 * (size_t)i);
    ok[i] = 1;
  }
  return bb + 4 * (size_t)i;
}

/* computeIoU / computeOks of the selected gold and detections into w->ious
 * (nd x ng, detection-major). */
static int group_ious(Work *w, size_t ng, size_t nd, Err *e) {
  const CocoInput *in = w->in;
  if (reserve((void **)&w->ious, &w->ious_cap, ng * nd + 1, sizeof *w->ious, e) != 0) return -1;
  for (size_t d = 0; d < nd; d++) {
    const CocoObj *D = &in->dt[w->dsel[d]];
    for (size_t g = 0; g < ng; g++) {
      uint32_t gi = w->gsel[g];
      const CocoObj *G = &in->gt[gi];
      double *o = &w->ious[d * ng + g];
      if (in->type == COCO_BBOX) {
        *o = geom_box_iou(D->bbox, G->bbox, G->crowd);
      } else if (in->type == COCO_SEGM) {
        uint32_t di = w->dsel[d];
        if (rle_iou_pair(&D->rle, mask_box(w->dbb, w->dbb_ok, in->dt, di), w->darea[di], &G->rle,
                         mask_box(w->gbb, w->gbb_ok, in->gt, gi), w->garea[gi], G->crowd, o, e) != 0)
          return -1;
      } else {
        *o = geom_oks(D->kp, G->kp, in->nsigmas, in->sigmas, G->area, G->bbox);
      }
    }
  }
  return 0;
}

/* evaluateImg for one area range: gold sorted by ignore flag (stable), then the
 * greedy matching at each IoU threshold; writes the flags of the nd positions. */
static void group_match(Work *w, size_t ng, size_t nd, uint32_t a, uint32_t *flags,
                        size_t stride, uint64_t *npig) {
  const CocoInput *in = w->in;
  const double lo = w->ev->area_rng[a][0], hi = w->ev->area_rng[a][1];
  size_t n0 = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t g = 0; g < ng; g++) {
      const CocoObj *G = &in->gt[w->gsel[g]];
      int ig = G->ignore || G->area < lo || G->area > hi;
      if (ig == pass) {
        w->gig[n0] = (uint8_t)ig;
        w->gs[n0++] = (uint32_t)g;
      }
    }
  for (size_t g = 0; g < ng; g++) *npig += !w->gig[g];
  for (size_t d = 0; d < nd; d++) flags[d * stride] = 0;
  if (ng > 0 && nd > 0) {
    for (int t = 0; t < COCO_T; t++) {
      double thr = fmin(w->ev->iou_thrs[t], 1 - 1e-10);
      memset(w->gtm, 0, ng);
      for (size_t d = 0; d < nd; d++) {
        const double *row = w->ious + d * ng;
        double iou = thr;
        long m = -1;
        for (size_t j = 0; j < ng; j++) {
          if (w->gtm[j] && !in->gt[w->gsel[w->gs[j]]].crowd) continue;
          if (m > -1 && !w->gig[m] && w->gig[j]) break;
          if (row[w->gs[j]] < iou) continue;
          iou = row[w->gs[j]];
          m = (long)j;
        }
        if (m == -1) continue;
        if (w->gig[m]) flags[d * stride] |= IGNORE(t);
        if (!in->gt[w->gsel[w->gs[m]]].id_zero) flags[d * stride] |= MATCH(t);
        w->gtm[m] = 1;
      }
    }
  }
  for (size_t d = 0; d < nd; d++) {
    double ar = in->dt[w->dsel[d]].area;
    if (ar < lo || ar > hi)
      for (int t = 0; t < COCO_T; t++)
        if (!(flags[d * stride] & MATCH(t))) flags[d * stride] |= IGNORE(t);
  }
}

/* evaluate: every (category, image) group that has gold or detections, in
 * order, every area range. */
static int eval_groups(Work *w, Err *e) {
  const CocoInput *in = w->in;
  CocoEval *ev = w->ev;
  /* positions: the kept detections of every group, category-major (at most
   * every detection) */
  w->score = err_malloc(e, (in->ndt + 1) * sizeof *w->score);
  w->rank = err_malloc(e, (in->ndt + 1) * sizeof *w->rank);
  w->flags = err_malloc(e, (in->ndt * ev->A + 1) * sizeof *w->flags);
  w->kstart = err_malloc(e, ((size_t)ev->K + 1) * sizeof *w->kstart);
  w->npig = err_calloc(e, (size_t)ev->K * ev->A, sizeof *w->npig);
  if (!w->score || !w->rank || !w->flags || !w->kstart || !w->npig) return -1;
  size_t p = 0, gc = 0, dc = 0;
  uint32_t knext = 0;           /* categories before knext have their kstart */
  while (gc < w->gg.n || dc < w->dg.n) {
    uint64_t gk = gc < w->gg.n ? w->gg.key[gc] : UINT64_MAX, dk = dc < w->dg.n ? w->dg.key[dc] : UINT64_MAX;
    uint64_t key = gk < dk ? gk : dk;
    size_t g1 = gk == key ? group_end(&w->gg, gc) : gc, d1 = dk == key ? group_end(&w->dg, dc) : dc;
    uint32_t k = in->use_cats ? (uint32_t)(key >> 32) : 0;
    while (knext <= k) w->kstart[knext++] = p;
    size_t ng, nd;
    if (group_select(w, gc, g1, dc, d1, &ng, &nd, e) != 0 || group_ious(w, ng, nd, e) != 0) return -1;
    for (size_t d = 0; d < nd; d++) {
      w->score[p + d] = in->dt[w->dsel[d]].score;
      w->rank[p + d] = (uint16_t)d;
    }
    for (uint32_t a = 0; a < ev->A; a++)
      group_match(w, ng, nd, a, w->flags + p * ev->A + a, ev->A, &w->npig[(size_t)k * ev->A + a]);
    p += nd;
    gc = g1;
    dc = d1;
  }
  while (knext <= ev->K) w->kstart[knext++] = p;
  w->npos = p;
  return 0;
}

/* accumulate: per category, detections sorted by score across images (stable),
 * then per area range, maxDets and threshold the interpolated precision at the
 * 101 recall thresholds. Only true positives move the precision envelope. */
static int accumulate(Work *w, Err *e) {
  CocoEval *ev = w->ev;
  const double eps = 2.220446049250313e-16;   /* np.spacing(1) */
  size_t nprec = (size_t)COCO_T * COCO_R * ev->K * ev->A * ev->M;
  size_t nrec = (size_t)COCO_T * ev->K * ev->A * ev->M;
  ev->precision = err_malloc(e, (nprec + 1) * sizeof *ev->precision);
  ev->recall = err_malloc(e, (nrec + 1) * sizeof *ev->recall);
  if (!ev->precision || !ev->recall) return -1;
  for (size_t j = 0; j < nprec; j++) ev->precision[j] = -1;
  for (size_t j = 0; j < nrec; j++) ev->recall[j] = -1;
  for (uint32_t k = 0; k < ev->K; k++) {
    size_t p0 = w->kstart[k], n = w->kstart[k + 1] - p0;
    if (reserve((void **)&w->rk, &w->rk_cap, n + 1, sizeof *w->rk, e) != 0) return -1;
    for (size_t j = 0; j < n; j++) {
      w->rk[j].key = w->score[p0 + j];
      w->rk[j].pos = (uint32_t)(p0 + j);
    }
    qsort(w->rk, n, sizeof *w->rk, cmp_ranked);
    for (uint32_t a = 0; a < ev->A; a++) {
      uint64_t npig = w->npig[(size_t)k * ev->A + a];
      if (npig == 0) continue;
      if (reserve((void **)&w->pr, &w->pr_cap, (size_t)COCO_T * npig + 1, sizeof *w->pr, e) != 0)
        return -1;
      for (uint32_t m = 0; m < ev->M; m++) {
        uint32_t maxdet = ev->max_dets[m];
        uint64_t tp[COCO_T] = {0}, fp[COCO_T] = {0};
        for (size_t j = 0; j < n; j++) {
          size_t pos = w->rk[j].pos;
          if (w->rank[pos] >= maxdet) continue;
          uint32_t f = w->flags[pos * ev->A + a];
          for (int t = 0; t < COCO_T; t++) {
            if (f & IGNORE(t)) continue;
            if (f & MATCH(t)) {   /* a true positive matched unignored gold: at most npig */
              if (++tp[t] > npig) return err_set(e, "cocoeval: more matches than gold objects");
              w->pr[(size_t)t * npig + tp[t] - 1] = (double)tp[t] / ((double)fp[t] + (double)tp[t] + eps);
            } else {
              fp[t]++;
            }
          }
        }
        for (int t = 0; t < COCO_T; t++) {
          double *pr = w->pr + (size_t)t * npig;
          size_t ntp = tp[t];
          for (size_t j = ntp; j-- > 1;)
            if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
          size_t base = (((size_t)t * COCO_R) * ev->K + k) * ev->A * ev->M + (size_t)a * ev->M + m;
          size_t rstride = (size_t)ev->K * ev->A * ev->M;
          size_t j = 0;
          for (int r = 0; r < COCO_R; r++) {
            while (j < ntp && (double)(j + 1) / (double)npig < ev->rec_thrs[r]) j++;
            ev->precision[base + r * rstride] = j < ntp ? pr[j] : 0;
          }
          ev->recall[(((size_t)t * ev->K + k) * ev->A + a) * ev->M + m] = (double)ntp / (double)npig;
        }
      }
    }
  }
  return 0;
}

/* _summarize: the mean of the entries above -1 of precision (ap) or recall at
 * threshold iou (all when iou < 0), area range lbl and maxDets md; -1 when none. */
static double summarize_one(const CocoEval *ev, int ap, double iou, const char *lbl, uint32_t md,
                            double *buf) {
  int a = -1, m = -1, t0 = 0, t1 = COCO_T;
  for (uint32_t i = 0; i < ev->A; i++)
    if (strcmp(ev->area_lbl[i], lbl) == 0) a = (int)i;
  for (uint32_t i = 0; i < ev->M; i++)
    if (ev->max_dets[i] == md) m = (int)i;
  if (iou >= 0) {
    t0 = cocoeval_iou_index(ev, iou);
    t1 = t0 + 1;
  }
  if (a < 0 || m < 0 || t0 < 0) return -1;
  size_t n = 0;
  for (int t = t0; t < t1; t++) {
    if (ap) {
      for (int r = 0; r < COCO_R; r++)
        for (uint32_t k = 0; k < ev->K; k++) {
          double v = ev->precision[((((size_t)t * COCO_R + r) * ev->K + k) * ev->A + a) * ev->M + m];
          if (v > -1) buf[n++] = v;
        }
    } else {
      for (uint32_t k = 0; k < ev->K; k++) {
        double v = ev->recall[(((size_t)t * ev->K + k) * ev->A + a) * ev->M + m];
        if (v > -1) buf[n++] = v;
      }
    }
  }
  return n ? geom_sum(buf, n) / (double)n : -1;
}

int cocoeval_iou_index(const CocoEval *ev, double v) {
  for (int t = 0; t < COCO_T; t++)
    if (ev->iou_thrs[t] == v) return t;
  return -1;
}

/* summarize: the 12 numbers of _summarizeDets or the 10 of _summarizeKps. */
static int summarize(CocoEval *ev, Err *e) {
  double *buf = err_malloc(e, ((size_t)COCO_T * COCO_R * ev->K + 1) * sizeof *buf);
  if (!buf) return -1;
  if (ev->type == COCO_KEYPOINTS) {
    static const struct { int ap; double iou; const char *lbl; } s[10] = {
      {1, -1, "all"}, {1, .5, "all"}, {1, .75, "all"}, {1, -1, "medium"}, {1, -1, "large"},
      {0, -1, "all"}, {0, .5, "all"}, {0, .75, "all"}, {0, -1, "medium"}, {0, -1, "large"},
    };
    for (int i = 0; i < 10; i++) ev->stats[i] = summarize_one(ev, s[i].ap, s[i].iou, s[i].lbl, 20, buf);
    ev->nstats = 10;
  } else {
    const uint32_t *md = ev->max_dets;
    static const struct { int ap; double iou; const char *lbl; int m; } s[12] = {
      {1, -1, "all", 2}, {1, .5, "all", 2}, {1, .75, "all", 2}, {1, -1, "small", 2},
      {1, -1, "medium", 2}, {1, -1, "large", 2}, {0, -1, "all", 0}, {0, -1, "all", 1},
      {0, -1, "all", 2}, {0, -1, "small", 2}, {0, -1, "medium", 2}, {0, -1, "large", 2},
    };
    for (int i = 0; i < 12; i++) ev->stats[i] = summarize_one(ev, s[i].ap, s[i].iou, s[i].lbl, md[s[i].m], buf);
    ev->nstats = 12;
  }
  free(buf);
  return 0;
}

/* The per-class mean of summarize, over t (or every threshold) and recall. */
double cocoeval_class_ap(const CocoEval *ev, uint32_t k, int t) {
  if (!ev->precision || k >= ev->K || t >= COCO_T) return -1;
  double buf[COCO_T * COCO_R];
  size_t n = 0;
  for (int ti = t < 0 ? 0 : t; ti < (t < 0 ? COCO_T : t + 1); ti++)
    for (int r = 0; r < COCO_R; r++) {
      double v = ev->precision[((((size_t)ti * COCO_R + r) * ev->K + k) * ev->A + 0) * ev->M + ev->M - 1];
      if (v > -1) buf[n++] = v;
    }
  return n ? geom_sum(buf, n) / (double)n : -1;
}

void cocoeval_free(CocoEval *ev) {
  free(ev->precision);
  free(ev->recall);
  ev->precision = ev->recall = NULL;
}

/* Checks the input's indices and geometry before any work. */
static int check_input(const CocoInput *in, Err *e) {
  for (int side = 0; side < 2; side++) {
    const CocoObj *o = side ? in->dt : in->gt;
    size_t n = side ? in->ndt : in->ngt;
    const char *what = side ? "detection" : "gold object";
    for (size_t i = 0; i < n; i++) {
      if (o[i].img >= in->nimg || o[i].cat >= in->ncat)
        return err_set(e, "%s %zu: image or category index out of range", what, i);
      if (in->type == COCO_KEYPOINTS && !o[i].kp)
        return err_set(e, "%s %zu: no keypoints", what, i);
    }
  }
  if (in->type == COCO_KEYPOINTS && (in->nsigmas == 0 || in->nsigmas > GEOM_KP_MAX || !in->sigmas))
    return err_set(e, "keypoint evaluation needs 1 to %d sigmas", GEOM_KP_MAX);
  return 0;
}

static void work_free(Work *w) {
  groups_free(&w->gg);
  groups_free(&w->dg);
  free(w->gbb);
  free(w->dbb);
  free(w->gbb_ok);
  free(w->dbb_ok);
  free(w->garea);
  free(w->darea);
  free(w->score);
  free(w->rank);
  free(w->flags);
  free(w->kstart);
  free(w->npig);
  free(w->ious);
  free(w->gsel);
  free(w->gig);
  free(w->rk);
  free(w->pr);
}

/* Areas of every mask, from the caller when it has them (else computed, with a
 * check that the runs cover the mask); boxes are made when first needed. */
static int mask_areas(const CocoObj *o, size_t n, const char *what, double **bb, uint8_t **bb_ok,
                      uint64_t **area, Err *e) {
  *bb = err_malloc(e, (4 * n + 1) * sizeof **bb);
  *bb_ok = err_calloc(e, n + 1, 1);
  *area = err_malloc(e, (n + 1) * sizeof **area);
  if (!*bb || !*bb_ok || !*area) return -1;
  for (size_t i = 0; i < n; i++) {
    if (o[i].mstats) {
      (*area)[i] = o[i].marea;
      continue;
    }
    uint64_t sum;
    (*area)[i] = rle_area_sum(&o[i].rle, &sum);
    if (sum != (uint64_t)o[i].rle.h * o[i].rle.w || sum > RLE_MAX_PIXELS)
      return err_set(e, "%s %zu: mask runs sum to %llu, not h * w = %u * %u", what, i,
                     (unsigned long long)sum, o[i].rle.h, o[i].rle.w);
  }
  return 0;
}

/* Groups, evaluates every (category, image) group, accumulates, summarizes. */
int cocoeval_evaluate(const CocoInput *in, CocoEval *ev, Err *e) {
  memset(ev, 0, sizeof *ev);
  eval_params(ev, in->type);
  ev->K = in->use_cats ? in->ncat : 1;
  if (check_input(in, e) != 0) return -1;
  if (in->ngt > UINT32_MAX || in->ndt > UINT32_MAX) return err_set(e, "too many objects");
  Work w;
  memset(&w, 0, sizeof w);
  w.in = in;
  w.ev = ev;
  int rc = -1;
  if (groups_build(in, in->gt, in->ngt, &w.gg, e) != 0 || groups_build(in, in->dt, in->ndt, &w.dg, e) != 0)
    goto done;
  if (in->type == COCO_SEGM &&
      (mask_areas(in->gt, in->ngt, "gold object", &w.gbb, &w.gbb_ok, &w.garea, e) != 0 ||
       mask_areas(in->dt, in->ndt, "detection", &w.dbb, &w.dbb_ok, &w.darea, e) != 0))
    goto done;
  if (eval_groups(&w, e) != 0 || accumulate(&w, e) != 0 || summarize(ev, e) != 0) goto done;
  rc = 0;
done:
  work_free(&w);
  if (rc != 0) cocoeval_free(ev);
  return rc;
}
