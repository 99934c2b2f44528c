/* Output staged under a temporary name and renamed into place, so a failed write
 * leaves nothing half-written. */
#include "staged.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"
#include "fields.h"
#include "folder.h"

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
      char *sub = folder_join(path, de->d_name, NULL);
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
int staged_begin(Staged *o, const char *path, int is_dir, Err *e) {
  memset(o, 0, sizeof *o);
  o->is_dir = is_dir;
  if (is_dir) {
    int k = folder_kind(path);
    if (k == 0) return err_set(e, "%s: exists and is not a folder", path);
    if (k == 1) {
      FolderList l;
      if (folder_list(path, &l, e) != 0) return -1;
      size_t n = l.n;
      folder_list_free(&l);
      if (n) return err_set(e, "%s: folder exists and is not empty (annovet writes a new folder)", path);
    }
  } else if (folder_kind(path) == 1) {
    return err_set(e, "%s: is a folder; expected a file name", path);
  }
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  o->final = field_strndup(path, n, e);
  o->tmp = err_malloc(e, n + 40);
  if (!o->final || !o->tmp) {
    staged_abort(o);
    return -1;
  }
  snprintf(o->tmp, n + 40, "%s.annovet-tmp-%ld", o->final, (long)getpid());
  if (is_dir && confine_write_dir() && confine_check_write(o->tmp, NULL) != 0 && folder_kind(o->final) == 1) {
    /* the target is the folder a script may write in: stage inside it */
    o->inside = 1;
    snprintf(o->tmp, n + 40, "%s/.annovet-tmp-%ld", o->final, (long)getpid());
  }
  remove_tree(o->tmp);
  if (is_dir && mkdir(o->tmp, 0777) != 0) {
    int r = err_errno(e, "%s", o->tmp);
    staged_abort(o);
    return r;
  }
  return 0;
}

/* Opens the staged file, or a file inside the staged folder with its parents made. */
FILE *staged_open(Staged *o, const char *rel, Err *e) {
  if (!rel) {
    FILE *f = fopen(o->tmp, "wb");
    if (!f) err_errno(e, "%s", o->final);
    return f;
  }
  char *p = folder_join(o->tmp, rel, e);
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

int staged_close(FILE *f, const char *path, Err *e) {
  int bad = ferror(f);
  if (fclose(f) != 0 || bad) return err_set(e, "%s: write error (disk full?)", path);
  return 0;
}

/* Moves each entry of the folder staged inside the target up into the target;
 * on a failure, removes those already moved (the target was empty). */
static int commit_inside(Staged *o, Err *e) {
  FolderList l;
  if (folder_list(o->tmp, &l, e) != 0) return -1;
  int rc = 0;
  size_t moved = 0;
  for (; rc == 0 && moved < l.n; moved++) {
    char *from = folder_join(o->tmp, l.v[moved], e), *to = folder_join(o->final, l.v[moved], e);
    if (!from || !to) rc = -1;
    else if (rename(from, to) != 0) rc = err_errno(e, "%s", to);
    free(from);
    free(to);
  }
  if (rc != 0)
    for (size_t i = 0; i + 1 < moved; i++) {
      char *to = folder_join(o->final, l.v[i], NULL);
      if (to) remove_tree(to);
      free(to);
    }
  folder_list_free(&l);
  if (rc == 0) rmdir(o->tmp);
  return rc;
}

/* Renames the staged output over its final name (an empty target folder is
 * removed first), or moves it up into the target it was staged inside. */
int staged_commit(Staged *o, Err *e) {
  if (o->inside) {
    if (commit_inside(o, e) != 0) return -1;
  } else {
    if (o->is_dir && folder_kind(o->final) == 1 && rmdir(o->final) != 0) return err_errno(e, "%s", o->final);
    if (rename(o->tmp, o->final) != 0) return err_errno(e, "%s", o->final);
  }
  free(o->tmp);
  o->tmp = NULL;
  free(o->final);
  o->final = NULL;
  return 0;
}

void staged_abort(Staged *o) {
  if (o->tmp) remove_tree(o->tmp);
  free(o->tmp);
  free(o->final);
  o->tmp = o->final = NULL;
}
