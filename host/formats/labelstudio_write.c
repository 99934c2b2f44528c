/* Label Studio JSON export writer (one annotation per item and annotator) and the
 * format's registry entry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labelstudio.h"
#include "json_write.h"
#include "labelstudio_brush.h"

#define PI 3.14159265358979323846

typedef struct LsOut {
  const Dataset *d;
  FILE *f;
  Diag *g;
  int nres;            /* results written in the current annotation */
} LsOut;

static const char *S(const LsOut *o, StrId id) { return strpool_get(&o->d->str, id); }

static void warn_ann(LsOut *o, uint32_t i, const char *kind, const char *what) {
  char where[300];
  dataset_source(o->d, i, where, sizeof where);
  diag_warn(o->g, kind, "%s: %s", where, what);
}

/* Starts a result object: id, type, names, image size; leaves "value":{ open. */
static void result_open(LsOut *o, const char *rid, const char *type, const char *from, const Item *it) {
  FILE *f = o->f;
  fputs(o->nres++ ? ",\n{" : "\n{", f);
  json_out_key(f, 0, "id");
  json_out_str(f, rid);
  json_out_key(f, 1, "type");
  json_out_str(f, type);
  json_out_key(f, 1, "from_name");
  json_out_str(f, from);
  json_out_key(f, 1, "to_name");
  json_out_str(f, "image");
  if (it->width && it->height) {
    json_out_key(f, 1, "original_width");
    json_out_int(f, it->width);
    json_out_key(f, 1, "original_height");
    json_out_int(f, it->height);
    json_out_key(f, 1, "image_rotation");
    json_out_int(f, 0);
  }
  json_out_key(f, 1, "value");
  fputc('{', f);
}

/* Closes the value with the label list under key (when there is a category),
 * then the score, then the result. */
static void result_close(LsOut *o, uint32_t i, const char *key, int comma) {
  FILE *f = o->f;
  if (key && o->d->cat[i] >= 0) {
    json_out_key(f, comma, key);
    fputc('[', f);
    json_out_str(f, S(o, o->d->cats[o->d->cat[i]].name));
    fputc(']', f);
  }
  fputc('}', f);
  if (!isnan(o->d->score[i])) {
    json_out_key(f, 1, "score");
    json_out_num(f, o->d->score[i]);
  }
  fputc('}', f);
}

static void rect_value(LsOut *o, const Item *it, double x, double y, double w, double h, double rot) {
  FILE *f = o->f;
  json_out_key(f, 0, "x");
  json_out_num(f, x * 100 / it->width);
  json_out_key(f, 1, "y");
  json_out_num(f, y * 100 / it->height);
  json_out_key(f, 1, "width");
  json_out_num(f, w * 100 / it->width);
  json_out_key(f, 1, "height");
  json_out_num(f, h * 100 / it->height);
  json_out_key(f, 1, "rotation");
  json_out_num(f, rot);
}

static void points_value(LsOut *o, const Item *it, const double *xy, size_t n) {
  json_out_key(o->f, 0, "points");
  fputc('[', o->f);
  for (size_t j = 0; j < n; j++) {
    fputs(j ? ",[" : "[", o->f);
    json_out_num(o->f, xy[2 * j] * 100 / it->width);
    fputc(',', o->f);
    json_out_num(o->f, xy[2 * j + 1] * 100 / it->height);
    fputc(']', o->f);
  }
  fputc(']', o->f);
}

/* Per-region choices and number results for the annotation's attributes. */
static void write_attrs(LsOut *o, uint32_t i, const char *rid, const Item *it) {
  if (!o->d->a_n[i]) return;   /* the pool may be NULL: no NULL + 0 */
  const Attr *at = o->d->attrs.v + o->d->a_off[i];
  for (uint32_t k = 0; k < o->d->a_n[i]; k++) {
    const char *key = S(o, at[k].key);
    if (at[k].kind == ATTR_NUMBER) {
      result_open(o, rid, "number", key, it);
      json_out_key(o->f, 0, "number");
      json_out_num(o->f, at[k].num);
    } else {
      result_open(o, rid, "choices", key, it);
      json_out_key(o->f, 0, "choices");
      fputc('[', o->f);
      json_out_str(o->f, at[k].kind == ATTR_BOOL ? (at[k].num != 0 ? "true" : "false") : S(o, at[k].str));
      fputc(']', o->f);
    }
    fputs("}}", o->f);
  }
}

/* The transcription of a text region as a textarea result. */
static void write_text(LsOut *o, uint32_t i, const char *rid, const Item *it, int geom) {
  result_open(o, rid, "textarea", "transcription", it);
  const double *b = &o->d->bbox[4 * (size_t)i], *g = o->d->coords.v + o->d->g_off[i];
  if (geom == 1) {
    rect_value(o, it, b[0], b[1], b[2], b[3], 0);
    fputc(',', o->f);
  } else if (geom == 2) {
    points_value(o, it, g, 4);
    fputc(',', o->f);
  }
  json_out_key(o->f, 0, "text");
  fputc('[', o->f);
  const char *t = S(o, o->d->text[i]);
  for (int first = 1;; first = 0) {   /* one string per line */
    const char *nl = strchr(t, '\n');
    size_t n = nl ? (size_t)(nl - t) : strlen(t);
    char *line = malloc(n + 1);
    if (!line) break;
    memcpy(line, t, n);
    line[n] = '\0';
    if (!first) fputc(',', o->f);
    json_out_str(o->f, line);
    free(line);
    if (!nl) break;
    t = nl + 1;
  }
  fputs("]}}", o->f);
}

/* Writes the results of annotation i (its region id is "r" + index). */
static int write_region(LsOut *o, uint32_t i, Err *e) {
  const Dataset *d = o->d;
  const Item *it = &d->items[d->item[i]];
  char rid[24];
  snprintf(rid, sizeof rid, "r%u", i + 1);
  uint8_t type = d->type[i];
  const double *g = d->coords.v + d->g_off[i], *b = &d->bbox[4 * (size_t)i];
  uint32_t ng = d->g_n[i];
  int has_box = !isnan(b[0]);
  if (type == ANN_POLYLINE || type == ANN_CUBOID) {
    warn_ann(o, i, type == ANN_POLYLINE ? "dropped: polyline" : "dropped: cuboid", "Label Studio images have no such region");
    return 0;
  }
  if (!it->width || !it->height) {
    if (type == ANN_TEXT) {
      write_text(o, i, rid, it, 0);
      return 0;
    }
    warn_ann(o, i, "dropped: region on an image of unknown size", "percent coordinates need the image size");
    return 0;
  }
  const char *labels = d->cat[i] >= 0 ? "labels" : NULL;
  switch (type) {
  case ANN_BOX:
    result_open(o, rid, labels ? "rectanglelabels" : "rectangle", "label", it);
    rect_value(o, it, b[0], b[1], b[2], b[3], 0);
    result_close(o, i, "rectanglelabels", 1);
    break;
  case ANN_RBOX: {
    double t = g[4] * PI / 180;
    double x = g[0] - g[2] / 2 * cos(t) + g[3] / 2 * sin(t), y = g[1] - g[2] / 2 * sin(t) - g[3] / 2 * cos(t);
    result_open(o, rid, labels ? "rectanglelabels" : "rectangle", "label", it);
    rect_value(o, it, x, y, g[2], g[3], g[4]);
    result_close(o, i, "rectanglelabels", 1);
    break;
  }
  case ANN_POLYGON: {
    const int32_t *parts = d->parts.v + d->p_off[i];
    size_t off = 0;
    int written = 0;
    for (uint32_t p = 0; p < d->p_n[i]; p++) {
      size_t n = (size_t)abs(parts[p]);
      if (parts[p] < 0) {
        warn_ann(o, i, "dropped: polygon holes", "Label Studio polygons cannot hold holes");
      } else {
        char pid[40];
        if (written) snprintf(pid, sizeof pid, "r%u.%u", i + 1, p);
        else snprintf(pid, sizeof pid, "r%u", i + 1);
        if (written++) warn_ann(o, i, "polygon parts written as separate regions", "Label Studio polygons have one ring");
        result_open(o, pid, labels ? "polygonlabels" : "polygon", "label", it);
        points_value(o, it, g + 2 * off, n);
        result_close(o, i, "polygonlabels", 1);
      }
      off += n;
    }
    if (!d->p_n[i] && ng) {
      result_open(o, rid, labels ? "polygonlabels" : "polygon", "label", it);
      points_value(o, it, g, ng / 2);
      result_close(o, i, "polygonlabels", 1);
    }
    break;
  }
  case ANN_KEYPOINTS: {
    uint32_t written = 0;
    for (uint32_t k = 0; k + 2 < ng; k += 3) {
      if (g[k + 2] <= 0) continue;
      if (g[k + 2] == 1) warn_ann(o, i, "dropped: keypoint visibility", "Label Studio points have no occluded flag");
      char pid[40];
      if (written) snprintf(pid, sizeof pid, "r%u.%u", i + 1, k / 3);
      else snprintf(pid, sizeof pid, "r%u", i + 1);
      if (written++ == 1) warn_ann(o, i, "keypoints written as separate points", "Label Studio has one point per region");
      result_open(o, pid, labels ? "keypointlabels" : "keypoint", "label", it);
      json_out_key(o->f, 0, "x");
      json_out_num(o->f, g[k] * 100 / it->width);
      json_out_key(o->f, 1, "y");
      json_out_num(o->f, g[k + 1] * 100 / it->height);
      json_out_key(o->f, 1, "width");
      json_out_num(o->f, 1);
      result_close(o, i, "keypointlabels", 1);
    }
    break;
  }
  case ANN_MASK: {
    uint8_t *bytes;
    size_t n;
    if (labelstudio_brush_encode(d->rle.v + d->r_off[i], d->r_n[i], (uint32_t)g[0], (uint32_t)g[1], &bytes, &n, e) != 0)
      return -1;
    if ((uint32_t)g[0] != (uint32_t)it->height || (uint32_t)g[1] != (uint32_t)it->width)
      warn_ann(o, i, "mask size differs from image", "written at the mask's own size");
    result_open(o, rid, labels ? "brushlabels" : "brush", "label", it);
    fputs("\"format\":\"rle\",\"rle\":[", o->f);
    for (size_t k = 0; k < n; k++) fprintf(o->f, k ? ",%u" : "%u", bytes[k]);
    fputc(']', o->f);
    free(bytes);
    result_close(o, i, "brushlabels", 1);
    break;
  }
  case ANN_TEXT: {
    int geom = ng == 8 ? 2 : has_box ? 1 : 0;
    if (geom == 1) {
      result_open(o, rid, labels ? "rectanglelabels" : "rectangle", "label", it);
      rect_value(o, it, b[0], b[1], b[2], b[3], 0);
      result_close(o, i, "rectanglelabels", 1);
    } else if (geom == 2) {
      result_open(o, rid, labels ? "polygonlabels" : "polygon", "label", it);
      points_value(o, it, g, 4);
      result_close(o, i, "polygonlabels", 1);
    }
    write_text(o, i, rid, it, geom);
    break;
  }
  default:
    return 0;
  }
  write_attrs(o, i, rid, it);
  return 0;
}

typedef struct SortKey {
  uint32_t item;
  int32_t annotator;
  uint32_t i;
} SortKey;

/* Orders annotations by item, then annotator, then index. */
static int by_item_annotator(const void *a, const void *b) {
  const SortKey *x = a, *y = b;
  if (x->item != y->item) return x->item < y->item ? -1 : 1;
  if (x->annotator != y->annotator) return x->annotator < y->annotator ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* Writes the annotations idx[from..to) (one item, one annotator) as one
 * annotation or prediction object. */
static int write_group(LsOut *o, const uint32_t *idx, size_t from, size_t to, int *first, Err *e) {
  const Dataset *d = o->d;
  int32_t who = d->annotator[idx[from]];
  const char *name = who >= 0 ? S(o, d->annotators[who]) : NULL;
  int pred = name && strncmp(name, "prediction:", 11) == 0;
  FILE *f = o->f;
  fputs(*first ? "\n{" : ",\n{", f);
  *first = 0;
  if (pred) {
    json_out_key(f, 0, "model_version");
    json_out_str(f, name + 11);
  } else {
    int gt = 0;
    for (size_t k = from; k < to; k++) gt |= d->stage[idx[k]] == STAGE_ADJUDICATED;
    json_out_key(f, 0, "was_cancelled");
    fputs("false", f);
    json_out_key(f, 1, "ground_truth");
    fputs(gt ? "true" : "false", f);
    if (name) {
      char *end;
      long long num = strtoll(name, &end, 10);
      json_out_key(f, 1, "completed_by");
      if (*name && !*end) json_out_int(f, num); else json_out_str(f, name);
    }
  }
  json_out_key(f, 1, "result");
  fputc('[', f);
  o->nres = 0;
  int tags = 0;
  for (size_t k = from; k < to; k++) {
    uint32_t i = idx[k];
    if (d->type[i] == ANN_TAG) {
      if (d->cat[i] < 0) continue;
      if (!tags++) {
        result_open(o, "choices", "choices", "choice", &d->items[d->item[i]]);
        fputs("\"choices\":[", f);
      } else {
        fputc(',', f);
      }
      json_out_str(f, S(o, d->cats[d->cat[i]].name));
    }
  }
  if (tags) fputs("]}}", f);
  for (size_t k = from; k < to; k++)
    if (d->type[idx[k]] != ANN_TAG && write_region(o, idx[k], e) != 0) return -1;
  fputs("\n]}", f);
  return 0;
}

int labelstudio_write(const Dataset *d, const char *path, Diag *g, Err *e) {
  uint32_t *idx = err_malloc(e, (d->nann ? d->nann : 1) * sizeof *idx);
  SortKey *keys = idx ? err_malloc(e, (d->nann ? d->nann : 1) * sizeof *keys) : NULL;
  if (!keys) {
    free(idx);
    return -1;
  }
  for (uint32_t i = 0; i < d->nann; i++) keys[i] = (SortKey){d->item[i], d->annotator[i], i};
  qsort(keys, d->nann, sizeof *keys, by_item_annotator);
  for (uint32_t i = 0; i < d->nann; i++) idx[i] = keys[i].i;
  free(keys);
  FormatOut out;
  if (format_out_open(&out, path, e) != 0) {
    free(idx);
    return -1;
  }
  LsOut o = {d, out.f, g, 0};
  FILE *f = out.f;
  fputc('[', f);
  size_t k = 0;
  for (uint32_t it = 0; it < d->nitems; it++) {
    fputs(it ? ",\n{" : "\n{", f);
    json_out_key(f, 0, "id");
    json_out_int(f, d->items[it].id);
    json_out_key(f, 1, "data");
    fputc('{', f);
    json_out_key(f, 0, "image");
    json_out_str(f, S(&o, d->items[it].file));
    fputc('}', f);
    for (int pass = 0; pass < 2; pass++) {   /* annotations, then predictions */
      json_out_key(f, 1, pass ? "predictions" : "annotations");
      fputc('[', f);
      int first = 1;
      for (size_t a = k; a < d->nann && d->item[idx[a]] == it;) {
        size_t b = a;
        while (b < d->nann && d->item[idx[b]] == it && d->annotator[idx[b]] == d->annotator[idx[a]]) b++;
        int32_t who = d->annotator[idx[a]];
        int pred = who >= 0 && strncmp(S(&o, d->annotators[who]), "prediction:", 11) == 0;
        if (pred == pass && write_group(&o, idx, a, b, &first, e) != 0) {
          free(idx);
          format_out_abort(&out);
          return -1;
        }
        a = b;
      }
      fputs("]", f);
    }
    while (k < d->nann && d->item[idx[k]] == it) k++;
    fputc('}', f);
  }
  fputs("\n]\n", f);
  free(idx);
  return format_out_commit(&out, path, e);
}

/* ---- registry entry ---- */

static int has(const char *head, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(head + i, needle, k) == 0) return 1;
  return 0;
}

static int detect_labelstudio(const char *path, int is_dir, const char *head, size_t n) {
  (void)path;
  size_t p = n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  while (!is_dir && p < n && strchr(" \t\r\n", head[p])) p++;
  if (is_dir || p >= n || head[p] != '[') return 0;
  if (has(head, n, "\"annotations\"") || has(head, n, "\"predictions\"") || has(head, n, "\"completions\""))
    return has(head, n, "\"data\"") || has(head, n, "\"result\"") ? 90 : 60;
  return 0;
}

const Format fmt_labelstudio = {
  "labelstudio", "Label Studio JSON export (tasks with annotations)", detect_labelstudio,
  labelstudio_read, labelstudio_write,
};
