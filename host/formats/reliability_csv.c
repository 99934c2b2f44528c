/* Reliability data from CSV through libcsv's callbacks: long form (unit, rater,
 * value columns found by header name) or wide form (one row per unit, one column
 * per rater). Strings go straight into the builder's interning tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "confine.h"
#include "reliability_csv.h"

/* What messages need after reading: the file and its column names. */
typedef struct Where {
  char *path;
  char **col;                 /* header names */
  uint32_t ncol;
  int ucol, rcol, vcol;       /* long form columns; wide: ucol or -1 */
  int wide;
  uint32_t *vfirst;           /* per value id: the column it first appeared in */
  uint32_t nv, vcap;
} Where;

static void where_free(void *p) {
  Where *w = p;
  if (!w) return;
  for (uint32_t i = 0; i < w->ncol; i++) free(w->col[i]);
  free(w->col);
  free(w->path);
  free(w->vfirst);
  free(w);
}

/* "FILE: row R, column 'C'" for the AgreeWhere callback. */
static void where_fmt(void *p, uint32_t row, uint32_t id, int which, char *buf, size_t n) {
  const Where *w = p;
  int c = which == 0 ? w->ucol : which == 1 ? w->rcol : w->vcol;
  if (which == 2 && w->wide && id < w->nv) c = (int)w->vfirst[id];
  if (c >= 0 && (uint32_t)c < w->ncol) snprintf(buf, n, "%s: row %u, column '%s'", w->path, row, w->col[c]);
  else snprintf(buf, n, "%s: row %u", w->path, row);
}

typedef struct Cell {
  uint32_t col, value;
} Cell;

typedef struct State {
  const ReliabilityCsvOpts *o;
  AgreeBuilder *b;
  Where *w;
  Err *e;
  int failed;
  uint32_t row, col;          /* the record being read (the header is row 1) */
  uint32_t *col_rater;        /* wide: the rater id of each column */
  uint32_t unit, rater, value;
  int have_value;
  Cell *cells;                /* wide: this row's values */
  size_t ncell, capcell;
} State;

static int fail(State *s, const char *fmt, const char *a, const char *b) {
  if (!s->failed) {
    s->failed = 1;
    err_set(s->e, fmt, s->w->path, s->row, a, b);
  }
  return -1;
}

static int oom(State *s) {
  if (!s->failed) {
    s->failed = 1;
    err_set(s->e, "%s: out of memory at row %u", s->w->path, s->row);
  }
  return -1;
}

/* The header: copies the names and finds the columns. */
static void header_field(State *s, const char *f, size_t len) {
  Where *w = s->w;
  if (s->col == 0 && len >= 3 && memcmp(f, "\xEF\xBB\xBF", 3) == 0) {   /* UTF-8 byte-order mark */
    f += 3;
    len -= 3;
  }
  char **col = realloc(w->col, ((size_t)w->ncol + 1) * sizeof *col);
  if (!col) {
    oom(s);
    return;
  }
  w->col = col;
  if (!(col[w->ncol] = malloc(len + 1))) {
    oom(s);
    return;
  }
  memcpy(col[w->ncol], f, len);
  col[w->ncol][len] = '\0';
  w->ncol++;
}

static int find_col(const Where *w, const char *name) {
  for (uint32_t i = 0; i < w->ncol; i++)
    if (strcmp(w->col[i], name) == 0) return (int)i;
  return -1;
}

/* After the header: resolves the columns, or fails naming the missing one. */
static void header_end(State *s) {
  Where *w = s->w;
  const ReliabilityCsvOpts *o = s->o;
  char list[256] = "";
  for (uint32_t i = 0; i < w->ncol; i++) {
    size_t l = strlen(list);
    snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", w->col[i]);
  }
  w->ucol = find_col(w, o->unit_col);
  if (!o->wide) {
    w->rcol = find_col(w, o->rater_col);
    w->vcol = find_col(w, o->value_col);
    const char *miss = w->ucol < 0 ? o->unit_col : w->rcol < 0 ? o->rater_col : w->vcol < 0 ? o->value_col : NULL;
    if (miss) {
      s->row = 1;
      fail(s, "%s: row %u: no column '%s' in the header (columns: %s); the long form needs unit, rater and value "
           "columns, or the data are in the wide form", miss, list);
      if (s->e) s->e->option = "wide";
    } else if (w->ucol == w->rcol || w->ucol == w->vcol || w->rcol == w->vcol) {
      s->row = 1;
      int c = w->rcol == w->vcol ? w->rcol : w->ucol;
      fail(s, "%s: row %u: column '%s' is named for two of the unit, rater and value columns%s",
           w->col[c], "");
    }
    return;
  }
  w->rcol = w->vcol = -1;
  if (!(s->col_rater = malloc(((size_t)w->ncol + 1) * sizeof *s->col_rater))) {
    oom(s);
    return;
  }
  for (uint32_t i = 0; i < w->ncol; i++) {
    s->col_rater[i] = AGREE_NONE;
    if ((int)i == w->ucol) continue;
    uint32_t n0 = agree_builder_nraters(s->b);
    uint32_t id = agree_builder_rater(s->b, w->col[i], strlen(w->col[i]));
    if (id == AGREE_NONE) {
      oom(s);
      return;
    }
    if (id < n0) {
      s->row = 1;
      fail(s, "%s: row %u: column '%s' appears twice in the header%s", w->col[i], "");
      return;
    }
    s->col_rater[i] = id;
  }
  if (agree_builder_nraters(s->b) == 0) {
    s->row = 1;
    fail(s, "%s: row %u: no rater columns in the header (columns: %s)%s", list, "");
  }
}

/* Interns a value and remembers the column it was first seen in (wide). */
static uint32_t add_value(State *s, const char *f, size_t len) {
  uint32_t id = agree_builder_value(s->b, f, len, s->row);
  if (id == AGREE_NONE) {
    oom(s);
    return id;
  }
  Where *w = s->w;
  if (w->wide && id == w->nv) {
    if (w->nv == w->vcap) {
      uint32_t c = w->vcap ? w->vcap * 2 : 256;
      uint32_t *p = realloc(w->vfirst, (size_t)c * sizeof *p);
      if (!p) {
        oom(s);
        return AGREE_NONE;
      }
      w->vfirst = p;
      w->vcap = c;
    }
    w->vfirst[w->nv++] = s->col;
  }
  return id;
}

static void push_cell(State *s, uint32_t value) {
  if (s->ncell == s->capcell) {
    size_t c = s->capcell ? s->capcell * 2 : 64;
    Cell *p = realloc(s->cells, c * sizeof *p);
    if (!p) {
      oom(s);
      return;
    }
    s->cells = p;
    s->capcell = c;
  }
  s->cells[s->ncell++] = (Cell){s->col, value};
}

static void on_field(void *data, size_t len, void *ctx) {
  State *s = ctx;
  const char *f = data ? data : "";
  if (s->failed) return;
  int nul = 0;   /* names are C strings: "x\0y" would print as "x" */
  if (len < 8) {  /* most cells are a few bytes: no call */
    for (size_t i = 0; i < len; i++) nul |= f[i] == '\0';
  } else {
    nul = memchr(f, '\0', len) != NULL;
  }
  if (nul) {
    if (s->row > 1 && s->col < s->w->ncol)
      fail(s, "%s: row %u, column '%s': a NUL byte in the cell%s", s->w->col[s->col], "");
    else
      fail(s, "%s: row %u: a NUL byte in a cell%s%s", "", "");
    return;
  }
  if (s->row == 1) {
    header_field(s, f, len);
    s->col++;
    return;
  }
  Where *w = s->w;
  if (s->col >= w->ncol) {
    char n[16];
    snprintf(n, sizeof n, "%u", w->ncol);
    fail(s, "%s: row %u: more fields than the header's %s columns%s", n, "");
    return;
  }
  int c = (int)s->col;
  if (c == w->ucol) {
    if (len == 0) {
      fail(s, "%s: row %u, column '%s': empty unit%s", w->col[c], "");
      return;
    }
    if ((s->unit = agree_builder_unit(s->b, f, len)) == AGREE_NONE) oom(s);
  } else if (!s->o->wide) {
    if (c == w->rcol) {
      if (len == 0) {
        fail(s, "%s: row %u, column '%s': empty rater%s", w->col[c], "");
        return;
      }
      if ((s->rater = agree_builder_rater(s->b, f, len)) == AGREE_NONE) oom(s);
    } else if (c == w->vcol) {
      s->have_value = len > 0 || s->o->multi_label;
      s->value = len ? add_value(s, f, len) : AGREE_NONE;
    }
  } else if (len > 0) {
    if (!s->o->multi_label) {
      push_cell(s, add_value(s, f, len));
    } else {   /* labels separated by label_sep, spaces around them dropped */
      size_t i = 0;
      while (i <= len && !s->failed) {
        size_t j = i;
        while (j < len && f[j] != s->o->label_sep) j++;
        size_t a = i, z = j;
        while (a < z && (f[a] == ' ' || f[a] == '\t')) a++;
        while (z > a && (f[z - 1] == ' ' || f[z - 1] == '\t')) z--;
        if (z > a) push_cell(s, add_value(s, f + a, z - a));
        i = j + 1;
      }
    }
  }
  s->col++;
}

static void on_record(int term, void *ctx) {
  State *s = ctx;
  (void)term;
  if (s->failed) return;
  if (s->row == 1) {
    header_end(s);
  } else {
    Where *w = s->w;
    if (s->col < w->ncol) {
      char n[64];
      snprintf(n, sizeof n, "%u fields, the header has %u", s->col, w->ncol);
      fail(s, "%s: row %u: %s%s", n, "");
      return;
    }
    if (!s->o->wide) {
      if (s->have_value && agree_builder_add(s->b, s->unit, s->rater, s->value, s->row, s->e) != 0)
        s->failed = 1;
    } else if (s->ncell > 0) {
      uint32_t u = w->ucol >= 0 ? s->unit : agree_builder_unit_seq(s->b);
      for (size_t i = 0; i < s->ncell && !s->failed; i++)
        if (agree_builder_add(s->b, u, s->col_rater[s->cells[i].col], s->cells[i].value, s->row, s->e) != 0)
          s->failed = 1;
    }
  }
  s->row++;
  s->col = 0;
  s->have_value = 0;
  s->ncell = 0;
}

int reliability_csv_read(const char *path, const ReliabilityCsvOpts *o, AgreeBuilder **out, Err *e) {
  *out = NULL;
  Where *w = calloc(1, sizeof *w);
  if (!w || !(w->path = strdup(path))) {
    free(w);
    return err_nomem(e);
  }
  w->wide = o->wide;
  w->ucol = w->rcol = w->vcol = -1;
  AgreeBuilder *b = agree_builder_new(o->multi_label, where_fmt, w, where_free, e);
  if (!b) return -1;
  FILE *f = confine_fopen(path, e);
  if (!f) {
    agree_builder_free(b);
    return -1;
  }
  struct csv_parser p;
  State s = {o, b, w, e, 0, 1, 0, NULL, 0, 0, 0, 0, NULL, 0, 0};
  int rc = -1;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    fclose(f);
    agree_builder_free(b);
    return err_nomem(e);
  }
  size_t cap = 1 << 20;
  char *buf = malloc(cap);
  if (!buf) {
    err_nomem(e);
    goto done;
  }
  for (;;) {
    size_t n = fread(buf, 1, cap, f);
    if (n > 0 && csv_parse(&p, buf, n, on_field, on_record, &s) != n && !s.failed) {
      s.failed = 1;
      err_set(e, "%s: row %u: malformed CSV (%s)", path, s.row, csv_strerror(csv_error(&p)));
    }
    if (s.failed) goto done;
    if (n < cap) break;
  }
  if (ferror(f)) {
    err_errno(e, "%s: read error", path);
    goto done;
  }
  if (csv_fini(&p, on_field, on_record, &s) != 0 && !s.failed) {
    s.failed = 1;
    err_set(e, "%s: row %u: malformed CSV (%s)", path, s.row, csv_strerror(csv_error(&p)));
  }
  if (s.failed) goto done;
  if (s.row == 1) {
    err_set(e, "%s: empty file: expected a header row", path);
    goto done;
  }
  *out = b;
  b = NULL;
  rc = 0;
done:
  csv_free(&p);
  fclose(f);
  free(buf);
  free(s.col_rater);
  free(s.cells);
  agree_builder_free(b);
  return rc;
}
