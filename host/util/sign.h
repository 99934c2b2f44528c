/* Ed25519 (RFC 8032) through libsodium: keys from a 32-byte seed (RFC 8032's
 * "secret key"), detached signatures and their verification. */
#ifndef ANNOVET_SIGN_H
#define ANNOVET_SIGN_H

#include <stddef.h>

#define SIGN_SEED 32
#define SIGN_PUBLIC 32
#define SIGN_BYTES 64

/* A fresh random seed. */
void sign_random_seed(unsigned char seed[SIGN_SEED]);
/* The public key of seed. */
void sign_public_key(const unsigned char seed[SIGN_SEED], unsigned char pk[SIGN_PUBLIC]);
/* The detached signature of msg[0..len) by seed's key. */
void sign_detached(const unsigned char seed[SIGN_SEED], const void *msg, size_t len, unsigned char sig[SIGN_BYTES]);
/* 1 when sig is pk's signature of msg, else 0. */
int sign_verify(const unsigned char pk[SIGN_PUBLIC], const void *msg, size_t len, const unsigned char sig[SIGN_BYTES]);

#endif
