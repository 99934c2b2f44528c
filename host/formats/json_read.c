/* JSON reading helpers for the format readers: element-at-a-time walks over big
 * files, typed fields, and messages with the file and the JSON path. */
#include "json_read.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_number.h"
#include "numfmt.h"
#include "utf8.h"

#define SKIP_MAX_DEPTH 1000   /* as cJSON's CJSON_NESTING_LIMIT */

int json_fail(JCtx *c, const char *field, const char *fmt, ...) {
  char msg[384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *sep = !field || !c->where[0] || field[0] == '[' ? "" : ".";
  if (!c->where[0] && !field)
    return err_set(c->e, "%s: %s", c->file, msg);
  return err_set(c->e, "%s: %s%s%s: %s", c->file, c->where, sep, field ? field : "", msg);
}

size_t json_ws(const char *t, size_t len, size_t pos) {
  while (pos < len && (t[pos] == ' ' || t[pos] == '\n' || t[pos] == '\r' || t[pos] == '\t')) pos++;
  return pos;
}

/* Line and column (in characters) of offset pos. */
static void line_col(const char *t, size_t pos, unsigned long *line, unsigned long *col) {
  unsigned long l = 1, k = 1;
  for (size_t i = 0; i < pos; i++) {
    if (t[i] == '\n') {
      l++;
      k = 1;
    } else if (((unsigned char)t[i] & 0xC0) != 0x80) {
      k++;
    }
  }
  *line = l;
  *col = k;
}

int json_syntax(JCtx *c, size_t pos) {
  unsigned long line, col;
  if (pos > c->len) pos = c->len;
  line_col(c->text, pos, &line, &col);
  const char *at = c->text + pos;
  size_t rest = c->len - pos;
  if (json_ws(c->text, c->len, pos) >= c->len)
    return err_set(c->e, "%s:%lu:%lu: unexpected end of file (truncated?)", c->file, line, col);
  if ((rest >= 3 && memcmp(at, "NaN", 3) == 0) || (rest >= 8 && memcmp(at, "Infinity", 8) == 0) ||
      (rest >= 9 && memcmp(at, "-Infinity", 9) == 0))
    return err_set(c->e, "%s:%lu:%lu: NaN and Infinity are not JSON numbers", c->file, line, col);
  char near[24];
  size_t k = 0;
  for (size_t i = 0; i < rest && k < 16 && at[i] != '\n'; i++)
    near[k++] = (at[i] >= 32 && at[i] < 127) ? at[i] : '?';
  near[k] = '\0';
  return err_set(c->e, "%s:%lu:%lu: invalid JSON near '%s'", c->file, line, col, near);
}

/* Bytes that end a number or literal. */
static const unsigned char structural[256] = {
  [' '] = 1, ['\n'] = 1, ['\r'] = 1, ['\t'] = 1, [','] = 1, [':'] = 1,
  [']'] = 1, ['}'] = 1, ['['] = 1, ['{'] = 1, ['"'] = 1,
};

/* The bytes that matter inside an array or object being skipped: a lookup, for
 * this loop sees every byte of the annotations while they are located. */
static const unsigned char nesting[256] = {
  ['"'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};

int json_skip(JCtx *c, size_t pos, size_t *end) {
  const char *t = c->text;
  size_t n = c->len, p = json_ws(t, n, pos);
  char stack[SKIP_MAX_DEPTH];
  int depth = 0;
  if (p >= n) return json_syntax(c, p);
  if (t[p] == ']' || t[p] == '}' || t[p] == ',' || t[p] == ':') return json_syntax(c, p);
  if (t[p] != '"' && t[p] != '[' && t[p] != '{') {   /* a number or literal */
    while (p < n && !structural[(unsigned char)t[p]]) p++;
    *end = p;
    return 0;
  }
  do {
    while (p < n && !nesting[(unsigned char)t[p]]) p++;   /* blanks, commas, colons, scalars */
    if (p >= n) return json_syntax(c, n);
    char ch = t[p];
    if (ch == '"') {
      for (p++; p < n && t[p] != '"'; p++)
        if (t[p] == '\\') p++;
      if (p >= n) return json_syntax(c, n);
      p++;
    } else if (ch == '[' || ch == '{') {
      if (depth == SKIP_MAX_DEPTH) {
        unsigned long line, col;
        line_col(t, p, &line, &col);
        return err_set(c->e, "%s:%lu:%lu: JSON nested deeper than %d", c->file, line, col, SKIP_MAX_DEPTH);
      }
      stack[depth++] = ch == '[' ? ']' : '}';
      p++;
    } else {
      if (depth == 0 || stack[depth - 1] != ch) return json_syntax(c, p);
      depth--;
      p++;
    }
  } while (depth > 0);
  *end = p;
  return 0;
}

/* Checks the numbers in text[from..to), a value cJSON accepted, against RFC 8259:
 * cJSON reads them with strtod, which also takes "01", "1." and "-.5". Returns 0,
 * or -1 with a syntax error at the byte where the text stops being a number. */
static int strict_numbers(JCtx *c, size_t from, size_t to) {
  const char *t = c->text;
  for (size_t p = from; p < to; p++) {
    char ch = t[p];
    if (ch == '"') {
      for (p++; p < to && t[p] != '"'; p++)
        if (t[p] == '\\') p++;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      size_t m = json_number_scan(t + p, to - p);
      if (p + m < to && !structural[(unsigned char)t[p + m]]) return json_syntax(c, p + m);
      p += m - 1;     /* m > 0: a '-' without digits has just failed the test above */
    }
  }
  return 0;
}

int json_scan_number(JCtx *c, size_t pos, double *x, size_t *end) {
  size_t p = json_ws(c->text, c->len, pos);
  if (p >= c->len || (c->text[p] != '-' && (c->text[p] < '0' || c->text[p] > '9'))) return 0;
  size_t m = json_number_parse(c->text + p, c->len - p, x);
  if (p + m < c->len && !structural[(unsigned char)c->text[p + m]]) return json_syntax(c, p + m);
  *end = p + m;
  return 1;
}

/* A number value at p read here, to the same double (cJSON's strtod would call
 * localeconv for each); NULL with c->e set when it is not a JSON number. */
static cJSON *number_at(JCtx *c, size_t p, size_t *end) {
  double x = 0;
  if (json_scan_number(c, p, &x, end) < 0) return NULL;
  cJSON *v = cJSON_CreateNumber(x);
  if (!v) err_nomem(c->e);
  return v;
}

cJSON *json_parse_at(JCtx *c, size_t pos, size_t *end) {
  const char *stop = NULL;
  size_t p = json_ws(c->text, c->len, pos);
  if (p < c->len && (c->text[p] == '-' || (c->text[p] >= '0' && c->text[p] <= '9'))) return number_at(c, p, end);
  cJSON *v = cJSON_ParseWithLengthOpts(c->text + pos, c->len - pos, &stop, 0);
  if (!v) {
    size_t skipped;
    /* Truncation is reported as such; otherwise cJSON's position. */
    if (json_skip(c, pos, &skipped) == 0) {
      size_t at = stop ? (size_t)(stop - c->text) : pos;
      json_syntax(c, at);
    }
    return NULL;
  }
  *end = (size_t)(stop - c->text);
  if ((cJSON_IsArray(v) || cJSON_IsObject(v)) && strict_numbers(c, pos, *end) != 0) {
    cJSON_Delete(v);
    return NULL;
  }
  return v;
}

int json_object(JCtx *c, size_t pos, const char *const *unique, JMemberFn fn, void *arg,
              size_t *end) {
  const char *t = c->text;
  size_t p = json_ws(t, c->len, pos);
  unsigned seen = 0;
  if (p >= c->len || t[p] != '{') return json_syntax(c, p);
  p = json_ws(t, c->len, p + 1);
  if (p < c->len && t[p] == '}') {
    *end = p + 1;
    return 0;
  }
  for (;;) {
    if (p >= c->len || t[p] != '"') return json_syntax(c, p);
    /* A short key without escapes is its bytes (as cJSON reads it); others go
     * through cJSON. */
    char name[64];
    const char *kname = name;
    cJSON *key = NULL;
    size_t after, q = p + 1, lim = p + sizeof name;
    while (q < c->len && q < lim && t[q] != '"' && t[q] != '\\') q++;
    if (q < c->len && t[q] == '"') {
      memcpy(name, t + p + 1, q - p - 1);
      name[q - p - 1] = '\0';
      after = q + 1;
    } else {
      if (!(key = json_parse_at(c, p, &after))) return -1;
      kname = key->valuestring;
    }
    for (unsigned k = 0; unique && unique[k] && k < 32; k++) {
      if (strcmp(unique[k], kname) != 0) continue;
      if (seen & (1u << k)) {
        c->where[0] = '\0';
        json_fail(c, NULL, "the key \"%s\" appears twice in the top-level object", unique[k]);
        cJSON_Delete(key);
        return -1;
      }
      seen |= 1u << k;
    }
    p = json_ws(t, c->len, after);
    if (p >= c->len || t[p] != ':') {
      cJSON_Delete(key);
      return json_syntax(c, p);
    }
    long vend = fn(c, kname, json_ws(t, c->len, p + 1), arg);
    cJSON_Delete(key);
    if (vend < 0) return -1;
    p = json_ws(t, c->len, (size_t)vend);
    if (p < c->len && t[p] == '}') {
      *end = p + 1;
      return 0;
    }
    if (p >= c->len || t[p] != ',') return json_syntax(c, p);
    p = json_ws(t, c->len, p + 1);
  }
}

/* The kind of the value starting with byte ch, for messages. */
static const char *kind_of_byte(char ch) {
  switch (ch) {
  case '{': return "an object";
  case '"': return "a string";
  case 't': case 'f': return "a boolean";
  case 'n': return "null";
  default: return "a number";
  }
}

/* c->where = "name[i]" (name cut to fit), without snprintf's cost: it is set for
 * every element of the annotations. */
static void set_where(JCtx *c, const char *name, uint32_t i) {
  size_t n = strlen(name);
  if (n > sizeof c->where - 13) n = sizeof c->where - 13;
  char digits[10];
  int k = 0;
  do {
    digits[k++] = (char)('0' + i % 10);
    i /= 10;
  } while (i);
  memcpy(c->where, name, n);
  c->where[n++] = '[';
  while (k) c->where[n++] = digits[--k];
  c->where[n++] = ']';
  c->where[n] = '\0';
}

int json_array_at(JCtx *c, size_t pos, const char *name, JPosFn fn, void *arg, size_t *end) {
  const char *t = c->text;
  size_t p = json_ws(t, c->len, pos);
  if (p >= c->len) return json_syntax(c, p);
  if (t[p] != '[') {
    c->where[0] = '\0';
    return json_fail(c, name, "expected an array, got %s", kind_of_byte(t[p]));
  }
  p = json_ws(t, c->len, p + 1);
  if (p < c->len && t[p] == ']') {
    *end = p + 1;
    return 0;
  }
  for (uint32_t i = 0;; i++) {
    if (i == UINT32_MAX) return json_fail(c, name, "more than %u elements", UINT32_MAX - 1);
    set_where(c, name, i);
    long after = fn(c, p, i, arg);
    if (after < 0) return -1;
    p = json_ws(t, c->len, (size_t)after);
    if (p < c->len && t[p] == ']') {
      *end = p + 1;
      c->where[0] = '\0';
      return 0;
    }
    if (p >= c->len || t[p] != ',') return json_syntax(c, p);
    p = json_ws(t, c->len, p + 1);
  }
}

typedef struct ElemFn {
  JElemFn fn;
  void *arg;
} ElemFn;

/* An element for json_array: parsed by cJSON, handed to the caller's function,
 * freed; returns where it ends, or -1. */
static long parse_element(JCtx *c, size_t pos, uint32_t index, void *arg) {
  const ElemFn *f = arg;
  size_t end;
  cJSON *el = json_parse_at(c, pos, &end);
  if (!el) return -1;
  int rc = f->fn(c, el, index, f->arg);
  cJSON_Delete(el);
  return rc == 0 ? (long)end : -1;
}

int json_array(JCtx *c, size_t pos, const char *name, JElemFn fn, void *arg, size_t *end) {
  ElemFn f = {fn, arg};
  return json_array_at(c, pos, name, parse_element, &f, end);
}

const char *json_kind(const cJSON *v) {
  if (!v || cJSON_IsNull(v)) return "null";
  if (cJSON_IsBool(v)) return "a boolean";
  if (cJSON_IsNumber(v)) return "a number";
  if (cJSON_IsString(v)) return "a string";
  if (cJSON_IsArray(v)) return "an array";
  if (cJSON_IsObject(v)) return "an object";
  return "an unknown value";
}

int json_num_value(JCtx *c, const cJSON *v, const char *field, double *out) {
  if (!cJSON_IsNumber(v)) return json_fail(c, field, "expected a number, got %s", json_kind(v));
  return json_num_double(c, v->valuedouble, field, out);
}

int json_num_double(JCtx *c, double d, const char *field, double *out) {
  if (!isfinite(d)) return json_fail(c, field, "number out of range (too large for a double)");
  *out = d;
  return 1;
}

int json_int_double(JCtx *c, double d, const char *field, int64_t min, int64_t max, int64_t *out) {
  char buf[NUMFMT_MAX];
  if (!isfinite(d)) return json_fail(c, field, "number out of range (too large for a double)");
  if (d != floor(d)) {
    num_fmt(buf, d, 0);
    return json_fail(c, field, "expected an integer, got %s", buf);
  }
  if (fabs(d) > 9007199254740992.0 || d < (double)min || d > (double)max) {
    num_fmt(buf, d, 0);
    return json_fail(c, field, "expected an integer from %lld to %lld, got %s", (long long)min,
                   (long long)max, buf);
  }
  *out = (int64_t)d;
  return 1;
}

int json_int_value(JCtx *c, const cJSON *v, const char *field, int64_t min, int64_t max, int64_t *out) {
  if (!cJSON_IsNumber(v)) return json_fail(c, field, "expected an integer, got %s", json_kind(v));
  return json_int_double(c, v->valuedouble, field, min, max, out);
}

int json_int(JCtx *c, const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) return 0;
  return json_int_value(c, v, key, min, max, out);
}

int json_num(JCtx *c, const cJSON *obj, const char *key, double *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) return 0;
  return json_num_value(c, v, key, out);
}

int json_utf8(JCtx *c, const char *s, const char *field) {
  size_t n = strlen(s), i = utf8_bad(s, n);
  if (i < n) return json_fail(c, field, "not valid UTF-8 text (byte %zu is 0x%02X)", i, (unsigned char)s[i]);
  return 0;
}

int json_str(JCtx *c, const cJSON *obj, const char *key, const char **out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) return 0;
  if (!cJSON_IsString(v)) return json_fail(c, key, "expected a string, got %s", json_kind(v));
  if (json_utf8(c, v->valuestring, key) != 0) return -1;
  *out = v->valuestring;
  return 1;
}

int json_bool01(JCtx *c, const cJSON *obj, const char *key, int *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) return 0;
  if (cJSON_IsBool(v)) {
    *out = cJSON_IsTrue(v);
    return 1;
  }
  if (cJSON_IsNumber(v)) return json_bool01_double(c, v->valuedouble, key, out);
  return json_fail(c, key, "expected 0, 1, true or false, got %s", json_kind(v));
}

int json_bool01_double(JCtx *c, double d, const char *field, int *out) {
  if (d != 0 && d != 1) return json_fail(c, field, "expected 0, 1, true or false, got a number");
  *out = d == 1;
  return 1;
}

int json_reserve(void **buf, size_t *cap, size_t need, size_t size, Err *e) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap : 64;
  while (nc < need) nc *= 2;
  void *q = err_realloc(e, *buf, nc, size);
  if (!q) return -1;
  *buf = q;
  *cap = nc;
  return 0;
}

int json_numbers(JCtx *c, const cJSON *v, const char *field, double **buf, size_t *cap, size_t *n) {
  if (!cJSON_IsArray(v)) return json_fail(c, field, "expected an array of numbers, got %s", json_kind(v));
  size_t k = 0;
  for (const cJSON *x = v->child; x; x = x->next, k++) {
    if (json_reserve((void **)buf, cap, k + 1, sizeof **buf, c->e) != 0) return -1;
    if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
      char f[128];
      snprintf(f, sizeof f, "%s[%zu]", field, k);
      return cJSON_IsNumber(x) ? json_fail(c, f, "number out of range (too large for a double)")
                               : json_fail(c, f, "expected a number, got %s", json_kind(x));
    }
    (*buf)[k] = x->valuedouble;
  }
  *n = k;
  return 0;
}

/* A syntax error at offset at inside the value starting at from: reported as
 * json_parse_at does, so an unfinished value (the text ends first, or brackets do
 * not match) is named as such. Returns -1. */
static int syntax_in(JCtx *c, size_t from, size_t at) {
  size_t end;
  if (json_skip(c, from, &end) != 0) return -1;
  return json_syntax(c, at);
}

/* json_scan_numbers, from the '[' at open: appends to out->v and returns 1, or
 * returns 0 or -1 as it says. */
static int scan_numbers(JCtx *c, size_t open, JNums *out, size_t *end) {
  const char *t = c->text;
  size_t len = c->len, k = out->n, p = json_ws(t, len, open + 1);
  if (p < len && t[p] == ']') {
    *end = p + 1;
    return 1;
  }
  for (;;) {
    if (p >= len) return syntax_in(c, open, p);
    if (t[p] != '-' && (t[p] < '0' || t[p] > '9')) return 0;
    if (k == out->cap && json_reserve((void **)&out->v, &out->cap, k + 1, sizeof *out->v, c->e) != 0) return -1;
    size_t m = json_number_parse(t + p, len - p, &out->v[k]);
    if (p + m < len && !structural[(unsigned char)t[p + m]]) return syntax_in(c, open, p + m);
    k++;
    p = json_ws(t, len, p + m);
    if (p < len && t[p] == ',') {
      p = json_ws(t, len, p + 1);
      continue;
    }
    if (p < len && t[p] == ']') {
      out->n = k;
      *end = p + 1;
      return 1;
    }
    return syntax_in(c, open, p);
  }
}

int json_scan_numbers(JCtx *c, size_t pos, JNums *out, size_t *end) {
  size_t p = json_ws(c->text, c->len, pos);
  if (p >= c->len || c->text[p] != '[') return 0;
  return scan_numbers(c, p, out, end);
}

int json_scan_number_lists(JCtx *c, size_t pos, JNums *out, size_t *end) {
  const char *t = c->text;
  size_t len = c->len, open = json_ws(t, len, pos), n0 = out->n, l0 = out->nlen;
  if (open >= len || t[open] != '[') return 0;
  size_t p = json_ws(t, len, open + 1);
  if (p < len && t[p] == ']') {
    *end = p + 1;
    return 1;
  }
  for (;;) {
    size_t before = out->n, inner;
    int rc = p < len && t[p] == '[' ? scan_numbers(c, p, out, &inner) : 0;
    if (rc <= 0) {
      out->n = n0;
      out->nlen = l0;
      return rc;
    }
    if (out->nlen == out->lencap &&
        json_reserve((void **)&out->len, &out->lencap, out->nlen + 1, sizeof *out->len, c->e) != 0)
      return -1;
    out->len[out->nlen++] = out->n - before;
    p = json_ws(t, len, inner);
    if (p < len && t[p] == ',') {
      p = json_ws(t, len, p + 1);
      continue;
    }
    if (p < len && t[p] == ']') {
      *end = p + 1;
      return 1;
    }
    return syntax_in(c, open, p);
  }
}

int json_finite(JCtx *c, const char *field, const double *v, size_t n) {
  for (size_t k = 0; k < n; k++) {
    if (isfinite(v[k])) continue;
    char f[128];
    snprintf(f, sizeof f, "%s[%zu]", field, k);
    return json_fail(c, f, "number out of range (too large for a double)");
  }
  return 0;
}

void json_nums_free(JNums *x) {
  free(x->v);
  free(x->len);
  memset(x, 0, sizeof *x);
}
