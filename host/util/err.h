/* Error reports from the C core: one bounded message, filled by the first failure. */
#ifndef ANNOVET_ERR_H
#define ANNOVET_ERR_H

#include <stddef.h>

#define ERR_MAX 512

/* What kind of failure a message reports, so callers decide by a code, never by
 * matching the text. A zeroed Err is ERR_INPUT: bad input is the usual failure. */
enum { ERR_INPUT = 0, ERR_NOMEM = 1 };

typedef struct Err {
  int kind;            /* ERR_INPUT or ERR_NOMEM */
  const char *option;  /* the option at fault by its API name ("level"), a static string, or NULL */
  char msg[ERR_MAX];   /* "" when no error; longer messages are truncated, never overflowed */
} Err;

/* Formats a message into e (when e is not NULL) and returns -1, so a failing
 * function can end with `return err_set(e, "...", ...);`. */
int err_set(Err *e, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* A message about an option, which the core names by its API name (the key a Lua
 * caller passed, never a command-line flag): msg is "option: text" and e->option
 * is set, so a command can put its own flag in the option's place. */
int err_option(Err *e, const char *option, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Same as err_set but appends ": strerror(errno)". */
int err_errno(Err *e, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* "out of memory" with kind ERR_NOMEM; returns -1. */
int err_nomem(Err *e);

/* Copies sub (message and kind) into e and returns -1: passes a failure up unchanged. */
int err_pass(Err *e, const Err *sub);

/* Allocation helpers that report through Err: NULL on failure (never abort). */
void *err_malloc(Err *e, size_t n);
void *err_calloc(Err *e, size_t count, size_t size);
void *err_realloc(Err *e, void *p, size_t count, size_t size);

#endif
