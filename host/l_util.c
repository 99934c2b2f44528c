/* Small host services for the Lua library: embedded files, SHA-256, version, clock. */
#include <string.h>
#include <time.h>

#include "embed.h"
#include "hash.h"
#include "l_annovet.h"
#include "lauxlib.h"

/* util.embedded(path) -> contents | nil: a file compiled into the binary. [-1, +1, m] */
static int l_embedded(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  for (const EmbeddedFile *e = embedded_files; e->path; e++) {
    if (strcmp(e->path, path) == 0) {
      lua_pushlstring(L, (const char *)e->data, e->len);
      return 1;
    }
  }
  luaL_pushfail(L);
  return 1;
}

/* util.embedded_list(prefix) -> {paths...} in build order (sorted). [-1, +1, m] */
static int l_embedded_list(lua_State *L) {
  size_t plen;
  const char *prefix = luaL_optlstring(L, 1, "", &plen);
  lua_newtable(L);
  lua_Integer i = 1;
  for (const EmbeddedFile *e = embedded_files; e->path; e++) {
    if (strncmp(e->path, prefix, plen) == 0) {
      lua_pushstring(L, e->path);
      lua_rawseti(L, -2, i++);
    }
  }
  return 1;
}

/* util.sha256(bytes) -> hex. [-1, +1, m] */
static int l_sha256(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  char hex[HASH_HEX];
  hash_bytes(hex, s, len);
  lua_pushstring(L, hex);
  return 1;
}

/* util.sha256_file(path) -> hex, size | nil, message. [-1, +2, m] */
static int l_sha256_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char hex[HASH_HEX];
  uint64_t size;
  Err e = {{0}};
  if (hash_file(path, hex, &size, &e) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    return 2;
  }
  lua_pushstring(L, hex);
  lua_pushinteger(L, (lua_Integer)size);
  return 2;
}

/* util.version() -> version, commit. [-0, +2, m] */
static int l_version(lua_State *L) {
  lua_pushstring(L, annovet_version);
  lua_pushstring(L, annovet_commit);
  return 2;
}

/* util.clock() -> seconds of CPU; util.now() -> seconds since the epoch (float). [-0, +1, -] */
static int l_clock(lua_State *L) {
  lua_pushnumber(L, (double)clock() / CLOCKS_PER_SEC);
  return 1;
}

static int l_now(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  lua_pushnumber(L, (double)ts.tv_sec + ts.tv_nsec / 1e9);
  return 1;
}

int luaopen_annovet_c_util(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"embedded", l_embedded},
    {"embedded_list", l_embedded_list},
    {"sha256", l_sha256},
    {"sha256_file", l_sha256_file},
    {"version", l_version},
    {"clock", l_clock},
    {"now", l_now},
    {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  return 1;
}
