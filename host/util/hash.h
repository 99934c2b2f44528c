/* SHA-256 of bytes and files (libsodium), as lowercase hex. */
#ifndef ANNOVET_HASH_H
#define ANNOVET_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HASH_HEX 65   /* 64 hex digits and a NUL */

int hash_init(Err *e);
void hash_hex(char out[HASH_HEX], const unsigned char digest[32]);
void hash_bytes(char out[HASH_HEX], const void *data, size_t len);
/* Hashes a whole file in 64 KiB reads; *size gets its length. */
int hash_file(const char *path, char out[HASH_HEX], uint64_t *size, Err *e);

/* A file's bytes mapped read-only (no copy), with their SHA-256. */
typedef struct HashMapped {
  void *data;      /* NULL when empty or unmapped */
  size_t len;
  char hex[HASH_HEX];
} HashMapped;

/* Maps the whole of a regular file and hashes it in one pass. -1 with e set. */
int hash_map_file(const char *path, HashMapped *m, Err *e);
/* Unmaps; idempotent. */
void hash_unmap(HashMapped *m);

#endif
