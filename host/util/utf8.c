/* UTF-8 validation shared by the readers and the JSON writers. */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t utf8_len(const unsigned char *p, size_t rest) {
  if (rest == 0) return 0;
  unsigned c = p[0];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || n > rest || c == 0) return 0;
  for (size_t k = 1; k < n; k++)
    if ((p[k] & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;
  if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))) return 0;
  if (n == 4 && (c > 0xF4 || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) return 0;
  return n;
}

size_t utf8_bad(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    if (p[i] >= 0x01 && p[i] < 0x80) {     /* ASCII runs: the common case */
      i++;
      continue;
    }
    size_t k = utf8_len(p + i, n - i);
    if (k == 0) return i;
    i += k;
  }
  return n;
}

/* Copies s with invalid bytes and control characters as \xHH until buf is
 * full; the tail then becomes "...". */
void utf8_show(char *buf, size_t n, const char *s) {
  if (n == 0) return;
  const unsigned char *p = (const unsigned char *)s;
  size_t len = strlen(s), o = 0, i = 0;
  while (i < len) {
    size_t k = p[i] < 0x20 || p[i] == 0x7F ? 0 : utf8_len(p + i, len - i);
    size_t need = k ? k : 4;
    if (o + need + 1 > n) break;
    if (k) memcpy(buf + o, p + i, k);
    else snprintf(buf + o, 5, "\\x%02X", p[i]);
    o += need;
    i += k ? k : 1;
  }
  if (i < len && n >= 4) {
    while (o + 4 > n) {           /* make room for "...", not cutting a sequence */
      o--;
      while (o > 0 && ((unsigned char)buf[o] & 0xC0) == 0x80) o--;
    }
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o < n ? o : n - 1] = '\0';
}
