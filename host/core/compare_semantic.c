/* Semantic comparison of one item: the gold's and the vendor's masks painted
 * into a label image each (a class, or none, per pixel), then counted pixel by
 * pixel per class (intersection, gold and vendor pixels) and into the pixel
 * confusion matrix; the per-class totals pooled over items give the standard
 * semantic-segmentation IoU (intersection and union summed over images). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"

#define GROW(w, field, capf, n, e) \
  cmp_reserve((void **)&(w)->field, &(w)->capf, (size_t)(n) + 1, sizeof *(w)->field, e)

/* The vendor annotator of annotation i, or the unattributed slot. */
static uint32_t who_of(const CmpResult *r, const Dataset *v, uint32_t i) {
  return v->annotator[i] >= 0 ? (uint32_t)v->annotator[i] : r->nwho - 1;
}

/* Paints value v over the 1-runs of mask m into lab (column-major, as the
 * runs); a pixel already holding another non-zero value that is not same(v)
 * counts as an overlap. Later masks win. */
static uint64_t paint(const Rle *m, uint32_t *lab, uint32_t v, const uint32_t *cls_of, uint32_t cls) {
  uint64_t pos = 0, overlap = 0;
  for (size_t j = 0; j < m->m; j++) {
    uint64_t end = pos + m->cnts[j];
    if (j % 2)
      for (uint64_t p = pos; p < end; p++) {
        uint32_t old = lab[p];
        if (old && (cls_of ? cls_of[old - 1] : old - 1) != cls) overlap++;
        lab[p] = v;
      }
    pos = end;
  }
  return overlap;
}

/* Counts one conflict of kind on item k for class c (see CmpResult). */
static int sem_conflict(CmpWork *w, uint32_t k, uint8_t kind, uint32_t c, uint32_t who, double iou,
                        uint64_t gpx, uint64_t vpx, Err *e) {
  CmpResult *r = w->r;
  if (cmp_reserve((void **)&r->conf, &w->cap_conf, r->nconf + 1, sizeof *r->conf, e) != 0) return -1;
  CmpConflict cf = {k, CMP_NONE, CMP_NONE, kind == CMP_EXTRA ? CMP_NONE : c, kind == CMP_MISSING ? CMP_NONE : c,
                    who, CMP_NONE, CMP_NONE, kind, iou, (double)gpx, (double)vpx};
  r->conf[r->nconf++] = cf;
  return 0;
}

/* Paints the gold shapes gsh[gl[b]] (runs in gpool when not resolved; crowd
 * regions into a mask of pixels left out) and the vendor shapes vs[vl[a]] of
 * gold item k in frame fr, then counts every pixel outside the crowd regions:
 * the confusion cell of its two classes, per class the intersection and each
 * side's pixels, per vendor annotator its true and false positive pixels and
 * the misses under its masks (the rest of the misses go to miss_who). Classes
 * whose IoU on the item is below the threshold are conflicts: missing (the
 * vendor has none of it), extra (the gold has none) or low_overlap. */
int cmp_sem_item(CmpWork *w, uint32_t k, const CmpFrame *fr, const CmpShape *gsh, const uint32_t *gpool,
                 uint32_t g0, uint32_t ng, uint32_t v0, uint32_t nv, uint32_t miss_who, Err *e) {
  const CmpGold *g = w->g;
  const Dataset *gd = g->d, *vd = w->v;
  CmpResult *r = w->r;
  const uint32_t nc = r->nclass, nw = r->nwho;
  const size_t npx = (size_t)fr->h * fr->w;
  if (GROW(w, sem_lab, cap_sem_lab, 2 * npx, e) != 0 || GROW(w, sem_crowd, cap_sem_crowd, npx, e) != 0 ||
      GROW(w, sem_cnt, cap_sem_cnt, 3 * (size_t)nc, e) != 0 || GROW(w, sem_who, cap_sem_who, nc + nv, e) != 0)
    return -1;
  uint32_t *glab = w->sem_lab, *vlab = w->sem_lab + npx, *vcls = w->sem_who + nc;
  uint8_t *crowd = w->sem_crowd;
  uint64_t *I = w->sem_cnt, *G = I + nc, *P = G + nc;
  memset(w->sem_lab, 0, 2 * npx * sizeof *glab);
  memset(crowd, 0, npx);
  memset(I, 0, 3 * (size_t)nc * sizeof *I);
  for (uint32_t b = 0; b < ng; b++) {
    const CmpShape *s = &gsh[w->gl[b]];
    Rle m = {s->h, s->w, s->m, (uint32_t *)(s->cnts ? s->cnts : gpool + s->off)};
    if (gd->iscrowd[g->item_anns[g0 + w->gl[b]]]) {
      uint64_t pos = 0;
      for (size_t j = 0; j < m.m; pos += m.cnts[j], j++)
        if (j % 2) memset(crowd + pos, 1, m.cnts[j]);
    } else {
      r->px_overlap[0] += paint(&m, glab, s->cls + 1, NULL, s->cls);
    }
  }
  /* vendor pixels hold the shape (a + 1), its class in vcls; the annotator of
   * each class on the item (one, or unattributed) in sem_who */
  uint32_t *cls_who = w->sem_who;
  for (uint32_t c = 0; c < nc; c++) cls_who[c] = CMP_NONE;
  for (uint32_t a = 0; a < nv; a++) {
    const CmpShape *s = &w->vs[w->vl[a]];
    Rle m = {s->h, s->w, s->m, (uint32_t *)(s->cnts ? s->cnts : w->vpool.v + s->off)};
    uint32_t who = who_of(r, vd, w->vanns[v0 + w->vl[a]]);
    vcls[a] = s->cls;
    cls_who[s->cls] = cls_who[s->cls] == CMP_NONE || cls_who[s->cls] == who ? who : nw - 1;
    r->px_overlap[1] += paint(&m, vlab, a + 1, vcls, s->cls);
  }
  int attribute = vd->nannotators > 0;   /* else everything is the unattributed slot's */
  for (size_t p = 0; p < npx; p++) {
    if (crowd[p]) {
      r->px_ignored++;
      continue;
    }
    uint32_t gc = glab[p], va = vlab[p], vc = va ? vcls[va - 1] + 1 : 0;
    r->px_conf[(size_t)gc * (nc + 1) + vc]++;
    if (gc) G[gc - 1]++;
    if (vc) P[vc - 1]++;
    if (gc && gc == vc) I[gc - 1]++;
    if (!attribute) continue;
    uint32_t who = va ? who_of(r, vd, w->vanns[v0 + w->vl[va - 1]]) : miss_who;
    if (gc && gc == vc) {
      r->who_stats[(size_t)who * nc + gc - 1].tp++;
      continue;
    }
    if (vc) r->who_stats[(size_t)who * nc + vc - 1].fp++;
    if (gc) r->who_stats[(size_t)who * nc + gc - 1].fn++;
  }
  double thr = cmp_sim_thr(w->o);
  for (uint32_t c = 0; c < nc; c++) {
    if (!G[c] && !P[c]) continue;
    CmpStats *st = &r->stats[c];
    st->tp += I[c];
    st->fp += P[c] - I[c];
    st->fn += G[c] - I[c];
    if (!attribute) {
      CmpStats *ws = &r->who_stats[(size_t)(nw - 1) * nc + c];
      ws->tp += I[c];
      ws->fp += P[c] - I[c];
      ws->fn += G[c] - I[c];
    }
    double iou = (double)I[c] / (double)(G[c] + P[c] - I[c]);
    if (iou >= thr) continue;
    uint8_t kind = !P[c] ? CMP_MISSING : !G[c] ? CMP_EXTRA : CMP_LOW_OVERLAP;
    uint32_t who = kind == CMP_MISSING ? miss_who : cls_who[c];
    if (sem_conflict(w, k, kind, c, who, iou, G[c], P[c], e) != 0) return -1;
  }
  return 0;
}
