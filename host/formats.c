/* The format registry, detection, warnings and file reading shared by the readers. */
#include "formats.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Each format's table lives in its own fmt_<name>.c. */
extern const Format format_voc, format_cvat, format_yolo, format_pngmask;

const Format *const formats[] = {
  &format_voc,
  &format_cvat,
  &format_yolo,
  &format_pngmask,
  NULL
};

void diag_warn(Diag *g, const char *kind, const char *fmt, ...) {
  if (!g) return;
  int i;
  for (i = 0; i < g->n; i++)
    if (strcmp(g->w[i].kind, kind) == 0) break;
  if (i == g->n) {
    if (g->n == DIAG_KINDS) {
      i = DIAG_KINDS - 1;
      snprintf(g->w[i].kind, sizeof g->w[i].kind, "other");
    } else {
      g->n++;
      snprintf(g->w[i].kind, sizeof g->w[i].kind, "%s", kind);
      g->w[i].count = 0;
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(g->w[i].example, sizeof g->w[i].example, fmt, ap);
      va_end(ap);
    }
  }
  g->w[i].count++;
}

const Format *format_find(const char *name) {
  for (const Format *const *f = formats; *f; f++)
    if (strcmp((*f)->name, name) == 0) return *f;
  return NULL;
}

const Format *format_detect(const char *path, Err *e) {
  struct stat sb;
  if (stat(path, &sb) != 0) return err_errno(e, "%s", path), NULL;
  int is_dir = S_ISDIR(sb.st_mode);
  char head[4096];
  size_t nhead = 0;
  if (!is_dir) {
    FILE *f = fopen(path, "rb");
    if (!f) return err_errno(e, "%s", path), NULL;
    nhead = fread(head, 1, sizeof head, f);
    fclose(f);
  }
  const Format *best = NULL;
  int best_score = 0;
  for (const Format *const *f = formats; *f; f++) {
    int s = (*f)->detect ? (*f)->detect(path, is_dir, is_dir ? NULL : head, nhead) : 0;
    if (s > best_score) {
      best = *f;
      best_score = s;
    }
  }
  if (!best) err_set(e, "%s: not a delivery format annovet knows (COCO, VOC, YOLO, CVAT, Label Studio, CSV); give --from FORMAT", path);
  return best;
}

int format_slurp(const char *path, char **out, size_t *len, Err *e) {
  *out = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return err_errno(e, "%s", path);
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0) {
    fclose(f);
    return err_errno(e, "%s", path);
  }
  if (S_ISDIR(sb.st_mode)) {
    fclose(f);
    return err_set(e, "%s: is a directory", path);
  }
  if ((uint64_t)sb.st_size > FORMAT_MAX_FILE) {
    fclose(f);
    return err_set(e, "%s: %lld bytes is over annovet's limit of %llu bytes (2 GiB) for one delivery file",
                   path, (long long)sb.st_size, (unsigned long long)FORMAT_MAX_FILE);
  }
  size_t cap = (size_t)sb.st_size + 1, n = 0;
  char *buf = err_malloc(e, cap);
  if (!buf) {
    fclose(f);
    return -1;
  }
  for (;;) {
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
    if (n == cap - 1) {           /* the file grew (or is a pipe): read on */
      if (cap > FORMAT_MAX_FILE) {
        free(buf);
        fclose(f);
        return err_set(e, "%s: over annovet's limit of 2 GiB for one delivery file", path);
      }
      char *nb = err_realloc(e, buf, cap * 2, 1);
      if (!nb) {
        free(buf);
        fclose(f);
        return -1;
      }
      buf = nb;
      cap *= 2;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return err_set(e, "%s: read error", path);
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}
