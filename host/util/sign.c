/* Ed25519 signatures through libsodium: no hand-written cryptography. */
#include "sign.h"

#include <sodium.h>

void sign_random_seed(unsigned char seed[SIGN_SEED]) { randombytes_buf(seed, SIGN_SEED); }

void sign_public_key(const unsigned char seed[SIGN_SEED], unsigned char pk[SIGN_PUBLIC]) {
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed);
  sodium_memzero(sk, sizeof sk);
}

void sign_detached(const unsigned char seed[SIGN_SEED], const void *msg, size_t len, unsigned char sig[SIGN_BYTES]) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed);
  crypto_sign_detached(sig, NULL, msg, len, sk);
  sodium_memzero(sk, sizeof sk);
}

int sign_verify(const unsigned char pk[SIGN_PUBLIC], const void *msg, size_t len, const unsigned char sig[SIGN_BYTES]) {
  return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}
