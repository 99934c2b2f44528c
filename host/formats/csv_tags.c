/* Tags as CSV in long form, `item,annotator,label` (libcsv): one row per tag an
 * annotator gave an item; reading and writing. */
#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_tags.h"
#include "utf8.h"

#define MAX_FIELD (1u << 20)   /* longest cell kept: 1 MiB */

typedef struct CsvRead {
  Dataset *d;
  Diag *g;
  Err *e;
  const char *file;
  StrId src;
  unsigned long line;         /* line of the chunk being parsed */
  int failed;
  int header_done;
  int col_item, col_ann, col_label;   /* column numbers from the header, -1 when absent */
  int ncols;                  /* columns of the header */
  char **cell;                /* cells of the current row (malloc'd), up to ncell */
  size_t *cell_len;
  int ncell, cellcap;
  uint32_t *by_str;           /* StrId -> (item index + 1), per kind below */
  uint32_t *cat_by_str, *ann_by_str;
  size_t by_cap;
} CsvRead;

/* Grows the three StrId-indexed maps to hold id. */
static int maps_reserve(CsvRead *r, StrId id) {
  if (id < r->by_cap) return 0;
  size_t nc = r->by_cap ? r->by_cap : 256;
  while (nc <= id) nc *= 2;
  uint32_t **maps[3] = {&r->by_str, &r->cat_by_str, &r->ann_by_str};
  for (int k = 0; k < 3; k++) {
    uint32_t *q = err_realloc(r->e, *maps[k], nc, sizeof **maps[k]);
    if (!q) return -1;
    memset(q + r->by_cap, 0, (nc - r->by_cap) * sizeof *q);
    *maps[k] = q;
  }
  r->by_cap = nc;
  return 0;
}

/* Records the first failure as "file:line: message". */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void fail(CsvRead *r, const char *fmt, ...) {
  if (r->failed) return;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  err_set(r->e, "%s:%lu: %s", r->file, r->line, msg);
  r->failed = 1;
}

/* libcsv field callback: keeps the cell. */
static void on_field(void *s, size_t len, void *data) {
  CsvRead *r = data;
  if (r->failed) return;
  if (len > MAX_FIELD) return fail(r, "column %d: a cell longer than 1 MiB", r->ncell + 1);
  if (utf8_bad(s, len) < len) return fail(r, "column %d: not valid UTF-8 text", r->ncell + 1);
  if (r->ncell == r->cellcap) {
    int nc = r->cellcap ? r->cellcap * 2 : 8;
    char **c = err_realloc(r->e, r->cell, (size_t)nc, sizeof *c);
    if (c) r->cell = c;
    size_t *l = c ? err_realloc(r->e, r->cell_len, (size_t)nc, sizeof *l) : NULL;
    if (!l) return fail(r, "out of memory");
    r->cell_len = l;
    for (int k = r->cellcap; k < nc; k++) r->cell[k] = NULL;
    r->cellcap = nc;
  }
  char *t = realloc(r->cell[r->ncell], len + 1);
  if (!t) return fail(r, "out of memory");
  memcpy(t, s, len);
  t[len] = '\0';
  r->cell[r->ncell] = t;
  r->cell_len[r->ncell] = len;
  r->ncell++;
}

/* Reads the header row: the columns item, annotator and label (or unit, rater and
 * value, as `annovet agree` reads them), in any order, others ignored. */
static void header(CsvRead *r) {
  r->col_item = r->col_ann = r->col_label = -1;
  for (int k = 0; k < r->ncell; k++) {
    const char *h = r->cell[k];
    if (!strcmp(h, "item") || !strcmp(h, "unit")) r->col_item = k;
    else if (!strcmp(h, "annotator") || !strcmp(h, "rater")) r->col_ann = k;
    else if (!strcmp(h, "label") || !strcmp(h, "value")) r->col_label = k;
  }
  if (r->col_item < 0 || r->col_label < 0) {
    char got[120] = "";
    for (int k = 0; k < r->ncell && strlen(got) < sizeof got - 1; k++)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? "," : "", r->cell[k]);
    return fail(r, "expected a header with the columns item, annotator, label; got '%s'", got);
  }
  r->ncols = r->ncell;
  r->header_done = 1;
}

/* Undoes the quote the writer puts before text starting with = + - @. */
static const char *unneutral(const char *s) {
  return s[0] == '\'' && s[1] && strchr("=+-@", s[1]) ? s + 1 : s;
}

/* libcsv row callback: the header, or one tag. */
static void on_row(int c, void *data) {
  CsvRead *r = data;
  (void)c;
  int n = r->ncell;
  if (r->failed) return;
  if (!r->header_done) {
    header(r);
    r->ncell = 0;
    return;
  }
  r->ncell = 0;
  if (n < r->ncols) return fail(r, "expected %d fields as in the header, got %d", r->ncols, n);
  const char *item = unneutral(r->cell[r->col_item]), *label = unneutral(r->cell[r->col_label]);
  const char *who = r->col_ann >= 0 ? unneutral(r->cell[r->col_ann]) : "";
  if (!*item) return fail(r, "column %d (item) is empty", r->col_item + 1);
  if (!*label) {
    diag_warn(r->g, "row without a label skipped", "%s:%lu: empty label", r->file, r->line);
    return;
  }
  Dataset *d = r->d;
  StrId si = strpool_intern(&d->str, item, strlen(item), r->e);
  StrId sl = si == (StrId)-1 ? si : strpool_intern(&d->str, label, strlen(label), r->e);
  StrId sa = sl == (StrId)-1 ? sl : strpool_intern(&d->str, who, strlen(who), r->e);
  if (sa == (StrId)-1 || maps_reserve(r, si > sl ? (si > sa ? si : sa) : (sl > sa ? sl : sa)) != 0) {
    r->failed = 1;
    return;
  }
  if (!r->by_str[si]) {
    int64_t it = dataset_add_item(d, (int64_t)d->nitems + 1, si, 0, 0, r->e);
    if (it < 0) return (void)(r->failed = 1);
    r->by_str[si] = (uint32_t)it + 1;
  }
  if (!r->cat_by_str[sl]) {
    int64_t ci = dataset_add_category(d, (int64_t)d->ncats + 1, sl, 0, r->e);
    if (ci < 0) return (void)(r->failed = 1);
    r->cat_by_str[sl] = (uint32_t)ci + 1;
  }
  AnnInit a = ann_init(r->by_str[si] - 1, (int32_t)r->cat_by_str[sl] - 1, ANN_TAG);
  if (*who) {
    if (!r->ann_by_str[sa]) {
      int64_t ai = dataset_annotator(d, sa, r->e);
      if (ai < 0) return (void)(r->failed = 1);
      r->ann_by_str[sa] = (uint32_t)ai + 1;
    }
    a.annotator = (int32_t)r->ann_by_str[sa] - 1;
    a.stage = STAGE_ANNOTATOR;
  }
  a.src_file = r->src;
  a.src_pos = (uint32_t)r->line;
  if (dataset_add_annotation(d, &a, r->e) < 0) r->failed = 1;
}

int csv_tags_read(const char *path, Dataset *d, Diag *g, Err *e) {
  char *text;
  size_t len;
  if (format_slurp(path, &text, &len, e) != 0) return -1;
  CsvRead r;
  memset(&r, 0, sizeof r);
  r.d = d;
  r.g = g;
  r.e = e;
  r.file = path;
  struct csv_parser p;
  int rc = -1;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
    free(text);
    return err_nomem(e);
  }
  d->src_kind = SRC_LINE;
  if ((r.src = strpool_intern(&d->str, path, strlen(path), e)) == (StrId)-1 ||
      (d->format = strpool_intern(&d->str, "csv", 3, e)) == (StrId)-1)
    goto done;
  size_t at = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  for (r.line = 1; at < len && !r.failed; r.line++) {   /* a line at a time, for messages */
    const char *nl = memchr(text + at, '\n', len - at);
    size_t n = nl ? (size_t)(nl - (text + at)) + 1 : len - at;
    if (csv_parse(&p, text + at, n, on_field, on_row, &r) != n) {
      err_set(e, "%s:%lu: %s (a quote out of place?)", path, r.line, csv_strerror(csv_error(&p)));
      goto done;
    }
    at += n;
  }
  r.line--;
  if (!r.failed && csv_fini(&p, on_field, on_row, &r) != 0) {
    err_set(e, "%s:%lu: the file ends inside a quoted cell", path, r.line);
    goto done;
  }
  if (r.failed) goto done;
  if (!r.header_done) {
    err_set(e, "%s: empty: expected a header with the columns item, annotator, label", path);
    goto done;
  }
  rc = 0;
done:
  csv_free(&p);
  for (int k = 0; k < r.cellcap; k++) free(r.cell[k]);
  free(r.cell);
  free(r.cell_len);
  free(r.by_str);
  free(r.cat_by_str);
  free(r.ann_by_str);
  free(text);
  return rc;
}

/* Writes one cell: quoted only when it must be; text starting with = + - @ (and
 * not a number) gets a leading quote, so a spreadsheet does not run it. */
static void put_cell(FILE *f, const char *s) {
  char *end;
  int neutral = s[0] && strchr("=+-@", s[0]) && !(strtod(s, &end), *end == '\0' && end != s);
  char *t = NULL;
  if (neutral && (t = malloc(strlen(s) + 2))) {
    t[0] = '\'';
    strcpy(t + 1, s);
    s = t;
  }
  if (strpbrk(s, ",\"\r\n") || s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' '))
    csv_fwrite(f, s, strlen(s));
  else
    fputs(s, f);
  free(t);
}

int csv_tags_write(const Dataset *d, const char *path, Diag *g, Err *e) {
  FormatOut out;
  if (format_out_open(&out, path, e) != 0) return -1;
  FILE *f = out.f;
  fputs("item,annotator,label\n", f);
  for (uint32_t i = 0; i < d->nann; i++) {
    char where[300];
    if (d->type[i] != ANN_TAG || d->cat[i] < 0) {
      dataset_source(d, i, where, sizeof where);
      if (d->type[i] == ANN_TAG)
        diag_warn(g, "dropped: tag without a label", "%s", where);
      else
        diag_warn(g, "dropped: not a tag", "%s: a %s (the CSV holds tags only)", where, ann_type_name((AnnType)d->type[i]));
      continue;
    }
    const Item *it = &d->items[d->item[i]];
    char idbuf[32];
    const char *item = strpool_get(&d->str, it->file);
    if (!*item) {
      snprintf(idbuf, sizeof idbuf, "%lld", (long long)it->id);
      item = idbuf;
    }
    put_cell(f, item);
    fputc(',', f);
    put_cell(f, d->annotator[i] >= 0 ? strpool_get(&d->str, d->annotators[d->annotator[i]]) : "");
    fputc(',', f);
    put_cell(f, strpool_get(&d->str, d->cats[d->cat[i]].name));
    fputc('\n', f);
  }
  return format_out_commit(&out, path, e);
}

/* A CSV whose first line names the item and label columns. */
static int detect_csv(const char *path, int is_dir, const char *head, size_t n) {
  if (is_dir) return 0;
  size_t end = 0;
  while (end < n && head[end] != '\n') end++;
  char line[512];
  size_t k = end < sizeof line - 1 ? end : sizeof line - 1;
  memcpy(line, head, k);
  line[k] = '\0';
  int named = (strstr(line, "item") || strstr(line, "unit")) && (strstr(line, "label") || strstr(line, "value"));
  size_t pl = strlen(path);
  int ext = pl > 4 && strcmp(path + pl - 4, ".csv") == 0;
  return named && strchr(line, ',') ? (ext ? 90 : 70) : ext ? 10 : 0;
}

const Format fmt_csv = {
  "csv", "tags as CSV in long form: item,annotator,label", detect_csv, csv_tags_read, csv_tags_write,
};
