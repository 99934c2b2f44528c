/* SHA-256 of bytes and files (libsodium), as lowercase hex. */
#ifndef ANNOVET_HASH_H
#define ANNOVET_HASH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HASH_HEX 65   /* 64 hex digits and a NUL */

int hash_init(Err *e);
void hash_hex(char out[HASH_HEX], const unsigned char digest[32]);
void hash_bytes(char out[HASH_HEX], const void *data, size_t len);
/* Hashes a whole file in 64 KiB reads; *size gets its length. */
int hash_file(const char *path, char out[HASH_HEX], uint64_t *size, Err *e);

/* A file's bytes mapped read-only (no copy), their SHA-256 taken on a thread of
 * its own while the caller goes on (reading the same file, say). */
typedef struct HashMapped {
  void *data;      /* NULL when empty or unmapped */
  size_t len;
  int open;        /* mapped and not yet unmapped */
  int hashing;     /* the thread is to be joined */
  pthread_t thread;
  char hex[HASH_HEX];
} HashMapped;

/* Maps the whole of a regular file and starts hashing it (on the caller's thread
 * when no thread can be started). -1 with e set. */
int hash_map_file(const char *path, HashMapped *m, Err *e);
/* The SHA-256 of the mapped bytes, once hashed (waits for it). */
const char *hash_mapped_hex(HashMapped *m);
/* Waits for the hash and unmaps; idempotent. */
void hash_unmap(HashMapped *m);

#endif
