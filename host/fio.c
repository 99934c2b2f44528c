/* Strict numbers, paths, directory listings and staged output for the formats. */
#include "fio.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Accepts [+-]digits[.digits][(e|E)[+-]digits] with at least one digit in the
 * mantissa, checked by hand so strtod never sees hex, "nan" or "inf". */
int fio_number(const char *s, size_t n, double *out) {
  while (n && is_blank(*s)) s++, n--;
  while (n && is_blank(s[n - 1])) n--;
  if (n == 0 || n > 64) return -1;
  char buf[65];
  size_t i = 0, digits = 0;
  if (s[i] == '+' || s[i] == '-') i++;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  }
  if (!digits) return -1;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t ed = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, ed++;
    if (!ed) return -1;
  }
  if (i != n) return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  errno = 0;
  double v = strtod(buf, NULL);
  if (!isfinite(v)) return -1;
  *out = v;
  return 0;
}

int fio_integer(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out) {
  double v;
  if (fio_number(s, n, &v) != 0) return -1;
  if (v != floor(v) || v < (double)lo || v > (double)hi) return -1;
  *out = (int64_t)v;
  return 0;
}

int fio_kind(const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0) return -1;
  return S_ISDIR(sb.st_mode) ? 1 : 0;
}

char *fio_strndup(const char *s, size_t n, Err *e) {
  char *p = err_malloc(e, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

/* dir/name, with any trailing slashes of dir dropped. */
char *fio_join(const char *dir, const char *name, Err *e) {
  size_t a = strlen(dir), b = strlen(name);
  while (a > 1 && dir[a - 1] == '/') a--;
  char *p = err_malloc(e, a + b + 2);
  if (!p) return NULL;
  memcpy(p, dir, a);
  p[a] = '/';
  memcpy(p + a + 1, name, b + 1);
  return p;
}

const char *fio_base(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Case-insensitive suffix test (ext is given in lower case). */
int fio_has_ext(const char *name, const char *ext) {
  size_t a = strlen(name), b = strlen(ext);
  if (a < b) return 0;
  for (size_t i = 0; i < b; i++) {
    char c = name[a - b + i], d = ext[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != d) return 0;
  }
  return 1;
}

/* Appends a copy of s, growing the list. */
int fio_list_add(FioList *l, const char *s, Err *e) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    char **v = err_realloc(e, l->v, cap, sizeof *v);
    if (!v) return -1;
    l->v = v;
    l->cap = cap;
  }
  char *c = fio_strndup(s, strlen(s), e);
  if (!c) return -1;
  l->v[l->n++] = c;
  return 0;
}

void fio_list_free(FioList *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a directory's names (without . and ..), then sorts them bytewise. */
int fio_list(const char *dir, FioList *out, Err *e) {
  memset(out, 0, sizeof *out);
  DIR *d = opendir(dir);
  if (!d) return err_errno(e, "%s", dir);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    if (fio_list_add(out, de->d_name, e) != 0) {
      closedir(d);
      fio_list_free(out);
      return -1;
    }
  }
  closedir(d);
  if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_str);
  return 0;
}

/* Removes path and, for a directory, everything under it (symlinks are
 * removed, never followed). */
static void remove_tree(const char *path) {
  struct stat sb;
  if (lstat(path, &sb) != 0) return;
  if (!S_ISDIR(sb.st_mode)) {
    unlink(path);
    return;
  }
  DIR *d = opendir(path);
  if (d) {
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
      char *sub = fio_join(path, de->d_name, NULL);
      if (sub) {
        remove_tree(sub);
        free(sub);
      }
    }
    closedir(d);
  }
  rmdir(path);
}

/* Checks the target (a folder must be new or empty), then makes the staging name
 * <path>.annovet-tmp-<pid> (a folder, for folder formats). */
int fio_out_begin(FioOut *o, const char *path, int is_dir, Err *e) {
  memset(o, 0, sizeof *o);
  o->is_dir = is_dir;
  if (is_dir) {
    int k = fio_kind(path);
    if (k == 0) return err_set(e, "%s: exists and is not a folder", path);
    if (k == 1) {
      FioList l;
      if (fio_list(path, &l, e) != 0) return -1;
      size_t n = l.n;
      fio_list_free(&l);
      if (n) return err_set(e, "%s: folder exists and is not empty (annovet writes a new folder)", path);
    }
  } else if (fio_kind(path) == 1) {
    return err_set(e, "%s: is a folder; expected a file name", path);
  }
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  o->final = fio_strndup(path, n, e);
  o->tmp = err_malloc(e, n + 40);
  if (!o->final || !o->tmp) {
    fio_out_abort(o);
    return -1;
  }
  snprintf(o->tmp, n + 40, "%s.annovet-tmp-%ld", o->final, (long)getpid());
  remove_tree(o->tmp);
  if (is_dir && mkdir(o->tmp, 0777) != 0) {
    int r = err_errno(e, "%s", o->tmp);
    fio_out_abort(o);
    return r;
  }
  return 0;
}

/* Opens the staged file, or a file inside the staged folder with its parents made. */
FILE *fio_out_open(FioOut *o, const char *rel, Err *e) {
  if (!rel) {
    FILE *f = fopen(o->tmp, "wb");
    if (!f) err_errno(e, "%s", o->final);
    return f;
  }
  char *p = fio_join(o->tmp, rel, e);
  if (!p) return NULL;
  /* create the parents of rel, one '/' at a time */
  for (char *s = p + strlen(o->tmp) + 1; (s = strchr(s, '/')) != NULL; s++) {
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      err_errno(e, "%s/%s", o->final, rel);
      free(p);
      return NULL;
    }
    *s = '/';
  }
  FILE *f = fopen(p, "wb");
  if (!f) err_errno(e, "%s/%s", o->final, rel);
  free(p);
  return f;
}

int fio_close(FILE *f, const char *path, Err *e) {
  int bad = ferror(f);
  if (fclose(f) != 0 || bad) return err_set(e, "%s: write error (disk full?)", path);
  return 0;
}

/* Renames the staged output over its final name (an empty target folder is removed first). */
int fio_out_commit(FioOut *o, Err *e) {
  if (o->is_dir && fio_kind(o->final) == 1 && rmdir(o->final) != 0)
    return err_errno(e, "%s", o->final);
  if (rename(o->tmp, o->final) != 0) return err_errno(e, "%s", o->final);
  free(o->tmp);
  o->tmp = NULL;
  free(o->final);
  o->final = NULL;
  return 0;
}

void fio_out_abort(FioOut *o) {
  if (o->tmp) remove_tree(o->tmp);
  free(o->tmp);
  free(o->final);
  o->tmp = o->final = NULL;
}

void fio_check_box(Diag *g, const Item *it, const double box[4], double tol, const char *where) {
  if (it->width <= 0 || it->height <= 0) return;
  if (box[0] < -tol || box[1] < -tol || box[0] + box[2] > it->width + tol ||
      box[1] + box[3] > it->height + tol)
    diag_warn(g, "box outside image", "%s: box [%g, %g, %g, %g] leaves the %dx%d image", where,
              box[0], box[1], box[2], box[3], (int)it->width, (int)it->height);
}

/* The first point outside the image counts one warning for the shape. */
void fio_check_points(Diag *g, const Item *it, const double *xy, uint32_t npts, uint32_t stride,
                      double tol, const char *where) {
  if (it->width <= 0 || it->height <= 0) return;
  for (uint32_t i = 0; i < npts; i++) {
    double x = xy[(size_t)i * stride], y = xy[(size_t)i * stride + 1];
    if (stride == 3 && xy[(size_t)i * stride + 2] == 0) continue;   /* keypoint not labelled */
    if (x < -tol || y < -tol || x > it->width + tol || y > it->height + tol) {
      diag_warn(g, "point outside image", "%s: point (%g, %g) is outside the %dx%d image", where, x,
                y, (int)it->width, (int)it->height);
      return;
    }
  }
}

/* Appends the files under dir/rel matching ext to out (relative paths). */
static int list_tree(const char *dir, const char *rel, const char *ext, int depth, FioList *out, Err *e) {
  char *here = rel ? fio_join(dir, rel, e) : fio_strndup(dir, strlen(dir), e);
  if (!here) return -1;
  FioList l;
  int rc = fio_list(here, &l, e);
  for (size_t i = 0; rc == 0 && i < l.n; i++) {
    char *sub = rel ? fio_join(rel, l.v[i], e) : fio_strndup(l.v[i], strlen(l.v[i]), e);
    char *full = sub ? fio_join(dir, sub, e) : NULL;
    if (!full) rc = -1;
    else if (fio_kind(full) == 1) {
      if (depth < 8) rc = list_tree(dir, sub, ext, depth + 1, out, e);
    } else if (fio_has_ext(l.v[i], ext)) {
      rc = fio_list_add(out, sub, e);
    }
    free(sub);
    free(full);
  }
  fio_list_free(&l);
  free(here);
  return rc;
}

int fio_list_tree(const char *dir, const char *ext, FioList *out, Err *e) {
  memset(out, 0, sizeof *out);
  if (list_tree(dir, NULL, ext, 0, out, e) != 0) {
    fio_list_free(out);
    return -1;
  }
  if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_str);
  return 0;
}

/* A counting sort of annotation indices by item, stable. */
int fio_by_item(const Dataset *d, uint32_t **start, uint32_t **order, Err *e) {
  *start = err_calloc(e, (size_t)d->nitems + 2, sizeof **start);
  *order = err_malloc(e, ((size_t)d->nann + 1) * sizeof **order);
  if (!*start || !*order) {
    free(*start);
    free(*order);
    *start = *order = NULL;
    return -1;
  }
  uint32_t *s = *start;
  for (uint32_t i = 0; i < d->nann; i++) s[d->item[i] + 2]++;
  for (uint32_t k = 0; k < d->nitems; k++) s[k + 2] += s[k + 1];
  for (uint32_t i = 0; i < d->nann; i++) (*order)[s[d->item[i] + 1]++] = i;
  return 0;
}

const Attr *fio_attr(const Dataset *d, uint32_t i, const char *key) {
  for (uint32_t k = 0; k < d->a_n[i]; k++) {
    const Attr *a = &d->attrs.v[d->a_off[i] + k];
    if (strcmp(strpool_get(&d->str, a->key), key) == 0) return a;
  }
  return NULL;
}

/* Copies name component by component, replacing "", "." and "..". */
char *fio_safe_rel(const char *name, Err *e) {
  while (*name == '/') name++;
  size_t n = strlen(name);
  char *out = err_malloc(e, 2 * n + 2);
  if (!out) return NULL;
  size_t o = 0;
  const char *p = name;
  for (;;) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
      out[o++] = '_';
    } else {
      memcpy(out + o, p, len);
      o += len;
    }
    if (!slash) break;
    out[o++] = '/';
    p = slash + 1;
  }
  out[o] = '\0';
  return out;
}

/* Names the file with utf8_show, so the message itself is valid text. */
int fio_check_name(const char *dir, const char *rel, const char *what, Err *e) {
  size_t n = strlen(rel), bad = utf8_bad(rel, n);
  if (bad == n) return 0;
  char shown_dir[200], shown[300];
  utf8_show(shown_dir, sizeof shown_dir, dir ? dir : "");
  utf8_show(shown, sizeof shown, rel);
  return err_set(e, "%s%s%s: byte 0x%02X of the file name is not UTF-8; expected a UTF-8 name (it becomes %s)",
                 shown_dir, dir ? "/" : "", shown, (unsigned char)rel[bad], what);
}
