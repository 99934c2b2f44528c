/* YOLO image lists (train.txt ...): the images a delivery names, so that an
 * item keeps its image's name and extension when only the labels came. */
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "folder.h"
#include "utf8.h"
#include "yolo.h"

/* Drops "." and "dir/.." parts of the relative path p in place; -1 when it
 * leaves its folder. */
static int normalise(char *p) {
  size_t o = 0;
  for (char *q = p; *q;) {
    size_t n = strcspn(q, "/");
    if ((n == 1 && q[0] == '.') || n == 0) {
      /* nothing */
    } else if (n == 2 && q[0] == '.' && q[1] == '.') {
      if (o == 0) return -1;
      while (o > 0 && p[o - 1] != '/') o--;
      if (o > 0) o--;           /* the '/' before the dropped part */
    } else {
      if (o > 0) p[o++] = '/';
      memmove(p + o, q, n);
      o += n;
    }
    q += n;
    if (*q == '/') q++;
  }
  p[o] = '\0';
  return o ? 0 : -1;
}

/* Where a path written in an image list is in the folder: "./x" relative to
 * the list's folder (Ultralytics), "data/x" the folder itself (Darknet's
 * working directory) unless a data/ folder is there; NULL (nothing to look up)
 * for absolute paths and ones that leave the folder. malloc'd, normalised. */
static char *list_entry(const char *root, const char *list_dir, const char *s, size_t n, Err *e) {
  if (n == 0 || s[0] == '/') return NULL;
  char *line = field_strndup(s, n, e), *out = NULL;
  if (!line) return NULL;
  const char *rel = line;
  char *in_root = folder_join(root, "data", e);
  if (strncmp(rel, "./", 2) == 0) {
    while (strncmp(rel, "./", 2) == 0) rel += 2;
    out = *list_dir ? folder_join(list_dir, rel, e) : field_strndup(rel, strlen(rel), e);
  } else if (strncmp(rel, "data/", 5) == 0 && in_root && folder_kind(in_root) != 1) {
    out = field_strndup(rel + 5, strlen(rel + 5), e);
  } else {
    out = field_strndup(rel, strlen(rel), e);
  }
  free(in_root);
  free(line);
  if (out && normalise(out) != 0) {
    free(out);
    out = NULL;
  }
  return out;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int yolo_read_lists(const char *root, FolderList *lists, const FolderList *all, FolderList *absent, Err *e) {
  int rc = 0;
  for (size_t i = 0; i < lists->n && rc == 0; i++) {
    const char *lp = lists->v[i];
    char *path = folder_join(root, lp, e);
    if (!path) return -1;
    if (folder_kind(path) != 0 && strncmp(lp, "data/", 5) == 0) {
      free(path);
      lp += 5;
      if (!(path = folder_join(root, lp, e))) return -1;
    }
    char *text = NULL, *dir = NULL;
    size_t len = 0;
    if (folder_kind(path) != 0) {
      free(path);
      continue;
    }
    char *found = field_strndup(lp, strlen(lp), e);   /* as a path in the folder, so it is no label file */
    if (!found) {
      free(path);
      return -1;
    }
    if (normalise(found) != 0) {   /* outside the folder: its paths are not the delivery's */
      free(found);
      free(path);
      continue;
    }
    free(lists->v[i]);
    lists->v[i] = found;
    lp = found;
    const char *b = folder_base(lp);
    dir = field_strndup(lp, b > lp ? (size_t)(b - lp - 1) : 0, e);
    if (!dir || format_slurp(path, &text, &len, e) != 0) rc = -1;
    unsigned line = 0;
    for (const char *p = text, *end = text + len; rc == 0 && p && p < end;) {
      const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
      line++;
      const char *q = p;
      p = nl ? nl + 1 : NULL;
      while (q < le && (*q == ' ' || *q == '\t')) q++;
      size_t n = (size_t)(le - q);
      while (n && (q[n - 1] == '\r' || q[n - 1] == ' ' || q[n - 1] == '\t')) n--;
      Err e2 = {0};
      char *rel = list_entry(root, dir, q, n, &e2);
      if (!rel && e2.msg[0]) rc = err_set(e, "%s", e2.msg);
      if (!rel || !yolo_is_image(rel) || (all->n && bsearch(&rel, all->v, all->n, sizeof *all->v, cmp_name))) {
        free(rel);
        continue;
      }
      size_t nrel = strlen(rel), bad = utf8_bad(rel, nrel);
      if (bad < nrel) {
        char shown[300];
        utf8_show(shown, sizeof shown, rel);
        rc = err_set(e, "%s:%u: image '%s': byte 0x%02X is not UTF-8; expected a UTF-8 name (it becomes an item's file name)",
                     path, line, shown, (unsigned char)rel[bad]);
      } else if (folder_list_add(absent, rel, e) != 0) {
        rc = -1;
      }
      free(rel);
    }
    free(text);
    free(dir);
    free(path);
  }
  if (rc == 0 && absent->n) {   /* one item per image, however many lists name it */
    qsort(absent->v, absent->n, sizeof *absent->v, cmp_name);
    size_t k = 0;
    for (size_t i = 0; i < absent->n; i++) {
      if (k && strcmp(absent->v[k - 1], absent->v[i]) == 0) free(absent->v[i]);
      else absent->v[k++] = absent->v[i];
    }
    absent->n = k;
  }
  return rc;
}
