/* UTF-8 validation shared by the readers and the JSON writers. */
#ifndef ANNOVET_UTF8_H
#define ANNOVET_UTF8_H

#include <stddef.h>

/* Length (1..4) of the well-formed UTF-8 sequence at p, rest bytes available, or
 * 0 when the bytes there are not one (a stray or cut-short byte, an overlong
 * form, a surrogate, beyond U+10FFFF) or are a NUL. */
size_t utf8_len(const unsigned char *p, size_t rest);

/* Offset of the first byte of s[0..n) that does not begin a well-formed UTF-8
 * sequence (a NUL counts as bad), or n when all of it is valid text. */
size_t utf8_bad(const char *s, size_t n);

/* Writes s into buf (n bytes, NUL-terminated, cut with "..." when longer) for a
 * message: bytes that are not UTF-8, and control characters, shown as \xHH, so
 * the message itself stays valid text on one line. */
void utf8_show(char *buf, size_t n, const char *s);

#endif
