/* Helpers the folder and XML formats share: strict numbers, paths, sorted
 * directory listings, staged output that appears whole or not at all, and the
 * "outside the image" check. */
#ifndef ANNOVET_FIO_H
#define ANNOVET_FIO_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "formats.h"
#include "model.h"

/* Coordinates and sizes annovet accepts: an image is at most 2^31 - 1 pixels
 * wide, so a coordinate beyond +-2^31 cannot be on any image. */
#define FIO_COORD_MAX 2147483648.0

/* Parses all of s[0..n) (blanks around it allowed) as a finite decimal number:
 * sign, digits, point, exponent; no hex, nan or inf. 0, or -1 when it is not one. */
int fio_number(const char *s, size_t n, double *out);

/* Same, then requires an integer in [lo, hi]. */
int fio_integer(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out);

/* 1 when path is a directory, 0 when it is something else, -1 when absent. */
int fio_kind(const char *path);

/* dir/name, malloc'd (NULL with e set when out of memory). */
char *fio_join(const char *dir, const char *name, Err *e);

/* The part after the last '/'. */
const char *fio_base(const char *path);

/* 1 when name ends in ext (".xml"), compared without case. */
int fio_has_ext(const char *name, const char *ext);

/* A malloc'd copy of the first n bytes of s, NUL-terminated. */
char *fio_strndup(const char *s, size_t n, Err *e);

/* Names in a directory (not "." or ".."), sorted bytewise. */
typedef struct FioList {
  char **v;
  size_t n, cap;
} FioList;

int fio_list(const char *dir, FioList *out, Err *e);
/* Appends a copy of s. */
int fio_list_add(FioList *l, const char *s, Err *e);
void fio_list_free(FioList *l);

/* Output written under a temporary name beside the target and renamed into
 * place by fio_out_commit, so a failed write leaves nothing half-written. A
 * folder target must not exist yet (or be an empty directory). */
typedef struct FioOut {
  char *final;
  char *tmp;
  int is_dir;
} FioOut;

int fio_out_begin(FioOut *o, const char *path, int is_dir, Err *e);
/* Opens rel (a path inside the folder, parents created) for writing, or the
 * staged file itself when rel is NULL. */
FILE *fio_out_open(FioOut *o, const char *rel, Err *e);
/* fclose that reports a write error as "path: ..." in e. */
int fio_close(FILE *f, const char *path, Err *e);
int fio_out_commit(FioOut *o, Err *e);
/* Removes what was staged; safe after a commit or a failed begin. */
void fio_out_abort(FioOut *o);

/* Files under dir (recursively, at most 8 levels) whose names end in ext, as
 * paths relative to dir, sorted. */
int fio_list_tree(const char *dir, const char *ext, FioList *out, Err *e);

/* The annotations of each item: order[start[i] .. start[i + 1]) are the indices
 * of item i's annotations, in their original order. Both malloc'd. */
int fio_by_item(const Dataset *d, uint32_t **start, uint32_t **order, Err *e);

/* Annotation i's attribute named key, or NULL. */
const Attr *fio_attr(const Dataset *d, uint32_t i, const char *key);

/* name made safe as a relative path inside an output folder: no leading '/',
 * and "", "." and ".." components become "_". malloc'd. */
char *fio_safe_rel(const char *name, Err *e);

/* 0 when rel (a file found in folder dir, or NULL) is a UTF-8 name; otherwise
 * -1 with e naming the file (its bytes that are not UTF-8 shown as \xHH) and
 * what the name would have become (what: "an item's file name"). */
int fio_check_name(const char *dir, const char *rel, const char *what, Err *e);

/* Counts a "box outside image" warning when the box leaves the item's image by
 * more than the rounding tolerance tol (pixels); items of unknown size pass. */
void fio_check_box(Diag *g, const Item *it, const double box[4], double tol, const char *where);

/* Same for a list of points stride values apart ("point outside image"); with
 * stride 3 the third value is a keypoint visibility and 0 is skipped. */
void fio_check_points(Diag *g, const Item *it, const double *xy, uint32_t npts, uint32_t stride,
                      double tol, const char *where);

#endif
