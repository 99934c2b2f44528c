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

#endif
