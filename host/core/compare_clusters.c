/* Reliability data from several annotators' shapes on the same items: the shapes
 * clustered per item by one-to-one matching across annotators, and Krippendorff's
 * alpha with distance 1 - similarity over the clusters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "geometry.h"

/* Keypoint sigmas of annotation i: the caller's for its class name, COCO's for
 * 17 keypoints, else NULL. */
static const double *sigmas_of(const Dataset *d, const CmpOpts *o, uint32_t i, uint32_t k) {
  const char *name = d->cat[i] >= 0 ? strpool_get(&d->str, d->cats[d->cat[i]].name) : "";
  for (size_t s = 0; s < o->nsigmas; s++)
    if (strcmp(o->sigmas[s].cls, name) == 0) return o->sigmas[s].n == k ? o->sigmas[s].s : NULL;
  return k == 17 ? geom_coco_sigmas : NULL;
}

/* Item k's frame from its size, else from the extent of its shapes. */
static void item_frame(const Dataset *d, const CmpOpts *o, uint32_t k, const uint32_t *anns, size_t n,
                       CmpFrame *fr) {
  const int32_t sizes[4] = {d->items[k].width, d->items[k].height, 0, 0};
  const Dataset *ds[2] = {d, d};
  const uint32_t *a[2] = {anns, anns};
  const size_t nn[2] = {n, 0};
  cmp_frame(o, sizes, ds, a, nn, fr);
}

/* Prepares the shape of annotation i into s (runs into pool); returns the reason
 * it is left out (CMP_OUT_*) + 1, 0 when comparable, -1 on allocation failure. */
static int agree_shape(const Dataset *d, const CmpOpts *o, uint32_t i, const CmpFrame *fr, CmpPool *pool,
                       CmpShape *s, Err *e) {
  if (d->cat[i] < 0) return CMP_OUT_NO_CLASS + 1;
  if (d->iscrowd[i]) return CMP_OUT_CROWD + 1;
  if (cmp_shape(d, i, o, fr, pool, s, e) != 0) return -1;
  if (!s->out && o->type == CMP_KEYPOINTS && !sigmas_of(d, o, i, s->n / 3)) s->out = CMP_OUT_SIZE + 1;
  return s->out;
}

void cmp_clusters_free(CmpClusters *c) {
  free(c->cluster);
  free(c->item);
  memset(c, 0, sizeof *c);
}

/* qsort order of uint32_t. */
static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return a < b ? -1 : a > b;
}

/* Per item: shapes prepared in the item's frame, annotators sorted, and each
 * annotator's shapes matched to the clusters so far by the mean similarity
 * with their members; a cluster's members are a list through next[]. */
int cmp_cluster(const Dataset *d, const CmpOpts *o, CmpClusters *out, Err *e) {
  memset(out, 0, sizeof *out);
  uint32_t *start = NULL, *anns = NULL, *who = NULL, *head = NULL, *next = NULL, *rows = NULL;
  CmpShape *sh = NULL;
  double *sim = NULL;
  int32_t *d2g = NULL;
  CmpPool pool = {0};
  MatchWork mw = {0};
  size_t cap_sim = 0;
  int rc = -1;
  out->cluster = err_malloc(e, ((size_t)d->nann + 1) * sizeof *out->cluster);
  out->item = err_malloc(e, ((size_t)d->nann + 1) * sizeof *out->item);
  sh = err_malloc(e, ((size_t)d->nann + 1) * sizeof *sh);
  who = err_malloc(e, ((size_t)d->nann + 1) * sizeof *who);
  head = err_malloc(e, ((size_t)d->nann + 1) * sizeof *head);
  next = err_malloc(e, ((size_t)d->nann + 1) * sizeof *next);
  rows = err_malloc(e, ((size_t)d->nann + 1) * sizeof *rows);
  d2g = err_malloc(e, ((size_t)d->nann + 1) * sizeof *d2g);
  if (!out->cluster || !out->item || !sh || !who || !head || !next || !rows || !d2g ||
      cmp_group_by_item(d, &start, &anns, e) != 0)
    goto done;
  double thr = cmp_sim_thr(o);
  for (uint32_t i = 0; i < d->nann; i++) out->cluster[i] = CMP_NONE;
  for (uint32_t k = 0; k < d->nitems; k++) {
    uint32_t a0 = start[k], n = start[k + 1] - a0, nw = 0;
    const uint32_t *ia = anns + a0;
    CmpFrame fr;
    item_frame(d, o, k, ia, n, &fr);
    pool.n = 0;
    for (uint32_t j = 0; j < n; j++) {
      uint32_t i = ia[j];
      int why = agree_shape(d, o, i, &fr, &pool, &sh[j], e);
      if (why < 0) goto done;
      if (why > 0) {
        out->left_out[why - 1]++;
        sh[j].out = 1;
      } else if (d->annotator[i] < 0) {
        out->no_annotator++;
        sh[j].out = 1;
      } else {
        who[nw++] = (uint32_t)d->annotator[i];
      }
    }
    qsort(who, nw, sizeof *who, cmp_u32);
    uint32_t first = out->nclusters;   /* the item's clusters are first .. nclusters-1 */
    for (uint32_t w = 0; w < nw; w++) {
      if (w && who[w] == who[w - 1]) continue;
      uint32_t nr = 0, nc = out->nclusters - first;
      for (uint32_t j = 0; j < n; j++)
        if (!sh[j].out && (uint32_t)d->annotator[ia[j]] == who[w]) rows[nr++] = j;
      if (cmp_reserve((void **)&sim, &cap_sim, (size_t)nr * nc + 1, sizeof *sim, e) != 0) goto done;
      for (uint32_t r = 0; r < nr; r++)
        for (uint32_t c = 0; c < nc; c++) {
          double sum = 0;
          uint32_t m = 0;
          for (uint32_t j = head[first + c]; j != CMP_NONE; j = next[j], m++) {
            const double *sig = o->type == CMP_KEYPOINTS ? sigmas_of(d, o, ia[j], sh[j].n / 3) : NULL;
            double s = cmp_sim(o, &sh[rows[r]], pool.v, &sh[j], pool.v, 0, sig);
            sum += isnan(s) ? 0 : s;
          }
          sim[(size_t)r * nc + c] = m ? sum / m : 0;
        }
      if (cmp_match(o, sim, nr, nc, thr, d2g, &mw, e) != 0) goto done;
      for (uint32_t r = 0; r < nr; r++) {
        uint32_t j = rows[r], c;
        if (d2g[r] >= 0) {
          c = first + (uint32_t)d2g[r];
        } else {
          c = out->nclusters++;
          out->item[c] = k;
          head[c] = CMP_NONE;
        }
        next[j] = head[c];
        head[c] = j;
        out->cluster[ia[j]] = c;
      }
    }
  }
  rc = 0;
done:
  free(start);
  free(anns);
  free(sh);
  free(who);
  free(head);
  free(next);
  free(rows);
  free(sim);
  free(d2g);
  free(pool.v);
  match_work_free(&mw);
  if (rc != 0) cmp_clusters_free(out);
  return rc;
}

/* Appends a run of len pixels of value v (0 or 1) to the runs at out + start
 * (a growing pool whose last run holds value *last), merging it with the last
 * run when they hold the same value. */
static int run_put(CmpPool *out, size_t start, uint32_t v, uint64_t len, uint32_t *last, Err *e) {
  if (!len) return 0;
  if (out->n > start && *last == v) {
    out->v[out->n - 1] += (uint32_t)len;
    return 0;
  }
  if (out->n == start && v == 1) {   /* runs start with 0s */
    if (cmp_reserve((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v, e) != 0) return -1;
    out->v[out->n++] = 0;
  }
  if (cmp_reserve((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v, e) != 0) return -1;
  out->v[out->n++] = (uint32_t)len;
  *last = v;
  return 0;
}

/* Places the h x w mask r with its top-left corner at column dx, row dy of an
 * H x W frame (zeros around it), appending the new runs to out. */
static int mask_place(const Rle *r, uint32_t dx, uint32_t dy, uint32_t H, uint32_t W, CmpPool *out, Err *e) {
  size_t start = out->n, j = 0;
  uint32_t last = 0, val = 0;
  uint64_t rem = r->m ? r->cnts[0] : 0;
  if (run_put(out, start, 0, (uint64_t)dx * H, &last, e) != 0) return -1;
  for (uint32_t x = 0; x < r->w; x++) {
    if (run_put(out, start, 0, dy, &last, e) != 0) return -1;
    for (uint64_t need = r->h; need > 0;) {
      while (rem == 0 && j + 1 < r->m) {
        rem = r->cnts[++j];
        val = (uint32_t)(j % 2);
      }
      if (rem == 0) break;   /* rle_check holds: the runs cover h * w */
      uint64_t take = rem < need ? rem : need;
      if (run_put(out, start, val, take, &last, e) != 0) return -1;
      rem -= take;
      need -= take;
    }
    if (run_put(out, start, 0, (uint64_t)H - dy - r->h, &last, e) != 0) return -1;
  }
  return run_put(out, start, 0, (uint64_t)(W - dx - r->w) * H, &last, e);
}

/* When the n masks of sh (runs in pool; frame offsets ox, oy) are not all in
 * the same frame (items of different sizes, or polyline bands framed by their
 * extent), places each in the one frame that holds them all, zeros around, at
 * its offset: the IoU of two masks from different items is then that of their
 * pixel sets in image coordinates, as boxes are compared, and within one item
 * it is unchanged. The new runs go to *out, which the shapes then use. */
static int common_frame(CmpShape *sh, const uint32_t *pool, const double *ox, const double *oy, uint64_t n,
                        CmpPool *out, int *moved, Err *e) {
  *moved = 0;
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  int same = 1;
  for (uint64_t a = 0; a < n; a++) {
    same &= sh[a].h == sh[0].h && sh[a].w == sh[0].w && ox[a] == ox[0] && oy[a] == oy[0];
    x0 = fmin(x0, ox[a]);
    y0 = fmin(y0, oy[a]);
    x1 = fmax(x1, ox[a] + sh[a].w);
    y1 = fmax(y1, oy[a] + sh[a].h);
  }
  if (same) return 0;
  if ((x1 - x0) * (y1 - y0) > (double)RLE_MAX_PIXELS)
    return err_set(e, "alpha with 1 - IoU: the items' masks span %.0f x %.0f pixels together, too many to compare",
                   x1 - x0, y1 - y0);
  uint32_t W = (uint32_t)(x1 - x0), H = (uint32_t)(y1 - y0);
  size_t *off = err_malloc(e, (size_t)(n + 1) * sizeof *off);
  if (!off) return -1;
  for (uint64_t a = 0; a < n; a++) {
    Rle r = {sh[a].h, sh[a].w, sh[a].m, (uint32_t *)(sh[a].cnts ? sh[a].cnts : pool + sh[a].off)};
    off[a] = out->n;
    if (mask_place(&r, (uint32_t)(ox[a] - x0), (uint32_t)(oy[a] - y0), H, W, out, e) != 0) {
      free(off);
      return -1;
    }
  }
  for (uint64_t a = 0; a < n; a++) {
    CmpShape *s = &sh[a];
    s->m = (a + 1 < n ? off[a + 1] : out->n) - off[a];
    s->cnts = out->v + off[a];
    s->pooled = 0;
    s->h = H;
    s->w = W;
    Rle r = {H, W, s->m, (uint32_t *)s->cnts};
    rle_to_bbox(&r, s->bb);
  }
  free(off);
  *moved = 1;
  return 0;
}

/* Do and De of the coincidence formulation with d = 1 - similarity, every
 * shape its own value: within-unit pairs weighted 1 / (m_u - 1), all pairs of
 * pairable values for chance. Masks from items of different sizes are compared
 * in one frame (common_frame). */
int cmp_alpha(const Dataset *d, const CmpOpts *o, const CmpClusters *c, CmpAlpha *out, Err *e) {
  memset(out, 0, sizeof *out);
  uint32_t *size = err_calloc(e, (size_t)c->nclusters + 1, sizeof *size);
  uint32_t *val = err_malloc(e, ((size_t)d->nann + 1) * sizeof *val);   /* annotation of each value */
  CmpShape *sh = err_malloc(e, ((size_t)d->nann + 1) * sizeof *sh);
  const double **sig = err_calloc(e, (size_t)d->nann + 1, sizeof *sig);
  double *ox = err_malloc(e, ((size_t)d->nann + 1) * 2 * sizeof *ox), *oy = ox ? ox + d->nann + 1 : NULL;
  uint32_t *start = NULL, *anns = NULL;
  CmpPool pool = {0}, placed = {0};
  int rc = -1;
  if (!size || !val || !sh || !sig || !ox) goto done;
  for (uint32_t i = 0; i < d->nann; i++)
    if (c->cluster[i] != CMP_NONE) size[c->cluster[i]]++;
  /* values in pairable units, item by item; shapes prepared in their item's frame */
  uint64_t n = 0;
  uint32_t units = 0;
  for (uint32_t u = 0; u < c->nclusters; u++) units += size[u] >= 2;
  if (cmp_group_by_item(d, &start, &anns, e) != 0) goto done;
  for (uint32_t k = 0; k < d->nitems; k++) {
    CmpFrame fr;
    item_frame(d, o, k, anns + start[k], start[k + 1] - start[k], &fr);
    for (uint32_t j = start[k]; j < start[k + 1]; j++) {
      uint32_t i = anns[j], u = c->cluster[i];
      if (u == CMP_NONE || size[u] < 2) continue;
      val[n] = i;
      if (agree_shape(d, o, i, &fr, &pool, &sh[n], e) < 0) goto done;
      sh[n].cls = u;
      sig[n] = o->type == CMP_KEYPOINTS ? sigmas_of(d, o, i, sh[n].n / 3) : NULL;
      ox[n] = fr.ox;
      oy[n] = fr.oy;
      n++;
    }
  }
  out->units = units;
  out->pairable = n;
  if (n < 2 || units < 2) {
    snprintf(out->why, sizeof out->why, n < 2 ? "no item has the same object from two annotators"
             : "one unit: chance disagreement cannot be estimated from a single unit");
    rc = 0;
    goto done;
  }
  const uint32_t *runs = pool.v;
  if (cmp_type_rasterises(o)) {
    int moved;
    if (common_frame(sh, pool.v, ox, oy, n, &placed, &moved, e) != 0) goto done;
    if (moved) runs = placed.v;
  }
  int symmetric = o->type != CMP_KEYPOINTS;
  double within = 0, all = 0;
  for (uint64_t a = 0; a < n; a++)
    for (uint64_t b = symmetric ? a + 1 : 0; b < n; b++) {
      if (a == b) continue;
      double s = cmp_sim(o, &sh[a], runs, &sh[b], runs, 0, sig[b]);
      if (isnan(s)) {
        char wa[300], wb[300];
        dataset_source(d, val[a], wa, sizeof wa);
        dataset_source(d, val[b], wb, sizeof wb);
        err_set(e, "alpha with 1 - IoU: %s and %s cannot be compared", wa, wb);
        goto done;
      }
      double dist = (1 - s) * (symmetric ? 2 : 1);
      all += dist;
      if (sh[a].cls == sh[b].cls) within += dist / (size[sh[a].cls] - 1);
    }
  out->d_o = within / (double)n;
  out->d_e = all / ((double)n * (double)(n - 1));
  if (!(out->d_e > 0)) {
    snprintf(out->why, sizeof out->why, "no expected disagreement: every pair of shapes is identical");
  } else {
    out->defined = 1;
    out->value = 1 - out->d_o / out->d_e;
  }
  rc = 0;
done:
  free(start);
  free(anns);
  free(size);
  free(val);
  free(sh);
  free(sig);
  free(ox);
  free(pool.v);
  free(placed.v);
  return rc;
}
