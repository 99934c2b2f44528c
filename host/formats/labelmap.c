/* labelmap.txt and classes.txt readers, and the VOC colour map. */
#include "labelmap.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "formats.h"
#include "utf8.h"

static const char *const voc_classes[] = {
  "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
  "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
  "train", "tvmonitor", "ignored",
};

/* Frees the entries and empties the map. */
void labelmap_free(LabelMap *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->v[i].name);
    free(m->v[i].parts);
    free(m->v[i].actions);
  }
  free(m->v);
  m->v = NULL;
  m->n = 0;
}

int labelmap_find(const LabelMap *m, const char *name) {
  for (size_t i = 0; i < m->n; i++)
    if (m->v[i].name && strcmp(m->v[i].name, name) == 0) return (int)i;
  return -1;
}

int labelmap_by_value(const LabelMap *m, int value) {
  for (size_t i = 0; i < m->n; i++)
    if (m->v[i].value == value) return m->v[i].name ? (int)i : -1;
  return -1;
}

/* The devkit's colormap: bits of the index spread over the high bits of r, g, b. */
void labelmap_voc_color(int i, uint8_t rgb[3]) {
  int r = 0, g = 0, b = 0, c = i;
  for (int j = 0; j < 8; j++) {
    r |= (c & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  rgb[0] = (uint8_t)r;
  rgb[1] = (uint8_t)g;
  rgb[2] = (uint8_t)b;
}

/* Appends an entry (copies of the strings); the value is its position, or 255
 * for a VOC "ignored". */
static int add_entry(LabelMap *m, const char *name, size_t nname, const char *parts, size_t nparts,
                     const char *actions, size_t nactions, int voc, Err *e) {
  LabelEntry *v = err_realloc(e, m->v, m->n + 1, sizeof *v);
  if (!v) return -1;
  m->v = v;
  LabelEntry *le = &m->v[m->n];
  memset(le, 0, sizeof *le);
  le->name = nname || !voc ? field_strndup(name, nname, e) : NULL;
  le->parts = field_strndup(parts, nparts, e);
  le->actions = field_strndup(actions, nactions, e);
  m->n++;
  if ((!le->name && nname) || !le->parts || !le->actions) return -1;
  if (le->name && !*le->name) {      /* a blank line of a plain list: no class at this value */
    free(le->name);
    le->name = NULL;
  }
  le->value = voc && le->name && strcmp(le->name, "ignored") == 0 ? 255 : (int)m->n - 1;
  return 0;
}

/* datumaro's default VOC map: the 21 classes with their colours, "ignored" as 255. */
int labelmap_voc_default(LabelMap *m, Err *e) {
  memset(m, 0, sizeof *m);
  for (size_t i = 0; i < sizeof voc_classes / sizeof *voc_classes; i++) {
    const char *s = voc_classes[i];
    if (add_entry(m, s, strlen(s), "", 0, "", 0, 1, e) != 0) {
      labelmap_free(m);
      return -1;
    }
    m->v[i].has_color = 1;
    if (m->v[i].value == 255) {
      m->v[i].rgb[0] = m->v[i].rgb[1] = 224;
      m->v[i].rgb[2] = 192;
    } else {
      labelmap_voc_color((int)i, m->v[i].rgb);
    }
  }
  return 0;
}

/* Parses "r,g,b" into rgb; -1 when it is not three integers 0..255. */
static int parse_rgb(const char *s, size_t n, uint8_t rgb[3]) {
  size_t start = 0;
  for (int k = 0; k < 3; k++) {
    size_t end = start;
    while (end < n && s[end] != ',') end++;
    if ((k < 2) != (end < n)) return -1;
    int64_t v;
    if (field_integer(s + start, end - start, 0, 255, &v) != 0) return -1;
    rgb[k] = (uint8_t)v;
    start = end + 1;
  }
  return 0;
}

/* Parses the file line by line (CRLF and a UTF-8 BOM tolerated). */
int labelmap_read(const char *path, int voc, LabelMap *m, Err *e) {
  memset(m, 0, sizeof *m);
  char *buf;
  size_t len;
  if (format_slurp(path, &buf, &len, e) != 0) return -1;
  const char *p = buf, *end = buf + len;
  unsigned line = 0;
  int rc = 0;
  while (p < end && rc == 0) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    line++;
    const char *s = p, *line0 = p;
    size_t n = (size_t)(le - p);
    p = nl ? nl + 1 : end;
    if (n && s[n - 1] == '\r') n--;
    if (line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;   /* BOM */
    size_t bad = utf8_bad(s, n);
    if (bad < n) {
      rc = err_set(e, "%s:%u:%zu: byte 0x%02X is not UTF-8; expected class names as UTF-8 text", path, line,
                   (size_t)(s - line0) + bad + 1, (unsigned char)s[bad]);
      break;
    }
    if (voc) {
      while (n && (*s == ' ' || *s == '\t')) s++, n--;
      if (n == 0 || *s == '#') continue;
      const char *f[4];
      size_t fl[4], nf = 0, start = 0;
      for (size_t i = 0; i <= n && nf < 5; i++)
        if (i == n || s[i] == ':') {
          if (nf < 4) {
            f[nf] = s + start;
            fl[nf] = i - start;
          }
          nf++;
          start = i + 1;
        }
      if (nf != 4) {
        rc = err_set(e, "%s:%u: expected 4 ':'-separated fields (name:r,g,b:parts:actions), got %zu", path, line, nf);
        break;
      }
      while (fl[0] && (f[0][fl[0] - 1] == ' ' || f[0][fl[0] - 1] == '\t')) fl[0]--;
      if (fl[0] == 0) {
        rc = err_set(e, "%s:%u: expected a label name before the first ':'", path, line);
        break;
      }
      if (add_entry(m, f[0], fl[0], f[2], fl[2], f[3], fl[3], 1, e) != 0) {
        rc = -1;
        break;
      }
      LabelEntry *en = &m->v[m->n - 1];
      if (fl[1]) {
        if (parse_rgb(f[1], fl[1], en->rgb) != 0) {
          rc = err_set(e, "%s:%u: label '%s' has colour '%.*s'; expected r,g,b with each 0..255", path,
                       line, en->name, (int)fl[1], f[1]);
          break;
        }
        en->has_color = 1;
      }
    } else {
      while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
      while (n && (*s == ' ' || *s == '\t')) s++, n--;
      if (!nl && n == 0) break;               /* no trailing blank class after the last newline */
      if (add_entry(m, s, n, "", 0, "", 0, 0, e) != 0) {
        rc = -1;
        break;
      }
    }
    const char *name = m->v[m->n - 1].name;
    for (size_t i = 0; name && i + 1 < m->n; i++)
      if (m->v[i].name && strcmp(m->v[i].name, name) == 0) {
        rc = err_set(e, "%s:%u: label '%s' is already defined above", path, line, name);
        break;
      }
  }
  free(buf);
  if (rc != 0) labelmap_free(m);
  return rc;
}
