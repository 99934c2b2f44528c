/* COCO JSON writer (dataset files and results arrays) and the two format tables.
 * Numbers are printed shortest-exact, so COCO -> model -> COCO keeps each value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "json_write.h"
#include "rle.h"

typedef struct CocoOut {
  const Dataset *d;
  FILE *f;
  Diag *g;
  int results;
  int64_t next_id;     /* for annotations without an id */
  double *pts;         /* scratch: polygon points of an rbox */
} CocoOut;

/* Bounding box of the points of the non-hole parts; NaN when none. */
static void points_bbox(const double *xy, const int32_t *parts, uint32_t nparts, double b[4]) {
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  size_t o = 0;
  for (uint32_t p = 0; p < nparts; p++) {
    size_t n = (size_t)abs(parts[p]);
    if (parts[p] > 0) {
      for (size_t j = o; j < o + n; j++) {
        x0 = fmin(x0, xy[2 * j]);
        x1 = fmax(x1, xy[2 * j]);
        y0 = fmin(y0, xy[2 * j + 1]);
        y1 = fmax(y1, xy[2 * j + 1]);
      }
    }
    o += n;
  }
  if (x0 > x1) {
    b[0] = b[1] = b[2] = b[3] = NAN;
    return;
  }
  b[0] = x0;
  b[1] = y0;
  b[2] = x1 - x0;
  b[3] = y1 - y0;
}

/* Area of the polygon parts by the shoelace formula, holes subtracted. (COCO's own
 * areas come from rasterised masks; they are kept when the input has them.) */
static double points_area(const double *xy, const int32_t *parts, uint32_t nparts) {
  double total = 0;
  size_t o = 0;
  for (uint32_t p = 0; p < nparts; p++) {
    size_t n = (size_t)abs(parts[p]);
    double s = 0;
    for (size_t j = 0; j < n; j++) {
      const double *a = xy + 2 * (o + j), *b = xy + 2 * (o + (j + 1) % n);
      s += a[0] * b[1] - b[0] * a[1];
    }
    total += (parts[p] > 0 ? 1 : -1) * fabs(s) / 2;
    o += n;
  }
  return total;
}

/* Box and area of a mask from its runs (column-major, height h). */
static void rle_bbox_area(const uint32_t *r, uint32_t n, double h, double b[4], double *area) {
  uint64_t pos = 0, a = 0, H = (uint64_t)h;
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (uint32_t i = 0; i < n; i++) {
    if (i % 2 && r[i] && H) {
      uint64_t s = pos, e = pos + r[i] - 1;
      double xs = (double)(s / H), xe = (double)(e / H);
      x0 = fmin(x0, xs);
      x1 = fmax(x1, xe);
      if (xs == xe) {
        y0 = fmin(y0, (double)(s % H));
        y1 = fmax(y1, (double)(e % H));
      } else {
        y0 = 0;
        y1 = h - 1;
      }
      a += r[i];
    }
    pos += r[i];
  }
  *area = (double)a;
  if (x0 > x1) {
    b[0] = b[1] = b[2] = b[3] = 0;
    return;
  }
  b[0] = x0;
  b[1] = y0;
  b[2] = x1 - x0 + 1;
  b[3] = y1 - y0 + 1;
}

/* "segmentation": polygons of the non-hole parts, or an RLE object. */
static void write_polygons(CocoOut *o, uint32_t i, const double *xy, const int32_t *parts, uint32_t np) {
  fputc('[', o->f);
  size_t off = 0;
  int first = 1;
  for (uint32_t p = 0; p < np; p++) {
    size_t n = (size_t)abs(parts[p]);
    if (parts[p] > 0) {
      if (!first) fputc(',', o->f);
      json_out_nums(o->f, xy + 2 * off, 2 * n);
      first = 0;
    } else {
      char where[300];
      dataset_source(o->d, i, where, sizeof where);
      diag_warn(o->g, "dropped: polygon holes", "%s: COCO polygons cannot hold holes", where);
    }
    off += n;
  }
  fputc(']', o->f);
}

static int write_rle(CocoOut *o, const uint32_t *r, uint32_t n, double h, double w, int compressed, Err *e) {
  fputs("{\"size\":[", o->f);
  json_out_num(o->f, h);
  fputc(',', o->f);
  json_out_num(o->f, w);
  fputs("],\"counts\":", o->f);
  if (compressed) {
    char *s = rle_to_string(r, n, e);
    if (!s) return -1;
    json_out_str(o->f, s);
    free(s);
  } else {
    fputc('[', o->f);
    for (uint32_t k = 0; k < n; k++) fprintf(o->f, k ? ",%u" : "%u", r[k]);
    fputc(']', o->f);
  }
  fputc('}', o->f);
  return 0;
}

/* The four corners of rotated box (cx, cy, w, h, angle in degrees clockwise). */
static void rbox_corners(const double *g, double out[8]) {
  double a = g[4] * 3.14159265358979323846 / 180, c = cos(a), s = sin(a);
  static const double sx[4] = {-1, 1, 1, -1}, sy[4] = {-1, -1, 1, 1};
  for (int k = 0; k < 4; k++) {
    double dx = sx[k] * g[2] / 2, dy = sy[k] * g[3] / 2;
    out[2 * k] = g[0] + dx * c - dy * s;
    out[2 * k + 1] = g[1] + dx * s + dy * c;
  }
}

static void write_attrs(CocoOut *o, uint32_t i, const char *text) {
  uint32_t n = o->d->a_n[i];
  if (!n && !text) return;
  const Attr *at = n ? o->d->attrs.v + o->d->a_off[i] : NULL;   /* no NULL + 0 */
  const StrPool *sp = &o->d->str;
  json_out_key(o->f, 1, "attributes");
  fputc('{', o->f);
  for (uint32_t k = 0; k < n; k++) {
    json_out_key(o->f, k > 0, strpool_get(sp, at[k].key));
    if (at[k].kind == ATTR_STRING) json_out_str(o->f, strpool_get(sp, at[k].str));
    else if (at[k].kind == ATTR_BOOL) fputs(at[k].num != 0 ? "true" : "false", o->f);
    else json_out_num(o->f, at[k].num);
  }
  if (text) {
    json_out_key(o->f, n > 0, "text");
    json_out_str(o->f, text);
  }
  fputc('}', o->f);
}

/* Whether annotation i has an attribute named key (the reader takes the
 * annotator from "attributes.annotator" when there is no "annotator"; the
 * attributes then carry it back). */
static int attrs_have(const Dataset *d, uint32_t i, const char *key) {
  if (!d->a_n[i]) return 0;   /* the pool may be NULL: no NULL + 0 */
  const Attr *at = d->attrs.v + d->a_off[i];
  for (uint32_t k = 0; k < d->a_n[i]; k++)
    if (strcmp(strpool_get(&d->str, at[k].key), key) == 0) return 1;
  return 0;
}

/* 1 (with a warning) when COCO cannot hold annotation i: polylines, tags, no
 * category, cuboids without their 8 corners. */
static int dropped(CocoOut *o, uint32_t i) {
  const Dataset *d = o->d;
  uint8_t type = d->type[i];
  if (!(type == ANN_POLYLINE || type == ANN_TAG || d->cat[i] < 0 || (type == ANN_CUBOID && d->g_n[i] < 16)))
    return 0;
  char where[300];
  dataset_source(d, i, where, sizeof where);
  if (d->cat[i] < 0)
    diag_warn(o->g, "dropped: no category", "%s: COCO needs a category_id", where);
  else if (type == ANN_TAG)
    diag_warn(o->g, "dropped: tag", "%s: COCO cannot hold image tags", where);
  else
    diag_warn(o->g, type == ANN_POLYLINE ? "dropped: polyline" : "dropped: cuboid",
              "%s: COCO cannot hold a %s", where, type == ANN_POLYLINE ? "polyline" : "cuboid without its 8 corners");
  return 1;
}

/* What annotation i's geometry becomes in COCO: its points (a rotated box as its
 * corners), polygon parts, box and area, computed where the model lacks them. */
typedef struct CocoGeom {
  const double *g;
  const int32_t *parts;
  uint32_t ng, np;
  double b[4], area;
  int as_polygon;
} CocoGeom;

static void geometry(CocoOut *o, uint32_t i, CocoGeom *s) {
  const Dataset *d = o->d;
  static const int32_t four = 4;
  uint8_t type = d->type[i];
  s->g = d->coords.v + d->g_off[i];
  s->ng = d->g_n[i];
  s->np = d->p_n[i];
  s->parts = d->parts.v + d->p_off[i];
  s->area = d->area[i];
  memcpy(s->b, &d->bbox[4 * (size_t)i], sizeof s->b);
  s->as_polygon = type == ANN_POLYGON || type == ANN_RBOX || (type == ANN_TEXT && s->ng == 8);
  if (type == ANN_RBOX) {
    char where[300];
    rbox_corners(s->g, o->pts);
    s->g = o->pts;
    s->parts = &four;
    s->np = 1;
    dataset_source(d, i, where, sizeof where);
    diag_warn(o->g, "rbox written as polygon", "%s: COCO has no rotated box", where);
  } else if (type == ANN_TEXT && s->ng == 8) {
    s->parts = &four;
    s->np = 1;
  }
  double *b = s->b;
  const double *g = s->g;
  if (s->as_polygon && isnan(b[0])) points_bbox(g, s->parts, s->np, b);
  if (s->as_polygon && isnan(s->area)) s->area = points_area(g, s->parts, s->np);
  if (type == ANN_MASK && (isnan(b[0]) || isnan(s->area))) {
    double rb[4], ra;
    rle_bbox_area(d->rle.v + d->r_off[i], d->r_n[i], g[0], rb, &ra);
    if (isnan(b[0])) memcpy(b, rb, sizeof rb);
    if (isnan(s->area)) s->area = ra;
  }
  if ((type == ANN_KEYPOINTS || type == ANN_CUBOID) && isnan(b[0])) {   /* labelled keypoints; corners */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    uint32_t stride = type == ANN_CUBOID ? 2 : 3, end = type == ANN_CUBOID ? 16 : s->ng;
    for (uint32_t k = 0; k + stride - 1 < end; k += stride) {
      if (stride == 3 && g[k + 2] <= 0) continue;
      x0 = fmin(x0, g[k]); x1 = fmax(x1, g[k]);
      y0 = fmin(y0, g[k + 1]); y1 = fmax(y1, g[k + 1]);
    }
    if (x0 <= x1) {
      b[0] = x0; b[1] = y0; b[2] = x1 - x0; b[3] = y1 - y0;
    }
  }
  if (isnan(s->area) && !isnan(b[0])) s->area = b[2] * b[3];
}

/* "segmentation": polygons, an RLE, a keypoint object's own mask, or [] (dataset files). */
static int write_segmentation(CocoOut *o, uint32_t i, const CocoGeom *s, Err *e) {
  const Dataset *d = o->d;
  FILE *f = o->f;
  uint8_t type = d->type[i];
  if (s->as_polygon) {
    json_out_key(f, 1, "segmentation");
    write_polygons(o, i, s->g, s->parts, s->np);
  } else if (type == ANN_MASK) {
    json_out_key(f, 1, "segmentation");
    return write_rle(o, d->rle.v + d->r_off[i], d->r_n[i], s->g[0], s->g[1], d->flags[i] & ANN_FLAG_RLE_COMPRESSED, e);
  } else if (type == ANN_KEYPOINTS && d->s_n[i]) {
    json_out_key(f, 1, "segmentation");
    const double *sg = d->seg.v + d->s_off[i];
    if (d->r_n[i])
      return write_rle(o, d->rle.v + d->r_off[i], d->r_n[i], sg[0], sg[1], d->flags[i] & ANN_FLAG_RLE_COMPRESSED, e);
    write_polygons(o, i, sg, s->parts, s->np);
  } else if (!o->results) {
    json_out_key(f, 1, "segmentation");
    fputs("[]", f);
  }
  return 0;
}

/* What follows the geometry: cuboid corners, keypoints, score, annotator, attributes. */
static void write_extras(CocoOut *o, uint32_t i, const CocoGeom *s) {
  const Dataset *d = o->d;
  FILE *f = o->f;
  uint8_t type = d->type[i];
  char where[300];
  if (type == ANN_CUBOID) {   /* annovet's extension; pycocotools reads the bbox */
    json_out_key(f, 1, "cuboid");
    json_out_nums(f, s->g, 16);
    if (s->ng >= 23) {
      json_out_key(f, 1, "cuboid_3d");
      json_out_nums(f, s->g + 16, 7);
    }
  }
  if (type == ANN_KEYPOINTS) {
    int64_t labelled = 0;
    for (uint32_t k = 2; k < s->ng; k += 3) labelled += s->g[k] > 0;
    json_out_key(f, 1, "keypoints");
    json_out_nums(f, s->g, s->ng);
    json_out_key(f, 1, "num_keypoints");
    json_out_int(f, isnan(d->aux[i]) ? labelled : (int64_t)d->aux[i]);   /* the file's, when it gave one */
  }
  if (!isnan(d->score[i])) {
    json_out_key(f, 1, "score");
    json_out_num(f, d->score[i]);
  } else if (o->results) {
    dataset_source(d, i, where, sizeof where);
    diag_warn(o->g, "result without a score", "%s: written without \"score\"", where);
  }
  if (d->annotator[i] >= 0 && !attrs_have(d, i, "annotator")) {   /* not in COCO proper; pycocotools ignores it */
    json_out_key(f, 1, "annotator");
    json_out_str(f, strpool_get(&d->str, d->annotators[d->annotator[i]]));
  }
  const char *text = type == ANN_TEXT ? strpool_get(&d->str, d->text[i]) : NULL;
  if (type == ANN_TEXT) {
    dataset_source(d, i, where, sizeof where);
    diag_warn(o->g, "text written as a box with a \"text\" attribute", "%s: COCO has no text regions", where);
  }
  write_attrs(o, i, text);
}

/* Writes annotation i (as one JSON object on its line); 0 when dropped. */
static int write_annotation(CocoOut *o, uint32_t i, int first, Err *e) {
  const Dataset *d = o->d;
  if (dropped(o, i)) return 0;
  CocoGeom s;
  geometry(o, i, &s);
  FILE *f = o->f;
  fputs(first ? "\n{" : ",\n{", f);
  int c = 0;
  if (!o->results) {
    json_out_key(f, c++, "id");
    json_out_int(f, d->id[i] != ANN_NO_ID ? d->id[i] : o->next_id++);
  }
  json_out_key(f, c++, "image_id");
  json_out_int(f, d->items[d->item[i]].id);
  json_out_key(f, c++, "category_id");
  json_out_int(f, d->cats[d->cat[i]].id);
  if (write_segmentation(o, i, &s, e) != 0) return -1;
  if (!isnan(s.area)) {
    json_out_key(f, 1, "area");
    json_out_num(f, s.area);
  }
  if (!isnan(s.b[0])) {
    json_out_key(f, 1, "bbox");
    json_out_nums(f, s.b, 4);
  }
  if (!o->results || d->iscrowd[i]) {
    json_out_key(f, 1, "iscrowd");
    json_out_int(f, d->iscrowd[i]);
  }
  write_extras(o, i, &s);
  fputc('}', f);
  return 1;
}

static void write_categories(CocoOut *o) {
  const Dataset *d = o->d;
  fputs("\"categories\":[", o->f);
  for (uint32_t c = 0; c < d->ncats; c++) {
    const Category *k = &d->cats[c];
    fputs(c ? ",\n{" : "\n{", o->f);
    json_out_key(o->f, 0, "id");
    json_out_int(o->f, k->id);
    json_out_key(o->f, 1, "name");
    json_out_str(o->f, strpool_get(&d->str, k->name));
    json_out_key(o->f, 1, "supercategory");
    json_out_str(o->f, strpool_get(&d->str, k->supercategory));
    if (k->nkp || k->nsk) {
      json_out_key(o->f, 1, "keypoints");
      fputc('[', o->f);
      for (uint32_t j = 0; j < k->nkp; j++) {
        if (j) fputc(',', o->f);
        json_out_str(o->f, strpool_get(&d->str, k->kp_names[j]));
      }
      fputs("],", o->f);
      json_out_key(o->f, 0, "skeleton");
      fputc('[', o->f);
      for (uint32_t j = 0; j < k->nsk; j++)   /* COCO's skeleton is 1-based */
        fprintf(o->f, j ? ",[%d,%d]" : "[%d,%d]", k->skeleton[2 * j] + 1, k->skeleton[2 * j + 1] + 1);
      fputc(']', o->f);
    }
    fputc('}', o->f);
  }
  fputs("\n]", o->f);
}

static void write_images(CocoOut *o) {
  const Dataset *d = o->d;
  fputs("\"images\":[", o->f);
  for (uint32_t i = 0; i < d->nitems; i++) {
    const Item *it = &d->items[i];
    fputs(i ? ",\n{" : "\n{", o->f);
    json_out_key(o->f, 0, "id");
    json_out_int(o->f, it->id);
    json_out_key(o->f, 1, "file_name");
    json_out_str(o->f, strpool_get(&d->str, it->file));
    json_out_key(o->f, 1, "width");
    json_out_int(o->f, it->width);
    json_out_key(o->f, 1, "height");
    json_out_int(o->f, it->height);
    fputc('}', o->f);
  }
  fputs("\n]", o->f);
}

int coco_write(const Dataset *d, const char *path, int results, Diag *g, Err *e) {
  FormatOut out;
  CocoOut o = {d, NULL, g, results, 1, NULL};
  for (uint32_t i = 0; i < d->nann; i++)
    if (d->id[i] != ANN_NO_ID && d->id[i] >= o.next_id) o.next_id = d->id[i] + 1;
  if (!(o.pts = err_malloc(e, 8 * sizeof *o.pts))) return -1;
  if (format_out_open(&out, path, e) != 0) {
    free(o.pts);
    return -1;
  }
  o.f = out.f;
  if (results) {
    fputc('[', o.f);
  } else {
    fputc('{', o.f);
    write_images(&o);
    fputs(",\n", o.f);
    write_categories(&o);
    fputs(",\n\"annotations\":[", o.f);
  }
  int first = 1;
  for (uint32_t i = 0; i < d->nann; i++) {
    int rc = write_annotation(&o, i, first, e);
    if (rc < 0) {
      free(o.pts);
      format_out_abort(&out);
      return -1;
    }
    if (rc) first = 0;
  }
  fputs(results ? "\n]\n" : "\n]}\n", o.f);
  free(o.pts);
  return format_out_commit(&out, path, e);
}

/* ---- registry entries ---- */

/* Skips blanks and a UTF-8 byte-order mark; the first significant byte or 0. */
static char first_byte(const char *head, size_t n, size_t *at) {
  size_t p = n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  while (p < n && strchr(" \t\r\n", head[p])) p++;
  *at = p;
  return p < n ? head[p] : 0;
}

/* Whether needle occurs in the n bytes of head (which need not end in NUL). */
static int has(const char *head, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(head + i, needle, k) == 0) return 1;
  return 0;
}

static int detect_coco(const char *path, int is_dir, const char *head, size_t n) {
  (void)path;
  size_t at;
  if (is_dir || first_byte(head, n, &at) != '{') return 0;
  if (has(head, n, "\"images\"") || has(head, n, "\"annotations\"") || has(head, n, "\"categories\"")) return 80;
  return 5;
}

static int detect_coco_results(const char *path, int is_dir, const char *head, size_t n) {
  (void)path;
  size_t at;
  if (is_dir || first_byte(head, n, &at) != '[') return 0;
  if (has(head, n, "\"image_id\"") && !has(head, n, "\"annotations\"") && !has(head, n, "\"data\"")) return 80;
  return 0;
}

static int write_instances(const Dataset *d, const char *path, Diag *g, Err *e) {
  return coco_write(d, path, 0, g, e);
}

static int write_results(const Dataset *d, const char *path, Diag *g, Err *e) {
  return coco_write(d, path, 1, g, e);
}

const Format fmt_coco = {
  "coco", "COCO JSON (instances, keypoints)", detect_coco, coco_read, write_instances,
};

const Format fmt_coco_results = {
  "coco-results", "COCO results (an array of detections with scores)", detect_coco_results,
  coco_read, write_results,
};
