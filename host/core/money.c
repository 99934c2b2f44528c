/* Exact money arithmetic over int64: decimal parsing, products, rounding, text. */
#include "money.h"

#include <string.h>

static const int64_t POW10[19] = {
  1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
  1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
  100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
  1000000000000000000LL
};

/* ISO 4217 minor-unit digits (the standard's list, as published by SIX). */
static const struct { const char code[4]; int digits; } CURRENCIES[] = {
  {"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BRL", 2},
  {"CAD", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CZK", 2}, {"DKK", 2},
  {"EGP", 2}, {"EUR", 2}, {"GBP", 2}, {"GHS", 2}, {"HKD", 2}, {"HUF", 2}, {"IDR", 2},
  {"ILS", 2}, {"INR", 2}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KRW", 0},
  {"KWD", 3}, {"LKR", 2}, {"MAD", 2}, {"MXN", 2}, {"MYR", 2}, {"NGN", 2}, {"NOK", 2},
  {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"RON", 2},
  {"RWF", 0}, {"SEK", 2}, {"SGD", 2}, {"THB", 2}, {"TND", 3}, {"TRY", 2}, {"TWD", 2},
  {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"VND", 0}, {"ZAR", 2},
};

int money_currency_digits(const char *code) {
  if (!code || strlen(code) != 3) return -1;
  for (size_t i = 0; i < sizeof CURRENCIES / sizeof CURRENCIES[0]; i++)
    if (memcmp(CURRENCIES[i].code, code, 3) == 0) return CURRENCIES[i].digits;
  return -1;
}

const char *money_strerror(MoneyStatus st) {
  switch (st) {
  case MONEY_OK: return "ok";
  case MONEY_SYNTAX: return "not a decimal number (digits, an optional point and sign; no exponent)";
  case MONEY_PRECISION: return "more than 9 digits after the point";
  case MONEY_OVERFLOW: return "too large";
  }
  return "error";
}

MoneyStatus money_parse(const char *s, size_t len, Decimal *out, size_t *at) {
  size_t i = 0, dummy;
  if (!at) at = &dummy;
  int neg = 0, scale = 0, point = 0, ndig = 0, frac = 0;
  int64_t u = 0;
  if (i < len && s[i] == '-') {
    neg = 1;
    i++;
  }
  for (; i < len; i++) {
    char c = s[i];
    if (c == '.' && !point && ndig > 0) {
      point = 1;
      continue;
    }
    if (c < '0' || c > '9') {
      *at = i;
      return MONEY_SYNTAX;
    }
    if (point) {
      if (++scale > MONEY_MAX_SCALE) {
        *at = i;
        return MONEY_PRECISION;
      }
      frac++;
    }
    int d = c - '0';
    if (u > (INT64_MAX - d) / 10) {
      *at = i;
      return MONEY_OVERFLOW;
    }
    u = u * 10 + d;
    ndig++;
  }
  if (ndig == 0 || (point && frac == 0)) {
    *at = i;
    return MONEY_SYNTAX;
  }
  out->units = neg ? -u : u;
  out->scale = scale;
  return MONEY_OK;
}

MoneyStatus money_add(int64_t a, int64_t b, int64_t *out) {
  if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < -INT64_MAX - b)) return MONEY_OVERFLOW;
  *out = a + b;
  return MONEY_OK;
}

MoneyStatus money_sub(int64_t a, int64_t b, int64_t *out) {
  if (b == INT64_MIN) return MONEY_OVERFLOW;
  return money_add(a, -b, out);
}

/* a * b for |a|, |b| <= INT64_MAX, refusing overflow. */
static MoneyStatus mul64(int64_t a, int64_t b, int64_t *out) {
  if (a == INT64_MIN || b == INT64_MIN) return MONEY_OVERFLOW;
  int64_t aa = a < 0 ? -a : a, bb = b < 0 ? -b : b;
  if (aa != 0 && bb > INT64_MAX / aa) return MONEY_OVERFLOW;
  *out = a * b;
  return MONEY_OK;
}

MoneyStatus money_mul(Decimal a, Decimal b, Decimal *out) {
  int64_t p;
  if (mul64(a.units, b.units, &p) != MONEY_OK) return MONEY_OVERFLOW;
  int scale = a.scale + b.scale;   /* at most 2 * MONEY_MAX_SCALE = 18 */
  out->units = p;
  out->scale = scale;
  return MONEY_OK;
}

MoneyStatus money_div(int64_t num, int64_t den, Rounding r, int64_t *out) {
  if (den == 0 || num == INT64_MIN || den == INT64_MIN) return MONEY_OVERFLOW;
  int neg = (num < 0) != (den < 0);
  int64_t a = num < 0 ? -num : num, b = den < 0 ? -den : den;
  int64_t q = a / b, rem = a % b;
  int64_t rest = b - rem;           /* compare rem with b / 2 without overflow */
  if (rem > rest || (rem == rest && rem != 0 && (r == ROUND_HALF_UP || (q & 1)))) q++;
  *out = neg ? -q : q;
  return MONEY_OK;
}

MoneyStatus money_round(Decimal v, int digits, Rounding r, int64_t *out) {
  if (digits < 0 || digits > 18 || v.scale < 0 || v.scale > 18) return MONEY_OVERFLOW;
  if (v.scale <= digits) return mul64(v.units, POW10[digits - v.scale], out);
  return money_div(v.units, POW10[v.scale - digits], r, out);
}

void money_format(int64_t minor, int digits, char *buf) {
  uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
  char tmp[MONEY_TEXT_MAX];
  int n = 0;
  if (digits < 0) digits = 0;
  if (digits > 18) digits = 18;
  do {                              /* digits, least significant first, at least digits + 1 */
    tmp[n++] = (char)('0' + m % 10);
    m /= 10;
  } while (m > 0 || n <= digits);
  int k = 0;
  if (minor < 0) buf[k++] = '-';
  for (int i = n - 1; i >= 0; i--) {
    buf[k++] = tmp[i];
    if (i == digits && digits > 0) buf[k++] = '.';
  }
  buf[k] = '\0';
}
