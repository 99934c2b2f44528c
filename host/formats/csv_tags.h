/* Tags as CSV in long form ("csv"): a header naming the columns item, annotator
 * and label (unit, rater and value are read too), then one row per tag. */
#ifndef ANNOVET_CSV_TAGS_H
#define ANNOVET_CSV_TAGS_H

#include "formats.h"

extern const Format fmt_csv;

/* Items are named by the item cell (ids 1, 2, ... in order of appearance),
 * categories by the labels, annotators by the annotator cells (empty: none). A
 * cell the writer neutralised ('=x) reads back without its quote. */
int csv_tags_read(const char *path, Dataset *d, Diag *g, Err *e);
/* Writes the tags; every other annotation is dropped with a warning. */
int csv_tags_write(const Dataset *d, const char *path, Diag *g, Err *e);

#endif
