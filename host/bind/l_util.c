/* Small host services for the Lua library: embedded files, SHA-256, version, clock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
  Err e = {0};
  if (hash_file(path, hex, &size, &e) != 0) {
    return l_fail(L, &e);
  }
  lua_pushstring(L, hex);
  lua_pushinteger(L, (lua_Integer)size);
  return 2;
}

#define BYTES_MT "annovet.Bytes"

static int bytes_release(lua_State *L) {
  hash_unmap(luaL_checkudata(L, 1, BYTES_MT));   /* closed: methods raise, the store refuses it */
  return 0;
}

static HashMapped *bytes_check(lua_State *L) {
  HashMapped *m = luaL_checkudata(L, 1, BYTES_MT);
  if (!m->open) luaL_error(L, "attempt to use closed file bytes");
  return m;
}

static int bytes_sha256(lua_State *L) {
  lua_pushstring(L, hash_mapped_hex(bytes_check(L)));
  return 1;
}

static int bytes_size(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)bytes_check(L)->len);
  return 1;
}

const void *l_bytes_test(lua_State *L, int idx, size_t *len) {
  HashMapped *m = luaL_testudata(L, idx, BYTES_MT);
  if (!m || !m->open) return NULL;
  *len = m->len;
  return m->data ? m->data : "";
}

/* util.map_file(path) -> Bytes | nil, message: the file's bytes mapped, not
 * copied, their SHA-256 taken on a thread meanwhile (bytes:sha256() waits for
 * it; bytes:size(); the store binds a Bytes as a blob). [-1, +1|2, m] */
static int l_map_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  static const luaL_Reg methods[] = {{"sha256", bytes_sha256}, {"size", bytes_size}, {NULL, NULL}};
  HashMapped *m = lua_newuserdatauv(L, sizeof *m, 0);   /* before the mapping: no leak on error */
  memset(m, 0, sizeof *m);
  l_class(L, BYTES_MT, methods, bytes_release);
  luaL_setmetatable(L, BYTES_MT);
  Err e = {0};
  if (hash_map_file(path, m, &e) != 0) return l_fail(L, &e);
  return 1;
}

/* util.kind(path) -> "file" | "dir" | "other" | nil, message (symbolic links are
 * followed here, as a user naming a linked delivery expects). [-1, +1|2, m] */
static int l_kind(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  struct stat sb;
  if (stat(path, &sb) != 0) return luaL_fileresult(L, 0, path);
  lua_pushstring(L, S_ISDIR(sb.st_mode) ? "dir" : S_ISREG(sb.st_mode) ? "file" : "other");
  return 1;
}

/* util.stamp(path) -> a string that changes whenever the file is written (device,
 * inode, size, modification and status-change times to the nanosecond), or nil,
 * message. [-0, +1|2, m] */
static int l_stamp(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  struct stat sb;
  if (stat(path, &sb) != 0) return luaL_fileresult(L, 0, path);
  lua_pushfstring(L, "%I:%I:%I:%I.%I:%I.%I", (lua_Integer)sb.st_dev, (lua_Integer)sb.st_ino,
                  (lua_Integer)sb.st_size, (lua_Integer)sb.st_mtim.tv_sec,
                  (lua_Integer)sb.st_mtim.tv_nsec, (lua_Integer)sb.st_ctim.tv_sec,
                  (lua_Integer)sb.st_ctim.tv_nsec);
  return 1;
}

/* Appends every regular file below dir (relative to root, whose length is skip)
 * to the list at stack index list as {path=, size=}; directories are entered, symbolic
 * links and special files left out, so a link cannot loop or leave the folder.
 * Returns 0, or -1 with the message pushed. [-0, +0|1, m] */
static int walk(lua_State *L, int list, const char *dir, size_t skip, int depth) {
  luaL_checkstack(L, 4, "folders nested too deep");
  if (depth > 64) {
    lua_pushfstring(L, "%s: folders nested deeper than 64", dir);
    return -1;
  }
  DIR *d = opendir(dir);
  if (!d) {
    lua_pushfstring(L, "%s: cannot list: %s", dir, strerror(errno));
    return -1;
  }
  struct dirent *ent;
  int rc = 0;
  while (rc == 0 && (ent = readdir(d)) != NULL) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
    const char *full = lua_pushfstring(L, "%s/%s", dir, ent->d_name);
    struct stat sb;
    if (lstat(full, &sb) != 0) {
      lua_pushfstring(L, "%s: %s", full, strerror(errno));
      lua_remove(L, -2);
      rc = -1;
    } else if (S_ISDIR(sb.st_mode)) {
      rc = walk(L, list, full, skip, depth + 1);
      if (rc != 0) lua_remove(L, -2);
      else lua_pop(L, 1);
    } else if (S_ISREG(sb.st_mode)) {
      lua_createtable(L, 0, 2);
      lua_pushstring(L, full + skip);
      lua_setfield(L, -2, "path");
      lua_pushinteger(L, (lua_Integer)sb.st_size);
      lua_setfield(L, -2, "size");
      lua_rawseti(L, list, (lua_Integer)lua_rawlen(L, list) + 1);
      lua_pop(L, 1);
    } else {
      lua_pop(L, 1);
    }
  }
  closedir(d);
  return rc;
}

static int entry_cmp(lua_State *L) {
  lua_getfield(L, 1, "path");
  lua_getfield(L, 2, "path");
  lua_pushboolean(L, strcmp(lua_tostring(L, -2), lua_tostring(L, -1)) < 0);
  return 1;
}

/* util.walk(dir) -> {{path = relative path, size = bytes}, ...} sorted by path
 * (bytewise), or nil, message. [-1, +1|2, m] */
static int l_walk(lua_State *L) {
  const char *dir = luaL_checkstring(L, 1);
  lua_settop(L, 1);
  lua_newtable(L);
  if (walk(L, 2, dir, strlen(dir) + 1, 0) != 0) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_pushvalue(L, 2);
  lua_pushcfunction(L, entry_cmp);
  lua_call(L, 2, 0);
  lua_settop(L, 2);
  return 1;
}

/* util.version() -> version, commit. [-0, +2, m] */
/* util.write_private(path, bytes) -> true | nil, message: a new file readable by its
 * owner only (0600), never an existing one (O_EXCL: no race between a check and
 * the write), for signing keys. [-2, +1|2, m] */
static int l_write_private(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t len;
  const char *s = luaL_checklstring(L, 2, &len);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return luaL_fileresult(L, 0, path);
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, s + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      close(fd);
      unlink(path);
      errno = saved ? saved : EIO;
      return luaL_fileresult(L, 0, path);
    }
    done += (size_t)n;
  }
  if (close(fd) != 0) {
    int saved = errno;
    unlink(path);
    errno = saved;
    return luaL_fileresult(L, 0, path);
  }
  lua_pushboolean(L, 1);
  return 1;
}

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
    {"map_file", l_map_file},
    {"version", l_version},
    {"kind", l_kind},
    {"stamp", l_stamp},
    {"walk", l_walk},
    {"clock", l_clock},
    {"now", l_now},
    {"write_private", l_write_private},
    {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  return 1;
}
