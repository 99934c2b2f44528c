/* Values the folder and XML formats read: strict numbers, annotations grouped by
 * item, attributes, and the "outside the image" check. */
#include "fields.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Accepts [+-]digits[.digits][(e|E)[+-]digits] with at least one digit in the
 * mantissa, checked by hand so strtod never sees hex, "nan" or "inf". */
int field_number(const char *s, size_t n, double *out) {
  while (n && is_blank(*s)) s++, n--;
  while (n && is_blank(s[n - 1])) n--;
  if (n == 0 || n > 64) return -1;
  char buf[65];
  size_t i = 0, digits = 0;
  if (s[i] == '+' || s[i] == '-') i++;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  }
  if (!digits) return -1;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t ed = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, ed++;
    if (!ed) return -1;
  }
  if (i != n) return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  errno = 0;
  double v = strtod(buf, NULL);
  if (!isfinite(v)) return -1;
  *out = v;
  return 0;
}

int field_integer(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out) {
  double v;
  if (field_number(s, n, &v) != 0) return -1;
  if (v != floor(v) || v < (double)lo || v > (double)hi) return -1;
  *out = (int64_t)v;
  return 0;
}

char *field_strndup(const char *s, size_t n, Err *e) {
  char *p = err_malloc(e, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void field_check_box(Diag *g, const Item *it, const double box[4], double tol, const char *where) {
  if (it->width <= 0 || it->height <= 0) return;
  if (box[0] < -tol || box[1] < -tol || box[0] + box[2] > it->width + tol ||
      box[1] + box[3] > it->height + tol)
    diag_warn(g, "box outside image", "%s: box [%g, %g, %g, %g] leaves the %dx%d image", where,
              box[0], box[1], box[2], box[3], (int)it->width, (int)it->height);
}

/* The first point outside the image counts one warning for the shape. */
void field_check_points(Diag *g, const Item *it, const double *xy, uint32_t npts, uint32_t stride,
                      double tol, const char *where) {
  if (it->width <= 0 || it->height <= 0) return;
  for (uint32_t i = 0; i < npts; i++) {
    double x = xy[(size_t)i * stride], y = xy[(size_t)i * stride + 1];
    if (stride == 3 && xy[(size_t)i * stride + 2] == 0) continue;   /* keypoint not labelled */
    if (x < -tol || y < -tol || x > it->width + tol || y > it->height + tol) {
      diag_warn(g, "point outside image", "%s: point (%g, %g) is outside the %dx%d image", where, x,
                y, (int)it->width, (int)it->height);
      return;
    }
  }
}

/* A counting sort of annotation indices by item, stable. */
int field_by_item(const Dataset *d, uint32_t **start, uint32_t **order, Err *e) {
  *start = err_calloc(e, (size_t)d->nitems + 2, sizeof **start);
  *order = err_malloc(e, ((size_t)d->nann + 1) * sizeof **order);
  if (!*start || !*order) {
    free(*start);
    free(*order);
    *start = *order = NULL;
    return -1;
  }
  uint32_t *s = *start;
  for (uint32_t i = 0; i < d->nann; i++) s[d->item[i] + 2]++;
  for (uint32_t k = 0; k < d->nitems; k++) s[k + 2] += s[k + 1];
  for (uint32_t i = 0; i < d->nann; i++) (*order)[s[d->item[i] + 1]++] = i;
  return 0;
}

const Attr *field_attr(const Dataset *d, uint32_t i, const char *key) {
  for (uint32_t k = 0; k < d->a_n[i]; k++) {
    const Attr *a = &d->attrs.v[d->a_off[i] + k];
    if (strcmp(strpool_get(&d->str, a->key), key) == 0) return a;
  }
  return NULL;
}
