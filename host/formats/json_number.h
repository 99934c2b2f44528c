/* JSON numbers read straight from text: the RFC 8259 grammar, and the exact
 * (correctly rounded, as strtod) conversion of the decimal text to a double. */
#ifndef ANNOVET_JSON_NUMBER_H
#define ANNOVET_JSON_NUMBER_H

#include <stddef.h>

/* Length of the longest JSON number (RFC 8259:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?) at the start of s[0..len); 0 when
 * s does not start with one ("-", ".5", "+1"). The caller checks that a
 * delimiter follows: in "01", "1.", "1e5e" or "0x1" the number is "0", "1", "1e5"
 * and "0", and the byte after it is where the text stops being JSON. */
size_t json_number_scan(const char *s, size_t len);

/* json_number_scan, and *out gets the double nearest to the number (ties to even): the
 * bits glibc's strtod gives in the "C" locale, +-inf past the range, +-0 or a
 * subnormal below it. Unless a digit . e E + - x X follows it (text that is not
 * JSON: *out is then left as it was). A number that reaches s[len] is read up to
 * the byte there, which must end it (the NUL format_slurp leaves after a file's
 * text does). */
size_t json_number_parse(const char *s, size_t len, double *out);

#endif
