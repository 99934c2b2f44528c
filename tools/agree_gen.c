/* Seeded generator of agreement benchmark data (wide CSV on stdout): a true
 * category per unit, each rater right with probability 0.7, else uniform, and
 * cells missing with a given probability. Same seed, same bytes, any machine.
 *   agree_gen UNITS RATERS CATEGORIES MISSING SEED > file.csv */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t s[4];

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** */
static uint64_t next(void) {
  uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return r;
}

static double uniform(void) { return (next() >> 11) * 0x1.0p-53; }

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: agree_gen UNITS RATERS CATEGORIES MISSING SEED\n");
    return 2;
  }
  long units = atol(argv[1]), raters = atol(argv[2]), cats = atol(argv[3]);
  double missing = atof(argv[4]);
  uint64_t x = strtoull(argv[5], NULL, 10);
  for (int i = 0; i < 4; i++) s[i] = splitmix64(&x);
  for (long r = 0; r < raters; r++) printf("%sr%ld", r ? "," : "", r + 1);
  putchar('\n');
  for (long u = 0; u < units; u++) {
    long truth = (long)(uniform() * cats) + 1;
    for (long r = 0; r < raters; r++) {
      if (r) putchar(',');
      if (uniform() < missing) continue;
      long v = uniform() < 0.7 ? truth : (long)(uniform() * cats) + 1;
      printf("%ld", v);
    }
    putchar('\n');
  }
  return 0;
}
