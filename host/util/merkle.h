/* RFC 6962 (section 2.1) Merkle tree hashes over byte-string leaves, with audit
 * (inclusion) paths and their verification. SHA-256 through libsodium. */
#ifndef ANNOVET_MERKLE_H
#define ANNOVET_MERKLE_H

#include <stddef.h>

#include "err.h"

#define MERKLE_HASH 32

/* One leaf: the bytes d[0..len). */
typedef struct {
  const unsigned char *data;
  size_t len;
} MerkleLeaf;

/* MTH(D[n]): SHA-256() for n = 0, SHA-256(0x00 || d) for one leaf, and
 * SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of two
 * below n. 0, or -1 with e set (out of memory). */
int merkle_root(const MerkleLeaf *leaves, size_t n, unsigned char out[MERKLE_HASH], Err *e);

/* PATH(m, D[n]): the audit path of leaf m, from the leaf up; *count gets its
 * length (at most 64 hashes: path must hold 64 * MERKLE_HASH bytes). */
int merkle_path(const MerkleLeaf *leaves, size_t n, size_t m, unsigned char *path, size_t *count, Err *e);

/* 1 when the leaf hash of leaf m of a tree of size n, combined with path[0..count),
 * gives root (RFC 9162 section 2.1.3.2); 0 otherwise. */
int merkle_verify(const unsigned char leaf_hash[MERKLE_HASH], size_t m, size_t n, const unsigned char *path,
                  size_t count, const unsigned char root[MERKLE_HASH]);

/* SHA-256(0x00 || d). */
void merkle_leaf_hash(const unsigned char *d, size_t len, unsigned char out[MERKLE_HASH]);

#endif
