/* Annotations as comparable shapes: the box of any shape, masks rasterised once
 * per annotation in its item's frame (pycocotools' rules for polygons), points
 * for OKS, Chamfer and cuboids, and the similarity of a pair. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "geometry.h"

static const char *const type_names[CMP_NTYPES] = {
  "bbox", "segm", "keypoints", "rbox", "polyline", "cuboid", "text", "tag", "semantic",
};

/* Whether type t works on masks in the item's frame as segm does. */
static int segm_like(CmpType t) {
  return t == CMP_SEGM || t == CMP_SEMANTIC;
}

const char *cmp_type_name(CmpType t) {
  return t < CMP_NTYPES ? type_names[t] : "unknown";
}

int cmp_type_parse(const char *s) {
  for (int t = 0; t < CMP_NTYPES; t++)
    if (strcmp(type_names[t], s) == 0) return t;
  return -1;
}

/* Doubles *p until it holds need elements. */
int cmp_reserve(void **p, size_t *cap, size_t need, size_t size, Err *e) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap : 64;
  while (nc < need) nc *= 2;
  void *q = err_realloc(e, *p, nc, size);
  if (!q) return -1;
  *p = q;
  *cap = nc;
  return 0;
}

/* Which annotation types each iou type compares. */
int cmp_shape_kind(const Dataset *d, uint32_t i, CmpType t) {
  uint8_t ty = d->type[i];
  switch (t) {
  case CMP_BBOX: return ty != ANN_TAG;
  case CMP_SEGM:
    return ty == ANN_POLYGON || ty == ANN_MASK || ty == ANN_KEYPOINTS || ty == ANN_BOX ||
           ty == ANN_RBOX || ty == ANN_TEXT;
  case CMP_KEYPOINTS: return ty == ANN_KEYPOINTS;
  case CMP_RBOX: return ty == ANN_RBOX || ty == ANN_BOX;
  case CMP_POLYLINE: return ty == ANN_POLYLINE;
  case CMP_CUBOID: return ty == ANN_CUBOID;
  case CMP_TEXT: return ty == ANN_TEXT;
  case CMP_TAG: return ty == ANN_TAG;
  case CMP_SEMANTIC:   /* segmentations of their own: polygons, masks, a keypoint set's */
    return ty == ANN_POLYGON || ty == ANN_MASK || (ty == ANN_KEYPOINTS && (d->s_n[i] > 0 || d->r_n[i] > 0));
  default: return 0;
  }
}

void cmp_shape_counts(const Dataset *d, uint64_t n[CMP_NTYPES]) {
  memset(n, 0, CMP_NTYPES * sizeof *n);
  for (uint32_t i = 0; i < d->nann; i++) {
    uint8_t ty = d->type[i];
    int segm = ty == ANN_POLYGON || ty == ANN_MASK || (ty == ANN_KEYPOINTS && (d->s_n[i] > 0 || d->r_n[i] > 0));
    n[CMP_SEGM] += segm;
    n[CMP_BBOX] += ty != ANN_TAG;
    n[CMP_KEYPOINTS] += ty == ANN_KEYPOINTS;
    n[CMP_RBOX] += ty == ANN_RBOX;
    n[CMP_POLYLINE] += ty == ANN_POLYLINE;
    n[CMP_CUBOID] += ty == ANN_CUBOID;
    n[CMP_TEXT] += ty == ANN_TEXT;
    n[CMP_TAG] += ty == ANN_TAG;
    n[CMP_SEMANTIC] += segm;
  }
}

int cmp_type_rasterises(const CmpOpts *o) {
  return segm_like(o->type) || (o->type == CMP_POLYLINE && !o->chamfer);
}

/* Grows the extent ext (x0 y0 x1 y1) by n points x y (stride numbers apart). */
static void extend(double ext[4], const double *p, size_t n, size_t stride) {
  for (size_t j = 0; j < n; j++) {
    double x = p[j * stride], y = p[j * stride + 1];
    if (stride == 3 && !(p[j * 3 + 2] > 0)) continue;   /* keypoints: labelled only */
    if (x < ext[0]) ext[0] = x;
    if (y < ext[1]) ext[1] = y;
    if (x > ext[2]) ext[2] = x;
    if (y > ext[3]) ext[3] = y;
  }
}

/* The mask of annotation i as runs in the dataset (masks, keypoints' masks), or 0. */
static int dataset_mask(const Dataset *d, uint32_t i, uint32_t *h, uint32_t *w) {
  uint8_t t = d->type[i];
  if (t == ANN_MASK && d->g_n[i] >= 2) {
    const double *hw = d->coords.v + d->g_off[i];
    *h = (uint32_t)hw[0];
    *w = (uint32_t)hw[1];
    return 1;
  }
  if (t == ANN_KEYPOINTS && d->r_n[i] > 0 && d->s_n[i] >= 2) {
    const double *hw = d->seg.v + d->s_off[i];
    *h = (uint32_t)hw[0];
    *w = (uint32_t)hw[1];
    return 1;
  }
  return 0;
}

/* The axis-aligned box of annotation i: its bbox, else the extent of its shape
 * (NaN when it has none). */
static void ann_box(const Dataset *d, uint32_t i, double bb[4]) {
  const double *b = d->bbox + 4 * (size_t)i;
  if (!isnan(b[0])) {
    memcpy(bb, b, 4 * sizeof *bb);
    return;
  }
  double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
  const double *co = d->coords.v + d->g_off[i];
  uint32_t n = d->g_n[i], h, w;
  switch (d->type[i]) {
  case ANN_POLYGON: case ANN_POLYLINE: case ANN_TEXT: extend(ext, co, n / 2, 2); break;
  case ANN_CUBOID: extend(ext, co, n >= 16 ? 8 : n / 2, 2); break;
  case ANN_KEYPOINTS: extend(ext, co, n / 3, 3); break;
  case ANN_RBOX:
    if (n >= 5) {
      double xy[8];
      geom_rbox_corners(co, xy);
      extend(ext, xy, 4, 2);
    }
    break;
  case ANN_MASK:
    if (dataset_mask(d, i, &h, &w)) {
      Rle r = {h, w, d->r_n[i], d->rle.v + d->r_off[i]};
      Err e = {0};
      if (rle_check(&r, &e) == 0) {
        rle_to_bbox(&r, bb);
        return;
      }
    }
    break;
  default: break;
  }
  if (ext[0] <= ext[2] && ext[1] <= ext[3]) {
    bb[0] = ext[0];
    bb[1] = ext[1];
    bb[2] = ext[2] - ext[0];
    bb[3] = ext[3] - ext[1];
  } else {
    bb[0] = bb[1] = bb[2] = bb[3] = NAN;
  }
}

/* The item's size when either side knows it; else the first mask's size, else
 * the extent of the shapes (polylines: with room for their bands). */
void cmp_frame(const CmpOpts *o, const int32_t sizes[4], const Dataset *const ds[2],
               const uint32_t *const anns[2], const size_t n[2], CmpFrame *fr) {
  memset(fr, 0, sizeof *fr);
  for (int k = 0; k < 2; k++)
    if (sizes[2 * k] > 0 && sizes[2 * k + 1] > 0) {
      fr->w = (uint32_t)sizes[2 * k];
      fr->h = (uint32_t)sizes[2 * k + 1];
      return;
    }
  double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, rad = 0;
  for (int k = 0; k < 2; k++)
    for (size_t j = 0; j < n[k]; j++) {
      const Dataset *d = ds[k];
      uint32_t i = anns[k][j], h, w;
      if (!cmp_shape_kind(d, i, o->type)) continue;
      if (segm_like(o->type) && dataset_mask(d, i, &h, &w)) {
        fr->h = h;
        fr->w = w;
        return;
      }
      double bb[4];
      ann_box(d, i, bb);
      if (isnan(bb[0])) continue;
      double p[4] = {bb[0], bb[1], bb[0] + bb[2], bb[1] + bb[3]};
      extend(ext, p, 2, 2);
      if (o->type == CMP_POLYLINE) {
        double wd = isnan(d->aux[i]) ? o->line_width : d->aux[i];
        if (wd / 2 > rad) rad = wd / 2;
      }
    }
  if (!(ext[0] <= ext[2])) {
    fr->h = fr->w = 1;
    return;
  }
  if (segm_like(o->type)) {
    double w = ceil(ext[2]) + 1, h = ceil(ext[3]) + 1;
    fr->w = w < 1 ? 1 : w > 65535 ? 65535 : (uint32_t)w;
    fr->h = h < 1 ? 1 : h > 65535 ? 65535 : (uint32_t)h;
    return;
  }
  fr->ox = floor(ext[0] - rad) - 1;
  fr->oy = floor(ext[1] - rad) - 1;
  double w = ceil(ext[2] + rad) + 1 - fr->ox, h = ceil(ext[3] + rad) + 1 - fr->oy;
  fr->w = w > 65535 ? 65535 : (uint32_t)w;
  fr->h = h > 65535 ? 65535 : (uint32_t)h;
}

/* Appends r's runs to the pool and points s at them; frees r. */
static int pool_take(CmpPool *pool, Rle *r, CmpShape *s, Err *e) {
  if (cmp_reserve((void **)&pool->v, &pool->cap, pool->n + r->m + 1, sizeof *pool->v, e) != 0) {
    rle_free(r);
    return -1;
  }
  memcpy(pool->v + pool->n, r->cnts, r->m * sizeof *r->cnts);
  s->cnts = NULL;
  s->pooled = 1;
  s->off = pool->n;
  s->m = r->m;
  s->h = r->h;
  s->w = r->w;
  pool->n += r->m;
  rle_free(r);
  return 0;
}

/* The mask of a shape as an Rle view. */
static Rle shape_rle(const CmpShape *s, const uint32_t *pool) {
  Rle r = {s->h, s->w, s->m, (uint32_t *)(s->cnts ? s->cnts : pool + s->off)};
  return r;
}

/* Rasterises annotation i for segm in frame fr (polygons as pycocotools' annToRLE:
 * every part, holes included, merged; boxes, rotated boxes and text quads as
 * polygons, as loadRes does for box results). 1 when the geometry cannot be
 * rasterised. */
static int segm_raster(const Dataset *d, uint32_t i, const CmpFrame *fr, const CmpShape *s, Rle *r,
                       Err *e) {
  uint8_t t = d->type[i];
  const double *co = d->coords.v + d->g_off[i];
  Err sub = {0};
  int rc;
  if (t == ANN_POLYGON || (t == ANN_KEYPOINTS && d->s_n[i] > 0)) {
    const double *xy = t == ANN_POLYGON ? co : d->seg.v + d->s_off[i];
    const int32_t *parts = d->parts.v + d->p_off[i];
    uint32_t np = d->p_n[i], local[16], *npts = np <= 16 ? local : err_malloc(e, np * sizeof *npts);
    if (!npts) return -1;
    for (uint32_t j = 0; j < np; j++) npts[j] = (uint32_t)abs(parts[j]);
    rc = np ? rle_fr_polygons(xy, npts, np, fr->h, fr->w, r, &sub) : 1;
    if (npts != local) free(npts);
  } else if (t == ANN_RBOX && d->g_n[i] >= 5) {
    double xy[8];
    geom_rbox_corners(co, xy);
    rc = rle_fr_poly(xy, 4, fr->h, fr->w, r, &sub);
  } else if (t == ANN_TEXT && d->g_n[i] == 8) {
    rc = rle_fr_poly(co, 4, fr->h, fr->w, r, &sub);
  } else if (!isnan(s->bb[0])) {
    rc = rle_fr_bbox(s->bb, fr->h, fr->w, r, &sub);
  } else {
    return 1;
  }
  if (rc == 0) return 0;
  if (sub.kind == ERR_NOMEM) return err_pass(e, &sub);
  return 1;
}

void cmp_ann_box(const Dataset *d, uint32_t i, double bb[4]) {
  ann_box(d, i, bb);
}

/* The box of the shape, then what the iou type needs: masks rasterised (or
 * taken as they are when they fit the frame), keypoints with the area OKS
 * scales by, rotated boxes (a box as angle 0), points. */
int cmp_shape(const Dataset *d, uint32_t i, const CmpOpts *o, const CmpFrame *fr, CmpPool *pool,
              CmpShape *s, Err *e) {
  memset(s, 0, sizeof *s);
  const uint8_t OUT_SHAPE = CMP_OUT_SHAPE + 1, OUT_SIZE = CMP_OUT_SIZE + 1;
  if (!cmp_shape_kind(d, i, o->type)) {
    s->out = OUT_SHAPE;
    return 0;
  }
  ann_box(d, i, s->bb);
  const double *co = d->coords.v + d->g_off[i];
  uint32_t n = d->g_n[i];
  uint8_t t = d->type[i];
  s->pt = co;
  s->n = n;
  switch (o->type) {
  case CMP_BBOX:
    if (isnan(s->bb[0])) s->out = OUT_SHAPE;
    return 0;
  case CMP_SEGM: case CMP_SEMANTIC: {
    uint32_t h, w;
    Rle r;
    if (dataset_mask(d, i, &h, &w)) {
      Rle v = {h, w, d->r_n[i], d->rle.v + d->r_off[i]};
      Err sub = {0};
      if (h != fr->h || w != fr->w || rle_check(&v, &sub) != 0) {
        s->out = OUT_SIZE;
        return 0;
      }
      s->cnts = v.cnts;
      s->m = v.m;
      s->h = h;
      s->w = w;
    } else {
      int rc = segm_raster(d, i, fr, s, &r, e);
      if (rc < 0) return -1;
      if (rc > 0) {
        s->out = OUT_SHAPE;
        return 0;
      }
      if (pool_take(pool, &r, s, e) != 0) return -1;
    }
    Rle v = shape_rle(s, pool->v);
    s->area = (double)rle_area(&v);
    rle_to_bbox(&v, s->bb);
    return 0;
  }
  case CMP_KEYPOINTS:
    if (n < 3 || n % 3) {
      s->out = OUT_SHAPE;
      return 0;
    }
    s->area = d->area[i];
    if (isnan(s->area)) s->area = isnan(s->bb[0]) ? 0 : s->bb[2] * s->bb[3];
    if (isnan(s->bb[0])) s->bb[0] = s->bb[1] = s->bb[2] = s->bb[3] = 0;
    return 0;
  case CMP_RBOX:
    if (t == ANN_RBOX && n >= 5) {
      memcpy(s->rb, co, sizeof s->rb);
    } else if (t == ANN_BOX && !isnan(s->bb[0])) {
      s->rb[0] = s->bb[0] + s->bb[2] / 2;
      s->rb[1] = s->bb[1] + s->bb[3] / 2;
      s->rb[2] = s->bb[2];
      s->rb[3] = s->bb[3];
      s->rb[4] = 0;
    } else {
      s->out = OUT_SHAPE;
    }
    return 0;
  case CMP_POLYLINE: {
    if (n < 2 || n % 2) {
      s->out = OUT_SHAPE;
      return 0;
    }
    if (o->chamfer) return 0;
    double width = isnan(d->aux[i]) ? o->line_width : d->aux[i];
    Rle r;
    Err sub = {0};
    if (geom_polyline_rle(co, n / 2, width, fr->ox, fr->oy, fr->h, fr->w, &r, &sub) != 0) {
      if (sub.kind == ERR_NOMEM) return err_pass(e, &sub);
      s->out = OUT_SHAPE;
      return 0;
    }
    if (pool_take(pool, &r, s, e) != 0) return -1;
    Rle v = shape_rle(s, pool->v);
    s->area = (double)rle_area(&v);
    rle_to_bbox(&v, s->bb);
    return 0;
  }
  case CMP_CUBOID:
    if (n < 16) s->out = OUT_SHAPE;
    return 0;
  case CMP_TEXT:
    if (isnan(s->bb[0])) s->out = OUT_SHAPE;
    if (n != 8) s->pt = NULL;
    return 0;
  case CMP_TAG:
    return 0;
  default:
    s->out = OUT_SHAPE;
    return 0;
  }
}

/* Intersection of a's box with b's over a's box area (a crowd region's rule). */
static double box_ioa(const CmpShape *a, const CmpShape *b) {
  return geom_box_iou(a->bb, b->bb, 1);
}

/* IoU of two shapes' masks (rleIou), NaN when their sizes differ. */
static double mask_iou(const CmpShape *a, const uint32_t *apool, const CmpShape *b, const uint32_t *bpool,
                       int crowd) {
  Rle ra = shape_rle(a, apool), rb = shape_rle(b, bpool);
  if (ra.h != rb.h || ra.w != rb.w) return NAN;
  double iou;
  if (rle_iou_pair(&ra, a->bb, (uint64_t)a->area, &rb, b->bb, (uint64_t)b->area, crowd, &iou, NULL) != 0 ||
      iou < 0)
    return NAN;
  return iou;
}

/* Corners of a text quadrilateral as a convex polygon (hull, any given order). */
static size_t quad_hull(const double *pt, double *hull) {
  double xy[8];
  memcpy(xy, pt, sizeof xy);
  return geom_convex_hull(xy, 4, hull);
}

/* The similarity of the iou type; crowd regions (b) by intersection over a's
 * area, by boxes where the type has no area of its own. */
double cmp_sim(const CmpOpts *o, const CmpShape *a, const uint32_t *apool, const CmpShape *b,
               const uint32_t *bpool, int crowd, const double *sig) {
  switch (o->type) {
  case CMP_BBOX:
    return geom_box_iou(a->bb, b->bb, crowd);
  case CMP_POLYLINE:
    if (!o->chamfer) return mask_iou(a, apool, b, bpool, crowd);
    if (crowd) return box_ioa(a, b);
    return 1 / (1 + geom_chamfer(a->pt, a->n / 2, b->pt, b->n / 2, o->chamfer_step));
  case CMP_SEGM: case CMP_SEMANTIC:
    return mask_iou(a, apool, b, bpool, crowd);
  case CMP_KEYPOINTS:
    if (crowd) return box_ioa(a, b);
    if (a->n != b->n || !sig) return NAN;
    return geom_oks(a->pt, b->pt, a->n / 3, sig, b->area, b->bb);
  case CMP_RBOX:
    if (crowd) {
      double pa[8], pb[8], ar = fabs(a->rb[2] * a->rb[3]);
      geom_rbox_corners(a->rb, pa);
      geom_rbox_corners(b->rb, pb);
      return ar > 0 ? geom_convex_intersection(pa, 4, pb, 4) / ar : 0;
    }
    return geom_rbox_iou(a->rb, b->rb);
  case CMP_CUBOID:
    if (crowd) return box_ioa(a, b);
    if (a->n >= 23 && b->n >= 23) return geom_cuboid_iou3d(a->pt + 16, b->pt + 16);
    return geom_cuboid_iou2d(a->pt, b->pt);
  case CMP_TEXT:
    if (a->pt && b->pt && !crowd) {
      double ha[10], hb[10];
      size_t na = quad_hull(a->pt, ha), nb = quad_hull(b->pt, hb);
      return geom_convex_iou(ha, na, hb, nb);
    }
    return geom_box_iou(a->bb, b->bb, crowd);
  case CMP_TAG:
    return 1;
  default:
    return NAN;
  }
}

double cmp_sim_thr(const CmpOpts *o) {
  return o->type == CMP_POLYLINE && o->chamfer ? 1 / (1 + o->thr) : o->thr;
}

double cmp_sim_low(const CmpOpts *o) {
  return o->type == CMP_POLYLINE && o->chamfer ? 1 / (1 + o->low) : o->low;
}
