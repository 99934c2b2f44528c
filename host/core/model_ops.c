/* Whole-dataset operations on the model: counts, subsets, copying the items and
 * categories of a ground truth, keypoint definitions. */
#include <stdlib.h>
#include <string.h>

#include "model.h"

uint64_t dataset_count(const Dataset *d, const uint8_t *keep, uint64_t *by_type,
                       uint64_t *by_cat, uint64_t *by_ann) {
  uint64_t n = 0;
  for (uint32_t i = 0; i < d->nann; i++) {
    if (keep && !keep[i]) continue;
    n++;
    if (by_type && d->type[i] < ANN_TYPE_COUNT) by_type[d->type[i]]++;
    if (by_cat) by_cat[d->cat[i] >= 0 ? (uint32_t)d->cat[i] : d->ncats]++;
    if (by_ann) by_ann[d->annotator[i] >= 0 ? (uint32_t)d->annotator[i] : d->nannotators]++;
  }
  return n;
}

/* Copies the string pool of src into the empty pool dst, so StrIds stay valid. */
static int strpool_copy(StrPool *dst, const StrPool *src, Err *e) {
  StrPool p;
  memset(&p, 0, sizeof p);
  p.buf = err_malloc(e, src->cap ? src->cap : 1);
  p.off = err_malloc(e, (src->ncap ? src->ncap : 1) * sizeof *p.off);
  p.slots = err_malloc(e, (src->nslots ? src->nslots : 1) * sizeof *p.slots);
  if (!p.buf || !p.off || !p.slots) {
    free(p.buf);
    free(p.off);
    free(p.slots);
    return -1;
  }
  memcpy(p.buf, src->buf, src->len);
  memcpy(p.off, src->off, src->n * sizeof *p.off);
  memcpy(p.slots, src->slots, src->nslots * sizeof *p.slots);
  p.len = src->len;
  p.cap = src->cap ? src->cap : 1;
  p.n = src->n;
  p.ncap = src->ncap ? src->ncap : 1;
  p.nslots = src->nslots;
  free(dst->buf);
  free(dst->off);
  free(dst->slots);
  *dst = p;
  return 0;
}

int dataset_set_keypoints(Dataset *d, uint32_t c, const StrId *names, uint32_t nkp,
                          const int32_t *skeleton, uint32_t nsk, Err *e) {
  if (c >= d->ncats) return err_set(e, "keypoints of an unknown category (index %u)", c);
  StrId *kn = NULL;
  int32_t *sk = NULL;
  if (nkp && !(kn = err_malloc(e, nkp * sizeof *kn))) return -1;
  if (nsk && !(sk = err_malloc(e, (size_t)nsk * 2 * sizeof *sk))) {
    free(kn);
    return -1;
  }
  if (nkp) memcpy(kn, names, nkp * sizeof *kn);
  if (nsk) memcpy(sk, skeleton, (size_t)nsk * 2 * sizeof *sk);
  Category *cat = &d->cats[c];
  free(cat->kp_names);
  free(cat->skeleton);
  cat->kp_names = kn;
  cat->nkp = nkp;
  cat->skeleton = sk;
  cat->nsk = nsk;
  return 0;
}

/* Copies categories (with keypoints) of src into dst, which shares src's strings. */
static int copy_categories(Dataset *dst, const Dataset *src, Err *e) {
  for (uint32_t c = 0; c < src->ncats; c++) {
    const Category *k = &src->cats[c];
    int64_t ci = dataset_add_category(dst, k->id, k->name, k->supercategory, e);
    if (ci < 0) return -1;
    if ((k->nkp || k->nsk) &&
        dataset_set_keypoints(dst, (uint32_t)ci, k->kp_names, k->nkp, k->skeleton, k->nsk, e) != 0)
      return -1;
  }
  return 0;
}

/* Adds item it of src (whose strings dst shares) to dst. */
static int64_t copy_item(Dataset *dst, const Item *it, Err *e) {
  int64_t k = dataset_add_item(dst, it->id, it->file, it->width, it->height, e);
  if (k >= 0) {
    dst->items[k].subset = it->subset;
    dst->items[k].hash = it->hash;
  }
  return k;
}

int dataset_copy_meta(Dataset *dst, const Dataset *src, Err *e) {
  if (dst->ncats || dst->nitems || dst->nann)
    return err_set(e, "dataset_copy_meta: the target dataset is not empty");
  if (strpool_copy(&dst->str, &src->str, e) != 0) return -1;
  if (copy_categories(dst, src, e) != 0) return -1;
  for (uint32_t i = 0; i < src->nitems; i++)
    if (copy_item(dst, &src->items[i], e) < 0) return -1;
  return 0;
}

/* Appends annotation i of src to dst with item index it (strings shared). */
static int copy_annotation(Dataset *dst, const Dataset *src, uint32_t i, uint32_t it, Err *e) {
  AnnInit a = ann_init(it, src->cat[i], (AnnType)src->type[i]);
  a.id = src->id[i];
  a.stage = src->stage[i];
  a.iscrowd = src->iscrowd[i];
  a.flags = src->flags[i];
  a.annotator = src->annotator[i];
  a.score = src->score[i];
  a.area = src->area[i];
  a.aux = src->aux[i];
  memcpy(a.bbox, &src->bbox[4 * (size_t)i], sizeof a.bbox);
  a.coords = src->coords.v ? src->coords.v + src->g_off[i] : NULL;
  a.ncoords = src->g_n[i];
  a.parts = src->parts.v ? src->parts.v + src->p_off[i] : NULL;
  a.nparts = src->p_n[i];
  a.rle = src->rle.v ? src->rle.v + src->r_off[i] : NULL;
  a.nrle = src->r_n[i];
  a.attrs = src->attrs.v ? src->attrs.v + src->a_off[i] : NULL;
  a.nattrs = src->a_n[i];
  a.seg = src->seg.v ? src->seg.v + src->s_off[i] : NULL;
  a.nseg = src->s_n[i];
  a.text = src->text[i];
  a.src_file = src->src_file[i];
  a.src_pos = src->src_pos[i];
  return dataset_add_annotation(dst, &a, e) < 0 ? -1 : 0;
}

Dataset *dataset_subset(const Dataset *d, const uint8_t *keep_item, const uint8_t *keep_ann,
                        Err *e) {
  Dataset *s = dataset_new(e);
  int64_t *map = s ? err_malloc(e, ((size_t)d->nitems + 1) * sizeof *map) : NULL;
  if (!map) goto fail;
  if (strpool_copy(&s->str, &d->str, e) != 0 || copy_categories(s, d, e) != 0) goto fail;
  s->format = d->format;
  s->src_kind = d->src_kind;
  for (uint32_t k = 0; k < d->nannotators; k++)
    if (dataset_annotator(s, d->annotators[k], e) < 0) goto fail;
  for (uint32_t i = 0; i < d->nitems; i++) {
    map[i] = -1;
    if (keep_item && !keep_item[i]) continue;
    if ((map[i] = copy_item(s, &d->items[i], e)) < 0) goto fail;
  }
  for (uint32_t i = 0; i < d->nann; i++) {
    if ((keep_ann && !keep_ann[i]) || map[d->item[i]] < 0) continue;
    if (copy_annotation(s, d, i, (uint32_t)map[d->item[i]], e) != 0) goto fail;
  }
  free(map);
  return s;
fail:
  free(map);
  dataset_free(s);
  return NULL;
}
