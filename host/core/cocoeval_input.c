/* Ground truth and results datasets -> cocoeval's CocoInput: images and
 * categories in id order, loadRes' rules for results (area, bbox, box polygons),
 * annToRLE for masks, the ignore flags of _prepare. */
#include "cocoeval_input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geometry.h"

#define NONE UINT32_MAX

/* "file: annotations[i]" (or "file: [i]" for a results array), for messages. */
static void where(const Dataset *d, uint32_t i, char *buf, size_t n) {
  if (strcmp(strpool_get(&d->str, d->format), "coco-results") == 0)
    snprintf(buf, n, "%s: [%u]", strpool_get(&d->str, d->src_file[i]), d->src_pos[i]);
  else
    dataset_source(d, i, buf, n);
}

/* err_set with the annotation's position in front. */
static int fail_at(const Dataset *d, uint32_t i, Err *e, const char *msg) {
  char w[300];
  where(d, i, w, sizeof w);
  return err_set(e, "%s: %s", w, msg);
}

typedef struct IdIdx { int64_t id; uint32_t idx; } IdIdx;

static int cmp_ididx(const void *x, const void *y) {
  const IdIdx *a = x, *b = y;
  return a->id < b->id ? -1 : a->id > b->id;
}

/* The evaluated set, sorted by id: every one of n (ids NULL) or the ids asked
 * for that find() knows. map[index] gets the evaluated position (NONE when left
 * out); order[k] the index at position k. Returns the count. */
static long select_sorted(size_t n, const int64_t *all_ids, size_t stride, const int64_t *ids, size_t nids,
                          int64_t (*find)(const Dataset *, int64_t), const Dataset *d, uint32_t *map,
                          uint32_t **order, size_t *unknown, Err *e) {
  IdIdx *v = err_malloc(e, ((ids ? nids : n) + 1) * sizeof *v);
  if (!v) return -1;
  size_t m = 0;
  if (ids) {
    for (size_t j = 0; j < nids; j++) {
      int64_t x = find(d, ids[j]);
      if (x < 0) {
        (*unknown)++;
        continue;
      }
      v[m].id = ids[j];
      v[m++].idx = (uint32_t)x;
    }
  } else {
    for (size_t j = 0; j < n; j++) {
      v[m].id = *(const int64_t *)((const char *)all_ids + j * stride);
      v[m++].idx = (uint32_t)j;
    }
  }
  qsort(v, m, sizeof *v, cmp_ididx);
  *order = err_malloc(e, (m + 1) * sizeof **order);
  if (!*order) {
    free(v);
    return -1;
  }
  for (size_t j = 0; j < n; j++) map[j] = NONE;
  size_t k = 0;
  for (size_t j = 0; j < m; j++) {
    if (k && v[j].id == v[j - 1].id) continue;   /* np.unique */
    map[v[j].idx] = (uint32_t)k;
    (*order)[k++] = v[j].idx;
  }
  free(v);
  return (long)k;
}

/* Appends m runs to the pool; their offset in *off. */
static int pool_add(CocoData *c, const uint32_t *cnts, size_t m, size_t *off, Err *e) {
  if (c->npool + m > c->cappool) {
    size_t cap = c->cappool ? c->cappool : 4096;
    while (cap < c->npool + m) cap *= 2;
    uint32_t *p = err_realloc(e, c->pool, cap, sizeof *p);
    if (!p) return -1;
    c->pool = p;
    c->cappool = cap;
  }
  memcpy(c->pool + c->npool, cnts, m * sizeof *cnts);
  *off = c->npool;
  c->npool += m;
  return 0;
}

/* Rasterises polygon parts (points per part in parts, negative for holes,
 * which pycocotools would merge in like any part) at h x w into the pool. */
static int pool_polygons(CocoData *c, const double *xy, const int32_t *parts, uint32_t np,
                         uint32_t h, uint32_t w, Rle *r, size_t *off, Err *e) {
  uint32_t one = 0, *npts = np > 1 ? err_malloc(e, np * sizeof *npts) : &one;
  if (!npts) return -1;
  for (uint32_t j = 0; j < np; j++) npts[j] = (uint32_t)abs(parts[j]);
  Rle t;
  int rc = rle_fr_polygons(xy, npts, np, h, w, &t, e);
  if (npts != &one) free(npts);
  if (rc != 0) return -1;
  rc = pool_add(c, t.cnts, t.m, off, e);
  r->h = t.h;
  r->w = t.w;
  r->m = t.m;
  rle_free(&t);
  return rc;
}

/* The runs of annotation i's mask (see ann_mask). */
static int ann_runs(CocoData *c, const Dataset *d, uint32_t i, const Item *it, int box_poly, Rle *r,
                    size_t *off, Err *e) {
  const double *co = d->coords.v + d->g_off[i];
  uint8_t t = d->type[i];
  *off = SIZE_MAX;
  if (t == ANN_MASK || (t == ANN_KEYPOINTS && d->r_n[i] > 0)) {
    const double *hw = t == ANN_MASK ? co : d->seg.v + d->s_off[i];
    r->h = (uint32_t)hw[0];
    r->w = (uint32_t)hw[1];
    r->m = d->r_n[i];
    r->cnts = d->rle.v + d->r_off[i];
    return 0;
  }
  int poly = t == ANN_POLYGON || (t == ANN_KEYPOINTS && d->s_n[i] > 0);
  if (!poly && !box_poly) return fail_at(d, i, e, "no segmentation (segm evaluation needs one on every annotation)");
  if (it->width <= 0 || it->height <= 0) {
    char msg[128];
    snprintf(msg, sizeof msg, "image %lld has no width and height to rasterise the polygon at",
             (long long)it->id);
    return fail_at(d, i, e, msg);
  }
  uint32_t h = (uint32_t)it->height, w = (uint32_t)it->width;
  if (poly) {
    const double *xy = t == ANN_POLYGON ? co : d->seg.v + d->s_off[i];
    const int32_t *parts = d->parts.v + d->p_off[i];
    if (d->p_n[i] == 0) return fail_at(d, i, e, "polygon segmentation with no parts");
    Err sub = {0};
    if (pool_polygons(c, xy, parts, d->p_n[i], h, w, r, off, &sub) != 0) return fail_at(d, i, e, sub.msg);
    return 0;
  }
  const double *bb = d->bbox + 4 * (size_t)i;
  double x1 = bb[0], x2 = bb[0] + bb[2], y1 = bb[1], y2 = bb[1] + bb[3];
  double xy[8] = {x1, y1, x1, y2, x2, y2, x2, y1};
  Rle tmp;
  Err sub = {0};
  if (rle_fr_poly(xy, 4, h, w, &tmp, &sub) != 0) return fail_at(d, i, e, sub.msg);
  int rc = pool_add(c, tmp.cnts, tmp.m, off, e);
  r->h = tmp.h;
  r->w = tmp.w;
  r->m = tmp.m;
  rle_free(&tmp);
  return rc;
}

/* The mask of annotation i for segm (COCO.annToRLE) into o->rle, with its box,
 * area and a check of its runs (mask_stats): a mask as stored, or polygons
 * rasterised at the item's size; for results of the box branch without a
 * segmentation, the polygon of the box (loadRes). *off is where pooled runs
 * start (SIZE_MAX when the runs are the dataset's). */
static int ann_mask(CocoData *c, const Dataset *d, uint32_t i, const Item *it, int box_poly, CocoObj *o,
                    size_t *off, Err *e) {
  if (ann_runs(c, d, i, it, box_poly, &o->rle, off, e) != 0) return -1;
  Rle view = o->rle;
  if (*off != SIZE_MAX) view.cnts = c->pool + *off;
  uint64_t sum;
  o->marea = rle_area_sum(&view, &sum);
  if (sum != (uint64_t)view.h * view.w || sum > RLE_MAX_PIXELS)
    return fail_at(d, i, e, "segmentation runs do not cover its size");
  o->mstats = 1;
  return 0;
}

/* Checks that annotation i carries nsig keypoints; points o->kp at them. */
static int ann_keypoints(const Dataset *d, uint32_t i, uint32_t nsig, CocoObj *o, Err *e) {
  if (d->type[i] != ANN_KEYPOINTS) return fail_at(d, i, e, "no keypoints (keypoints evaluation needs them)");
  if (d->g_n[i] != 3 * nsig) {
    char msg[160];
    snprintf(msg, sizeof msg, "%u keypoints, but the evaluation has %u sigmas", d->g_n[i] / 3, nsig);
    fail_at(d, i, e, msg);
    if (e) e->option = "sigmas";
    return -1;
  }
  o->kp = d->coords.v + d->g_off[i];
  return 0;
}

typedef enum ResBranch { RES_BBOX, RES_SEGM, RES_KEYPOINTS } ResBranch;

static int has_seg(const Dataset *d, uint32_t i) {
  uint8_t t = d->type[i];
  return t == ANN_MASK || t == ANN_POLYGON || (t == ANN_KEYPOINTS && (d->r_n[i] > 0 || d->s_n[i] > 0));
}

/* One gold object (pycocotools _prepare: ignore = iscrowd, for keypoints also
 * num_keypoints == 0: the file's num_keypoints when it gives one, even where it
 * disagrees with the keypoints (the reader warns), else the labelled count). */
static int gold_obj(CocoData *c, const Dataset *d, uint32_t i, const CocoOpts *o, CocoObj *g, size_t *off,
                    Err *e) {
  g->crowd = d->iscrowd[i] != 0;
  g->ignore = g->crowd;
  g->id_zero = d->id[i] == 0;
  g->area = d->area[i];
  if (isnan(g->area)) return fail_at(d, i, e, "no area (cocoeval needs the area of every gold annotation)");
  memcpy(g->bbox, d->bbox + 4 * (size_t)i, sizeof g->bbox);
  *off = SIZE_MAX;
  if (o->type != COCO_SEGM && isnan(g->bbox[0])) return fail_at(d, i, e, "no bbox");
  if (o->type == COCO_SEGM) return ann_mask(c, d, i, &d->items[d->item[i]], 0, g, off, e);
  if (o->type == COCO_KEYPOINTS) {
    if (ann_keypoints(d, i, o->nsigmas, g, e) != 0) return -1;
    uint32_t labelled = 0;
    for (uint32_t k = 0; k < o->nsigmas; k++) labelled += g->kp[3 * k + 2] > 0;
    g->ignore |= isnan(d->aux[i]) ? labelled == 0 : d->aux[i] == 0;
  }
  return 0;
}

/* One detection, by loadRes' branch for the file (chosen by its first result);
 * img is its image in the ground truth (polygons are rasterised at its size). */
static int result_obj(CocoData *c, const Dataset *d, uint32_t i, const Item *img, const CocoOpts *o,
                      ResBranch br, CocoObj *r, size_t *off, Err *e) {
  r->score = d->score[i];
  if (isnan(r->score)) return fail_at(d, i, e, "no score");
  const double *bb = d->bbox + 4 * (size_t)i;
  *off = SIZE_MAX;
  if (br == RES_BBOX) {
    if (isnan(bb[0])) return fail_at(d, i, e, "no bbox (the first result has one, so every result needs one)");
    memcpy(r->bbox, bb, sizeof r->bbox);
    r->area = bb[2] * bb[3];
  } else if (br == RES_SEGM) {
    if (!has_seg(d, i)) return fail_at(d, i, e, "no segmentation (the first result has one, so every result needs one)");
    if (ann_mask(c, d, i, img, 0, r, off, e) != 0) return -1;
    r->area = (double)r->marea;
    if (!isnan(bb[0])) {
      memcpy(r->bbox, bb, sizeof r->bbox);
    } else if (o->type == COCO_BBOX) {   /* toBbox; no other evaluation reads a result's box */
      Rle view = r->rle;
      if (*off != SIZE_MAX) view.cnts = c->pool + *off;
      rle_to_bbox(&view, r->bbox);
    }
  } else {
    if (d->type[i] != ANN_KEYPOINTS || d->g_n[i] < 3) return fail_at(d, i, e, "no keypoints (the first result has them, so every result needs them)");
    const double *kp = d->coords.v + d->g_off[i];
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (uint32_t k = 0; k < d->g_n[i] / 3; k++) {
      x0 = fmin(x0, kp[3 * k]);
      x1 = fmax(x1, kp[3 * k]);
      y0 = fmin(y0, kp[3 * k + 1]);
      y1 = fmax(y1, kp[3 * k + 1]);
    }
    r->area = (x1 - x0) * (y1 - y0);
    r->bbox[0] = x0;
    r->bbox[1] = y0;
    r->bbox[2] = x1 - x0;
    r->bbox[3] = y1 - y0;
  }
  if (o->type == COCO_SEGM && br != RES_SEGM) return ann_mask(c, d, i, img, br == RES_BBOX, r, off, e);
  if (o->type == COCO_KEYPOINTS) return ann_keypoints(d, i, o->nsigmas, r, e);
  return 0;
}

void cocoeval_input_free(CocoData *c) {
  free(c->gt);
  free(c->dt);
  free(c->cat_of);
  free(c->gt_ann);
  free(c->pool);
  memset(c, 0, sizeof *c);
}

/* Points each pooled mask at its runs, now that the pool no longer moves. */
static void fix_pool(CocoData *c, CocoObj *obj, const size_t *off, size_t n) {
  for (size_t j = 0; j < n; j++)
    if (off[j] != SIZE_MAX) obj[j].rle.cnts = c->pool + off[j];
}

/* Images and categories in id order, then the gold objects and the results
 * (by loadRes' branch) of those, with masks pooled and pointed at last. */
int cocoeval_input_build(const Dataset *gt, const Dataset *dt, const CocoOpts *opts, CocoData *c, Err *e) {
  memset(c, 0, sizeof *c);
  CocoOpts oo = *opts, *o = &oo;
  if (!o->sigmas) {
    o->sigmas = geom_coco_sigmas;
    o->nsigmas = 17;
  }
  uint32_t *img_map = err_malloc(e, ((size_t)gt->nitems + 1) * sizeof *img_map);
  uint32_t *cat_map = err_malloc(e, ((size_t)gt->ncats + 1) * sizeof *cat_map);
  uint32_t *dt_item = err_malloc(e, ((size_t)dt->nitems + 1) * sizeof *dt_item);
  uint32_t *img_order = NULL;
  size_t *goff = NULL, *doff = NULL;
  int rc = -1;
  if (!img_map || !cat_map || !dt_item) goto done;
  long ni = select_sorted(gt->nitems, gt->nitems ? &gt->items[0].id : NULL, sizeof(Item), o->img_ids,
                          o->nimg_ids, dataset_find_item, gt, img_map, &img_order, &c->unknown_imgs, e);
  long nc = ni < 0 ? -1 : select_sorted(gt->ncats, gt->ncats ? &gt->cats[0].id : NULL, sizeof(Category),
                                        o->cat_ids, o->ncat_ids, dataset_find_category, gt, cat_map,
                                        &c->cat_of, &c->unknown_cats, e);
  if (nc < 0) goto done;
  /* results items by id (the same indices when dt was read against gt) */
  for (uint32_t j = 0; j < dt->nitems; j++) {
    int64_t x = j < gt->nitems && gt->items[j].id == dt->items[j].id ? (int64_t)j
                                                                       : dataset_find_item(gt, dt->items[j].id);
    dt_item[j] = x < 0 ? NONE : (uint32_t)x;
  }
  c->gt = err_calloc(e, (size_t)gt->nann + 1, sizeof *c->gt);
  c->dt = err_calloc(e, (size_t)dt->nann + 1, sizeof *c->dt);
  c->gt_ann = err_malloc(e, ((size_t)gt->nann + 1) * sizeof *c->gt_ann);
  goff = err_malloc(e, ((size_t)gt->nann + 1) * sizeof *goff);
  doff = err_malloc(e, ((size_t)dt->nann + 1) * sizeof *doff);
  if (!c->gt || !c->dt || !c->gt_ann || !goff || !doff) goto done;
  size_t ng = 0, nd = 0;
  for (uint32_t i = 0; i < gt->nann; i++) {
    uint32_t img = img_map[gt->item[i]];
    uint32_t k = gt->cat[i] < 0 ? NONE : cat_map[gt->cat[i]];
    if (img == NONE || k == NONE) continue;
    CocoObj *g = &c->gt[ng];
    g->img = img;
    g->cat = k;
    if (gold_obj(c, gt, i, o, g, &goff[ng], e) != 0) goto done;
    c->gt_ann[ng++] = i;
  }
  if (dt->nann > 0) {
    ResBranch br = !isnan(dt->bbox[0]) ? RES_BBOX : has_seg(dt, 0) ? RES_SEGM
                   : dt->type[0] == ANN_KEYPOINTS ? RES_KEYPOINTS : (ResBranch)-1;
    if ((int)br < 0) {
      fail_at(dt, 0, e, "the first result has no bbox, segmentation or keypoints");
      goto done;
    }
    for (uint32_t i = 0; i < dt->nann; i++) {
      uint32_t gi = dt_item[dt->item[i]];
      if (gi == NONE) {
        char msg[128];
        snprintf(msg, sizeof msg, "image_id %lld is not an image of the ground truth",
                 (long long)dt->items[dt->item[i]].id);
        fail_at(dt, i, e, msg);
        goto done;
      }
      if (dt->cat[i] < 0) {
        fail_at(dt, i, e, "no category_id");
        goto done;
      }
      /* like pycocotools, results of categories the ground truth lacks are left out */
      int64_t gc = dt->cat[i] < (int32_t)gt->ncats && gt->cats[dt->cat[i]].id == dt->cats[dt->cat[i]].id
                     ? dt->cat[i] : dataset_find_category(gt, dt->cats[dt->cat[i]].id);
      if (gc < 0) c->unknown_dt_cats++;
      uint32_t img = img_map[gi], k = gc < 0 ? NONE : cat_map[gc];
      if (img == NONE || k == NONE) continue;
      CocoObj *r = &c->dt[nd];
      r->img = img;
      r->cat = k;
      if (result_obj(c, dt, i, &gt->items[gi], o, br, r, &doff[nd], e) != 0) goto done;
      nd++;
    }
  }
  fix_pool(c, c->gt, goff, ng);
  fix_pool(c, c->dt, doff, nd);
  c->in.type = o->type;
  c->in.nimg = (uint32_t)ni;
  c->in.ncat = (uint32_t)nc;
  c->in.gt = c->gt;
  c->in.ngt = ng;
  c->in.dt = c->dt;
  c->in.ndt = nd;
  c->in.sigmas = o->sigmas;
  c->in.nsigmas = o->nsigmas;
  c->in.use_cats = o->use_cats;
  rc = 0;
done:
  free(img_map);
  free(cat_map);
  free(dt_item);
  free(img_order);
  free(goff);
  free(doff);
  if (rc != 0) cocoeval_input_free(c);
  return rc;
}
