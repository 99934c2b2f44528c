/* Folders the formats read: joined paths, sorted listings and trees of files,
 * names checked as UTF-8 and made safe as relative output paths. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "folder.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "confine.h"
#include "fields.h"
#include "utf8.h"

/* Refuses by the name first (absolute, or a ".." component), then by where the
 * file really is: its real path must be dir's real path or below it. */
int folder_find_within(const char *dir, const char *rel, char **out, Err *e) {
  *out = NULL;
  if (rel[0] == '/' || rel[0] == '\0') return 1;
  for (const char *p = rel; *p;) {
    size_t len = strcspn(p, "/");
    if (len == 2 && p[0] == '.' && p[1] == '.') return 1;
    p += len;
    if (*p == '/') p++;
  }
  char *path = folder_join(dir, rel, e);
  if (!path) return -1;
  char *real = realpath(path, NULL);
  if (!real) {
    free(path);
    return 2;
  }
  char *root = realpath(dir, NULL);
  size_t n = root ? strlen(root) : 0;
  int inside = root && strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0' || n == 1);
  free(root);
  free(real);
  if (!inside) {
    free(path);
    return 1;
  }
  *out = path;
  return 0;
}

int folder_kind(const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0) return -1;
  return S_ISDIR(sb.st_mode) ? 1 : 0;
}

/* dir/name, with any trailing slashes of dir dropped. */
char *folder_join(const char *dir, const char *name, Err *e) {
  size_t a = strlen(dir), b = strlen(name);
  while (a > 1 && dir[a - 1] == '/') a--;
  char *p = err_malloc(e, a + b + 2);
  if (!p) return NULL;
  memcpy(p, dir, a);
  p[a] = '/';
  memcpy(p + a + 1, name, b + 1);
  return p;
}

const char *folder_base(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Case-insensitive suffix test (ext is given in lower case). */
int folder_has_ext(const char *name, const char *ext) {
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
int folder_list_add(FolderList *l, const char *s, Err *e) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    char **v = err_realloc(e, l->v, cap, sizeof *v);
    if (!v) return -1;
    l->v = v;
    l->cap = cap;
  }
  char *c = field_strndup(s, strlen(s), e);
  if (!c) return -1;
  l->v[l->n++] = c;
  return 0;
}

void folder_list_free(FolderList *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a directory's names (without . and ..), then sorts them bytewise. */
int folder_list(const char *dir, FolderList *out, Err *e) {
  memset(out, 0, sizeof *out);
  DIR *d = confine_opendir(dir, e);
  if (!d) return -1;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    if (folder_list_add(out, de->d_name, e) != 0) {
      closedir(d);
      folder_list_free(out);
      return -1;
    }
  }
  closedir(d);
  if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_str);
  return 0;
}

/* Appends the files under dir/rel matching ext to out (relative paths). */
static int list_tree(const char *dir, const char *rel, const char *ext, int depth, FolderList *out, Err *e) {
  char *here = rel ? folder_join(dir, rel, e) : field_strndup(dir, strlen(dir), e);
  if (!here) return -1;
  FolderList l;
  int rc = folder_list(here, &l, e);
  for (size_t i = 0; rc == 0 && i < l.n; i++) {
    char *sub = rel ? folder_join(rel, l.v[i], e) : field_strndup(l.v[i], strlen(l.v[i]), e);
    char *full = sub ? folder_join(dir, sub, e) : NULL;
    if (!full) rc = -1;
    else if (folder_kind(full) == 1) {
      if (depth < 8) rc = list_tree(dir, sub, ext, depth + 1, out, e);
    } else if (folder_has_ext(l.v[i], ext)) {
      rc = folder_list_add(out, sub, e);
    }
    free(sub);
    free(full);
  }
  folder_list_free(&l);
  free(here);
  return rc;
}

int folder_list_tree(const char *dir, const char *ext, FolderList *out, Err *e) {
  memset(out, 0, sizeof *out);
  if (list_tree(dir, NULL, ext, 0, out, e) != 0) {
    folder_list_free(out);
    return -1;
  }
  if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_str);
  return 0;
}

/* Copies name component by component, replacing "", "." and "..". */
char *folder_safe_rel(const char *name, Err *e) {
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
int folder_check_name(const char *dir, const char *rel, const char *what, Err *e) {
  size_t n = strlen(rel), bad = utf8_bad(rel, n);
  if (bad == n) return 0;
  char shown_dir[200], shown[300];
  utf8_show(shown_dir, sizeof shown_dir, dir ? dir : "");
  utf8_show(shown, sizeof shown, rel);
  return err_set(e, "%s%s%s: byte 0x%02X of the file name is not UTF-8; expected a UTF-8 name (it becomes %s)",
                 shown_dir, dir ? "/" : "", shown, (unsigned char)rel[bad], what);
}
