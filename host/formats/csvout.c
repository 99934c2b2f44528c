/* CSV fields through libcsv's csv_fwrite, formulas neutralised. */
#include "csvout.h"

#include <csv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

/* Plain when nothing needs quoting; else csv_fwrite of the field (with the
 * neutralising quote put in front first). */
int csvout_text(FILE *f, const char *s, size_t len) {
  int neutral = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
  int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
  for (size_t i = 0; i < len && !quote; i++) quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!quote) {
    if (neutral) fputc('\'', f);
    fwrite(s, 1, len, f);
    return 0;
  }
  if (!neutral) return csv_fwrite(f, s, len) == 0 ? 0 : -1;
  char *t = malloc(len + 1);
  if (!t) return -1;
  t[0] = '\'';
  memcpy(t + 1, s, len);
  int rc = csv_fwrite(f, t, len + 1) == 0 ? 0 : -1;
  free(t);
  return rc;
}

/* Integers with %.0f, others with num_fmt; nothing for NaN and infinities. */
void csvout_number(FILE *f, double v) {
  char buf[NUMFMT_MAX];
  if (!isfinite(v)) return;
  if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    fprintf(f, "%.0f", v);
    return;
  }
  int n = num_fmt(buf, v, 0);
  if (n > 0) fwrite(buf, 1, (size_t)n, f);
}
