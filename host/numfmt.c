/* Shortest round-trip formatting of doubles. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int num_fmt(char buf[NUMFMT_MAX], double v, int keep_point) {
  if (!isfinite(v)) return -1;
  int n = 0;
  for (int prec = 15; prec <= 17; prec++) {
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
