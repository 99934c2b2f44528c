/* JSON numbers from text: RFC 8259 validation and exact decimal-to-double
 * conversion (Clinger's fast path, strtod in the "C" locale for the rest). */
#include "json_number.h"

#include <float.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_DIGITS 19          /* decimal digits that always fit in a uint64_t */
#define EXP_CAP 100000         /* |exponent| beyond any double: kept from overflowing */
#define TWO53 9007199254740992ull

/* The fast path needs each double operation rounded once, to double: not so with
 * x87 extended precision (FLT_EVAL_METHOD 2), where strtod does all the work. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define FAST_PATH 1
#else
#define FAST_PATH 0
#endif

/* 10^0 .. 10^22: every one exactly representable (5^22 < 2^53). */
static const double pow10_exact[23] = {
  1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The parts of a scanned number: value = (-1)^neg * w * 10^e10, exactly when
 * inexact is 0 (more than MAX_DIGITS significant digits set it, unless the ones
 * dropped were all zeros). */
typedef struct Decimal {
  uint64_t w;
  int64_t e10;
  int neg, inexact;
} Decimal;

static int is_digit(char ch) {
  return (unsigned char)(ch - '0') < 10;
}

/* Reads the digits at s[p..len) into d, nd of them significant so far (frac: they
 * follow the decimal point, so each one taken lowers the exponent); returns where
 * they end. Up to MAX_DIGITS go into the significand, the rest only tell whether
 * it is exact and, before the point, raise the exponent. */
static size_t digits(const char *s, size_t len, size_t p, int frac, Decimal *d, int *nd) {
  if (*nd == 0 && frac) {                /* 0.000ddd: leading zeros, not significant */
    size_t q = p;
    while (p < len && s[p] == '0') p++;
    d->e10 -= (int64_t)(p - q);
  }
  size_t q = p, stop = p + (size_t)(MAX_DIGITS - *nd);
  uint64_t w = d->w;
  if (stop > len) stop = len;
  for (; p < stop && is_digit(s[p]); p++) w = w * 10 + (unsigned)(s[p] - '0');
  d->w = w;
  *nd += (int)(p - q);
  if (frac) d->e10 -= (int64_t)(p - q);
  for (q = p; p < len && is_digit(s[p]); p++) d->inexact |= s[p] != '0';
  if (!frac) d->e10 += (int64_t)(p - q);
  return p;
}

/* Scans the longest JSON number at the start of s into d; returns its length
 * (0: none). */
static size_t scan(const char *s, size_t len, Decimal *d) {
  size_t p = 0;
  int nd = 0;
  d->w = 0;
  d->e10 = 0;
  d->neg = d->inexact = 0;
  if (p < len && s[p] == '-') {
    d->neg = 1;
    p++;
  }
  if (p >= len || !is_digit(s[p])) return 0;
  p = s[p] == '0' ? p + 1 : digits(s, len, p, 0, d, &nd);
  if (p + 1 < len && s[p] == '.' && is_digit(s[p + 1])) p = digits(s, len, p + 1, 1, d, &nd);
  if (p < len && (s[p] == 'e' || s[p] == 'E')) {
    size_t q = p + 1;
    int eneg = 0;
    int64_t x = 0;
    if (q < len && (s[q] == '+' || s[q] == '-')) eneg = s[q++] == '-';
    if (q < len && is_digit(s[q])) {
      for (; q < len && is_digit(s[q]); q++)
        if (x < EXP_CAP) x = x * 10 + (s[q] - '0');
      d->e10 += eneg ? -x : x;
      p = q;
    }
  }
  return p;
}

/* Whether the byte after a number of length n at s could have continued it in
 * C's strtod (so the text is not the number alone, and not JSON). */
static int runs_on(const char *s, size_t len, size_t n) {
  if (n >= len) return 0;
  switch (s[n]) {
  case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
  case '.': case 'e': case 'E': case '+': case '-': case 'x': case 'X':
    return 1;
  default:
    return 0;
  }
}

size_t json_number_scan(const char *s, size_t len) {
  Decimal d;
  return scan(s, len, &d);
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* strtod of the JSON number at s (ended by the byte after it, see runs_on) in
 * the "C" locale, whatever the process's locale is. */
static double strtod_c(const char *s) {
  pthread_once(&c_locale_once, c_locale_init);
  if (!c_locale) return strtod(s, NULL);     /* newlocale failed: annovet never sets one */
  locale_t old = uselocale(c_locale);
  double v = strtod(s, NULL);
  uselocale(old);
  return v;
}

/* Clinger's fast path (W. D. Clinger, "How to read floating point numbers
 * accurately", PLDI 1990, section 4; as in David Gay's strtod): when the decimal
 * significand w is exact in a double (w <= 2^53) and so is 10^|e| (|e| <= 22),
 * w * 10^e or w / 10^-e is one IEEE operation on exact operands, hence correctly
 * rounded: the nearest double to the decimal, as strtod finds it the long way.
 * Also 10^e with 22 < e <= 22 + 15 when w * 10^(e - 22) is still an exact
 * integer <= 2^53 (the "disguised fast path"). Returns 1 with *out set, or 0. */
static int fast_path(const Decimal *d, double *out) {
  if (!FAST_PATH || d->inexact) return 0;
  uint64_t w = d->w;
  int64_t e = d->e10;
  double v;
  if (w == 0) {
    v = 0.0;
  } else {
    if (w > TWO53) return 0;
    if (e > 22 && e <= 22 + 15) {
      for (; e > 22; e--) {
        if (w > TWO53 / 10) return 0;
        w *= 10;
      }
    }
    if (e < -22 || e > 22) return 0;
    v = e < 0 ? (double)w / pow10_exact[-e] : (double)w * pow10_exact[e];
  }
  *out = d->neg ? -v : v;
  return 1;
}

size_t json_number_parse(const char *s, size_t len, double *out) {
  Decimal d;
  size_t n = scan(s, len, &d);
  if (n && !runs_on(s, len, n) && !fast_path(&d, out)) *out = strtod_c(s);
  return n;
}
