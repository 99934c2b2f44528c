/* Binding of compare's statistics: compare.bootstrap (intervals over resampled
 * gold items, paired differences of vendors) and res:sizes (counts by object
 * area). The C results are held in boxes whose __gc frees them, so an error
 * while pushing leaks nothing. */
#include <math.h>
#include <string.h>

#include "compare.h"
#include "l_annovet.h"
#include "l_compare.h"
#include "lauxlib.h"

#define BOOTBOX_MT "annovet.CmpBootBox"
#define SIZESBOX_MT "annovet.CmpSizesBox"

/* __gc of a bootstrap box. [-0, +0, -] */
static int bootbox_release(lua_State *L) {
  cmp_boot_free(luaL_checkudata(L, 1, BOOTBOX_MT));
  return 0;
}

/* __gc of a sizes box. [-0, +0, -] */
static int sizesbox_release(lua_State *L) {
  cmp_sizes_free(luaL_checkudata(L, 1, SIZESBOX_MT));
  return 0;
}

static void set_num(lua_State *L, const char *k, double v) {
  if (isnan(v)) return;
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}

/* Pushes an interval {estimate, low, high, se, undefined} (the numbers absent
 * where undefined). [-0, +1, m] */
static void push_ci(lua_State *L, const CmpCI *ci) {
  lua_createtable(L, 0, 5);
  set_num(L, "estimate", ci->est);
  if (ci->defined) {
    set_num(L, "low", ci->low);
    set_num(L, "high", ci->high);
    set_num(L, "se", ci->se);
  }
  set_int(L, "undefined", ci->undefined);
}

/* Pushes {precision, recall, f1} intervals. [-0, +1, m] */
static void push_prf(lua_State *L, const CmpPRF *x) {
  lua_createtable(L, 0, 3);
  push_ci(L, &x->p);
  lua_setfield(L, -2, "precision");
  push_ci(L, &x->r);
  lua_setfield(L, -2, "recall");
  push_ci(L, &x->f1);
  lua_setfield(L, -2, "f1");
}

/* Pushes a difference's interval with its verdict (1, -1, 0) and the items that
 * would settle it. [-0, +1, m] */
static void push_diff(lua_State *L, const CmpCI *ci, int verdict, double needed) {
  push_ci(L, ci);
  lua_pushinteger(L, verdict);
  lua_setfield(L, -2, "verdict");
  if (!isnan(needed)) set_int(L, "items_needed", (uint64_t)needed);
}

/* compare.bootstrap({res, ...}, resamples, seed, level) -> {resamples, seed,
 * level, z, items, vendors = {{micro, per_class = {[class] = {precision,
 * recall, f1}}}, ...}, pairs = {{a, b, f1_diff, per_class = {[class] =
 * f1_diff}}, ...}} | nil, message. Each interval is {estimate, low, high, se,
 * undefined}; a difference adds verdict and items_needed. [-4, +1|2, m] */
int l_compare_bootstrap(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer B = luaL_checkinteger(L, 2), seed = luaL_checkinteger(L, 3);
  double level = luaL_checknumber(L, 4);
  luaL_argcheck(L, B >= 1 && B <= 1000000, 2, "resamples must be 1 to 1000000");
  luaL_argcheck(L, seed >= 0, 3, "seed must not be negative");
  luaL_argcheck(L, level > 0 && level < 1, 4, "level must be between 0 and 1");
  size_t nv = lua_rawlen(L, 1);
  luaL_argcheck(L, nv >= 1 && nv <= 64, 1, "expected 1 to 64 results");
  const CmpResult **res = lua_newuserdatauv(L, nv * sizeof *res, 0);   /* 5 */
  for (size_t v = 0; v < nv; v++) {
    lua_rawgeti(L, 1, (lua_Integer)v + 1);
    res[v] = l_cmpresult_check(L, -1);
    lua_pop(L, 1);
  }
  CmpBoot *bt = lua_newuserdatauv(L, sizeof *bt, 0);                   /* 6 */
  memset(bt, 0, sizeof *bt);
  luaL_setmetatable(L, BOOTBOX_MT);
  Err e = {0};
  if (cmp_bootstrap(res, (uint32_t)nv, (uint32_t)B, (uint64_t)seed, level, bt, &e) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    return 2;
  }
  lua_createtable(L, 0, 8);
  set_int(L, "resamples", bt->resamples);
  set_int(L, "seed", bt->seed);
  set_num(L, "level", bt->level);
  set_num(L, "z", bt->z);
  set_int(L, "items", bt->items);
  lua_createtable(L, (int)nv, 0);
  for (size_t v = 0; v < nv; v++) {
    const CmpResult *r = res[v];
    lua_createtable(L, 0, 2);
    push_prf(L, &bt->v[v].micro);
    lua_setfield(L, -2, "micro");
    lua_createtable(L, 0, (int)r->nclass);
    for (uint32_t c = 0; c < r->nclass; c++) {
      push_prf(L, &bt->v[v].cls[c]);
      lua_setfield(L, -2, r->class_name[c]);
    }
    lua_setfield(L, -2, "per_class");
    lua_rawseti(L, -2, (lua_Integer)v + 1);
  }
  lua_setfield(L, -2, "vendors");
  lua_createtable(L, (int)bt->npairs, 0);
  for (uint32_t p = 0; p < bt->npairs; p++) {
    const CmpBootPair *pr = &bt->pair[p];
    lua_createtable(L, 0, 4);
    set_int(L, "a", pr->a + 1);
    set_int(L, "b", pr->b + 1);
    push_diff(L, &pr->diff, pr->verdict, pr->needed);
    lua_setfield(L, -2, "f1_diff");
    lua_createtable(L, 0, (int)bt->ngold_class);
    for (uint32_t c = 0; c < bt->ngold_class; c++) {
      push_diff(L, &pr->cls[c], pr->cls_verdict[c], pr->cls_needed[c]);
      lua_setfield(L, -2, res[0]->class_name[c]);
    }
    lua_setfield(L, -2, "per_class");
    lua_rawseti(L, -2, (lua_Integer)p + 1);
  }
  lua_setfield(L, -2, "pairs");
  return 1;
}

/* res:sizes(bounds) -> {{low, high, classes = {[class] = {tp, fp, fn}}}, ...}
 * | nil, message: the counts per area range (see cmp_sizes; high absent for
 * the last, open range). [-2, +1|2, m] */
int l_compare_sizes(lua_State *L) {
  const CmpResult *r = l_cmpresult_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  size_t nb = lua_rawlen(L, 2);
  luaL_argcheck(L, nb >= 1 && nb <= 64, 2, "expected 1 to 64 bounds");
  double *b = lua_newuserdatauv(L, nb * sizeof *b, 0);   /* 3 */
  for (size_t k = 0; k < nb; k++) {
    lua_rawgeti(L, 2, (lua_Integer)k + 1);
    int ok;
    b[k] = lua_tonumberx(L, -1, &ok);
    if (!ok) luaL_argerror(L, 2, "expected a list of numbers");
    lua_pop(L, 1);
  }
  CmpSizes *s = lua_newuserdatauv(L, sizeof *s, 0);      /* 4 */
  memset(s, 0, sizeof *s);
  luaL_setmetatable(L, SIZESBOX_MT);
  Err e = {0};
  if (cmp_sizes(r, b, (uint32_t)nb, s, &e) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    return 2;
  }
  lua_createtable(L, (int)s->nranges, 0);
  for (uint32_t k = 0; k < s->nranges; k++) {
    lua_createtable(L, 0, 3);
    set_num(L, "low", s->lo[k]);
    if (isfinite(s->hi[k])) set_num(L, "high", s->hi[k]);
    lua_createtable(L, 0, (int)s->nclass);
    for (uint32_t c = 0; c < s->nclass; c++) {
      const uint64_t *x = s->c[(size_t)k * s->nclass + c];
      lua_createtable(L, 0, 3);
      set_int(L, "tp", x[0]);
      set_int(L, "fp", x[1]);
      set_int(L, "fn", x[2]);
      lua_setfield(L, -2, r->class_name[c]);
    }
    lua_setfield(L, -2, "classes");
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  return 1;
}

/* Registers the box metatables. [-0, +0, m] */
void l_compare_open_stats(lua_State *L) {
  l_class(L, BOOTBOX_MT, NULL, bootbox_release);
  l_class(L, SIZESBOX_MT, NULL, sizesbox_release);
}
