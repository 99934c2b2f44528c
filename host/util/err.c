/* Error reports from the C core. */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int err_set(Err *e, const char *fmt, ...) {
  if (e) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
  }
  return -1;
}

int err_option(Err *e, const char *option, const char *fmt, ...) {
  if (e) {
    int n = snprintf(e->msg, sizeof e->msg, "%s: ", option);
    if (n >= 0 && (size_t)n < sizeof e->msg) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(e->msg + n, sizeof e->msg - (size_t)n, fmt, ap);
      va_end(ap);
    }
    e->option = option;
  }
  return -1;
}

int err_errno(Err *e, const char *fmt, ...) {
  int saved = errno;
  if (e) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof e->msg)
      snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s", strerror(saved));
  }
  return -1;
}

int err_nomem(Err *e) {
  err_set(e, "out of memory");
  if (e) e->kind = ERR_NOMEM;
  return -1;
}

int err_pass(Err *e, const Err *sub) {
  if (e && e != sub) *e = *sub;
  return -1;
}

static void *nomem(Err *e) {
  if (e) e->kind = ERR_NOMEM;
  return NULL;
}

void *err_malloc(Err *e, size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    err_set(e, "out of memory (%zu bytes)", n);
    return nomem(e);
  }
  return p;
}

void *err_calloc(Err *e, size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) {
    err_set(e, "out of memory (%zu x %zu bytes)", count, size);
    return nomem(e);
  }
  return p;
}

/* realloc of count*size bytes with an overflow check; p is untouched on failure. */
void *err_realloc(Err *e, void *p, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) {
    err_set(e, "allocation too large (%zu x %zu bytes)", count, size);
    return NULL;
  }
  size_t n = count * size;
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    err_set(e, "out of memory (%zu bytes)", n);
    return nomem(e);
  }
  return q;
}
