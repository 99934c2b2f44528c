/* Binding of the annotation model: Dataset userdata ("annovet.Dataset") with load,
 * save, counts, iterators over items, categories and annotations, and filtering. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "confine.h"
#include "formats.h"
#include "l_annovet.h"
#include "l_sandbox.h"
#include "lauxlib.h"
#include "model.h"

#define DATASET_MT "annovet.Dataset"

typedef struct LDataset {
  Dataset *d;        /* NULL once closed */
  Diag g;            /* warnings of the read */
  int counts_only;   /* loaded with {counts_only = true}: no mask runs kept */
} LDataset;

/* The dataset at idx, open, for its counts, format and warnings. */
static LDataset *ldataset_counts(lua_State *L, int idx) {
  LDataset *ld = luaL_checkudata(L, idx, DATASET_MT);
  if (!ld->d) luaL_error(L, "attempt to use a closed dataset");
  return ld;
}

/* The dataset at idx, open and whole: one loaded for its counts only has no
 * masks to give. */
static LDataset *ldataset_check(lua_State *L, int idx) {
  LDataset *ld = ldataset_counts(L, idx);
  if (ld->counts_only)
    luaL_error(L, "this dataset was loaded with counts_only: it has its counts, format and warnings, "
               "not its geometry (load it without counts_only)");
  return ld;
}

const struct Dataset *l_dataset_check(lua_State *L, int idx) {
  return ldataset_check(L, idx)->d;
}

/* A new, empty Dataset userdata (its dataset still NULL). [-0, +1, m] */
static LDataset *ldataset_push(lua_State *L) {
  sandbox_check_heap(L);
  LDataset *ld = lua_newuserdatauv(L, sizeof *ld, 0);
  memset(ld, 0, sizeof *ld);
  luaL_setmetatable(L, DATASET_MT);
  return ld;
}

void l_dataset_new(lua_State *L, struct Dataset ***d, struct Diag **g) {
  LDataset *ld = ldataset_push(L);
  *d = &ld->d;
  *g = &ld->g;
}

static int l_close(lua_State *L) {
  LDataset *ld = luaL_checkudata(L, 1, DATASET_MT);
  dataset_free(ld->d);
  ld->d = NULL;
  return 0;
}

/* Pushes the warnings as {{kind=, count=, example=}, ...}. [-0, +1, m] */
static void push_diag(lua_State *L, const Diag *g) {
  lua_createtable(L, g->n, 0);
  for (int i = 0; i < g->n; i++) {
    lua_createtable(L, 0, 3);
    lua_pushstring(L, g->w[i].kind);
    lua_setfield(L, -2, "kind");
    lua_pushinteger(L, (lua_Integer)g->w[i].count);
    lua_setfield(L, -2, "count");
    lua_pushstring(L, g->w[i].example);
    lua_setfield(L, -2, "example");
    lua_rawseti(L, -2, i + 1);
  }
}

/* The format named by the string at idx, or raises. [-0, +0, v] */
static const Format *check_format(lua_State *L, int idx) {
  const char *name = luaL_checkstring(L, idx);
  const Format *f = format_find(name);
  if (!f) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const Format *const *p = formats; *p; p++) {
      luaL_addstring(&b, p == formats ? "" : ", ");
      luaL_addstring(&b, (*p)->name);
    }
    luaL_pushresult(&b);
    luaL_argerror(L, idx, lua_pushfstring(L, "unknown format '%s' (known: %s)", name, lua_tostring(L, -1)));
  }
  return f;
}

/* model.load(path [, {format=, gt=Dataset, counts_only=bool}]) -> Dataset | nil,
 * message. With counts_only, every mask is checked as always but its runs are not
 * kept: the dataset answers counts, format and warnings, and refuses the rest.
 * [-1|2, +1|2, m] */
static int l_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  sandbox_check_read(L, path);
  const Format *f = NULL;
  const Dataset *gt = NULL;
  int counts_only = 0;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "format") != LUA_TNIL) f = check_format(L, -1);
    if (lua_getfield(L, 2, "gt") != LUA_TNIL) gt = ldataset_check(L, -1)->d;
    counts_only = lua_getfield(L, 2, "counts_only") != LUA_TNIL && lua_toboolean(L, -1);
    lua_pop(L, 3);
  }
  LDataset *ld = ldataset_push(L);
  ld->counts_only = counts_only;
  Err e = {0};
  int rc = format_read_runs(f, path, gt, !counts_only, &ld->d, &ld->g, &e);
  if (rc != 0 && sandbox_budget_retry(L)) {   /* refused before a collection: once more after one */
    memset(&e, 0, sizeof e);
    memset(&ld->g, 0, sizeof ld->g);
    rc = format_read_runs(f, path, gt, !counts_only, &ld->d, &ld->g, &e);
  }
  if (rc != 0) {
    sandbox_budget_check(L);
    return l_fail(L, &e);
  }
  return 1;
}

/* model.detect(path) -> format name | nil, message. [-1, +1|2, m] */
static int l_detect(lua_State *L) {
  Err e = {0};
  sandbox_check_read(L, luaL_checkstring(L, 1));
  const Format *f = format_detect(lua_tostring(L, 1), &e);
  if (!f) {
    return l_fail(L, &e);
  }
  lua_pushstring(L, f->name);
  return 1;
}

/* model.formats() -> {{name=, description=, read=bool, write=bool}, ...}. [-0, +1, m] */
static int l_formats(lua_State *L) {
  lua_newtable(L);
  for (int i = 0; formats[i]; i++) {
    lua_createtable(L, 0, 4);
    lua_pushstring(L, formats[i]->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, formats[i]->description);
    lua_setfield(L, -2, "description");
    lua_pushboolean(L, formats[i]->read != NULL);
    lua_setfield(L, -2, "read");
    lua_pushboolean(L, formats[i]->write != NULL);
    lua_setfield(L, -2, "write");
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* ds:save(path, format) -> true, warnings | nil, message. [-3, +2, m] */
static int l_save(lua_State *L) {
  LDataset *ld = ldataset_check(L, 1);
  luaL_checkstring(L, 2);
  const Format *f = check_format(L, 3);
  sandbox_check_write(L, lua_tostring(L, 2));
  size_t len;
  const char *given = lua_tolstring(L, 2, &len);
  char *path = lua_newuserdatauv(L, len + 2, 0);   /* "out/./a/" is written as "out/a" */
  confine_normalize(given, path);
  if (!f->write) {
    luaL_pushfail(L);
    lua_pushfstring(L, "annovet cannot write the %s format", f->name);
    return 2;
  }
  Diag *g = lua_newuserdatauv(L, sizeof *g, 0);   /* freed by the GC, even on error */
  memset(g, 0, sizeof *g);
  Err e = {0};
  if (format_write(f, ld->d, path, g, &e) != 0) {
    sandbox_budget_check(L);
    return l_fail(L, &e);
  }
  lua_pushboolean(L, 1);
  push_diag(L, g);
  return 2;
}

/* ds:warnings() -> the warnings of the read. [-1, +1, m] */
static int l_warnings(lua_State *L) {
  push_diag(L, &ldataset_counts(L, 1)->g);
  return 1;
}

/* ds:format() -> the format it was read from. [-1, +1, m] */
static int l_format(lua_State *L) {
  LDataset *ld = ldataset_counts(L, 1);
  lua_pushstring(L, strpool_get(&ld->d->str, ld->d->format));
  return 1;
}

/* ---- filters ---- */

/* The index of the item named by the value on top (an integer id or a file
 * name), or -1. [-0, +0, v] */
static int64_t item_at_top(lua_State *L, const Dataset *d) {
  if (lua_isinteger(L, -1)) return dataset_find_item(d, lua_tointeger(L, -1));
  const char *file = luaL_checkstring(L, -1);
  for (uint32_t i = 0; i < d->nitems; i++)
    if (strcmp(strpool_get(&d->str, d->items[i].file), file) == 0) return i;
  return -1;
}

/* Raises an error naming the first key of the filter table at idx that is not
 * one a filter knows: a misspelt key ({categroy = "car"}) would otherwise
 * select everything. [-0, +0, v] */
static void check_filter_keys(lua_State *L, int idx) {
  static const char *const known[] = {"item", "category", "type", "annotator", "min_score", NULL};
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (int k = 0; known[k] && !ok; k++) ok = strcmp(lua_tostring(L, -1), known[k]) == 0;
    if (!ok) {
      if (lua_type(L, -1) == LUA_TSTRING)
        luaL_error(L, "unknown filter key '%s' (a filter knows item, category, type, annotator, min_score)",
                   lua_tostring(L, -1));
      luaL_error(L, "filter key %s is not a name (a filter knows item, category, type, annotator, min_score)",
                 luaL_tolstring(L, -1, NULL));
    }
  }
}

/* Reads the filter table at idx ({item=, category=, type=, annotator=, min_score=})
 * into a mask of kept annotations (a userdata pushed on the stack), or pushes nil
 * when there is no filter. Unknown values select nothing; unknown keys raise an
 * error. [-0, +1, v] */
static uint8_t *push_mask(lua_State *L, const Dataset *d, int idx) {
  if (lua_isnoneornil(L, idx)) {
    lua_pushnil(L);
    return NULL;
  }
  luaL_checktype(L, idx, LUA_TTABLE);
  check_filter_keys(L, idx);
  uint8_t *keep = lua_newuserdatauv(L, (size_t)d->nann + d->ncats + 1, 0);
  uint8_t *cat_ok = keep + d->nann;
  int64_t item = -2, type = -1, annot = -2;
  int by_cat = 0;
  double min_score = -INFINITY;
  if (lua_getfield(L, idx, "item") != LUA_TNIL) item = item_at_top(L, d);
  if (lua_getfield(L, idx, "category") != LUA_TNIL) {
    by_cat = 1;
    int isint = lua_isinteger(L, -1);
    lua_Integer cid = lua_tointeger(L, -1);
    const char *name = isint ? NULL : luaL_checkstring(L, -1);
    for (uint32_t c = 0; c < d->ncats; c++)
      cat_ok[c] = isint ? d->cats[c].id == cid : strcmp(strpool_get(&d->str, d->cats[c].name), name) == 0;
    cat_ok[d->ncats] = 0;
  }
  if (lua_getfield(L, idx, "type") != LUA_TNIL) {
    type = ann_type_parse(luaL_checkstring(L, -1));
    if (type < 0) luaL_error(L, "unknown annotation type '%s'", lua_tostring(L, -1));
  }
  if (lua_getfield(L, idx, "annotator") != LUA_TNIL) {
    const char *name = luaL_checkstring(L, -1);
    annot = -1;
    for (uint32_t k = 0; k < d->nannotators && annot < 0; k++)
      if (strcmp(strpool_get(&d->str, d->annotators[k]), name) == 0) annot = k;
  }
  if (lua_getfield(L, idx, "min_score") != LUA_TNIL) min_score = luaL_checknumber(L, -1);
  lua_pop(L, 5);
  for (uint32_t i = 0; i < d->nann; i++) {
    keep[i] = (item == -2 || (int64_t)d->item[i] == item) &&
              (!by_cat || cat_ok[d->cat[i] >= 0 ? (uint32_t)d->cat[i] : d->ncats]) &&
              (type < 0 || d->type[i] == type) &&
              (annot == -2 || (int64_t)d->annotator[i] == annot) &&
              (min_score == -INFINITY || d->score[i] >= min_score);
  }
  return keep;
}

/* ---- counts ---- */

/* Adds name = n to the table on top, summing when the name repeats. [-0, +0, m] */
static void add_count(lua_State *L, const char *name, uint64_t n) {
  if (!n) return;
  lua_getfield(L, -1, name);
  lua_Integer have = lua_tointeger(L, -1);
  lua_pop(L, 1);
  lua_pushinteger(L, have + (lua_Integer)n);
  lua_setfield(L, -2, name);
}

/* ds:counts([filter]) -> {items=, annotations=, categories=, annotators=,
 * by_type={}, by_class={}, by_annotator={}}. [-1|2, +1, m] */
static int l_counts(lua_State *L) {
  LDataset *ld = ldataset_counts(L, 1);
  const Dataset *d = ld->d;
  uint8_t *keep = push_mask(L, d, 2);
  size_t n = ANN_TYPE_COUNT + (size_t)d->ncats + 1 + d->nannotators + 1;
  uint64_t *c = lua_newuserdatauv(L, n * sizeof *c, 0);
  memset(c, 0, n * sizeof *c);
  uint64_t *by_type = c, *by_cat = c + ANN_TYPE_COUNT, *by_ann = by_cat + d->ncats + 1;
  uint64_t total = dataset_count(d, keep, by_type, by_cat, by_ann);
  lua_createtable(L, 0, 7);
  lua_pushinteger(L, d->nitems);
  lua_setfield(L, -2, "items");
  lua_pushinteger(L, (lua_Integer)total);
  lua_setfield(L, -2, "annotations");
  lua_pushinteger(L, d->ncats);
  lua_setfield(L, -2, "categories");
  lua_pushinteger(L, d->nannotators);
  lua_setfield(L, -2, "annotators");
  lua_newtable(L);
  for (int t = 1; t < ANN_TYPE_COUNT; t++) add_count(L, ann_type_name((AnnType)t), by_type[t]);
  lua_setfield(L, -2, "by_type");
  lua_newtable(L);
  for (uint32_t k = 0; k < d->ncats; k++) add_count(L, strpool_get(&d->str, d->cats[k].name), by_cat[k]);
  add_count(L, "(none)", by_cat[d->ncats]);
  lua_setfield(L, -2, "by_class");
  lua_newtable(L);
  for (uint32_t k = 0; k < d->nannotators; k++) add_count(L, strpool_get(&d->str, d->annotators[k]), by_ann[k]);
  add_count(L, "(none)", by_ann[d->nannotators]);
  lua_setfield(L, -2, "by_annotator");
  return 1;
}

/* ---- conversion to tables ---- */

/* Pushes v as an integer when it is one (exactly, within 2^53), else as a float. */
static void push_num(lua_State *L, double v) {
  if (v == floor(v) && fabs(v) <= 9007199254740992.0)
    lua_pushinteger(L, (lua_Integer)v);
  else
    lua_pushnumber(L, v);
}

static void push_numbers(lua_State *L, const double *v, uint32_t n) {
  lua_createtable(L, (int)n, 0);
  for (uint32_t i = 0; i < n; i++) {
    push_num(L, v[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

static void set_num(lua_State *L, const char *key, double v) {
  if (isnan(v)) return;
  push_num(L, v);
  lua_setfield(L, -2, key);
}

static void set_str(lua_State *L, const Dataset *d, const char *key, StrId s) {
  if (!s) return;
  lua_pushstring(L, strpool_get(&d->str, s));
  lua_setfield(L, -2, key);
}

/* Pushes item i as {index, id, file, width, height, subset, hash}. [-0, +1, m] */
static void push_item(lua_State *L, const Dataset *d, uint32_t i) {
  const Item *it = &d->items[i];
  lua_createtable(L, 0, 7);
  lua_pushinteger(L, i + 1);
  lua_setfield(L, -2, "index");
  lua_pushinteger(L, it->id);
  lua_setfield(L, -2, "id");
  lua_pushstring(L, strpool_get(&d->str, it->file));
  lua_setfield(L, -2, "file");
  lua_pushinteger(L, it->width);
  lua_setfield(L, -2, "width");
  lua_pushinteger(L, it->height);
  lua_setfield(L, -2, "height");
  set_str(L, d, "subset", it->subset);
  set_str(L, d, "hash", it->hash);
}

/* Pushes category c as {index, id, name, supercategory, keypoints={names},
 * skeleton={{a, b}, ...}} (skeleton 1-based, indexing keypoints). [-0, +1, m] */
static void push_category(lua_State *L, const Dataset *d, uint32_t c) {
  const Category *k = &d->cats[c];
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, c + 1);
  lua_setfield(L, -2, "index");
  lua_pushinteger(L, k->id);
  lua_setfield(L, -2, "id");
  lua_pushstring(L, strpool_get(&d->str, k->name));
  lua_setfield(L, -2, "name");
  lua_pushstring(L, strpool_get(&d->str, k->supercategory));
  lua_setfield(L, -2, "supercategory");
  if (k->nkp || k->nsk) {
    lua_createtable(L, (int)k->nkp, 0);
    for (uint32_t j = 0; j < k->nkp; j++) {
      lua_pushstring(L, strpool_get(&d->str, k->kp_names[j]));
      lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "keypoints");
    lua_createtable(L, (int)k->nsk, 0);
    for (uint32_t j = 0; j < k->nsk; j++) {
      lua_createtable(L, 2, 0);
      lua_pushinteger(L, k->skeleton[2 * j] + 1);
      lua_rawseti(L, -2, 1);
      lua_pushinteger(L, k->skeleton[2 * j + 1] + 1);
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "skeleton");
  }
}

static const char *const stage_names[] = {NULL, "annotator", "peer", "adjudicated"};

/* Pushes annotation i as a table (fields absent when the format had none). [-0, +1, m] */
static void push_annotation(lua_State *L, const Dataset *d, uint32_t i) {
  lua_createtable(L, 0, 16);
  lua_pushinteger(L, i + 1);
  lua_setfield(L, -2, "index");
  if (d->id[i] != ANN_NO_ID) {
    lua_pushinteger(L, d->id[i]);
    lua_setfield(L, -2, "id");
  }
  const Item *it = &d->items[d->item[i]];
  lua_pushinteger(L, it->id);
  lua_setfield(L, -2, "item");
  lua_pushstring(L, strpool_get(&d->str, it->file));
  lua_setfield(L, -2, "file");
  if (d->cat[i] >= 0) {
    const Category *k = &d->cats[d->cat[i]];
    lua_pushstring(L, strpool_get(&d->str, k->name));
    lua_setfield(L, -2, "category");
    lua_pushinteger(L, k->id);
    lua_setfield(L, -2, "category_id");
  }
  lua_pushstring(L, ann_type_name((AnnType)d->type[i]));
  lua_setfield(L, -2, "type");
  if (!isnan(d->bbox[4 * (size_t)i])) {
    push_numbers(L, &d->bbox[4 * (size_t)i], 4);
    lua_setfield(L, -2, "bbox");
  }
  if (d->g_n[i]) {
    push_numbers(L, d->coords.v + d->g_off[i], d->g_n[i]);
    lua_setfield(L, -2, "coords");
  }
  if (d->p_n[i]) {
    const int32_t *p = d->parts.v + d->p_off[i];
    lua_createtable(L, (int)d->p_n[i], 0);
    for (uint32_t j = 0; j < d->p_n[i]; j++) {
      lua_pushinteger(L, p[j]);
      lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "parts");
  }
  if (d->r_n[i]) {
    const uint32_t *r = d->rle.v + d->r_off[i];
    lua_createtable(L, (int)d->r_n[i], 0);
    for (uint32_t j = 0; j < d->r_n[i]; j++) {
      lua_pushinteger(L, r[j]);
      lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "rle");
  }
  if (d->s_n[i]) {
    push_numbers(L, d->seg.v + d->s_off[i], d->s_n[i]);
    lua_setfield(L, -2, "segmentation");
  }
  if (d->a_n[i]) {
    const Attr *a = d->attrs.v + d->a_off[i];
    lua_createtable(L, 0, (int)d->a_n[i]);
    for (uint32_t j = 0; j < d->a_n[i]; j++) {
      if (a[j].kind == ATTR_STRING) lua_pushstring(L, strpool_get(&d->str, a[j].str));
      else if (a[j].kind == ATTR_BOOL) lua_pushboolean(L, a[j].num != 0);
      else push_num(L, a[j].num);
      lua_setfield(L, -2, strpool_get(&d->str, a[j].key));
    }
    lua_setfield(L, -2, "attributes");
  }
  if (d->annotator[i] >= 0) set_str(L, d, "annotator", d->annotators[d->annotator[i]]);
  if (d->stage[i] > 0 && d->stage[i] <= STAGE_ADJUDICATED) {
    lua_pushstring(L, stage_names[d->stage[i]]);
    lua_setfield(L, -2, "stage");
  }
  set_num(L, "score", d->score[i]);
  set_num(L, "area", d->area[i]);
  set_num(L, d->type[i] == ANN_POLYLINE ? "width" : d->type[i] == ANN_KEYPOINTS ? "num_keypoints" : "aux", d->aux[i]);
  lua_pushboolean(L, d->iscrowd[i]);
  lua_setfield(L, -2, "iscrowd");
  if (d->type[i] == ANN_TEXT) {
    lua_pushstring(L, strpool_get(&d->str, d->text[i]));
    lua_setfield(L, -2, "text");
  }
  if (d->flags[i] & ANN_FLAG_RLE_COMPRESSED) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "rle_compressed");
  }
  char src[300];
  dataset_source(d, i, src, sizeof src);
  lua_pushstring(L, src);
  lua_setfield(L, -2, "source");
}

/* ---- iterators ---- */

/* Iterator step: upvalues dataset, next index (0-based), kind, mask or nil. [-0, +1, m] */
static int iter_next(lua_State *L) {
  LDataset *ld = ldataset_check(L, lua_upvalueindex(1));
  const Dataset *d = ld->d;
  lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
  int kind = (int)lua_tointeger(L, lua_upvalueindex(3));
  const uint8_t *keep = lua_touserdata(L, lua_upvalueindex(4));
  uint32_t n = kind == 0 ? d->nitems : kind == 1 ? d->ncats : d->nann;
  while (keep && i < n && !keep[i]) i++;
  if (i >= n) return 0;
  lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(2));
  if (kind == 0) push_item(L, d, (uint32_t)i);
  else if (kind == 1) push_category(L, d, (uint32_t)i);
  else push_annotation(L, d, (uint32_t)i);
  return 1;
}

static int push_iter(lua_State *L, int kind) {
  lua_settop(L, 2);   /* index 2 is the filter (or nil) while the upvalues are pushed */
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  lua_pushinteger(L, kind);
  if (kind == 2) push_mask(L, ldataset_check(L, 1)->d, 2); else lua_pushnil(L);
  lua_pushcclosure(L, iter_next, 4);
  return 1;
}

/* ds:items() / ds:categories() / ds:annotations([filter]) -> iterator. [-1|2, +1, m] */
static int l_items(lua_State *L) { ldataset_check(L, 1); return push_iter(L, 0); }
static int l_categories(lua_State *L) { ldataset_check(L, 1); return push_iter(L, 1); }
static int l_annotations(lua_State *L) { ldataset_check(L, 1); return push_iter(L, 2); }

/* ds:annotation(i) -> the annotation with index i (1-based) or nil. [-2, +1, m] */
static int l_annotation(lua_State *L) {
  const Dataset *d = ldataset_check(L, 1)->d;
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 1 || i > d->nann) return luaL_pushfail(L), 1;
  push_annotation(L, d, (uint32_t)(i - 1));
  return 1;
}

/* Pushes a new Dataset made of d's items with keep_item and annotations with keep.
 * [-0, +1, m] */
static int push_subset(lua_State *L, const LDataset *src, const uint8_t *keep_item, const uint8_t *keep) {
  LDataset *ld = ldataset_push(L);
  Err e = {0};
  ld->d = dataset_subset(src->d, keep_item, keep, &e);
  if (!ld->d) return luaL_error(L, "%s", e.msg);
  ld->g = src->g;
  return 1;
}

/* ds:filter(filter) -> a new Dataset with the annotations the filter selects; with
 * an item filter only that item, otherwise every item. [-2, +1, m] */
static int l_filter(lua_State *L) {
  LDataset *ld = ldataset_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  const uint8_t *keep = push_mask(L, ld->d, 2);
  uint8_t *keep_item = NULL;
  if (lua_getfield(L, 2, "item") != LUA_TNIL) {
    int64_t it = item_at_top(L, ld->d);
    keep_item = lua_newuserdatauv(L, ld->d->nitems ? ld->d->nitems : 1, 0);
    memset(keep_item, 0, ld->d->nitems);
    if (it >= 0) keep_item[it] = 1;
  }
  return push_subset(L, ld, keep_item, keep);
}

/* ds:subset(indices) -> a new Dataset with every item and the annotations whose
 * 1-based indices are listed. [-2, +1, m] */
static int l_subset(lua_State *L) {
  LDataset *ld = ldataset_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  uint8_t *keep = lua_newuserdatauv(L, ld->d->nann ? ld->d->nann : 1, 0);
  memset(keep, 0, ld->d->nann);
  lua_Integer n = luaL_len(L, 2);
  for (lua_Integer k = 1; k <= n; k++) {
    lua_rawgeti(L, 2, k);
    lua_Integer i = luaL_checkinteger(L, -1);
    if (i < 1 || i > ld->d->nann) return luaL_error(L, "subset: no annotation %d", (int)i);
    keep[i - 1] = 1;
    lua_pop(L, 1);
  }
  return push_subset(L, ld, NULL, keep);
}

int luaopen_annovet_c_model(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"save", l_save},
    {"warnings", l_warnings},
    {"format", l_format},
    {"counts", l_counts},
    {"items", l_items},
    {"categories", l_categories},
    {"annotations", l_annotations},
    {"annotation", l_annotation},
    {"filter", l_filter},
    {"subset", l_subset},
    {"close", l_close},
    {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"load", l_load},
    {"detect", l_detect},
    {"formats", l_formats},
    {NULL, NULL}
  };
  l_class(L, DATASET_MT, methods, l_close);
  luaL_newlib(L, funcs);
  luaL_getmetatable(L, DATASET_MT);
  lua_getfield(L, -1, "__index");
  lua_setfield(L, -3, "methods");   /* for lua/annovet/dataset.lua to add Lua methods */
  lua_pop(L, 1);
  return 1;
}
