/* Binding of the spatial reliability data: several annotators' shapes clustered
 * per item, and Krippendorff's alpha with 1 - IoU over them. */
#include <string.h>

#include "compare.h"
#include "l_annovet.h"
#include "l_compare.h"
#include "lauxlib.h"

static void set_int(lua_State *L, const char *k, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}

static void set_num(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v) {
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

static const char *const out_names[CMP_NOUT] = {"shape", "crowd", "no_class", "item", "size"};

/* compare.clusters(ds, opts) -> {cluster = {per annotation: cluster or false},
 * item = {per cluster: item index}, n, left_out = {...}, no_annotator} |
 * nil, message; with opts.alpha also alpha = {value | undefined, d_o, d_e, units,
 * pairable}. [-2, +1|2, m] */
int l_compare_clusters(lua_State *L) {
  const Dataset *d = l_dataset_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_newtable(L);   /* 3: what the options point into */
  CmpOpts o;
  l_compare_opts(L, 2, 3, &o);
  lua_getfield(L, 2, "alpha");
  int want_alpha = lua_toboolean(L, -1);
  lua_pop(L, 1);
  size_t na = d->nann;
  /* the copy's room first (clusters <= annotations): nothing may raise while c holds memory */
  uint32_t *cl = lua_newuserdatauv(L, (2 * na + 1) * sizeof *cl, 0);
  CmpClusters c;
  memset(&c, 0, sizeof c);
  Err e = {0};
  CmpAlpha al;
  memset(&al, 0, sizeof al);
  if (cmp_cluster(d, &o, &c, &e) != 0 || (want_alpha && cmp_alpha(d, &o, &c, &al, &e) != 0)) {
    cmp_clusters_free(&c);
    return l_fail(L, &e);
  }
  size_t n = c.nclusters;
  memcpy(cl, c.cluster, na * sizeof *cl);
  memcpy(cl + na, c.item, n * sizeof *cl);
  uint64_t lo[CMP_NOUT], noann = c.no_annotator;
  memcpy(lo, c.left_out, sizeof lo);
  cmp_clusters_free(&c);
  lua_createtable(L, 0, 6);
  lua_createtable(L, (int)na, 0);
  for (size_t i = 0; i < na; i++) {
    if (cl[i] == CMP_NONE) lua_pushboolean(L, 0);
    else lua_pushinteger(L, (lua_Integer)cl[i] + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "cluster");
  lua_createtable(L, (int)n, 0);
  for (size_t k = 0; k < n; k++) {
    lua_pushinteger(L, (lua_Integer)cl[na + k] + 1);
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  lua_setfield(L, -2, "item");
  set_int(L, "n", n);
  lua_newtable(L);
  for (int k = 0; k < CMP_NOUT; k++)
    if (lo[k]) set_int(L, out_names[k], lo[k]);
  lua_setfield(L, -2, "left_out");
  set_int(L, "no_annotator", noann);
  if (want_alpha) {
    lua_createtable(L, 0, 6);
    if (al.defined) set_num(L, "value", al.value);
    else set_str(L, "undefined", al.why);
    set_num(L, "d_o", al.d_o);
    set_num(L, "d_e", al.d_e);
    set_int(L, "units", al.units);
    set_int(L, "pairable", al.pairable);
    lua_setfield(L, -2, "alpha");
  }
  return 1;
}
