/* Binding of the store: open, and run single bound statements. Every value reaches
 * SQLite through the store's bind calls: Lua never splices text into SQL. */
#include <string.h>

#include "l_annovet.h"
#include "lauxlib.h"
#include "store.h"

#define STORE_MT "annovet.Store"

typedef struct LStore {
  Store *s;   /* NULL once closed */
} LStore;

static LStore *lstore_check(lua_State *L, int idx) {
  LStore *ls = luaL_checkudata(L, idx, STORE_MT);
  if (!ls->s) luaL_error(L, "attempt to use a closed store");
  return ls;
}

/* store.open(path [, {write=bool}]) -> Store | nil, message. [-1|2, +1|2, m] */
static int l_open(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int write = 0;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "write");
    write = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  LStore *ls = lua_newuserdatauv(L, sizeof *ls, 0);   /* before the resource: no leak on error */
  ls->s = NULL;
  luaL_setmetatable(L, STORE_MT);
  Err e = {0};
  if (store_open(path, write ? STORE_WRITE : STORE_READ, &ls->s, &e) != 0) {
    return l_fail(L, &e);
  }
  return 1;
}

static int l_close(lua_State *L) {
  LStore *ls = luaL_checkudata(L, 1, STORE_MT);
  store_close(ls->s);
  ls->s = NULL;
  return 0;
}

/* Binds arguments first..last to st: nil, boolean, integer, float, string as TEXT,
 * {blob = string or Bytes (util.map_file) [, at = offset, len = n]} as BLOB: the
 * bytes, or n of them from offset at, bound without a copy (the table keeps them
 * alive until the statement is done). Returns 0, or -1 with e set. [-0, +0, v] */
static int bind_args(lua_State *L, StoreStmt *st, int first, int last, Err *e) {
  int n = last - first + 1;
  if (n != store_param_count(st)) {
    return luaL_error(L, "statement has %d parameters, %d values given", store_param_count(st), n);
  }
  for (int i = 1; i <= n; i++) {
    int idx = first + i - 1, rc;
    switch (lua_type(L, idx)) {
    case LUA_TNIL: rc = store_bind_null(st, i, e); break;
    case LUA_TBOOLEAN: rc = store_bind_int(st, i, lua_toboolean(L, idx), e); break;
    case LUA_TNUMBER:
      rc = lua_isinteger(L, idx) ? store_bind_int(st, i, lua_tointeger(L, idx), e)
                                 : store_bind_double(st, i, lua_tonumber(L, idx), e);
      break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      rc = store_bind_text(st, i, s, len, e);
      break;
    }
    case LUA_TTABLE: {
      size_t len;
      lua_getfield(L, idx, "blob");
      const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : l_bytes_test(L, -1, &len);
      lua_pop(L, 1);
      if (!s) return luaL_error(L, "parameter %d: cannot bind a table without a blob (a string or Bytes)", i);
      lua_Integer at = 0, cnt = (lua_Integer)len;
      if (lua_getfield(L, idx, "at") != LUA_TNIL) at = luaL_checkinteger(L, -1);
      if (lua_getfield(L, idx, "len") != LUA_TNIL) cnt = luaL_checkinteger(L, -1);
      lua_pop(L, 2);
      if (at < 0 || cnt < 0 || (lua_Unsigned)at > len || (lua_Unsigned)cnt > len - (lua_Unsigned)at)
        return luaL_error(L, "parameter %d: bytes %I..+%I outside a blob of %I", i, at, cnt, (lua_Integer)len);
      /* static: the statement is finalized before this call returns, and the
       * argument table keeps the string or Bytes alive until then */
      rc = store_bind_blob_static(st, i, s + at, (size_t)cnt, e);
      break;
    }
    /* fall through */
    default:
      return luaL_error(L, "parameter %d: cannot bind a %s", i, luaL_typename(L, idx));
    }
    if (rc != 0) return -1;
  }
  return 0;
}

typedef struct StmtBox {
  StoreStmt *st;
} StmtBox;

static int stmt_close(lua_State *L) {
  StmtBox *b = lua_touserdata(L, 1);
  store_finalize(b->st);
  b->st = NULL;
  return 0;
}

/* Prepares exactly one statement from the string at index 2, binds 3..top, and
 * leaves a to-be-closed box owning it on the stack, so every error path
 * finalizes it. [-0, +1, e] */
static StoreStmt *prepare(lua_State *L, LStore *ls) {
  size_t len;
  const char *sql = luaL_checklstring(L, 2, &len);
  int last = lua_gettop(L);
  StmtBox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->st = NULL;
  luaL_setmetatable(L, "annovet.Stmt");
  lua_toclose(L, -1);
  Err e = {0};
  if (store_prepare(ls->s, sql, len, &b->st, &e) != 0) luaL_error(L, "%s", e.msg);
  if (bind_args(L, b->st, 3, last, &e) != 0) luaL_error(L, "%s", e.msg);
  return b->st;
}

static void push_column(lua_State *L, StoreStmt *st, int c) {
  switch (store_column_type(st, c)) {
  case STORE_INTEGER: lua_pushinteger(L, store_column_int(st, c)); break;
  case STORE_FLOAT: lua_pushnumber(L, store_column_double(st, c)); break;
  case STORE_NULL: lua_pushnil(L); break;
  default: {
    size_t len;
    const void *p = store_column_bytes(st, c, &len);
    lua_pushlstring(L, p, len);
  }
  }
}

/* Runs the prepared statement to the end, collecting rows (at most limit, when
 * not 0) into a table pushed on the stack when collect is set. Returns store_step's
 * last result. [-0, +1, m] */
static int run(lua_State *L, StoreStmt *st, int collect, int limit, Err *e) {
  lua_newtable(L);
  int rc, nrow = 0, ncol = store_column_count(st);
  while ((rc = store_step(st, e)) == STORE_ROW) {
    if (!collect || (limit && nrow >= limit)) continue;
    lua_createtable(L, 0, ncol);
    for (int c = 0; c < ncol; c++) {
      push_column(L, st, c);
      lua_setfield(L, -2, store_column_name(st, c));
    }
    lua_rawseti(L, -2, ++nrow);
  }
  return rc;
}

/* Turns a final result into nothing (done), nil + message (expected failures)
 * or a raised error. [-0, +0|2, e] */
static int finish(lua_State *L, int rc, const Err *e) {
  if (rc == STORE_DONE) return 0;
  if (rc == STORE_REFUSED) {
    luaL_pushfail(L);
    lua_pushstring(L, e->msg);
    return 2;
  }
  return luaL_error(L, "%s", e->msg);
}

/* db:exec(sql, ...) -> changes, last_rowid | nil, message (constraint, busy, read-only).
 * [-(n+2), +2, e] */
static int l_exec(lua_State *L) {
  LStore *ls = lstore_check(L, 1);
  StoreStmt *st = prepare(L, ls);
  Err e = {0};
  int nret = finish(L, run(L, st, 0, 0, &e), &e);
  if (nret) return nret;
  lua_pushinteger(L, store_changes(ls->s));
  lua_pushinteger(L, store_last_rowid(ls->s));
  return 2;
}

/* db:rows(sql, ...) -> {{column = value, ...}, ...}. [-(n+2), +1, e] */
static int l_rows(lua_State *L) {
  LStore *ls = lstore_check(L, 1);
  StoreStmt *st = prepare(L, ls);
  Err e = {0};
  int nret = finish(L, run(L, st, 1, 0, &e), &e);
  return nret ? nret : 1;
}

/* db:first(sql, ...) -> the first row, or nil. [-(n+2), +1, e] */
static int l_first(lua_State *L) {
  LStore *ls = lstore_check(L, 1);
  StoreStmt *st = prepare(L, ls);
  Err e = {0};
  int nret = finish(L, run(L, st, 1, 1, &e), &e);
  if (nret) return nret;
  lua_rawgeti(L, -1, 1);
  return 1;
}

/* db:info() -> {path=, schema=, latest=, writable=}. [-1, +1, m] */
static int l_info(lua_State *L) {
  LStore *ls = lstore_check(L, 1);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, store_path(ls->s));
  lua_setfield(L, -2, "path");
  lua_pushinteger(L, store_schema_version(ls->s));
  lua_setfield(L, -2, "schema");
  lua_pushinteger(L, store_schema_latest());
  lua_setfield(L, -2, "latest");
  lua_pushboolean(L, store_writable(ls->s));
  lua_setfield(L, -2, "writable");
  return 1;
}

int luaopen_annovet_c_store(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"exec", l_exec},
    {"rows", l_rows},
    {"first", l_first},
    {"info", l_info},
    {"close", l_close},
    {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"open", l_open},
    {NULL, NULL}
  };
  l_class(L, "annovet.Stmt", NULL, stmt_close);
  l_class(L, STORE_MT, methods, l_close);
  luaL_newlib(L, funcs);
  return 1;
}
