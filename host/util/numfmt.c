/* Shortest round-trip formatting of doubles. */
#include "numfmt.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fast path for the numbers annotations are made of (pixel coordinates with
 * a few decimals): v is k / 10^d for an integer |k| < 10^15 and d <= 6 when that
 * division, correctly rounded, gives v back; then the decimal k / 10^d names v
 * alone, and it is what %.15g prints (fixed notation for 1e-4 <= |v| < 1e15, v
 * rounded to 15 digits being that decimal, trailing zeros dropped), so the output
 * is the slow path's, written without printf and strtod. Returns the length, or
 * -1 when v is not such a number. */
static int fixed_decimals(char buf[NUMFMT_MAX], double v) {
  static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
  double a = fabs(v);
  if (!(a >= 1e-4 && a < 1e15)) return -1;
  for (int d = 0; d <= 6; d++) {
    double k = nearbyint(a * p10[d]);
    if (k >= 1e15) return -1;
    if (k / p10[d] != a) continue;
    char digits[24];
    int nd = 0;
    for (uint64_t u = (uint64_t)k; u; u /= 10) digits[nd++] = (char)('0' + u % 10);
    int n = 0;
    if (v < 0) buf[n++] = '-';
    if (nd <= d) {                       /* 0.0ddd */
      buf[n++] = '0';
      buf[n++] = '.';
      for (int z = d - nd; z > 0; z--) buf[n++] = '0';
      while (nd) buf[n++] = digits[--nd];
    } else {
      while (nd > d) buf[n++] = digits[--nd];
      if (d) buf[n++] = '.';
      while (nd) buf[n++] = digits[--nd];
    }
    buf[n] = '\0';
    return n;
  }
  return -1;
}

/* Tries %.15g, %.16g, %.17g (any decimal of 15 digits or fewer names one double
 * alone, so %.15g is the shortest when it round-trips). A subnormal has fewer
 * significant bits, so fewer digits can name it: from %.1g up. */
/* Returns the length. */
static int shortest_g(char buf[NUMFMT_MAX], double v) {
  int n = 0;
  for (int prec = v != 0 && fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
    n = snprintf(buf, NUMFMT_MAX, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  return n;
}

int num_fmt(char buf[NUMFMT_MAX], double v, int keep_point) {
  if (!isfinite(v)) return -1;
  int n = fixed_decimals(buf, v);
  if (n < 0) n = shortest_g(buf, v);
  if (keep_point && strpbrk(buf, ".eEn") == NULL && n + 2 < NUMFMT_MAX) {
    buf[n++] = '.';
    buf[n++] = '0';
    buf[n] = '\0';
  }
  return n;
}
