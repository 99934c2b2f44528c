/* JSON reading for the format readers: a walk over big files that hands cJSON one
 * element of a top-level array at a time (so no tree of the whole file is ever
 * built), typed field access, and messages that name the file and the JSON path. */
#ifndef ANNOVET_JSON_READ_H
#define ANNOVET_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "err.h"

/* Where a reader is: the file (for messages), its text, and the JSON path of the
 * value being converted ("annotations[1532]"). text[len] must be readable and end
 * a number (the NUL format_slurp leaves there): numbers are converted in place. */
typedef struct JCtx {
  const char *file;
  const char *text;
  size_t len;
  char where[96];
  Err *e;
} JCtx;

/* Sets "file: where.field: message" (field may be NULL or start with '[') and
 * returns -1. */
int json_fail(JCtx *c, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* "file:line:col: invalid JSON ..." for a syntax error at text offset pos. */
int json_syntax(JCtx *c, size_t pos);

/* Offset of the first non-blank byte at or after pos. */
size_t json_ws(const char *t, size_t len, size_t pos);

/* Finds the end of the JSON value starting at pos without building it (strings,
 * brackets and braces are matched); -1 with a syntax error set when the text ends
 * first or the brackets do not match. */
int json_skip(JCtx *c, size_t pos, size_t *end);

/* Parses the one value starting at pos; NULL with a syntax error set on failure
 * (numbers too must follow RFC 8259: cJSON alone takes "01" or "1."). *end gets
 * the offset just after it. */
cJSON *json_parse_at(JCtx *c, size_t pos, size_t *end);

/* Calls fn(c, key, pos, arg) for each member of the object starting at pos, pos
 * being where its value starts; fn returns the offset where the value ends (having
 * parsed or skipped it), or -1 to stop with c->e set. Rejects repeated keys among
 * those in `unique` (NULL-terminated, at most 32). *end gets the offset after it. */
typedef long (*JMemberFn)(JCtx *c, const char *key, size_t pos, void *arg);
int json_object(JCtx *c, size_t pos, const char *const *unique, JMemberFn fn, void *arg,
              size_t *end);

/* Calls fn(c, pos, index, arg) for each element of the array starting at pos
 * (fn given where the element starts, with c->where set to "name[index]"); fn
 * returns the offset where the element ends, or -1 to stop with c->e set. *end gets
 * the offset after the array. */
typedef long (*JPosFn)(JCtx *c, size_t pos, uint32_t index, void *arg);
int json_array_at(JCtx *c, size_t pos, const char *name, JPosFn fn, void *arg, size_t *end);

/* Calls fn(c, element, index, arg) for each element of the array starting at pos,
 * parsing one at a time (freed after fn returns), with c->where set to
 * "name[index]". *end gets the offset after the array. fn returns 0, or -1 to stop. */
typedef int (*JElemFn)(JCtx *c, const cJSON *el, uint32_t index, void *arg);
int json_array(JCtx *c, size_t pos, const char *name, JElemFn fn, void *arg, size_t *end);

/* Typed fields of an object. Each returns 1 (present, *out set), 0 (absent or null),
 * or -1 with the path and expectation in c->e. */
int json_int(JCtx *c, const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out);
int json_num(JCtx *c, const cJSON *obj, const char *key, double *out);
int json_str(JCtx *c, const cJSON *obj, const char *key, const char **out);
int json_bool01(JCtx *c, const cJSON *obj, const char *key, int *out);

/* A value that must be an exact integer in [min, max]; field names it. */
int json_int_value(JCtx *c, const cJSON *v, const char *field, int64_t min, int64_t max, int64_t *out);
/* The same for a number already read (d), with the same messages. */
int json_int_double(JCtx *c, double d, const char *field, int64_t min, int64_t max, int64_t *out);
/* A finite number; field names it. */
int json_num_value(JCtx *c, const cJSON *v, const char *field, double *out);
/* The same for a number already read (d), with the same messages. */
int json_num_double(JCtx *c, double d, const char *field, double *out);
/* 0, 1, true or false, for a number already read (d), as json_bool01 says it. */
int json_bool01_double(JCtx *c, double d, const char *field, int *out);
/* Valid UTF-8 (without NUL); field names it for the message. */
int json_utf8(JCtx *c, const char *s, const char *field);

/* Reads the array v of numbers into the growable buffer *buf (capacity *cap);
 * *n gets the count. Requires finite numbers; field names the array. */
int json_numbers(JCtx *c, const cJSON *v, const char *field, double **buf, size_t *cap, size_t *n);

/* Reads the number at pos (after blanks) as json_parse_at would: 1 with *x and
 * *end set; 0 when the value there does not start like a number (the caller
 * reads it another way); -1 with a syntax error set when it is not a JSON number
 * ("01", "1.", "1e"). A number past a double's range comes as +-inf. */
int json_scan_number(JCtx *c, size_t pos, double *x, size_t *end);

/* Numbers read straight from the text (no cJSON nodes), in growable buffers:
 * the values, and for arrays of arrays each inner array's count. */
typedef struct JNums {
  double *v;    size_t n, cap;
  size_t *len;  size_t nlen, lencap;
} JNums;

/* Reads the array at pos when it holds only numbers (or nothing), appending them
 * to out->v. Returns 1 with *end after the array; 0, leaving out->n as it was, when
 * the value is not an array or holds something else than numbers (the caller reads
 * it another way, e.g. with cJSON, for the message); -1 with a syntax error set
 * for a malformed number (RFC 8259: "01", "1.", "1e" are), a missing comma or a
 * truncated file. Numbers past a double's range come as +-inf (see json_finite). */
int json_scan_numbers(JCtx *c, size_t pos, JNums *out, size_t *end);

/* The same for an array of arrays of numbers ([[1, 2], [3]]): the numbers of all
 * of them appended to out->v, each one's count to out->len. */
int json_scan_number_lists(JCtx *c, size_t pos, JNums *out, size_t *end);

/* Checks that the n numbers at v (read by json_scan_numbers) are finite, as
 * json_numbers does: "field[j]: number out of range (too large for a double)". */
int json_finite(JCtx *c, const char *field, const double *v, size_t n);

void json_nums_free(JNums *x);

/* Grows a malloc'd buffer of elements of size bytes to hold need. */
int json_reserve(void **buf, size_t *cap, size_t need, size_t size, Err *e);

/* The type of v in words, for messages ("a string", "an array", ...). */
const char *json_kind(const cJSON *v);

#endif
