/* YOLO TXT writer, Ultralytics layout: data.yaml (names as a map from class
 * index, nc, kpt_shape when there are keypoints), one labels/[subset/]<name>.txt
 * per item, and an image list per subset (<subset>.txt, or images.txt: one
 * "./images/[subset/]<name>.<ext>" line per item, the path Ultralytics looks for
 * the image at, so the item keeps its image name and extension when read back).
 * YOLO holds labels only: images are not copied and their sizes have no place
 * (coordinates are normalised); both are warned per item, with the items
 * whose file name changes (YOLO finds an image by its label's path).
 *
 * Class index: the category id when the dataset was read from YOLO, else the
 * category's position. Lines: box -> "c cx cy w h" (+ score when there is one);
 * rbox -> OBB "c x1 y1 ... x4 y4" (its corners); polygon -> "c x1 y1 ..." per
 * outer part (holes dropped, warned); keypoints -> "c cx cy w h x y v ..." (all
 * keypoints annotations need one count: kpt_shape). Masks, polylines, cuboids,
 * tags and text have no YOLO form: dropped, warned. Coordinates are divided by
 * the item's size and printed shortest-exact; an item of unknown size keeps
 * its coordinates when the dataset came from YOLO (they are normalised
 * already) and loses its annotations, warned, otherwise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "folder.h"
#include "staged.h"
#include "numfmt.h"
#include "yolo.h"

static void put_num(FILE *f, double v) {
  char buf[NUMFMT_MAX];
  if (num_fmt(buf, v, 0) < 0) buf[0] = '0', buf[1] = '\0';
  fputc(' ', f);
  fputs(buf, f);
}

/* Writes s as a YAML double-quoted scalar. */
static void put_yaml_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p < 0x20) fprintf(f, "\\x%02x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

/* The label file of an item: its image path with images/ turned into labels/,
 * or labels/[subset/]<base>; always ending .txt. */
static char *label_rel(const Dataset *d, const Item *it, Err *e) {
  const char *file = strpool_get(&d->str, it->file);
  char *safe = folder_safe_rel(*file ? file : "item", e);
  if (!safe) return NULL;
  char *dot = strrchr(safe, '.');
  if (dot && !strchr(dot, '/')) *dot = '\0';
  const char *sub = strpool_get(&d->str, it->subset);
  char *at = NULL;
  for (char *p = safe; (p = strstr(p, "images/")) != NULL; p++)
    if (p == safe || p[-1] == '/') at = p;
  size_t n = strlen(safe) + strlen(sub) + 32;
  char *out = err_malloc(e, n);
  if (out) {
    if (at) {
      memcpy(at, "labels", 6);
      snprintf(out, n, "%s.txt", safe);
    } else {
      const char *b = folder_base(safe);
      snprintf(out, n, "labels/%s%s%s.txt", sub, *sub ? "/" : "", b);
    }
    char *s2 = folder_safe_rel(out, e);
    free(out);
    out = s2;
  }
  free(safe);
  return out;
}

/* Class indices of the categories; -1 in *maxc when there are none. */
static int *class_index(const Dataset *d, int64_t *maxc, Err *e) {
  int *cls = err_calloc(e, d->ncats + 1, sizeof *cls);
  if (!cls) return NULL;
  int by_id = strcmp(strpool_get(&d->str, d->format), "yolo") == 0;
  for (uint32_t c = 0; c < d->ncats && by_id; c++) by_id = d->cats[c].id >= 0 && d->cats[c].id < 1000000;
  *maxc = -1;
  for (uint32_t c = 0; c < d->ncats; c++) {
    cls[c] = by_id ? (int)d->cats[c].id : (int)c;
    if (cls[c] > *maxc) *maxc = cls[c];
  }
  return cls;
}

/* An image list of the folder: one subset's (or, named "images", the items
 * without one), written as <name>.txt with a "./images/..." line per item. */
typedef struct ImageList {
  StrId subset;
  char *name;          /* the list's file name without .txt */
  char *text;          /* its lines */
  size_t len, cap;
} ImageList;

/* data.yaml: path, a key per subset (its image list, else its images/ folder),
 * nc, names as a map, kpt_shape. */
static void put_yaml(FILE *f, const Dataset *d, const int *cls, int64_t maxc, uint32_t kpts,
                     const ImageList *lists, size_t nlists) {
  fputs("# YOLO dataset written by annovet (Ultralytics layout): labels only; put the images at\n"
        "# the paths the image lists (<subset>.txt) name, images/[subset/] beside labels/\npath: .\n", f);
  /* each subset as a key (Ultralytics reads train, val and test); beside them,
   * the list of the items without a subset under its own name, which
   * Ultralytics ignores and annovet's reader reads as it reads any list */
  int any = 0, subsets = 0;
  for (size_t k = 0; k < nlists; k++) subsets |= lists[k].subset != 0;
  for (size_t k = 0; k < nlists; k++) {
    if (!lists[k].subset && !subsets) continue;
    size_t n = strlen(lists[k].name) + 8;
    char *val = malloc(n);
    if (val) {
      snprintf(val, n, "%s.txt", lists[k].name);
      put_yaml_str(f, lists[k].subset ? strpool_get(&d->str, lists[k].subset) : lists[k].name);
      fputs(": ", f);
      put_yaml_str(f, val);
      fputc('\n', f);
      any = 1;
    }
    free(val);
  }
  if (!any) fputs(nlists ? "train: images.txt\nval: images.txt\n" : "train: images\nval: images\n", f);
  fprintf(f, "nc: %lld\nnames:\n", (long long)(maxc + 1));
  for (uint32_t c = 0; c < d->ncats; c++) {
    fprintf(f, "  %d: ", cls[c]);
    put_yaml_str(f, strpool_get(&d->str, d->cats[c].name));
    fputc('\n', f);
  }
  if (kpts) fprintf(f, "kpt_shape: [%u, 3]\n", kpts);
}

/* Where the reader (and Ultralytics) looks for the image of label file rel: its
 * last labels/ folder turned into images/, and ext (".jpg", or "") in place of
 * .txt. malloc'd. */
static char *image_rel(const char *rel, const char *ext, Err *e) {
  size_t n = strlen(rel) - 4;   /* without .txt */
  char *out = err_malloc(e, n + strlen(ext) + 1);
  if (!out) return NULL;
  memcpy(out, rel, n);
  strcpy(out + n, ext);
  char *at = NULL;
  for (char *p = out; (p = strstr(p, "labels/")) != NULL; p++)
    if (p == out || p[-1] == '/') at = p;
  if (at) memcpy(at, "images", 6);
  return out;
}

/* The extension of file name s (".jpg"), or "" when its last part has none. */
static const char *file_ext(const char *s) {
  const char *dot = strrchr(folder_base(s), '.');
  return dot && dot != folder_base(s) ? dot : "";
}

/* The image list of subset sub, added when new; NULL with e set on failure. */
static ImageList *list_of(const Dataset *d, StrId sub, ImageList **lists, size_t *n, Err *e) {
  for (size_t k = 0; k < *n; k++)
    if ((*lists)[k].subset == sub) return &(*lists)[k];
  ImageList *l = err_realloc(e, *lists, *n + 1, sizeof *l);
  if (!l) return NULL;
  *lists = l;
  l = &l[*n];
  memset(l, 0, sizeof *l);
  l->subset = sub;
  char *name = folder_safe_rel(sub ? strpool_get(&d->str, sub) : "images", e);
  if (!name) return NULL;
  for (char *p = name; *p; p++)
    if (*p == '/') *p = '_';
  size_t m = strlen(name) + 24;
  if (!(l->name = err_malloc(e, m))) {
    free(name);
    return NULL;
  }
  snprintf(l->name, m, "%s", name);
  for (size_t k = 0; k < *n; k++)   /* "a/b" and "a_b", or a subset named "images" */
    if (strcmp((*lists)[k].name, l->name) == 0) {
      snprintf(l->name, m, "%s_%zu", name, *n + 1);
      k = (size_t)-1;
    }
  free(name);
  (*n)++;
  return l;
}

/* Appends "./img" to the image list of subset sub. */
static int list_add(const Dataset *d, StrId sub, const char *img, ImageList **lists, size_t *n, Err *e) {
  ImageList *l = list_of(d, sub, lists, n, e);
  if (!l) return -1;
  size_t need = l->len + strlen(img) + 4;
  if (need > l->cap) {
    size_t cap = l->cap ? l->cap : 256;
    while (cap < need) cap *= 2;
    char *t = err_realloc(e, l->text, cap, 1);
    if (!t) return -1;
    l->text = t;
    l->cap = cap;
  }
  l->len += (size_t)sprintf(l->text + l->len, "./%s\n", img);
  return 0;
}

/* One annotation as YOLO lines; W, H the item's size (1 when normalised). */
static void put_annotation(FILE *f, const Dataset *d, uint32_t i, int c, double W, double H,
                           uint32_t kpts, Diag *g) {
  char where[300];
  dataset_source(d, i, where, sizeof where);
  const double *co = &d->coords.v[d->g_off[i]];
  const double *b = &d->bbox[4 * (size_t)i];
  uint32_t nc = d->g_n[i];
  int boxed = isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) && isfinite(b[3]);
  if (d->type[i] != ANN_BOX && !isnan(d->score[i]))
    diag_warn(g, "dropped: score", "%s: YOLO keeps a score only on boxes", where);
  if (d->iscrowd[i]) diag_warn(g, "dropped: iscrowd", "%s: YOLO has no crowd flag", where);
  if (d->annotator[i] >= 0) diag_warn(g, "dropped: annotator", "%s: YOLO has no annotator", where);
  if (d->a_n[i]) diag_warn(g, "dropped: attributes", "%s: YOLO has no attributes", where);
  switch (d->type[i]) {
  case ANN_BOX:
    if (!boxed) {
      diag_warn(g, "dropped: box without coordinates", "%s", where);
      return;
    }
    fprintf(f, "%d", c);
    put_num(f, (b[0] + b[2] / 2) / W);
    put_num(f, (b[1] + b[3] / 2) / H);
    put_num(f, b[2] / W);
    put_num(f, b[3] / H);
    if (!isnan(d->score[i])) put_num(f, d->score[i]);
    fputc('\n', f);
    return;
  case ANN_RBOX: {
    if (nc < 5) return;
    double t = co[4] * 3.14159265358979323846 / 180, ct = cos(t), st = sin(t);
    static const double sx[4] = {-1, 1, 1, -1}, sy[4] = {-1, -1, 1, 1};
    fprintf(f, "%d", c);
    for (int k = 0; k < 4; k++) {   /* corners tl tr br bl, turned clockwise (y down) */
      double dx = sx[k] * co[2] / 2, dy = sy[k] * co[3] / 2;
      put_num(f, (co[0] + dx * ct - dy * st) / W);
      put_num(f, (co[1] + dx * st + dy * ct) / H);
    }
    fputc('\n', f);
    return;
  }
  case ANN_POLYGON: {
    uint32_t off = 0, outer = 0;
    for (uint32_t p = 0; p < d->p_n[i]; p++) {
      int32_t np = d->parts.v[d->p_off[i] + p];
      uint32_t cnt = (uint32_t)(np < 0 ? -np : np);
      if (np < 0) {
        diag_warn(g, "dropped: polygon hole", "%s: YOLO polygons have no holes", where);
      } else if (cnt >= 3 && off + 2 * cnt <= nc) {
        if (outer++ == 1) diag_warn(g, "split: multi-part polygon", "%s: written as one line per part", where);
        fprintf(f, "%d", c);
        for (uint32_t k = 0; k < cnt; k++) {
          put_num(f, co[off + 2 * k] / W);
          put_num(f, co[off + 2 * k + 1] / H);
        }
        fputc('\n', f);
      }
      off += 2 * cnt;
    }
    return;
  }
  case ANN_KEYPOINTS: {
    uint32_t n = nc / 3;
    if (n != kpts) {
      diag_warn(g, "dropped: keypoints of another count", "%s: %u keypoints, the file's kpt_shape is %u", where, n, kpts);
      return;
    }
    double bb[4];
    if (boxed) {
      memcpy(bb, b, sizeof bb);
    } else {   /* the labelled points' extent */
      double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
      for (uint32_t k = 0; k < n; k++)
        if (co[3 * k + 2] != 0)
          x0 = fmin(x0, co[3 * k]), x1 = fmax(x1, co[3 * k]), y0 = fmin(y0, co[3 * k + 1]), y1 = fmax(y1, co[3 * k + 1]);
      if (x0 > x1) x0 = x1 = y0 = y1 = 0;
      bb[0] = x0, bb[1] = y0, bb[2] = x1 - x0, bb[3] = y1 - y0;
    }
    fprintf(f, "%d", c);
    put_num(f, (bb[0] + bb[2] / 2) / W);
    put_num(f, (bb[1] + bb[3] / 2) / H);
    put_num(f, bb[2] / W);
    put_num(f, bb[3] / H);
    for (uint32_t k = 0; k < n; k++) {
      put_num(f, co[3 * k] / W);
      put_num(f, co[3 * k + 1] / H);
      put_num(f, co[3 * k + 2]);
    }
    fputc('\n', f);
    return;
  }
  default:
    diag_warn(g, d->type[i] == ANN_MASK ? "dropped: mask" : d->type[i] == ANN_POLYLINE ? "dropped: polyline"
                 : d->type[i] == ANN_CUBOID ? "dropped: cuboid" : d->type[i] == ANN_TAG ? "dropped: tag" : "dropped: text",
              "%s: YOLO has no %s", where, ann_type_name(d->type[i]));
  }
}

/* Says what the folder does not hold about item it, written as label file rel
 * with its image expected at img (listed: in an image list). */
static void warn_item(const Dataset *d, const Item *it, const char *rel, const char *img, int listed, Diag *g) {
  const char *file = strpool_get(&d->str, it->file);
  diag_warn(g, "not written: image files", "%s: YOLO holds labels only; put the image at %s%s", file, img,
            listed ? " (the image list names it)" : "");
  if (it->width > 0 && it->height > 0)
    diag_warn(g, "dropped: image size", "%s: %dx%d; YOLO has no place for sizes: read back without the image, "
              "coordinates stay normalised (0..1)", file, it->width, it->height);
  if (!listed && *file_ext(file))
    diag_warn(g, "dropped: file extension", "%s: %s is not an image extension an image list can name; read back as %s",
              file, file_ext(file), img);
  else if (strcmp(img, file) != 0)
    diag_warn(g, "renamed: item file", "%s: read back as %s (label %s): YOLO finds an image by its label's path",
              file, img, rel);
}

/* One label file per item (empty for items without annotations), an image list
 * per subset naming where each item's image goes, and data.yaml. */
int yolo_write(const Dataset *d, const char *path, Diag *g, Err *e) {
  Staged o;
  if (staged_begin(&o, path, 1, e) != 0) return -1;
  uint32_t *start = NULL, *order = NULL;
  int *cls = NULL;
  char *rel = NULL, *img = NULL;
  ImageList *lists = NULL;
  size_t nlists = 0;
  int rc = -1;
  int64_t maxc;
  FILE *f = NULL;
  if (field_by_item(d, &start, &order, e) != 0 || !(cls = class_index(d, &maxc, e))) goto done;
  int from_yolo = strcmp(strpool_get(&d->str, d->format), "yolo") == 0;
  uint32_t kpts = 0;
  for (uint32_t i = 0; i < d->nann && !kpts; i++)
    if (d->type[i] == ANN_KEYPOINTS) kpts = d->g_n[i] / 3;
  for (uint32_t it = 0; it < d->nitems; it++) {
    const Item *item = &d->items[it];
    free(rel);
    rel = label_rel(d, item, e);
    if (!rel) goto done;
    char *full = folder_join(o.tmp, rel, e);
    if (!full) goto done;
    int taken = folder_kind(full) >= 0;
    free(full);
    if (taken) {
      size_t n = strlen(rel) + 24;
      char *nr = err_malloc(e, n);
      if (!nr) goto done;
      snprintf(nr, n, "%.*s_%lld.txt", (int)(strlen(rel) - 4), rel, (long long)item->id);
      diag_warn(g, "renamed: duplicate file stem", "%s: written as %s", strpool_get(&d->str, item->file), nr);
      free(rel);
      rel = nr;
    }
    free(img);
    const char *file = strpool_get(&d->str, item->file);
    int listed = yolo_is_image(file);
    img = image_rel(rel, listed ? file_ext(file) : "", e);
    if (!img) goto done;
    if (listed && list_add(d, item->subset, img, &lists, &nlists, e) != 0) goto done;
    warn_item(d, item, rel, img, listed, g);
    double W = item->width, H = item->height;
    int known = item->width > 0 && item->height > 0;
    if (!known && !from_yolo && start[it + 1] > start[it]) {
      diag_warn(g, "dropped: item of unknown size", "%s: YOLO coordinates need the image size",
                strpool_get(&d->str, item->file));
    }
    if (!known) W = H = 1;
    f = staged_open(&o, rel, e);
    if (!f) goto done;
    for (uint32_t k = start[it]; k < start[it + 1] && (known || from_yolo); k++) {
      uint32_t i = order[k];
      if (d->cat[i] < 0) {
        char where[300];
        dataset_source(d, i, where, sizeof where);
        diag_warn(g, "dropped: annotation without a label", "%s: a YOLO line needs a class", where);
        continue;
      }
      put_annotation(f, d, i, cls[d->cat[i]], W, H, kpts, g);
    }
    int bad = staged_close(f, rel, e);
    f = NULL;
    if (bad != 0) goto done;
  }
  for (size_t k = 0; k < nlists; k++) {
    free(rel);
    size_t n = strlen(lists[k].name) + 5;
    if (!(rel = err_malloc(e, n))) goto done;
    snprintf(rel, n, "%s.txt", lists[k].name);
    if (!(f = staged_open(&o, rel, e))) goto done;
    fwrite(lists[k].text, 1, lists[k].len, f);
    int bad = staged_close(f, rel, e);
    f = NULL;
    if (bad != 0) goto done;
  }
  if (!(f = staged_open(&o, "data.yaml", e))) goto done;
  put_yaml(f, d, cls, maxc, kpts, lists, nlists);
  int bad = staged_close(f, "data.yaml", e);
  f = NULL;
  if (bad != 0) goto done;
  rc = staged_commit(&o, e);
done:
  if (f) fclose(f);
  for (size_t k = 0; k < nlists; k++) {
    free(lists[k].name);
    free(lists[k].text);
  }
  free(lists);
  if (rc != 0) staged_abort(&o);
  free(start);
  free(order);
  free(cls);
  free(rel);
  free(img);
  return rc;
}
