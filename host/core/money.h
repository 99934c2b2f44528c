/* Exact money: decimal prices as scaled integers, amounts as integer minor units,
 * products rounded once per line by a stated rule. No binary floating point. */
#ifndef ANNOVET_MONEY_H
#define ANNOVET_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* value = units / 10^scale, exactly; 0 <= scale <= MONEY_MAX_SCALE. */
typedef struct Decimal {
  int64_t units;
  int scale;
} Decimal;

#define MONEY_MAX_SCALE 9          /* digits after the point a price or quantity may have */
#define MONEY_TEXT_MAX 48          /* room for any int64 amount as text, sign and point included */

typedef enum Rounding {
  ROUND_HALF_UP = 0,               /* ties away from zero: 0.125 -> 0.13, -0.125 -> -0.13 */
  ROUND_HALF_EVEN = 1              /* ties to the even digit (banker's): 0.125 -> 0.12, 0.135 -> 0.14 */
} Rounding;

typedef enum MoneyStatus {
  MONEY_OK = 0,
  MONEY_SYNTAX = -1,               /* not a plain decimal number */
  MONEY_PRECISION = -2,            /* more than MONEY_MAX_SCALE digits after the point */
  MONEY_OVERFLOW = -3              /* beyond int64 */
} MoneyStatus;

/* Parses s[0..len) ("12", "-0.035", "1234.50"; no exponent, no thousands separator,
 * no spaces) exactly. On failure *at is the offset of the offending byte. */
MoneyStatus money_parse(const char *s, size_t len, Decimal *out, size_t *at);

/* The ISO 4217 minor-unit digits of a currency code (USD 2, JPY 0, ...), or -1. */
int money_currency_digits(const char *code);

/* v rounded to `digits` places, as an integer count of 10^-digits: the minor units
 * of an amount when digits is the currency's. */
MoneyStatus money_round(Decimal v, int digits, Rounding r, int64_t *out);

/* The exact product a * b (scale a.scale + b.scale). */
MoneyStatus money_mul(Decimal a, Decimal b, Decimal *out);

/* a + b and a - b, refusing overflow. */
MoneyStatus money_add(int64_t a, int64_t b, int64_t *out);
MoneyStatus money_sub(int64_t a, int64_t b, int64_t *out);

/* num / den rounded to an integer by r (den != 0). */
MoneyStatus money_div(int64_t num, int64_t den, Rounding r, int64_t *out);

/* minor units as text with `digits` decimals: 4319, 2 -> "43.19"; -5, 2 -> "-0.05".
 * buf must hold MONEY_TEXT_MAX bytes. */
void money_format(int64_t minor, int digits, char *buf);

/* A short English description of a status, for messages. */
const char *money_strerror(MoneyStatus st);

#endif
