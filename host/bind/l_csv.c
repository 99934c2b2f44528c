/* Binding of CSV output: csv.write(path, rows) writes a whole file through
 * libcsv (host/csvout.c), or nothing at all. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvout.h"
#include "formats.h"
#include "l_annovet.h"
#include "lauxlib.h"

#define BOX_MT "annovet.csv.out"

/* The file being written, removed by __gc unless it was committed. */
typedef struct CsvBox {
  FormatOut out;
  int open;
} CsvBox;

/* __gc of the output box: removes the temporary file unless committed. [-0, +0, -] */
static int box_release(lua_State *L) {
  CsvBox *b = luaL_checkudata(L, 1, BOX_MT);
  if (b->open) format_out_abort(&b->out);
  b->open = 0;
  return 0;
}

/* Writes the cell at idx: numbers as numbers, strings as text, booleans as
 * true/false, nil and json.null (light userdata) as an empty field. [-0, +0, e] */
static int put_cell(lua_State *L, FILE *f, int idx) {
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    csvout_number(f, lua_tonumber(L, idx));
    return 0;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    return csvout_text(f, s, len);
  }
  case LUA_TBOOLEAN:
    fputs(lua_toboolean(L, idx) ? "true" : "false", f);
    return 0;
  case LUA_TNIL: case LUA_TLIGHTUSERDATA:
    return 0;
  default:
    return luaL_error(L, "csv: a cell must be a number, string, boolean or nil, not %s", luaL_typename(L, idx));
  }
}

/* csv.write(path, rows) -> true | nil, message. rows: a list of rows, each a list
 * of cells (row.n, when set, counts trailing nils). Path "-" is standard output.
 * [-2, +1|2, e] */
static int l_write(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  CsvBox *b = lua_newuserdatauv(L, sizeof *b, 0);   /* 3: before the file */
  memset(b, 0, sizeof *b);
  luaL_setmetatable(L, BOX_MT);
  Err e = {0};
  int to_stdout = strcmp(path, "-") == 0;
  if (!to_stdout && format_out_open(&b->out, path, &e) != 0) {
    return l_fail(L, &e);
  }
  b->open = !to_stdout;
  FILE *f = to_stdout ? stdout : b->out.f;
  lua_Integer nrows = luaL_len(L, 2);
  for (lua_Integer r = 1; r <= nrows; r++) {
    if (lua_rawgeti(L, 2, r) != LUA_TTABLE) return luaL_error(L, "csv: row %d is not a table", (int)r);
    lua_getfield(L, -1, "n");
    lua_Integer n = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : (lua_Integer)lua_rawlen(L, -2);
    lua_pop(L, 1);
    for (lua_Integer k = 1; k <= n; k++) {
      if (k > 1) fputc(',', f);
      lua_rawgeti(L, -1, k);
      if (put_cell(L, f, -1) != 0) return luaL_error(L, "csv: out of memory");
      lua_pop(L, 1);
    }
    fputc('\n', f);
    lua_pop(L, 1);
  }
  if (to_stdout) {
    lua_pushboolean(L, fflush(stdout) == 0);
    return 1;
  }
  b->open = 0;
  if (format_out_commit(&b->out, path, &e) != 0) {
    return l_fail(L, &e);
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* Pushes nil and "path: what: strerror(errno)". [-0, +2, m] */
static int dir_fail(lua_State *L, const char *path, const char *what) {
  luaL_pushfail(L);
  lua_pushfstring(L, "%s: %s: %s", path, what, strerror(errno));
  return 2;
}

/* csv.mkdir(path [, check]) -> true | nil, message: creates the directory and
 * its missing parents unless it exists. With check, creates nothing: says
 * whether it could (path a directory, or the nearest existing folder above it
 * one that can be written). [-1|2, +1|2, m] */
static int l_mkdir(lua_State *L) {
  size_t len;
  const char *path = luaL_checklstring(L, 1, &len);
  int check = lua_toboolean(L, 2);
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, len + 1);   /* a copy to cut at each '/' */
  memcpy(p, path, len + 1);
  while (len > 1 && p[len - 1] == '/') p[--len] = '\0';
  struct stat sb;
  if (stat(p, &sb) == 0) {
    if (!S_ISDIR(sb.st_mode)) {
      errno = ENOTDIR;
      return dir_fail(L, path, "cannot create the directory");
    }
    if (check && access(p, W_OK | X_OK) != 0) return dir_fail(L, path, "cannot write in the directory");
    lua_pushboolean(L, 1);
    return 1;
  }
  if (errno != ENOENT) return dir_fail(L, path, "cannot create the directory");
  /* the first missing component from the top, then each one below it */
  size_t start = 0;
  for (size_t i = len; i > 0; i--) {
    if (p[i - 1] != '/') continue;
    p[i - 1] = '\0';
    int found = i == 1 || stat(p, &sb) == 0;
    p[i - 1] = '/';
    if (found) {
      if (i > 1 && !S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return dir_fail(L, path, "cannot create the directory");
      }
      start = i;
      break;
    }
  }
  if (check) {
    const char *parent = ".";
    if (start > 0) {
      p[start > 1 ? start - 1 : start] = '\0';
      parent = p;
    }
    if (access(parent, W_OK | X_OK) != 0) return dir_fail(L, path, "cannot create the directory");
    lua_pushboolean(L, 1);
    return 1;
  }
  for (size_t i = start; i <= len; i++) {
    if (i < len && p[i] != '/') continue;
    char c = p[i];
    p[i] = '\0';
    int rc = i > start && mkdir(p, 0777) != 0 && errno != EEXIST;
    p[i] = c;
    if (rc) return dir_fail(L, path, "cannot create the directory");
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* The module: write, mkdir; the output box metatable. [-0, +1, m] */
int luaopen_annovet_c_csv(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"write", l_write},
    {"mkdir", l_mkdir},
    {NULL, NULL}
  };
  l_class(L, BOX_MT, NULL, box_release);
  luaL_newlib(L, funcs);
  return 1;
}
