/* The format registry, detection, warnings and file reading shared by the readers. */
#include "formats.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coco.h"
#include "confine.h"
#include "fields.h"
#include "csv_tags.h"
#include "labelstudio.h"
#include "utf8.h"

/* Each format's table lives in its own fmt_<name>.c. */
extern const Format format_voc, format_cvat, format_yolo, format_pngmask;

const Format *const formats[] = {
  &fmt_coco,
  &fmt_coco_results,
  &fmt_labelstudio,
  &fmt_csv,
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
  if (!is_dir && (uint64_t)sb.st_size > FORMAT_MAX_FILE)
    return err_set(e, "%s: %lld bytes is over annovet's limit of %llu bytes (2 GiB) for one delivery file",
                   path, (long long)sb.st_size, (unsigned long long)FORMAT_MAX_FILE), NULL;
  char head[4096];
  size_t nhead = 0;
  if (!is_dir) {
    FILE *f = confine_fopen(path, e);
    if (!f) return NULL;
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
  if (!best) {
    char names[256];
    size_t n = 0;
    names[0] = '\0';
    for (const Format *const *f = formats; *f && n < sizeof names; f++)
      n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "", (*f)->name);
    err_set(e, "%s: not a delivery format annovet knows (COCO, VOC, YOLO, CVAT, Label Studio, CSV, "
            "PNG label images); name its format: %s", path, names);
    if (e) e->option = "from";
  }
  return best;
}

int format_slurp(const char *path, char **out, size_t *len, Err *e) {
  *out = NULL;
  *len = 0;
  FILE *f = confine_fopen(path, e);
  if (!f) return -1;
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

/* What text_check checks: a pool's strings, each looked at once. */
typedef struct TextCheck {
  const Dataset *d;
  uint8_t *seen;        /* per string id: 1 once found valid */
} TextCheck;

/* 0 when string id is UTF-8 text; otherwise -1 with e saying where (where, what). */
static int text_ok(TextCheck *t, StrId id, const char *where, const char *what, Err *e) {
  if (id == 0 || id >= t->d->str.n || t->seen[id]) return 0;
  const char *s = strpool_get(&t->d->str, id);
  size_t n = strlen(s), bad = utf8_bad(s, n);
  if (bad == n) {
    t->seen[id] = 1;
    return 0;
  }
  char w[300], v[200];
  utf8_show(w, sizeof w, where);
  utf8_show(v, sizeof v, s);
  return err_set(e, "%s: %s '%s': byte 0x%02X is not UTF-8; expected UTF-8 text", w, what, v,
                 (unsigned char)s[bad]);
}

/* Checks that every name and text a reader put in d is UTF-8: category names,
 * supercategories and keypoint names, item file names, subsets and hashes,
 * annotators, attribute keys and values, OCR text. The readers check most of it
 * where they can name a line or a JSON path; this is the net under all of them,
 * so JSON and CSV output never carry bytes that are not text. */
static int text_check(const Dataset *d, const char *path, Err *e) {
  TextCheck t = {d, err_calloc(e, (size_t)d->str.n + 1, 1)};
  if (!t.seen) return -1;
  int rc = 0;
  char where[400];
  for (uint32_t c = 0; c < d->ncats && rc == 0; c++) {
    const Category *k = &d->cats[c];
    snprintf(where, sizeof where, "%s: category %lld", path, (long long)k->id);
    rc = text_ok(&t, k->name, where, "name", e) || text_ok(&t, k->supercategory, where, "supercategory", e);
    for (uint32_t j = 0; j < k->nkp && rc == 0; j++) rc = text_ok(&t, k->kp_names[j], where, "keypoint name", e);
  }
  for (uint32_t i = 0; i < d->nitems && rc == 0; i++) {
    const Item *it = &d->items[i];
    snprintf(where, sizeof where, "%s: item %lld", path, (long long)it->id);
    rc = text_ok(&t, it->file, where, "file name", e) || text_ok(&t, it->subset, where, "subset", e) ||
         text_ok(&t, it->hash, where, "hash", e);
  }
  for (uint32_t i = 0; i < d->nannotators && rc == 0; i++)
    rc = text_ok(&t, d->annotators[i], path, "annotator", e);
  for (uint32_t i = 0; i < d->nann && rc == 0; i++) {
    const Attr *a = d->a_n[i] ? d->attrs.v + d->a_off[i] : NULL;   /* no NULL + 0 */
    int ok = 1;
    for (uint32_t j = 0; j < d->a_n[i] && ok; j++)
      ok = (a[j].key == 0 || t.seen[a[j].key]) && (a[j].str == 0 || t.seen[a[j].str]);
    if (ok && (d->text[i] == 0 || t.seen[d->text[i]])) continue;
    dataset_source(d, i, where, sizeof where);
    rc = text_ok(&t, d->text[i], where, "text", e);
    for (uint32_t j = 0; j < d->a_n[i] && rc == 0; j++)
      rc = text_ok(&t, a[j].key, where, "attribute key", e) || text_ok(&t, a[j].str, where, "attribute value", e);
  }
  free(t.seen);
  return rc ? -1 : 0;
}

int format_read(const Format *f, const char *path, const Dataset *ref, Dataset **out,
                Diag *g, Err *e) {
  return format_read_runs(f, path, ref, 1, out, g, e);
}

int format_read_runs(const Format *f, const char *path, const Dataset *ref, int keep_runs, Dataset **out,
                     Diag *g, Err *e) {
  *out = NULL;
  if (!f && !(f = format_detect(path, e))) return -1;
  if (!f->read) return err_set(e, "%s: annovet cannot read the %s format", path, f->name);
  Dataset *d = dataset_new(e);
  if (!d) return -1;
  d->runs_dropped = !keep_runs;
  if ((ref && dataset_copy_meta(d, ref, e) != 0) || f->read(path, d, g, e) != 0 ||
      text_check(d, path, e) != 0 || format_check_read(d, g, e) != 0) {
    dataset_free(d);
    return -1;
  }
  *out = d;
  return 0;
}

int format_write(const Format *f, const Dataset *d, const char *path, Diag *g, Err *e) {
  if (!f->write) return err_set(e, "annovet cannot write the %s format", f->name);
  /* the tags CSV writes no geometry: what it cannot hold it drops, with a
   * warning; Label Studio writes coordinates as percent of the image; the VOC
   * and CVAT readers take coordinates under 2^31, the YOLO reader normalised
   * ones up to 1e6 (yolo_read.c) */
  const char *n = f->name;
  int yolo = strcmp(n, "yolo") == 0;
  double scale = strcmp(n, "labelstudio") == 0 ? 100 : 1;
  double limit = strcmp(n, "voc") == 0 || strcmp(n, "cvat") == 0 ? FIELD_COORD_MAX : yolo ? 1e6 : INFINITY;
  if (strcmp(n, "csv") != 0 && format_check_write(d, scale, limit, yolo, n, e) != 0) return -1;
  return f->write(d, path, g, e);
}

int format_out_open(FormatOut *o, const char *path, Err *e) {
  o->f = NULL;
  o->tmp = err_malloc(e, strlen(path) + 16);
  if (!o->tmp) return -1;
  sprintf(o->tmp, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    err_errno(e, "%s: cannot create", path);
    free(o->tmp);
    o->tmp = NULL;
    return -1;
  }
  mode_t mask = umask(0);   /* mkstemp makes 0600; give the file the usual mode */
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "wb"))) {
    err_errno(e, "%s: cannot write", path);
    close(fd);
    format_out_abort(o);
    return -1;
  }
  return 0;
}

int format_out_commit(FormatOut *o, const char *path, Err *e) {
  int bad = ferror(o->f) != 0;
  bad |= fclose(o->f) != 0;
  o->f = NULL;
  if (bad) {
    err_set(e, "%s: write error (disk full?)", path);
    format_out_abort(o);
    return -1;
  }
  if (rename(o->tmp, path) != 0) {
    err_errno(e, "%s: cannot replace", path);
    format_out_abort(o);
    return -1;
  }
  free(o->tmp);
  o->tmp = NULL;
  return 0;
}

void format_out_abort(FormatOut *o) {
  if (o->f) fclose(o->f);
  o->f = NULL;
  if (o->tmp) remove(o->tmp);
  free(o->tmp);
  o->tmp = NULL;
}
