/* Streaming JSON output for the format writers: strings escaped, numbers printed
 * shortest-exact (numfmt.c), written straight to a FILE so no tree of a big
 * dataset is ever built. */
#ifndef ANNOVET_JSON_WRITE_H
#define ANNOVET_JSON_WRITE_H

#include <stdint.h>
#include <stdio.h>

/* A JSON string: quotes, \" \\ and control characters escaped; bytes that are
 * not valid UTF-8 become U+FFFD, so the output is always valid JSON. */
void json_out_str(FILE *f, const char *s);
/* A number, shortest round-trip; NaN and infinities (never valid JSON) as null. */
void json_out_num(FILE *f, double v);
void json_out_int(FILE *f, int64_t v);
/* "key": (with the quotes, colon and no space) after an optional comma. */
void json_out_key(FILE *f, int comma, const char *key);
/* n numbers as a JSON array. */
void json_out_nums(FILE *f, const double *v, size_t n);

#endif
