/* Reliability data from strings: units, raters and values interned in hash tables
 * (one arena, no allocation per string), then grouped by unit into the compact
 * arrays the coefficients read, with categories ordered and checked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agree.h"

/* ---- interning ---- */

typedef struct Intern {
  uint32_t *slot;        /* id + 1, 0 when empty; capacity a power of two */
  size_t cap;
  uint32_t n;
  uint64_t *off;         /* per id: offset in arena */
  uint32_t *len, *hash;
  size_t idcap;
  char *arena;
  size_t alen, acap;
  uint32_t one[256];     /* the one-byte strings: id + 1, 0 when not interned */
} Intern;

static uint32_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return (uint32_t)(h ^ (h >> 32));
}

static void intern_free(Intern *t) {
  free(t->slot);
  free(t->off);
  free(t->len);
  free(t->hash);
  free(t->arena);
  memset(t, 0, sizeof *t);
}

static const char *intern_str(const Intern *t, uint32_t id) {
  return t->arena + t->off[id];
}

/* Doubles the slot table and re-inserts every id. */
static int intern_grow(Intern *t) {
  size_t cap = t->cap ? t->cap * 2 : 1024;
  uint32_t *slot = calloc(cap, sizeof *slot);
  if (!slot) return -1;
  for (uint32_t id = 0; id < t->n; id++) {
    size_t i = t->hash[id] & (cap - 1);
    while (slot[i]) i = (i + 1) & (cap - 1);
    slot[i] = id + 1;
  }
  free(t->slot);
  t->slot = slot;
  t->cap = cap;
  return 0;
}

/* The id of s, or AGREE_NONE when it was never interned. */
static uint32_t intern_find(const Intern *t, const char *s, size_t len) {
  if (!t->cap) return AGREE_NONE;
  uint32_t h = hash_bytes(s, len);
  for (size_t i = h & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1)) {
    uint32_t id = t->slot[i] - 1;
    if (t->hash[id] == h && t->len[id] == len && memcmp(t->arena + t->off[id], s, len) == 0)
      return id;
  }
  return AGREE_NONE;
}

/* The id of s (added when new), or AGREE_NONE when out of memory. Strings are
 * kept NUL-terminated in the arena. */
static uint32_t intern_get(Intern *t, const char *s, size_t len) {
  if (len == 1 && t->one[(unsigned char)s[0]]) return t->one[(unsigned char)s[0]] - 1;
  if ((size_t)t->n * 2 >= t->cap && intern_grow(t) != 0) return AGREE_NONE;
  uint32_t h = hash_bytes(s, len);
  size_t i = h & (t->cap - 1);
  while (t->slot[i]) {
    uint32_t id = t->slot[i] - 1;
    if (t->hash[id] == h && t->len[id] == len && memcmp(t->arena + t->off[id], s, len) == 0)
      return id;
    i = (i + 1) & (t->cap - 1);
  }
  if (t->n >= AGREE_NONE - 1 || len >= UINT32_MAX) return AGREE_NONE;
  if (t->n == t->idcap) {
    size_t c = t->idcap ? t->idcap * 2 : 256;
    uint64_t *off = realloc(t->off, c * sizeof *off);
    if (off) t->off = off;
    uint32_t *ln = realloc(t->len, c * sizeof *ln);
    if (ln) t->len = ln;
    uint32_t *hs = realloc(t->hash, c * sizeof *hs);
    if (hs) t->hash = hs;
    if (!off || !ln || !hs) return AGREE_NONE;
    t->idcap = c;
  }
  if (t->alen + len + 1 > t->acap) {
    size_t c = t->acap ? t->acap : 4096;
    while (c < t->alen + len + 1) c *= 2;
    char *a = realloc(t->arena, c);
    if (!a) return AGREE_NONE;
    t->arena = a;
    t->acap = c;
  }
  uint32_t id = t->n++;
  t->off[id] = t->alen;
  t->len[id] = (uint32_t)len;
  t->hash[id] = h;
  memcpy(t->arena + t->alen, s, len);
  t->arena[t->alen + len] = '\0';
  t->alen += len + 1;
  t->slot[i] = id + 1;
  if (len == 1) t->one[(unsigned char)s[0]] = id + 1;
  return id;
}

/* ---- the builder ---- */

struct AgreeBuilder {
  int multi;
  Intern units, raters, values;
  uint32_t *value_row;           /* per value id: the row it first appeared on */
  size_t vrcap;
  uint32_t *r_unit, *r_rater, *r_value, *r_row;   /* ratings in input order */
  size_t n, cap;
  uint32_t nseq;                 /* unnamed units handed out */
  AgreeWhere where;
  void *ctx;
  void (*ctx_free)(void *);
};

AgreeBuilder *agree_builder_new(int multi_label, AgreeWhere where, void *ctx,
                                void (*ctx_free)(void *), Err *e) {
  AgreeBuilder *b = calloc(1, sizeof *b);
  if (!b) {
    if (ctx_free) ctx_free(ctx);
    err_nomem(e);
    return NULL;
  }
  b->multi = multi_label;
  b->where = where;
  b->ctx = ctx;
  b->ctx_free = ctx_free;
  return b;
}

void agree_builder_free(AgreeBuilder *b) {
  if (!b) return;
  intern_free(&b->units);
  intern_free(&b->raters);
  intern_free(&b->values);
  free(b->value_row);
  free(b->r_unit);
  free(b->r_rater);
  free(b->r_value);
  free(b->r_row);
  if (b->ctx_free) b->ctx_free(b->ctx);
  free(b);
}

uint32_t agree_builder_unit(AgreeBuilder *b, const char *s, size_t len) {
  return intern_get(&b->units, s, len);
}

uint32_t agree_builder_unit_seq(AgreeBuilder *b) {
  return b->nseq < AGREE_NONE - 1 ? b->nseq++ : AGREE_NONE;
}

uint32_t agree_builder_rater(AgreeBuilder *b, const char *s, size_t len) {
  return intern_get(&b->raters, s, len);
}

uint32_t agree_builder_nraters(const AgreeBuilder *b) {
  return b->raters.n;
}

uint32_t agree_builder_value(AgreeBuilder *b, const char *s, size_t len, uint32_t row) {
  uint32_t n0 = b->values.n, id = intern_get(&b->values, s, len);
  if (id == AGREE_NONE || id < n0) return id;
  if (id >= b->vrcap) {
    size_t c = b->vrcap ? b->vrcap * 2 : 256;
    uint32_t *vr = realloc(b->value_row, c * sizeof *vr);
    if (!vr) return AGREE_NONE;
    b->value_row = vr;
    b->vrcap = c;
  }
  b->value_row[id] = row;
  return id;
}

int agree_builder_add(AgreeBuilder *b, uint32_t unit, uint32_t rater, uint32_t value,
                      uint32_t row, Err *e) {
  if (b->n == b->cap) {
    if (b->cap >= AGREE_NONE / 2) return err_set(e, "too many ratings (more than 2^31)");
    size_t c = b->cap ? b->cap * 2 : 4096;
    uint32_t *p;
    if (!(p = err_realloc(e, b->r_unit, c, sizeof *p))) return -1;
    b->r_unit = p;
    if (!(p = err_realloc(e, b->r_rater, c, sizeof *p))) return -1;
    b->r_rater = p;
    if (!(p = err_realloc(e, b->r_value, c, sizeof *p))) return -1;
    b->r_value = p;
    if (!b->nseq) {   /* rows name duplicates; unnamed units cannot have any */
      if (!(p = err_realloc(e, b->r_row, c, sizeof *p))) return -1;
      b->r_row = p;
    }
    b->cap = c;
  }
  b->r_unit[b->n] = unit;
  b->r_rater[b->n] = rater;
  b->r_value[b->n] = value;
  if (b->r_row) b->r_row[b->n] = row;
  b->n++;
  return 0;
}

/* ---- finishing ---- */

void agree_data_free(AgreeData *d) {
  if (!d) return;
  if (d->cat_name)
    for (uint32_t i = 0; i < d->v.n_cats; i++) free(d->cat_name[i]);
  if (d->rater_name)
    for (uint32_t i = 0; i < d->v.n_raters; i++) free(d->rater_name[i]);
  if (d->label_name)
    for (uint32_t i = 0; i < d->n_labels; i++) free(d->label_name[i]);
  free(d->cat_name);
  free(d->rater_name);
  free(d->label_name);
  free(d->unit_start);
  free(d->rater);
  free(d->code);
  free(d->set_start);
  free(d->set_label);
  free(d->cat_value);
  free(d);
}

/* A finite number spelled by the whole of s, into *x. */
static int parse_number(const char *s, double *x) {
  if (!*s) return 0;
  char *end;
  double v = strtod(s, &end);
  if (*end != '\0' || !isfinite(v)) return 0;
  *x = v;
  return 1;
}

typedef struct Sorter {
  const Intern *t;
  const double *num;
} Sorter;

static Sorter sorter;   /* qsort has no context argument in C11 */

static int cmp_by_number(const void *a, const void *b) {
  double x = sorter.num[*(const uint32_t *)a], y = sorter.num[*(const uint32_t *)b];
  if (x != y) return x < y ? -1 : 1;
  return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static int cmp_by_string(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return strcmp(intern_str(sorter.t, x), intern_str(sorter.t, y));
}

static void where(const AgreeBuilder *b, uint32_t row, uint32_t id, int which, char *buf, size_t n) {
  if (b->where) b->where(b->ctx, row, id, which, buf, n);
  else snprintf(buf, n, "row %u", row);
}

typedef struct Labels {
  uint32_t *map;        /* value id -> label index (AGREE_NONE: unused) */
  uint32_t n;
  char **name;
  double *num;          /* per label, or NULL when not all numeric */
} Labels;

static void labels_free(Labels *L) {
  if (L->name)
    for (uint32_t i = 0; i < L->n; i++) free(L->name[i]);
  free(L->name);
  free(L->map);
  free(L->num);
}

/* Orders the used values into labels: the spec's list when given, else sorted
 * (by number when every used value is one). Checks numbers when asked. */
static int make_labels(AgreeBuilder *b, const uint8_t *used, const AgreeSpec *spec, Labels *L, Err *e) {
  const Intern *V = &b->values;
  uint32_t nv = V->n;
  char at[256];
  double *vnum = err_malloc(e, (nv + 1) * sizeof *vnum);
  uint8_t *isnum = err_malloc(e, nv + 1);
  uint32_t *order = err_malloc(e, (nv + 1) * sizeof *order);
  L->map = err_malloc(e, (nv + 1) * sizeof *L->map);
  int rc = -1, allnum = 1;
  uint32_t nused = 0;
  if (!vnum || !isnum || !order || !L->map) goto done;
  for (uint32_t i = 0; i < nv; i++) {
    L->map[i] = AGREE_NONE;
    isnum[i] = (uint8_t)parse_number(intern_str(V, i), &vnum[i]);
    if (!used[i]) continue;
    order[nused++] = i;
    if (!isnum[i]) allnum = 0;
  }
  if (spec->numbers) {
    uint32_t bad = AGREE_NONE;
    for (uint32_t k = 0; k < nused; k++) {
      uint32_t i = order[k];
      int ok = isnum[i] && (spec->numbers < 2 || vnum[i] >= 0);
      if (!ok && (bad == AGREE_NONE || b->value_row[i] < b->value_row[bad])) bad = i;
    }
    if (bad != AGREE_NONE) {
      where(b, b->value_row[bad], bad, 2, at, sizeof at);
      err_set(e, "%s: expected a %snumber, got '%.60s'", at, spec->numbers > 1 ? "non-negative " : "",
              intern_str(V, bad));
      goto done;
    }
  }
  if (spec->categories) {
    Intern cats = {0};
    L->n = (uint32_t)spec->n_categories;
    L->name = calloc(L->n ? L->n : 1, sizeof *L->name);
    L->num = malloc((L->n + 1) * sizeof *L->num);
    int catnum = 1;
    if (!L->name || !L->num) {
      err_nomem(e);
      goto done;
    }
    for (uint32_t c = 0; c < L->n; c++) {
      const char *s = spec->categories[c];
      if (!*s) {
        intern_free(&cats);
        err_option(e, "categories", "category %u is empty (a value is a non-empty name)", c + 1);
        goto done;
      }
      if (!(L->name[c] = strdup(s))) {
        intern_free(&cats);
        err_nomem(e);
        goto done;
      }
      if (!parse_number(s, &L->num[c])) catnum = 0;
      uint32_t n0 = cats.n, id = intern_get(&cats, s, strlen(s));
      if (id == AGREE_NONE || id < n0) {
        intern_free(&cats);
        if (id == AGREE_NONE) err_nomem(e);
        else err_option(e, "categories", "'%.60s' is listed twice", s);
        goto done;
      }
    }
    for (uint32_t k = 0; k < nused; k++) {
      uint32_t i = order[k];
      const char *s = intern_str(V, i);
      uint32_t c = intern_find(&cats, s, V->len[i]);
      if (c == AGREE_NONE && catnum && isnum[i])       /* then by number: 1.0 is 1 */
        for (uint32_t j = 0; j < L->n && c == AGREE_NONE; j++)
          if (L->num[j] == vnum[i]) c = j;
      if (c == AGREE_NONE) {
        intern_free(&cats);
        where(b, b->value_row[i], i, 2, at, sizeof at);
        err_set(e, "%s: '%.60s' is not among the categories given", at, s);
        if (e) e->option = "categories";
        goto done;
      }
      L->map[i] = c;
    }
    intern_free(&cats);
    if (!catnum) {
      free(L->num);
      L->num = NULL;
    }
    rc = 0;
    goto done;
  }
  sorter.t = V;
  sorter.num = vnum;
  qsort(order, nused, sizeof *order, allnum ? cmp_by_number : cmp_by_string);
  L->name = calloc(nused ? nused : 1, sizeof *L->name);
  L->num = allnum ? malloc((nused + 1) * sizeof *L->num) : NULL;
  if (!L->name || (allnum && !L->num)) {
    err_nomem(e);
    goto done;
  }
  for (uint32_t k = 0; k < nused; k++) {
    uint32_t i = order[k];
    if (allnum && L->n > 0 && L->num[L->n - 1] == vnum[i]) {   /* "1" and "1.0": one number */
      L->map[i] = L->n - 1;
      continue;
    }
    if (!(L->name[L->n] = strdup(intern_str(V, i)))) {
      err_nomem(e);
      goto done;
    }
    if (allnum) L->num[L->n] = vnum[i];
    L->map[i] = L->n++;
  }
  rc = 0;
done:
  free(vnum);
  free(isnum);
  free(order);
  return rc;
}

/* Keeps the units and raters that have ratings, in first-seen order: fills the
 * maps (old id -> new id) and the counts. */
static int compact_ids(const uint32_t *ids, size_t n, uint32_t nid, uint32_t **map, uint32_t *count, Err *e) {
  uint32_t *m = err_malloc(e, ((size_t)nid + 1) * sizeof *m);
  if (!m) return -1;
  for (uint32_t i = 0; i < nid; i++) m[i] = AGREE_NONE;
  uint32_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (m[ids[i]] == AGREE_NONE) m[ids[i]] = k++;
  *map = m;
  *count = k;
  return 0;
}

typedef struct Rating {
  uint32_t unit, rater, label, row;
} Rating;

static int cmp_rating(const void *a, const void *b) {
  const Rating *x = a, *y = b;
  if (x->unit != y->unit) return x->unit < y->unit ? -1 : 1;
  if (x->rater != y->rater) return x->rater < y->rater ? -1 : 1;
  if (x->label != y->label) return x->label < y->label ? -1 : 1;
  return 0;
}

typedef struct SetTab {
  Intern t;                 /* key: the label indices as bytes */
} SetTab;

/* Multi-label: merges the rows of each (unit, rater) into one label set, interns
 * the sets, and rewrites the builder's ratings to one per (unit, rater) whose
 * value is a set id. Fills the data's label names and set arrays. */
static int group_sets(AgreeBuilder *b, const Labels *L, const uint32_t *umap, const uint32_t *rmap,
                      AgreeData *d, uint32_t **set_of_code, Err *e) {
  Rating *r = err_malloc(e, (b->n + 1) * sizeof *r);
  uint32_t *buf = err_malloc(e, ((size_t)L->n + 1) * sizeof *buf);
  SetTab st = {{0}};
  int rc = -1;
  if (!r || !buf) goto done;
  for (size_t i = 0; i < b->n; i++) {
    uint32_t v = b->r_value[i];
    r[i] = (Rating){umap[b->r_unit[i]], rmap[b->r_rater[i]], v == AGREE_NONE ? AGREE_NONE : L->map[v],
                    b->r_row ? b->r_row[i] : 0};
  }
  qsort(r, b->n, sizeof *r, cmp_rating);
  size_t out = 0;
  for (size_t i = 0; i < b->n;) {
    size_t j = i;
    uint32_t nl = 0;
    for (; j < b->n && r[j].unit == r[i].unit && r[j].rater == r[i].rater; j++)
      if (r[j].label != AGREE_NONE && (nl == 0 || buf[nl - 1] != r[j].label)) buf[nl++] = r[j].label;
    uint32_t id = intern_get(&st.t, (const char *)buf, nl * sizeof *buf);
    if (id == AGREE_NONE) {
      err_nomem(e);
      goto done;
    }
    b->r_unit[out] = r[i].unit;
    b->r_rater[out] = r[i].rater;
    b->r_value[out] = id;
    if (b->r_row) b->r_row[out] = r[i].row;
    out++;
    i = j;
  }
  b->n = out;
  /* sets, in order of size then labels, become the categories */
  uint32_t ns = st.t.n;
  uint32_t *ord = err_malloc(e, ((size_t)ns + 1) * sizeof *ord);
  uint32_t *rank = err_malloc(e, ((size_t)ns + 1) * sizeof *rank);
  size_t total = 0;
  if (!ord || !rank) {
    free(ord);
    free(rank);
    goto done;
  }
  for (uint32_t s = 0; s < ns; s++) {
    ord[s] = s;
    total += st.t.len[s] / sizeof(uint32_t);
  }
  /* insertion of a stable order: sets compare by length, then label by label */
  for (uint32_t s = 1; s < ns; s++) {
    uint32_t x = ord[s], k = s;
    while (k > 0) {
      uint32_t y = ord[k - 1];
      uint32_t lx = st.t.len[x] / 4, ly = st.t.len[y] / 4;
      const char *px = intern_str(&st.t, x), *py = intern_str(&st.t, y);
      int less = lx < ly;
      if (lx == ly) {
        less = 0;
        for (uint32_t q = 0; q < lx; q++) {
          uint32_t wa, wb;   /* the interned bytes need not be 4-byte aligned */
          memcpy(&wa, px + 4 * q, 4);
          memcpy(&wb, py + 4 * q, 4);
          if (wa != wb) {
            less = wa < wb;
            break;
          }
        }
      }
      if (!less) break;
      ord[k] = y;
      k--;
    }
    ord[k] = x;
  }
  for (uint32_t s = 0; s < ns; s++) rank[ord[s]] = s;
  d->set_start = err_malloc(e, ((size_t)ns + 1) * sizeof *d->set_start);
  d->set_label = err_malloc(e, (total + 1) * sizeof *d->set_label);
  d->cat_name = calloc(ns ? ns : 1, sizeof *d->cat_name);
  if (!d->set_start || !d->set_label || !d->cat_name) {
    free(ord);
    free(rank);
    err_nomem(e);
    goto done;
  }
  d->v.n_cats = ns;
  size_t pos = 0;
  for (uint32_t s = 0; s < ns; s++) {
    uint32_t x = ord[s], lx = st.t.len[x] / 4;
    const char *raw = intern_str(&st.t, x);
    size_t namelen = 1;
    d->set_start[s] = (uint32_t)pos;
    for (uint32_t q = 0; q < lx; q++) {
      uint32_t lab;
      memcpy(&lab, raw + 4 * q, 4);
      d->set_label[pos++] = lab;
      namelen += strlen(L->name[lab]) + 1;
    }
    char *name = malloc(namelen);
    if (!name) {
      free(ord);
      free(rank);
      err_nomem(e);
      goto done;
    }
    name[0] = '\0';
    for (uint32_t q = d->set_start[s]; q < pos; q++) {
      if (q > d->set_start[s]) strcat(name, "|");
      strcat(name, L->name[d->set_label[q]]);
    }
    d->cat_name[s] = name;
  }
  d->set_start[ns] = (uint32_t)pos;
  free(ord);
  *set_of_code = rank;
  rc = 0;
done:
  free(r);
  free(buf);
  intern_free(&st.t);
  return rc;
}

/* The rows of the first two ratings of unit u by rater r (for the message). */
static void dup_rows(const AgreeBuilder *b, const uint32_t *umap, const uint32_t *rmap, uint32_t u, uint32_t r,
                     uint32_t *first, uint32_t *again, uint32_t *unit) {
  int k = 0;
  for (size_t i = 0; i < b->n && k < 2; i++)
    if (umap[b->r_unit[i]] == u && rmap[b->r_rater[i]] == r) {
      uint32_t row = b->r_row ? b->r_row[i] : 0;
      if (k++ == 0) *first = row;
      else *again = row;
      *unit = b->r_unit[i];
    }
}

/* Groups the ratings by unit and refuses a unit rated twice by one rater. Ratings
 * that arrive grouped (a wide file, a long file sorted by unit) are recoded in
 * place in one pass; others go through a counting sort (one pass more, no
 * comparisons). */
static int group_units(AgreeBuilder *b, const uint32_t *umap, const uint32_t *rmap, const uint32_t *cmap,
                       int premapped, AgreeData *d, Err *e) {
  uint32_t nu = d->v.n_units, nr = d->v.n_raters;
  uint32_t *start = err_calloc(e, (size_t)nu + 2, sizeof *start);
  uint32_t *seen = err_malloc(e, ((size_t)nr + 1) * sizeof *seen);
  uint32_t *idx = err_malloc(e, ((size_t)nr + 1) * sizeof *idx);
  int rc = -1, sorted = 1;
  d->unit_start = start;
  if (!start || !seen || !idx) goto done;
  uint32_t prev = 0;
  for (size_t i = 0; i < b->n; i++) {
    uint32_t u = premapped ? b->r_unit[i] : umap[b->r_unit[i]];
    start[u + 2]++;
    if (u < prev) sorted = 0;
    prev = u;
  }
  for (uint32_t u = 0; u < nu; u++) start[u + 2] += start[u + 1];
  if (sorted) {
    for (size_t i = 0; i < b->n; i++) {
      if (!premapped) b->r_rater[i] = rmap[b->r_rater[i]];
      b->r_value[i] = cmap[b->r_value[i]];
    }
    d->rater = b->r_rater;
    d->code = b->r_value;
    b->r_rater = b->r_value = NULL;
    for (uint32_t u = 0; u < nu; u++) start[u + 1] = start[u + 2];
  } else {
    d->rater = err_malloc(e, (b->n + 1) * sizeof *d->rater);
    d->code = err_malloc(e, (b->n + 1) * sizeof *d->code);
    if (!d->rater || !d->code) goto done;
    for (size_t i = 0; i < b->n; i++) {
      uint32_t u = premapped ? b->r_unit[i] : umap[b->r_unit[i]];
      uint32_t at = start[u + 1]++;
      d->rater[at] = premapped ? b->r_rater[i] : rmap[b->r_rater[i]];
      d->code[at] = cmap[b->r_value[i]];
    }
  }
  for (uint32_t r = 0; r < nr; r++) seen[r] = AGREE_NONE;
  for (uint32_t u = 0; u < nu; u++) {
    for (uint32_t i = start[u]; i < start[u + 1]; i++) {
      uint32_t r = d->rater[i];
      if (seen[r] == u) {
        char at[256];
        uint32_t first = 0, again = 0, unit = 0;
        if (!sorted) {
          dup_rows(b, umap, rmap, u, r, &first, &again, &unit);
        } else if (b->r_row) {   /* in place: rating i is input rating i */
          first = b->r_row[idx[r]];
          again = b->r_row[i];
          unit = b->r_unit[i];
        }
        where(b, again, AGREE_NONE, 0, at, sizeof at);
        err_set(e, "%s: unit '%.60s' already rated by rater '%.60s' at row %u", at,
                b->nseq || premapped ? "?" : intern_str(&b->units, unit), d->rater_name[r], first);
        goto done;
      }
      seen[r] = u;
      idx[r] = i;
    }
  }
  rc = 0;
done:
  free(seen);
  free(idx);
  return rc;
}

int agree_builder_finish(AgreeBuilder *b, const AgreeSpec *spec, AgreeData **out, Err *e) {
  AgreeData *d = calloc(1, sizeof *d);
  uint8_t *used = err_calloc(e, (size_t)b->values.n + 1, 1);
  uint32_t *umap = NULL, *rmap = NULL, *set_rank = NULL, *cmap = NULL;
  Labels L = {0};
  int rc = -1;
  *out = NULL;
  if (!d || !used) {
    err_nomem(e);
    goto done;
  }
  d->multi_label = b->multi;
  for (size_t i = 0; i < b->n; i++)
    if (b->r_value[i] != AGREE_NONE) used[b->r_value[i]] = 1;
  if (make_labels(b, used, spec, &L, e) != 0) goto done;
  if (compact_ids(b->r_unit, b->n, b->nseq ? b->nseq : b->units.n, &umap, &d->v.n_units, e) != 0) goto done;
  if (compact_ids(b->r_rater, b->n, b->raters.n, &rmap, &d->v.n_raters, e) != 0) goto done;
  d->rater_name = calloc((size_t)d->v.n_raters + 1, sizeof *d->rater_name);
  if (!d->rater_name) {
    err_nomem(e);
    goto done;
  }
  for (uint32_t r = 0; r < b->raters.n; r++)
    if (rmap[r] != AGREE_NONE && !(d->rater_name[rmap[r]] = strdup(intern_str(&b->raters, r)))) {
      err_nomem(e);
      goto done;
    }
  if (b->multi) {
    if (group_sets(b, &L, umap, rmap, d, &set_rank, e) != 0) goto done;
    d->label_name = L.name;
    d->n_labels = L.n;
    L.name = NULL;
    cmap = set_rank;
  } else {
    d->v.n_cats = L.n;
    d->cat_name = L.name;
    L.name = NULL;
    cmap = L.map;
    if (L.num) {
      d->numeric = 1;
      d->cat_value = L.num;
      L.num = NULL;
    }
  }
  if (group_units(b, umap, rmap, cmap, b->multi, d, e) != 0) goto done;
  d->n_ratings = b->n;
  d->v.unit_start = d->unit_start;
  d->v.rater = d->rater;
  d->v.code = d->code;
  d->v.cat_value = d->cat_value;
  d->v.set_start = d->set_start;
  d->v.set_label = d->set_label;
  *out = d;
  d = NULL;
  rc = 0;
done:
  agree_data_free(d);
  labels_free(&L);
  free(used);
  free(umap);
  free(rmap);
  free(set_rank);
  return rc;
}
