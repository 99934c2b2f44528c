/* CVAT XML pieces without parser state: skeleton edges from a label's <svg>,
 * and <mask> runs as a COCO RLE. */
#include <stdlib.h>
#include <string.h>

#include "cvat.h"
#include "fields.h"
#include "pngmask.h"

/* The value of attribute key in the SVG tag text[0..n), or NULL; *len its length. */
static const char *svg_attr(const char *t, size_t n, const char *key, size_t *len) {
  size_t k = strlen(key);
  for (size_t i = 0; i + k + 2 < n; i++) {
    if ((i == 0 || t[i - 1] == ' ') && memcmp(t + i, key, k) == 0 && t[i + k] == '=' && t[i + k + 1] == '"') {
      const char *v = t + i + k + 2, *end = memchr(v, '"', n - (size_t)(v - t));
      if (!end) return NULL;
      *len = (size_t)(end - v);
      return v;
    }
  }
  return NULL;
}

/* A skeleton's edges from its <svg>: circles name their node (data-node-id,
 * data-label-name), lines join two nodes (data-node-from, data-node-to). Edges
 * become 0-based pairs of keypoint indices; unknown nodes are skipped. */
int cvat_svg_edges(const StrPool *sp, const char *svg, const StrId *names, uint32_t n, int32_t **out,
                   uint32_t *nout, Err *e) {
  *out = NULL;
  *nout = 0;
  size_t cap = 0;
  for (const char *p = svg; (p = strstr(p, "<line")) != NULL; p++) {
    const char *end = strchr(p, '>');
    if (!end) break;
    size_t la, lb;
    const char *a = svg_attr(p, (size_t)(end - p), "data-node-from", &la);
    const char *b = svg_attr(p, (size_t)(end - p), "data-node-to", &lb);
    if (!a || !b) continue;
    int32_t idx[2] = {-1, -1};
    for (int s = 0; s < 2; s++) {   /* node id -> its circle's label name -> keypoint index */
      const char *want = s ? b : a;
      size_t wl = s ? lb : la;
      for (const char *q = svg; (q = strstr(q, "<circle")) != NULL && idx[s] < 0; q++) {
        const char *qe = strchr(q, '>');
        if (!qe) break;
        size_t ln, lm;
        const char *id = svg_attr(q, (size_t)(qe - q), "data-node-id", &ln);
        const char *nm = svg_attr(q, (size_t)(qe - q), "data-label-name", &lm);
        if (!id || !nm || ln != wl || memcmp(id, want, wl) != 0) continue;
        for (uint32_t k = 0; k < n; k++) {
          const char *kn = strpool_get(sp, names[k]);
          if (strlen(kn) == lm && memcmp(kn, nm, lm) == 0) idx[s] = (int32_t)k;
        }
      }
    }
    if (idx[0] < 0 || idx[1] < 0) continue;
    if (*nout == cap) {
      cap = cap ? cap * 2 : 8;
      int32_t *grown = err_realloc(e, *out, cap, 2 * sizeof *grown);
      if (!grown) {
        free(*out);
        *out = NULL;
        *nout = 0;
        return -1;
      }
      *out = grown;
    }
    (*out)[2 * *nout] = idx[0];
    (*out)[2 * *nout + 1] = idx[1];
    (*nout)++;
  }
  return 0;
}

/* COCO runs being built: the closed runs, the current value and its run length. */
typedef struct Runs {
  uint32_t *v;
  size_t n, cap;
  int cur;
  uint64_t run;
} Runs;

/* Extends the current run when v continues it, else closes it and starts a new one. */
static int runs_emit(Runs *s, int v, uint64_t count, Err *e) {
  if (!count) return 0;
  if (v != s->cur) {
    if (s->n == s->cap) {
      size_t cap = s->cap ? s->cap * 2 : 64;
      uint32_t *nv = err_realloc(e, s->v, cap, sizeof *nv);
      if (!nv) return -1;
      s->v = nv;
      s->cap = cap;
    }
    s->v[s->n++] = (uint32_t)s->run;
    s->cur = v;
    s->run = 0;
  }
  s->run += count;
  return 0;
}

/* CVAT's mask: runs over the box left, top, width x height, row by row, from
 * 0s. The box is unpacked, then walked column by column over the whole image
 * (columns outside the box are one run of 0s each) into COCO's runs. */
int cvat_mask_rle(const char *s, const uint32_t box4[4], uint32_t W, uint32_t H, uint32_t **cnts, size_t *ncnts,
                  uint64_t *area_out, double bbox[4], Err *e) {
  *cnts = NULL;
  *ncnts = 0;
  uint32_t left = box4[0], top = box4[1], mw = box4[2], mh = box4[3];
  if ((uint64_t)left + mw > W || (uint64_t)top + mh > H)
    return err_set(e, "box [%u, %u, %u, %u] leaves the %ux%u image", left, top, mw, mh, W, H);
  if ((uint64_t)W * H > PNGMASK_MAX_PIXELS)
    return err_set(e, "on an image over %llu pixels", (unsigned long long)PNGMASK_MAX_PIXELS);
  uint64_t total = (uint64_t)mw * mh, pos = 0;
  uint8_t *box = err_calloc(e, total + 1, 1);
  if (!box) return -1;
  int one = 0, rc = 0;
  while (*s && rc == 0) {
    const char *end = s;
    while (*end && *end != ',') end++;
    int64_t run;
    if (field_integer(s, (size_t)(end - s), 0, INT32_MAX, &run) != 0)
      rc = err_set(e, "rle: expected comma-separated counts, got '%.20s'", s);
    else if (pos + (uint64_t)run > total)
      rc = err_set(e, "rle: runs pass the %ux%u mask box", mw, mh);
    else if (one)
      memset(box + pos, 1, (size_t)run);
    pos += rc == 0 ? (uint64_t)run : 0;
    one = !one;
    s = *end ? end + 1 : end;
  }
  if (rc == 0 && pos != total)
    rc = err_set(e, "rle: runs cover %llu pixels of the %ux%u box", (unsigned long long)pos, mw, mh);
  Runs out = {NULL, 0, 0, 0, 0};
  uint64_t area = 0;
  uint32_t x0 = UINT32_MAX, y0 = UINT32_MAX, x1 = 0, y1 = 0;
  for (uint32_t x = 0; rc == 0 && x < W; x++) {
    if (x < left || x >= left + mw) {
      rc = runs_emit(&out, 0, H, e);
      continue;
    }
    rc = runs_emit(&out, 0, top, e);
    for (uint32_t y = 0; rc == 0 && y < mh; y++) {
      int b = box[(size_t)y * mw + (x - left)];
      rc = runs_emit(&out, b, 1, e);
      if (b) {
        area++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (top + y < y0) y0 = top + y;
        if (top + y > y1) y1 = top + y;
      }
    }
    if (rc == 0) rc = runs_emit(&out, 0, H - top - mh, e);
  }
  if (rc == 0) rc = runs_emit(&out, !out.cur, 1, e);   /* pushes the last run */
  free(box);
  if (rc != 0) {
    free(out.v);
    return -1;
  }
  *cnts = out.v;
  *ncnts = out.n;
  *area_out = area;
  if (area) {
    bbox[0] = x0;
    bbox[1] = y0;
    bbox[2] = (double)x1 - x0 + 1;
    bbox[3] = (double)y1 - y0 + 1;
  }
  return 0;
}
