/* annovet: boots Lua 5.4 under a budgeted allocator and hands the command line
 * to lua/annovet/cli.lua, which returns the exit status. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hash.h"
#include "l_annovet.h"
#include "l_sandbox.h"
#include "lauxlib.h"
#include "lualib.h"

static Sandbox sandbox = {.limit = SIZE_MAX};

/* Prints "annovet: msg" on stderr (lua.c l_message). */
static void report(const char *msg) {
  fprintf(stderr, "annovet: %s\n", msg ? msg : "(error object is not a string)");
  fflush(stderr);
}

static int panic(lua_State *L) {
  report(lua_tostring(L, -1));
  return 0;   /* Lua aborts */
}

/* Protected main: opens the libraries, builds the argument list and calls
 * require("annovet.cli").main(args). [-2, +1, e] */
static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = lua_touserdata(L, 2);
  luaL_openlibs(L);
  annovet_openlibs(L, getenv("ANNOVET_LUA_PATH"));
  lua_getglobal(L, "require");
  lua_pushliteral(L, "annovet.cli");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "main");
  lua_createtable(L, argc > 0 ? argc - 1 : 0, 0);
  for (int i = 1; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  lua_call(L, 1, 1);
  return 1;
}

int main(int argc, char **argv) {
  Err e = {0};
  if (hash_init(&e) != 0) {
    report(e.msg);
    return 3;
  }
  lua_State *L = lua_newstate(sandbox_alloc, &sandbox);
  if (L == NULL) {
    report("cannot create the Lua state: out of memory");
    return 3;
  }
  lua_atpanic(L, panic);
  lua_pushcfunction(L, l_traceback);
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  int status = lua_pcall(L, 2, 1, 1);
  int code;
  if (status != LUA_OK) {
    report(lua_tostring(L, -1));
    code = 3;
  } else {
    code = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
  }
  fflush(stdout);
  if (ferror(stdout) && code == 0) {
    report("error writing to standard output");
    code = 2;
  }
  lua_close(L);
  return code;
}
