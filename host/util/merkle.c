/* RFC 6962 Merkle tree hashes and audit paths (recursive, as section 2.1 defines them). */
#include "merkle.h"

#include <sodium.h>
#include <string.h>

void merkle_leaf_hash(const unsigned char *d, size_t len, unsigned char out[MERKLE_HASH]) {
  crypto_hash_sha256_state st;
  const unsigned char prefix = 0x00;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, &prefix, 1);
  crypto_hash_sha256_update(&st, d, len);
  crypto_hash_sha256_final(&st, out);
}

static void node_hash(const unsigned char l[MERKLE_HASH], const unsigned char r[MERKLE_HASH],
                      unsigned char out[MERKLE_HASH]) {
  crypto_hash_sha256_state st;
  const unsigned char prefix = 0x01;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, &prefix, 1);
  crypto_hash_sha256_update(&st, l, MERKLE_HASH);
  crypto_hash_sha256_update(&st, r, MERKLE_HASH);
  crypto_hash_sha256_final(&st, out);
}

/* The largest power of two strictly below n (n >= 2). */
static size_t split(size_t n) {
  size_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

/* MTH over leaves[0..n), n >= 1. */
static void subtree(const MerkleLeaf *leaves, size_t n, unsigned char out[MERKLE_HASH]) {
  if (n == 1) {
    merkle_leaf_hash(leaves[0].data, leaves[0].len, out);
    return;
  }
  size_t k = split(n);
  unsigned char l[MERKLE_HASH], r[MERKLE_HASH];
  subtree(leaves, k, l);
  subtree(leaves + k, n - k, r);
  node_hash(l, r, out);
}

int merkle_root(const MerkleLeaf *leaves, size_t n, unsigned char out[MERKLE_HASH], Err *e) {
  (void)e;
  if (n == 0) {
    crypto_hash_sha256(out, (const unsigned char *)"", 0);
    return 0;
  }
  subtree(leaves, n, out);
  return 0;
}

/* PATH(m, D[n]) appended from the bottom: the sibling subtrees from the leaf up,
 * so the recursion writes the deeper part first. */
static void path_of(const MerkleLeaf *leaves, size_t n, size_t m, unsigned char *path, size_t *count) {
  if (n <= 1) return;
  size_t k = split(n);
  if (m < k) {
    path_of(leaves, k, m, path, count);
    subtree(leaves + k, n - k, path + *count * MERKLE_HASH);
  } else {
    path_of(leaves + k, n - k, m - k, path, count);
    subtree(leaves, k, path + *count * MERKLE_HASH);
  }
  (*count)++;
}

int merkle_path(const MerkleLeaf *leaves, size_t n, size_t m, unsigned char *path, size_t *count, Err *e) {
  *count = 0;
  if (m >= n) return err_set(e, "leaf %zu is outside a tree of %zu leaves", m, n);
  path_of(leaves, n, m, path, count);
  return 0;
}

int merkle_verify(const unsigned char leaf_hash[MERKLE_HASH], size_t m, size_t n, const unsigned char *path,
                  size_t count, const unsigned char root[MERKLE_HASH]) {
  if (m >= n) return 0;
  size_t fn = m, sn = n - 1;
  unsigned char r[MERKLE_HASH];
  memcpy(r, leaf_hash, MERKLE_HASH);
  for (size_t i = 0; i < count; i++) {
    const unsigned char *p = path + i * MERKLE_HASH;
    if (sn == 0) return 0;
    if ((fn & 1) || fn == sn) {
      node_hash(p, r, r);
      if (!(fn & 1)) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while (fn != 0 && !(fn & 1));
      }
    } else {
      node_hash(r, p, r);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH) == 0;
}
