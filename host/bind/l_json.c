/* JSON for Lua through cJSON: decode to tables, encode tables with sorted keys and
 * numbers printed shortest-exact (numfmt.c). */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "l_annovet.h"
#include "lauxlib.h"
#include "numfmt.h"
#include "utf8.h"

#define JSON_MAX_DEPTH 256

/* The sentinel for JSON null (a light userdata, so it survives tables). */
#define JSON_NULL ((void *)&json_null_tag)
static const char json_null_tag = 0;

/* ---- decode ---- */

/* Pushes item as a Lua value: objects and arrays become tables (arrays get the
 * "array" marker metatable in the registry), null the sentinel. [-0, +1, m] */
static void push_value(lua_State *L, const cJSON *it, int depth) {
  luaL_checkstack(L, 3, "JSON nesting too deep");
  if (cJSON_IsObject(it)) {
    lua_createtable(L, 0, cJSON_GetArraySize(it));
    for (const cJSON *c = it->child; c; c = c->next) {
      push_value(L, c, depth + 1);
      lua_setfield(L, -2, c->string);
    }
  } else if (cJSON_IsArray(it)) {
    lua_createtable(L, cJSON_GetArraySize(it), 0);
    lua_Integer i = 1;
    for (const cJSON *c = it->child; c; c = c->next) {
      push_value(L, c, depth + 1);
      lua_rawseti(L, -2, i++);
    }
    luaL_setmetatable(L, "annovet.json.array");
  } else if (cJSON_IsString(it)) {
    lua_pushstring(L, it->valuestring);
  } else if (cJSON_IsNumber(it)) {
    double d = it->valuedouble;
    if (d == (double)(lua_Integer)d && d > -9007199254740992.0 && d < 9007199254740992.0)
      lua_pushinteger(L, (lua_Integer)d);
    else
      lua_pushnumber(L, d);
  } else if (cJSON_IsBool(it)) {
    lua_pushboolean(L, cJSON_IsTrue(it));
  } else {
    lua_pushlightuserdata(L, JSON_NULL);
  }
}

/* json.decode(text [, name]) -> value | nil, "name:line:col: message". [-1|2, +1|2, m] */
static int l_decode(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "JSON");
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
  if (!root) {
    const char *at = end ? end : s;
    int line = 1, col = 1;
    for (const char *p = s; p < at && p < s + len; p++) {
      if (*p == '\n') { line++; col = 1; } else col++;
    }
    luaL_pushfail(L);
    if (at >= s + len)
      lua_pushfstring(L, "%s:%d:%d: unexpected end of JSON", name, line, col);
    else
      lua_pushfstring(L, "%s:%d:%d: invalid JSON", name, line, col);
    return 2;
  }
  /* The tree is freed by a to-be-closed box if push_value raises. */
  cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = root;
  luaL_setmetatable(L, "annovet.json.tree");
  lua_toclose(L, -1);
  push_value(L, root, 0);
  return 1;
}

static int text_close(lua_State *L) {
  char **box = luaL_checkudata(L, 1, "annovet.json.text");
  cJSON_free(*box);
  *box = NULL;
  return 0;
}

static int tree_close(lua_State *L) {
  cJSON **box = luaL_checkudata(L, 1, "annovet.json.tree");
  cJSON_Delete(*box);
  *box = NULL;
  return 0;
}

/* ---- encode ---- */

typedef struct Enc {
  const char *err;     /* static message, or NULL */
  char path[64];       /* the key where it failed, for the message */
} Enc;

/* Copies s, replacing bytes that are not valid UTF-8 with U+FFFD, so the output
 * is always valid JSON text. Returns a malloc'd string or NULL. */
static char *utf8_clean(const char *s, size_t len) {
  char *out = malloc(len * 3 + 1);
  if (!out) return NULL;
  size_t o = 0;
  const unsigned char *p = (const unsigned char *)s, *e = p + len;
  while (p < e) {
    size_t n = utf8_len(p, (size_t)(e - p));
    if (n) {
      memcpy(out + o, p, n);
      o += n;
      p += n;
    } else {
      memcpy(out + o, "\xEF\xBF\xBD", 3);
      o += 3;
      p++;
    }
  }
  out[o] = '\0';
  return out;
}

static cJSON *make_string(const char *s, size_t len) {
  char *clean = utf8_clean(s, len);
  if (!clean) return NULL;
  cJSON *j = cJSON_CreateString(clean);
  free(clean);
  return j;
}

typedef struct Key {
  char *s;            /* the key as written: decimal text, or the string made valid UTF-8 */
  cJSON *v;           /* its value, encoded */
} Key;

static int key_cmp(const void *a, const void *b) {
  return strcmp(((const Key *)a)->s, ((const Key *)b)->s);
}

static void key_free(Key *k) {
  free(k->s);
  cJSON_Delete(k->v);
}

static cJSON *encode(lua_State *L, int idx, int depth, Enc *enc);

/* True when the table at idx is a sequence 1..n with n > 0, or carries the
 * array marker. Reads only raw fields: no metamethod runs. */
static int is_array(lua_State *L, int idx) {
  if (lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, "annovet.json.array");
    int marked = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (marked) return 1;
  }
  lua_Unsigned n = lua_rawlen(L, idx), count = 0;
  if (n == 0) return 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
        (lua_Unsigned)lua_tointeger(L, -1) > n) {
      lua_pop(L, 1);
      return 0;
    }
  }
  return count == n;
}

static cJSON *encode_array(lua_State *L, int idx, int depth, Enc *enc) {
  cJSON *arr = cJSON_CreateArray();
  lua_Unsigned n = lua_rawlen(L, idx);
  for (lua_Unsigned i = 1; arr && i <= n; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i);
    cJSON *v = encode(L, lua_gettop(L), depth + 1, enc);
    lua_pop(L, 1);
    if (!v) {
      cJSON_Delete(arr);
      return NULL;
    }
    cJSON_AddItemToArray(arr, v);
  }
  if (!arr && !enc->err) enc->err = "out of memory";
  return arr;
}

/* Collects the keys of the table at idx (strings, or integers as decimal text),
 * each with its value encoded, in one traversal: looking values up again would
 * mean pushing keys, which allocates and may raise. Returns the count, or -1
 * with enc->err set (and nothing held); *out is malloc'd either way. */
static long collect_keys(lua_State *L, int idx, int depth, Key **out, Enc *enc) {
  size_t n = 0, cap = 8;
  Key *keys = malloc(cap * sizeof *keys);
  *out = keys;
  if (!keys) {
    enc->err = "out of memory";
    return -1;
  }
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    Key k = {NULL, NULL};
    if (lua_type(L, -2) == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, -2, &len);
      k.s = utf8_clean(s, len);
    } else if (lua_isinteger(L, -2)) {
      char num[32];
      snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, -2));
      k.s = strdup(num);
    } else {
      enc->err = "object key is neither a string nor an integer";
    }
    if (!enc->err && !k.s) enc->err = "out of memory";
    if (!enc->err) {
      k.v = encode(L, lua_gettop(L), depth + 1, enc);
      if (!k.v && !enc->path[0]) snprintf(enc->path, sizeof enc->path, "%s", k.s);
    }
    if (!enc->err && n == cap) {
      Key *nk = realloc(keys, 2 * cap * sizeof *keys);
      if (nk) {
        *out = keys = nk;
        cap *= 2;
      } else {
        enc->err = "out of memory";
      }
    }
    lua_pop(L, 1);
    if (enc->err) {
      key_free(&k);
      lua_pop(L, 1);
      for (size_t i = 0; i < n; i++) key_free(&keys[i]);
      return -1;
    }
    keys[n++] = k;
  }
  return (long)n;
}

/* Builds the object of the table at idx, keys sorted. Two keys that would be
 * written as the same text (1 and "1", or strings that differ only in bytes
 * that are not UTF-8, each written as U+FFFD) are an error: JSON readers keep
 * one of the two values and drop the other without a word. */
static cJSON *encode_object(lua_State *L, int idx, int depth, Enc *enc) {
  Key *keys;
  long n = collect_keys(L, idx, depth, &keys, enc);
  cJSON *obj = n >= 0 ? cJSON_CreateObject() : NULL;
  if (n >= 0) qsort(keys, (size_t)n, sizeof *keys, key_cmp);
  for (long i = 0; obj && i < n; i++) {
    if (i > 0 && strcmp(keys[i - 1].s, keys[i].s) == 0) {
      enc->err = "two keys are written as this same text (an integer key and a string key, "
                 "or bytes that are not UTF-8 written as U+FFFD)";
      snprintf(enc->path, sizeof enc->path, "%s", keys[i].s);
      cJSON_Delete(obj);
      obj = NULL;
      break;
    }
    cJSON_AddItemToObject(obj, keys[i].s, keys[i].v);
    keys[i].v = NULL;   /* the object holds it now */
  }
  for (long i = 0; i < n; i++) key_free(&keys[i]);
  free(keys);
  if (!obj && !enc->err) enc->err = "out of memory";
  return obj;
}

/* Builds the cJSON tree of the value at idx; NULL with enc->err set on failure.
 * Never raises: the caller frees nothing on a Lua error. */
static cJSON *encode(lua_State *L, int idx, int depth, Enc *enc) {
  switch (lua_type(L, idx)) {
  case LUA_TNIL:
    return cJSON_CreateNull();
  case LUA_TBOOLEAN:
    return cJSON_CreateBool(lua_toboolean(L, idx));
  case LUA_TNUMBER: {
    char buf[NUMFMT_MAX];
    if (lua_isinteger(L, idx)) {
      snprintf(buf, sizeof buf, "%lld", (long long)lua_tointeger(L, idx));
    } else if (num_fmt(buf, lua_tonumber(L, idx), 1) < 0) {
      enc->err = "NaN or infinity cannot be written as JSON";
      return NULL;
    }
    return cJSON_CreateRaw(buf);
  }
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    return make_string(s, len);
  }
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, idx) == JSON_NULL) return cJSON_CreateNull();
    break;
  case LUA_TTABLE:
    if (depth > JSON_MAX_DEPTH) {
      enc->err = "nesting deeper than 256 (a table that contains itself?)";
      return NULL;
    }
    if (!lua_checkstack(L, 6)) {
      enc->err = "Lua stack overflow";
      return NULL;
    }
    return is_array(L, idx) ? encode_array(L, idx, depth, enc) : encode_object(L, idx, depth, enc);
  default:
    break;
  }
  enc->err = "value of this type cannot be written as JSON";
  return NULL;
}

/* json.encode(value [, {pretty=bool}]) -> string, always valid UTF-8: bytes of
 * strings and keys that are not UTF-8 are written as U+FFFD (the output stays
 * usable and the mark shows where), and two keys written as the same text raise
 * an error. [-1|2, +1, e] */
static int l_encode(lua_State *L) {
  luaL_checkany(L, 1);
  int pretty = 0;
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "pretty");
    pretty = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  /* The text is held by a box until Lua has its copy: pushing it may raise. */
  char **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;
  luaL_setmetatable(L, "annovet.json.text");
  Enc enc = {NULL, {0}};
  cJSON *root = encode(L, 1, 0, &enc);
  if (!root) {
    if (enc.path[0]) return luaL_error(L, "JSON encode: at key '%s': %s", enc.path, enc.err);
    return luaL_error(L, "JSON encode: %s", enc.err);
  }
  *box = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (!*box) return luaL_error(L, "JSON encode: out of memory");
  lua_pushstring(L, *box);
  cJSON_free(*box);
  *box = NULL;
  return 1;
}

/* json.array([t]) -> t marked as a JSON array (so an empty one prints as []). [-0|1, +1, m] */
static int l_array(lua_State *L) {
  if (lua_isnoneornil(L, 1)) lua_newtable(L); else luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  luaL_setmetatable(L, "annovet.json.array");
  return 1;
}

int luaopen_annovet_c_json(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"decode", l_decode},
    {"encode", l_encode},
    {"array", l_array},
    {NULL, NULL}
  };
  l_class(L, "annovet.json.tree", NULL, tree_close);
  l_class(L, "annovet.json.text", NULL, text_close);
  luaL_newmetatable(L, "annovet.json.array");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  lua_pushlightuserdata(L, JSON_NULL);
  lua_setfield(L, -2, "null");
  return 1;
}
