/* SHA-256 through libraries, no hand-written cryptography: OpenSSL's libcrypto
 * for bytes in memory (it uses the processor's SHA instructions, some five times
 * libsodium's portable code on a 100 MB delivery), libsodium for files read in
 * pieces and whenever libcrypto fails. */
#include "hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"

int hash_init(Err *e) {
  if (sodium_init() < 0) return err_set(e, "libsodium failed to initialise");
  return 0;
}

void hash_hex(char out[HASH_HEX], const unsigned char digest[32]) {
  sodium_bin2hex(out, HASH_HEX, digest, 32);
}

void hash_bytes(char out[HASH_HEX], const void *data, size_t len) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data, len, d, &n, EVP_sha256(), NULL) != 1 || n != crypto_hash_sha256_BYTES)
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

/* The hashing thread: one pass over the mapping. */
static void *hash_mapped(void *arg) {
  HashMapped *m = arg;
  hash_bytes(m->hex, m->data ? m->data : "", m->len);
  return NULL;
}

/* One mapping, no read into a buffer, no copy; the hash on a thread. */
int hash_map_file(const char *path, HashMapped *m, Err *e) {
  memset(m, 0, sizeof *m);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return err_errno(e, "%s", path);
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int rc = err_errno(e, "%s", path);
    close(fd);
    return rc;
  }
  if (!S_ISREG(sb.st_mode)) {
    close(fd);
    return err_set(e, "%s: not a regular file", path);
  }
  if (sb.st_size > 0) {
    void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int rc = err_errno(e, "%s", path);
      close(fd);
      return rc;
    }
    posix_madvise(p, (size_t)sb.st_size, POSIX_MADV_SEQUENTIAL);
    m->data = p;
    m->len = (size_t)sb.st_size;
  }
  close(fd);
  m->open = 1;
  if (m->len >= ((size_t)1 << 20) && pthread_create(&m->thread, NULL, hash_mapped, m) == 0) {
    m->hashing = 1;
  } else {
    hash_mapped(m);     /* small, or no thread to be had */
  }
  return 0;
}

const char *hash_mapped_hex(HashMapped *m) {
  if (m->hashing) {
    pthread_join(m->thread, NULL);
    m->hashing = 0;
  }
  return m->hex;
}

void hash_unmap(HashMapped *m) {
  hash_mapped_hex(m);
  if (m->data) munmap(m->data, m->len);
  m->data = NULL;
  m->len = 0;
  m->open = 0;
}
