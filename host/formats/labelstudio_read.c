/* Label Studio JSON export reader: tasks -> items, each annotation (and prediction)
 * -> its regions, percent coordinates -> pixels, completed_by -> annotator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labelstudio.h"
#include "json_read.h"
#include "labelstudio_brush.h"

/* What the results sharing one id say about one region. */
typedef struct Region {
  const char *id;             /* the results' "id", or NULL */
  const cJSON *geom;          /* the result whose value has the geometry */
  int kind;                   /* GEOM_* */
  const cJSON *labels[4];     /* label arrays (rectanglelabels, labels, ...) */
  uint32_t labels_at[4];      /* index of the result of each */
  int nlabels;
  const cJSON *text;          /* textarea's "text" */
  uint32_t text_at;
  const cJSON *choices[8];    /* choices results (their "value") */
  int nchoices;
  uint32_t first;             /* index of its first result, for messages */
  uint32_t geom_at;           /* index of the geom result */
  uint32_t choice_at[8];      /* index of each choices result */
} Region;

enum { GEOM_NONE = 0, GEOM_RECT, GEOM_POLY, GEOM_POINT, GEOM_BRUSH };

typedef struct Ls {
  Dataset *d;
  Diag *g;
  JCtx *c;
  StrId src;
  uint32_t task;
  uint32_t item;
  int32_t annotator;
  uint8_t stage;
  double score;             /* a prediction's overall score, or NaN */
  const char *set;          /* "annotations" or "predictions", for paths */
  uint32_t set_index;
  Region *reg;  size_t regcap;
  double *co;   size_t cocap;
  Attr *at;     size_t atcap;
  int32_t part;             /* the one part of a polygon */
} Ls;

static StrId intern(Ls *k, const char *s) {
  return strpool_intern(&k->d->str, s, strlen(s), k->c->e);
}

/* Sets c->where to the JSON path of result r of the current annotation. */
static void where_result(Ls *k, uint32_t r) {
  snprintf(k->c->where, sizeof k->c->where, "[%u].%s[%u].result[%u]", k->task, k->set, k->set_index, r);
}

/* The annotation's source: result r's JSON path, interned (SRC_PATH). */
static int source_of(Ls *k, uint32_t r, AnnInit *a) {
  char path[96];
  snprintf(path, sizeof path, "[%u].%s[%u].result[%u]", k->task, k->set, k->set_index, r);
  StrId s = intern(k, path);
  if (s == (StrId)-1) return -1;
  a->src_pos = s;
  return 0;
}

/* The category named name, created (ids 1, 2, ... in order of use) when new;
 * field is where name is in the current result, for messages. */
static int64_t category(Ls *k, const char *name, const char *field) {
  int64_t ci = dataset_category_by_name(k->d, name);
  if (ci >= 0) return ci;
  if (json_utf8(k->c, name, field) != 0) return -1;
  StrId n = intern(k, name);
  if (n == (StrId)-1) return -1;
  return dataset_add_category(k->d, (int64_t)k->d->ncats + 1, n, 0, k->c->e);
}

/* Which geometry a result's value carries. */
static int geom_kind(const char *type, const cJSON *v) {
  if (strstr(type, "keypoint")) return GEOM_POINT;
  if (cJSON_GetObjectItemCaseSensitive(v, "rle")) return GEOM_BRUSH;
  if (cJSON_GetObjectItemCaseSensitive(v, "points")) return GEOM_POLY;
  if (cJSON_GetObjectItemCaseSensitive(v, "width") && cJSON_GetObjectItemCaseSensitive(v, "x")) return GEOM_RECT;
  if (cJSON_GetObjectItemCaseSensitive(v, "x")) return GEOM_POINT;
  return GEOM_NONE;
}

/* Result types annovet reads; others are dropped with a warning. */
static int known_type(const char *t) {
  static const char *const known[] = {"rectanglelabels", "rectangle", "polygonlabels", "polygon",
    "keypointlabels", "keypoint", "brushlabels", "brush", "labels", "textarea", "choices", "number", NULL};
  for (int i = 0; known[i]; i++)
    if (strcmp(known[i], t) == 0) return 1;
  return 0;
}

/* Gathers the results of one annotation into regions (results sharing an id are
 * one region: a rectangle, its labels, its transcription, its choices). */
static int gather(Ls *k, const cJSON *results, size_t *nreg) {
  JCtx *c = k->c;
  size_t n = 0;
  uint32_t r = 0;
  for (const cJSON *res = results->child; res; res = res->next, r++) {
    where_result(k, r);
    if (!cJSON_IsObject(res)) return json_fail(c, NULL, "expected an object, got %s", json_kind(res));
    const char *type = NULL, *id = NULL;
    if (json_str(c, res, "type", &type) <= 0) return type ? -1 : json_fail(c, "type", "missing");
    if (json_str(c, res, "id", &id) < 0) return -1;
    if (!known_type(type)) {
      diag_warn(k->g, "dropped: unsupported result type", "%s: %s: type \"%s\"", c->file, c->where, type);
      continue;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, "value");
    if (!cJSON_IsObject(v)) return json_fail(c, "value", "expected an object, got %s", json_kind(v));
    size_t g = n;
    for (size_t j = 0; id && j < n; j++)
      if (k->reg[j].id && strcmp(k->reg[j].id, id) == 0) g = j;
    if (g == n) {
      if (json_reserve((void **)&k->reg, &k->regcap, n + 1, sizeof *k->reg, c->e) != 0) return -1;
      memset(&k->reg[n], 0, sizeof k->reg[n]);
      k->reg[n].id = id;
      k->reg[n].first = r;
      n++;
    }
    Region *rg = &k->reg[g];
    int kind = geom_kind(type, v);
    if (kind && !rg->geom && strcmp(type, "choices") != 0 && strcmp(type, "number") != 0) {
      rg->geom = res;
      rg->geom_at = r;
      rg->kind = kind;
    }
    if (strcmp(type, "textarea") == 0) {
      rg->text = cJSON_GetObjectItemCaseSensitive(v, "text");
      rg->text_at = r;
    } else if (strcmp(type, "choices") == 0 || strcmp(type, "number") == 0) {
      if (rg->nchoices < 8) rg->choice_at[rg->nchoices] = r, rg->choices[rg->nchoices++] = res;
      else diag_warn(k->g, "dropped: choices past the 8th of a region", "%s: %s", c->file, c->where);
    } else {
      const cJSON *lab = cJSON_GetObjectItemCaseSensitive(v, type);
      if (!lab && strcmp(type, "labels") != 0) lab = cJSON_GetObjectItemCaseSensitive(v, "labels");
      if (lab && rg->nlabels < 4) rg->labels_at[rg->nlabels] = r, rg->labels[rg->nlabels++] = lab;
      else if (lab) diag_warn(k->g, "dropped: label lists past the 4th of a region", "%s: %s", c->file, c->where);
    }
  }
  *nreg = n;
  return 0;
}

/* The item's size from a result's original_width/height (set on first sight). */
static int result_size(Ls *k, const cJSON *res, double *W, double *H) {
  int64_t w = 0, h = 0;
  if (json_int(k->c, res, "original_width", 0, INT32_MAX, &w) < 0 ||
      json_int(k->c, res, "original_height", 0, INT32_MAX, &h) < 0)
    return -1;
  Item *it = &k->d->items[k->item];
  if (w && h && !it->width && !it->height) {
    it->width = (int32_t)w;
    it->height = (int32_t)h;
  } else if (w && h && (it->width != w || it->height != h)) {
    diag_warn(k->g, "image size differs between results", "%s: %s: %lldx%lld, earlier %dx%d", k->c->file,
              k->c->where, (long long)w, (long long)h, it->width, it->height);
  }
  *W = it->width;
  *H = it->height;
  return 0;
}

/* A number field of a result's value (messages name it value.key); required
 * unless *out may stay as it is (optional). Returns 0, or -1 with c->e set. */
static int vnum(Ls *k, const cJSON *v, const char *key, int optional, double *out) {
  char f[32];
  snprintf(f, sizeof f, "value.%s", key);
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, key);
  if (!x || cJSON_IsNull(x)) return optional ? 0 : json_fail(k->c, f, "missing");
  return json_num_value(k->c, x, f, out) < 0 ? -1 : 0;
}

/* Converts region rg's geometry to pixels into a (type, bbox, coords, parts, rle).
 * Returns 1 when done, 0 when dropped (with a warning), -1 on bad input. */
static int region_geometry(Ls *k, Region *rg, AnnInit *a, uint32_t **runs, double hw[2]) {
  JCtx *c = k->c;
  const cJSON *res = rg->geom, *v = cJSON_GetObjectItemCaseSensitive(res, "value");
  double W, H;
  where_result(k, rg->geom_at);
  if (result_size(k, res, &W, &H) != 0) return -1;
  if (!W || !H) {
    diag_warn(k->g, "dropped: region without image size", "%s: %s: no original_width/original_height",
              c->file, c->where);
    return 0;
  }
  if (rg->kind == GEOM_RECT) {
    double x, y, w, h, rot = 0;
    if (vnum(k, v, "x", 0, &x) || vnum(k, v, "y", 0, &y) || vnum(k, v, "width", 0, &w) ||
        vnum(k, v, "height", 0, &h) || vnum(k, v, "rotation", 1, &rot))
      return -1;
    if (w < 0 || h < 0)
      return json_fail(c, w < 0 ? "value.width" : "value.height", "must not be negative, got %g", w < 0 ? w : h);
    x *= W / 100;
    y *= H / 100;
    w *= W / 100;
    h *= H / 100;
    if (rot == 0 || fmod(rot, 360) == 0) {
      a->type = ANN_BOX;
      a->bbox[0] = x, a->bbox[1] = y, a->bbox[2] = w, a->bbox[3] = h;
      if (x < 0 || y < 0 || x + w > W || y + h > H)
        diag_warn(k->g, "box outside image", "%s: %s.value: the box leaves the %gx%g image", c->file, c->where, W, H);
    } else {   /* rotated about the top-left corner, clockwise in degrees */
      double t = rot * 3.14159265358979323846 / 180;
      if (json_reserve((void **)&k->co, &k->cocap, 5, sizeof *k->co, c->e) != 0) return -1;
      k->co[0] = x + w / 2 * cos(t) - h / 2 * sin(t);
      k->co[1] = y + w / 2 * sin(t) + h / 2 * cos(t);
      k->co[2] = w, k->co[3] = h, k->co[4] = rot;
      a->type = ANN_RBOX;
      a->coords = k->co;
      a->ncoords = 5;
    }
  } else if (rg->kind == GEOM_POLY) {
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(v, "points");
    if (!cJSON_IsArray(pts)) return json_fail(c, "value.points", "expected an array of [x, y] pairs");
    size_t n = 0;
    int outside = 0;
    for (const cJSON *p = pts->child; p; p = p->next, n++) {
      char f[64];
      snprintf(f, sizeof f, "value.points[%zu]", n);
      double xy[2];
      if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2) return json_fail(c, f, "expected a pair [x, y]");
      if (json_num_value(c, p->child, f, &xy[0]) < 0 || json_num_value(c, p->child->next, f, &xy[1]) < 0 ||
          json_reserve((void **)&k->co, &k->cocap, 2 * n + 2, sizeof *k->co, c->e) != 0)
        return -1;
      outside |= xy[0] < 0 || xy[0] > 100 || xy[1] < 0 || xy[1] > 100;
      k->co[2 * n] = xy[0] * W / 100;
      k->co[2 * n + 1] = xy[1] * H / 100;
    }
    if (n > INT32_MAX) return json_fail(c, "value.points", "too many points");
    if (outside)
      diag_warn(k->g, "polygon outside image", "%s: %s.value.points leave the image", c->file, c->where);
    k->part = (int32_t)n;
    a->type = ANN_POLYGON;
    a->coords = k->co;
    a->ncoords = (uint32_t)(2 * n);
    a->parts = &k->part;
    a->nparts = 1;
  } else if (rg->kind == GEOM_POINT) {
    double x, y;
    if (vnum(k, v, "x", 0, &x) || vnum(k, v, "y", 0, &y)) return -1;
    if (x < 0 || x > 100 || y < 0 || y > 100)
      diag_warn(k->g, "keypoint outside image", "%s: %s.value leaves the image", c->file, c->where);
    if (json_reserve((void **)&k->co, &k->cocap, 3, sizeof *k->co, c->e) != 0) return -1;
    k->co[0] = x * W / 100, k->co[1] = y * H / 100, k->co[2] = 2;
    a->type = ANN_KEYPOINTS;
    a->coords = k->co;
    a->ncoords = 3;
  } else {
    const cJSON *rle = cJSON_GetObjectItemCaseSensitive(v, "rle");
    if (!cJSON_IsArray(rle)) return json_fail(c, "value.rle", "expected an array of bytes");
    size_t n = (size_t)cJSON_GetArraySize(rle), j = 0, nr;
    uint8_t *bytes = err_malloc(c->e, n ? n : 1);
    if (!bytes) return -1;
    for (const cJSON *b = rle->child; b; b = b->next, j++) {
      int64_t x;
      char f[48];
      snprintf(f, sizeof f, "value.rle[%zu]", j);
      if (json_int_value(c, b, f, 0, 255, &x) < 0) {
        free(bytes);
        return -1;
      }
      bytes[j] = (uint8_t)x;
    }
    Err sub = {0};
    int rc = labelstudio_brush_decode(bytes, n, (uint32_t)W, (uint32_t)H, runs, &nr, &sub);
    free(bytes);
    if (rc != 0) return json_fail(c, "value.rle", "%s", sub.msg);
    if (nr > UINT32_MAX) return json_fail(c, "value.rle", "too many runs");
    hw[0] = H;
    hw[1] = W;
    a->type = ANN_MASK;
    a->coords = hw;
    a->ncoords = 2;
    a->rle = *runs;
    a->nrle = (uint32_t)nr;
  }
  return 1;
}

/* Attributes of a region from its choices and number results (from_name = value). */
static int region_attrs(Ls *k, const Region *rg, uint32_t *nattrs) {
  uint32_t n = 0;
  for (int i = 0; i < rg->nchoices; i++) {
    const cJSON *res = rg->choices[i], *v = cJSON_GetObjectItemCaseSensitive(res, "value");
    const char *from = "choice";
    where_result(k, rg->choice_at[i]);
    if (json_str(k->c, res, "from_name", &from) < 0 ||
        json_reserve((void **)&k->at, &k->atcap, (size_t)n + 1, sizeof *k->at, k->c->e) != 0)
      return -1;
    Attr *a = &k->at[n];
    memset(a, 0, sizeof *a);
    if ((a->key = intern(k, from)) == (StrId)-1) return -1;
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(v, "number");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(v, "choices");
    if (cJSON_IsNumber(num)) {
      a->kind = ATTR_NUMBER;
      if (json_num_value(k->c, num, "value.number", &a->num) < 0) return -1;
    } else if (cJSON_IsArray(ch) && ch->child && cJSON_IsString(ch->child)) {
      a->kind = ATTR_STRING;
      if (json_utf8(k->c, ch->child->valuestring, "value.choices[0]") != 0 ||
          (a->str = intern(k, ch->child->valuestring)) == (StrId)-1)
        return -1;
    } else {
      continue;
    }
    n++;
  }
  *nattrs = n;
  return 0;
}

/* Choices on the item, with no region: one tag per choice. */
static int item_choices(Ls *k, const Region *rg, AnnInit *a) {
  JCtx *c = k->c;
  for (int i = 0; i < rg->nchoices; i++) {
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rg->choices[i], "value"), "choices");
    where_result(k, rg->choice_at[i]);
    if (source_of(k, rg->choice_at[i], a) != 0) return -1;
    uint32_t j = 0;
    for (const cJSON *x = cJSON_IsArray(ch) ? ch->child : NULL; x; x = x->next, j++) {
      char f[48];
      snprintf(f, sizeof f, "value.choices[%u]", j);
      if (!cJSON_IsString(x)) return json_fail(c, f, "expected a string, got %s", json_kind(x));
      int64_t ci = category(k, x->valuestring, f);
      if (ci < 0) return -1;
      a->cat = (int32_t)ci;
      if (dataset_add_annotation(k->d, a, c->e) < 0) return -1;
    }
  }
  if (rg->nlabels) {
    where_result(k, rg->labels_at[0]);
    diag_warn(k->g, "dropped: labels without a region", "%s: %s", c->file, c->where);
  }
  return 0;
}

/* The region's transcription (its lines joined by newlines) into a->text. */
static int region_text(Ls *k, const Region *rg, AnnInit *a) {
  JCtx *c = k->c;
  char *joined = NULL;
  size_t len = 0;
  uint32_t nline = 0;
  int many = cJSON_IsArray(rg->text);
  where_result(k, rg->text_at);
  for (const cJSON *x = many ? rg->text->child : rg->text; x; x = many ? x->next : NULL, nline++) {
    char f[48];
    if (many) snprintf(f, sizeof f, "value.text[%u]", nline);
    else snprintf(f, sizeof f, "value.text");
    if (!cJSON_IsString(x)) {
      free(joined);
      return json_fail(c, f, "expected %s, got %s", many ? "a string" : "a string or an array of strings", json_kind(x));
    }
    size_t l = strlen(x->valuestring);
    char *q = err_realloc(c->e, joined, len + l + 2, 1);
    if (!q || json_utf8(c, x->valuestring, f) != 0) {
      free(q ? q : joined);
      return -1;
    }
    joined = q;
    if (len) joined[len++] = '\n';
    memcpy(joined + len, x->valuestring, l + 1);
    len += l;
  }
  a->text = intern(k, joined ? joined : "");
  free(joined);
  return a->text == (StrId)-1 ? -1 : 0;
}

/* A transcribed region becomes ANN_TEXT: a rotated box or a quadrilateral keeps its
 * four corners, another polygon its bounding box, a point or brush no geometry. */
static int text_geometry(Ls *k, AnnInit *a) {
  if (a->type == ANN_RBOX || (a->type == ANN_POLYGON && a->ncoords == 8)) {
    if (a->type == ANN_RBOX) {   /* the rotated box's corners as the quadrilateral */
      double cx = k->co[0], cy = k->co[1], w = k->co[2], h = k->co[3], t = k->co[4] * 3.14159265358979323846 / 180;
      static const double sx[4] = {-1, 1, 1, -1}, sy[4] = {-1, -1, 1, 1};
      double q[8];
      for (int j = 0; j < 4; j++) {
        q[2 * j] = cx + sx[j] * w / 2 * cos(t) - sy[j] * h / 2 * sin(t);
        q[2 * j + 1] = cy + sx[j] * w / 2 * sin(t) + sy[j] * h / 2 * cos(t);
      }
      if (json_reserve((void **)&k->co, &k->cocap, 8, sizeof *k->co, k->c->e) != 0) return -1;
      memcpy(k->co, q, sizeof q);
    }
    a->coords = k->co;
    a->ncoords = 8;
  } else if (a->type == ANN_POLYGON) {   /* another polygon: its bounding box */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (uint32_t j = 0; j + 1 < a->ncoords; j += 2) {
      x0 = fmin(x0, a->coords[j]), x1 = fmax(x1, a->coords[j]);
      y0 = fmin(y0, a->coords[j + 1]), y1 = fmax(y1, a->coords[j + 1]);
    }
    a->bbox[0] = x0, a->bbox[1] = y0, a->bbox[2] = x1 - x0, a->bbox[3] = y1 - y0;
    a->ncoords = 0;
  } else if (a->type != ANN_BOX && a->type != ANN_TAG) {
    diag_warn(k->g, "transcription of a point or brush region kept without its geometry", "%s: %s",
              k->c->file, k->c->where);
    a->ncoords = 0;
    a->nrle = 0;
  }
  a->nparts = 0;
  a->type = ANN_TEXT;
  return 0;
}

/* One annotation per label of the region, or one without a category when it has none. */
static int add_labelled(Ls *k, const Region *rg, AnnInit *a) {
  JCtx *c = k->c;
  int any = 0;
  for (int i = 0; i < rg->nlabels; i++) {
    char f[64];
    const char *key = rg->labels[i]->string ? rg->labels[i]->string : "labels";
    where_result(k, rg->labels_at[i]);
    snprintf(f, sizeof f, "value.%.32s", key);
    if (!cJSON_IsArray(rg->labels[i]))
      return json_fail(c, f, "expected an array of labels, got %s", json_kind(rg->labels[i]));
    uint32_t j = 0;
    for (const cJSON *x = rg->labels[i]->child; x; x = x->next, j++) {
      snprintf(f, sizeof f, "value.%.32s[%u]", key, j);
      if (!cJSON_IsString(x)) return json_fail(c, f, "expected a label, got %s", json_kind(x));
      int64_t ci = category(k, x->valuestring, f);
      if (ci < 0) return -1;
      a->cat = (int32_t)ci;
      if (dataset_add_annotation(k->d, a, c->e) < 0) return -1;
      any = 1;
    }
  }
  if (!any && dataset_add_annotation(k->d, a, c->e) < 0) return -1;
  return 0;
}

/* Adds one annotation per label of the region (one without a category when it has
 * none), or tags and transcriptions for regions without geometry. */
static int add_region(Ls *k, Region *rg) {
  AnnInit a = ann_init(k->item, -1, ANN_TAG);
  a.annotator = k->annotator;
  a.stage = k->stage;
  a.src_file = k->src;
  a.score = k->score;
  if (source_of(k, rg->geom ? rg->geom_at : rg->first, &a) != 0) return -1;
  if (!rg->geom && !rg->text) return item_choices(k, rg, &a);
  uint32_t *runs = NULL;   /* a brush region's runs, owned here */
  double hw[2];
  int rc = 0;
  if (rg->geom) {
    double s;
    where_result(k, rg->geom_at);
    if (json_num(k->c, rg->geom, "score", &s) > 0) a.score = s;
    rc = region_geometry(k, rg, &a, &runs, hw);
    if (rc <= 0) {   /* dropped (with a warning), or an error */
      free(runs);
      return rc;
    }
    rc = region_attrs(k, rg, &a.nattrs);
    a.attrs = k->at;
  }
  if (rc == 0 && rg->text) rc = region_text(k, rg, &a) != 0 || text_geometry(k, &a) != 0 ? -1 : 0;
  if (rc == 0) rc = add_labelled(k, rg, &a);
  free(runs);
  return rc;
}

/* completed_by: a user id, an object with an email or id, or a string. */
static int annotator_of(Ls *k, const cJSON *who, int32_t *out) {
  char buf[32];
  const char *name = NULL;
  if (cJSON_IsObject(who)) {
    const cJSON *em = cJSON_GetObjectItemCaseSensitive(who, "email");
    if (cJSON_IsString(em) && em->valuestring[0]) name = em->valuestring;
    else who = cJSON_GetObjectItemCaseSensitive(who, "id");
  }
  if (!name && cJSON_IsString(who)) name = who->valuestring;
  if (!name && cJSON_IsNumber(who)) {
    snprintf(buf, sizeof buf, "%.17g", who->valuedouble);
    name = buf;
  }
  if (!name) {
    *out = -1;
    return 0;
  }
  if (json_utf8(k->c, name, "completed_by") != 0) return -1;
  StrId s = intern(k, name);
  int64_t a = s == (StrId)-1 ? -1 : dataset_annotator(k->d, s, k->c->e);
  *out = (int32_t)a;
  return a < 0 ? -1 : 0;
}

/* One annotation (or prediction) of the current task. */
static int add_set(Ls *k, const cJSON *an) {
  JCtx *c = k->c;
  snprintf(c->where, sizeof c->where, "[%u].%s[%u]", k->task, k->set, k->set_index);
  if (!cJSON_IsObject(an)) return json_fail(c, NULL, "expected an object, got %s", json_kind(an));
  int cancelled = 0, gt = 0;
  if (json_bool01(c, an, "was_cancelled", &cancelled) < 0 || json_bool01(c, an, "ground_truth", &gt) < 0) return -1;
  if (cancelled) {
    diag_warn(k->g, "cancelled annotation skipped", "%s: %s", c->file, c->where);
    return 0;
  }
  k->score = NAN;
  if (strcmp(k->set, "predictions") == 0) {
    const char *mv = NULL;
    if (json_str(c, an, "model_version", &mv) < 0 || json_num(c, an, "score", &k->score) < 0) return -1;
    if (!mv || !*mv) mv = "model";
    size_t nmv = strlen(mv);
    char *name = err_malloc(c->e, nmv + 12);   /* whole: a cut could split a character */
    if (!name) return -1;
    memcpy(name, "prediction:", 11);
    memcpy(name + 11, mv, nmv + 1);
    StrId s = intern(k, name);
    free(name);
    int64_t ai = s == (StrId)-1 ? -1 : dataset_annotator(k->d, s, c->e);
    if (ai < 0) return -1;
    k->annotator = (int32_t)ai;
    k->stage = STAGE_NONE;
  } else {
    if (annotator_of(k, cJSON_GetObjectItemCaseSensitive(an, "completed_by"), &k->annotator) != 0) return -1;
    k->stage = gt ? STAGE_ADJUDICATED : STAGE_ANNOTATOR;
  }
  const cJSON *results = cJSON_GetObjectItemCaseSensitive(an, "result");
  if (!results || cJSON_IsNull(results)) return 0;
  if (!cJSON_IsArray(results)) return json_fail(c, "result", "expected an array, got %s", json_kind(results));
  size_t n = 0;
  if (gather(k, results, &n) != 0) return -1;
  for (size_t i = 0; i < n; i++)
    if (add_region(k, &k->reg[i]) != 0) return -1;
  return 0;
}

/* One task: an item, then its annotations and predictions. */
static int add_task(JCtx *c, const cJSON *el, uint32_t i, void *arg) {
  Ls *k = arg;
  k->task = i;
  if (!cJSON_IsObject(el)) return json_fail(c, NULL, "expected a task object, got %s", json_kind(el));
  int64_t id = (int64_t)i + 1;
  if (json_int(c, el, "id", -9007199254740992LL, 9007199254740992LL, &id) < 0) return -1;
  if (dataset_find_item(k->d, id) >= 0) return json_fail(c, "id", "duplicate task id %lld", (long long)id);
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(el, "data");
  const char *file = "";
  if (cJSON_IsObject(data)) {
    const cJSON *img = cJSON_GetObjectItemCaseSensitive(data, "image");
    for (const cJSON *x = data->child; !cJSON_IsString(img) && x; x = x->next) img = x;
    if (cJSON_IsString(img)) file = img->valuestring;
  }
  if (json_utf8(c, file, "data") != 0) return -1;
  StrId f = intern(k, file);
  int64_t it = f == (StrId)-1 ? -1 : dataset_add_item(k->d, id, f, 0, 0, c->e);
  if (it < 0) return -1;
  k->item = (uint32_t)it;
  static const char *const sets[] = {"annotations", "completions", "predictions"};
  for (int s = 0; s < 3; s++) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(el, sets[s]);
    if (!list || cJSON_IsNull(list)) continue;
    if (!cJSON_IsArray(list)) return json_fail(c, sets[s], "expected an array, got %s", json_kind(list));
    k->set = sets[s];
    k->set_index = 0;
    for (const cJSON *an = list->child; an; an = an->next, k->set_index++)
      if (add_set(k, an) != 0) return -1;
  }
  return 0;
}

int labelstudio_read(const char *path, Dataset *d, Diag *g, Err *e) {
  char *text;
  size_t len, end;
  if (format_slurp(path, &text, &len, e) != 0) return -1;
  JCtx c;
  memset(&c, 0, sizeof c);
  c.file = path;
  c.text = text;
  c.len = len;
  c.e = e;
  Ls k;
  memset(&k, 0, sizeof k);
  k.d = d;
  k.g = g;
  k.c = &c;
  int rc = -1;
  size_t p = json_ws(text, len, len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0);
  d->src_kind = SRC_PATH;
  if ((k.src = strpool_intern(&d->str, path, strlen(path), e)) == (StrId)-1 ||
      (d->format = strpool_intern(&d->str, "labelstudio", 11, e)) == (StrId)-1)
    goto done;
  if (p >= len || text[p] != '[') {
    if (p >= len) json_syntax(&c, p);
    else err_set(e, "%s: expected a Label Studio export: an array of tasks", path);
    goto done;
  }
  if (json_array(&c, p, "", add_task, &k, &end) != 0) goto done;
  if (json_ws(text, len, end) < len) {
    json_syntax(&c, json_ws(text, len, end));
    goto done;
  }
  rc = 0;
done:
  free(k.reg);
  free(k.co);
  free(k.at);
  free(text);
  return rc;
}
