/* COCO JSON: instances and keypoints files ("coco") and results files
 * ("coco-results", a top-level array of detections with scores). */
#ifndef ANNOVET_COCO_H
#define ANNOVET_COCO_H

#include "formats.h"

extern const Format fmt_coco, fmt_coco_results;

/* Reads a COCO file (either kind) into d. When d already holds items and
 * categories (copied from a ground truth, dataset_copy_meta), a results file's
 * image_id and category_id must name them; otherwise they are created (items of
 * unknown size, categories named by their id). */
int coco_read(const char *path, Dataset *d, Diag *g, Err *e);
/* The same over text already in memory (path only names it in messages). */
int coco_read_text(const char *path, const char *text, size_t len, Dataset *d, Diag *g, Err *e);

/* Writes d as a COCO dataset file (images, categories, annotations), or as a
 * results array when results is set. Numbers are printed shortest-exact. The
 * annotator's name goes in an "annotator" field (an extension, read back too). */
int coco_write(const Dataset *d, const char *path, int results, Diag *g, Err *e);

#endif
