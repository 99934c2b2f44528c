/* Runs user functions under a memory budget (the lua_Alloc) and an instruction budget
 * (a count hook), reporting which limit stopped them. The environment itself, an
 * allowlist of safe functions, is built in lua/annovet/sandbox.lua. */
#include "l_sandbox.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confine.h"
#include "lauxlib.h"

#define STEP_CHUNK 1000   /* instructions between two calls of the count hook */
#define HEAP_EVERY 64     /* count hooks between two looks at resident memory */

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

/* The process's resident bytes (/proc/self/statm), or 0 where it cannot be read
 * or means little: under ASan or valgrind, whose quarantines keep freed memory
 * resident. A few microseconds, unlike mallinfo2, which walks every free chunk. */
static size_t rss_bytes(void) {
#if defined(__SANITIZE_ADDRESS__)
  return 0;
#endif
  const char *preload = getenv("LD_PRELOAD");
  if (preload && strstr(preload, "vgpreload")) return 0;
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long long size, resident;
  if (sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* The C memory the script holds (datasets, results): the resident memory gained
 * since it began, less what Lua itself gained. Lua's own bytes are held to the
 * limit exactly by sandbox_alloc; counting them here too would charge the
 * allocator's overhead on small objects to the script. */
static size_t c_held(const Sandbox *s) {
  size_t rss = rss_bytes();
  size_t grown = rss > s->rss0 ? rss - s->rss0 : 0;
  size_t lua_grown = s->used > s->lua0 ? s->used - s->lua0 : 0;
  return grown > lua_grown ? grown - lua_grown : 0;
}

/* Raises the memory limit, as sandbox_alloc's refusal does. [-0, +0, v] */
static void raise_memory(lua_State *L, Sandbox *s) {
  s->mem_hit = 1;
  s->retry_pending = 0;
  lua_pushliteral(L, "not enough memory");
  lua_error(L);
}

/* 1 when the C memory the script holds passes the limit. */
static int over_budget(const Sandbox *s) {
  return c_held(s) > s->limit;
}

/* Raises the memory limit when the script holds more than its budget in C memory
 * too, after a collection and a trim have given back what it no longer holds.
 * [-0, +0, v] */
static void check_heap(lua_State *L, Sandbox *s) {
  if (s->depth == 0 || !over_budget(s)) return;
  lua_gc(L, LUA_GCCOLLECT);
  malloc_trim(0);
  if (!over_budget(s)) return;
  raise_memory(L, s);
}

void sandbox_check_heap(lua_State *L) {
  check_heap(L, sandbox_get(L));
}

/* Once the budget is spent, re-arm on every line and instruction and raise again,
 * so a script's own pcall cannot swallow the stop (redis PR #8661). The message
 * names the script's line, even when the budget ran out inside the library. */
static void step_hook(lua_State *L, lua_Debug *ar) {
  Sandbox *s = sandbox_get(L);
  if (ar->event == LUA_HOOKCOUNT) {
    s->steps += STEP_CHUNK;
    if (++s->hooks % HEAP_EVERY == 0 && !s->killed) check_heap(L, s);
  }
  if (s->killed || s->steps >= s->max_steps) {
    s->killed = 1;
    lua_sethook(L, step_hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
    sandbox_raise(L, "instruction limit reached (--max-steps %I)", (lua_Integer)s->max_steps);
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

/* The budget the formats and the core ask (confine_reserve) before they
 * allocate in proportion to their input: 0 when bytes more fit beside what the
 * script holds. Calls no Lua: it may run in a reader thread. */
static int c_budget(void *ud, size_t bytes) {
  const Sandbox *s = ud;
  return bytes <= s->limit && c_held(s) <= s->limit - bytes ? 0 : -1;
}

void sandbox_reserve(lua_State *L, size_t bytes) {
  Sandbox *s = sandbox_get(L);
  if (s->depth == 0 || c_budget(s, bytes) == 0) return;
  lua_gc(L, LUA_GCCOLLECT);   /* what the script no longer holds */
  malloc_trim(0);
  if (c_budget(s, bytes) != 0) raise_memory(L, s);
}

int sandbox_budget_retry(lua_State *L) {
  Sandbox *s = sandbox_get(L);
  if (s->depth == 0 || !confine_budget_hit()) return 0;
  confine_budget_clear();
  lua_gc(L, LUA_GCCOLLECT);
  malloc_trim(0);
  return 1;
}

void sandbox_budget_check(lua_State *L) {
  Sandbox *s = sandbox_get(L);
  if (s->depth > 0 && confine_budget_hit()) raise_memory(L, s);
}

void sandbox_check_write(lua_State *L, const char *path) {
  Err e = {0};
  if (sandbox_get(L)->depth > 0 && confine_check_write(path, &e) != 0) sandbox_raise(L, "%s", e.msg);
}

void sandbox_check_read(lua_State *L, const char *path) {
  Err e = {0};
  if (sandbox_get(L)->depth > 0 && confine_check_read(path, &e) != 0) sandbox_raise(L, "%s", e.msg);
}

/* Closes a source file still open when read_source raised (liolib's closef). */
static int close_source(lua_State *L) {
  luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
  int ok = fclose(p->f) == 0;
  return luaL_fileresult(L, ok, NULL);
}

/* sandbox.read_source(path) -> text | nil, message, missing: a Lua file for the
 * sandbox's loader and require, read through the same checks as a delivery
 * while a script runs (links resolved, the opened file checked again);
 * missing is true when the file does not exist. The FILE lives in a Lua file
 * handle made before it is opened, so an error while reading leaks nothing
 * (liolib.c newprefile). [-1, +1|3, m] */
static int l_read_source(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_Stream *p = lua_newuserdatauv(L, sizeof *p, 0);
  p->closef = NULL;
  luaL_setmetatable(L, LUA_FILEHANDLE);
  Err e = {0};
  p->f = confine_fopen(path, &e);
  if (!p->f) {
    int missing = errno == ENOENT;
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    lua_pushboolean(L, missing);
    return 3;
  }
  p->closef = close_source;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t n;
  do {
    n = fread(luaL_prepbuffer(&b), 1, LUAL_BUFFERSIZE, p->f);
    luaL_addsize(&b, n);
  } while (n == LUAL_BUFFERSIZE);
  int bad = ferror(p->f);
  fclose(p->f);
  p->closef = NULL;
  if (bad) {
    luaL_pushfail(L);
    lua_pushfstring(L, "%s: cannot read", path);
    return 2;
  }
  luaL_pushresult(&b);
  return 1;
}

/* Starts confining the script: read roots from limits.read (a list of paths;
 * those that do not exist are skipped), the write folder, the C budget.
 * [-0, +0, m] */
static void begin_confine(lua_State *L, Sandbox *s, int limits, const char *write_dir) {
  lua_Integer n = 0;
  if (lua_getfield(L, limits, "read") == LUA_TTABLE) n = luaL_len(L, -1);
  const char **roots = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *roots, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    /* a string held by limits.read while confine_begin copies it; nothing else is a path */
    roots[i - 1] = lua_rawgeti(L, -2, i) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);
  }
  Err e = {0};
  int rc = confine_begin(roots, (int)n, write_dir, c_budget, s, &e);
  lua_pop(L, 2);
  if (rc != 0) luaL_error(L, "%s", e.msg);
}

/* The message SIGXCPU prints: made before the script runs, as a handler may not
 * allocate. */
static char cpu_message[256];

static void on_sigxcpu(int sig) {
  (void)sig;
  ssize_t n = write(STDERR_FILENO, cpu_message, strlen(cpu_message));
  (void)n;
  _exit(2);
}

/* Stops the process, with a one-line reason, once it has used seconds more CPU
 * time: the step budget cannot see time spent inside C (a pathological pattern
 * in string.find), the kernel's CPU limit can. [-0, +0, -] */
static void set_cpu_limit(const char *script, lua_Integer seconds) {
  struct rusage ru;
  struct rlimit rl;
  if (getrusage(RUSAGE_SELF, &ru) != 0 || getrlimit(RLIMIT_CPU, &rl) != 0) return;
  rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1;
  rlim_t want = used + (rlim_t)seconds;
  if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max) want = rl.rlim_max;
  snprintf(cpu_message, sizeof cpu_message, "annovet: %s: CPU time limit reached (--max-cpu %lld s)\n",
           script, (long long)seconds);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigxcpu;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGXCPU, &sa, NULL) != 0) return;
  rl.rlim_cur = want;
  setrlimit(RLIMIT_CPU, &rl);
}

/* sandbox.call(fn, limits, ...) calls fn(...) with limits = {max_memory=bytes,
 * max_steps=n, write_dir=folder or nil, read={paths}, max_cpu=seconds, name=script}
 * and returns true, results... or false, message, kind, where kind
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
  if (lua_getfield(L, 2, "max_cpu") != LUA_TNIL) {
    lua_getfield(L, 2, "name");
    set_cpu_limit(luaL_optstring(L, -1, "script"), luaL_checkinteger(L, -2));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_getfield(L, 2, "write_dir");
  begin_confine(L, s, 2, lua_tostring(L, -1));   /* first: it may raise */
  lua_pop(L, 1);

  int nargs = lua_gettop(L) - 2;
  lua_pushcfunction(L, l_traceback);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);                 /* traceback, fn below the arguments */
  int base = 3;

  s->limit = (size_t)maxmem > SIZE_MAX ? SIZE_MAX : (size_t)maxmem;
  s->mem_hit = 0;
  s->retry_pending = 0;
  s->steps = 0;
  s->hooks = 0;
  s->lua0 = s->used;
  s->rss0 = rss_bytes();
  s->max_steps = maxsteps;
  s->killed = 0;
  s->depth++;
  lua_sethook(L, step_hook, LUA_MASKCOUNT, STEP_CHUNK);
  int status = lua_pcall(L, nargs, LUA_MULTRET, base);
  lua_sethook(L, NULL, 0, 0);
  if (status == LUA_OK && !s->killed && !s->mem_hit && over_budget(s)) {
    lua_gc(L, LUA_GCCOLLECT);   /* what the script returned is still held */
    malloc_trim(0);
    if (over_budget(s)) s->mem_hit = 1;
  }
  if (confine_budget_hit()) s->mem_hit = 1;   /* a reservation refused, the error caught */
  s->depth--;
  confine_end();
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
  lua_pushboolean(L, s->depth > 0 && (s->killed || s->mem_hit || confine_budget_hit()));
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
    {"read_source", l_read_source},
    {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  return 1;
}
