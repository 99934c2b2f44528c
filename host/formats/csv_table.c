/* CSV read whole through libcsv, one byte at a time so each cell knows the line and
 * column it starts at; '#' comment lines kept apart. For small hand-edited files. */
#include "csv_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

typedef struct Reader {
  CsvTable *t;
  int failed;
  uint32_t line, col;         /* the byte being fed */
  uint32_t sline, scol;       /* where the current cell started */
  int pending;                /* a cell has started */
  int fresh;                  /* nothing but line ends since the last record */
  size_t rec_first;           /* first cell of the current record */
  uint32_t rec_line;
} Reader;

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 0;
  size_t c = *cap ? *cap : 16;
  while (c < need) {
    if (c > ((size_t)-1) / 2 / size) return -1;
    c *= 2;
  }
  void *q = realloc(*p, c * size);
  if (!q) return -1;
  *p = q;
  *cap = c;
  return 0;
}

/* Appends a cell of text s[0..len) starting at line:col. */
static int add_cell(CsvTable *t, const char *s, size_t len, uint32_t line, uint32_t col) {
  if (len > ((size_t)-1) / 2 - t->text_len) return -1;
  if (grow((void **)&t->text, &t->text_cap, t->text_len + len + 1, 1) != 0) return -1;
  if (grow((void **)&t->cells, &t->cells_cap, t->ncells + 1, sizeof *t->cells) != 0) return -1;
  if (len) memcpy(t->text + t->text_len, s, len);
  t->text[t->text_len + len] = '\0';
  t->cells[t->ncells++] = (CsvCell){t->text_len, len, line, col};
  t->text_len += len + 1;
  return 0;
}

static int add_record(CsvTable *t, size_t first, uint32_t line, int comment) {
  if (grow((void **)&t->recs, &t->recs_cap, t->nrecs + 1, sizeof *t->recs) != 0) return -1;
  t->recs[t->nrecs++] = (CsvRecord){first, t->ncells - first, line, comment};
  return 0;
}

static void on_field(void *data, size_t len, void *ctx) {
  Reader *r = ctx;
  if (r->failed) return;
  if (r->t->ncells == r->rec_first) r->rec_line = r->pending ? r->sline : r->line;
  if (add_cell(r->t, data ? data : "", data ? len : 0, r->pending ? r->sline : r->line,
               r->pending ? r->scol : r->col) != 0)
    r->failed = 1;
  r->pending = 0;
}

static void on_record(int c, void *ctx) {
  (void)c;
  Reader *r = ctx;
  if (r->failed) return;
  if (add_record(r->t, r->rec_first, r->rec_line, 0) != 0) r->failed = 1;
  r->rec_first = r->t->ncells;
  r->fresh = 1;
}

void csv_table_free(CsvTable *t) {
  if (!t) return;
  free(t->text);
  free(t->cells);
  free(t->recs);
  free(t);
}

int csv_table_parse(const char *data, size_t len, const char *name, CsvTable **out, Err *e) {
  *out = NULL;
  CsvTable *t = calloc(1, sizeof *t);
  if (!t) return err_nomem(e);
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    free(t);
    return err_nomem(e);
  }
  Reader r = {.t = t, .line = 1, .col = 1, .fresh = 1};
  uint32_t qline = 0, qcol = 0;     /* where the last quoted cell opened, for an unclosed quote */
  size_t i = 0;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) i = 3;
  int rc = 0;
  for (; i < len && !r.failed; i++) {
    char c = data[i];
    if (r.fresh && !r.pending && c == '#') {        /* a comment line, kept whole */
      size_t j = i;
      while (j < len && data[j] != '\n') j++;
      size_t n = j - i;
      if (n && data[i + n - 1] == '\r') n--;
      size_t first = t->ncells;
      if (add_cell(t, data + i, n, r.line, 1) != 0 || add_record(t, first, r.line, 1) != 0) {
        r.failed = 1;
        break;
      }
      r.rec_first = t->ncells;
      i = j;                                          /* the '\n' (or the end) */
      r.line++;
      r.col = 1;
      continue;
    }
    if (c != '\r' && c != '\n') r.fresh = 0;
    if (!r.pending && c != '\r' && c != '\n' && c != ',') {
      r.pending = 1;
      r.sline = r.line;
      r.scol = r.col;
      if (c == '"') {
        qline = r.line;
        qcol = r.col;
      }
    }
    if (csv_parse(&p, data + i, 1, on_field, on_record, &r) != 1) {
      if (csv_error(&p) == CSV_ENOMEM) r.failed = 1;
      else rc = err_set(e, "%s:%u:%u: malformed CSV: %s (a quote inside an unquoted cell, or text after a "
                        "closing quote?)", name, r.line, r.col, csv_strerror(csv_error(&p)));
      break;
    }
    if (c == '\n') {
      r.line++;
      r.col = 1;
    } else {
      r.col++;
    }
  }
  if (rc == 0 && !r.failed && csv_fini(&p, on_field, on_record, &r) != 0) {
    if (csv_error(&p) == CSV_ENOMEM) r.failed = 1;
    else rc = err_set(e, "%s:%u:%u: malformed CSV: the quote opened here is never closed", name, qline, qcol);
  }
  csv_free(&p);
  if (rc == 0 && r.failed) rc = err_nomem(e);
  if (rc != 0) {
    csv_table_free(t);
    return -1;
  }
  *out = t;
  return 0;
}

int csv_table_read(const char *path, CsvTable **out, Err *e) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return err_errno(e, "%s: cannot open", path);
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (grow((void **)&buf, &cap, len + 65536, 1) != 0) {
      free(buf);
      fclose(f);
      return err_nomem(e);
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return err_set(e, "%s: read error", path);
  }
  int rc = csv_table_parse(buf ? buf : "", len, path, out, e);
  free(buf);
  return rc;
}
