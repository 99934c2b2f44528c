/* The confinement of a running user script: read roots, the write folder and the
 * C memory budget, checked by every open and large allocation made for it. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
  int active;
  char **roots;          /* real paths a script may read at or below */
  int nroots;
  char *write_dir;       /* real path of the one folder it may write in, or NULL */
  ConfineBudget budget;
  void *ud;
  volatile int hit;      /* a reservation was refused */
} C;

static const char OUTSIDE_READ[] = "outside what the script may read (the current folder, the script's, "
                                   "--out, paths given as arguments, and --read folders)";

void confine_end(void) {
  for (int i = 0; i < C.nroots; i++) free(C.roots[i]);
  free(C.roots);
  free(C.write_dir);
  memset(&C, 0, sizeof C);
}

int confine_begin(const char *const *roots, int nroots, const char *write_dir,
                  ConfineBudget budget, void *ud, Err *e) {
  confine_end();
  C.roots = calloc(nroots > 0 ? (size_t)nroots : 1, sizeof *C.roots);
  if (!C.roots) return err_nomem(e);
  for (int i = 0; i < nroots; i++) {
    char *real = roots[i] ? realpath(roots[i], NULL) : NULL;
    if (real) C.roots[C.nroots++] = real;
  }
  if (write_dir && !(C.write_dir = realpath(write_dir, NULL))) {
    int r = err_errno(e, "%s", write_dir);
    confine_end();
    return r;
  }
  C.budget = budget;
  C.ud = ud;
  C.active = 1;
  return 0;
}

int confine_active(void) { return C.active; }

const char *confine_write_dir(void) { return C.active ? C.write_dir : NULL; }

char *confine_normalize(const char *path, char *out) {
  size_t o = 0;
  if (path[0] == '/') out[o++] = '/';
  for (const char *p = path; *p;) {
    while (*p == '/') p++;
    const char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len && !(len == 1 && p[0] == '.')) {
      if (o && out[o - 1] != '/') out[o++] = '/';
      memmove(out + o, p, len);
      o += len;
    }
    p += len;
  }
  if (o == 0) out[o++] = '.';
  out[o] = '\0';
  return out;
}

/* The real path of the nearest existing folder above path (symbolic links
 * resolved), malloc'd; NULL when a component not yet created is "." or "..",
 * so the part that realpath cannot see cannot climb out either. */
static char *existing_ancestor(const char *path) {
  size_t n = strlen(path);
  char *p = malloc(n + 3);
  if (!p) return NULL;
  if (path[0] == '/') memcpy(p, path, n + 1);
  else {
    memcpy(p, "./", 2);
    memcpy(p + 2, path, n + 1);
  }
  for (;;) {
    char *slash = strrchr(p, '/');
    const char *last = slash + 1;
    if (strcmp(last, "..") == 0 || strcmp(last, ".") == 0) break;
    if (slash == p) {
      p[1] = '\0';            /* "/name": the root */
    } else {
      *slash = '\0';
    }
    char *real = realpath(p, NULL);
    if (real || errno != ENOENT) {
      free(p);
      return real;
    }
  }
  free(p);
  return NULL;
}

/* 1 when real (a real path) is root or below it. */
static int path_within(const char *real, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/') return 1;
  return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

static int readable(const char *real) {
  for (int i = 0; real && i < C.nroots; i++)
    if (path_within(real, C.roots[i])) return 1;
  return 0;
}

int confine_check_read(const char *path, Err *e) {
  if (!C.active) return 0;
  char *real = realpath(path, NULL);
  if (!real) real = existing_ancestor(path);   /* a missing file: where it would be */
  int ok = readable(real);
  free(real);
  return ok ? 0 : err_set(e, "%s: %s", path, OUTSIDE_READ);
}

int confine_check_write(const char *path, Err *e) {
  if (!C.active) return 0;
  if (!C.write_dir) return err_set(e, "%s: a script may write files only with --out DIR", path);
  char *norm = err_malloc(e, strlen(path) + 2);
  if (!norm) return -1;
  confine_normalize(path, norm);
  char *real = realpath(norm, NULL);           /* an existing target: where it really is */
  if (!real) real = existing_ancestor(norm);   /* a new one: the folder it goes in */
  int ok = real && path_within(real, C.write_dir);
  free(real);
  free(norm);
  return ok ? 0 : err_set(e, "%s: outside the folder the script may write in (%s)", path, C.write_dir);
}

/* 0 when the open descriptor fd is a file a script may read; the check by
 * name alone when /proc cannot tell. */
static int check_fd(int fd, const char *path, Err *e) {
  char link[64], real[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, real, sizeof real - 1);
  if (n <= 0 || (size_t)n >= sizeof real - 1) return 0;
  real[n] = '\0';
  return readable(real) ? 0 : err_set(e, "%s: %s", path, OUTSIDE_READ);
}

/* Opens path read-only (flags added), checked before and after when confined.
 * A FIFO or device does not block the open; the descriptor is made blocking
 * again once checked. */
static int open_checked(const char *path, int flags, Err *e) {
  if (confine_check_read(path, e) != 0) {
    errno = EACCES;   /* not ENOENT: the same for a file that exists and one that does not */
    return -1;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
  if (fd < 0) {
    int saved = errno;
    err_errno(e, "%s", path);
    errno = saved;
    return -1;
  }
  if (C.active && check_fd(fd, path, e) != 0) {
    close(fd);
    errno = EACCES;
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

FILE *confine_fopen(const char *path, Err *e) {
  int fd = open_checked(path, 0, e);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    err_errno(e, "%s", path);
    close(fd);
  }
  return f;
}

DIR *confine_opendir(const char *path, Err *e) {
  int fd = open_checked(path, O_DIRECTORY, e);
  if (fd < 0) return NULL;
  DIR *d = fdopendir(fd);
  if (!d) {
    err_errno(e, "%s", path);
    close(fd);
  }
  return d;
}

int confine_reserve(size_t bytes, Err *e) {
  if (!C.active || !C.budget || C.budget(C.ud, bytes) == 0) return 0;
  C.hit = 1;
  err_set(e, "not enough memory: %zu bytes more would pass the script's memory limit", bytes);
  if (e) e->kind = ERR_NOMEM;
  return -1;
}

int confine_budget_hit(void) { return C.active && C.hit; }

void confine_budget_clear(void) { C.hit = 0; }
