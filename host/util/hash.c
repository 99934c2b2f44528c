/* SHA-256 through libsodium: no hand-written cryptography. */
#include "hash.h"

#include <sodium.h>
#include <stdio.h>

#include "confine.h"

int hash_init(Err *e) {
  if (sodium_init() < 0) return err_set(e, "libsodium failed to initialise");
  return 0;
}

void hash_hex(char out[HASH_HEX], const unsigned char digest[32]) {
  sodium_bin2hex(out, HASH_HEX, digest, 32);
}

void hash_bytes(char out[HASH_HEX], const void *data, size_t len) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, data, len);
  hash_hex(out, d);
}

int hash_file(const char *path, char out[HASH_HEX], uint64_t *size, Err *e) {
  FILE *f = confine_fopen(path, e);
  if (!f) return -1;
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  unsigned char buf[65536];
  uint64_t total = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    crypto_hash_sha256_update(&st, buf, n);
    total += n;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) return err_set(e, "%s: read error", path);
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, d);
  hash_hex(out, d);
  if (size) *size = total;
  return 0;
}
