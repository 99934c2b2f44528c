/* Planar geometry: boxes, polygons, rotated boxes, cuboids and keypoint OKS. */
#include "geometry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* pycocotools bbIou for one pair, operation for operation. */
double geom_box_iou(const double D[4], const double G[4], int crowd) {
  double da = D[2] * D[3], ga = G[2] * G[3];
  double w = fmin(D[2] + D[0], G[2] + G[0]) - fmax(D[0], G[0]);
  if (w <= 0) return 0;
  double h = fmin(D[3] + D[1], G[3] + G[1]) - fmax(D[1], G[1]);
  if (h <= 0) return 0;
  double i = w * h, u = crowd ? da : da + ga - i;
  return i / u;
}

void geom_box_iou_matrix(const double *dt, size_t nd, const double *gt, size_t ng,
                         const uint8_t *crowd, double *o) {
  for (size_t d = 0; d < nd; d++)
    for (size_t g = 0; g < ng; g++)
      o[d * ng + g] = geom_box_iou(dt + 4 * d, gt + 4 * g, crowd && crowd[g]);
}

/* Twice the signed area (positive when counter-clockwise in y-up terms). */
static double signed_area2(const double *xy, size_t n) {
  double s = 0;
  for (size_t i = 0, j = n - 1; i < n; j = i++)
    s += xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1];
  return s;
}

double geom_polygon_area(const double *xy, size_t n) {
  return n < 3 ? 0 : fabs(signed_area2(xy, n)) / 2;
}

static double cross3(const double *o, const double *a, const double *b) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

static int cmp_point(const void *a, const void *b) {
  const double *p = a, *q = b;
  return p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : p[1] < q[1] ? -1 : p[1] > q[1];
}

/* Andrew's monotone chain: lower hull left to right, upper hull back. */
size_t geom_convex_hull(double *xy, size_t n, double *hull) {
  if (n < 3) {
    memmove(hull, xy, 2 * n * sizeof *xy);
    return n;
  }
  qsort(xy, n, 2 * sizeof *xy, cmp_point);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    while (k >= 2 && cross3(hull + 2 * (k - 2), hull + 2 * (k - 1), xy + 2 * i) <= 0) k--;
    hull[2 * k] = xy[2 * i];
    hull[2 * k + 1] = xy[2 * i + 1];
    k++;
  }
  for (size_t i = n - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross3(hull + 2 * (k - 2), hull + 2 * (k - 1), xy + 2 * i) <= 0) k--;
    hull[2 * k] = xy[2 * i];
    hull[2 * k + 1] = xy[2 * i + 1];
    k++;
  }
  return k - 1;
}

/* Clips the convex polygon in[0..n) by the half-plane left of edge a->b (for a
 * counter-clockwise clip polygon) into out; returns the new count. */
static size_t clip_edge(const double *in, size_t n, const double *a, const double *b, double *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const double *p = in + 2 * i, *q = in + 2 * ((i + 1) % n);
    double sp = cross3(a, b, p), sq = cross3(a, b, q);
    if (sp >= 0) {
      out[2 * k] = p[0];
      out[2 * k + 1] = p[1];
      k++;
    }
    if ((sp >= 0) != (sq >= 0)) {
      double t = sp / (sp - sq);
      out[2 * k] = p[0] + t * (q[0] - p[0]);
      out[2 * k + 1] = p[1] + t * (q[1] - p[1]);
      k++;
    }
  }
  return k;
}

/* Clips p by each edge of q (turned counter-clockwise) in turn. */
double geom_convex_intersection(const double *p, size_t np, const double *q, size_t nq) {
  if (np < 3 || nq < 3 || np > GEOM_CLIP_MAX || nq > GEOM_CLIP_MAX) return 0;
  double sp = signed_area2(p, np), sq = signed_area2(q, nq);
  if (sp == 0 || sq == 0) return 0;
  double bufa[4 * GEOM_CLIP_MAX + 4], bufb[4 * GEOM_CLIP_MAX + 4], clip[2 * GEOM_CLIP_MAX];
  for (size_t i = 0; i < nq; i++) {          /* the clip polygon, counter-clockwise */
    size_t j = sq > 0 ? i : nq - 1 - i;
    clip[2 * i] = q[2 * j];
    clip[2 * i + 1] = q[2 * j + 1];
  }
  memcpy(bufa, p, 2 * np * sizeof *p);
  double *in = bufa, *out = bufb;
  size_t n = np;
  for (size_t i = 0; i < nq && n > 0; i++) {
    n = clip_edge(in, n, clip + 2 * i, clip + 2 * ((i + 1) % nq), out);
    double *t = in;
    in = out;
    out = t;
  }
  return n < 3 ? 0 : fabs(signed_area2(in, n)) / 2;
}

double geom_convex_iou(const double *p, size_t np, const double *q, size_t nq) {
  double i = geom_convex_intersection(p, np, q, nq);
  double u = geom_polygon_area(p, np) + geom_polygon_area(q, nq) - i;
  return u > 0 ? i / u : 0;
}

/* ---- rotated boxes ---- */

void geom_rbox_corners(const double rb[5], double xy[8]) {
  static const double sx[4] = {-1, 1, 1, -1}, sy[4] = {-1, -1, 1, 1};
  double a = rb[4] * (3.14159265358979323846 / 180), c = cos(a), s = sin(a);
  for (int i = 0; i < 4; i++) {
    double dx = sx[i] * rb[2] / 2, dy = sy[i] * rb[3] / 2;
    xy[2 * i] = rb[0] + dx * c - dy * s;
    xy[2 * i + 1] = rb[1] + dx * s + dy * c;
  }
}

/* Intersection by clipping the corner polygons; union from w * h. */
double geom_rbox_iou(const double a[5], const double b[5]) {
  double pa[8], pb[8];
  geom_rbox_corners(a, pa);
  geom_rbox_corners(b, pb);
  double i = geom_convex_intersection(pa, 4, pb, 4);
  double u = fabs(a[2] * a[3]) + fabs(b[2] * b[3]) - i;
  return u > 0 ? i / u : 0;
}

/* ---- cuboids ---- */

double geom_cuboid_iou2d(const double a[16], const double b[16]) {
  double pa[16], pb[16], ha[18], hb[18];
  memcpy(pa, a, sizeof pa);
  memcpy(pb, b, sizeof pb);
  size_t na = geom_convex_hull(pa, 8, ha), nb = geom_convex_hull(pb, 8, hb);
  return geom_convex_iou(ha, na, hb, nb);
}

/* The footprint of a 3D box: its l x w rectangle turned by yaw (counter-clockwise). */
static void footprint(const double c[7], double xy[8]) {
  static const double sx[4] = {-1, 1, 1, -1}, sy[4] = {-1, -1, 1, 1};
  double co = cos(c[6]), si = sin(c[6]);
  for (int i = 0; i < 4; i++) {
    double dx = sx[i] * c[3] / 2, dy = sy[i] * c[4] / 2;
    xy[2 * i] = c[0] + dx * co - dy * si;
    xy[2 * i + 1] = c[1] + dx * si + dy * co;
  }
}

/* Footprint intersection times the overlap of the z spans, over the union. */
double geom_cuboid_iou3d(const double a[7], const double b[7]) {
  double fa[8], fb[8];
  footprint(a, fa);
  footprint(b, fb);
  double za0 = a[2] - fabs(a[5]) / 2, za1 = a[2] + fabs(a[5]) / 2;
  double zb0 = b[2] - fabs(b[5]) / 2, zb1 = b[2] + fabs(b[5]) / 2;
  double dz = fmin(za1, zb1) - fmax(za0, zb0);
  double i = dz > 0 ? geom_convex_intersection(fa, 4, fb, 4) * dz : 0;
  double u = fabs(a[3] * a[4] * a[5]) + fabs(b[3] * b[4] * b[5]) - i;
  return u > 0 ? i / u : 0;
}

/* ---- keypoints ---- */

const double geom_coco_sigmas[17] = {
  .26 / 10.0, .25 / 10.0, .25 / 10.0, .35 / 10.0, .35 / 10.0, .79 / 10.0, .79 / 10.0,
  .72 / 10.0, .72 / 10.0, .62 / 10.0, .62 / 10.0, 1.07 / 10.0, 1.07 / 10.0, .87 / 10.0,
  .87 / 10.0, .89 / 10.0, .89 / 10.0,
};

/* numpy's pairwise_sum over one buffer. */
static double pairwise(const double *a, size_t n) {
  if (n < 8) {
    double res = -0.0;
    for (size_t i = 0; i < n; i++) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8], res;
    size_t i;
    for (i = 0; i < 8; i++) r[i] = a[i];
    for (i = 8; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; j++) r[j] += a[i + j];
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

/* np.add.reduce hands its inner loop 8192 elements at a time (the iterator's
 * buffer size) and adds the pairwise sum of each to the running total. */
double geom_sum(const double *a, size_t n) {
  double res = 0;
  for (size_t i = 0; i < n; i += 8192) res += pairwise(a + i, n - i < 8192 ? n - i : 8192);
  return res;
}

/* COCOeval.computeOks, element by element in numpy's order of operations:
 * e = (dx^2 + dy^2) / vars / (area + eps) / 2, vars = (2 sigma)^2, then
 * np.sum(np.exp(-e)) / len(e). */
double geom_oks(const double *dt, const double *gt, size_t k, const double *sigmas,
                double garea, const double gbb[4]) {
  const double eps = 2.220446049250313e-16;   /* np.spacing(1) */
  double ev[GEOM_KP_MAX];
  size_t k1 = 0, n = 0;
  if (k == 0 || k > GEOM_KP_MAX) return 0;
  for (size_t j = 0; j < k; j++) k1 += gt[3 * j + 2] > 0;
  double x0 = gbb[0] - gbb[2], x1 = gbb[0] + gbb[2] * 2;
  double y0 = gbb[1] - gbb[3], y1 = gbb[1] + gbb[3] * 2;
  for (size_t j = 0; j < k; j++) {
    double dx, dy, xd = dt[3 * j], yd = dt[3 * j + 1];
    if (k1 > 0) {
      if (!(gt[3 * j + 2] > 0)) continue;
      dx = xd - gt[3 * j];
      dy = yd - gt[3 * j + 1];
    } else {
      dx = fmax(0, x0 - xd) + fmax(0, xd - x1);
      dy = fmax(0, y0 - yd) + fmax(0, yd - y1);
    }
    double var = (sigmas[j] * 2) * (sigmas[j] * 2);
    ev[n++] = exp(-((dx * dx + dy * dy) / var / (garea + eps) / 2));
  }
  return geom_sum(ev, n) / (double)n;
}
