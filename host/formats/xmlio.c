/* The expat harness the XML formats read through, and XML escaping. */
#include "xmlio.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "confine.h"
#include "formats.h"

/* The message at line:col, then stop. */
static int fail_v(XmlIo *x, unsigned long line, unsigned long col, const char *fmt, va_list ap) {
  if (x->failed) return -1;
  char msg[ERR_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);
  err_set(x->e, "%s:%lu:%lu: %s", x->file, line, col, msg);
  x->failed = 1;
  XML_StopParser(x->p, XML_FALSE);
  return -1;
}

int xmlio_fail(XmlIo *x, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = fail_v(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
                 (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1, fmt, ap);
  va_end(ap);
  return r;
}

int xmlio_fail_at(XmlIo *x, int level, const char *fmt, ...) {
  if (level < 1 || level > x->depth) level = x->depth;
  va_list ap;
  va_start(ap, fmt);
  int r = fail_v(x, x->line[level], x->col[level], fmt, ap);
  va_end(ap);
  return r;
}

int xmlio_stop(XmlIo *x) {
  if (!x->failed) {
    x->failed = 1;
    XML_StopParser(x->p, XML_FALSE);
  }
  return -1;
}

unsigned long xmlio_line(const XmlIo *x) {
  return (unsigned long)XML_GetCurrentLineNumber(x->p);
}

const char *xmlio_attr(const char **attrs, const char *name) {
  for (int i = 0; attrs[i]; i += 2)
    if (strcmp(attrs[i], name) == 0) return attrs[i + 1];
  return NULL;
}

/* Compares the innermost n open element names with the arguments. */
int xmlio_in(const XmlIo *x, int n, ...) {
  if (n > x->depth) return 0;
  va_list ap;
  va_start(ap, n);
  int ok = 1;
  for (int i = 0; i < n; i++) {
    const char *want = va_arg(ap, const char *);
    if (strcmp(x->path[x->depth - n + 1 + i], want) != 0) ok = 0;
  }
  va_end(ap);
  return ok;
}

/* expat start handler: records the element and its position, then calls the format. */
static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
  XmlIo *x = ud;
  if (x->failed) return;
  if (x->depth == XMLIO_DEPTH) {
    xmlio_fail(x, "elements nested deeper than %d", XMLIO_DEPTH);
    return;
  }
  x->path[++x->depth] = name;
  x->line[x->depth] = (unsigned long)XML_GetCurrentLineNumber(x->p);
  x->col[x->depth] = (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1;
  x->ntext = 0;
  if (x->start && x->start(x, name, attrs) != 0 && !x->failed) xmlio_fail(x, "cannot read <%s>", name);
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
  XmlIo *x = ud;
  if (x->failed) return;
  if (x->text) x->text[x->ntext] = '\0';
  if (x->end && x->end(x, name, x->text ? x->text : "", x->ntext) != 0 && !x->failed)
    xmlio_fail(x, "cannot read </%s>", name);
  x->depth--;
  x->ntext = 0;
}

/* expat text handler: appends to the innermost element's text. */
static void XMLCALL on_text(void *ud, const XML_Char *s, int len) {
  XmlIo *x = ud;
  if (x->failed || len <= 0) return;
  if (x->ntext + (size_t)len + 1 > x->captext) {
    size_t cap = x->captext ? x->captext : 256;
    while (cap < x->ntext + (size_t)len + 1) cap *= 2;
    char *t = realloc(x->text, cap);
    if (!t) {
      xmlio_fail(x, "out of memory");
      return;
    }
    x->text = t;
    x->captext = cap;
  }
  memcpy(x->text + x->ntext, s, (size_t)len);
  x->ntext += (size_t)len;
}

/* Streams the file through expat in 64 KiB blocks. Entities: expat expands only
 * the internal ones, under its billion-laughs guard, and never loads external ones. */
int xmlio_parse(XmlIo *x, const char *path) {
  FILE *f = confine_fopen(path, x->e);
  if (!f) return -1;
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && (uint64_t)sb.st_size > FORMAT_MAX_FILE) {
    fclose(f);
    return err_set(x->e, "%s: %lld bytes is over annovet's limit of %llu bytes (2 GiB) for one delivery file",
                   x->file, (long long)sb.st_size, (unsigned long long)FORMAT_MAX_FILE);
  }
  x->p = XML_ParserCreate(NULL);
  if (!x->p) {
    fclose(f);
    return err_nomem(x->e);
  }
  x->failed = 0;
  x->depth = 0;
  x->ntext = 0;
  XML_SetUserData(x->p, x);
  XML_SetElementHandler(x->p, on_start, on_end);
  XML_SetCharacterDataHandler(x->p, on_text);
  int rc = 0;
  uint64_t total = 0;
  for (;;) {
    void *buf = XML_GetBuffer(x->p, 65536);
    if (!buf) {
      rc = err_nomem(x->e);
      break;
    }
    size_t n = fread(buf, 1, 65536, f);
    total += n;
    if (ferror(f)) {
      rc = err_set(x->e, "%s: read error", x->file);
      break;
    }
    if (total > FORMAT_MAX_FILE) {
      rc = err_set(x->e, "%s: over annovet's limit of 2 GiB for one delivery file", x->file);
      break;
    }
    int last = n == 0;
    if (XML_ParseBuffer(x->p, (int)n, last) != XML_STATUS_OK) {
      if (!x->failed)
        err_set(x->e, "%s:%lu:%lu: not well-formed XML: %s", x->file,
                (unsigned long)XML_GetCurrentLineNumber(x->p),
                (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1,
                XML_ErrorString(XML_GetErrorCode(x->p)));
      rc = -1;
      break;
    }
    if (last) break;
  }
  XML_ParserFree(x->p);
  x->p = NULL;
  free(x->text);
  x->text = NULL;
  x->ntext = x->captext = 0;
  fclose(f);
  return rc;
}

/* Decodes the UTF-8 sequence at s (NUL-terminated): its length, or 0 when it is
 * not well-formed (overlong, surrogate, over U+10FFFF, cut short). */
static size_t utf8_len(const unsigned char *s) {
  unsigned c = s[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
    return 0;
  return n;
}

/* Escapes the five XML specials and tab/newline, passes well-formed UTF-8 through,
 * and writes U+FFFD for control characters and malformed bytes. */
void xmlio_escape(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    switch (*p) {
    case '&': fputs("&amp;", f); p++; continue;
    case '<': fputs("&lt;", f); p++; continue;
    case '>': fputs("&gt;", f); p++; continue;
    case '"': fputs("&quot;", f); p++; continue;
    case '\'': fputs("&apos;", f); p++; continue;
    case '\t': fputs("&#9;", f); p++; continue;
    case '\n': fputs("&#10;", f); p++; continue;
    case '\r': fputs("&#13;", f); p++; continue;
    default: break;
    }
    size_t n = *p < 0x20 ? 0 : utf8_len(p);
    if (n == 0) {
      fputs("\xEF\xBF\xBD", f);
      p++;
    } else {
      fwrite(p, 1, n, f);
      p += n;
    }
  }
}
