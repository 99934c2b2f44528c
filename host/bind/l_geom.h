/* Shared by the bindings of "annovet.c.geom" (l_geom.c, l_geom_mask.c). */
#ifndef ANNOVET_L_GEOM_H
#define ANNOVET_L_GEOM_H

#include <stddef.h>

#include "lua.h"
#include "lauxlib.h"
#include "rle.h"

/* Malloc'd blocks owned by a userdata, freed by its __gc/__close even when a
 * Lua error unwinds past the function that made them. */
typedef struct Scratch {
  size_t n;
  void *p[];
} Scratch;

/* Pushes a scratch with n empty slots. [-0, +1, m] */
Scratch *geom_scratch(lua_State *L, size_t n);

/* Reads the RLE table at idx ({size = {h, w}, counts = string or list}) into r,
 * its counts malloc'd into *slot; raises naming `what` when malformed. [-0, +0, e] */
void geom_check_rle(lua_State *L, int idx, Rle *r, void **slot, const char *what);

/* Pushes r as {size = {h, w}, counts = compressed string}. [-0, +1, m] */
void geom_push_rle(lua_State *L, const Rle *r, void **slot);

/* Reads the list of finite numbers at idx into userdata memory (pushed). [-0, +1, e] */
double *geom_check_numbers(lua_State *L, int idx, size_t *n, const char *what);

extern const luaL_Reg geom_mask_funcs[];

#endif
