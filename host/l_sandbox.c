/* Runs user functions under a memory budget (the lua_Alloc) and an instruction budget
 * (a count hook), reporting which limit stopped them. The environment itself, an
 * allowlist of safe functions, is built in lua/annovet/sandbox.lua. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "l_sandbox.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lauxlib.h"

#define STEP_CHUNK 1000   /* instructions between two calls of the count hook */

/* Refuses only growth past the limit, so a script over budget can still free.
 * When ptr is NULL, osize is a type tag, not a size: count it as 0 (lua_Alloc contract). */
void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  Sandbox *s = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    s->used -= old;
    return NULL;
  }
  /* Lua retries a refused request once, after an emergency collection (which only
   * frees and shrinks): when that very retry succeeds, the limit was brushed, not
   * reached. Any other growth first ends the chance. */
  int retry = s->retry_pending && nsize > old;
  if (retry) s->retry_pending = 0;
  if (nsize > old && (nsize - old > s->limit || s->used + (nsize - old) > s->limit)) {
    s->mem_hit = 1;
    s->retry_pending = !retry;
    s->refused_ptr = ptr;
    s->refused_osize = osize;
    s->refused_nsize = nsize;
    return NULL;
  }
  void *p = realloc(ptr, nsize);
  if (!p) return NULL;
  if (retry && ptr == s->refused_ptr && osize == s->refused_osize && nsize == s->refused_nsize)
    s->mem_hit = 0;
  s->used = s->used - old + nsize;
  if (s->used > s->peak) s->peak = s->used;
  return p;
}

static Sandbox *sandbox_get(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

/* Fills ar with the innermost frame running the user's code (not annovet's own Lua
 * modules) that has a line; 0 when there is none. [-0, +0, m] */
static int user_frame(lua_State *L, lua_Debug *ar) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, ANNOVET_HOST_SOURCES);
  int found = 0;
  for (int level = 0; !found && lua_getstack(L, level, ar); level++) {
    if (!lua_getinfo(L, "Sl", ar) || ar->currentline <= 0) continue;
    lua_getfield(L, -1, ar->source);
    found = !lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return found;
}

/* Raises the formatted message, prefixed with the script's line when there is
 * one: a refusal names the script's call, not the library function it went through. */
static int sandbox_raise(lua_State *L, const char *fmt, ...) {
  lua_Debug where;
  if (user_frame(L, &where)) lua_pushfstring(L, "%s:%d: ", where.short_src, where.currentline);
  else lua_pushliteral(L, "");
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 2);
  return lua_error(L);
}

/* Once the budget is spent, re-arm on every line and instruction and raise again,
 * so a script's own pcall cannot swallow the stop (redis PR #8661). The message
 * names the script's line, even when the budget ran out inside the library. */
static void step_hook(lua_State *L, lua_Debug *ar) {
  Sandbox *s = sandbox_get(L);
  if (ar->event == LUA_HOOKCOUNT) s->steps += STEP_CHUNK;
  if (s->killed || s->steps >= s->max_steps) {
    s->killed = 1;
    lua_sethook(L, step_hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
    lua_Debug where;
    if (user_frame(L, &where))
      lua_pushfstring(L, "%s:%d: instruction limit reached (--max-steps %I)", where.short_src,
                      where.currentline, (lua_Integer)s->max_steps);
    else
      lua_pushfstring(L, "instruction limit reached (--max-steps %I)", (lua_Integer)s->max_steps);
    lua_error(L);
  }
}

/* Message handler: the error with a traceback; non-string errors pass through
 * __tostring or are described by type. [-1, +1, m] */
int l_traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* The real path of the nearest existing folder above path (symbolic links
 * resolved), malloc'd; NULL when a component not yet created is "." or "..",
 * so the part that realpath cannot see cannot climb out either. */
static char *existing_ancestor(const char *path) {
  size_t n = strlen(path);
  char *p = malloc(n + 3);
  if (!p) return NULL;
  if (path[0] == '/') memcpy(p, path, n + 1);
  else {
    memcpy(p, "./", 2);
    memcpy(p + 2, path, n + 1);
  }
  for (;;) {
    char *slash = strrchr(p, '/');
    const char *last = slash + 1;
    if (strcmp(last, "..") == 0 || strcmp(last, ".") == 0) break;
    if (slash == p) {
      p[1] = '\0';            /* "/name": the root */
    } else {
      *slash = '\0';
    }
    char *real = realpath(p, NULL);
    if (real || errno != ENOENT) {
      free(p);
      return real;
    }
  }
  free(p);
  return NULL;
}

void sandbox_check_write(lua_State *L, const char *path) {
  Sandbox *s = sandbox_get(L);
  if (s->depth == 0) return;
  if (!s->write_dir) sandbox_raise(L, "%s: a script may write files only with --out DIR", path);
  char *anc = existing_ancestor(path);
  size_t n = strlen(s->write_dir);
  int inside = anc && strncmp(anc, s->write_dir, n) == 0 && (anc[n] == '\0' || anc[n] == '/');
  free(anc);
  if (!inside) sandbox_raise(L, "%s: outside the folder the script may write in (%s)", path, s->write_dir);
}

/* 1 when real (a real path) is root or below it. */
static int path_within(const char *real, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/') return 1;
  return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

void sandbox_check_read(lua_State *L, const char *path) {
  Sandbox *s = sandbox_get(L);
  if (s->depth == 0) return;
  char *real = realpath(path, NULL);
  if (!real) real = existing_ancestor(path);   /* a missing file: where it would be */
  int inside = 0;
  for (int i = 0; real && !inside && i < s->nread; i++) inside = path_within(real, s->read_roots[i]);
  free(real);
  if (!inside)
    sandbox_raise(L, "%s: outside what the script may read (the current folder, the script's, "
                  "--out, paths given as arguments, and --read folders)", path);
}

static void free_read_roots(Sandbox *s) {
  for (int i = 0; i < s->nread; i++) free(s->read_roots[i]);
  free(s->read_roots);
  s->read_roots = NULL;
  s->nread = 0;
}

/* Sets s->read_roots from limits.read (a list of paths; those that do not exist are
 * skipped). [-0, +0, m] */
static void set_read_roots(lua_State *L, Sandbox *s, int limits) {
  free_read_roots(s);
  if (lua_getfield(L, limits, "read") != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_Integer n = luaL_len(L, -1);
  s->read_roots = calloc(n > 0 ? (size_t)n : 1, sizeof *s->read_roots);
  if (!s->read_roots) luaL_error(L, "not enough memory");
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    const char *p = lua_tostring(L, -1);
    char *real = p ? realpath(p, NULL) : NULL;
    if (real) s->read_roots[s->nread++] = real;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* sandbox.call(fn, limits, ...) calls fn(...) with limits = {max_memory=bytes,
 * max_steps=n, write_dir=folder or nil, read={paths}} and returns true, results... or false, message, kind, where kind
 * is "error", "memory" or "steps". [-(n+2), +r, e] */
static int l_call(lua_State *L) {
  Sandbox *s = sandbox_get(L);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_getfield(L, 2, "max_memory");
  lua_Integer maxmem = luaL_optinteger(L, -1, 1LL << 30);
  lua_getfield(L, 2, "max_steps");
  lua_Integer maxsteps = luaL_optinteger(L, -1, 10000000000LL);
  lua_pop(L, 2);
  luaL_argcheck(L, maxmem > 0, 2, "max_memory must be positive");
  luaL_argcheck(L, maxsteps > 0, 2, "max_steps must be positive");
  if (s->depth > 0) return luaL_error(L, "sandbox calls do not nest");
  set_read_roots(L, s, 2);   /* first: it may raise, and holds its own memory in s */
  lua_getfield(L, 2, "write_dir");
  const char *wd = lua_tostring(L, -1);
  char *write_dir = wd ? realpath(wd, NULL) : NULL;
  lua_pop(L, 1);
  if (wd && !write_dir) {
    free_read_roots(s);
    return luaL_error(L, "%s: %s", wd, strerror(errno));
  }

  int nargs = lua_gettop(L) - 2;
  lua_pushcfunction(L, l_traceback);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);                 /* traceback, fn below the arguments */
  int base = 3;

  s->limit = (size_t)maxmem > SIZE_MAX ? SIZE_MAX : (size_t)maxmem;
  s->mem_hit = 0;
  s->retry_pending = 0;
  s->steps = 0;
  s->max_steps = maxsteps;
  s->killed = 0;
  s->depth++;
  s->write_dir = write_dir;
  lua_sethook(L, step_hook, LUA_MASKCOUNT, STEP_CHUNK);
  int status = lua_pcall(L, nargs, LUA_MULTRET, base);
  lua_sethook(L, NULL, 0, 0);
  s->depth--;
  s->write_dir = NULL;
  free(write_dir);
  free_read_roots(s);
  s->limit = SIZE_MAX;
  int killed = s->killed, mem_hit = s->mem_hit;
  s->killed = 0;
  s->max_steps = LLONG_MAX;

  if (status == LUA_OK && (killed || mem_hit)) {   /* caught by the script, yet reached */
    lua_settop(L, base);
    if (killed) lua_pushfstring(L, "instruction limit reached (--max-steps %I)", maxsteps);
    else lua_pushliteral(L, "not enough memory");
    status = killed ? LUA_ERRRUN : LUA_ERRMEM;
  }
  if (status == LUA_OK) {
    int nres = lua_gettop(L) - base;
    lua_pushboolean(L, 1);
    lua_rotate(L, base + 1, 1);
    return nres + 1;
  }
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  if (mem_hit && !killed) {
    lua_pop(L, 1);
    lua_pushfstring(L, "memory limit reached (--max-memory %I bytes)", maxmem);
    lua_pushliteral(L, "memory");
  } else if (killed) {
    lua_pushliteral(L, "steps");
  } else {
    lua_pushliteral(L, "error");
  }
  return 3;
}

/* sandbox.stopped() -> true once a limit has stopped the running script: the
 * sandbox's pcall, xpcall and coroutine.resume raise the error again, so a script
 * cannot catch a limit and go on. [-0, +1, -] */
static int l_stopped(lua_State *L) {
  Sandbox *s = sandbox_get(L);
  lua_pushboolean(L, s->depth > 0 && (s->killed || s->mem_hit));
  return 1;
}

/* sandbox.usage() -> bytes in use, peak bytes, steps of the last call. [-0, +3, -] */
static int l_usage(lua_State *L) {
  Sandbox *s = sandbox_get(L);
  lua_pushinteger(L, (lua_Integer)s->used);
  lua_pushinteger(L, (lua_Integer)s->peak);
  lua_pushinteger(L, (lua_Integer)s->steps);
  return 3;
}

int luaopen_annovet_c_sandbox(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"call", l_call},
    {"usage", l_usage},
    {"stopped", l_stopped},
    {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  return 1;
}
