/* Binding of the matcher: similarity matrices as Lua tables of rows. */
#include <stdlib.h>

#include "l_annovet.h"
#include "lauxlib.h"
#include "match.h"

typedef int64_t (*MatchFn)(const double *, uint32_t, uint32_t, double, int32_t *, MatchWork *, Err *);

/* Reads the matrix of rows at idx into a userdata-backed buffer (so an error
 * frees it). Pushes the buffer. [-0, +1, e] */
static double *check_matrix(lua_State *L, int idx, uint32_t *nd, uint32_t *ng) {
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_Unsigned rows = lua_rawlen(L, idx), cols = 0;
  if (rows > 0) {
    lua_rawgeti(L, idx, 1);
    luaL_argcheck(L, lua_istable(L, -1), idx, "rows must be tables of numbers");
    cols = lua_rawlen(L, -1);
    lua_pop(L, 1);
  }
  luaL_argcheck(L, rows < 65536 && cols < 65536, idx, "matrix larger than 65535 x 65535");
  size_t cells = (size_t)(rows * cols);
  double *m = lua_newuserdatauv(L, (cells ? cells : 1) * sizeof *m, 0);
  for (lua_Unsigned i = 0; i < rows; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    if (!lua_istable(L, -1) || lua_rawlen(L, -1) != cols)
      luaL_error(L, "similarity row %d: expected a table of %d numbers", (int)i + 1, (int)cols);
    for (lua_Unsigned j = 0; j < cols; j++) {
      lua_rawgeti(L, -1, (lua_Integer)j + 1);
      int isnum;
      m[i * cols + j] = lua_tonumberx(L, -1, &isnum);
      if (!isnum) luaL_error(L, "similarity[%d][%d]: expected a number", (int)i + 1, (int)j + 1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  *nd = (uint32_t)rows;
  *ng = (uint32_t)cols;
  return m;
}

/* optimal|greedy(sim, threshold) -> {gold index or false, ...}, matches. [-2, +2, e] */
static int run_match(lua_State *L, MatchFn fn) {
  double thr = luaL_checknumber(L, 2);
  uint32_t nd, ng;
  double *m = check_matrix(L, 1, &nd, &ng);
  int32_t *d2g = lua_newuserdatauv(L, (nd ? nd : 1) * sizeof *d2g, 0);
  MatchWork w = {NULL, 0};
  Err e = {0};
  int64_t n = fn(m, nd, ng, thr, d2g, &w, &e);
  match_work_free(&w);
  if (n < 0) return luaL_error(L, "match: %s", e.msg);
  lua_createtable(L, (int)nd, 0);
  for (uint32_t i = 0; i < nd; i++) {
    if (d2g[i] >= 0) lua_pushinteger(L, d2g[i] + 1); else lua_pushboolean(L, 0);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_pushinteger(L, n);
  return 2;
}

static int l_optimal(lua_State *L) { return run_match(L, match_optimal); }
static int l_greedy(lua_State *L) { return run_match(L, match_greedy); }

int luaopen_annovet_c_match(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"optimal", l_optimal},
    {"greedy", l_greedy},
    {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  return 1;
}
