/* A portable PRNG (xoshiro256** seeded by splitmix64) and the linear quantile. */
#include "rng.h"

#include <math.h>
#include <stdlib.h>

/* splitmix64 (Steele, Lea and Flood 2014): expands one seed into the state. */
static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void rng_seed(Rng *g, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) g->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0, as published at prng.di.unimi.it. */
uint64_t rng_next(Rng *g) {
  uint64_t *s = g->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t rng_below(Rng *g, uint64_t n) {
  uint64_t limit = (0 - n) % n;   /* 2^64 mod n: draws below it would bias the remainder */
  for (;;) {
    uint64_t x = rng_next(g);
    if (x >= limit) return x % n;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double rng_quantile(const double *x, uint32_t n, double p) {
  double h = (n - 1) * p, f = floor(h);
  uint32_t i = (uint32_t)f;
  if (i + 1 >= n) return x[n - 1];
  return x[i] + (h - f) * (x[i + 1] - x[i]);
}

void rng_sort(double *x, size_t n) {
  qsort(x, n, sizeof *x, cmp_double);
}
