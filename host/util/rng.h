/* A portable PRNG for the bootstraps and samples: xoshiro256** seeded by splitmix64
 * (Blackman and Vigna 2018), so the same seed gives the same stream on every
 * machine; and the linear quantile of sorted values the percentile intervals use. */
#ifndef ANNOVET_RNG_H
#define ANNOVET_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct Rng {
  uint64_t s[4];
} Rng;

void rng_seed(Rng *g, uint64_t seed);
uint64_t rng_next(Rng *g);
/* Uniform integer in [0, n), n > 0, by rejection (no modulo bias). */
uint64_t rng_below(Rng *g, uint64_t n);

/* Sorts x[0..n) ascending (no NaN in it). */
void rng_sort(double *x, size_t n);
/* The p-quantile of sorted x[0..n), n > 0: linear between order statistics,
 * h = (n - 1) p, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]) (numpy's
 * default "linear", R's type 7). */
double rng_quantile(const double *x, uint32_t n, double p);

#endif
