/* Binding of the agreement engine: reliability data from CSV or from Lua tables
 * (userdata "annovet.AgreeData"), and one call that computes a coefficient with
 * its standard error, bootstrap interval and per-category values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agree.h"
#include "reliability_csv.h"
#include "l_annovet.h"
#include "l_sandbox.h"
#include "lauxlib.h"
#include "numfmt.h"

#define DATA_MT "annovet.AgreeData"
#define BOX_MT "annovet.AgreeBuilderBox"

typedef struct LData {
  AgreeData *d;   /* NULL once closed */
} LData;

static int data_close(lua_State *L) {
  LData *ld = luaL_checkudata(L, 1, DATA_MT);
  agree_data_free(ld->d);
  ld->d = NULL;
  return 0;
}

static AgreeData *data_check(lua_State *L, int idx) {
  LData *ld = luaL_checkudata(L, idx, DATA_MT);
  if (!ld->d) luaL_error(L, "attempt to use closed reliability data");
  return ld->d;
}

typedef struct Box {
  AgreeBuilder *b;
} Box;

static int box_close(lua_State *L) {
  Box *bx = luaL_checkudata(L, 1, BOX_MT);
  agree_builder_free(bx->b);
  bx->b = NULL;
  return 0;
}

/* Reads the finishing options {categories = {...}, numbers = 0|1|2} at idx into
 * spec; the category strings stay borrowed in a table left on the stack.
 * [-0, +1, e] */
static void read_spec(lua_State *L, int idx, AgreeSpec *spec) {
  memset(spec, 0, sizeof *spec);
  lua_getfield(L, idx, "numbers");
  spec->numbers = (int)luaL_optinteger(L, -1, 0);
  lua_pop(L, 1);
  lua_getfield(L, idx, "categories");
  if (lua_isnil(L, -1)) return;
  luaL_argexpected(L, lua_istable(L, -1), idx, "categories as a list of strings");
  lua_Integer n = luaL_len(L, -1);
  if (n < 1 || n > 1000000) luaL_error(L, "categories: expected 1 to 1000000 names");
  const char **names = lua_newuserdatauv(L, (size_t)n * sizeof *names, 1);
  lua_createtable(L, (int)n, 0);   /* the names as strings, kept alive with the array */
  for (lua_Integer i = 1; i <= n; i++) {
    int t = lua_geti(L, -3, i);
    if (t != LUA_TSTRING && t != LUA_TNUMBER) luaL_error(L, "categories[%d]: expected a string", (int)i);
    names[i - 1] = lua_tostring(L, -1);
    lua_rawseti(L, -2, i);
  }
  lua_setiuservalue(L, -2, 1);
  lua_remove(L, -2);
  spec->categories = names;
  spec->n_categories = (size_t)n;
}

/* Finishes the builder in the box at bidx into a new AgreeData userdata, or
 * pushes nil and the message. [-0, +1|2, e] */
static int finish(lua_State *L, int bidx, int optidx) {
  AgreeSpec spec;
  read_spec(L, optidx, &spec);
  sandbox_check_heap(L);
  LData *ld = lua_newuserdatauv(L, sizeof *ld, 0);
  ld->d = NULL;
  luaL_setmetatable(L, DATA_MT);
  Box *bx = lua_touserdata(L, bidx);
  Err e = {0};
  if (agree_builder_finish(bx->b, &spec, &ld->d, &e) != 0) {
    return l_fail(L, &e);
  }
  return 1;
}

static Box *new_box(lua_State *L) {
  Box *bx = lua_newuserdatauv(L, sizeof *bx, 0);
  bx->b = NULL;
  luaL_setmetatable(L, BOX_MT);
  lua_toclose(L, -1);
  return bx;
}

static int opt_bool(lua_State *L, int idx, const char *k) {
  lua_getfield(L, idx, k);
  int v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

static const char *opt_str(lua_State *L, int idx, const char *k, const char *def) {
  lua_getfield(L, idx, k);
  const char *s = luaL_optstring(L, -1, def);
  lua_pop(L, 1);   /* the string stays in the options table */
  return s;
}

/* agree.csv(path [, opts]) -> data | nil, message. opts: wide, multi_label,
 * unit, rater, value (column names), sep (wide label separator), categories,
 * numbers. [-2, +1|2, e] */
static int l_csv(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  sandbox_check_read(L, path);
  if (lua_isnoneornil(L, 2)) lua_newtable(L);
  lua_settop(L, 2);
  luaL_checktype(L, 2, LUA_TTABLE);
  ReliabilityCsvOpts o = {0};
  o.wide = opt_bool(L, 2, "wide");
  o.multi_label = opt_bool(L, 2, "multi_label");
  o.unit_col = opt_str(L, 2, "unit", "unit");
  o.rater_col = opt_str(L, 2, "rater", "rater");
  o.value_col = opt_str(L, 2, "value", "value");
  const char *sep = opt_str(L, 2, "sep", "|");
  if (strlen(sep) != 1) return luaL_error(L, "sep: expected one character");
  o.label_sep = sep[0];
  Box *bx = new_box(L);
  Err e = {0};
  if (reliability_csv_read(path, &o, &bx->b, &e) != 0) {
    return l_fail(L, &e);
  }
  return finish(L, 3, 2);
}

/* The text of a value or name at idx: strings as they are, integers in decimal,
 * floats shortest-exact. Returns NULL for other types. [-0, +0, m] */
static const char *value_text(lua_State *L, int idx, size_t *len, char buf[NUMFMT_MAX]) {
  if (lua_type(L, idx) == LUA_TSTRING) return lua_tolstring(L, idx, len);
  if (lua_isinteger(L, idx)) {
    *len = (size_t)snprintf(buf, NUMFMT_MAX, "%lld", (long long)lua_tointeger(L, idx));
    return buf;
  }
  if (lua_type(L, idx) == LUA_TNUMBER) {
    int n = num_fmt(buf, lua_tonumber(L, idx), 0);
    if (n < 0) return NULL;
    *len = (size_t)n;
    return buf;
  }
  return NULL;
}

typedef struct TableCtx {
  const char *form;   /* "ratings" or "units" */
} TableCtx;

static void table_where(void *p, uint32_t row, uint32_t id, int which, char *buf, size_t n) {
  const TableCtx *t = p;
  (void)id;
  snprintf(buf, n, "data.%s[%u]%s", t->form, row, which == 2 ? ".value" : which == 1 ? ".rater" : "");
}

/* Adds the value at vidx (a label, or with multi a list of labels) for one
 * rating; nil is a missing rating. Raises on a bad value. [-0, +0, e] */
static void add_rating(lua_State *L, AgreeBuilder *b, int multi, uint32_t u, uint32_t r, int vidx,
                       uint32_t row, const char *what) {
  char buf[NUMFMT_MAX];
  size_t len;
  Err e = {0};
  if (lua_isnil(L, vidx)) return;
  if (multi && lua_istable(L, vidx)) {
    lua_Integer n = luaL_len(L, vidx);
    if (n == 0 && agree_builder_add(b, u, r, AGREE_NONE, row, &e) != 0) luaL_error(L, "%s", e.msg);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_geti(L, vidx, i);
      const char *s = value_text(L, -1, &len, buf);
      if (!s) luaL_error(L, "%s: label %d is a %s, expected a string", what, (int)i, luaL_typename(L, -1));
      uint32_t v = agree_builder_value(b, s, len, row);
      if (v == AGREE_NONE || agree_builder_add(b, u, r, v, row, &e) != 0) luaL_error(L, "out of memory");
      lua_pop(L, 1);
    }
    return;
  }
  const char *s = value_text(L, vidx, &len, buf);
  if (!s) luaL_error(L, "%s: a %s, expected a string or a number%s", what, luaL_typename(L, vidx),
                     multi ? " or a list of labels" : " (label sets need multi_label)");
  if (len == 0 && !multi) return;
  uint32_t v = len ? agree_builder_value(b, s, len, row) : AGREE_NONE;
  if ((len && v == AGREE_NONE) || agree_builder_add(b, u, r, v, row, &e) != 0) luaL_error(L, "out of memory");
}

static uint32_t intern_at(lua_State *L, AgreeBuilder *b, int idx, int unit, const char *what) {
  char buf[NUMFMT_MAX];
  size_t len;
  const char *s = value_text(L, idx, &len, buf);
  if (!s || len == 0) luaL_error(L, "%s: expected a non-empty string or a number", what);
  uint32_t id = unit ? agree_builder_unit(b, s, len) : agree_builder_rater(b, s, len);
  if (id == AGREE_NONE) luaL_error(L, "out of memory");
  return id;
}

static int cmp_keys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* agree.table(data [, opts]) -> data | nil, message. data is {ratings = {{unit,
 * rater, value} or {unit=, rater=, value=}, ...}} or {units = {{rater = value,
 * ...}, ...}} (a unit is its position). opts: multi_label, categories, numbers.
 * [-2, +1|2, e] */
static int l_table(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (lua_isnoneornil(L, 2)) lua_newtable(L);
  lua_settop(L, 2);
  luaL_checktype(L, 2, LUA_TTABLE);
  int multi = opt_bool(L, 2, "multi_label");
  static TableCtx ratings_ctx = {"ratings"}, units_ctx = {"units"};
  lua_getfield(L, 1, "ratings");   /* 3 */
  lua_getfield(L, 1, "units");     /* 4 */
  int byrating = lua_istable(L, 3);
  if (!byrating && !lua_istable(L, 4)) return luaL_argerror(L, 1, "expected {ratings = {...}} or {units = {...}}");
  Box *bx = new_box(L);            /* 5 */
  Err e = {0};
  bx->b = agree_builder_new(multi, table_where, byrating ? &ratings_ctx : &units_ctx, NULL, &e);
  if (!bx->b) return luaL_error(L, "%s", e.msg);
  char what[64];
  lua_Integer n = luaL_len(L, byrating ? 3 : 4);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, byrating ? 3 : 4, i);   /* 6 */
    if (!lua_istable(L, 6)) return luaL_error(L, "data.%s[%d]: expected a table", byrating ? "ratings" : "units", (int)i);
    if (byrating) {
      if (lua_geti(L, 6, 1) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_getfield(L, 6, "unit");
        lua_getfield(L, 6, "rater");
        lua_getfield(L, 6, "value");
      } else {
        lua_geti(L, 6, 2);
        lua_geti(L, 6, 3);
      }
      snprintf(what, sizeof what, "data.ratings[%d].unit", (int)i);
      uint32_t u = intern_at(L, bx->b, 7, 1, what);
      snprintf(what, sizeof what, "data.ratings[%d].rater", (int)i);
      uint32_t r = intern_at(L, bx->b, 8, 0, what);
      snprintf(what, sizeof what, "data.ratings[%d].value", (int)i);
      add_rating(L, bx->b, multi, u, r, 9, (uint32_t)i, what);
      lua_settop(L, 5);
      continue;
    }
    /* a unit: raters in sorted order, so ids do not depend on hash order */
    lua_Integer nk = 0;
    lua_pushnil(L);
    while (lua_next(L, 6)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "data.units[%d]: rater names must be strings", (int)i);
      nk++;
    }
    const char **keys = lua_newuserdatauv(L, (size_t)(nk ? nk : 1) * sizeof *keys, 0);   /* 7 */
    lua_Integer k = 0;
    lua_pushnil(L);
    while (lua_next(L, 6)) {
      lua_pop(L, 1);
      keys[k++] = lua_tostring(L, -1);   /* anchored by the unit table */
    }
    qsort(keys, (size_t)nk, sizeof *keys, cmp_keys);
    lua_pushinteger(L, i);
    uint32_t u = intern_at(L, bx->b, -1, 1, "unit");
    lua_pop(L, 1);
    for (k = 0; k < nk; k++) {
      uint32_t r = agree_builder_rater(bx->b, keys[k], strlen(keys[k]));
      if (r == AGREE_NONE) return luaL_error(L, "out of memory");
      lua_getfield(L, 6, keys[k]);
      snprintf(what, sizeof what, "data.units[%d].%.30s", (int)i, keys[k]);
      add_rating(L, bx->b, multi, u, r, lua_gettop(L), (uint32_t)i, what);
      lua_pop(L, 1);
    }
    lua_settop(L, 5);
  }
  return finish(L, 5, 2);
}

/* data:info() -> {units, raters, ratings, categories = {...}, rater_names = {...},
 * labels = {...} | nil, numeric, multi_label}. [-1, +1, m] */
static int l_info(lua_State *L) {
  AgreeData *d = data_check(L, 1);
  lua_createtable(L, 0, 8);
  lua_pushinteger(L, d->v.n_units);
  lua_setfield(L, -2, "units");
  lua_pushinteger(L, d->v.n_raters);
  lua_setfield(L, -2, "raters");
  lua_pushinteger(L, (lua_Integer)d->n_ratings);
  lua_setfield(L, -2, "ratings");
  lua_createtable(L, (int)d->v.n_cats, 0);
  for (uint32_t i = 0; i < d->v.n_cats; i++) {
    lua_pushstring(L, d->cat_name[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "categories");
  lua_createtable(L, (int)d->v.n_raters, 0);
  for (uint32_t i = 0; i < d->v.n_raters; i++) {
    lua_pushstring(L, d->rater_name[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "rater_names");
  if (d->multi_label) {
    lua_createtable(L, (int)d->n_labels, 0);
    for (uint32_t i = 0; i < d->n_labels; i++) {
      lua_pushstring(L, d->label_name[i]);
      lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "labels");
  }
  lua_pushboolean(L, d->numeric);
  lua_setfield(L, -2, "numeric");
  lua_pushboolean(L, d->multi_label);
  lua_setfield(L, -2, "multi_label");
  return 1;
}

/* Pushes the reason a result is undefined: the rater pair for Light, and the
 * category every value fell in. k is the category (multi-label: the label) of a
 * per-category result, whose values are 1 (k) and 0 (the rest); AGREE_NONE for
 * the coefficient over every category. [-0, +1, m] */
static void push_why(lua_State *L, const AgreeData *d, const AgreeResult *r, uint32_t k) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (r->pair_a != AGREE_NONE && r->pair_b != AGREE_NONE) {
    lua_pushfstring(L, "raters '%s' and '%s': ", d->rater_name[r->pair_a], d->rater_name[r->pair_b]);
    luaL_addvalue(&b);
  }
  if (r->same_cat != AGREE_NONE && k == AGREE_NONE) {
    const char *name = d->cat_name[r->same_cat];
    if (d->multi_label && !*name) lua_pushfstring(L, "every %s is the empty label set: ", r->same_what);
    else lua_pushfstring(L, "every %s is '%s': ", r->same_what, name);
    luaL_addvalue(&b);
  } else if (r->same_cat != AGREE_NONE) {
    lua_pushfstring(L, "%s %s %s '%s': ", r->same_cat ? "every" : "no", r->same_what,
                    d->multi_label ? "holds" : "is", d->multi_label ? d->label_name[k] : d->cat_name[k]);
    luaL_addvalue(&b);
  }
  luaL_addstring(&b, r->why);
  luaL_pushresult(&b);
}

/* Appends to the list on top the warnings of a defined result: one pairable unit
 * (unless `unit` is 0), one category used by AC1 or Brennan-Prediger. k is as for
 * push_why; q the categories the coefficient counted. [-0, +0, m] */
static void add_warnings(lua_State *L, const AgreeData *d, const AgreeResult *r, uint32_t k, uint32_t q,
                         int unit) {
  if (!r->defined) return;
  lua_Integer n = luaL_len(L, -1);
  const char *what = d->multi_label ? "holds" : "is";
  const char *name = k == AGREE_NONE ? NULL : d->multi_label ? d->label_name[k] : d->cat_name[k];
  if ((r->warn & AGREE_WARN_ONE_UNIT) && unit) {
    lua_pushfstring(L, "%s%s%sthe value rests on a single unit (%I ratings): chance agreement is estimated from its "
                    "ratings alone", name ? "per category '" : "", name ? name : "", name ? "': " : "",
                    (lua_Integer)r->pairable);
    lua_rawseti(L, -2, ++n);
  }
  if ((r->warn & AGREE_WARN_ONE_CATEGORY) && r->same_cat != AGREE_NONE) {
    if (!name)
      lua_pushfstring(L, "every %s %s '%s': the value is 1 because chance agreement counts the %d "
                      "categories given, although one is used", r->same_what, what, d->cat_name[r->same_cat], (int)q);
    else
      lua_pushfstring(L, "per category '%s': %s %s %s '%s': the value is 1 because chance agreement "
                      "counts two categories (it and the rest), although one is used", name,
                      r->same_cat ? "every" : "no", r->same_what, what, name);
    lua_rawseti(L, -2, ++n);
  }
}

/* Reads opts.weights as a q x q matrix of agreement weights into a userdata
 * left on the stack. [-0, +1, e] */
static double *read_matrix(lua_State *L, int idx, uint32_t q) {
  if (q > AGREE_MAX_WEIGHTED) luaL_error(L, "weights: at most %d categories", AGREE_MAX_WEIGHTED);
  double *m = lua_newuserdatauv(L, (size_t)q * q * sizeof *m + 1, 0);
  if (luaL_len(L, idx) != (lua_Integer)q) luaL_error(L, "weights: expected %d rows (one per category)", (int)q);
  for (uint32_t k = 0; k < q; k++) {
    lua_geti(L, idx, k + 1);
    if (!lua_istable(L, -1) || luaL_len(L, -1) != (lua_Integer)q)
      luaL_error(L, "weights[%d]: expected a row of %d numbers", (int)k + 1, (int)q);
    for (uint32_t l = 0; l < q; l++) {
      lua_geti(L, -1, l + 1);
      int ok;
      double x = lua_tonumberx(L, -1, &ok);
      if (!ok || !isfinite(x) || x < 0 || x > 1 || (k == l && x != 1))
        luaL_error(L, "weights[%d][%d]: expected an agreement weight in [0, 1], 1 on the diagonal", (int)k + 1, (int)l + 1);
      m[(size_t)k * q + l] = x;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  return m;
}

static void set_num(lua_State *L, const char *k, double x) {
  lua_pushnumber(L, x);
  lua_setfield(L, -2, k);
}

/* agree.compute(data, opts) -> result | nil, message. opts: metric, level,
 * weights ("none", "linear", "quadratic" or a matrix), se (bool), ci (resamples),
 * seed, ci_level, per_category (bool). The result holds metric, level or
 * weights, value (nil when undefined), undefined (the reason), units, raters,
 * pairable, pa, pe, se, ci = {low, high, level, method, resamples, seed,
 * undefined}, per_category = {name = value}, per_category_undefined = {name =
 * reason}. [-2, +1|2, e] */
static int l_compute(lua_State *L) {
  AgreeData *d = data_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  AgreeOpts o = {0};
  int m = agree_metric_parse(opt_str(L, 2, "metric", ""));
  if (m < 0) return luaL_error(L, "unknown metric '%s'", opt_str(L, 2, "metric", ""));
  o.metric = (AgreeMetric)m;
  int lv = agree_level_parse(opt_str(L, 2, "level", "nominal"));
  if (lv < 0) return luaL_error(L, "unknown level '%s'", opt_str(L, 2, "level", ""));
  o.level = (AgreeLevel)lv;
  lua_getfield(L, 2, "weights");   /* 3 */
  if (lua_istable(L, 3)) {
    o.weights = AGREE_W_CUSTOM;
    o.custom = read_matrix(L, 3, d->v.n_cats);   /* 4 */
  } else {
    int w = agree_weights_parse(luaL_optstring(L, 3, "none"));
    if (w < 0 || w == AGREE_W_CUSTOM) return luaL_error(L, "unknown weights '%s'", lua_tostring(L, 3));
    o.weights = (AgreeWeights)w;
    lua_pushnil(L);
  }
  int want_se = opt_bool(L, 2, "se"), per_cat = opt_bool(L, 2, "per_category");
  lua_getfield(L, 2, "ci");
  lua_Integer resamples = luaL_optinteger(L, -1, 0);
  lua_getfield(L, 2, "seed");
  lua_Integer seed = luaL_optinteger(L, -1, 1);
  lua_getfield(L, 2, "ci_level");
  double level = luaL_optnumber(L, -1, 0.95);
  lua_settop(L, 4);
  if (resamples < 0 || resamples > 10000000) return luaL_error(L, "ci: expected 0 to 10000000 resamples");
  if (!(level > 0 && level < 1)) return luaL_error(L, "ci_level: expected a number between 0 and 1");
  Err e = {0};
  if (agree_check(&d->v, &o, &e) != 0) {
    return l_fail(L, &e);
  }
  if (per_cat && o.metric == AGREE_ALPHA && (o.level == AGREE_INTERVAL || o.level == AGREE_RATIO)) {
    luaL_pushfail(L);
    lua_pushfstring(L, "per-category agreement needs categories: it is not defined at the %s level",
                    agree_level_name(o.level));
    return 2;
  }
  uint32_t ncat = per_cat ? (d->multi_label ? d->n_labels : d->v.n_cats) : 0;
  AgreeResult *res = lua_newuserdatauv(L, ((size_t)ncat + 1) * sizeof *res, 0);   /* 5 */
  AgreeCI ci = {0};
  AgreeWork *w = agree_work_new(&d->v, &o, &e);
  int rc = w ? agree_compute(&d->v, &o, w, NULL, want_se, &res[0], &e) : -1;
  agree_work_free(w);
  if (rc == 0 && resamples > 0) rc = agree_bootstrap(&d->v, &o, (uint32_t)resamples, (uint64_t)seed, level, &ci, &e);
  for (uint32_t k = 0; rc == 0 && k < ncat; k++) rc = agree_per_category(&d->v, &o, k, &res[k + 1], &e);
  if (rc != 0) return luaL_error(L, "%s", e.msg);
  const AgreeResult *r = &res[0];
  lua_createtable(L, 0, 16);
  lua_pushstring(L, agree_metric_name(o.metric));
  lua_setfield(L, -2, "metric");
  if (o.metric == AGREE_ALPHA) {
    lua_pushstring(L, agree_level_name(o.level));
    lua_setfield(L, -2, "level");
  } else {
    lua_pushstring(L, agree_weights_name(o.weights));
    lua_setfield(L, -2, "weights");
  }
  if (r->defined) {
    set_num(L, "value", r->value);
    set_num(L, "pa", r->pa);
    set_num(L, "pe", r->pe);
  } else {
    push_why(L, d, r, AGREE_NONE);
    lua_setfield(L, -2, "undefined");
  }
  if (r->defined && r->has_se) set_num(L, "se", r->se);
  lua_pushinteger(L, r->units);
  lua_setfield(L, -2, "units");
  lua_pushinteger(L, r->raters);
  lua_setfield(L, -2, "raters");
  lua_pushinteger(L, (lua_Integer)r->pairable);
  lua_setfield(L, -2, "pairable");
  lua_createtable(L, 0, 0);
  add_warnings(L, d, r, AGREE_NONE, d->v.n_cats, 1);
  for (uint32_t k = 0; k < ncat; k++)   /* a single unit is said once, for the coefficient when it has a value */
    add_warnings(L, d, &res[k + 1], k, 2, !r->defined || !(r->warn & AGREE_WARN_ONE_UNIT));
  lua_setfield(L, -2, "warnings");
  if (resamples > 0) {
    lua_createtable(L, 0, 7);
    if (ci.defined) {
      set_num(L, "low", ci.low);
      set_num(L, "high", ci.high);
    }
    set_num(L, "level", ci.level);
    lua_pushliteral(L, "percentile");
    lua_setfield(L, -2, "method");
    lua_pushinteger(L, ci.resamples);
    lua_setfield(L, -2, "resamples");
    lua_pushinteger(L, (lua_Integer)ci.seed);
    lua_setfield(L, -2, "seed");
    lua_pushinteger(L, ci.undefined);
    lua_setfield(L, -2, "undefined");
    lua_setfield(L, -2, "ci");
  }
  if (per_cat) {
    lua_createtable(L, 0, (int)ncat);
    lua_createtable(L, 0, 0);
    for (uint32_t k = 0; k < ncat; k++) {
      const char *name = d->multi_label ? d->label_name[k] : d->cat_name[k];
      if (res[k + 1].defined) {
        lua_pushnumber(L, res[k + 1].value);
        lua_setfield(L, -3, name);
      } else {
        push_why(L, d, &res[k + 1], k);
        lua_setfield(L, -2, name);
      }
    }
    lua_setfield(L, -3, "per_category_undefined");
    lua_setfield(L, -2, "per_category");
    lua_createtable(L, (int)ncat, 0);
    for (uint32_t k = 0; k < ncat; k++) {
      lua_pushstring(L, d->multi_label ? d->label_name[k] : d->cat_name[k]);
      lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "per_category_order");
  }
  return 1;
}

int luaopen_annovet_c_agree(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"info", l_info},
    {"close", data_close},
    {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"csv", l_csv},
    {"table", l_table},
    {"compute", l_compute},
    {NULL, NULL}
  };
  l_class(L, DATA_MT, methods, data_close);
  l_class(L, BOX_MT, NULL, box_close);
  luaL_newlib(L, funcs);
  return 1;
}
