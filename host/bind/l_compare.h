/* Shared by the compare bindings (l_compare.c, l_compare_par.c,
 * l_compare_agree.c): the userdata types and the options reader. */
#ifndef ANNOVET_L_COMPARE_H
#define ANNOVET_L_COMPARE_H

#include "compare.h"
#include "lua.h"

#define GOLD_MT "annovet.CmpGold"
#define RESULT_MT "annovet.CmpResult"

typedef struct LGold {
  CmpGold *g;       /* NULL once closed */
  CmpOpts o;        /* its arrays live in the private table (user value 2) */
} LGold;

typedef struct LResult {
  CmpResult *r;     /* NULL once closed */
} LResult;

/* The gold panel at idx, checking that it and its dataset are open. [-0, +0, v] */
LGold *l_cmpgold_check(lua_State *L, int idx);

/* The result at idx, checking that it and both its datasets are open. [-0, +0, v] */
CmpResult *l_cmpresult_check(lua_State *L, int idx);

/* Reads the options table at idx into o, anchoring strings and arrays in the
 * private table at ptab. [-0, +0, v] */
void l_compare_opts(lua_State *L, int idx, int ptab, CmpOpts *o);

/* l_compare_par.c: compare.load and compare.run_all; the run box metatable. */
int l_compare_load(lua_State *L);
int l_compare_run_all(lua_State *L);
void l_compare_open_par(lua_State *L);

/* l_compare_agree.c: compare.clusters. */
int l_compare_clusters(lua_State *L);

/* l_compare_stats.c: compare.bootstrap, res:sizes; their box metatables. */
int l_compare_bootstrap(lua_State *L);
int l_compare_sizes(lua_State *L);
void l_compare_open_stats(lua_State *L);

#endif
