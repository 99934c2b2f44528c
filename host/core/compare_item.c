/* The passes over one gold item and its vendor counterpart: the similarity
 * matrix once, matching per class at the threshold, crowd regions, a
 * class-agnostic pass (wrong class), duplicates, low overlap, then what is left
 * (missing, extra) and the details of true positives (attributes, keypoint
 * visibility, text). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "geometry.h"

enum { FREE = 0, TP, IGNORED, WRONG, DUP, LOW };

#define GROW(w, field, capf, n, e) \
  cmp_reserve((void **)&(w)->field, &(w)->capf, (size_t)(n) + 1, sizeof *(w)->field, e)

/* Appends a conflict to the result. */
static int add_conflict(CmpWork *w, const CmpConflict *c, Err *e) {
  CmpResult *r = w->r;
  if (cmp_reserve((void **)&r->conf, &w->cap_conf, r->nconf + 1, sizeof *r->conf, e) != 0) return -1;
  r->conf[r->nconf++] = *c;
  return 0;
}

/* A conflict of kind on item with every other field empty. */
static CmpConflict conflict(uint8_t kind, uint32_t item) {
  CmpConflict c = {item, CMP_NONE, CMP_NONE, CMP_NONE, CMP_NONE, 0, CMP_NONE, CMP_NONE, kind, NAN, NAN, NAN};
  return c;
}

/* The counts of annotator who in class cls. */
static CmpStats *who_stats(CmpResult *r, uint32_t who, uint32_t cls) {
  return &r->who_stats[(size_t)who * r->nclass + cls];
}

/* The vendor annotator of annotation i, or the unattributed slot. */
static uint32_t who_of(const CmpResult *r, const Dataset *v, uint32_t i) {
  return v->annotator[i] >= 0 ? (uint32_t)v->annotator[i] : r->nwho - 1;
}

/* Counts one false positive of class c charged to who. */
static void count_fp(CmpResult *r, uint32_t c, uint32_t who) {
  r->stats[c].fp++;
  who_stats(r, who, c)->fp++;
}

/* Counts one miss of class c charged to who. */
static void count_fn(CmpResult *r, uint32_t c, uint32_t who) {
  r->stats[c].fn++;
  who_stats(r, who, c)->fn++;
}

/* Whether attribute ga of the gold and va of the vendor hold the same value. */
static int attr_equal(const Dataset *gd, const Attr *ga, const Dataset *vd, const Attr *va) {
  if (!ga || !va) return !ga && !va;
  if (ga->kind != va->kind) return 0;
  if (ga->kind == ATTR_STRING) return strcmp(strpool_get(&gd->str, ga->str), strpool_get(&vd->str, va->str)) == 0;
  return ga->num == va->num;
}

/* The attribute of annotation i named key (its index in the pool), or CMP_NONE. */
static uint32_t find_attr(const Dataset *d, uint32_t i, const char *key) {
  if (!d->a_n[i]) return CMP_NONE;   /* the pool may be NULL: no NULL + 0 */
  const Attr *a = d->attrs.v + d->a_off[i];
  for (uint32_t k = 0; k < d->a_n[i]; k++)
    if (strcmp(strpool_get(&d->str, a[k].key), key) == 0) return d->a_off[i] + k;
  return CMP_NONE;
}

/* Conflicts of one attribute key on a true positive. */
static int check_attr(CmpWork *w, const CmpConflict *base, uint32_t gi, uint32_t vi, const char *key, Err *e) {
  const Dataset *gd = w->g->d, *vd = w->v;
  if (strcmp(key, "annotator") == 0) return 0;   /* who made it, not what it is */
  uint32_t ga = find_attr(gd, gi, key), va = find_attr(vd, vi, key);
  if (attr_equal(gd, ga == CMP_NONE ? NULL : &gd->attrs.v[ga], vd, va == CMP_NONE ? NULL : &vd->attrs.v[va]))
    return 0;
  CmpConflict c = *base;
  c.kind = CMP_WRONG_ATTRIBUTE;
  c.ga = ga;
  c.va = va;
  return add_conflict(w, &c, e);
}

/* A true positive: counted, recorded, and its attributes, keypoint visibility
 * and text checked. */
static int true_positive(CmpWork *w, uint32_t item, uint32_t gi, uint32_t vi, uint32_t cls, double sim, Err *e) {
  CmpResult *r = w->r;
  const Dataset *gd = w->g->d, *vd = w->v;
  const CmpOpts *o = w->o;
  uint32_t who = who_of(r, vd, vi);
  CmpStats *s = &r->stats[cls], *ws = who_stats(r, who, cls);
  s->tp++;
  ws->tp++;
  s->sum_sim += sim;
  ws->sum_sim += sim;
  if (cmp_reserve((void **)&r->match, &w->cap_match, r->nmatch + 1, sizeof *r->match, e) != 0) return -1;
  r->match[r->nmatch++] = (CmpMatch){gi, vi, sim};
  CmpConflict base = conflict(0, item);
  base.g = gi;
  base.v = vi;
  base.gcls = base.vcls = cls;
  base.who = who;
  base.sim = sim;
  if (o->nattrs) {
    for (size_t k = 0; k < o->nattrs; k++)
      if (check_attr(w, &base, gi, vi, o->attrs[k], e) != 0) return -1;
  } else if (!o->no_attrs && gd->a_n[gi]) {
    const Attr *a = gd->attrs.v + gd->a_off[gi];
    for (uint32_t k = 0; k < gd->a_n[gi]; k++)
      if (check_attr(w, &base, gi, vi, strpool_get(&gd->str, a[k].key), e) != 0) return -1;
  }
  if (gd->type[gi] == ANN_KEYPOINTS && vd->type[vi] == ANN_KEYPOINTS && gd->g_n[gi] == vd->g_n[vi]) {
    const double *a = gd->coords.v + gd->g_off[gi], *b = vd->coords.v + vd->g_off[vi];
    uint32_t k = gd->g_n[gi] / 3, differ = 0;
    for (uint32_t j = 0; j < k; j++) differ += a[3 * j + 2] != b[3 * j + 2];
    if (differ) {
      CmpConflict c = base;
      c.kind = CMP_WRONG_VISIBILITY;
      c.x = differ;
      c.y = k;
      if (add_conflict(w, &c, e) != 0) return -1;
    }
  }
  if (gd->type[gi] == ANN_TEXT && vd->type[vi] == ANN_TEXT) {
    const char *ref = strpool_get(&gd->str, gd->text[gi]), *hyp = strpool_get(&vd->str, vd->text[vi]);
    size_t cd, cn, wd, wn;
    if (geom_edit_distance(ref, strlen(ref), hyp, strlen(hyp), 0, &cd, &cn, e) != 0 ||
        geom_edit_distance(ref, strlen(ref), hyp, strlen(hyp), 1, &wd, &wn, e) != 0)
      return -1;
    s->char_edits += cd;
    s->chars += cn;
    s->word_edits += wd;
    s->words += wn;
    ws->char_edits += cd;
    ws->chars += cn;
    ws->word_edits += wd;
    ws->words += wn;
    if (strcmp(ref, hyp) != 0) {
      CmpConflict c = base;
      c.kind = CMP_WRONG_TEXT;
      c.x = cn ? (double)cd / (double)cn : NAN;
      c.y = wn ? (double)wd / (double)wn : NAN;
      if (add_conflict(w, &c, e) != 0) return -1;
    }
  }
  return 0;
}

/* A pair's similarity as reported: IoU or OKS, or for Chamfer the distance. */
static double natural(int chamfer, double sim) {
  return chamfer ? 1 / sim - 1 : sim;
}

/* The area an object counts by in the size breakdown (COCO's rules): the
 * gold's `area` when its file gives one (gold != 0); else the pixels of its
 * mask (segm, semantic, polyline bands) or of its box. NaN when it has none. */
static double object_area(const CmpOpts *o, const Dataset *d, uint32_t i, const CmpShape *s, int gold) {
  if (gold && !isnan(d->area[i])) return d->area[i];
  if (s && (o->type == CMP_SEGM || o->type == CMP_SEMANTIC || (o->type == CMP_POLYLINE && !o->chamfer)))
    return s->area;
  double bb[4];
  if (s && !isnan(s->bb[0])) memcpy(bb, s->bb, sizeof bb);
  else cmp_ann_box(d, i, bb);
  return isnan(bb[0]) ? NAN : bb[2] * bb[3];
}

/* The similarity threshold of class cls: its --iou override, else the default. */
static double class_thr(const CmpWork *w, uint32_t cls) {
  const CmpGold *g = w->g;
  return g->cls_thr && cls < g->nclass ? g->cls_thr[cls] : cmp_sim_thr(w->o);
}

/* A gold item the vendor did not deliver: left out, or (count_missing) every
 * gold annotation of the compared shape missed. */
static int not_delivered(CmpWork *w, uint32_t k, Err *e) {
  const CmpGold *g = w->g;
  const Dataset *gd = g->d;
  CmpResult *r = w->r;
  r->gitem_state[k] = CMP_NOT_DELIVERED;
  for (uint32_t j = g->item_start[k]; j < g->item_start[k + 1]; j++) {
    uint32_t i = g->item_anns[j];
    if (!w->o->count_missing) {
      r->left_out[0][CMP_OUT_ITEM]++;
    } else if (gd->cat[i] < 0) {
      r->left_out[0][CMP_OUT_NO_CLASS]++;
    } else if (!cmp_shape_kind(gd, i, w->o->type)) {
      r->left_out[0][CMP_OUT_SHAPE]++;
      r->shape_by_type[0][gd->type[i]]++;
    } else if (gd->iscrowd[i]) {
      r->gold_crowd++;
    } else {
      uint32_t cls = g->cat_class[gd->cat[i]];
      CmpConflict c = conflict(CMP_MISSING, k);
      c.g = i;
      c.gcls = cls;
      c.who = r->nwho - 1;
      r->ngold[cls]++;
      r->garea[i] = object_area(w->o, gd, i, g->prepared[k] ? &g->shape[j] : NULL, 1);
      count_fn(r, cls, c.who);
      if (add_conflict(w, &c, e) != 0) return -1;
    }
  }
  return 0;
}

/* The annotator the item's missed objects are charged to: the one vendor
 * annotator of the item, else unattributed. */
static uint32_t item_who(const CmpWork *w, uint32_t v0, uint32_t v1) {
  const CmpResult *r = w->r;
  uint32_t who = CMP_NONE;
  for (uint32_t j = v0; j < v1; j++) {
    uint32_t a = who_of(r, w->v, w->vanns[j]);
    if (who == CMP_NONE) who = a;
    else if (a != who) return r->nwho - 1;
  }
  return who == CMP_NONE ? r->nwho - 1 : who;
}

/* One gold item and its vendor counterpart while they are scored: the
 * annotation ranges, the frame, the gold shapes (gsh; runs in gpool unless
 * resolved), and the comparable gold (w->gl[0..ng)) and vendor (w->vl[0..nv))
 * shapes. */
typedef struct ItemCtx {
  uint32_t k, g0, g1, v0, v1;
  const Item *gi, *vi;
  CmpFrame fr;
  const CmpShape *gsh;
  const uint32_t *gpool;
  uint32_t ng, nv;
  uint8_t *gcrowd;       /* per comparable gold shape: a crowd region */
} ItemCtx;

/* The gold shapes of the item: prepared once when its size is known, else here
 * in a frame taken with the vendor's size and shapes. */
static int item_gold_shapes(CmpWork *w, ItemCtx *c, Err *e) {
  const CmpGold *g = w->g;
  const Item *gi = c->gi, *vi = c->vi;
  c->fr = (CmpFrame){0, 0, (uint32_t)(gi->height > 0 ? gi->height : 0), (uint32_t)(gi->width > 0 ? gi->width : 0)};
  if (g->prepared[c->k]) {
    c->gsh = g->shape + c->g0;
    c->gpool = NULL;   /* the prepared gold's runs are resolved */
    return 0;
  }
  const int32_t sizes[4] = {gi->width, gi->height, vi->width, vi->height};
  const Dataset *ds[2] = {g->d, w->v};
  const uint32_t *anns[2] = {g->item_anns + c->g0, w->vanns + c->v0};
  const size_t n[2] = {c->g1 - c->g0, c->v1 - c->v0};
  cmp_frame(w->o, sizes, ds, anns, n, &c->fr);
  w->gpool.n = 0;
  if (GROW(w, gs, cap_gs, c->g1 - c->g0, e) != 0 || cmp_gold_item_shapes(g, c->k, &c->fr, w->gs, &w->gpool, e) != 0)
    return -1;
  c->gsh = w->gs;
  c->gpool = w->gpool.v;
  return 0;
}

/* Grows the scratch for the item's annotations. */
static int item_reserve(CmpWork *w, const ItemCtx *c, Err *e) {
  uint32_t nall = (c->g1 - c->g0) + (c->v1 - c->v0);
  if (GROW(w, vs, cap_vs, c->v1 - c->v0, e) != 0 || GROW(w, gl, cap_gl, nall, e) != 0 ||
      GROW(w, vl, cap_vl, nall, e) != 0 || GROW(w, gst, cap_gst, 2 * nall, e) != 0 ||
      GROW(w, vst, cap_vst, nall, e) != 0 || GROW(w, gpair, cap_gpair, nall, e) != 0 ||
      GROW(w, vpair, cap_vpair, nall, e) != 0 || GROW(w, d2g, cap_d2g, nall, e) != 0)
    return -1;
  return 0;
}

/* The comparable gold annotations into w->gl and the vendor's, shaped, into
 * w->vl; the rest counted as left out, with why. */
static int item_collect(CmpWork *w, ItemCtx *c, Err *e) {
  const CmpGold *g = w->g;
  const Dataset *gd = g->d, *vd = w->v;
  CmpResult *r = w->r;
  const CmpOpts *o = w->o;
  c->ng = c->nv = 0;
  for (uint32_t j = c->g0; j < c->g1; j++) {
    uint32_t i = g->item_anns[j];
    const CmpShape *s = &c->gsh[j - c->g0];
    if (gd->cat[i] < 0) {
      r->left_out[0][CMP_OUT_NO_CLASS]++;
    } else if (s->out) {
      r->left_out[0][s->out - 1]++;
      if (s->out - 1 == CMP_OUT_SHAPE) r->shape_by_type[0][gd->type[i]]++;
    } else {
      if (gd->iscrowd[i]) r->gold_crowd++;
      else r->ngold[s->cls]++;
      r->garea[i] = object_area(o, gd, i, s, 1);
      w->gl[c->ng++] = j - c->g0;
    }
  }
  w->vpool.n = 0;
  for (uint32_t j = c->v0; j < c->v1; j++) {
    uint32_t i = w->vanns[j];
    CmpShape *s = &w->vs[j - c->v0];
    s->out = 0;
    if (vd->cat[i] < 0) {
      r->left_out[1][CMP_OUT_NO_CLASS]++;
      continue;
    }
    if (vd->iscrowd[i]) {
      r->left_out[1][CMP_OUT_CROWD]++;
      continue;
    }
    if (cmp_shape(vd, i, o, &c->fr, &w->vpool, s, e) != 0) return -1;
    s->cls = r->vcat_class[vd->cat[i]];
    if (!s->out && o->type == CMP_KEYPOINTS && g->nsig && s->cls < g->nclass && g->sig[s->cls] &&
        s->n / 3 != g->nsig[s->cls])
      s->out = CMP_OUT_SIZE + 1;
    if (s->out) {
      r->left_out[1][s->out - 1]++;
      if (s->out - 1 == CMP_OUT_SHAPE) r->shape_by_type[1][vd->type[i]]++;
      continue;
    }
    r->varea[i] = object_area(o, vd, i, s, 0);
    w->vl[c->nv++] = j - c->v0;
  }
  return 0;
}

/* The similarity of every comparable vendor shape with every gold one, once,
 * into w->S (nv x ng); every shape starts free. */
static int item_similarity(CmpWork *w, ItemCtx *c, Err *e) {
  const CmpGold *g = w->g;
  const CmpOpts *o = w->o;
  uint32_t ng = c->ng, nv = c->nv;
  c->gcrowd = w->gst + ng;   /* the spare half of gst */
  for (uint32_t b = 0; b < ng; b++) {
    c->gcrowd[b] = g->d->iscrowd[g->item_anns[c->g0 + w->gl[b]]] != 0;
    w->gst[b] = FREE;
  }
  for (uint32_t a = 0; a < nv; a++) w->vst[a] = FREE;
  if (!ng || !nv) return 0;
  size_t cells = (size_t)nv * ng;
  if (cmp_reserve((void **)&w->S, &w->cap_s, cells, sizeof *w->S, e) != 0 ||
      cmp_reserve((void **)&w->M, &w->cap_m, cells, sizeof *w->M, e) != 0)
    return -1;
  for (uint32_t a = 0; a < nv; a++)
    for (uint32_t b = 0; b < ng; b++) {
      const CmpShape *gs = &c->gsh[w->gl[b]];
      const double *sig = o->type == CMP_KEYPOINTS && gs->cls < g->nclass ? g->sig[gs->cls] : NULL;
      w->S[(size_t)a * ng + b] = cmp_sim(o, &w->vs[w->vl[a]], w->vpool.v, gs, c->gpool, c->gcrowd[b], sig);
    }
  return 0;
}

/* Matches the free rows and columns of S allowed by same (the same class or
 * not) at thr into d2g. by_class: each pair also at its gold class's own
 * threshold (iou_by_class), thr then being the lowest of them. */
static int pass(CmpWork *w, const ItemCtx *c, int same, int by_class, double thr, Err *e) {
  uint32_t nv = c->nv, ng = c->ng;
  for (uint32_t a = 0; a < nv; a++) {
    uint32_t vc = w->vs[w->vl[a]].cls;
    for (uint32_t b = 0; b < ng; b++) {
      uint32_t gc = c->gsh[w->gl[b]].cls;
      double s = w->S[(size_t)a * ng + b];
      int ok = w->vst[a] == FREE && w->gst[b] == FREE && !c->gcrowd[b] && (gc == vc) == same &&
               (!by_class || s >= class_thr(w, gc));
      w->M[(size_t)a * ng + b] = ok ? s : NAN;
    }
  }
  return cmp_match(w->o, w->M, nv, ng, thr, w->d2g, &w->mw, e);
}

/* Marks each free vendor shape over a gold object already matched in its class
 * (at the class's threshold) as a duplicate of the most similar such object. */
static void duplicates(CmpWork *w, const ItemCtx *c) {
  uint32_t nv = c->nv, ng = c->ng;
  for (uint32_t a = 0; a < nv; a++) {
    if (w->vst[a] != FREE) continue;
    uint32_t vc = w->vs[w->vl[a]].cls;
    double best = -1, thr = class_thr(w, vc);
    for (uint32_t b = 0; b < ng; b++) {
      double s = w->S[(size_t)a * ng + b];
      if (w->gst[b] == TP && c->gsh[w->gl[b]].cls == vc && s >= thr && s > best) {
        best = s;
        w->vpair[a] = b;
      }
    }
    if (best >= 0) w->vst[a] = DUP;
  }
}

/* Marks the pairs d2g found as state st on both sides. */
static void take_pairs(CmpWork *w, const ItemCtx *c, uint8_t st) {
  for (uint32_t a = 0; a < c->nv; a++)
    if (w->d2g[a] >= 0) {
      uint32_t b = (uint32_t)w->d2g[a];
      w->vst[a] = st;
      w->gst[b] = st;
      w->vpair[a] = b;
    }
}

/* The passes, in order: (1) per class at the threshold: true positives; (2) a
 * vendor shape inside a gold crowd region of its class: ignored; (3) a
 * class-agnostic pass over the rest: wrong class; (4) over a gold object
 * already matched in its class: duplicate; (5) the same class below the
 * threshold: low overlap. Tags have no geometry to tell which object a
 * repeated label is about: for them a repeat is a duplicate before it is a
 * wrong class. */
static int item_passes(CmpWork *w, const ItemCtx *c, Err *e) {
  if (!c->ng || !c->nv) return 0;
  const CmpOpts *o = w->o;
  int by_class = w->g->cls_thr != NULL;
  double thr = by_class ? w->g->thr_min : cmp_sim_thr(o), low = cmp_sim_low(o);
  uint32_t ng = c->ng;
  if (pass(w, c, 1, by_class, thr, e) != 0) return -1;
  take_pairs(w, c, TP);
  for (uint32_t a = 0; a < c->nv; a++) {
    uint32_t vc = w->vs[w->vl[a]].cls;
    for (uint32_t b = 0; b < ng && w->vst[a] == FREE; b++)
      if (c->gcrowd[b] && c->gsh[w->gl[b]].cls == vc && w->S[(size_t)a * ng + b] >= class_thr(w, vc))
        w->vst[a] = IGNORED;
  }
  int tags = o->type == CMP_TAG;
  if (tags) duplicates(w, c);
  if (pass(w, c, 0, by_class, thr, e) != 0) return -1;
  take_pairs(w, c, WRONG);
  if (!tags) duplicates(w, c);
  if (pass(w, c, 1, 0, low, e) != 0) return -1;
  take_pairs(w, c, LOW);
  return 0;
}

/* What each vendor annotation became, in vendor order, then the missed gold:
 * counted and recorded. */
static int item_record(CmpWork *w, const ItemCtx *c, uint32_t miss_who, Err *e) {
  const CmpGold *g = w->g;
  const Dataset *vd = w->v;
  CmpResult *r = w->r;
  uint32_t ng = c->ng, k = c->k;
  int chamfer = w->o->type == CMP_POLYLINE && w->o->chamfer;
  for (uint32_t a = 0; a < c->nv; a++) {
    uint32_t vi = w->vanns[c->v0 + w->vl[a]], vc = w->vs[w->vl[a]].cls, who = who_of(r, vd, vi);
    uint32_t b = w->vpair[a], gi = w->vst[a] == FREE || w->vst[a] == IGNORED ? CMP_NONE : g->item_anns[c->g0 + w->gl[b]];
    double s = gi == CMP_NONE ? NAN : natural(chamfer, w->S[(size_t)a * ng + b]);
    if (w->vst[a] == IGNORED) {
      r->stats[vc].ignored++;
      who_stats(r, who, vc)->ignored++;
      continue;
    }
    r->nvendor[vc]++;
    if (w->vst[a] == TP) {
      if (true_positive(w, k, gi, vi, vc, s, e) != 0) return -1;
      continue;
    }
    static const uint8_t kinds[] = {CMP_EXTRA, 0, 0, CMP_WRONG_CLASS, CMP_DUPLICATE, CMP_LOW_OVERLAP};
    CmpConflict cf = conflict(kinds[w->vst[a]], k);
    cf.v = vi;
    cf.vcls = vc;
    cf.who = who;
    cf.g = gi;
    cf.gcls = gi == CMP_NONE ? CMP_NONE : c->gsh[w->gl[b]].cls;
    cf.sim = s;
    count_fp(r, vc, who);
    if (w->vst[a] == WRONG || w->vst[a] == LOW) count_fn(r, cf.gcls, who);
    if (add_conflict(w, &cf, e) != 0) return -1;
  }
  for (uint32_t b = 0; b < ng; b++) {
    if (w->gst[b] != FREE || c->gcrowd[b]) continue;
    CmpConflict cf = conflict(CMP_MISSING, k);
    cf.g = g->item_anns[c->g0 + w->gl[b]];
    cf.gcls = c->gsh[w->gl[b]].cls;
    cf.who = miss_who;
    count_fn(r, cf.gcls, miss_who);
    if (add_conflict(w, &cf, e) != 0) return -1;
  }
  return 0;
}

/* Gold item k against its vendor item: left out when not delivered or of
 * another size; else the shapes, the similarity matrix once, the passes and
 * what each vendor and gold annotation became. Semantic items are counted
 * pixel by pixel instead (compare_semantic.c). */
int cmp_item_run(CmpWork *w, uint32_t k, Err *e) {
  const CmpGold *g = w->g;
  CmpResult *r = w->r;
  const CmpOpts *o = w->o;
  static const Item no_item;
  ItemCtx c = {0};
  c.k = k;
  c.g0 = g->item_start[k];
  c.g1 = g->item_start[k + 1];
  uint32_t vk = r->gitem_vendor[k];
  int missing = vk == CMP_NONE;   /* semantic with count_missing: scored against no masks */
  if (missing && !(o->type == CMP_SEMANTIC && o->count_missing)) return not_delivered(w, k, e);
  c.v0 = missing ? 0 : w->vstart[vk];
  c.v1 = missing ? 0 : w->vstart[vk + 1];
  c.gi = &g->d->items[k];
  c.vi = missing ? &no_item : &w->v->items[vk];
  if (c.gi->width > 0 && c.gi->height > 0 && c.vi->width > 0 && c.vi->height > 0 &&
      (c.gi->width != c.vi->width || c.gi->height != c.vi->height)) {
    r->gitem_state[k] = CMP_SIZE_DIFFERS;
    r->left_out[0][CMP_OUT_ITEM] += c.g1 - c.g0;
    r->left_out[1][CMP_OUT_ITEM] += c.v1 - c.v0;
    return 0;
  }
  r->gitem_state[k] = missing ? CMP_NOT_DELIVERED : CMP_COMPARED;
  if (item_gold_shapes(w, &c, e) != 0 || item_reserve(w, &c, e) != 0 || item_collect(w, &c, e) != 0) return -1;
  uint32_t miss_who = item_who(w, c.v0, c.v1);
  if (o->type == CMP_SEMANTIC) {   /* pixels, when a size is known (from the item or its masks) */
    if (!c.ng && !c.nv && !(c.gi->width > 0 && c.gi->height > 0) && !(c.vi->width > 0 && c.vi->height > 0))
      return 0;
    return cmp_sem_item(w, k, &c.fr, c.gsh, c.gpool, c.g0, c.ng, c.v0, c.nv, miss_who, e);
  }
  if (item_similarity(w, &c, e) != 0 || item_passes(w, &c, e) != 0) return -1;
  return item_record(w, &c, miss_who, e);
}
