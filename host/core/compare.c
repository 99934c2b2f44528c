/* Scoring a vendor against the gold panel: the gold prepared once (classes,
 * items by name, shapes), then per vendor the pairing of items and classes and,
 * per item, the matching passes that give true positives and conflicts. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "geometry.h"
#include "match.h"
#include "parallel.h"

static const char *const kind_names[CMP_NKINDS] = {
  "missing", "extra", "wrong_class", "low_overlap", "duplicate", "wrong_attribute",
  "wrong_keypoint_visibility", "wrong_text",
};

const char *cmp_kind_name(CmpKind k) {
  return k < CMP_NKINDS ? kind_names[k] : "unknown";
}

/* ---- names -> indices (open addressing over borrowed strings) ---- */

static uint32_t name_hash(const char *s) {
  uint32_t h = 2166136261u;   /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* An empty map with room for n names. */
static int nm_init(NameMap *m, size_t n, Err *e) {
  m->cap = 16;
  while (m->cap < 2 * n + 2) m->cap *= 2;
  m->key = err_calloc(e, m->cap, sizeof *m->key);
  m->val = err_malloc(e, m->cap * sizeof *m->val);
  return m->key && m->val ? 0 : -1;
}

static void nm_free(NameMap *m) {
  free(m->key);
  free(m->val);
  memset(m, 0, sizeof *m);
}

/* The slot of k: where it is, or the empty slot it would go in. */
static size_t nm_slot(const NameMap *m, const char *k) {
  size_t h = name_hash(k) & (m->cap - 1);
  while (m->key[h] && strcmp(m->key[h], k) != 0) h = (h + 1) & (m->cap - 1);
  return h;
}

/* The value of k, or CMP_NONE. */
static uint32_t nm_get(const NameMap *m, const char *k) {
  if (!m->cap) return CMP_NONE;
  size_t h = nm_slot(m, k);
  return m->key[h] ? m->val[h] : CMP_NONE;
}

/* Sets k to v when absent; when present, to CMP_AMBIG if ambig is set (a second
 * item with the same basename), else leaves it. The map was sized for every key. */
static void nm_put(NameMap *m, const char *k, uint32_t v, int ambig) {
  size_t h = nm_slot(m, k);
  if (!m->key[h]) {
    m->key[h] = k;
    m->val[h] = v;
  } else if (ambig && m->val[h] != v) {
    m->val[h] = CMP_AMBIG;
  }
}

/* The part of a path after its last / or \\. */
static const char *base_name(const char *s) {
  const char *b = s;
  for (; *s; s++)
    if (*s == '/' || *s == '\\') b = s + 1;
  return b;
}

/* ---- the gold panel ---- */

int cmp_group_by_item(const Dataset *d, uint32_t **start, uint32_t **anns, Err *e) {
  *start = err_calloc(e, (size_t)d->nitems + 2, sizeof **start);
  *anns = err_malloc(e, ((size_t)d->nann + 1) * sizeof **anns);
  uint32_t *fill = err_malloc(e, ((size_t)d->nitems + 1) * sizeof *fill);
  if (!*start || !*anns || !fill) {
    free(fill);
    return -1;
  }
  for (uint32_t i = 0; i < d->nann; i++) (*start)[d->item[i] + 1]++;
  for (uint32_t k = 0; k < d->nitems; k++) (*start)[k + 1] += (*start)[k];
  memcpy(fill, *start, (size_t)d->nitems * sizeof *fill);
  for (uint32_t i = 0; i < d->nann; i++) (*anns)[fill[d->item[i]]++] = i;
  free(fill);
  return 0;
}

/* The keypoint sigmas of each gold class that has keypoints: the caller's by
 * class name, COCO's for 17 keypoints; otherwise an error naming the class. */
static int gold_sigmas(CmpGold *g, Err *e) {
  const Dataset *d = g->d;
  g->sig = err_calloc(e, g->nclass + 1, sizeof *g->sig);
  g->nsig = err_calloc(e, g->nclass + 1, sizeof *g->nsig);
  if (!g->sig || !g->nsig) return -1;
  for (uint32_t i = 0; i < d->nann; i++) {
    if (d->type[i] != ANN_KEYPOINTS || d->cat[i] < 0) continue;
    uint32_t c = g->cat_class[d->cat[i]];
    if (g->sig[c]) continue;
    uint32_t k = d->g_n[i] / 3;
    for (size_t s = 0; s < g->o.nsigmas && !g->sig[c]; s++)
      if (strcmp(g->o.sigmas[s].cls, g->class_name[c]) == 0) {
        g->sig[c] = g->o.sigmas[s].s;
        g->nsig[c] = g->o.sigmas[s].n;
      }
    if (!g->sig[c] && k == 17) {
      g->sig[c] = geom_coco_sigmas;
      g->nsig[c] = 17;
    }
    if (!g->sig[c])
      return err_option(e, "sigmas", "class '%s' has %u keypoints: OKS needs their sigmas (COCO's are for 17)",
                     g->class_name[c], k);
    if (g->nsig[c] != k)
      return err_option(e, "sigmas", "class '%s': %u sigmas given for %u keypoints", g->class_name[c], g->nsig[c], k);
  }
  return 0;
}

/* The gold's class names, comma-separated (cut with "..." past the buffer). */
static void known_classes(const CmpGold *g, char *known, size_t size) {
  size_t n = 0;
  known[0] = 0;
  for (uint32_t c = 0; c < g->nclass && n < size; c++) {
    int k = snprintf(known + n, size - n, "%s%s", c ? ", " : "", g->class_name[c]);
    if (k < 0) break;
    n += (size_t)k;
  }
  if (n >= size) memcpy(known + size - 4, "...", 4);
  if (!g->nclass) snprintf(known, size, "none");
}

/* Every class the caller names sigmas for must be a gold class (a misspelt name,
 * "Person" for "person", would otherwise be ignored): else an error naming it
 * and the gold's classes. */
static int check_sigma_classes(const CmpGold *g, Err *e) {
  for (size_t s = 0; s < g->o.nsigmas; s++) {
    const char *cls = g->o.sigmas[s].cls;
    if (nm_get(&g->classes, cls) != CMP_NONE) continue;
    char known[320];
    known_classes(g, known, sizeof known);
    return err_option(e, "sigmas", "class '%s': the gold panel has no such class (its classes: %s)", cls, known);
  }
  return 0;
}

/* The per-class thresholds (iou_by_class) by gold class, the others at the
 * default; a class the gold lacks is an error naming it and the gold's classes. */
static int class_thresholds(CmpGold *g, Err *e) {
  const CmpOpts *o = &g->o;
  if (!o->nthr) return 0;
  if (o->type == CMP_SEMANTIC || (o->type == CMP_POLYLINE && o->chamfer))
    return err_option(e, "iou_by_class", "per-class thresholds are for matched objects: not with %s",
                      o->type == CMP_SEMANTIC ? "semantic comparison" : "a Chamfer distance");
  if (!(g->cls_thr = err_malloc(e, ((size_t)g->nclass + 1) * sizeof *g->cls_thr))) return -1;
  for (uint32_t c = 0; c < g->nclass; c++) g->cls_thr[c] = o->thr;
  g->thr_min = o->thr;
  for (size_t k = 0; k < o->nthr; k++) {
    uint32_t c = nm_get(&g->classes, o->thr_class[k]);
    if (c == CMP_NONE) {
      char known[320];
      known_classes(g, known, sizeof known);
      return err_option(e, "iou_by_class", "%s=%g: the gold panel has no class '%s' (its classes: %s)", o->thr_class[k],
                     o->thr_value[k], o->thr_class[k], known);
    }
    g->cls_thr[c] = o->thr_value[k];
    if (o->thr_value[k] < g->thr_min) g->thr_min = o->thr_value[k];
  }
  return 0;
}

/* Keypoints whose count differs from their class's sigmas are left out. */
int cmp_gold_item_shapes(const CmpGold *g, uint32_t k, const CmpFrame *fr, CmpShape *shapes,
                         CmpPool *pool, Err *e) {
  const Dataset *d = g->d;
  for (uint32_t j = g->item_start[k]; j < g->item_start[k + 1]; j++) {
    uint32_t i = g->item_anns[j];
    CmpShape *s = &shapes[j - g->item_start[k]];
    if (cmp_shape(d, i, &g->o, fr, pool, s, e) != 0) return -1;
    s->cls = d->cat[i] < 0 ? CMP_NONE : g->cat_class[d->cat[i]];
    if (!s->out && g->o.type == CMP_KEYPOINTS && s->cls != CMP_NONE && s->n / 3 != g->nsig[s->cls])
      s->out = CMP_OUT_SIZE + 1;
  }
  return 0;
}

/* A run of gold items prepared on one thread, into its own pool. */
typedef struct GoldChunk {
  CmpGold *g;
  uint32_t k0, k1;
  CmpPool pool;
  Err e;
  int failed;
} GoldChunk;

/* Prepares the shapes of chunk c's items (a par_for job). */
static void gold_chunk(size_t c, void *ctx) {
  GoldChunk *ch = (GoldChunk *)ctx + c;
  CmpGold *g = ch->g;
  const Dataset *d = g->d;
  for (uint32_t k = ch->k0; k < ch->k1 && !ch->failed; k++) {
    const Item *it = &d->items[k];
    if (cmp_type_rasterises(&g->o) && (it->width <= 0 || it->height <= 0)) continue;
    CmpFrame fr = {0, 0, (uint32_t)(it->height > 0 ? it->height : 0), (uint32_t)(it->width > 0 ? it->width : 0)};
    if (cmp_gold_item_shapes(g, k, &fr, g->shape + g->item_start[k], &ch->pool, &ch->e) != 0) ch->failed = 1;
    g->prepared[k] = 1;
  }
}

/* Prepares the shapes of every gold item whose size is known (the others wait
 * for a vendor's size), in chunks of items on several threads (one for a small
 * panel), then points the shapes at their chunk's runs. */
static int prepare_shapes(CmpGold *g, Err *e) {
  const Dataset *d = g->d;
  unsigned t = g->o.threads ? g->o.threads : par_threads();
  /* a chunk per thread, but no thread for fewer than 2,000 masks to rasterise */
  unsigned n = cmp_type_rasterises(&g->o) && d->nitems >= 64 ? par_threads_for(d->nann, 2000, t) : 1;
  GoldChunk *ch = err_calloc(e, n, sizeof *ch);
  g->pools = err_calloc(e, n, sizeof *g->pools);
  if (!ch || !g->pools) {
    free(ch);
    return -1;
  }
  g->npools = n;
  /* chunks of about equal annotation counts */
  uint32_t k = 0;
  for (unsigned c = 0; c < n; c++) {
    ch[c].g = g;
    ch[c].k0 = k;
    uint64_t goal = (uint64_t)d->nann * (c + 1) / n;
    while (k < d->nitems && (c + 1 == n || g->item_start[k] < goal)) k++;
    ch[c].k1 = c + 1 == n ? d->nitems : k;
  }
  par_for(n, n, gold_chunk, ch);
  int rc = 0;
  for (unsigned c = 0; c < n; c++) {
    g->pools[c] = ch[c].pool;
    if (ch[c].failed && rc == 0) rc = err_set(e, "%s", ch[c].e.msg);
    for (uint32_t j = g->item_start[ch[c].k0]; j < g->item_start[ch[c].k1]; j++)
      if (g->shape[j].pooled) g->shape[j].cnts = g->pools[c].v + g->shape[j].off;
  }
  free(ch);
  return rc;
}

/* Classes by name (a name used twice is one class), items by file name and
 * basename, keypoint sigmas, and the shapes of every item whose size is known. */
CmpGold *cmp_gold_new(const Dataset *d, const CmpOpts *o, Err *e) {
  CmpGold *g = err_calloc(e, 1, sizeof *g);
  if (!g) return NULL;
  g->d = d;
  g->o = *o;
  g->class_name = err_malloc(e, ((size_t)d->ncats + 1) * sizeof *g->class_name);
  g->cat_class = err_malloc(e, ((size_t)d->ncats + 1) * sizeof *g->cat_class);
  g->shape = err_calloc(e, (size_t)d->nann + 1, sizeof *g->shape);
  g->prepared = err_calloc(e, (size_t)d->nitems + 1, 1);
  if (!g->class_name || !g->cat_class || !g->shape || !g->prepared ||
      nm_init(&g->classes, d->ncats, e) != 0 || nm_init(&g->files, d->nitems, e) != 0 ||
      nm_init(&g->bases, d->nitems, e) != 0 || cmp_group_by_item(d, &g->item_start, &g->item_anns, e) != 0)
    goto fail;
  for (uint32_t c = 0; c < d->ncats; c++) {
    const char *name = strpool_get(&d->str, d->cats[c].name);
    uint32_t k = nm_get(&g->classes, name);
    if (k == CMP_NONE) {
      k = g->nclass++;
      g->class_name[k] = name;
      nm_put(&g->classes, name, k, 0);
    }
    g->cat_class[c] = k;
  }
  for (uint32_t k = 0; k < d->nitems; k++) {
    const char *file = strpool_get(&d->str, d->items[k].file);
    if (!*file) continue;
    nm_put(&g->files, file, k, 1);
    nm_put(&g->bases, base_name(file), k, 1);
  }
  if (check_sigma_classes(g, e) != 0 || class_thresholds(g, e) != 0) goto fail;
  if (o->type == CMP_KEYPOINTS && gold_sigmas(g, e) != 0) goto fail;
  if (prepare_shapes(g, e) != 0) goto fail;
  return g;
fail:
  cmp_gold_free(g);
  return NULL;
}

size_t cmp_gold_annotations(const CmpGold *g) { return g->d->nann; }

void cmp_gold_free(CmpGold *g) {
  if (!g) return;
  free(g->class_name);
  free(g->cat_class);
  nm_free(&g->classes);
  nm_free(&g->files);
  nm_free(&g->bases);
  free(g->item_start);
  free(g->item_anns);
  free(g->shape);
  free(g->prepared);
  for (unsigned c = 0; c < g->npools; c++) free(g->pools[c].v);
  free(g->pools);
  free(g->sig);
  free(g->nsig);
  free(g->cls_thr);
  free(g);
}

/* ---- one vendor ---- */

enum { SEM_MAX_CLASSES = 4096 };   /* semantic: (n + 1)^2 pixel counts per thread */

/* Classes: gold's, then the vendor's that neither a --map pair nor a gold name
 * places. */
static int map_classes(CmpWork *w, Err *e) {
  const CmpGold *g = w->g;
  const Dataset *v = w->v;
  CmpResult *r = w->r;
  const CmpOpts *o = w->o;
  size_t ncls = (size_t)g->nclass + v->ncats;
  r->class_name = err_malloc(e, (ncls + 1) * sizeof *r->class_name);
  r->vcat_class = err_malloc(e, ((size_t)v->ncats + 1) * sizeof *r->vcat_class);
  r->gcat_class = err_malloc(e, ((size_t)g->d->ncats + 1) * sizeof *r->gcat_class);
  r->map_used = err_calloc(e, o->nmap + 1, 1);
  NameMap extra = {0};
  if (!r->class_name || !r->vcat_class || !r->gcat_class || !r->map_used || nm_init(&extra, v->ncats, e) != 0) {
    nm_free(&extra);
    return -1;
  }
  memcpy(r->class_name, g->class_name, g->nclass * sizeof *r->class_name);
  memcpy(r->gcat_class, g->cat_class, g->d->ncats * sizeof *r->gcat_class);
  r->nclass = r->ngold_class = g->nclass;
  for (size_t k = 0; k < o->nmap; k++)
    if (nm_get(&g->classes, o->map[2 * k + 1]) == CMP_NONE) {
      nm_free(&extra);
      return err_set(e, "map %s=%s: the gold panel has no class '%s'", o->map[2 * k], o->map[2 * k + 1],
                     o->map[2 * k + 1]);
    }
  for (uint32_t c = 0; c < v->ncats; c++) {
    const char *name = strpool_get(&v->str, v->cats[c].name), *to = name;
    for (size_t k = 0; k < o->nmap; k++)
      if (strcmp(o->map[2 * k], name) == 0) {
        to = o->map[2 * k + 1];
        r->map_used[k] = 1;
        break;
      }
    uint32_t cls = nm_get(&g->classes, to);
    if (cls == CMP_NONE) cls = nm_get(&extra, name);
    if (cls == CMP_NONE) {
      cls = r->nclass++;
      r->class_name[cls] = name;
      nm_put(&extra, name, cls, 0);
    }
    r->vcat_class[c] = cls;
  }
  nm_free(&extra);
  return 0;
}

/* Pairs vendor items with gold items: by file name, then by basename (unless
 * two gold items share it), then by id when neither side names its files. */
static void map_items(CmpWork *w) {
  const CmpGold *g = w->g;
  const Dataset *v = w->v, *gd = g->d;
  CmpResult *r = w->r;
  for (uint32_t k = 0; k < gd->nitems; k++) r->gitem_vendor[k] = CMP_NONE;
  for (int pass = 0; pass < 2; pass++)
    for (uint32_t k = 0; k < v->nitems; k++) {
      if (r->vitem_how[k]) continue;
      const char *file = strpool_get(&v->str, v->items[k].file);
      uint32_t gi;
      uint8_t how;
      if (pass == 0) {
        gi = *file ? nm_get(&g->files, file) : CMP_NONE;
        how = CMP_BY_FILE;
        if (gi == CMP_AMBIG) gi = CMP_NONE;   /* the same file twice in the gold: by basename fails too */
        if (gi == CMP_NONE) continue;
      } else if (*file) {
        gi = nm_get(&g->bases, base_name(file));
        how = CMP_BY_BASENAME;
      } else {
        int64_t x = dataset_find_item(gd, v->items[k].id);
        gi = x >= 0 && !*strpool_get(&gd->str, gd->items[x].file) ? (uint32_t)x : CMP_NONE;
        how = CMP_BY_ID;
      }
      if (gi == CMP_AMBIG) {
        r->vitem_how[k] = CMP_AMBIGUOUS;
        continue;
      }
      if (gi == CMP_NONE) {
        r->vitem_how[k] = CMP_NOT_IN_GOLD;
        continue;
      }
      if (r->gitem_vendor[gi] != CMP_NONE) {
        r->vitem_how[k] = CMP_ITEM_TWICE;
        continue;
      }
      r->vitem_how[k] = how;
      r->vitem_gold[k] = gi;
      r->gitem_vendor[gi] = k;
    }
}

/* match_optimal or match_greedy, as the options say. */
int cmp_match(const CmpOpts *o, const double *sim, uint32_t nd, uint32_t ng, double thr, int32_t *d2g,
              MatchWork *mw, Err *e) {
  int64_t n = o->greedy ? match_greedy(sim, nd, ng, thr, d2g, mw, e) : match_optimal(sim, nd, ng, thr, d2g, mw, e);
  return n < 0 ? -1 : 0;
}

/* Allocates a vendor's result, pairs its classes and items with the gold's and
 * counts the annotations of unpaired vendor items as left out. */
CmpResult *cmp_result_begin(const CmpGold *g, const Dataset *v, uint32_t **vstart, uint32_t **vanns, Err *e) {
  *vstart = *vanns = NULL;
  CmpResult *r = err_calloc(e, 1, sizeof *r);
  if (!r) return NULL;
  CmpWork w = {0};
  w.g = g;
  w.v = v;
  w.o = &g->o;
  w.r = r;
  r->gold = g->d;
  r->vendor = v;
  r->type = g->o.type;
  r->nwho = v->nannotators + 1;
  if (map_classes(&w, e) != 0) goto fail;
  r->stats = err_calloc(e, (size_t)r->nclass + 1, sizeof *r->stats);
  r->ngold = err_calloc(e, (size_t)r->nclass + 1, sizeof *r->ngold);
  r->nvendor = err_calloc(e, (size_t)r->nclass + 1, sizeof *r->nvendor);
  r->who_stats = err_calloc(e, (size_t)r->nwho * r->nclass + 1, sizeof *r->who_stats);
  r->vitem_gold = err_malloc(e, ((size_t)v->nitems + 1) * sizeof *r->vitem_gold);
  r->vitem_how = err_calloc(e, (size_t)v->nitems + 1, 1);
  r->gitem_vendor = err_malloc(e, ((size_t)g->d->nitems + 1) * sizeof *r->gitem_vendor);
  r->gitem_state = err_calloc(e, (size_t)g->d->nitems + 1, 1);
  r->garea = err_malloc(e, ((size_t)g->d->nann + 1) * sizeof *r->garea);
  r->varea = err_malloc(e, ((size_t)v->nann + 1) * sizeof *r->varea);
  if (!r->stats || !r->ngold || !r->nvendor || !r->who_stats || !r->vitem_gold || !r->vitem_how ||
      !r->gitem_vendor || !r->gitem_state || !r->garea || !r->varea || cmp_group_by_item(v, vstart, vanns, e) != 0)
    goto fail;
  for (uint32_t i = 0; i < g->d->nann; i++) r->garea[i] = NAN;
  for (uint32_t i = 0; i < v->nann; i++) r->varea[i] = NAN;
  if (r->type == CMP_SEMANTIC) {   /* the pixel confusion matrix, gold class by vendor class */
    if (r->nclass >= SEM_MAX_CLASSES) {
      err_set(e, "semantic comparison: %u classes, more than the %u a pixel confusion matrix is kept for",
              r->nclass, SEM_MAX_CLASSES - 1);
      goto fail;
    }
    if (!(r->px_conf = err_calloc(e, ((size_t)r->nclass + 1) * (r->nclass + 1), sizeof *r->px_conf))) goto fail;
  }
  for (uint32_t k = 0; k < v->nitems; k++) r->vitem_gold[k] = CMP_NONE;
  map_items(&w);
  for (uint32_t k = 0; k < v->nitems; k++)
    if (r->vitem_gold[k] == CMP_NONE) r->left_out[1][CMP_OUT_ITEM] += (*vstart)[k + 1] - (*vstart)[k];
  return r;
fail:
  free(*vstart);
  free(*vanns);
  *vstart = *vanns = NULL;
  cmp_result_free(r);
  return NULL;
}

void cmp_result_free(CmpResult *r) {
  if (!r) return;
  free(r->class_name);
  free(r->gcat_class);
  free(r->vcat_class);
  free(r->map_used);
  free(r->stats);
  free(r->ngold);
  free(r->nvendor);
  free(r->who_stats);
  free(r->match);
  free(r->conf);
  free(r->vitem_gold);
  free(r->vitem_how);
  free(r->gitem_vendor);
  free(r->gitem_state);
  free(r->px_conf);
  free(r->garea);
  free(r->varea);
  free(r);
}
