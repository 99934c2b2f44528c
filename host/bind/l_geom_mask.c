/* Binding of the mask API (rle.c) for "annovet.c.geom": pycocotools' encode,
 * decode, merge, area, iou, toBbox, frBbox, frPoly, frPyObjects and annToRLE on
 * Lua tables. An RLE is {size = {h, w}, counts = "compressed string"}; inputs
 * may also give counts as a list of run lengths (uncompressed). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geometry.h"
#include "l_annovet.h"
#include "l_geom.h"
#include "l_sandbox.h"
#include "lauxlib.h"
#include "rle.h"

#define SCRATCH_MT "annovet.geom.scratch"

/* Malloc'd blocks owned by a userdata, freed by its __gc/__close even when a
 * Lua error unwinds past the function that made them. */
static int scratch_release(lua_State *L) {
  Scratch *s = luaL_checkudata(L, 1, SCRATCH_MT);
  for (size_t i = 0; i < s->n; i++) {
    free(s->p[i]);
    s->p[i] = NULL;
  }
  return 0;
}

/* Pushes a scratch with n empty slots. [-0, +1, m] */
Scratch *geom_scratch(lua_State *L, size_t n) {
  if (n > (SIZE_MAX - sizeof(Scratch)) / sizeof(void *)) luaL_error(L, "too many objects");
  Scratch *s = lua_newuserdatauv(L, sizeof *s + n * sizeof(void *), 0);
  s->n = n;
  for (size_t i = 0; i < n; i++) s->p[i] = NULL;
  l_class(L, SCRATCH_MT, NULL, scratch_release);
  luaL_setmetatable(L, SCRATCH_MT);
  return s;
}

/* A non-negative integer field or element of the table at idx. */
static lua_Integer get_count(lua_State *L, int idx, lua_Integer i, const char *what) {
  lua_rawgeti(L, idx, i);
  int ok;
  lua_Integer v = lua_tointegerx(L, -1, &ok);
  lua_pop(L, 1);
  if (!ok || v < 0 || v > (lua_Integer)UINT32_MAX)
    luaL_error(L, "%s[%d]: expected an integer in 0..2^32-1", what, (int)i);
  return v;
}

/* Reads the RLE table at idx into r; its counts are malloc'd into *slot (owned
 * by a scratch). Raises on a malformed RLE. [-0, +0, e] */
void geom_check_rle(lua_State *L, int idx, Rle *r, void **slot, const char *what) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx)) luaL_error(L, "%s: expected an RLE table {size = {h, w}, counts = ...}", what);
  if (lua_getfield(L, idx, "size") != LUA_TTABLE || lua_rawlen(L, -1) != 2)
    luaL_error(L, "%s.size: expected {h, w}", what);
  r->h = (uint32_t)get_count(L, lua_gettop(L), 1, "size");
  r->w = (uint32_t)get_count(L, lua_gettop(L), 2, "size");
  lua_pop(L, 1);
  int t = lua_getfield(L, idx, "counts");
  Err e = {0};
  if (t == LUA_TSTRING) {
    size_t len, m;
    const char *s = lua_tolstring(L, -1, &len);
    uint32_t *c;
    if (rle_from_string(s, len, &c, &m, &e) != 0) luaL_error(L, "%s.counts: %s", what, e.msg);
    *slot = c;
    r->cnts = c;
    r->m = m;
  } else if (t == LUA_TTABLE) {
    size_t m = lua_rawlen(L, -1);
    uint32_t *c = malloc((m ? m : 1) * sizeof *c);
    if (!c) luaL_error(L, "out of memory");
    *slot = c;
    for (size_t i = 0; i < m; i++) c[i] = (uint32_t)get_count(L, lua_gettop(L), (lua_Integer)i + 1, "counts");
    r->cnts = c;
    r->m = m;
  } else {
    luaL_error(L, "%s.counts: expected a string or a list of run lengths", what);
  }
  lua_pop(L, 1);
  if (rle_check(r, &e) != 0) luaL_error(L, "%s: %s", what, e.msg);
}

/* Pushes {size = {h, w}, counts = compressed string}; slot holds the string
 * while it is pushed. [-0, +1, m] */
void geom_push_rle(lua_State *L, const Rle *r, void **slot) {
  Err e = {0};
  char *s = rle_to_string(r->cnts, r->m, &e);
  if (!s) luaL_error(L, "%s", e.msg);
  *slot = s;
  lua_createtable(L, 0, 2);
  lua_createtable(L, 2, 0);
  lua_pushinteger(L, r->h);
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, r->w);
  lua_rawseti(L, -2, 2);
  lua_setfield(L, -2, "size");
  lua_pushstring(L, s);
  lua_setfield(L, -2, "counts");
  free(s);
  *slot = NULL;
}

/* A size argument: a positive integer that fits the mask limit. */
static uint32_t check_dim(lua_State *L, int arg) {
  lua_Integer v = luaL_checkinteger(L, arg);
  luaL_argcheck(L, v >= 0 && v <= (lua_Integer)UINT32_MAX, arg, "expected a size in 0..2^32-1");
  return (uint32_t)v;
}

/* geom.encode(mask, h, w) -> rle: mask is a list of h*w numbers (or a string of
 * h*w bytes) in column-major order; a run starts wherever a value changes, as
 * pycocotools. [-3, +1, e] */
static int l_encode(lua_State *L) {
  uint32_t h = check_dim(L, 2), w = check_dim(L, 3);
  uint64_t n = (uint64_t)h * w;
  luaL_argcheck(L, n <= RLE_MAX_PIXELS, 2, "mask too large");
  Scratch *s = geom_scratch(L, 3);
  sandbox_reserve(L, n);
  uint8_t *m = malloc(n ? n : 1);
  if (!m) return luaL_error(L, "out of memory");
  s->p[2] = m;
  if (lua_type(L, 1) == LUA_TSTRING) {
    size_t len;
    const char *str = lua_tolstring(L, 1, &len);
    luaL_argcheck(L, len == n, 1, "expected h * w bytes");
    memcpy(m, str, n);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argcheck(L, lua_rawlen(L, 1) == n, 1, "expected h * w values");
    for (uint64_t i = 0; i < n; i++) {
      lua_rawgeti(L, 1, (lua_Integer)i + 1);
      lua_Integer v = lua_tointeger(L, -1);
      lua_pop(L, 1);
      m[i] = (uint8_t)v;
    }
  }
  Rle r;
  Err e = {0};
  if (rle_encode(m, h, w, &r, &e) != 0) return luaL_error(L, "%s", e.msg);
  s->p[1] = r.cnts;
  geom_push_rle(L, &r, &s->p[0]);
  return 1;
}

/* geom.decode(rle) -> {0/1 ...} (h*w values, column-major). [-1, +1, e] */
static int l_decode(lua_State *L) {
  Scratch *s = geom_scratch(L, 2);
  Rle r;
  geom_check_rle(L, 1, &r, &s->p[0], "rle");
  uint64_t n = (uint64_t)r.h * r.w;
  sandbox_reserve(L, n);   /* before the bytes are touched: 65535 x 65535 is 4 GB */
  uint8_t *m = malloc(n ? n : 1);
  if (!m) return luaL_error(L, "out of memory");
  s->p[1] = m;
  Err e = {0};
  if (rle_decode(&r, m, &e) != 0) return luaL_error(L, "%s", e.msg);
  lua_createtable(L, (int)(n < INT32_MAX ? n : 0), 0);
  for (uint64_t i = 0; i < n; i++) {
    lua_pushinteger(L, m[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* Reads the list of RLEs at idx into a new array (in userdata memory, pushed)
 * with a scratch (pushed too) owning the counts. [-0, +2, e] */
static Rle *check_rle_list(lua_State *L, int idx, size_t *n, const char *what) {
  idx = lua_absindex(L, idx);
  luaL_checktype(L, idx, LUA_TTABLE);
  *n = lua_rawlen(L, idx);
  Rle *r = lua_newuserdatauv(L, (*n + 1) * sizeof *r, 0);
  Scratch *s = geom_scratch(L, *n);
  for (size_t i = 0; i < *n; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    char name[64];
    snprintf(name, sizeof name, "%s[%zu]", what, i + 1);
    geom_check_rle(L, -1, &r[i], &s->p[i], name);
    lua_pop(L, 1);
  }
  return r;
}

/* geom.merge(rles [, intersect]) -> rle: union (or intersection) of the list,
 * as pycocotools merge. [-2, +1, e] */
static int l_merge(lua_State *L) {
  int intersect = lua_toboolean(L, 2);
  size_t n;
  Rle *rs = check_rle_list(L, 1, &n, "rles");
  Scratch *s = geom_scratch(L, 2);
  Rle out;
  Err e = {0};
  if (rle_merge(rs, n, intersect, &out, &e) != 0) return luaL_error(L, "%s", e.msg);
  s->p[1] = out.cnts;
  geom_push_rle(L, &out, &s->p[0]);
  return 1;
}

/* geom.area(rle) -> pixels set. [-1, +1, e] */
static int l_area(lua_State *L) {
  Scratch *s = geom_scratch(L, 1);
  Rle r;
  geom_check_rle(L, 1, &r, &s->p[0], "rle");
  lua_pushinteger(L, (lua_Integer)rle_area(&r));
  return 1;
}

static void push_box(lua_State *L, const double bb[4]) {
  lua_createtable(L, 4, 0);
  for (int k = 0; k < 4; k++) {
    lua_pushnumber(L, bb[k]);
    lua_rawseti(L, -2, k + 1);
  }
}

/* geom.to_bbox(rle) -> {x, y, w, h} (pycocotools toBbox). [-1, +1, e] */
static int l_to_bbox(lua_State *L) {
  Scratch *s = geom_scratch(L, 1);
  Rle r;
  geom_check_rle(L, 1, &r, &s->p[0], "rle");
  double bb[4];
  rle_to_bbox(&r, bb);
  push_box(L, bb);
  return 1;
}

/* Reads the list of numbers at idx into userdata memory (pushed). [-0, +1, e] */
double *geom_check_numbers(lua_State *L, int idx, size_t *n, const char *what) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx)) luaL_error(L, "%s: expected a list of numbers", what);
  *n = lua_rawlen(L, idx);
  double *v = lua_newuserdatauv(L, (*n + 1) * sizeof *v, 0);
  for (size_t i = 0; i < *n; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    int ok;
    v[i] = lua_tonumberx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok || !isfinite(v[i])) luaL_error(L, "%s[%d]: expected a finite number", what, (int)i + 1);
  }
  return v;
}

/* Rasterises a box (4 numbers) or a polygon (more) and pushes its RLE. */
static void push_from_numbers(lua_State *L, const double *v, size_t n, int box, uint32_t h,
                              uint32_t w) {
  Scratch *s = geom_scratch(L, 2);
  Rle r;
  Err e = {0};
  int rc = box ? rle_fr_bbox(v, h, w, &r, &e) : rle_fr_poly(v, n / 2, h, w, &r, &e);
  if (rc != 0) luaL_error(L, "%s", e.msg);
  s->p[1] = r.cnts;
  geom_push_rle(L, &r, &s->p[0]);
  lua_remove(L, -2);
}

/* geom.fr_bbox(box, h, w) -> rle. [-3, +1, e] */
static int l_fr_bbox(lua_State *L) {
  uint32_t h = check_dim(L, 2), w = check_dim(L, 3);
  size_t n;
  double *v = geom_check_numbers(L, 1, &n, "box");
  luaL_argcheck(L, n == 4, 1, "expected {x, y, w, h}");
  push_from_numbers(L, v, n, 1, h, w);
  return 1;
}

/* geom.fr_poly(xy, h, w) -> rle of one polygon {x0, y0, x1, y1, ...}. [-3, +1, e] */
static int l_fr_poly(lua_State *L) {
  uint32_t h = check_dim(L, 2), w = check_dim(L, 3);
  size_t n;
  double *v = geom_check_numbers(L, 1, &n, "polygon");
  luaL_argcheck(L, n >= 2, 1, "expected at least one point");
  push_from_numbers(L, v, n, 0, h, w);
  return 1;
}

/* Is the value at idx an RLE table (has counts and size)? */
static int is_rle(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx)) return 0;
  int c = lua_getfield(L, idx, "counts") != LUA_TNIL;
  int s = lua_getfield(L, idx, "size") != LUA_TNIL;
  lua_pop(L, 2);
  return c && s;
}

/* Pushes the compressed form of the RLE at idx (frUncompressedRLE: its own size). */
static void push_compressed(lua_State *L, int idx) {
  Scratch *s = geom_scratch(L, 2);
  Rle r;
  geom_check_rle(L, idx, &r, &s->p[1], "rle");
  geom_push_rle(L, &r, &s->p[0]);
  lua_remove(L, -2);
}

/* geom.fr_objects(obj, h, w) -> rle | {rle...}: pycocotools frPyObjects. A list
 * of boxes (4 numbers each) or polygons (more) or RLEs gives a list; one box,
 * polygon or RLE gives one RLE. [-3, +1, e] */
static int l_fr_objects(lua_State *L) {
  uint32_t h = check_dim(L, 2), w = check_dim(L, 3);
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 3);
  if (is_rle(L, 1)) {
    push_compressed(L, 1);
    return 1;
  }
  size_t n = lua_rawlen(L, 1);
  if (n == 0) return luaL_argerror(L, 1, "input type is not supported");
  int first = lua_rawgeti(L, 1, 1);
  lua_pop(L, 1);
  if (first == LUA_TNUMBER) {
    size_t k;
    double *v = geom_check_numbers(L, 1, &k, "obj");
    if (k < 4) return luaL_argerror(L, 1, "input type is not supported");
    push_from_numbers(L, v, k, k == 4, h, w);
    return 1;
  }
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 1, (lua_Integer)i + 1);
    if (is_rle(L, -1)) {
      push_compressed(L, -1);
    } else {
      char name[48];
      snprintf(name, sizeof name, "obj[%zu]", i + 1);
      size_t k;
      double *v = geom_check_numbers(L, -1, &k, name);
      if (k < 4) return luaL_error(L, "%s: input type is not supported", name);
      push_from_numbers(L, v, k, k == 4, h, w);
      lua_remove(L, -2);
    }
    lua_rawseti(L, 4, (lua_Integer)i + 1);
    lua_pop(L, 1);
  }
  return 1;
}

/* geom.to_rle(segmentation, h, w) -> rle: COCO.annToRLE, so a list of polygons
 * is merged into one mask, an uncompressed RLE compressed, a compressed one
 * returned as is. [-3, +1, e] */
static int l_to_rle(lua_State *L) {
  uint32_t h = check_dim(L, 2), w = check_dim(L, 3);
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 3);
  if (is_rle(L, 1)) {
    push_compressed(L, 1);
    return 1;
  }
  size_t n = lua_rawlen(L, 1);
  luaL_argcheck(L, n > 0, 1, "expected a list of polygons or an RLE");
  Rle *parts = lua_newuserdatauv(L, n * sizeof *parts, 0);
  Scratch *s = geom_scratch(L, n + 2);
  for (size_t i = 0; i < n; i++) {
    char name[48];
    snprintf(name, sizeof name, "segmentation[%zu]", i + 1);
    lua_rawgeti(L, 1, (lua_Integer)i + 1);
    size_t k;
    double *v = geom_check_numbers(L, -1, &k, name);
    if (k < 2) return luaL_error(L, "%s: a polygon needs at least one point", name);
    Err e = {0};
    if (rle_fr_poly(v, k / 2, h, w, &parts[i], &e) != 0) return luaL_error(L, "%s: %s", name, e.msg);
    s->p[i] = parts[i].cnts;
    lua_pop(L, 2);
  }
  Rle out;
  Err e = {0};
  if (rle_merge(parts, n, 0, &out, &e) != 0) return luaL_error(L, "%s", e.msg);
  s->p[n] = out.cnts;
  geom_push_rle(L, &out, &s->p[n + 1]);
  return 1;
}

/* Pushes the nd x ng matrix o as a list of rows. */
static void push_matrix(lua_State *L, const double *o, size_t nd, size_t ng) {
  lua_createtable(L, (int)nd, 0);
  for (size_t d = 0; d < nd; d++) {
    lua_createtable(L, (int)ng, 0);
    for (size_t g = 0; g < ng; g++) {
      lua_pushnumber(L, o[d * ng + g]);
      lua_rawseti(L, -2, (lua_Integer)g + 1);
    }
    lua_rawseti(L, -2, (lua_Integer)d + 1);
  }
}

/* Reads a list of boxes at idx into userdata memory (pushed). */
static double *check_boxes(lua_State *L, int idx, size_t n, const char *what) {
  double *b = lua_newuserdatauv(L, (4 * n + 1) * sizeof *b, 0);
  for (size_t i = 0; i < n; i++) {
    char name[48];
    snprintf(name, sizeof name, "%s[%zu]", what, i + 1);
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    size_t k;
    double *v = geom_check_numbers(L, -1, &k, name);
    if (k != 4) luaL_error(L, "%s: expected {x, y, w, h}", name);
    memcpy(b + 4 * i, v, 4 * sizeof *v);
    lua_pop(L, 2);
  }
  return b;
}

/* geom.iou(dts, gts, iscrowd) -> {{iou of dt 1 with each gt}, ...}: pycocotools
 * iou over two lists of boxes or two lists of RLEs; iscrowd one flag (0/1 or
 * boolean) per gt. {} when either list is empty. [-3, +1, e] */
static int l_iou(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  size_t nd = lua_rawlen(L, 1), ng = lua_rawlen(L, 2);
  uint8_t *crowd = lua_newuserdatauv(L, ng + 1, 0);
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_argcheck(L, lua_rawlen(L, 3) == ng, 3, "iscrowd must have one flag per gt");
    for (size_t g = 0; g < ng; g++) {
      lua_rawgeti(L, 3, (lua_Integer)g + 1);
      crowd[g] = lua_isboolean(L, -1) ? (uint8_t)lua_toboolean(L, -1) : lua_tointeger(L, -1) != 0;
      lua_pop(L, 1);
    }
  } else {
    memset(crowd, 0, ng + 1);
  }
  if (nd == 0 || ng == 0) {
    lua_newtable(L);
    return 1;
  }
  lua_rawgeti(L, 1, 1);
  int masks = is_rle(L, -1);
  lua_pop(L, 1);
  double *o = lua_newuserdatauv(L, nd * ng * sizeof *o, 0);
  if (masks) {
    size_t n1, n2;
    Rle *dt = check_rle_list(L, 1, &n1, "dts");
    Rle *gt = check_rle_list(L, 2, &n2, "gts");
    Err e = {0};
    if (rle_iou(dt, nd, gt, ng, crowd, o, &e) != 0) return luaL_error(L, "%s", e.msg);
  } else {
    double *dt = check_boxes(L, 1, nd, "dts"), *gt = check_boxes(L, 2, ng, "gts");
    geom_box_iou_matrix(dt, nd, gt, ng, crowd, o);
  }
  push_matrix(L, o, nd, ng);
  return 1;
}

const luaL_Reg geom_mask_funcs[] = {
  {"encode", l_encode},
  {"decode", l_decode},
  {"merge", l_merge},
  {"area", l_area},
  {"to_bbox", l_to_bbox},
  {"fr_bbox", l_fr_bbox},
  {"fr_poly", l_fr_poly},
  {"fr_objects", l_fr_objects},
  {"to_rle", l_to_rle},
  {"iou", l_iou},
  {NULL, NULL}
};
