/* Binding of the store: open, and run single bound statements. Every value reaches
 * SQLite through sqlite3_bind_*: Lua never splices text into SQL. */
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
  Err e = {{0}};
  if (store_open(path, write ? STORE_WRITE : STORE_READ, &ls->s, &e) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    return 2;
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
 * {blob = string} as BLOB. Returns an SQLite code. [-0, +0, v] */
static int bind_args(lua_State *L, sqlite3_stmt *st, int first, int last) {
  int n = last - first + 1;
  if (n != sqlite3_bind_parameter_count(st)) {
    return luaL_error(L, "statement has %d parameters, %d values given",
                      sqlite3_bind_parameter_count(st), n);
  }
  for (int i = 1; i <= n; i++) {
    int idx = first + i - 1, rc;
    switch (lua_type(L, idx)) {
    case LUA_TNIL: rc = sqlite3_bind_null(st, i); break;
    case LUA_TBOOLEAN: rc = sqlite3_bind_int(st, i, lua_toboolean(L, idx)); break;
    case LUA_TNUMBER:
      rc = lua_isinteger(L, idx) ? sqlite3_bind_int64(st, i, lua_tointeger(L, idx))
                                 : sqlite3_bind_double(st, i, lua_tonumber(L, idx));
      break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      rc = sqlite3_bind_text64(st, i, s, len, SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    }
    case LUA_TTABLE: {
      size_t len;
      lua_getfield(L, idx, "blob");
      const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
      rc = s ? sqlite3_bind_blob64(st, i, s, len, SQLITE_TRANSIENT) : SQLITE_MISMATCH;
      lua_pop(L, 1);
      if (s) break;
    }
    /* fall through */
    default:
      return luaL_error(L, "parameter %d: cannot bind a %s", i, luaL_typename(L, idx));
    }
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

typedef struct StmtBox {
  sqlite3_stmt *st;
} StmtBox;

static int stmt_close(lua_State *L) {
  StmtBox *b = lua_touserdata(L, 1);
  sqlite3_finalize(b->st);
  b->st = NULL;
  return 0;
}

/* Prepares exactly one statement from the string at index 2, binds 3..top, and
 * leaves a to-be-closed box owning it on the stack, so every error path
 * finalizes it. [-0, +1, e] */
static sqlite3_stmt *prepare(lua_State *L, LStore *ls) {
  size_t len;
  const char *sql = luaL_checklstring(L, 2, &len), *tail = NULL;
  int last = lua_gettop(L);
  sqlite3 *db = store_db(ls->s);
  StmtBox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->st = NULL;
  luaL_setmetatable(L, "annovet.Stmt");
  lua_toclose(L, -1);
  if (sqlite3_prepare_v2(db, sql, (int)len, &b->st, &tail) != SQLITE_OK)
    luaL_error(L, "SQL: %s", sqlite3_errmsg(db));
  while (tail && *tail && strchr(" \t\r\n;", *tail)) tail++;
  if (!b->st || (tail && *tail)) luaL_error(L, "SQL: exactly one statement expected");
  if (bind_args(L, b->st, 3, last) != SQLITE_OK) luaL_error(L, "SQL bind: %s", sqlite3_errmsg(db));
  return b->st;
}

static void push_column(lua_State *L, sqlite3_stmt *st, int c) {
  switch (sqlite3_column_type(st, c)) {
  case SQLITE_INTEGER: lua_pushinteger(L, sqlite3_column_int64(st, c)); break;
  case SQLITE_FLOAT: lua_pushnumber(L, sqlite3_column_double(st, c)); break;
  case SQLITE_NULL: lua_pushnil(L); break;
  default: {
    const void *p = sqlite3_column_blob(st, c);
    lua_pushlstring(L, p ? p : "", (size_t)sqlite3_column_bytes(st, c));
  }
  }
}

/* Runs the prepared statement to the end, collecting rows (at most limit, when
 * not 0) into a table pushed on the stack when collect is set. Returns the SQLite
 * result code. [-0, +1, m] */
static int run(lua_State *L, sqlite3_stmt *st, int collect, int limit) {
  lua_newtable(L);
  int rc, nrow = 0, ncol = sqlite3_column_count(st);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (!collect || (limit && nrow >= limit)) continue;
    lua_createtable(L, 0, ncol);
    for (int c = 0; c < ncol; c++) {
      push_column(L, st, c);
      lua_setfield(L, -2, sqlite3_column_name(st, c));
    }
    lua_rawseti(L, -2, ++nrow);
  }
  return rc;
}

/* Turns a final result code into nothing (done), nil + message (expected failures)
 * or a raised error. [-0, +0|2, e] */
static int finish(lua_State *L, LStore *ls, int rc) {
  if (rc != SQLITE_DONE) {
    sqlite3 *db = store_db(ls->s);
    if (rc == SQLITE_CONSTRAINT || rc == SQLITE_BUSY || rc == SQLITE_READONLY || rc == SQLITE_FULL) {
      luaL_pushfail(L);
      lua_pushfstring(L, "%s: %s", store_path(ls->s), sqlite3_errmsg(db));
      return 2;
    }
    return luaL_error(L, "%s: %s", store_path(ls->s), sqlite3_errmsg(db));
  }
  return 0;
}

/* db:exec(sql, ...) -> changes, last_rowid | nil, message (constraint, busy, read-only).
 * [-(n+2), +2, e] */
static int l_exec(lua_State *L) {
  LStore *ls = lstore_check(L, 1);
  sqlite3_stmt *st = prepare(L, ls);
  int rc = run(L, st, 0, 0);
  int nret = finish(L, ls, rc);
  if (nret) return nret;
  sqlite3 *db = store_db(ls->s);
  lua_pushinteger(L, sqlite3_changes(db));
  lua_pushinteger(L, sqlite3_last_insert_rowid(db));
  return 2;
}

/* db:rows(sql, ...) -> {{column = value, ...}, ...}. [-(n+2), +1, e] */
static int l_rows(lua_State *L) {
  LStore *ls = lstore_check(L, 1);
  sqlite3_stmt *st = prepare(L, ls);
  int rc = run(L, st, 1, 0);
  int nret = finish(L, ls, rc);
  return nret ? nret : 1;
}

/* db:first(sql, ...) -> the first row, or nil. [-(n+2), +1, e] */
static int l_first(lua_State *L) {
  LStore *ls = lstore_check(L, 1);
  sqlite3_stmt *st = prepare(L, ls);
  int rc = run(L, st, 1, 1);
  int nret = finish(L, ls, rc);
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
