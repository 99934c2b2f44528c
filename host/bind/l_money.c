/* Binding of exact money (host/core/money.c) and of the positioned CSV reader
 * (host/formats/csv_table.c) that rate cards and timesheets are read with.
 * Amounts cross the boundary as Lua integers (minor units), decimals as
 * (units, scale) integer pairs: never as floats. */
#include <string.h>

#include "csv_table.h"
#include "l_annovet.h"
#include "lauxlib.h"
#include "money.h"

#define TABLE_MT "annovet.CsvTable"

static Rounding rounding_check(lua_State *L, int idx) {
  static const char *const names[] = {"half-up", "half-even", NULL};
  return (Rounding)luaL_checkoption(L, idx, "half-up", names);
}

static int64_t int_check(lua_State *L, int idx) {
  if (!lua_isinteger(L, idx)) luaL_argerror(L, idx, "an integer expected (money is never a float)");
  return (int64_t)lua_tointeger(L, idx);
}

static Decimal decimal_check(lua_State *L, int idx) {
  Decimal d = {int_check(L, idx), (int)luaL_checkinteger(L, idx + 1)};
  if (d.scale < 0 || d.scale > 18) luaL_argerror(L, idx + 1, "scale out of range 0..18");
  return d;
}

/* Pushes an int64 result, or fails with the status's text. [-0, +1|2, -] */
static int push_result(lua_State *L, MoneyStatus st, int64_t v) {
  if (st != MONEY_OK) {
    luaL_pushfail(L);
    lua_pushstring(L, money_strerror(st));
    return 2;
  }
  lua_pushinteger(L, (lua_Integer)v);
  return 1;
}

/* money.parse(text) -> units, scale | nil, message, offset (1-based). [-1, +2|3, m] */
static int l_parse(lua_State *L) {
  size_t len, at = 0;
  const char *s = luaL_checklstring(L, 1, &len);
  Decimal d;
  MoneyStatus st = money_parse(s, len, &d, &at);
  if (st != MONEY_OK) {
    luaL_pushfail(L);
    lua_pushstring(L, money_strerror(st));
    lua_pushinteger(L, (lua_Integer)at + 1);
    return 3;
  }
  lua_pushinteger(L, (lua_Integer)d.units);
  lua_pushinteger(L, d.scale);
  return 2;
}

/* money.digits(code) -> ISO 4217 minor-unit digits | nil. [-1, +1, -] */
static int l_digits(lua_State *L) {
  int d = money_currency_digits(luaL_checkstring(L, 1));
  if (d < 0) luaL_pushfail(L); else lua_pushinteger(L, d);
  return 1;
}

/* money.round(units, scale, digits [, mode]) -> integer | nil, msg. [-4, +1|2, -] */
static int l_round(lua_State *L) {
  Decimal d = decimal_check(L, 1);
  int digits = (int)luaL_checkinteger(L, 3);
  luaL_argcheck(L, digits >= 0 && digits <= 18, 3, "digits out of range 0..18");
  Rounding r = rounding_check(L, 4);
  int64_t v = 0;
  MoneyStatus st = money_round(d, digits, r, &v);
  return push_result(L, st, v);
}

/* money.mul(au, ascale, bu, bscale) -> units, scale (exact) | nil, msg. [-4, +2, -] */
static int l_mul(lua_State *L) {
  Decimal a = decimal_check(L, 1), b = decimal_check(L, 3), p;
  if (a.scale + b.scale > 18) return push_result(L, MONEY_OVERFLOW, 0);
  MoneyStatus st = money_mul(a, b, &p);
  if (st != MONEY_OK) return push_result(L, st, 0);
  lua_pushinteger(L, (lua_Integer)p.units);
  lua_pushinteger(L, p.scale);
  return 2;
}

/* money.add(a, b), money.sub(a, b) -> integer | nil, msg (overflow). [-2, +1|2, -] */
static int l_add(lua_State *L) {
  int64_t a = int_check(L, 1), b = int_check(L, 2), v = 0;
  MoneyStatus st = money_add(a, b, &v);
  return push_result(L, st, v);
}

static int l_sub(lua_State *L) {
  int64_t a = int_check(L, 1), b = int_check(L, 2), v = 0;
  MoneyStatus st = money_sub(a, b, &v);
  return push_result(L, st, v);
}

/* money.div(num, den [, mode]) -> num / den rounded to an integer | nil, msg. [-3, +1|2, -] */
static int l_div(lua_State *L) {
  int64_t num = int_check(L, 1), den = int_check(L, 2), v = 0;
  luaL_argcheck(L, den != 0, 2, "division by zero");
  Rounding r = rounding_check(L, 3);
  MoneyStatus st = money_div(num, den, r, &v);
  return push_result(L, st, v);
}

/* money.format(minor, digits) -> "43.19". [-2, +1, m] */
static int l_format(lua_State *L) {
  int64_t m = int_check(L, 1);
  int digits = (int)luaL_checkinteger(L, 2);
  luaL_argcheck(L, digits >= 0 && digits <= 18, 2, "digits out of range 0..18");
  char buf[MONEY_TEXT_MAX];
  money_format(m, digits, buf);
  lua_pushstring(L, buf);
  return 1;
}

/* ---- CSV with positions ---- */

typedef struct TableBox {
  CsvTable *t;
} TableBox;

static int table_release(lua_State *L) {
  TableBox *b = luaL_checkudata(L, 1, TABLE_MT);
  csv_table_free(b->t);
  b->t = NULL;
  return 0;
}

/* Pushes the records of the table in box b (at the top) and frees it.
 * [-0, +1, m] */
static int push_table(lua_State *L, TableBox *b) {
  const CsvTable *t = b->t;
  lua_createtable(L, (int)(t->nrecs < 1000000 ? t->nrecs : 0), 0);
  for (size_t r = 0; r < t->nrecs; r++) {
    const CsvRecord *rec = &t->recs[r];
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, rec->line);
    lua_setfield(L, -2, "line");
    lua_pushboolean(L, rec->comment);
    lua_setfield(L, -2, "comment");
    lua_createtable(L, (int)rec->n, 0);
    lua_createtable(L, (int)rec->n, 0);
    lua_createtable(L, (int)rec->n, 0);
    for (size_t k = 0; k < rec->n; k++) {
      const CsvCell *c = &t->cells[rec->first + k];
      lua_pushlstring(L, t->text + c->off, c->len);
      lua_rawseti(L, -4, (lua_Integer)k + 1);
      lua_pushinteger(L, c->line);
      lua_rawseti(L, -3, (lua_Integer)k + 1);
      lua_pushinteger(L, c->col);
      lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -4, "cols");
    lua_setfield(L, -3, "lines");
    lua_setfield(L, -2, "cells");
    lua_rawseti(L, -2, (lua_Integer)r + 1);
  }
  csv_table_free(b->t);
  b->t = NULL;
  return 1;
}

/* money.read_csv(path) -> {{line=, comment=bool, cells={...}, lines={...}, cols={...}}, ...}
 * | nil, message (naming path:line:column). [-1, +1|2, m] */
static int l_read_csv(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  TableBox *b = lua_newuserdatauv(L, sizeof *b, 0);   /* owns the table if a push raises */
  b->t = NULL;
  luaL_setmetatable(L, TABLE_MT);
  Err e = {0};
  if (csv_table_read(path, &b->t, &e) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    return 2;
  }
  return push_table(L, b);
}

/* money.parse_csv(text, name) -> records as read_csv | nil, message. [-2, +1|2, m] */
static int l_parse_csv(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *name = luaL_checkstring(L, 2);
  TableBox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->t = NULL;
  luaL_setmetatable(L, TABLE_MT);
  Err e = {0};
  if (csv_table_parse(text, len, name, &b->t, &e) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    return 2;
  }
  return push_table(L, b);
}

/* The module. [-0, +1, m] */
int luaopen_annovet_c_money(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"parse", l_parse},
    {"digits", l_digits},
    {"round", l_round},
    {"mul", l_mul},
    {"add", l_add},
    {"sub", l_sub},
    {"div", l_div},
    {"format", l_format},
    {"read_csv", l_read_csv},
    {"parse_csv", l_parse_csv},
    {NULL, NULL}
  };
  l_class(L, TABLE_MT, NULL, table_release);
  luaL_newlib(L, funcs);
  return 1;
}
