/* Pascal VOC writer: a folder with Annotations/<name>.xml per item (parts nested
 * under their parent box, actions, datumaro's <attributes>), labelmap.txt, and
 * SegmentationClass/<name>.png for items with masks. Boxes are written as
 * xmin = x, xmax = x + w (datumaro's reading, see voc_read.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "folder.h"
#include "staged.h"
#include "labelimg.h"
#include "labelmap.h"
#include "numfmt.h"
#include "pngmask.h"
#include "voc.h"
#include "xmlio.h"

/* The VOC 2012 action classes: bool attributes of these names are written under <actions>. */
static const char *const voc_actions[] = {
  "jumping", "phoning", "playinginstrument", "reading", "ridingbike", "ridinghorse",
  "running", "takingphoto", "usingcomputer", "walking", "other",
};

static void put_num(FILE *f, double v) {
  char buf[NUMFMT_MAX];
  if (num_fmt(buf, v, 0) < 0) buf[0] = '0', buf[1] = '\0';
  fputs(buf, f);
}

static int is_action(const char *key) {
  for (size_t i = 0; i < sizeof voc_actions / sizeof *voc_actions; i++)
    if (strcmp(voc_actions[i], key) == 0) return 1;
  return 0;
}

static void put_attr_value(FILE *f, const Dataset *d, const Attr *a) {
  if (a->kind == ATTR_BOOL) fputs(a->num != 0 ? "1" : "0", f);
  else if (a->kind == ATTR_NUMBER) put_num(f, a->num);
  else xmlio_escape(f, strpool_get(&d->str, a->str));
}

/* A flag attribute as 0 or 1 (a string counts when it reads 1 or true). */
static int attr_truth(const Dataset *d, const Attr *a) {
  if (!a) return 0;
  if (a->kind != ATTR_STRING) return a->num != 0;
  const char *s = strpool_get(&d->str, a->str);
  return strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0;
}

/* The parent box of a part: the index of the box in anns whose id is the
 * part's "part_of" (a box that is not itself a part), or -1. */
static int64_t part_parent(const Dataset *d, const uint32_t *anns, uint32_t n, uint32_t i) {
  const Attr *po = field_attr(d, i, "part_of");
  if (!po || po->kind != ATTR_NUMBER) return -1;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t j = anns[k];
    if (j != i && d->type[j] == ANN_BOX && d->id[j] == (int64_t)po->num && !field_attr(d, j, "part_of") &&
        d->cat[j] >= 0)
      return j;
  }
  return -1;
}

/* A <bndbox> with xmin = x, xmax = x + w. */
static void put_bndbox(FILE *f, const double *b, const char *ind) {
  fprintf(f, "%s<bndbox>\n%s  <xmin>", ind, ind);
  put_num(f, b[0]);
  fprintf(f, "</xmin>\n%s  <ymin>", ind);
  put_num(f, b[1]);
  fprintf(f, "</ymin>\n%s  <xmax>", ind);
  put_num(f, b[0] + b[2]);
  fprintf(f, "</xmax>\n%s  <ymax>", ind);
  put_num(f, b[1] + b[3]);
  fprintf(f, "</ymax>\n%s</bndbox>\n", ind);
}

/* 1 when annotation i is a labelled box with coordinates. */
static int box_ok(const Dataset *d, uint32_t i) {
  const double *b = &d->bbox[4 * (size_t)i];
  return d->type[i] == ANN_BOX && d->cat[i] >= 0 && isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) &&
         isfinite(b[3]);
}

/* 1 when annotation i can be written as a VOC box; warns when it cannot. */
static int writable_box(const Dataset *d, uint32_t i, Diag *g) {
  char where[300];
  dataset_source(d, i, where, sizeof where);
  if (d->type[i] != ANN_BOX) {
    if (d->type[i] != ANN_MASK)
      diag_warn(g, d->type[i] == ANN_POLYGON ? "dropped: polygon" : d->type[i] == ANN_RBOX ? "dropped: rbox"
                   : d->type[i] == ANN_KEYPOINTS ? "dropped: keypoints" : d->type[i] == ANN_POLYLINE ? "dropped: polyline"
                   : d->type[i] == ANN_CUBOID ? "dropped: cuboid" : d->type[i] == ANN_TAG ? "dropped: tag"
                   : "dropped: text",
                "%s: Pascal VOC holds boxes and class masks, not a %s", where, ann_type_name(d->type[i]));
    return 0;
  }
  const double *b = &d->bbox[4 * (size_t)i];
  if (!(isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) && isfinite(b[3]))) {
    diag_warn(g, "dropped: box without coordinates", "%s: the box has no coordinates", where);
    return 0;
  }
  if (d->cat[i] < 0) {
    diag_warn(g, "dropped: box without a label", "%s: a VOC object needs a <name>", where);
    return 0;
  }
  if (!isnan(d->score[i])) diag_warn(g, "dropped: score", "%s: VOC has no score", where);
  if (d->iscrowd[i]) diag_warn(g, "dropped: iscrowd", "%s: VOC has no crowd flag (the box is kept)", where);
  if (d->annotator[i] >= 0) diag_warn(g, "dropped: annotator", "%s: VOC has no annotator", where);
  return 1;
}

/* Writes one object (or part, nested inside its parent) with its attributes. */
static void put_object(FILE *f, const Dataset *d, uint32_t i, const uint32_t *anns, uint32_t n, int part) {
  const char *ind = part ? "      " : "    ";
  fprintf(f, "%s<%s>\n%s  <name>", part ? "    " : "  ", part ? "part" : "object", part ? "    " : "  ");
  xmlio_escape(f, strpool_get(&d->str, d->cats[d->cat[i]].name));
  fputs("</name>\n", f);
  if (!part) {
    const Attr *pose = field_attr(d, i, "pose");
    if (pose) {
      fprintf(f, "%s<pose>", ind);
      put_attr_value(f, d, pose);
      fputs("</pose>\n", f);
    }
    static const char *const flags[3] = {"truncated", "difficult", "occluded"};
    for (int k = 0; k < 3; k++) {
      const Attr *a = field_attr(d, i, flags[k]);
      if (!a && k == 2) continue;     /* occluded is datumaro's addition: only when known */
      fprintf(f, "%s<%s>%d</%s>\n", ind, flags[k], attr_truth(d, a), flags[k]);
    }
  }
  put_bndbox(f, &d->bbox[4 * (size_t)i], ind);
  if (!part)
    for (uint32_t k = 0; k < n; k++)
      if (box_ok(d, anns[k]) && part_parent(d, anns, n, anns[k]) == (int64_t)i)
        put_object(f, d, anns[k], anns, n, 1);
  int acts = 0, others = 0;
  for (uint32_t k = 0; k < d->a_n[i]; k++) {
    const Attr *a = &d->attrs.v[d->a_off[i] + k];
    const char *key = strpool_get(&d->str, a->key);
    if (strcmp(key, "pose") == 0 || strcmp(key, "truncated") == 0 || strcmp(key, "difficult") == 0 ||
        strcmp(key, "occluded") == 0 || (part && strcmp(key, "part_of") == 0))
      continue;
    if (a->kind == ATTR_BOOL && is_action(key)) acts++;
    else others++;
  }
  if (acts) {
    fprintf(f, "%s<actions>\n", ind);
    for (uint32_t k = 0; k < d->a_n[i]; k++) {
      const Attr *a = &d->attrs.v[d->a_off[i] + k];
      const char *key = strpool_get(&d->str, a->key);
      if (a->kind == ATTR_BOOL && is_action(key)) fprintf(f, "%s  <%s>%d</%s>\n", ind, key, a->num != 0, key);
    }
    fprintf(f, "%s</actions>\n", ind);
  }
  if (others) {
    fprintf(f, "%s<attributes>\n", ind);
    for (uint32_t k = 0; k < d->a_n[i]; k++) {
      const Attr *a = &d->attrs.v[d->a_off[i] + k];
      const char *key = strpool_get(&d->str, a->key);
      if (strcmp(key, "pose") == 0 || strcmp(key, "truncated") == 0 || strcmp(key, "difficult") == 0 ||
          strcmp(key, "occluded") == 0 || (part && strcmp(key, "part_of") == 0) ||
          (a->kind == ATTR_BOOL && is_action(key)))
        continue;
      fprintf(f, "%s  <attribute>\n%s    <name>", ind, ind);
      xmlio_escape(f, key);
      fprintf(f, "</name>\n%s    <value>", ind);
      put_attr_value(f, d, a);
      fprintf(f, "</value>\n%s  </attribute>\n", ind);
    }
    fprintf(f, "%s</attributes>\n", ind);
  }
  fprintf(f, "%s</%s>\n", part ? "    " : "  ", part ? "part" : "object");
}

/* labelmap.txt: the categories in order with the VOC colours, the part names
 * used under each and the actions used on each; "background" first when masks
 * need it. Skipped (with a warning) when a name holds ':' or a line break. */
static int put_labelmap(Staged *o, const Dataset *d, const uint32_t *start, const uint32_t *order,
                        int bg_first, Diag *g, Err *e) {
  for (uint32_t c = 0; c < d->ncats; c++)
    if (strpbrk(strpool_get(&d->str, d->cats[c].name), ":\n\r")) {
      diag_warn(g, "labelmap.txt not written", "category '%s' holds ':' or a line break",
                strpool_get(&d->str, d->cats[c].name));
      return 0;
    }
  FILE *f = staged_open(o, "labelmap.txt", e);
  if (!f) return -1;
  fputs("# label:color_rgb:parts:actions\n", f);
  uint8_t rgb[3];
  if (bg_first) {
    labelmap_voc_color(0, rgb);
    fputs("background:0,0,0::\n", f);
  }
  for (uint32_t c = 0; c < d->ncats; c++) {
    labelmap_voc_color((int)c + bg_first, rgb);
    fprintf(f, "%s:%d,%d,%d:", strpool_get(&d->str, d->cats[c].name), rgb[0], rgb[1], rgb[2]);
    /* parts: categories of boxes nested under a box of c (each name once) */
    int nparts = 0;
    for (uint32_t p = 0; p < d->ncats; p++) {
      int used = 0;
      for (uint32_t it = 0; it < d->nitems && !used; it++)
        for (uint32_t k = start[it]; k < start[it + 1] && !used; k++) {
          uint32_t i = order[k];
          if (d->type[i] != ANN_BOX || d->cat[i] != (int32_t)p) continue;
          int64_t par = part_parent(d, order + start[it], start[it + 1] - start[it], i);
          used = par >= 0 && d->cat[par] == (int32_t)c;
        }
      if (used) fprintf(f, "%s%s", nparts++ ? "," : "", strpool_get(&d->str, d->cats[p].name));
    }
    fputc(':', f);
    int nacts = 0;
    for (size_t a = 0; a < sizeof voc_actions / sizeof *voc_actions; a++) {
      int used = 0;
      for (uint32_t i = 0; i < d->nann && !used; i++)
        if (d->cat[i] == (int32_t)c && d->type[i] == ANN_BOX) {
          const Attr *at = field_attr(d, i, voc_actions[a]);
          used = at && at->kind == ATTR_BOOL;
        }
      if (used) fprintf(f, "%s%s", nacts++ ? "," : "", voc_actions[a]);
    }
    fputc('\n', f);
  }
  return staged_close(f, "labelmap.txt", e);
}

/* ImageSets/Main/<subset>.txt: the stems of each subset's items, one a line
 * (subset names that would not read back as one, with '_' or '/', are left out). */
static int put_image_sets(Staged *o, const Dataset *d, char *const *stems, Err *e) {
  StrId done[64];
  int ndone = 0;
  for (uint32_t i = 0; i < d->nitems && ndone < 64; i++) {
    StrId s = d->items[i].subset;
    int k = 0;
    while (k < ndone && done[k] != s) k++;
    if (!s || k < ndone) continue;
    done[ndone++] = s;
    const char *name = strpool_get(&d->str, s);
    if (strchr(name, '_') || strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) continue;
    char rel[300];
    snprintf(rel, sizeof rel, "ImageSets/Main/%s.txt", name);
    FILE *f = staged_open(o, rel, e);
    if (!f) return -1;
    for (uint32_t j = i; j < d->nitems; j++) {
      if (d->items[j].subset != s) continue;
      fprintf(f, "%s\n", stems[j]);
    }
    if (staged_close(f, rel, e) != 0) return -1;
  }
  return 0;
}

/* A folder: Annotations/<name>.xml per item (empty items too, so they survive),
 * labelmap.txt, and SegmentationClass/<name>.png for items with masks. */
int voc_write(const Dataset *d, const char *path, Diag *g, Err *e) {
  Staged o;
  if (staged_begin(&o, path, 1, e) != 0) return -1;
  uint32_t *start = NULL, *order = NULL;
  int *value = NULL;
  char *rel = NULL, *xmlrel = NULL;
  char **stems = NULL;   /* each item's file name in Annotations/, for ImageSets */
  uint16_t *px = NULL;
  int rc = -1;
  if (field_by_item(d, &start, &order, e) != 0 || !(stems = err_calloc(e, d->nitems + 1, sizeof *stems))) goto done;
  int has_masks = 0;
  for (uint32_t i = 0; i < d->nann && !has_masks; i++) has_masks = d->type[i] == ANN_MASK;
  int bg = has_masks && dataset_category_by_name(d, "background") < 0;
  value = err_calloc(e, d->ncats + 1, sizeof *value);
  if (!value) goto done;
  uint16_t bgval = 0;
  for (uint32_t c = 0; c < d->ncats; c++) {
    value[c] = (int)c + bg;
    if (strcmp(strpool_get(&d->str, d->cats[c].name), "background") == 0) bgval = (uint16_t)value[c];
  }
  if (put_labelmap(&o, d, start, order, bg, g, e) != 0) goto done;
  for (uint32_t it = 0; it < d->nitems; it++) {
    const Item *item = &d->items[it];
    const char *fname = strpool_get(&d->str, item->file);
    rel = folder_safe_rel(*fname ? fname : "item", e);
    if (!rel) goto done;
    char *dot = strrchr(rel, '.');
    if (dot && !strchr(dot, '/')) *dot = '\0';
    free(xmlrel);
    xmlrel = err_malloc(e, strlen(rel) + 48);
    if (!xmlrel) goto done;
    sprintf(xmlrel, "Annotations/%s.xml", rel);
    char *full = folder_join(o.tmp, xmlrel, e);
    if (!full) goto done;
    int taken = folder_kind(full) >= 0;
    free(full);
    if (taken) {   /* two items with one stem (a.jpg, a.png): the later gets its id */
      diag_warn(g, "renamed: duplicate file stem", "%s: written as %s_%lld.xml", fname, rel, (long long)item->id);
      sprintf(xmlrel, "Annotations/%s_%lld.xml", rel, (long long)item->id);
      char *nr = err_malloc(e, strlen(rel) + 24);
      if (!nr) goto done;
      sprintf(nr, "%s_%lld", rel, (long long)item->id);
      free(rel);
      rel = nr;
    }
    const uint32_t *anns = order + start[it];
    uint32_t n = start[it + 1] - start[it];
    uint32_t mw = 0, mh = 0;
    if (labelimg_paint_item(d, anns, n, it, value, bgval, &px, &mw, &mh, g, e) != 0) goto done;
    FILE *f = staged_open(&o, xmlrel, e);
    if (!f) goto done;
    fputs("<annotation>\n  <filename>", f);
    xmlio_escape(f, fname);
    fputs("</filename>\n", f);
    if (item->width > 0 && item->height > 0)
      fprintf(f, "  <size>\n    <width>%d</width>\n    <height>%d</height>\n    <depth>3</depth>\n  </size>\n",
              (int)item->width, (int)item->height);
    fprintf(f, "  <segmented>%d</segmented>\n", px != NULL);
    for (uint32_t k = 0; k < n; k++) {
      uint32_t i = anns[k];
      if (!writable_box(d, i, g)) continue;
      if (part_parent(d, anns, n, i) >= 0) continue;   /* written inside its parent */
      put_object(f, d, i, anns, n, 0);
    }
    fputs("</annotation>\n", f);
    if (staged_close(f, xmlrel, e) != 0) goto done;
    if (px) {
      char *pngrel = err_malloc(e, strlen(rel) + 32);
      if (!pngrel) goto done;
      sprintf(pngrel, "SegmentationClass/%s.png", rel);
      FILE *pf = staged_open(&o, pngrel, e);
      int ok = pf && pngmask_write(pf, pngrel, px, mw, mh, e) == 0;
      if (pf && staged_close(pf, pngrel, ok ? e : NULL) != 0) ok = 0;
      free(pngrel);
      free(px);
      px = NULL;
      if (!ok) goto done;
    }
    stems[it] = rel;
    rel = NULL;
  }
  if (put_image_sets(&o, d, stems, e) != 0) goto done;
  rc = staged_commit(&o, e);
done:
  if (rc != 0) staged_abort(&o);
  free(start);
  free(order);
  free(value);
  free(rel);
  for (uint32_t i = 0; stems && i < d->nitems; i++) free(stems[i]);
  free(stems);
  free(xmlrel);
  free(px);
  return rc;
}
