/* Reliability data from CSV (libcsv): long form `unit,rater,value` or wide form, read
 * straight into the agreement core's builder. A format, so it lives with the formats. */
#ifndef ANNOVET_RELIABILITY_CSV_H
#define ANNOVET_RELIABILITY_CSV_H

#include "agree.h"
#include "err.h"

typedef struct ReliabilityCsvOpts {
  int wide;                        /* one row per unit, one column per rater */
  int multi_label;
  const char *unit_col, *rater_col, *value_col;   /* long form names (defaults unit, rater, value) */
  char label_sep;                  /* wide multi-label: labels in one cell (default '|') */
} ReliabilityCsvOpts;

/* Reads a CSV file into a builder's strings (no per-cell allocation). */
int reliability_csv_read(const char *path, const ReliabilityCsvOpts *o, AgreeBuilder **out, Err *e);

#endif
