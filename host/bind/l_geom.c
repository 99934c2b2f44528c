/* "annovet.c.geom": geometry.h on Lua tables (boxes, rotated boxes, polygons,
 * OKS, lanes, cuboids, text, tags, semantic masks), plus the mask API of
 * l_geom_mask.c. Points are flat lists {x0, y0, x1, y1, ...}. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geometry.h"
#include "l_annovet.h"
#include "l_geom.h"

/* Reads exactly n numbers (a box, a rotated box, a cuboid...) into v. */
static void check_fixed(lua_State *L, int arg, double *v, size_t n, const char *shape) {
  size_t k;
  double *p = geom_check_numbers(L, arg, &k, shape);
  if (k != n) luaL_argerror(L, arg, lua_pushfstring(L, "expected %s (%d numbers)", shape, (int)n));
  memcpy(v, p, n * sizeof *v);
  lua_pop(L, 1);
}

/* Reads a flat list of points (even count, at least min points) at arg. [-0, +1, e] */
static double *check_points(lua_State *L, int arg, size_t *npts, size_t min, const char *what) {
  size_t k;
  double *p = geom_check_numbers(L, arg, &k, what);
  if (k % 2 || k / 2 < min)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: expected at least %d points as x, y pairs", what, (int)min));
  *npts = k / 2;
  return p;
}

/* geom.box_iou(dt, gt [, crowd]) -> IoU of {x, y, w, h} boxes. [-3, +1, e] */
static int l_box_iou(lua_State *L) {
  double a[4], b[4];
  check_fixed(L, 1, a, 4, "{x, y, w, h}");
  check_fixed(L, 2, b, 4, "{x, y, w, h}");
  lua_pushnumber(L, geom_box_iou(a, b, lua_toboolean(L, 3)));
  return 1;
}

/* geom.rbox_iou(a, b) -> IoU of {cx, cy, w, h, angle} rotated boxes. [-2, +1, e] */
static int l_rbox_iou(lua_State *L) {
  double a[5], b[5];
  check_fixed(L, 1, a, 5, "{cx, cy, w, h, angle}");
  check_fixed(L, 2, b, 5, "{cx, cy, w, h, angle}");
  lua_pushnumber(L, geom_rbox_iou(a, b));
  return 1;
}

static void push_points(lua_State *L, const double *xy, size_t n) {
  lua_createtable(L, (int)(2 * n), 0);
  for (size_t i = 0; i < 2 * n; i++) {
    lua_pushnumber(L, xy[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* geom.rbox_corners(rb) -> {x0, y0, ..., x3, y3}. [-1, +1, e] */
static int l_rbox_corners(lua_State *L) {
  double rb[5], xy[8];
  check_fixed(L, 1, rb, 5, "{cx, cy, w, h, angle}");
  geom_rbox_corners(rb, xy);
  push_points(L, xy, 4);
  return 1;
}

/* geom.polygon_area(xy) -> area (shoelace). [-1, +1, e] */
static int l_polygon_area(lua_State *L) {
  size_t n;
  double *xy = check_points(L, 1, &n, 0, "polygon");
  lua_pushnumber(L, geom_polygon_area(xy, n));
  return 1;
}

/* geom.convex_hull(xy) -> hull points, counter-clockwise in y-up terms. [-1, +1, e] */
static int l_convex_hull(lua_State *L) {
  size_t n;
  double *xy = check_points(L, 1, &n, 0, "points");
  double *hull = lua_newuserdatauv(L, (2 * n + 2) * sizeof *hull, 0);
  size_t k = geom_convex_hull(xy, n, hull);
  push_points(L, hull, k);
  return 1;
}

/* geom.convex_iou(p, q) -> IoU of two convex polygons. [-2, +1, e] */
static int l_convex_iou(lua_State *L) {
  size_t np, nq;
  double *p = check_points(L, 1, &np, 3, "p"), *q = check_points(L, 2, &nq, 3, "q");
  luaL_argcheck(L, np <= GEOM_CLIP_MAX && nq <= GEOM_CLIP_MAX, 1, "convex polygons of at most 64 points");
  lua_pushnumber(L, geom_convex_iou(p, np, q, nq));
  return 1;
}

/* geom.oks(dt, gt, {area =, bbox =, sigmas =}) -> COCO object keypoint
 * similarity; dt and gt are {x, y, v, ...}; sigmas default to COCO's 17. [-3, +1, e] */
static int l_oks(lua_State *L) {
  lua_settop(L, 3);
  size_t nd, ng, ns = 17;
  double *dt = geom_check_numbers(L, 1, &nd, "dt"), *gt = geom_check_numbers(L, 2, &ng, "gt");
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_getfield(L, 3, "area");
  int ok;
  double area = lua_tonumberx(L, -1, &ok);
  if (!ok) return luaL_argerror(L, 3, "area: expected a number");
  double bb[4];
  lua_getfield(L, 3, "bbox");
  check_fixed(L, lua_gettop(L), bb, 4, "bbox {x, y, w, h}");
  const double *sig = geom_coco_sigmas;
  if (lua_getfield(L, 3, "sigmas") != LUA_TNIL) sig = geom_check_numbers(L, -1, &ns, "sigmas");
  luaL_argcheck(L, ns > 0 && ns <= GEOM_KP_MAX, 3, "sigmas: 1 to 1024 of them");
  luaL_argcheck(L, nd == 3 * ns, 1, "expected x, y, v for each keypoint (3 numbers per sigma)");
  luaL_argcheck(L, ng == 3 * ns, 2, "expected x, y, v for each keypoint (3 numbers per sigma)");
  lua_pushnumber(L, geom_oks(dt, gt, ns, sig, area, bb));
  return 1;
}

/* An optional number field of the table at idx. */
static double opt_number(lua_State *L, int idx, const char *key, double def) {
  if (!lua_istable(L, idx)) return def;
  lua_getfield(L, idx, key);
  int ok;
  double v = lua_tonumberx(L, -1, &ok);
  int nil = lua_isnil(L, -1);
  lua_pop(L, 1);
  if (!nil && !ok) luaL_error(L, "option %s: expected a number", key);
  return nil ? def : v;
}

/* geom.polyline_mask(xy, {width = 30, h =, w =, ox = 0, oy = 0}) -> rle: the
 * band of the lane as pixels of an h x w image whose corner is (ox, oy). [-2, +1, e] */
static int l_polyline_mask(lua_State *L) {
  lua_settop(L, 2);
  size_t n;
  double *xy = check_points(L, 1, &n, 1, "polyline");
  double width = opt_number(L, 2, "width", 30), h = opt_number(L, 2, "h", -1), w = opt_number(L, 2, "w", -1);
  luaL_argcheck(L, h >= 0 && w >= 0 && h <= UINT32_MAX && w <= UINT32_MAX, 2, "h and w are needed");
  Scratch *s = geom_scratch(L, 2);
  Rle r;
  Err e = {0};
  if (geom_polyline_rle(xy, n, width, opt_number(L, 2, "ox", 0), opt_number(L, 2, "oy", 0),
                        (uint32_t)h, (uint32_t)w, &r, &e) != 0)
    return luaL_error(L, "%s", e.msg);
  s->p[1] = r.cnts;
  geom_push_rle(L, &r, &s->p[0]);
  return 1;
}

/* geom.polyline_iou(a, b, {width = 30, h =, w =}) -> IoU of the two lanes'
 * bands (geom_polyline_rle), on the h x w image when given, else on a window
 * holding both. [-3, +1, e] */
static int l_polyline_iou(lua_State *L) {
  lua_settop(L, 3);
  size_t na, nb;
  double *a = check_points(L, 1, &na, 1, "a"), *b = check_points(L, 2, &nb, 1, "b");
  double width = opt_number(L, 3, "width", 30), h = opt_number(L, 3, "h", -1), w = opt_number(L, 3, "w", -1);
  double win[4] = {0, 0, w, h};
  if (h < 0 || w < 0) geom_polyline_window(a, na, b, nb, width, win);
  luaL_argcheck(L, win[2] * win[3] <= (double)RLE_MAX_PIXELS, 3, "lanes too far apart to rasterise");
  Scratch *s = geom_scratch(L, 2);
  Rle ra, rb;
  Err e = {0};
  if (geom_polyline_rle(a, na, width, win[0], win[1], (uint32_t)win[3], (uint32_t)win[2], &ra, &e) != 0)
    return luaL_error(L, "%s", e.msg);
  s->p[0] = ra.cnts;
  if (geom_polyline_rle(b, nb, width, win[0], win[1], (uint32_t)win[3], (uint32_t)win[2], &rb, &e) != 0)
    return luaL_error(L, "%s", e.msg);
  s->p[1] = rb.cnts;
  double iou;
  if (rle_iou(&ra, 1, &rb, 1, NULL, &iou, &e) != 0) return luaL_error(L, "%s", e.msg);
  lua_pushnumber(L, iou);
  return 1;
}

/* geom.chamfer(a, b [, step [, threshold]]) -> symmetric Chamfer distance of two
 * polylines, and with a threshold whether they match (distance <= threshold).
 * [-4, +1|2, e] */
static int l_chamfer(lua_State *L) {
  lua_settop(L, 4);
  double step = luaL_optnumber(L, 3, 0);
  int with_thr = !lua_isnil(L, 4);
  double thr = with_thr ? luaL_checknumber(L, 4) : 0;
  size_t na, nb;
  double *a = check_points(L, 1, &na, 1, "a"), *b = check_points(L, 2, &nb, 1, "b");
  double d = geom_chamfer(a, na, b, nb, step);
  lua_pushnumber(L, d);
  if (!with_thr) return 1;
  lua_pushboolean(L, d <= thr);
  return 2;
}

/* geom.cuboid_iou(a, b) -> IoU of the hulls of two cuboids' 8 projected corners. [-2, +1, e] */
static int l_cuboid_iou(lua_State *L) {
  double a[16], b[16];
  check_fixed(L, 1, a, 16, "8 corners x, y");
  check_fixed(L, 2, b, 16, "8 corners x, y");
  lua_pushnumber(L, geom_cuboid_iou2d(a, b));
  return 1;
}

/* geom.cuboid_iou3d(a, b) -> 3D IoU of {cx, cy, cz, l, w, h, yaw} boxes. [-2, +1, e] */
static int l_cuboid_iou3d(lua_State *L) {
  double a[7], b[7];
  check_fixed(L, 1, a, 7, "{cx, cy, cz, l, w, h, yaw}");
  check_fixed(L, 2, b, 7, "{cx, cy, cz, l, w, h, yaw}");
  lua_pushnumber(L, geom_cuboid_iou3d(a, b));
  return 1;
}

/* Edit distance of two strings at arg 1, 2 over chars or words. */
static void edit(lua_State *L, int words, size_t *dist, size_t *n) {
  size_t la, lb;
  const char *a = luaL_checklstring(L, 1, &la), *b = luaL_checklstring(L, 2, &lb);
  Err e = {0};
  if (geom_edit_distance(a, la, b, lb, words, dist, n, &e) != 0) luaL_error(L, "%s", e.msg);
}

/* geom.edit_distance(ref, hyp [, "words"]) -> distance, reference length. [-3, +2, e] */
static int l_edit_distance(lua_State *L) {
  static const char *const modes[] = {"chars", "words", NULL};
  int words = luaL_checkoption(L, 3, "chars", modes);
  size_t d, n;
  edit(L, words, &d, &n);
  lua_pushinteger(L, (lua_Integer)d);
  lua_pushinteger(L, (lua_Integer)n);
  return 2;
}

/* geom.cer(ref, hyp) / geom.wer(ref, hyp) -> rate, distance, reference length;
 * the rate is nil (undefined) for an empty reference. [-2, +3, e] */
static int rate(lua_State *L, int words) {
  size_t d, n;
  edit(L, words, &d, &n);
  if (n) lua_pushnumber(L, (double)d / (double)n); else lua_pushnil(L);
  lua_pushinteger(L, (lua_Integer)d);
  lua_pushinteger(L, (lua_Integer)n);
  return 3;
}

static int l_cer(lua_State *L) { return rate(L, 0); }
static int l_wer(lua_State *L) { return rate(L, 1); }

/* Pushes a / b, or nil when b is 0. */
static void push_ratio(lua_State *L, double a, double b) {
  if (b > 0) lua_pushnumber(L, a / b); else lua_pushnil(L);
}

/* Label -> index through the table at lab (index 1-based in it), adding new
 * labels to the list at names. Returns the 0-based index. */
static uint32_t label_id(lua_State *L, int lab, int names, int val) {
  lua_pushvalue(L, val);
  if (lua_rawget(L, lab) == LUA_TNUMBER) {
    uint32_t id = (uint32_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return id;
  }
  lua_pop(L, 1);
  uint32_t id = (uint32_t)lua_rawlen(L, names);
  lua_pushvalue(L, val);
  lua_pushinteger(L, id);
  lua_rawset(L, lab);
  lua_pushvalue(L, val);
  lua_rawseti(L, names, (lua_Integer)id + 1);
  return id;
}

/* Reads the label lists of arg (one per item) into pairs. [-0, +1, e] */
static size_t tag_pairs(lua_State *L, int arg, size_t nitems, int lab, int names, uint32_t **item,
                        uint32_t **label) {
  size_t n = 0;
  for (size_t i = 0; i < nitems; i++) {
    lua_rawgeti(L, arg, (lua_Integer)i + 1);
    if (!lua_isnil(L, -1) && !lua_istable(L, -1)) luaL_error(L, "#%d[%d]: expected a list of labels", arg, (int)i + 1);
    n += lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
    lua_pop(L, 1);
  }
  uint32_t *p = lua_newuserdatauv(L, (2 * n + 2) * sizeof *p, 0);
  *item = p;
  *label = p + n + 1;
  size_t k = 0;
  for (size_t i = 0; i < nitems; i++) {
    if (lua_rawgeti(L, arg, (lua_Integer)i + 1) == LUA_TTABLE) {
      int t = lua_gettop(L);
      size_t m = lua_rawlen(L, t);
      for (size_t j = 0; j < m; j++) {
        int ty = lua_rawgeti(L, t, (lua_Integer)j + 1);
        if (ty != LUA_TSTRING && ty != LUA_TNUMBER) luaL_error(L, "#%d[%d][%d]: expected a label", arg, (int)i + 1, (int)j + 1);
        (*item)[k] = (uint32_t)i;
        (*label)[k++] = label_id(L, lab, names, lua_gettop(L));
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 1);
  }
  return n;
}

/* geom.tags(gold, vendor) -> {items, exact, exact_match, labels = {label =
 * {tp, fp, fn, precision, recall, f1}}}: gold[i] and vendor[i] are the label
 * lists of item i; precision, recall and F1 are nil where undefined. [-2, +1, e] */
static int l_tags(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  size_t n1 = lua_rawlen(L, 1), n2 = lua_rawlen(L, 2), nitems = n1 > n2 ? n1 : n2;
  luaL_argcheck(L, nitems < UINT32_MAX, 1, "too many items");
  lua_settop(L, 2);
  lua_newtable(L);   /* 3: label -> id */
  lua_newtable(L);   /* 4: id -> label */
  uint32_t *gi, *gl, *vi, *vl;
  size_t ng = tag_pairs(L, 1, nitems, 3, 4, &gi, &gl);
  size_t nv = tag_pairs(L, 2, nitems, 3, 4, &vi, &vl);
  size_t nl = lua_rawlen(L, 4);
  uint64_t *cnt = lua_newuserdatauv(L, (3 * nl + 1) * sizeof *cnt, 0), exact;
  memset(cnt, 0, (3 * nl + 1) * sizeof *cnt);
  Err e = {0};
  if (geom_tag_counts(gi, gl, ng, vi, vl, nv, (uint32_t)nitems, (uint32_t)nl, cnt, cnt + nl,
                      cnt + 2 * nl, &exact, &e) != 0)
    return luaL_error(L, "%s", e.msg);
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, (lua_Integer)nitems);
  lua_setfield(L, -2, "items");
  lua_pushinteger(L, (lua_Integer)exact);
  lua_setfield(L, -2, "exact");
  push_ratio(L, (double)exact, (double)nitems);
  lua_setfield(L, -2, "exact_match");
  lua_createtable(L, 0, (int)nl);
  for (size_t l = 0; l < nl; l++) {
    double tp = (double)cnt[l], fp = (double)cnt[nl + l], fn = (double)cnt[2 * nl + l];
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, (lua_Integer)cnt[l]);
    lua_setfield(L, -2, "tp");
    lua_pushinteger(L, (lua_Integer)cnt[nl + l]);
    lua_setfield(L, -2, "fp");
    lua_pushinteger(L, (lua_Integer)cnt[2 * nl + l]);
    lua_setfield(L, -2, "fn");
    push_ratio(L, tp, tp + fp);
    lua_setfield(L, -2, "precision");
    push_ratio(L, tp, tp + fn);
    lua_setfield(L, -2, "recall");
    push_ratio(L, 2 * tp, 2 * tp + fp + fn);
    lua_setfield(L, -2, "f1");
    lua_rawgeti(L, 4, (lua_Integer)l + 1);
    lua_insert(L, -2);
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "labels");
  return 1;
}

/* geom.semantic_iou(gold, pred) -> {iou = {...}, mean =, inter = {...}, union =
 * {...}}: gold[c] and pred[c] are the RLEs of class c (all one size); iou[c] is
 * nil where neither has the class, and the mean is over the others. [-2, +1, e] */
static int l_semantic_iou(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  size_t n = lua_rawlen(L, 1);
  luaL_argcheck(L, lua_rawlen(L, 2) == n && n > 0, 2, "expected one RLE per class, as many as gold");
  Rle *r = lua_newuserdatauv(L, 2 * n * sizeof *r, 0);
  uint64_t *cnt = lua_newuserdatauv(L, 2 * n * sizeof *cnt, 0);
  Scratch *s = geom_scratch(L, 2 * n);
  for (size_t c = 0; c < 2 * n; c++) {
    char name[48];
    snprintf(name, sizeof name, "%s[%zu]", c < n ? "gold" : "pred", c % n + 1);
    lua_rawgeti(L, c < n ? 1 : 2, (lua_Integer)(c % n) + 1);
    geom_check_rle(L, -1, &r[c], &s->p[c], name);
    lua_pop(L, 1);
  }
  Err e = {0};
  if (geom_semantic_iou(r, r + n, n, cnt, cnt + n, &e) != 0) return luaL_error(L, "%s", e.msg);
  lua_createtable(L, 0, 4);
  double *iou = lua_newuserdatauv(L, n * sizeof *iou, 0);
  size_t k = 0;
  const char *keys[3] = {"iou", "inter", "union"};
  for (int f = 0; f < 3; f++) {
    lua_createtable(L, (int)n, 0);
    for (size_t c = 0; c < n; c++) {
      if (f == 0) push_ratio(L, (double)cnt[c], (double)cnt[n + c]);
      else lua_pushinteger(L, (lua_Integer)cnt[(f - 1) * n + c]);
      lua_rawseti(L, -2, (lua_Integer)c + 1);
      if (f == 0 && cnt[n + c] > 0) iou[k++] = (double)cnt[c] / (double)cnt[n + c];
    }
    lua_setfield(L, -3, keys[f]);
  }
  double mean = k ? geom_sum(iou, k) / (double)k : 0;
  lua_pop(L, 1);
  if (k) lua_pushnumber(L, mean); else lua_pushnil(L);
  lua_setfield(L, -2, "mean");
  return 1;
}

/* The module table: geometry, the mask API and coco_sigmas. [-0, +1, m] */
int luaopen_annovet_c_geom(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"box_iou", l_box_iou},
    {"rbox_iou", l_rbox_iou},
    {"rbox_corners", l_rbox_corners},
    {"polygon_area", l_polygon_area},
    {"convex_hull", l_convex_hull},
    {"convex_iou", l_convex_iou},
    {"oks", l_oks},
    {"polyline_mask", l_polyline_mask},
    {"polyline_iou", l_polyline_iou},
    {"chamfer", l_chamfer},
    {"cuboid_iou", l_cuboid_iou},
    {"cuboid_iou3d", l_cuboid_iou3d},
    {"edit_distance", l_edit_distance},
    {"cer", l_cer},
    {"wer", l_wer},
    {"tags", l_tags},
    {"semantic_iou", l_semantic_iou},
    {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  luaL_setfuncs(L, geom_mask_funcs, 0);
  lua_createtable(L, 17, 0);
  for (int i = 0; i < 17; i++) {
    lua_pushnumber(L, geom_coco_sigmas[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "coco_sigmas");
  return 1;
}
