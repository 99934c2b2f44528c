/* annovet.c.crypto: RFC 6962 Merkle trees and Ed25519 signatures (host/util/merkle.c,
 * sign.c). Hashes, keys and signatures cross the boundary as lowercase hex; leaves
 * and messages as byte strings. */
#include <sodium.h>
#include <string.h>

#include "l_annovet.h"
#include "lauxlib.h"
#include "merkle.h"
#include "sign.h"

/* Reads the list at idx into a MerkleLeaf array held by a new userdata (so an
 * error frees it); the strings stay referenced by the list. [-0, +1, m] */
static MerkleLeaf *leaves_check(lua_State *L, int idx, size_t *n) {
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_Unsigned len = lua_rawlen(L, idx);
  if (len > ((size_t)1 << 40)) luaL_argerror(L, idx, "too many leaves");
  MerkleLeaf *lv = lua_newuserdatauv(L, (len ? len : 1) * sizeof *lv, 0);
  for (lua_Unsigned i = 0; i < len; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "leaf %d is not a string", (int)(i + 1));
    lv[i].data = (const unsigned char *)lua_tolstring(L, -1, &lv[i].len);
    lua_pop(L, 1);
  }
  *n = (size_t)len;
  return lv;
}

static void push_hex(lua_State *L, const unsigned char *b, size_t len) {
  char hex[2 * 64 + 1];
  sodium_bin2hex(hex, sizeof hex, b, len);
  lua_pushstring(L, hex);
}

/* Decodes exactly len bytes of hex at idx; 0, or -1 when it is not that. */
static int hex_arg(lua_State *L, int idx, unsigned char *out, size_t len) {
  size_t slen, got = 0;
  const char *s = luaL_checklstring(L, idx, &slen);
  if (slen != 2 * len) return -1;
  if (sodium_hex2bin(out, len, s, slen, NULL, &got, NULL) != 0 || got != len) return -1;
  return 0;
}

/* crypto.merkle_root(leaves) -> hex MTH. [-1, +1, m] */
static int l_merkle_root(lua_State *L) {
  size_t n;
  MerkleLeaf *lv = leaves_check(L, 1, &n);
  unsigned char root[MERKLE_HASH];
  Err e = {0};
  if (merkle_root(lv, n, root, &e) != 0) return l_fail(L, &e);
  push_hex(L, root, MERKLE_HASH);
  return 1;
}

/* crypto.merkle_leaf_hash(data) -> hex SHA-256(0x00 || data). [-1, +1, m] */
static int l_merkle_leaf_hash(lua_State *L) {
  size_t len;
  const char *d = luaL_checklstring(L, 1, &len);
  unsigned char h[MERKLE_HASH];
  merkle_leaf_hash((const unsigned char *)d, len, h);
  push_hex(L, h, MERKLE_HASH);
  return 1;
}

/* crypto.merkle_path(leaves, m) -> {hex, ...}: the audit path of leaf m (0-based,
 * as RFC 6962 counts), from the leaf up. [-2, +1, m] */
static int l_merkle_path(lua_State *L) {
  size_t n;
  MerkleLeaf *lv = leaves_check(L, 1, &n);
  lua_Integer m = luaL_checkinteger(L, 2);
  if (m < 0 || (lua_Unsigned)m >= n) return luaL_argerror(L, 2, "leaf index outside the tree");
  unsigned char path[64 * MERKLE_HASH];
  size_t count;
  Err e = {0};
  if (merkle_path(lv, n, (size_t)m, path, &count, &e) != 0) return l_fail(L, &e);
  lua_createtable(L, (int)count, 0);
  for (size_t i = 0; i < count; i++) {
    push_hex(L, path + i * MERKLE_HASH, MERKLE_HASH);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* crypto.merkle_verify(leaf_hash_hex, m, n, {hex...}, root_hex) -> boolean, or nil
 * and a message when a hash is not 64 hex digits. [-5, +1|2, m] */
static int l_merkle_verify(lua_State *L) {
  unsigned char leaf[MERKLE_HASH], root[MERKLE_HASH], path[64 * MERKLE_HASH];
  lua_Integer m = luaL_checkinteger(L, 2), n = luaL_checkinteger(L, 3);
  luaL_checktype(L, 4, LUA_TTABLE);
  if (hex_arg(L, 1, leaf, MERKLE_HASH) != 0) return luaL_pushfail(L), lua_pushliteral(L, "leaf hash: expected 64 hex digits"), 2;
  if (hex_arg(L, 5, root, MERKLE_HASH) != 0) return luaL_pushfail(L), lua_pushliteral(L, "root: expected 64 hex digits"), 2;
  lua_Unsigned count = lua_rawlen(L, 4);
  if (count > 64 || m < 0 || n <= 0) {
    lua_pushboolean(L, 0);
    return 1;
  }
  for (lua_Unsigned i = 0; i < count; i++) {
    lua_rawgeti(L, 4, (lua_Integer)i + 1);
    int bad = lua_type(L, -1) != LUA_TSTRING || hex_arg(L, -1, path + i * MERKLE_HASH, MERKLE_HASH) != 0;
    lua_pop(L, 1);
    if (bad) return luaL_pushfail(L), lua_pushfstring(L, "path[%d]: expected 64 hex digits", (int)i + 1), 2;
  }
  lua_pushboolean(L, merkle_verify(leaf, (size_t)m, (size_t)n, path, (size_t)count, root));
  return 1;
}

/* crypto.ed25519_seed() -> 64 hex digits of a fresh random seed. [-0, +1, m] */
static int l_seed(lua_State *L) {
  unsigned char seed[SIGN_SEED];
  sign_random_seed(seed);
  push_hex(L, seed, SIGN_SEED);
  sodium_memzero(seed, sizeof seed);
  return 1;
}

/* crypto.ed25519_public(seed_hex) -> public key hex | nil, msg. [-1, +1|2, m] */
static int l_public(lua_State *L) {
  unsigned char seed[SIGN_SEED], pk[SIGN_PUBLIC];
  if (hex_arg(L, 1, seed, SIGN_SEED) != 0)
    return luaL_pushfail(L), lua_pushliteral(L, "a signing key is 64 hex digits (a 32-byte Ed25519 seed)"), 2;
  sign_public_key(seed, pk);
  sodium_memzero(seed, sizeof seed);
  push_hex(L, pk, SIGN_PUBLIC);
  return 1;
}

/* crypto.ed25519_sign(seed_hex, msg) -> signature hex | nil, msg. [-2, +1|2, m] */
static int l_sign(lua_State *L) {
  unsigned char seed[SIGN_SEED], sig[SIGN_BYTES];
  size_t len;
  const char *msg = luaL_checklstring(L, 2, &len);
  if (hex_arg(L, 1, seed, SIGN_SEED) != 0)
    return luaL_pushfail(L), lua_pushliteral(L, "a signing key is 64 hex digits (a 32-byte Ed25519 seed)"), 2;
  sign_detached(seed, msg, len, sig);
  sodium_memzero(seed, sizeof seed);
  push_hex(L, sig, SIGN_BYTES);
  return 1;
}

/* crypto.ed25519_verify(public_hex, msg, sig_hex) -> boolean | nil, msg. [-3, +1|2, m] */
static int l_verify(lua_State *L) {
  unsigned char pk[SIGN_PUBLIC], sig[SIGN_BYTES];
  size_t len;
  const char *msg = luaL_checklstring(L, 2, &len);
  if (hex_arg(L, 1, pk, SIGN_PUBLIC) != 0)
    return luaL_pushfail(L), lua_pushliteral(L, "a public key is 64 hex digits (32 bytes)"), 2;
  if (hex_arg(L, 3, sig, SIGN_BYTES) != 0) {
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushboolean(L, sign_verify(pk, msg, len, sig));
  return 1;
}

int luaopen_annovet_c_crypto(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"merkle_root", l_merkle_root},
    {"merkle_leaf_hash", l_merkle_leaf_hash},
    {"merkle_path", l_merkle_path},
    {"merkle_verify", l_merkle_verify},
    {"ed25519_seed", l_seed},
    {"ed25519_public", l_public},
    {"ed25519_sign", l_sign},
    {"ed25519_verify", l_verify},
    {NULL, NULL}
  };
  luaL_newlib(L, fns);
  return 1;
}
