/* Streaming JSON output: escaped strings and shortest-exact numbers. */
#include "json_write.h"

#include <inttypes.h>

#include "numfmt.h"
#include "utf8.h"

void json_out_str(FILE *f, const char *s) {
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

void json_out_num(FILE *f, double v) {
  char buf[NUMFMT_MAX];
  if (num_fmt(buf, v, 0) < 0)
    fputs("null", f);
  else
    fputs(buf, f);
}

void json_out_int(FILE *f, int64_t v) {
  fprintf(f, "%" PRId64, v);
}

void json_out_key(FILE *f, int comma, const char *key) {
  if (comma) putc(',', f);
  json_out_str(f, key);
  putc(':', f);
}

void json_out_nums(FILE *f, const double *v, size_t n) {
  putc('[', f);
  for (size_t i = 0; i < n; i++) {
    if (i) putc(',', f);
    json_out_num(f, v[i]);
  }
  putc(']', f);
}
