/* A small CSV file read whole into cells that know their line and column, for
 * data a buyer edits by hand (rate cards, timesheets): every message can point at
 * FILE:LINE:COLUMN. Lines starting with '#' outside a record are comments, kept
 * with their line. A libFuzzer target calls csv_table_parse on raw bytes. */
#ifndef ANNOVET_CSV_TABLE_H
#define ANNOVET_CSV_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct CsvCell {
  size_t off, len;          /* the cell's text in CsvTable.text (NUL-terminated there) */
  uint32_t line, col;       /* 1-based line and byte column where the cell starts */
} CsvCell;

typedef struct CsvRecord {
  size_t first, n;          /* cells[first .. first + n) */
  uint32_t line;            /* the record's first line */
  int comment;              /* 1: a '#' line, kept whole as one cell */
} CsvRecord;

typedef struct CsvTable {
  char *text;               /* every cell's bytes, each followed by '\0' */
  size_t text_len, text_cap;
  CsvCell *cells;
  size_t ncells, cells_cap;
  CsvRecord *recs;
  size_t nrecs, recs_cap;
} CsvTable;

/* Parses data[0..len) (name only for messages). Returns 0 with *out set (free it
 * with csv_table_free), or -1 with e naming name:line:column. Blank lines are
 * skipped; a leading UTF-8 byte-order mark is ignored. */
int csv_table_parse(const char *data, size_t len, const char *name, CsvTable **out, Err *e);

/* Reads the file at path and parses it. */
int csv_table_read(const char *path, CsvTable **out, Err *e);

void csv_table_free(CsvTable *t);

#endif
