/* Shortest round-trip formatting of doubles. */
#include "numfmt.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tries %.15g, %.16g, %.17g (any decimal of 15 digits or fewer names one double
 * alone, so %.15g is the shortest when it round-trips). A subnormal has fewer
 * significant bits, so fewer digits can name it: from %.1g up. */
int num_fmt(char buf[NUMFMT_MAX], double v, int keep_point) {
  if (!isfinite(v)) return -1;
  int n = 0;
  for (int prec = v != 0 && fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
    n = snprintf(buf, NUMFMT_MAX, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  if (keep_point && strpbrk(buf, ".eEn") == NULL && n + 2 < NUMFMT_MAX) {
    buf[n++] = '.';
    buf[n++] = '0';
    buf[n] = '\0';
  }
  return n;
}
