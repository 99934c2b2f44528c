/* The module table: which C modules exist, and how `require` finds the Lua library
 * embedded in the binary (or on disk, for development, with ANNOVET_LUA_PATH). */
#include "l_annovet.h"

#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"
#include "l_sandbox.h"
#include "lauxlib.h"

static const luaL_Reg cmodules[] = {
  {"annovet.c.agree", luaopen_annovet_c_agree},
  {"annovet.c.cocoeval", luaopen_annovet_c_cocoeval},
  {"annovet.c.compare", luaopen_annovet_c_compare},
  {"annovet.c.crypto", luaopen_annovet_c_crypto},
  {"annovet.c.csv", luaopen_annovet_c_csv},
  {"annovet.c.geom", luaopen_annovet_c_geom},
  {"annovet.c.json", luaopen_annovet_c_json},
  {"annovet.c.match", luaopen_annovet_c_match},
  {"annovet.c.model", luaopen_annovet_c_model},
  {"annovet.c.money", luaopen_annovet_c_money},
  {"annovet.c.sandbox", luaopen_annovet_c_sandbox},
  {"annovet.c.store", luaopen_annovet_c_store},
  {"annovet.c.util", luaopen_annovet_c_util},
  {NULL, NULL}
};

/* "annovet.cmd.run" -> "lua/annovet/cmd/run.lua"; "annovet" -> "lua/annovet/init.lua".
 * Pushes the path. [-0, +1, m] */
static const char *push_module_path(lua_State *L, const char *name) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "lua/");
  for (const char *p = name; *p; p++) luaL_addchar(&b, *p == '.' ? '/' : *p);
  luaL_addstring(&b, strchr(name, '.') ? ".lua" : "/init.lua");
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

/* Searcher for package.searchers: loads an annovet module from the disk override
 * directory (upvalue 1, a string or nil) or from the embedded files. [-1, +2, e] */
/* Records a chunk name as annovet's own, so a limit is reported at the script's
 * line rather than inside the library (see step_hook). [-0, +0, m] */
static void mark_host_source(lua_State *L, const char *chunk) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, ANNOVET_HOST_SOURCES);
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, chunk);
  lua_pop(L, 1);
}

static int search_embedded(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  if (strcmp(name, "annovet") != 0 && strncmp(name, "annovet.", 8) != 0) {
    lua_pushfstring(L, "\n\tno embedded module '%s'", name);
    return 1;
  }
  const char *path = push_module_path(L, name);
  const char *dir = lua_tostring(L, lua_upvalueindex(1));
  if (dir) {
    const char *file = lua_pushfstring(L, "%s/%s", dir, path + 4);   /* dir replaces "lua/" */
    FILE *f = fopen(file, "rb");
    if (f) {
      fclose(f);
      if (luaL_loadfilex(L, file, "t") != LUA_OK) return lua_error(L);
      lua_pushfstring(L, "@%s", file);
      mark_host_source(L, lua_tostring(L, -1));
      lua_pop(L, 1);
      lua_pushstring(L, file);
      return 2;
    }
    lua_pop(L, 1);
  }
  for (const EmbeddedFile *e = embedded_files; e->path; e++) {
    if (strcmp(e->path, path) == 0) {
      const char *chunk = lua_pushfstring(L, "@%s", path);
      if (luaL_loadbufferx(L, (const char *)e->data, e->len, chunk, "t") != LUA_OK)
        return lua_error(L);
      mark_host_source(L, chunk);
      lua_pushstring(L, path);
      return 2;
    }
  }
  lua_pushfstring(L, "\n\tno embedded file '%s'", path);
  return 1;
}

int l_fail(lua_State *L, const Err *e) {
  luaL_pushfail(L);
  lua_pushstring(L, e->msg);
  if (!e->option) return 2;
  lua_pushstring(L, e->option);
  return 3;
}

void l_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction release) {
  if (!luaL_newmetatable(L, name)) {
    lua_pop(L, 1);
    return;
  }
  if (methods) {
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
  }
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "__close");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

void annovet_openlibs(lua_State *L, const char *lua_dir) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  for (const luaL_Reg *m = cmodules; m->name; m++) {
    lua_pushcfunction(L, m->func);
    lua_setfield(L, -2, m->name);
  }
  lua_pop(L, 1);

  /* Insert the embedded searcher right after the preload searcher. */
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = n; i >= 2; i--) {
    lua_rawgeti(L, -1, i);
    lua_rawseti(L, -2, i + 1);
  }
  if (lua_dir) lua_pushstring(L, lua_dir); else lua_pushnil(L);
  lua_pushcclosure(L, search_embedded, 1);
  lua_rawseti(L, -2, 2);
  lua_pop(L, 2);
}
