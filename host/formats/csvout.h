/* CSV output through libcsv: fields quoted only where they must be, and text a
 * spreadsheet would run as a formula neutralised. */
#ifndef ANNOVET_CSVOUT_H
#define ANNOVET_CSVOUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes one text field of len bytes: a field that begins with = + - @ (or a tab
 * or carriage return) gets a leading single quote; a field holding a comma, a
 * quote, a line break, or leading or trailing blanks is quoted by csv_fwrite.
 * Returns 0, or -1 when out of memory. */
int csvout_text(FILE *f, const char *s, size_t len);

/* Writes one number field: integers in full, other finite numbers as the
 * shortest text that reads back the same; NaN and infinities as an empty field. */
void csvout_number(FILE *f, double v);

#endif
