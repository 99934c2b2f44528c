/* Label images <-> mask annotations of one item. */
#include "labelimg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confine.h"
#include "pngmask.h"

/* The category for pixel value v: its index, -1 when v is not an annotation,
 * -2 on error. */
static int32_t value_category(Dataset *d, const char *path, int v, const LabelMap *lm,
                              int create_cats, Err *e) {
  if (!lm) {   /* no class list: a class per value, named and numbered by it */
    if (v == 0 || v == 255) return -1;
    for (uint32_t c = 0; c < d->ncats; c++)
      if (d->cats[c].id == v) return (int32_t)c;
    char name[16];
    snprintf(name, sizeof name, "%d", v);
    StrId id = strpool_intern(&d->str, name, strlen(name), e);
    if (id == (StrId)-1) return -2;
    int64_t c = dataset_add_category(d, v, id, 0, e);
    return c < 0 ? -2 : (int32_t)c;
  }
  int k = labelmap_by_value(lm, v);
  if (k < 0) {
    if (v == 0 || v == 255) return -1;
    return err_set(e, "%s: pixel value %d has no class in the label map", path, v), -2;
  }
  const char *name = lm->v[k].name;
  if (strcmp(name, "background") == 0 || strcmp(name, "ignored") == 0) return -1;
  int64_t c = dataset_category_by_name(d, name);
  if (c >= 0) return (int32_t)c;
  if (!create_cats) return err_set(e, "%s: pixel value %d is class '%s', not a category of the delivery", path, v, name), -2;
  StrId id = strpool_intern(&d->str, name, strlen(name), e);
  if (id == (StrId)-1) return -2;
  c = dataset_add_category(d, (int64_t)d->ncats + 1, id, 0, e);
  return c < 0 ? -2 : (int32_t)c;
}

/* Reads, checks the size, splits by value, adds one mask per class. */
int labelimg_read_item(Dataset *d, const char *path, uint32_t item, const LabelMap *lm,
                       int create_cats, int64_t *next_id, Diag *g, Err *e) {
  (void)g;
  StrId src = strpool_intern(&d->str, path, strlen(path), e);
  if (src == (StrId)-1) return -1;
  uint16_t *px;
  uint32_t w, h;
  if (pngmask_read(path, &px, &w, &h, e) != 0) return -1;
  Item *it = &d->items[item];
  if ((it->width || it->height) && ((uint32_t)it->width != w || (uint32_t)it->height != h)) {
    free(px);
    return err_set(e, "%s: label image is %ux%u but the image is %dx%d", path, w, h, (int)it->width,
                   (int)it->height);
  }
  it->width = (int32_t)w;
  it->height = (int32_t)h;
  MaskClass *mc;
  size_t n;
  int rc = pngmask_split(px, w, h, &mc, &n, e);
  free(px);
  if (rc != 0) return -1;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    int32_t c = value_category(d, path, mc[i].value, lm, create_cats, e);
    if (c == -1) continue;
    if (c < 0) {
      rc = -1;
      break;
    }
    AnnInit ai = ann_init(item, c, ANN_MASK);
    ai.id = (*next_id)++;
    double hw[2] = {h, w};
    ai.coords = hw;
    ai.ncoords = 2;
    ai.rle = mc[i].cnts;
    ai.nrle = (uint32_t)mc[i].ncnts;
    ai.area = (double)mc[i].area;
    memcpy(ai.bbox, mc[i].bbox, sizeof ai.bbox);
    ai.src_file = src;
    ai.src_pos = 0;
    if (dataset_add_annotation(d, &ai, e) < 0) rc = -1;
  }
  pngmask_free(mc, n);
  return rc;
}

/* Paints each mask of the item over a background image, in order. */
int labelimg_paint_item(const Dataset *d, const uint32_t *anns, uint32_t n, uint32_t item,
                        const int *value, uint16_t bg, uint16_t **px, uint32_t *w, uint32_t *h,
                        Diag *g, Err *e) {
  *px = NULL;
  const Item *it = &d->items[item];
  uint32_t W = (uint32_t)(it->width > 0 ? it->width : 0), H = (uint32_t)(it->height > 0 ? it->height : 0);
  uint16_t *img = NULL;
  uint8_t *painted = NULL;
  uint64_t overlap = 0;
  int rc = 0;
  for (uint32_t k = 0; k < n && rc == 0; k++) {
    uint32_t i = anns[k];
    if (d->type[i] != ANN_MASK) continue;
    const double *hw = &d->coords.v[d->g_off[i]];
    if (d->g_n[i] < 2 || hw[0] < 0 || hw[1] < 0 || hw[0] > 1e9 || hw[1] > 1e9) {
      diag_warn(g, "dropped: mask without a size", "item %lld: a mask has no h, w", (long long)it->id);
      continue;
    }
    uint32_t mh = (uint32_t)hw[0], mw = (uint32_t)hw[1];
    if (!W && !H) W = mw, H = mh;
    if (mw != W || mh != H) {
      diag_warn(g, "dropped: mask of another size", "item %lld: a %ux%u mask on a %ux%u image",
                (long long)it->id, mw, mh, W, H);
      continue;
    }
    int v = d->cat[i] >= 0 ? value[d->cat[i]] : -1;
    if (v < 0 || v > 65535) {
      diag_warn(g, "dropped: mask without a class value", "item %lld: a mask whose category has no pixel value",
                (long long)it->id);
      continue;
    }
    if (!img) {
      if ((uint64_t)W * H > PNGMASK_MAX_PIXELS)
        return err_set(e, "item %lld: %ux%u is over the label image limit", (long long)it->id, W, H);
      if (confine_reserve(((size_t)W * H + 1) * (sizeof *img + 1), e) != 0) return -1;
      img = err_malloc(e, ((size_t)W * H + 1) * sizeof *img);
      painted = err_calloc(e, (size_t)W * H + 1, 1);
      if (!img || !painted) {
        rc = -1;
        break;
      }
      for (size_t p = 0; p < (size_t)W * H; p++) img[p] = bg;
    }
    Err pe = {0};
    if (pngmask_paint(img, painted, W, H, &d->rle.v[d->r_off[i]], d->r_n[i], (uint16_t)v, &overlap, &pe) != 0)
      diag_warn(g, "dropped: bad mask", "item %lld: %s", (long long)it->id, pe.msg);
  }
  free(painted);
  if (rc != 0) {
    free(img);
    return -1;
  }
  if (overlap)
    diag_warn(g, "overlapping masks", "item %lld: %llu pixels covered by several masks (the later one kept)",
              (long long)it->id, (unsigned long long)overlap);
  *px = img;
  *w = W;
  *h = H;
  return 0;
}
