/* XML for the formats: a streaming expat reader that hands each element's start
 * and end (with its text) to a format, stops on the first error with
 * "file:line:column: message", and the escaping the XML writers need. */
#ifndef ANNOVET_XMLIO_H
#define ANNOVET_XMLIO_H

#include <expat.h>
#include <stdio.h>

#include "err.h"

#define XMLIO_DEPTH 64   /* deeper documents are refused (no annotation format nests so far) */

typedef struct XmlIo XmlIo;
struct XmlIo {
  XML_Parser p;
  const char *file;        /* as shown in messages */
  Err *e;
  int failed;
  int depth;               /* of the element being handled; the root is 1 */
  const char *path[XMLIO_DEPTH + 1];   /* element names, path[1] the root (expat's strings) */
  unsigned long line[XMLIO_DEPTH + 1], col[XMLIO_DEPTH + 1];   /* where each open element starts */
  char *text;              /* character data of the innermost open element */
  size_t ntext, captext;
  void *user;
  /* Called at each element start with its attributes (name, value, ..., NULL)
   * and at its end with its own text (NUL-terminated); return -1 after
   * xmlio_fail, or 0. */
  int (*start)(XmlIo *x, const char *name, const char **attrs);
  int (*end)(XmlIo *x, const char *name, const char *text, size_t ntext);
};

/* Parses the file at path (refusing one over FORMAT_MAX_FILE) with x's
 * callbacks; 0, or -1 with x->e set. */
int xmlio_parse(XmlIo *x, const char *path);

/* Sets x->e to "file:line:column: message" at the current position, stops the
 * parser and returns -1. */
int xmlio_fail(XmlIo *x, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Same, at the start of the open element at depth level (x->depth for the
 * innermost), for what is found missing only at its end. */
int xmlio_fail_at(XmlIo *x, int level, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Stops the parse with the message already in x->e (one that names its own
 * place); returns -1. */
int xmlio_stop(XmlIo *x);

/* The current line (1-based), for source positions. */
unsigned long xmlio_line(const XmlIo *x);

/* The value of attribute name, or NULL. */
const char *xmlio_attr(const char **attrs, const char *name);

/* 1 when the open elements end with the given names, innermost last
 * (xmlio_in(x, 2, "object", "bndbox")). */
int xmlio_in(const XmlIo *x, int n, ...);

/* Writes s escaped for XML text and attribute values (& < > " '); bytes that
 * XML 1.0 cannot hold (control characters) are written as U+FFFD. */
void xmlio_escape(FILE *f, const char *s);

#endif
