/* Values the folder and XML formats read: strict numbers, annotations grouped by
 * item, attributes, and the "outside the image" check. */
#ifndef ANNOVET_FIELDS_H
#define ANNOVET_FIELDS_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "formats.h"
#include "model.h"

/* Coordinates and sizes annovet accepts: an image is at most 2^31 - 1 pixels
 * wide, so a coordinate beyond +-2^31 cannot be on any image. */
#define FIELD_COORD_MAX 2147483648.0

/* Parses all of s[0..n) (blanks around it allowed) as a finite decimal number:
 * sign, digits, point, exponent; no hex, nan or inf. 0, or -1 when it is not one. */
int field_number(const char *s, size_t n, double *out);

/* Same, then requires an integer in [lo, hi]. */
int field_integer(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out);

/* A malloc'd copy of the first n bytes of s, NUL-terminated. */
char *field_strndup(const char *s, size_t n, Err *e);

/* The annotations of each item: order[start[i] .. start[i + 1]) are the indices
 * of item i's annotations, in their original order. Both malloc'd. */
int field_by_item(const Dataset *d, uint32_t **start, uint32_t **order, Err *e);

/* Annotation i's attribute named key, or NULL. */
const Attr *field_attr(const Dataset *d, uint32_t i, const char *key);

/* Counts a "box outside image" warning when the box leaves the item's image by
 * more than the rounding tolerance tol (pixels); items of unknown size pass. */
void field_check_box(Diag *g, const Item *it, const double box[4], double tol, const char *where);

/* Same for a list of points stride values apart ("point outside image"); with
 * stride 3 the third value is a keypoint visibility and 0 is skipped. */
void field_check_points(Diag *g, const Item *it, const double *xy, uint32_t npts, uint32_t stride,
                        double tol, const char *where);

#endif
