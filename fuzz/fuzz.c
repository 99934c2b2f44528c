/* The fuzz targets' scratch folder, input cutting and reader calls (fuzz.h). */
#define _XOPEN_SOURCE 700
#include "fuzz.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "formats.h"

static char dir[4096];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  if (ftw->level == 0) return 0;   /* keep the folder itself */
  remove(p);
  return 0;
}

static void rm_all(void) {
  if (dir[0]) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void rm_dir(void) {
  rm_all();
  if (dir[0]) rmdir(dir);
}

const char *fuzz_fresh_dir(void) {
  if (!dir[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/annovet-fuzz-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
      perror(dir);
      abort();
    }
    atexit(rm_dir);
  } else {
    rm_all();
  }
  return dir;
}

/* mkdir -p of the folders above the file p. */
static void make_parents(char *p) {
  for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
      perror(p);
      abort();
    }
    *s = '/';
  }
}

const char *fuzz_write(const char *rel, const uint8_t *p, size_t n) {
  static char path[8192];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  make_parents(path);
  FILE *f = fopen(path, "wb");
  if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
    perror(path);
    abort();
  }
  return path;
}

void fuzz_png_fix(uint8_t *p, size_t n) {
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (n < 8 || memcmp(p, sig, 8) != 0) return;
  for (size_t at = 8; at + 12 <= n;) {
    uint32_t len = (uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 | (uint32_t)p[at + 2] << 8 | p[at + 3];
    if (len > n - at - 12) break;
    uLong c = crc32(0L, p + at + 4, (uInt)len + 4);
    uint8_t *q = p + at + 8 + len;
    q[0] = (uint8_t)(c >> 24);
    q[1] = (uint8_t)(c >> 16);
    q[2] = (uint8_t)(c >> 8);
    q[3] = (uint8_t)c;
    at += (size_t)len + 12;
  }
}

static int ends_with(const char *s, const char *tail) {
  size_t a = strlen(s), b = strlen(tail);
  return a >= b && strcmp(s + a - b, tail) == 0;
}

size_t fuzz_write_parts(const uint8_t *data, size_t size, const char *const *names, size_t nnames) {
  const size_t cut = sizeof FUZZ_CUT - 1;
  size_t k = 0, at = 0;
  while (k < nnames) {
    size_t end = size;
    if (k + 1 < nnames)
      for (size_t i = at; i + cut <= size; i++)
        if (memcmp(data + i, FUZZ_CUT, cut) == 0) {
          end = i;
          break;
        }
    size_t n = end - at;
    if (n) {   /* an empty piece: no such file */
      uint8_t *copy = malloc(n);
      if (!copy) abort();
      memcpy(copy, data + at, n);
      if (ends_with(names[k], ".png")) fuzz_png_fix(copy, n);
      fuzz_write(names[k], copy, n);
      free(copy);
    }
    k++;
    if (end == size) break;
    at = end + cut;
  }
  return k;
}

int fuzz_read_format(const char *fmt, const char *path) {
  const Format *f = format_find(fmt);
  if (!f) abort();
  Dataset *d = NULL;
  Diag g;
  memset(&g, 0, sizeof g);
  Err e = {0};
  int rc = format_read(f, path, NULL, &d, &g, &e);
  if (rc != 0 && !e.msg[0]) {
    fprintf(stderr, "%s reader failed without a message\n", fmt);
    abort();
  }
  /* read for its counts only (ingest, inspect): the same verdict, message,
   * annotations and warnings */
  Dataset *dc = NULL;
  Diag gc;
  memset(&gc, 0, sizeof gc);
  Err ec = {0};
  int rcc = format_read_runs(f, path, NULL, 0, &dc, &gc, &ec);
  if (rcc != rc || strcmp(e.msg, ec.msg) != 0 || (d && dc->nann != d->nann) || gc.n != g.n) {
    fprintf(stderr, "%s reader: counting only differs from reading (%s | %s)\n", fmt, e.msg, ec.msg);
    abort();
  }
  for (int i = 0; i < g.n; i++)
    if (gc.w[i].count != g.w[i].count || strcmp(gc.w[i].example, g.w[i].example) != 0) abort();
  dataset_free(dc);
  dataset_free(d);
  return rc;
}
