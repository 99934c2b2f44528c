/* Semantic masks as PNG label images: a folder of PNGs (in itself, masks/,
 * SegmentationClass/ or labels/) whose pixel values are class ids, with
 * classes.txt (one name per line, the line number from 0 is the value) or a
 * VOC labelmap.txt beside them. Each PNG is an item (ids 1.. in path order,
 * named by the PNG's path); each class present in it becomes one ANN_MASK
 * (COCO RLE). Categories are the named classes with id = pixel value; the
 * classes "background" and "ignored" and the values 0 and 255 when unnamed mark
 * the absence of annotation. Without a class list every other value is a class
 * named by its value (warned).
 *
 * Writing: classes.txt (line v names the category painted with value v: its id
 * when the ids fit 1..65535, else its position + 1; line 0 is "background") and
 * masks/<name>.png per item of known size, later masks over earlier ones
 * (overlaps warned). Other annotation types have no place here: dropped, warned. */
#include <stdlib.h>
#include <string.h>

#include "confine.h"
#include "fields.h"
#include "folder.h"
#include "staged.h"
#include "labelimg.h"
#include "labelmap.h"
#include "pngmask.h"

static const char *const mask_dirs[] = {"masks", "SegmentationClass", "labels"};

/* The folder holding the PNGs: one of mask_dirs, or path itself. */
static char *mask_dir(const char *path, Err *e) {
  for (size_t i = 0; i < sizeof mask_dirs / sizeof *mask_dirs; i++) {
    char *p = folder_join(path, mask_dirs[i], e);
    if (!p || folder_kind(p) == 1) return p;
    free(p);
  }
  return field_strndup(path, strlen(path), e);
}

/* Reads the class list, then each PNG as an item with its masks. */
static int pngmask_read_ds(const char *path, Dataset *d, Diag *g, Err *e) {
  if (folder_kind(path) != 1) return folder_kind(path) < 0 ? err_errno(e, "%s", path)
                                                     : err_set(e, "%s: expected a folder of PNG label images", path);
  LabelMap lm = {0};
  int have_lm = 0, rc = -1;
  int64_t next_id = 1;
  FolderList pngs = {0};
  char *dir = mask_dir(path, e), *p = NULL;
  if (!dir) return -1;
  StrId fmt = strpool_intern(&d->str, "pngmask", 7, e);
  if (fmt == (StrId)-1) goto done;
  d->format = fmt;
  d->src_kind = SRC_LINE;
  static const char *const lists[2][2] = {{"classes.txt", ""}, {"labelmap.txt", "v"}};
  for (int k = 0; k < 2 && !have_lm; k++)
    for (int where = 0; where < 2 && !have_lm; where++) {
      free(p);
      p = folder_join(where ? dir : path, lists[k][0], e);
      if (!p) goto done;
      if (folder_kind(p) != 0) continue;
      if (labelmap_read(p, lists[k][1][0] == 'v', &lm, e) != 0) goto done;
      have_lm = 1;
    }
  if (have_lm) {
    for (size_t i = 0; i < lm.n; i++) {
      const char *nm = lm.v[i].name;
      if (!nm || strcmp(nm, "background") == 0 || strcmp(nm, "ignored") == 0) continue;
      StrId id = strpool_intern(&d->str, nm, strlen(nm), e);
      if (id == (StrId)-1 || dataset_add_category(d, lm.v[i].value, id, 0, e) < 0) goto done;
    }
  } else {
    diag_warn(g, "no class names", "%s: no classes.txt or labelmap.txt; classes are named by their pixel value", path);
  }
  if (folder_list_tree(dir, ".png", &pngs, e) != 0) goto done;
  if (!pngs.n) {
    err_set(e, "%s: no PNG label images", path);
    goto done;
  }
  for (size_t i = 0; i < pngs.n; i++) {
    free(p);
    p = folder_join(dir, pngs.v[i], e);
    if (!p) goto done;
    if (folder_check_name(dir, pngs.v[i], "an item's file name", e) != 0) goto done;
    StrId file = strpool_intern(&d->str, pngs.v[i], strlen(pngs.v[i]), e);
    if (file == (StrId)-1) goto done;
    int64_t it = dataset_add_item(d, (int64_t)i + 1, file, 0, 0, e);
    if (it < 0 || labelimg_read_item(d, p, (uint32_t)it, have_lm ? &lm : NULL, 0, &next_id, g, e) != 0) goto done;
  }
  rc = 0;
done:
  labelmap_free(&lm);
  folder_list_free(&pngs);
  free(dir);
  free(p);
  return rc;
}

/* PNGs (in the folder or masks/...) and no sign of another format; a class list
 * makes it likelier. */
static int pngmask_detect(const char *path, int is_dir, const char *head, size_t n) {
  (void)head;
  (void)n;
  if (!is_dir) return 0;
  Err e = {0};
  char *dir = mask_dir(path, &e);
  if (!dir) return 0;
  FolderList top = {0}, l = {0};
  int png = 0, classes = 0, other = 0;
  if (folder_list(path, &top, &e) == 0)
    for (size_t i = 0; i < top.n; i++) {
      const char *f = top.v[i];
      if (strcmp(f, "classes.txt") == 0 || strcmp(f, "labelmap.txt") == 0) classes = 1;
      else if (strcmp(f, "Annotations") == 0 || strcmp(f, "data.yaml") == 0 || strcmp(f, "obj.data") == 0 ||
               (folder_has_ext(f, ".txt") && strcmp(dir, path) == 0) || folder_has_ext(f, ".xml") || folder_has_ext(f, ".json"))
        other = 1;
    }
  if (folder_list(dir, &l, &e) == 0)
    for (size_t i = 0; i < l.n; i++) {
      if (folder_has_ext(l.v[i], ".png")) png = 1;
      else if (folder_has_ext(l.v[i], ".txt") && strcmp(l.v[i], "classes.txt") != 0) other = 1;
    }
  folder_list_free(&top);
  folder_list_free(&l);
  free(dir);
  if (!png || other) return 0;
  return classes ? 60 : 30;
}

/* The pixel value of each category (see the file comment); 0 is background. */
static int *category_values(const Dataset *d, int *maxv, Err *e) {
  int *v = err_calloc(e, d->ncats + 1, sizeof *v);
  if (!v) return NULL;
  int by_id = 1;
  for (uint32_t c = 0; c < d->ncats && by_id; c++) {
    int bg = strcmp(strpool_get(&d->str, d->cats[c].name), "background") == 0;
    by_id = d->cats[c].id >= (bg ? 0 : 1) && d->cats[c].id <= 65535;
    for (uint32_t k = 0; k < c && by_id; k++) by_id = d->cats[k].id != d->cats[c].id;
  }
  *maxv = 0;
  for (uint32_t c = 0; c < d->ncats; c++) {
    v[c] = by_id ? (int)d->cats[c].id : (int)c + 1;
    if (v[c] > 65535) v[c] = -1;
    if (v[c] > *maxv) *maxv = v[c];
  }
  return v;
}

/* classes.txt, then masks/<name>.png per item of known size. */
static int pngmask_write_ds(const Dataset *d, const char *path, Diag *g, Err *e) {
  Staged o;
  if (staged_begin(&o, path, 1, e) != 0) return -1;
  uint32_t *start = NULL, *order = NULL;
  int *value = NULL, maxv, rc = -1;
  char *rel = NULL;
  uint16_t *px = NULL;
  if (field_by_item(d, &start, &order, e) != 0 || !(value = category_values(d, &maxv, e))) goto done;
  FILE *f = staged_open(&o, "classes.txt", e);
  if (!f) goto done;
  for (int k = 0; k <= maxv; k++) {
    const char *name = k == 0 ? "background" : "";
    for (uint32_t c = 0; c < d->ncats; c++)
      if (value[c] == k) name = strpool_get(&d->str, d->cats[c].name);
    if (strpbrk(name, "\r\n")) {
      diag_warn(g, "renamed: class name with a line break", "'%s': written with spaces", name);
      for (const char *s = name; *s; s++) fputc(*s == '\r' || *s == '\n' ? ' ' : *s, f);
      fputc('\n', f);
    } else {
      fprintf(f, "%s\n", name);
    }
  }
  if (staged_close(f, "classes.txt", e) != 0) goto done;
  for (uint32_t it = 0; it < d->nitems; it++) {
    const Item *item = &d->items[it];
    const uint32_t *anns = order + start[it];
    uint32_t n = start[it + 1] - start[it];
    for (uint32_t k = 0; k < n; k++)
      if (d->type[anns[k]] != ANN_MASK) {
        char where[300];
        dataset_source(d, anns[k], where, sizeof where);
        diag_warn(g, "dropped: not a mask", "%s: a label image holds class masks, not a %s", where,
                  ann_type_name(d->type[anns[k]]));
      }
    uint32_t w, h;
    if (labelimg_paint_item(d, anns, n, it, value, 0, &px, &w, &h, g, e) != 0) goto done;
    if (!px && item->width > 0 && item->height > 0) {   /* no masks: an all-background image keeps the item */
      w = (uint32_t)item->width;
      h = (uint32_t)item->height;
      if ((uint64_t)w * h > PNGMASK_MAX_PIXELS) {
        diag_warn(g, "dropped: item over the label image limit", "%s", strpool_get(&d->str, item->file));
        continue;
      }
      if (confine_reserve(((size_t)w * h + 1) * sizeof *px, e) != 0) goto done;
      px = err_calloc(e, (size_t)w * h + 1, sizeof *px);
      if (!px) goto done;
    }
    if (!px) {
      diag_warn(g, "dropped: item of unknown size", "%s: no masks and no image size", strpool_get(&d->str, item->file));
      continue;
    }
    const char *file = strpool_get(&d->str, item->file);
    char *safe = folder_safe_rel(*file ? file : "item", e);
    if (!safe) goto done;
    char *dot = strrchr(safe, '.');
    if (dot && !strchr(dot, '/')) *dot = '\0';
    free(rel);
    size_t rn = strlen(safe) + 40;
    rel = err_malloc(e, rn);
    if (!rel) {
      free(safe);
      goto done;
    }
    snprintf(rel, rn, "masks/%s.png", safe);
    char *full = folder_join(o.tmp, rel, e);
    if (full && folder_kind(full) >= 0) {
      snprintf(rel, rn, "masks/%s_%lld.png", safe, (long long)item->id);
      diag_warn(g, "renamed: duplicate file stem", "%s: written as %s", file, rel);
    }
    free(full);
    free(safe);
    f = staged_open(&o, rel, e);
    int ok = f && pngmask_write(f, rel, px, w, h, e) == 0;
    if (f && staged_close(f, rel, ok ? e : NULL) != 0) ok = 0;
    free(px);
    px = NULL;
    if (!ok) goto done;
  }
  rc = staged_commit(&o, e);
done:
  if (rc != 0) staged_abort(&o);
  free(start);
  free(order);
  free(value);
  free(rel);
  free(px);
  return rc;
}

const Format format_pngmask = {
  "pngmask", "Semantic masks: a folder of PNG label images (pixel = class id) with classes.txt or labelmap.txt",
  pngmask_detect, pngmask_read_ds, pngmask_write_ds,
};
