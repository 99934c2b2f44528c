/* Binding of the gold-panel comparison: a prepared gold panel ("annovet.CmpGold"),
 * one vendor's result ("annovet.CmpResult") with its classes, annotators, items,
 * categories and an iterator over conflicts; the module table (with the
 * functions of l_compare_par.c and l_compare_agree.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "l_annovet.h"
#include "l_sandbox.h"
#include "l_compare.h"
#include "lauxlib.h"
#include "model.h"

/* __gc and close of a gold panel, idempotent. [-0, +0, -] */
static int gold_release(lua_State *L) {
  LGold *lg = luaL_checkudata(L, 1, GOLD_MT);
  cmp_gold_free(lg->g);
  lg->g = NULL;
  return 0;
}

/* __gc and close of a result, idempotent. [-0, +0, -] */
static int result_release(lua_State *L) {
  LResult *lr = luaL_checkudata(L, 1, RESULT_MT);
  cmp_result_free(lr->r);
  lr->r = NULL;
  return 0;
}

/* The gold at idx, open, with its dataset open. [-0, +0, v] */
LGold *l_cmpgold_check(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  LGold *lg = luaL_checkudata(L, idx, GOLD_MT);
  if (!lg->g) luaL_error(L, "attempt to use a closed gold panel");
  lua_getiuservalue(L, idx, 1);
  l_dataset_check(L, -1);
  lua_pop(L, 1);
  return lg;
}

/* The result at idx, checking that it and both its datasets are open. [-0, +0, v] */
CmpResult *l_cmpresult_check(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  LResult *lr = luaL_checkudata(L, idx, RESULT_MT);
  if (!lr->r) luaL_error(L, "attempt to use a closed comparison result");
  lua_getiuservalue(L, idx, 1);
  lua_getiuservalue(L, -1, 1);
  l_dataset_check(L, -1);
  lua_getiuservalue(L, idx, 2);
  l_dataset_check(L, -1);
  lua_pop(L, 3);
  return lr->r;
}

/* Keeps the value on top in the private table at ptab (popping it) and returns
 * it as a stable string when it is one. [-1, +0, m] */
static const char *keep_top(lua_State *L, int ptab) {
  const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  lua_rawseti(L, ptab, (lua_Integer)lua_rawlen(L, ptab) + 1);
  return s;
}

/* Options into o (see l_compare.h). [-0, +0, v] */
void l_compare_opts(lua_State *L, int idx, int ptab, CmpOpts *o) {
  memset(o, 0, sizeof *o);
  lua_getfield(L, idx, "type");
  int t = cmp_type_parse(luaL_optstring(L, -1, "bbox"));
  if (t < 0) luaL_error(L, "unknown iou type '%s'", lua_tostring(L, -1));
  o->type = (CmpType)t;
  lua_getfield(L, idx, "iou");
  o->thr = luaL_optnumber(L, -1, 0.5);
  lua_getfield(L, idx, "chamfer");
  o->chamfer = lua_toboolean(L, -1);
  lua_getfield(L, idx, "low");
  o->low = luaL_optnumber(L, -1, o->chamfer ? 2 * o->thr : 0.1);
  lua_getfield(L, idx, "matcher");
  const char *m = luaL_optstring(L, -1, "optimal");
  if (strcmp(m, "optimal") != 0 && strcmp(m, "greedy") != 0) luaL_error(L, "unknown matcher '%s'", m);
  o->greedy = m[0] == 'g';
  lua_getfield(L, idx, "line_width");
  o->line_width = luaL_optnumber(L, -1, 10);
  lua_getfield(L, idx, "chamfer_step");
  o->chamfer_step = luaL_optnumber(L, -1, 1);
  lua_getfield(L, idx, "count_missing");
  o->count_missing = lua_toboolean(L, -1);
  lua_getfield(L, idx, "threads");
  lua_Integer th = luaL_optinteger(L, -1, 0);
  if (th < 0 || th > 64) luaL_error(L, "threads must be 1 to 64");
  o->threads = (unsigned)th;
  lua_pop(L, 1);
  if (!(o->thr > 0) || (!o->chamfer && o->thr > 1)) luaL_error(L, "iou must be in (0, 1] (a distance > 0 with chamfer)");
  if (!(o->low > 0)) luaL_error(L, "low must be positive");
  if (!(o->line_width > 0)) luaL_error(L, "line_width must be positive");
  lua_pop(L, 8);

  if (lua_getfield(L, idx, "sigmas") == LUA_TTABLE) {
    int st = lua_gettop(L);
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, st); lua_pop(L, 1)) n++;
    CmpSigmas *sg = lua_newuserdatauv(L, (n + 1) * sizeof *sg, 0);
    keep_top(L, ptab);
    size_t k = 0;
    for (lua_pushnil(L); lua_next(L, st); lua_pop(L, 1)) {
      if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
        luaL_error(L, "sigmas: expected {class = {numbers}}");
      size_t len = lua_rawlen(L, -1);
      double *s = lua_newuserdatauv(L, (len + 1) * sizeof *s, 0);
      keep_top(L, ptab);
      for (size_t j = 0; j < len; j++) {
        lua_rawgeti(L, -1, (lua_Integer)j + 1);
        int ok;
        s[j] = lua_tonumberx(L, -1, &ok);
        if (!ok || !(s[j] > 0)) luaL_error(L, "sigmas.%s[%d]: expected a positive number", lua_tostring(L, -3), (int)j + 1);
        lua_pop(L, 1);
      }
      lua_pushvalue(L, -2);
      sg[k].cls = keep_top(L, ptab);
      sg[k].s = s;
      sg[k].n = (uint32_t)len;
      k++;
    }
    o->sigmas = sg;
    o->nsigmas = n;
  }
  lua_pop(L, 1);

  if (lua_getfield(L, idx, "map") == LUA_TTABLE) {
    int mt = lua_gettop(L);
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, mt); lua_pop(L, 1)) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "map: expected {vendor_class = gold_class}");
      n++;
    }
    const char **pairs = lua_newuserdatauv(L, (2 * n + 1) * sizeof *pairs, 0);
    keep_top(L, ptab);
    size_t k = 0;
    for (lua_pushnil(L); lua_next(L, mt); lua_pop(L, 1)) {
      lua_pushvalue(L, -2);
      pairs[2 * k] = keep_top(L, ptab);
      lua_pushvalue(L, -1);
      pairs[2 * k + 1] = keep_top(L, ptab);
      k++;
    }
    o->map = pairs;
    o->nmap = n;
  }
  lua_pop(L, 1);

  if (lua_getfield(L, idx, "iou_by_class") == LUA_TTABLE) {
    int tt = lua_gettop(L);
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, tt); lua_pop(L, 1)) n++;
    const char **names = lua_newuserdatauv(L, (n + 1) * sizeof *names, 0);
    keep_top(L, ptab);
    double *thr = lua_newuserdatauv(L, (n + 1) * sizeof *thr, 0);
    keep_top(L, ptab);
    size_t k = 0;
    for (lua_pushnil(L); lua_next(L, tt); lua_pop(L, 1)) {
      int ok;
      double x = lua_tonumberx(L, -1, &ok);
      if (lua_type(L, -2) != LUA_TSTRING || !ok) luaL_error(L, "iou_by_class: expected {class = threshold}");
      if (!(x > 0 && x <= 1)) luaL_error(L, "iou_by_class.%s: expected a threshold in (0, 1]", lua_tostring(L, -2));
      lua_pushvalue(L, -2);
      names[k] = keep_top(L, ptab);
      thr[k++] = x;
    }
    o->thr_class = names;
    o->thr_value = thr;
    o->nthr = n;
  } else if (!lua_isnil(L, -1)) {
    luaL_error(L, "iou_by_class: expected {class = threshold}");
  }
  lua_pop(L, 1);

  int at = lua_getfield(L, idx, "attributes");
  if (at == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    o->no_attrs = 1;
  } else if (at == LUA_TTABLE) {
    int lt = lua_gettop(L);
    size_t n = lua_rawlen(L, lt);
    const char **keys = lua_newuserdatauv(L, (n + 1) * sizeof *keys, 0);
    keep_top(L, ptab);
    for (size_t j = 0; j < n; j++) {
      if (lua_rawgeti(L, lt, (lua_Integer)j + 1) != LUA_TSTRING) luaL_error(L, "attributes: expected a list of names");
      keys[j] = keep_top(L, ptab);
    }
    o->attrs = keys;
    o->nattrs = n;
    o->no_attrs = n == 0;
  } else if (at != LUA_TNIL && at != LUA_TBOOLEAN) {
    luaL_error(L, "attributes: expected a list of names or false");
  }
  lua_pop(L, 1);
}

/* compare.gold(ds, opts) -> CmpGold | nil, message. opts: type, iou, low,
 * matcher, chamfer, line_width, chamfer_step, sigmas, map, attributes,
 * count_missing, threads. [-2, +1|2, m] */
static int l_gold(lua_State *L) {
  const Dataset *d = l_dataset_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  LGold *lg = lua_newuserdatauv(L, sizeof *lg, 2);   /* 3 */
  memset(lg, 0, sizeof *lg);
  luaL_setmetatable(L, GOLD_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, 3, 1);
  lua_newtable(L);                                    /* 4: what the options point into */
  lua_pushvalue(L, 4);
  lua_setiuservalue(L, 3, 2);
  l_compare_opts(L, 2, 4, &lg->o);
  Err e = {0};
  lg->g = cmp_gold_new(d, &lg->o, &e);
  if (!lg->g) {
    return l_fail(L, &e);
  }
  lua_settop(L, 3);
  return 1;
}

/* gold:iou_type() -> the iou type, and with Chamfer polylines the distance.
 * [-1, +1|2, m] */
static int l_gold_type(lua_State *L) {
  LGold *lg = l_cmpgold_check(L, 1);
  lua_pushstring(L, cmp_type_name(lg->o.type));
  if (lg->o.type != CMP_POLYLINE || !lg->o.chamfer) return 1;
  lua_pushnumber(L, lg->o.thr);
  return 2;
}

/* compare.run(gold, vendor) -> CmpResult | nil, message. [-2, +1|2, m] */
static int l_run(lua_State *L) {
  LGold *lg = l_cmpgold_check(L, 1);
  const Dataset *v = l_dataset_check(L, 2);
  sandbox_check_heap(L);
  LResult *lr = lua_newuserdatauv(L, sizeof *lr, 2);
  lr->r = NULL;
  luaL_setmetatable(L, RESULT_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, -2, 2);
  Err e = {0};
  lr->r = cmp_run(lg->g, v, &e);
  if (!lr->r) {
    return l_fail(L, &e);
  }
  return 1;
}

static void set_int(lua_State *L, const char *k, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}

static void set_num(lua_State *L, const char *k, double v) {
  if (isnan(v)) return;
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v) {
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

/* Pushes the counts of s as a table. [-0, +1, m] */
static void push_stats(lua_State *L, const CmpStats *s) {
  lua_createtable(L, 0, 9);
  set_int(L, "tp", s->tp);
  set_int(L, "fp", s->fp);
  set_int(L, "fn", s->fn);
  set_int(L, "ignored", s->ignored);
  set_num(L, "sum_sim", s->sum_sim);
  if (s->chars || s->char_edits) {
    set_int(L, "char_edits", s->char_edits);
    set_int(L, "chars", s->chars);
    set_int(L, "word_edits", s->word_edits);
    set_int(L, "words", s->words);
  }
}

/* res:classes() -> {{name, in_gold, in_vendor, gold, vendor, tp, fp, fn, ignored,
 * sum_sim, ...}, ...} in class order. [-1, +1, m] */
static int l_classes(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, 1);
  lua_createtable(L, (int)r->nclass, 0);
  for (uint32_t c = 0; c < r->nclass; c++) {
    push_stats(L, &r->stats[c]);
    set_str(L, "name", r->class_name[c]);
    lua_pushboolean(L, c < r->ngold_class);
    lua_setfield(L, -2, "in_gold");
    int in_vendor = 0;
    for (uint32_t k = 0; k < r->vendor->ncats && !in_vendor; k++) in_vendor = r->vcat_class[k] == c;
    lua_pushboolean(L, in_vendor);
    lua_setfield(L, -2, "in_vendor");
    set_int(L, "gold", r->ngold[c]);
    set_int(L, "vendor", r->nvendor[c]);
    lua_rawseti(L, -2, c + 1);
  }
  return 1;
}

/* res:annotators() -> {{name, classes = {[class index] = counts}}, ...}; the
 * last is "(unattributed)". [-1, +1, m] */
static int l_annotators(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, 1);
  const Dataset *v = r->vendor;
  lua_createtable(L, (int)r->nwho, 0);
  for (uint32_t a = 0; a < r->nwho; a++) {
    lua_createtable(L, 0, 2);
    set_str(L, "name", a + 1 < r->nwho ? strpool_get(&v->str, v->annotators[a]) : "(unattributed)");
    lua_newtable(L);
    for (uint32_t c = 0; c < r->nclass; c++) {
      const CmpStats *s = &r->who_stats[(size_t)a * r->nclass + c];
      if (!s->tp && !s->fp && !s->fn && !s->ignored) continue;
      push_stats(L, s);
      lua_rawseti(L, -2, c + 1);
    }
    lua_setfield(L, -2, "classes");
    lua_rawseti(L, -2, a + 1);
  }
  return 1;
}

/* Pushes an item's name: its file, or "#id" when it has none. [-0, +1, m] */
static void push_item_name(lua_State *L, const Dataset *d, uint32_t k) {
  const char *f = strpool_get(&d->str, d->items[k].file);
  if (*f) lua_pushstring(L, f);
  else lua_pushfstring(L, "#%I", (lua_Integer)d->items[k].id);
}

/* Appends the name of item k of d to the list at the top. [-0, +0, m] */
static void append_item(lua_State *L, const Dataset *d, uint32_t k) {
  push_item_name(L, d, k);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
}

/* res:items() -> {gold, vendor, compared, sent (gold items), delivered (gold
 * items the vendor delivered), missing ("counted as missed" or "left out"),
 * by_file, by_basename, by_id,
 * not_delivered = {...}, not_in_gold = {...}, twice = {...}, ambiguous = {...},
 * size_differs = {{item, gold = {w, h}, vendor = {w, h}}}}. [-1, +1, m] */
static int l_items(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, 1);
  const Dataset *g = r->gold, *v = r->vendor;
  uint64_t how[CMP_AMBIGUOUS + 1] = {0}, compared = 0;
  for (uint32_t k = 0; k < v->nitems; k++) how[r->vitem_how[k]]++;
  lua_createtable(L, 0, 11);
  set_int(L, "gold", g->nitems);
  set_int(L, "vendor", v->nitems);
  set_int(L, "by_file", how[CMP_BY_FILE]);
  set_int(L, "by_basename", how[CMP_BY_BASENAME]);
  set_int(L, "by_id", how[CMP_BY_ID]);
  static const struct { int how; const char *name; } vlists[] = {
    {CMP_NOT_IN_GOLD, "not_in_gold"}, {CMP_ITEM_TWICE, "twice"}, {CMP_AMBIGUOUS, "ambiguous"},
  };
  for (size_t j = 0; j < sizeof vlists / sizeof vlists[0]; j++) {
    lua_newtable(L);
    for (uint32_t k = 0; k < v->nitems; k++)
      if (r->vitem_how[k] == vlists[j].how) append_item(L, v, k);
    lua_setfield(L, -2, vlists[j].name);
  }
  lua_newtable(L);
  for (uint32_t k = 0; k < g->nitems; k++)
    if (r->gitem_state[k] == CMP_NOT_DELIVERED) append_item(L, g, k);
  lua_setfield(L, -2, "not_delivered");
  lua_newtable(L);
  for (uint32_t k = 0; k < g->nitems; k++) {
    compared += r->gitem_state[k] == CMP_COMPARED;
    if (r->gitem_state[k] != CMP_SIZE_DIFFERS) continue;
    const Item *gi = &g->items[k], *vi = &v->items[r->gitem_vendor[k]];
    lua_createtable(L, 0, 3);
    push_item_name(L, g, k);
    lua_setfield(L, -2, "item");
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, gi->width);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, gi->height);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "gold");
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, vi->width);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, vi->height);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "vendor");
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  }
  lua_setfield(L, -2, "size_differs");
  set_int(L, "compared", compared);
  uint64_t delivered = 0;
  for (uint32_t k = 0; k < g->nitems; k++) delivered += r->gitem_vendor[k] != CMP_NONE;
  set_int(L, "sent", g->nitems);
  set_int(L, "delivered", delivered);
  lua_getiuservalue(L, 1, 1);
  const LGold *lg = lua_touserdata(L, -1);
  lua_pop(L, 1);
  set_str(L, "missing", lg->o.count_missing ? "counted as missed" : "left out");
  return 1;
}

/* res:categories() -> {unmapped_gold = {...}, unmapped_vendor = {...},
 * mapped = {vendor = gold}, map_unused = {vendor = gold}}. [-1, +1, m] */
static int l_categories(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, 1);
  lua_getiuservalue(L, 1, 1);
  const LGold *lg = lua_touserdata(L, -1);
  lua_pop(L, 1);
  const Dataset *v = r->vendor;
  lua_createtable(L, 0, 4);
  lua_newtable(L);
  for (uint32_t c = 0; c < r->ngold_class; c++) {
    int used = 0;
    for (uint32_t k = 0; k < v->ncats && !used; k++) used = r->vcat_class[k] == c;
    if (used) continue;
    lua_pushstring(L, r->class_name[c]);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  }
  lua_setfield(L, -2, "unmapped_gold");
  lua_newtable(L);
  for (uint32_t c = r->ngold_class; c < r->nclass; c++) {
    lua_pushstring(L, r->class_name[c]);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  }
  lua_setfield(L, -2, "unmapped_vendor");
  for (int used = 1; used >= 0; used--) {
    lua_newtable(L);
    for (size_t k = 0; k < lg->o.nmap; k++) {
      if (r->map_used[k] != used) continue;
      lua_pushstring(L, lg->o.map[2 * k + 1]);
      lua_setfield(L, -2, lg->o.map[2 * k]);
    }
    lua_setfield(L, -2, used ? "mapped" : "map_unused");
  }
  return 1;
}

static const char *const out_names[CMP_NOUT] = {"shape", "crowd", "no_class", "item", "size"};

/* res:left_out() -> {gold = {shape, no_class, item, size, by_type = {}}, vendor =
 * {..., crowd}, gold_crowd}. [-1, +1, m] */
static int l_left_out(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, 1);
  lua_createtable(L, 0, 3);
  for (int side = 0; side < 2; side++) {
    lua_createtable(L, 0, CMP_NOUT + 1);
    for (int k = 0; k < CMP_NOUT; k++)
      if (r->left_out[side][k]) set_int(L, out_names[k], r->left_out[side][k]);
    lua_newtable(L);
    for (int t = 1; t < ANN_TYPE_COUNT; t++)
      if (r->shape_by_type[side][t]) set_int(L, ann_type_name((AnnType)t), r->shape_by_type[side][t]);
    lua_setfield(L, -2, "by_type");
    lua_setfield(L, -2, side ? "vendor" : "gold");
  }
  set_int(L, "gold_crowd", r->gold_crowd);
  return 1;
}

/* Sets <side>_id to annotation i's id (when it has one) and <side>_index to its
 * 1-based index (annotations[index - 1] of the file, for COCO). [-0, +0, m] */
static void set_ann(lua_State *L, const Dataset *d, uint32_t i, int gold) {
  if (d->id[i] != ANN_NO_ID) set_int(L, gold ? "gold_id" : "vendor_id", (uint64_t)d->id[i]);
  set_int(L, gold ? "gold_index" : "vendor_index", (uint64_t)i + 1);
}

/* Pushes attribute a of d as its Lua value. [-0, +1, m] */
static void push_attr(lua_State *L, const Dataset *d, const Attr *a) {
  if (a->kind == ATTR_STRING) lua_pushstring(L, strpool_get(&d->str, a->str));
  else if (a->kind == ATTR_BOOL) lua_pushboolean(L, a->num != 0);
  else lua_pushnumber(L, a->num);
}

/* Pushes conflict k as a table. [-0, +1, m] */
static void push_conflict(lua_State *L, const CmpResult *r, size_t k) {
  const CmpConflict *c = &r->conf[k];
  const Dataset *g = r->gold, *v = r->vendor;
  lua_createtable(L, 0, 16);
  set_str(L, "kind", cmp_kind_name((CmpKind)c->kind));
  push_item_name(L, g, c->item);
  lua_setfield(L, -2, "item");
  if (c->gcls != CMP_NONE) set_str(L, "gold_class", r->class_name[c->gcls]);
  if (c->vcls != CMP_NONE) set_str(L, "vendor_class", r->class_name[c->vcls]);
  if (c->g != CMP_NONE) set_ann(L, g, c->g, 1);
  if (c->v != CMP_NONE) set_ann(L, v, c->v, 0);
  set_num(L, "iou", c->sim);
  set_str(L, "annotator", c->who + 1 < r->nwho ? strpool_get(&v->str, v->annotators[c->who]) : "(unattributed)");
  if (c->kind == CMP_WRONG_ATTRIBUTE) {
    uint32_t ka = c->ga != CMP_NONE ? g->attrs.v[c->ga].key : v->attrs.v[c->va].key;
    set_str(L, "attribute", strpool_get(c->ga != CMP_NONE ? &g->str : &v->str, ka));
    if (c->ga != CMP_NONE) {
      push_attr(L, g, &g->attrs.v[c->ga]);
      lua_setfield(L, -2, "gold_value");
    }
    if (c->va != CMP_NONE) {
      push_attr(L, v, &v->attrs.v[c->va]);
      lua_setfield(L, -2, "vendor_value");
    }
  } else if (c->kind == CMP_WRONG_TEXT) {
    set_str(L, "gold_text", strpool_get(&g->str, g->text[c->g]));
    set_str(L, "vendor_text", strpool_get(&v->str, v->text[c->v]));
    set_num(L, "cer", c->x);
    set_num(L, "wer", c->y);
  } else if (c->kind == CMP_WRONG_VISIBILITY) {
    set_int(L, "keypoints_differ", (uint64_t)c->x);
    set_int(L, "keypoints", (uint64_t)c->y);
  } else if (r->type == CMP_SEMANTIC) {
    set_int(L, "gold_pixels", (uint64_t)c->x);
    set_int(L, "vendor_pixels", (uint64_t)c->y);
  }
}

/* Iterator step over conflicts: upvalues result, next index. [-0, +1, m] */
static int conflict_next(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, lua_upvalueindex(1));
  lua_Integer k = lua_tointeger(L, lua_upvalueindex(2));
  if ((size_t)k >= r->nconf) return 0;
  lua_pushinteger(L, k + 1);
  lua_replace(L, lua_upvalueindex(2));
  push_conflict(L, r, (size_t)k);
  return 1;
}

/* Pushes an iterator over the result at index 1 (upvalues: the result and the
 * next index, from 0) and the count n. [-0, +2, m] */
static int push_iterator(lua_State *L, lua_CFunction next, size_t n) {
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, next, 2);
  lua_pushinteger(L, (lua_Integer)n);
  return 2;
}

/* res:conflicts() -> iterator over conflict tables, n. [-1, +2, m] */
static int l_conflicts(lua_State *L) {
  return push_iterator(L, conflict_next, l_cmpresult_check(L, 1)->nconf);
}

/* Iterator step over matches. [-0, +1, m] */
static int match_next(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, lua_upvalueindex(1));
  lua_Integer k = lua_tointeger(L, lua_upvalueindex(2));
  if ((size_t)k >= r->nmatch) return 0;
  lua_pushinteger(L, k + 1);
  lua_replace(L, lua_upvalueindex(2));
  const CmpMatch *m = &r->match[k];
  lua_createtable(L, 0, 8);
  set_ann(L, r->gold, m->g, 1);
  set_ann(L, r->vendor, m->v, 0);
  set_num(L, "iou", m->sim);
  set_str(L, "class", r->class_name[r->gcat_class[r->gold->cat[m->g]]]);
  push_item_name(L, r->gold, r->gold->item[m->g]);
  lua_setfield(L, -2, "item");
  return 1;
}

/* res:matches() -> iterator over true positives {item, class, iou, gold_id,
 * gold_index, vendor_id, vendor_index}, n. [-1, +2, m] */
static int l_matches(lua_State *L) {
  return push_iterator(L, match_next, l_cmpresult_check(L, 1)->nmatch);
}

/* compare.shape_counts(ds) -> {[iou type] = annotations with that shape of
 * their own}, types with none left out (see cmp_shape_counts). [-1, +1, m] */
static int l_shape_counts(lua_State *L) {
  const Dataset *d = l_dataset_check(L, 1);
  uint64_t n[CMP_NTYPES];
  cmp_shape_counts(d, n);
  lua_createtable(L, 0, CMP_NTYPES);
  for (int t = 0; t < CMP_NTYPES; t++)
    if (n[t]) set_int(L, cmp_type_name((CmpType)t), n[t]);
  return 1;
}

/* res:pixels() -> semantic: {cells = {{gold = class|nil, vendor = class|nil,
 * pixels = n}, ...} (the non-zero cells of the pixel confusion matrix, nil for
 * no class), ignored, overlap_gold, overlap_vendor}; nil for other types.
 * [-1, +1, m] */
static int l_pixels(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, 1);
  if (!r->px_conf) {
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, 4);
  lua_newtable(L);
  lua_Integer n = 0;
  for (uint32_t gc = 0; gc <= r->nclass; gc++)
    for (uint32_t vc = 0; vc <= r->nclass; vc++) {
      uint64_t px = r->px_conf[(size_t)gc * (r->nclass + 1) + vc];
      if (!px) continue;
      lua_createtable(L, 0, 3);
      if (gc) set_str(L, "gold", r->class_name[gc - 1]);
      if (vc) set_str(L, "vendor", r->class_name[vc - 1]);
      set_int(L, "pixels", px);
      lua_rawseti(L, -2, ++n);
    }
  lua_setfield(L, -2, "cells");
  set_int(L, "ignored", r->px_ignored);
  set_int(L, "overlap_gold", r->px_overlap[0]);
  set_int(L, "overlap_vendor", r->px_overlap[1]);
  return 1;
}

/* res:type() -> the iou type compared. [-1, +1, m] */
static int l_type(lua_State *L) {
  CmpResult *r = l_cmpresult_check(L, 1);
  lua_pushstring(L, cmp_type_name(r->type));
  return 1;
}

/* The module: gold, run, run_all, load, clusters, shape_counts, bootstrap; the metatables of gold
 * panels, results and run boxes (locked). [-0, +1, m] */
int luaopen_annovet_c_compare(lua_State *L) {
  static const luaL_Reg result_methods[] = {
    {"classes", l_classes},
    {"annotators", l_annotators},
    {"items", l_items},
    {"categories", l_categories},
    {"left_out", l_left_out},
    {"conflicts", l_conflicts},
    {"matches", l_matches},
    {"type", l_type},
    {"pixels", l_pixels},
    {"sizes", l_compare_sizes},
    {"close", result_release},
    {NULL, NULL}
  };
  static const luaL_Reg gold_methods[] = {
    {"iou_type", l_gold_type},
    {"close", gold_release},
    {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"gold", l_gold},
    {"run", l_run},
    {"run_all", l_compare_run_all},
    {"load", l_compare_load},
    {"clusters", l_compare_clusters},
    {"shape_counts", l_shape_counts},
    {"bootstrap", l_compare_bootstrap},
    {NULL, NULL}
  };
  const struct { const char *mt; const luaL_Reg *methods; lua_CFunction release; } types[] = {
    {GOLD_MT, gold_methods, gold_release},
    {RESULT_MT, result_methods, result_release},
  };
  l_compare_open_par(L);
  l_compare_open_stats(L);
  for (int k = 0; k < 2; k++) l_class(L, types[k].mt, types[k].methods, types[k].release);
  luaL_newlib(L, funcs);
  return 1;
}
