/* The Lua state's memory budget and instruction budget, shared by main.c and the sandbox binding. */
#ifndef ANNOVET_L_SANDBOX_H
#define ANNOVET_L_SANDBOX_H

#include <stddef.h>

#include "lua.h"

typedef struct Sandbox {
  size_t used;          /* bytes Lua holds now */
  size_t limit;         /* growth past this is refused; SIZE_MAX when no script runs */
  size_t peak;          /* most bytes held at once */
  int mem_hit;          /* a growth was refused and not rescued by a collection */
  int retry_pending;    /* the next growth may be Lua's retry of the refused request */
  void *refused_ptr;    /* the refused request, to recognise that retry */
  size_t refused_osize, refused_nsize;
  size_t lua0, rss0;    /* Lua's bytes and the resident bytes when the script began */
  long long steps;      /* VM instructions counted while a script runs */
  long long hooks;      /* count hooks called while a script runs */
  long long max_steps;
  int killed;           /* the step budget ran out: every later line raises again */
  int depth;            /* nested sandbox calls */
} Sandbox;

/* Registry table of the chunk names of annovet's own Lua modules. */
#define ANNOVET_HOST_SOURCES "annovet.host_sources"

/* lua_Alloc that enforces s->limit; ud is the Sandbox. */
void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Raises unless the running script may write path: trusted code (no sandbox
 * call under way) may; a script only inside the folder given as
 * limits.write_dir, however the path is spelt (confine_check_write). [-0, +0, v] */
void sandbox_check_write(lua_State *L, const char *path);

/* Raises unless the running script may read path: trusted code may; a script
 * only at or below limits.read's paths (symbolic links resolved). [-0, +0, v] */
void sandbox_check_read(lua_State *L, const char *path);

/* Raises the memory limit unless bytes more C memory fit the running script's
 * budget beside what it holds (after a collection): bindings that allocate in
 * proportion to their input call it first. [-0, +0, v] */
void sandbox_reserve(lua_State *L, size_t bytes);

/* After a C call made for a running script failed: 1 when it failed because
 * the budget refused a reservation (confine_reserve), after a collection, so
 * the caller may try once more; 0 otherwise. [-0, +0, -] */
int sandbox_budget_retry(lua_State *L);

/* Raises the memory limit when a reservation made for the running script was
 * refused. [-0, +0, v] */
void sandbox_budget_check(lua_State *L);

/* Raises the memory limit when a running script holds more than its budget,
 * counting the C memory of its datasets and results; bindings call it before
 * they make an object that holds C memory. [-0, +0, v] */
void sandbox_check_heap(lua_State *L);

/* Message handler for lua_pcall: the error with a traceback (lua.c msghandler). */
int l_traceback(lua_State *L);

int luaopen_annovet_c_sandbox(lua_State *L);

#endif
