/* Streaming JSON output: escaped strings and shortest-exact numbers. */
#include "jwrite.h"

#include <inttypes.h>

#include "numfmt.h"

/* Length of the valid UTF-8 sequence at p (at most rest bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t rest) {
  unsigned c = p[0];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || n > rest) return 0;
  for (size_t k = 1; k < n; k++)
    if ((p[k] & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;
  if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))) return 0;
  if (n == 4 && (c > 0xF4 || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) return 0;
  return n;
}

void jw_str(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t len = 0;
  while (p[len]) len++;
  putc('"', f);
  for (size_t i = 0; i < len;) {
    unsigned c = p[i];
    if (c == '"' || c == '\\') {
      putc('\\', f);
      putc((int)c, f);
      i++;
    } else if (c < 0x20) {
      switch (c) {
      case '\n': fputs("\\n", f); break;
      case '\t': fputs("\\t", f); break;
      case '\r': fputs("\\r", f); break;
      default: fprintf(f, "\\u%04x", c);
      }
      i++;
    } else {
      size_t n = utf8_len(p + i, len - i);
      if (n) {
        fwrite(p + i, 1, n, f);
        i += n;
      } else {
        fputs("\xEF\xBF\xBD", f);
        i++;
      }
    }
  }
  putc('"', f);
}

void jw_num(FILE *f, double v) {
  char buf[NUMFMT_MAX];
  if (num_fmt(buf, v, 0) < 0)
    fputs("null", f);
  else
    fputs(buf, f);
}

void jw_int(FILE *f, int64_t v) {
  fprintf(f, "%" PRId64, v);
}

void jw_key(FILE *f, int comma, const char *key) {
  if (comma) putc(',', f);
  jw_str(f, key);
  putc(':', f);
}

void jw_nums(FILE *f, const double *v, size_t n) {
  putc('[', f);
  for (size_t i = 0; i < n; i++) {
    if (i) putc(',', f);
    jw_num(f, v[i]);
  }
  putc(']', f);
}
