/* Delivery formats: a registry of readers and writers over the model, format
 * detection, and the warnings a read or write collects. */
#ifndef ANNOVET_FORMATS_H
#define ANNOVET_FORMATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "model.h"

/* Warnings, aggregated by kind: a count and the first example of each. */
#define DIAG_KINDS 32
typedef struct Diag {
  struct {
    char kind[48];          /* e.g. "box outside image", "dropped: cuboid" */
    uint64_t count;
    char example[256];      /* the first occurrence, with its source position */
  } w[DIAG_KINDS];
  int n;
} Diag;

/* Counts one warning of kind; the message is kept when it is the first of its kind.
 * Kinds past DIAG_KINDS are counted under "other". */
void diag_warn(Diag *g, const char *kind, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

typedef struct Format {
  const char *name;          /* "coco", "voc", "yolo", "cvat", "labelstudio", "csv" */
  const char *description;
  /* How sure (0..100) this format is that path is its own. is_dir: path is a
   * directory; head: the first bytes of a file (up to 4 KiB), else NULL. */
  int (*detect)(const char *path, int is_dir, const char *head, size_t nhead);
  /* Reads path into d (empty, fresh from dataset_new). On bad input: -1 with e
   * naming file, line:column or JSON path, and what was expected. */
  int (*read)(const char *path, Dataset *d, Diag *g, Err *e);
  /* Writes d to path (a file or, for folder formats, a directory it creates);
   * what the format cannot hold is dropped with a warning per kind in g. */
  int (*write)(const Dataset *d, const char *path, Diag *g, Err *e);
} Format;

extern const Format *const formats[];   /* NULL-terminated registry */

const Format *format_find(const char *name);
/* The most likely format of path, or NULL with e set. */
const Format *format_detect(const char *path, Err *e);

/* Largest delivery file annovet reads (bytes): larger ones are refused with a message. */
#define FORMAT_MAX_FILE ((uint64_t)1 << 31)

/* Reads a whole file into a malloc'd, NUL-terminated buffer, refusing files over
 * FORMAT_MAX_FILE. */
int format_slurp(const char *path, char **out, size_t *len, Err *e);

/* Reads path with format f (detected when NULL) into a new dataset *out. With ref
 * (a ground truth), its items and categories are copied in first, so a results
 * file resolves its ids against them. */
int format_read(const Format *f, const char *path, const Dataset *ref, Dataset **out,
                Diag *g, Err *e);
/* format_read with a choice: keep_runs 0 checks every mask's runs as the read
 * always does but keeps none of them (r_n is 0), for a read whose only product
 * is the counts and the warnings (ingest, inspect). */
int format_read_runs(const Format *f, const char *path, const Dataset *ref, int keep_runs, Dataset **out,
                     Diag *g, Err *e);

/* Writes d to path with format f, after format_check_write: a file its own
 * reader would refuse is never written. */
int format_write(const Format *f, const Dataset *d, const char *path, Diag *g, Err *e);

/* After a read (geomcheck.c): a box or point that is not a finite number (a
 * reader's scaling overflowed) is an error naming the annotation; a box beyond
 * any plausible image (16,777,216 px) a warning in g. */
int format_check_read(const Dataset *d, Diag *g, Err *e);
/* Before a write as format: an error naming the first annotation whose box
 * edges, points or their extent would be out of range once a writer scales them
 * by scale (100: Label Studio's percent of an image at least 1 px wide), and,
 * when normalised, divides them by the image's size: not finite, or not under
 * limit in size (what the format's reader takes); or whose area, computed when
 * the file gave none, would not be finite. */
int format_check_write(const Dataset *d, double scale, double limit, int normalised, const char *format,
                       Err *e);

/* Output that appears whole or not at all: format_out_open creates a temporary
 * file beside path; format_out_commit flushes, closes and renames it over path
 * (or removes it and fails); format_out_abort removes it. */
typedef struct FormatOut {
  FILE *f;
  char *tmp;
} FormatOut;
int format_out_open(FormatOut *o, const char *path, Err *e);
int format_out_commit(FormatOut *o, const char *path, Err *e);
void format_out_abort(FormatOut *o);

#endif
