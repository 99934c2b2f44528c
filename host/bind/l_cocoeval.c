/* "annovet.c.cocoeval": COCO evaluation of a results dataset against a ground
 * truth (cocoeval_input.c builds the input, cocoeval.c computes). */
#include <stdlib.h>
#include <string.h>

#include "cocoeval_input.h"
#include "cocoeval.h"
#include "l_annovet.h"
#include "lauxlib.h"
#include "model.h"

#define BOX_MT "annovet.cocoeval.box"

/* Everything one evaluation allocates, released by __gc/__close even when an
 * error unwinds the binding. */
typedef struct EvalBox {
  CocoData data;
  CocoEval ev;
} EvalBox;

static int box_release(lua_State *L) {
  EvalBox *b = luaL_checkudata(L, 1, BOX_MT);
  cocoeval_input_free(&b->data);
  cocoeval_free(&b->ev);
  return 0;
}

/* Reads the optional list of integer ids in field key of the options at idx into
 * userdata memory (pushed, or nil pushed when absent). [-0, +1, e] */
static int64_t *opt_ids(lua_State *L, int idx, const char *key, size_t *n) {
  *n = 0;
  if (lua_getfield(L, idx, key) == LUA_TNIL) return NULL;
  if (!lua_istable(L, -1)) luaL_error(L, "option %s: expected a list of ids", key);
  int t = lua_gettop(L);
  *n = lua_rawlen(L, t);
  int64_t *v = lua_newuserdatauv(L, (*n + 1) * sizeof *v, 0);
  for (size_t i = 0; i < *n; i++) {
    lua_rawgeti(L, t, (lua_Integer)i + 1);
    int ok;
    v[i] = lua_tointegerx(L, -1, &ok);
    if (!ok) luaL_error(L, "option %s[%d]: expected an integer id", key, (int)i + 1);
    lua_pop(L, 1);
  }
  lua_replace(L, t);
  return v;
}

/* Pushes v, or nil for pycocotools' -1 (undefined). */
static void push_ap(lua_State *L, double v) {
  if (v > -1) lua_pushnumber(L, v); else lua_pushnil(L);
}

/* Pushes {name = {id, ap, ap50, ap75}} for the evaluated categories; a name used
 * twice gets "name#id". [-0, +1, m] */
static void push_per_class(lua_State *L, const Dataset *gt, const EvalBox *b) {
  const CocoEval *ev = &b->ev;
  int t50 = cocoeval_iou_index(ev, .5), t75 = cocoeval_iou_index(ev, .75);
  lua_createtable(L, 0, (int)ev->K);
  for (uint32_t k = 0; k < ev->K && k < b->data.in.ncat; k++) {
    const Category *c = &gt->cats[b->data.cat_of[k]];
    const char *name = strpool_get(&gt->str, c->name);
    if (lua_getfield(L, -1, name) != LUA_TNIL) name = lua_pushfstring(L, "%s#%I", name, (lua_Integer)c->id);
    else lua_pushstring(L, name);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)c->id);
    lua_setfield(L, -2, "id");
    push_ap(L, cocoeval_class_ap(ev, k, -1));
    lua_setfield(L, -2, "ap");
    push_ap(L, t50 < 0 ? -1 : cocoeval_class_ap(ev, k, t50));
    lua_setfield(L, -2, "ap50");
    push_ap(L, t75 < 0 ? -1 : cocoeval_class_ap(ev, k, t75));
    lua_setfield(L, -2, "ap75");
    lua_rawset(L, -4);
    lua_pop(L, 1);
  }
}

/* cocoeval.evaluate(gt, dt, {iou_type = "bbox"|"segm"|"keypoints", img_ids =,
 * cat_ids =, sigmas =, use_cats = true}) -> {iou_type, stats = {12 or 10},
 * per_class = {...}, images, categories, gt, dt, unknown_img_ids,
 * unknown_cat_ids, unknown_dt_categories} | nil, message (bad input). [-3, +1|2, e] */
static int l_evaluate(lua_State *L) {
  static const char *const types[] = {"bbox", "segm", "keypoints", NULL};
  const Dataset *gt = l_dataset_check(L, 1), *dt = l_dataset_check(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  CocoOpts o;
  memset(&o, 0, sizeof o);
  lua_getfield(L, 3, "iou_type");
  o.type = (CocoIouType)luaL_checkoption(L, -1, NULL, types);
  o.img_ids = opt_ids(L, 3, "img_ids", &o.nimg_ids);
  o.cat_ids = opt_ids(L, 3, "cat_ids", &o.ncat_ids);
  lua_getfield(L, 3, "use_cats");
  o.use_cats = lua_isnil(L, -1) || lua_toboolean(L, -1);
  if (lua_getfield(L, 3, "sigmas") != LUA_TNIL) {
    int t = lua_gettop(L);
    if (!lua_istable(L, t)) return luaL_error(L, "option sigmas: expected a list of numbers");
    size_t n = lua_rawlen(L, t);
    double *s = lua_newuserdatauv(L, (n + 1) * sizeof *s, 0);
    for (size_t i = 0; i < n; i++) {
      lua_rawgeti(L, t, (lua_Integer)i + 1);
      int ok;
      s[i] = lua_tonumberx(L, -1, &ok);
      if (!ok || !(s[i] > 0)) return luaL_error(L, "option sigmas[%d]: expected a positive number", (int)i + 1);
      lua_pop(L, 1);
    }
    if (n == 0 || n > UINT32_MAX) return luaL_error(L, "option sigmas: expected at least one");
    o.sigmas = s;
    o.nsigmas = (uint32_t)n;
  }
  EvalBox *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  l_class(L, BOX_MT, NULL, box_release);
  luaL_setmetatable(L, BOX_MT);
  lua_toclose(L, -1);
  Err e = {0};
  if (cocoeval_input_build(gt, dt, &o, &b->data, &e) != 0 || cocoeval_evaluate(&b->data.in, &b->ev, &e) != 0) {
    return l_fail(L, &e);
  }
  lua_createtable(L, 0, 9);
  lua_pushstring(L, types[o.type]);
  lua_setfield(L, -2, "iou_type");
  lua_createtable(L, (int)b->ev.nstats, 0);
  for (uint32_t i = 0; i < b->ev.nstats; i++) {
    lua_pushnumber(L, b->ev.stats[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "stats");
  if (o.use_cats) {
    push_per_class(L, gt, b);
    lua_setfield(L, -2, "per_class");
  }
  const struct { const char *k; size_t v; } counts[] = {
    {"images", b->data.in.nimg}, {"categories", b->data.in.ncat}, {"gt", b->data.in.ngt},
    {"dt", b->data.in.ndt}, {"unknown_img_ids", b->data.unknown_imgs},
    {"unknown_cat_ids", b->data.unknown_cats}, {"unknown_dt_categories", b->data.unknown_dt_cats},
  };
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    lua_pushinteger(L, (lua_Integer)counts[i].v);
    lua_setfield(L, -2, counts[i].k);
  }
  return 1;
}

/* The module table {evaluate}. [-0, +1, m] */
int luaopen_annovet_c_cocoeval(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"evaluate", l_evaluate},
    {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  return 1;
}
