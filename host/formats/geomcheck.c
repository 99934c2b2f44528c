/* Checks on the geometry a reader produced and a writer would write: a
 * coordinate that is not a finite number is an error naming the annotation (a
 * conversion never writes a file its own reader refuses), and a box beyond any
 * plausible image is a warning. */
#include "formats.h"

#include <math.h>
#include <stdio.h>

/* Larger than any image annovet will meet (JPEG stops at 65,535 px a side,
 * whole-slide scans and satellite mosaics at a few hundred thousand). */
#define PLAUSIBLE_PX 16777216.0

/* The point coordinates of annotation i (x y pairs, or x y v triples with
 * *stride 3), or NULL when its type has none: boxes keep theirs in bbox, masks
 * their size, tags nothing. */
/* v is finite and under limit in size. */
static int in_range(double v, double limit) {
  return isfinite(v) && fabs(v) < limit;
}

static const double *points(const Dataset *d, uint32_t i, uint32_t *npts, uint32_t *stride) {
  uint32_t n = d->g_n[i];
  *stride = 2;
  switch (d->type[i]) {
  case ANN_KEYPOINTS: *stride = 3; break;
  case ANN_RBOX: n = n >= 2 ? 2 : 0; break;   /* the centre; w, h are sizes */
  case ANN_POLYGON: case ANN_POLYLINE: case ANN_CUBOID: case ANN_TEXT: break;
  default: n = 0;
  }
  *npts = n / *stride;
  return *npts ? d->coords.v + d->g_off[i] : NULL;
}

/* Which number a writer derives from annotation i is out of range once scaled
 * by scale (not finite, or not under limit), or NULL when none: its box (x, y,
 * the right and bottom edges), its points and their extent (the box drawn
 * around them when the file gave none), and the area a writer computes when
 * the file gave none (the box's, the polygon's). */
static const char *not_finite(const Dataset *d, uint32_t i, double scale, double limit) {
  const double *b = d->bbox + (size_t)4 * i;
  int no_area = isnan(d->area[i]);
  if (!isnan(b[0])) {
    for (int k = 0; k < 4; k++)
      if (!in_range(b[k] * scale, limit)) return "its box (x, y, width or height)";
    if (!in_range((b[0] + b[2]) * scale, limit) || !in_range((b[1] + b[3]) * scale, limit))
      return "its box's right or bottom edge (x + width, y + height)";
    if (no_area && !isfinite(b[2] * b[3])) return "its box's area (width x height)";
  }
  if (d->type[i] == ANN_RBOX && d->g_n[i] >= 4) {
    const double *c = d->coords.v + d->g_off[i];
    for (int k = 0; k < 4; k++)
      if (!in_range(c[k] * scale, limit)) return "its rotated box (centre, width or height)";
    if (!in_range((fabs(c[0]) + fabs(c[2]) + fabs(c[3])) * scale, limit) ||
        !in_range((fabs(c[1]) + fabs(c[2]) + fabs(c[3])) * scale, limit) || (no_area && !isfinite(c[2] * c[3])))
      return "its rotated box's corners or area";
  }
  uint32_t npts, stride;
  const double *p = points(d, i, &npts, &stride);
  if (!p) return NULL;
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, twice = 0;
  for (uint32_t j = 0; j < npts; j++) {
    double x = p[(size_t)j * stride], y = p[(size_t)j * stride + 1];
    if (!in_range(x * scale, limit) || !in_range(y * scale, limit) ||
        (stride == 3 && !isfinite(p[(size_t)j * stride + 2])))
      return "a point";
    x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
    const double *q = p + (size_t)((j + 1) % npts) * stride;
    twice += x * q[1] - q[0] * y;
  }
  /* a writer draws a box around the points only when the file gave none */
  if (isnan(b[0]) && (!in_range((x1 - x0) * scale, limit) || !in_range((y1 - y0) * scale, limit) ||
                      (no_area && !isfinite((x1 - x0) * (y1 - y0)))))
    return "the extent of its points (their bounding box)";
  if (d->type[i] == ANN_POLYGON && no_area && !isfinite(twice)) return "its polygon's area";
  return NULL;
}

int format_check_read(const Dataset *d, Diag *g, Err *e) {
  char where[512];
  for (uint32_t i = 0; i < d->nann; i++) {
    const double *b = d->bbox + (size_t)4 * i;
    int finite_box = isnan(b[0]) || (isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) && isfinite(b[3]));
    uint32_t npts, stride;
    const double *p = points(d, i, &npts, &stride);
    int finite_points = 1;
    for (uint32_t j = 0; p && j < npts && finite_points; j++)
      finite_points = isfinite(p[(size_t)j * stride]) && isfinite(p[(size_t)j * stride + 1]);
    if (!finite_box || !finite_points) {
      dataset_source(d, i, where, sizeof where);
      return err_set(e, "%s: %s not a finite number of pixels (the file's numbers overflow)", where,
                     finite_box ? "a point is" : "the box is");
    }
    if (!isnan(b[0]) && (b[0] < -PLAUSIBLE_PX || b[1] < -PLAUSIBLE_PX || !(b[0] + b[2] <= PLAUSIBLE_PX) ||
                         !(b[1] + b[3] <= PLAUSIBLE_PX))) {
      dataset_source(d, i, where, sizeof where);
      diag_warn(g, "box outside any plausible image", "%s: box [%g, %g, %g, %g] reaches beyond %.0f px", where,
                b[0], b[1], b[2], b[3], PLAUSIBLE_PX);
    }
  }
  return 0;
}

int format_check_write(const Dataset *d, double scale, double limit, int normalised, const char *format,
                       Err *e) {
  for (uint32_t i = 0; i < d->nann; i++) {
    const Item *it = &d->items[d->item[i]];
    double s = scale;
    if (normalised && it->width > 0 && it->height > 0) s /= it->width < it->height ? it->width : it->height;
    const char *what = not_finite(d, i, s, limit);
    if (what) {
      char where[512];
      dataset_source(d, i, where, sizeof where);
      if (isinf(limit))
        return err_set(e, "%s: %s is not a finite number once written as %s; nothing written", where, what, format);
      return err_set(e, "%s: %s is out of range for %s (under %.0f%s, which its reader takes); nothing written",
                     where, what, format, limit, normalised ? " image sizes" : "");
    }
  }
  return 0;
}
