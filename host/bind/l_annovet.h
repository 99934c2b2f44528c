/* Installs annovet's C modules and its Lua library into a state. */
#ifndef ANNOVET_L_ANNOVET_H
#define ANNOVET_L_ANNOVET_H

#include "lauxlib.h"
#include "lua.h"

/* Puts every C module in package.preload under "annovet.c.<name>" and adds a
 * searcher that finds the Lua library in the binary (or under lua_dir, when not
 * NULL). [-0, +0, e] */
void annovet_openlibs(lua_State *L, const char *lua_dir);

/* Registers the metatable of a userdata type once: methods (or NULL) as __index,
 * release as both __gc and __close (so it must be idempotent), and __metatable
 * locked so scripts cannot reach it. Later calls do nothing. [-0, +0, m] */
void l_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction release);

/* An expected failure from the core: pushes fail, the message and, when the core
 * named the option at fault, its API name; returns the count pushed (2 or 3), for
 * `return l_fail(L, &e);`. [-0, +2|3, m] */
struct Err;
int l_fail(lua_State *L, const struct Err *e);

/* The bytes of the "annovet.Bytes" userdata at idx (util.map_file) and their
 * length, or NULL when the value is not one. [-0, +0, -] */
const void *l_bytes_test(lua_State *L, int idx, size_t *len);

int luaopen_annovet_c_agree(lua_State *L);
/* The dataset of the "annovet.Dataset" userdata at idx, for bindings other than
 * l_model.c (cocoeval); raises when it is not one or is closed. [-0, +0, v] */
struct Dataset;
const struct Dataset *l_dataset_check(lua_State *L, int idx);
/* Pushes a new, empty Dataset userdata and points *d and *g at where its
 * dataset and read warnings go, for bindings that read datasets themselves
 * (compare reads several at once, off the Lua thread). [-0, +1, m] */
struct Diag;
void l_dataset_new(lua_State *L, struct Dataset ***d, struct Diag **g);

int luaopen_annovet_c_cocoeval(lua_State *L);
int luaopen_annovet_c_compare(lua_State *L);
int luaopen_annovet_c_crypto(lua_State *L);
int luaopen_annovet_c_csv(lua_State *L);
int luaopen_annovet_c_geom(lua_State *L);
int luaopen_annovet_c_json(lua_State *L);
int luaopen_annovet_c_match(lua_State *L);
int luaopen_annovet_c_model(lua_State *L);
int luaopen_annovet_c_money(lua_State *L);
int luaopen_annovet_c_store(lua_State *L);
int luaopen_annovet_c_util(lua_State *L);

#endif
