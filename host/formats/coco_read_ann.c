/* COCO annotations: each object's big numeric arrays (segmentation polygons,
 * uncompressed RLE counts, bbox, keypoints) scanned straight from the text, the
 * rest parsed by cJSON, then checked and added to the model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco_internal.h"
#include "numfmt.h"
#include "rle.h"

static uint64_t mix64(int64_t id) {
  uint64_t z = (uint64_t)id + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Adds id (seen at index i); returns 0, or the earlier index + 1 when a duplicate,
 * or -1 when out of memory. */
static int64_t idset_add(IdSet *s, int64_t id, uint32_t i, Err *e) {
  if ((s->n + 1) * 2 > s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 1024;
    int64_t *nid = err_malloc(e, nc * sizeof *nid);
    uint32_t *nat = nid ? err_calloc(e, nc, sizeof *nat) : NULL;
    if (!nat) {
      free(nid);
      return -1;
    }
    for (size_t j = 0; j < s->cap; j++) {
      if (!s->at[j]) continue;
      size_t h = mix64(s->id[j]) & (nc - 1);
      while (nat[h]) h = (h + 1) & (nc - 1);
      nid[h] = s->id[j];
      nat[h] = s->at[j];
    }
    free(s->id);
    free(s->at);
    s->id = nid;
    s->at = nat;
    s->cap = nc;
  }
  size_t h = mix64(id) & (s->cap - 1);
  for (; s->at[h]; h = (h + 1) & (s->cap - 1))
    if (s->id[h] == id) return (int64_t)s->at[h];
  s->id[h] = id;
  s->at[h] = i + 1;
  s->n++;
  return 0;
}

/* ---- reading the object: scanned members and the rest ---- */

/* Parses the value at pos with cJSON and adds it to obj under key, or (obj NULL:
 * a repeated member, of which cJSON's lookup would keep the first) drops it once
 * checked. Returns where the value ends, or -1. */
static long parse_member(JCtx *c, cJSON *obj, const char *key, size_t pos) {
  size_t end;
  cJSON *v = json_parse_at(c, pos, &end);
  if (!v) return -1;
  if (!obj) {
    cJSON_Delete(v);
  } else if (!cJSON_AddItemToObject(obj, key, v)) {
    cJSON_Delete(v);
    return err_nomem(c->e), -1;
  }
  return (long)end;
}

/* The compressed counts string whose opening quote is at pos, into r->counts_text
 * and r->counts_len: its bytes in place, or (the alphabet has a backslash, so most
 * strings have escapes) unescaped into r->esc. Returns 1 with *end after the
 * closing quote, or 0 when it holds an escape other than \\, \" and \/ (cJSON
 * reads those). As a cJSON string, it ends at a NUL byte. */
static int counts_string(JCtx *c, AnnRead *r, size_t pos, size_t *end) {
  const char *s = c->text + pos + 1, *lim = c->text + c->len;
  const char *q = memchr(s, '"', (size_t)(lim - s));
  if (!q) return 0;
  const char *bs = memchr(s, '\\', (size_t)(q - s));
  if (!bs) {
    r->counts_text = s;
    r->counts_len = strnlen(s, (size_t)(q - s));
    *end = (size_t)(q + 1 - c->text);
    return 1;
  }
  size_t n = (size_t)(bs - s);
  if (json_reserve((void **)&r->esc, &r->esccap, n + 1, 1, c->e) != 0) return -1;
  memcpy(r->esc, s, n);
  for (const char *p = bs;; p++) {
    if (p >= lim) return 0;
    char ch = *p;
    if (ch == '"') {
      *end = (size_t)(p + 1 - c->text);
      break;
    }
    if (ch == '\\') {
      if (p + 1 >= lim || (p[1] != '\\' && p[1] != '"' && p[1] != '/')) return 0;
      ch = *++p;
    }
    if (n + 2 > r->esccap && json_reserve((void **)&r->esc, &r->esccap, n + 2, 1, c->e) != 0) return -1;
    r->esc[n++] = ch;
  }
  r->esc[n] = '\0';
  r->counts_text = r->esc;
  r->counts_len = strlen(r->esc);
  return 1;
}

/* A member of a segmentation object: "size" read from the text when it is an
 * array of numbers (into r->size), "counts" when it is one (into r->counts) or a
 * compressed string (counts_string), the others (and those when not) parsed into
 * r->rle. A JMemberFn. */
static long rle_member(JCtx *c, const char *key, size_t pos, void *arg) {
  AnnRead *r = arg;
  if (strcmp(key, "size") == 0 && !r->size_seen) {
    size_t end;
    r->size_seen = 1;
    int rc = json_scan_numbers(c, pos, &r->size, &end);
    if (rc < 0) return -1;
    if (rc > 0) {
      r->size_scanned = 1;
      return (long)end;
    }
  } else if (strcmp(key, "counts") == 0) {
    if (r->counts_seen) return parse_member(c, NULL, key, pos);
    r->counts_seen = 1;
    if (pos < c->len && c->text[pos] == '"') {
      size_t end;
      int rc = counts_string(c, r, pos, &end);
      if (rc < 0) return -1;
      if (rc > 0) {
        r->counts_from = COUNTS_TEXT;
        return (long)end;
      }
    }
    size_t end;
    int rc = json_scan_numbers(c, pos, &r->counts, &end);
    if (rc < 0) return -1;
    if (rc > 0) {
      r->counts_from = COUNTS_NUMBERS;
      return (long)end;
    }
  }
  return parse_member(c, r->rle, key, pos);
}

/* "segmentation" at pos: polygons scanned into r->poly, or an RLE object read
 * member by member into r->rle. Returns 1 (done, *end set), 0 when it is neither
 * (then parsed by cJSON, for the message) or -1. */
static int scan_segmentation(JCtx *c, AnnRead *r, size_t pos, size_t *end) {
  if (pos >= c->len) return 0;
  if (c->text[pos] == '[') return json_scan_number_lists(c, pos, &r->poly, end);
  if (c->text[pos] != '{') return 0;
  if (!(r->rle = cJSON_CreateObject())) return err_nomem(c->e);
  return json_object(c, pos, NULL, rle_member, r, end) == 0 ? 1 : -1;
}

/* The member of an annotation read from the text that key names, or -1. */
static int member_of(const char *key) {
  static const char *const names[M_COUNT] = {
    [M_BBOX] = "bbox", [M_KEYPOINTS] = "keypoints", [M_SEGMENTATION] = "segmentation", [M_ID] = "id",
    [M_IMAGE_ID] = "image_id", [M_CATEGORY_ID] = "category_id", [M_SCORE] = "score", [M_AREA] = "area",
    [M_ISCROWD] = "iscrowd",
  };
  int m;
  switch (key[0]) {
  case 'a': m = M_AREA; break;
  case 'b': m = M_BBOX; break;
  case 'c': m = M_CATEGORY_ID; break;
  case 'i': m = key[1] == 'd' ? M_ID : key[1] == 'm' ? M_IMAGE_ID : M_ISCROWD; break;
  case 'k': m = M_KEYPOINTS; break;
  case 's': m = key[1] == 'c' ? M_SCORE : M_SEGMENTATION; break;
  default: return -1;
  }
  return strcmp(key, names[m]) == 0 ? m : -1;
}

/* A member of an annotation object: bbox, keypoints and segmentation scanned
 * from the text when they have the shape expected, the scalars when they are
 * numbers, every other member (and those when not) parsed into r->obj. A
 * JMemberFn. */
static long ann_member(JCtx *c, const char *key, size_t pos, void *arg) {
  AnnRead *r = arg;
  int m = member_of(key);
  if (m >= 0) {
    if (r->seen[m]) return parse_member(c, NULL, key, pos);
    r->seen[m] = 1;
    size_t end;
    int rc = m == M_BBOX ? json_scan_numbers(c, pos, &r->bb, &end)
           : m == M_KEYPOINTS ? json_scan_numbers(c, pos, &r->kp, &end)
           : m == M_SEGMENTATION ? scan_segmentation(c, r, pos, &end)
           : json_scan_number(c, pos, &r->val[m], &end);
    if (rc < 0) return -1;
    if (rc > 0) {
      r->scanned[m] = 1;
      return (long)end;
    }
  }
  return parse_member(c, r->obj, key, pos);
}

/* ---- checking the members ---- */

/* The numbers of a member: as scanned into x (v NULL; checked finite here, as
 * json_numbers checks them), or from its cJSON value v into k->num. */
static int member_numbers(Coco *k, JCtx *c, const JNums *x, const cJSON *v, const char *field,
                          const double **out, size_t *n) {
  if (!v) {
    *out = x->v;
    *n = x->n;
    return json_finite(c, field, x->v, x->n);
  }
  if (json_numbers(c, v, field, &k->num, &k->ncap, n) != 0) return -1;
  *out = k->num;
  return 0;
}

/* bbox (v, or scanned when NULL): exactly 4 finite numbers, width and height not
 * negative. */
static int read_bbox(Coco *k, JCtx *c, const cJSON *v, double b[4]) {
  const double *x;
  size_t n;
  if (member_numbers(k, c, &k->ar.bb, v, "bbox", &x, &n) != 0) return -1;
  if (n != 4) return json_fail(c, "bbox", "expected 4 numbers, got %zu", n);
  if (x[2] < 0 || x[3] < 0) {
    char w[NUMFMT_MAX], h[NUMFMT_MAX];
    num_fmt(w, x[2], 0);
    num_fmt(h, x[3], 0);
    return json_fail(c, "bbox", "width and height must not be negative, got %s and %s", w, h);
  }
  memcpy(b, x, 4 * sizeof *b);
  return 0;
}

/* Checks part np of a polygon (its n numbers at x) and sets its point count in
 * k->pt. */
static int polygon_part(Coco *k, JCtx *c, size_t np, const double *x, size_t n) {
  int finite = 1;
  for (size_t j = 0; j < n; j++) finite &= isfinite(x[j]) != 0;
  if (!finite || n % 2 || n > INT32_MAX || n < 6) {      /* something to say */
    char f[48];
    snprintf(f, sizeof f, "segmentation[%zu]", np);
    if (json_finite(c, f, x, n) != 0) return -1;
    if (n % 2) return json_fail(c, f, "expected x y pairs, got an odd count of numbers (%zu)", n);
    if (n > INT32_MAX) return json_fail(c, f, "polygon too long");
    diag_warn(k->g, "polygon with fewer than 3 points", "%s: %s.%s: %zu points", c->file, c->where, f, n / 2);
  }
  if (json_reserve((void **)&k->pt, &k->ptcap, np + 1, sizeof *k->pt, c->e) != 0) return -1;
  k->pt[np] = (int32_t)(n / 2);
  return 0;
}

/* Polygons: an array of arrays of x y numbers (v, or scanned when NULL); the
 * coordinates end up in k->ar.poly.v, the parts in k->pt. */
static int read_polygons(Coco *k, JCtx *c, const cJSON *v, size_t *ncoords, size_t *nparts) {
  JNums *poly = &k->ar.poly;
  size_t nc = 0, np = 0;
  if (!v) {
    for (; np < poly->nlen; nc += poly->len[np], np++)
      if (polygon_part(k, c, np, poly->v + nc, poly->len[np]) != 0) return -1;
  } else {
    for (const cJSON *part = v->child; part; part = part->next, np++) {
      char f[48];
      size_t n;
      snprintf(f, sizeof f, "segmentation[%zu]", np);
      if (!cJSON_IsArray(part))
        return json_fail(c, f, "expected a polygon (an array of x y numbers), got %s", json_kind(part));
      if (json_numbers(c, part, f, &k->num, &k->ncap, &n) != 0 ||
          json_reserve((void **)&poly->v, &poly->cap, nc + n, sizeof *poly->v, c->e) != 0)
        return -1;
      memcpy(poly->v + nc, k->num, n * sizeof *poly->v);
      if (polygon_part(k, c, np, poly->v + nc, n) != 0) return -1;
      nc += n;
    }
  }
  *ncoords = nc;
  *nparts = np;
  return 0;
}

/* RLE: {"size": [h, w], "counts": [runs...] or "compressed string"} (v; its counts
 * where r says when r is not NULL); runs into k->rl, which must cover h * w
 * pixels. */
static int read_rle(Coco *k, JCtx *c, const cJSON *v, const AnnRead *r, double hw[2], size_t *nrle,
                    int *compressed) {
  int from = r ? r->counts_from : COUNTS_CJSON;
  const cJSON *counts = from == COUNTS_CJSON ? cJSON_GetObjectItemCaseSensitive(v, "counts") : NULL;
  int64_t h, w;
  if (r && r->size_scanned) {
    if (r->size.n != 2) return json_fail(c, "segmentation.size", "expected [height, width]");
    if (json_int_double(c, r->size.v[0], "segmentation.size[0]", 0, INT32_MAX, &h) < 0 ||
        json_int_double(c, r->size.v[1], "segmentation.size[1]", 0, INT32_MAX, &w) < 0)
      return -1;
  } else {
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(v, "size");
    if (!size || !cJSON_IsArray(size) || cJSON_GetArraySize(size) != 2)
      return json_fail(c, "segmentation.size", "expected [height, width]");
    if (json_int_value(c, size->child, "segmentation.size[0]", 0, INT32_MAX, &h) < 0 ||
        json_int_value(c, size->child->next, "segmentation.size[1]", 0, INT32_MAX, &w) < 0)
      return -1;
  }
  size_t n = 0;
  uint64_t sum = 0;
  *compressed = 0;
  if (from == COUNTS_NUMBERS) {
    const JNums *x = &r->counts;
    if (json_reserve((void **)&k->rl, &k->rlcap, x->n, sizeof *k->rl, c->e) != 0) return -1;
    for (; n < x->n; n++) {
      int64_t run;
      char f[64];
      snprintf(f, sizeof f, "segmentation.counts[%zu]", n);
      if (json_int_double(c, x->v[n], f, 0, UINT32_MAX, &run) < 0) return -1;
      k->rl[n] = (uint32_t)run;
      sum += (uint64_t)run;
    }
  } else if (from == COUNTS_TEXT || cJSON_IsString(counts)) {
    const char *str = from == COUNTS_TEXT ? r->counts_text : counts->valuestring;
    size_t len = from == COUNTS_TEXT ? r->counts_len : strlen(str);
    Err sub = {0};
    *compressed = 1;
    if (k->d->runs_dropped) {     /* checked, not kept: no array to fill */
      if (rle_string_check(str, len, &n, &sum, &sub) != 0) return json_fail(c, "segmentation.counts", "%s", sub.msg);
    } else {
      uint32_t *runs;
      if (rle_from_string(str, len, &runs, &n, &sub) != 0) return json_fail(c, "segmentation.counts", "%s", sub.msg);
      free(k->rl);
      k->rl = runs;
      k->rlcap = n;
      for (size_t j = 0; j < n; j++) sum += runs[j];
    }
  } else if (cJSON_IsArray(counts)) {
    for (const cJSON *y = counts->child; y; y = y->next, n++) {
      int64_t run;
      char f[64];
      snprintf(f, sizeof f, "segmentation.counts[%zu]", n);
      if (json_int_value(c, y, f, 0, UINT32_MAX, &run) < 0 ||
          json_reserve((void **)&k->rl, &k->rlcap, n + 1, sizeof *k->rl, c->e) != 0)
        return -1;
      k->rl[n] = (uint32_t)run;
      sum += (uint64_t)run;
    }
  } else {
    return json_fail(c, "segmentation.counts", "expected an array of run lengths or a compressed string, got %s",
                   json_kind(counts));
  }
  if (sum != (uint64_t)h * (uint64_t)w)
    return json_fail(c, "segmentation.counts", "runs add up to %llu pixels, expected height x width = %llu",
                   (unsigned long long)sum, (unsigned long long)((uint64_t)h * (uint64_t)w));
  if (n > UINT32_MAX) return json_fail(c, "segmentation.counts", "too many runs");
  hw[0] = (double)h;
  hw[1] = (double)w;
  *nrle = n;
  return 0;
}

/* "attributes": an object of scalars, into k->at. */
static int read_attributes(Coco *k, JCtx *c, const cJSON *v, uint32_t *nattrs) {
  uint32_t n = 0;
  *nattrs = 0;
  if (!v || cJSON_IsNull(v)) return 0;
  if (!cJSON_IsObject(v)) return json_fail(c, "attributes", "expected an object, got %s", json_kind(v));
  for (const cJSON *x = v->child; x; x = x->next) {
    if (cJSON_IsNull(x)) continue;
    if (json_utf8(c, x->string, "attributes") != 0 ||
        json_reserve((void **)&k->at, &k->atcap, (size_t)n + 1, sizeof *k->at, c->e) != 0)
      return -1;
    Attr *a = &k->at[n];
    memset(a, 0, sizeof *a);
    if ((a->key = coco_intern(k, x->string, c->e)) == (StrId)-1) return -1;
    char f[96];
    snprintf(f, sizeof f, "attributes.%.60s", x->string);
    if (cJSON_IsString(x)) {
      a->kind = ATTR_STRING;
      if (json_utf8(c, x->valuestring, f) != 0 || (a->str = coco_intern(k, x->valuestring, c->e)) == (StrId)-1) return -1;
    } else if (cJSON_IsBool(x)) {
      a->kind = ATTR_BOOL;
      a->num = cJSON_IsTrue(x);
    } else if (cJSON_IsNumber(x)) {
      a->kind = ATTR_NUMBER;
      if (json_num_value(c, x, f, &a->num) < 0) return -1;
    } else {
      return json_fail(c, f, "expected a string, number or boolean, got %s", json_kind(x));
    }
    n++;
  }
  *nattrs = n;
  return 0;
}

/* "annotator" (an extension some exports carry, e.g. annovet's own), else
 * "attributes.annotator" (where other tools put it): a name or a numeric id. */
static int read_annotator(Coco *k, JCtx *c, const cJSON *el, AnnInit *a) {
  const char *field = "annotator";
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(el, "annotator");
  if (!v || cJSON_IsNull(v)) {
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(el, "attributes");
    v = cJSON_IsObject(at) ? cJSON_GetObjectItemCaseSensitive(at, "annotator") : NULL;
    field = "attributes.annotator";
  }
  char num[32];
  const char *name;
  if (!v || cJSON_IsNull(v)) return 0;
  if (cJSON_IsString(v)) {
    if (json_utf8(c, v->valuestring, field) != 0) return -1;
    name = v->valuestring;
  } else if (cJSON_IsNumber(v)) {
    int64_t id;
    if (json_int_value(c, v, field, ID_MIN, ID_MAX, &id) < 0) return -1;
    snprintf(num, sizeof num, "%lld", (long long)id);
    name = num;
  } else {
    return json_fail(c, field, "expected a name or an id, got %s", json_kind(v));
  }
  StrId s = coco_intern(k, name, c->e);
  int64_t ai = s == (StrId)-1 ? -1 : dataset_annotator(k->d, s, c->e);
  if (ai < 0) return -1;
  a->annotator = (int32_t)ai;
  a->stage = STAGE_ANNOTATOR;
  return 0;
}

/* Warns when geometry leaves the item (whose size is known). */
static void check_inside(Coco *k, JCtx *c, const AnnInit *a, const Item *it) {
  if (!it->width || !it->height) return;
  double W = it->width, H = it->height;
  const double *b = a->bbox;
  if (!isnan(b[0]) && (b[0] < 0 || b[1] < 0 || b[0] + b[2] > W || b[1] + b[3] > H))
    diag_warn(k->g, "box outside image", "%s: %s.bbox: [%g, %g, %g, %g] leaves the %gx%g image",
              c->file, c->where, b[0], b[1], b[2], b[3], W, H);
  if (a->type == ANN_POLYGON) {
    for (uint32_t j = 0; j + 1 < a->ncoords; j += 2) {
      double x = a->coords[j], y = a->coords[j + 1];
      if (x < 0 || y < 0 || x > W || y > H) {
        diag_warn(k->g, "polygon outside image", "%s: %s.segmentation: point (%g, %g) leaves the %gx%g image",
                  c->file, c->where, x, y, W, H);
        break;
      }
    }
  } else if (a->type == ANN_KEYPOINTS) {
    for (uint32_t j = 0; j + 2 < a->ncoords; j += 3) {
      double x = a->coords[j], y = a->coords[j + 1];
      if (a->coords[j + 2] > 0 && (x < 0 || y < 0 || x > W || y > H)) {
        diag_warn(k->g, "keypoint outside image", "%s: %s.keypoints: (%g, %g) leaves the %gx%g image",
                  c->file, c->where, x, y, W, H);
        break;
      }
    }
  }
  if ((a->type == ANN_MASK && (a->coords[0] != H || a->coords[1] != W)) ||
      (a->type == ANN_KEYPOINTS && a->nrle && (a->seg[0] != H || a->seg[1] != W)))
    diag_warn(k->g, "mask size differs from image", "%s: %s.segmentation.size differs from the %gx%g image",
              c->file, c->where, W, H);
}

/* The item of image_id: found, or (results without a ground truth) created. */
static int64_t resolve_item(Coco *k, JCtx *c, int64_t image_id) {
  int64_t it = dataset_find_item(k->d, image_id);
  if (it >= 0) return it;
  if (!k->results || k->with_gt) {
    json_fail(c, "image_id", "no image with id %lld%s", (long long)image_id,
            k->with_gt ? " in the ground truth" : " in \"images\"");
    return -1;
  }
  return dataset_add_item(k->d, image_id, 0, 0, 0, c->e);
}

/* The category of category_id: found, or (results without a ground truth) created
 * and named by its id. */
static int64_t resolve_category(Coco *k, JCtx *c, int64_t cat_id) {
  int64_t ci = dataset_find_category(k->d, cat_id);
  if (ci >= 0) return ci;
  if (!k->results || k->with_gt) {
    json_fail(c, "category_id", "no category with id %lld%s", (long long)cat_id,
            k->with_gt ? " in the ground truth" : " in \"categories\"");
    return -1;
  }
  char name[32];
  snprintf(name, sizeof name, "%lld", (long long)cat_id);
  StrId n = coco_intern(k, name, c->e);
  if (n == (StrId)-1) return -1;
  diag_warn(k->g, "categories named by id", "%s: results without a ground truth: category %s has no name",
            c->file, name);
  return dataset_add_category(k->d, cat_id, n, 0, c->e);
}

/* keypoints (v, or scanned when NULL): x y v triplets into *out; checked against
 * the category's keypoint count. *given gets num_keypoints as the file has it
 * (kept, as pycocotools uses it; NaN when absent). In a results file the third
 * number is the keypoint's score, not its visibility, so it draws no warning. */
static int read_keypoints(Coco *k, JCtx *c, const cJSON *v, const cJSON *el, int32_t cat,
                          const double **out, size_t *n, double *given_num) {
  const double *x;
  if (member_numbers(k, c, &k->ar.kp, v, "keypoints", &x, n) != 0) return -1;
  if (*n % 3) return json_fail(c, "keypoints", "expected x y v triplets, got %zu numbers", *n);
  const Category *cc = cat >= 0 ? &k->d->cats[cat] : NULL;
  if (cc && cc->nkp && *n / 3 != cc->nkp)
    return json_fail(c, "keypoints", "expected %u numbers (%u keypoints of '%s' x 3), got %zu", 3 * cc->nkp,
                   cc->nkp, strpool_get(&k->d->str, cc->name), *n);
  int64_t labelled = 0, given;
  for (size_t j = 2; j < *n; j += 3) {
    double vis = x[j];
    if (!k->results && vis != 0 && vis != 1 && vis != 2)
      diag_warn(k->g, "keypoint visibility not 0, 1 or 2", "%s: %s.keypoints[%zu]: %g", c->file, c->where, j, vis);
    labelled += vis > 0;
  }
  int rc = json_int(c, el, "num_keypoints", 0, INT32_MAX, &given);
  if (rc < 0) return -1;
  if (rc > 0 && given != labelled)
    diag_warn(k->g, "num_keypoints differs", "%s: %s.num_keypoints: %lld, but %lld keypoints are labelled",
              c->file, c->where, (long long)given, (long long)labelled);
  *given_num = rc > 0 ? (double)given : NAN;
  *out = x;
  return 0;
}

/* "cuboid" (an annovet extension: the 8 projected corners, 16 numbers x y in
 * CVAT's order tl1 bl1 tr1 br1 tl2 bl2 tr2 br2) and its optional "cuboid_3d"
 * (cx cy cz l w h yaw, as geom's 3D IoU takes them) into xyz; *n gets 16 or 23,
 * 0 when the annotation has no cuboid. */
static int read_cuboid(Coco *k, JCtx *c, const cJSON *el, double xyz[23], uint32_t *n) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(el, "cuboid");
  const cJSON *v3 = cJSON_GetObjectItemCaseSensitive(el, "cuboid_3d");
  int has = v && !cJSON_IsNull(v), has3 = v3 && !cJSON_IsNull(v3);
  size_t m;
  *n = 0;
  if (!has) return has3 ? json_fail(c, "cuboid_3d", "needs \"cuboid\", the 8 projected corners") : 0;
  if (json_numbers(c, v, "cuboid", &k->num, &k->ncap, &m) != 0) return -1;
  if (m != 16) return json_fail(c, "cuboid", "expected 16 numbers (8 corners x y), got %zu", m);
  memcpy(xyz, k->num, 16 * sizeof *xyz);
  *n = 16;
  if (!has3) return 0;
  if (json_numbers(c, v3, "cuboid_3d", &k->num, &k->ncap, &m) != 0) return -1;
  if (m != 7) return json_fail(c, "cuboid_3d", "expected 7 numbers (cx cy cz l w h yaw), got %zu", m);
  if (k->num[3] < 0 || k->num[4] < 0 || k->num[5] < 0)
    return json_fail(c, "cuboid_3d", "l, w and h must not be negative");
  memcpy(xyz + 16, k->num, 7 * sizeof *xyz);
  *n = 23;
  return 0;
}

/* The scalar member m (named key): its number when scanned from the text, else
 * its cJSON value; each as json_int, json_num and json_bool01 read them. */
static int ann_int(Coco *k, JCtx *c, int m, const char *key, int64_t min, int64_t max, int64_t *out) {
  if (!k->ar.scanned[m]) return json_int(c, k->ar.obj, key, min, max, out);
  return json_int_double(c, k->ar.val[m], key, min, max, out);
}

static int ann_num(Coco *k, JCtx *c, int m, const char *key, double *out) {
  if (!k->ar.scanned[m]) return json_num(c, k->ar.obj, key, out);
  return json_num_double(c, k->ar.val[m], key, out);
}

static int ann_bool01(Coco *k, JCtx *c, int m, const char *key, int *out) {
  if (!k->ar.scanned[m]) return json_bool01(c, k->ar.obj, key, out);
  return json_bool01_double(c, k->ar.val[m], key, out);
}

/* Checks the annotation read into k->ar (element i) and adds it to the model. */
static int add_annotation(Coco *k, JCtx *c, uint32_t i) {
  const AnnRead *r = &k->ar;
  const cJSON *el = r->obj;
  int64_t id = ANN_NO_ID, image_id, cat_id, it, ci = -1;
  int rc = ann_int(k, c, M_ID, "id", ID_MIN, ID_MAX, &id);
  if (rc < 0) return -1;
  if (rc > 0) {
    int64_t prev = idset_add(&k->ids, id, i, c->e);
    if (prev < 0) return -1;
    if (prev > 0)
      return json_fail(c, "id", "duplicate annotation id %lld (also at %s[%lld])", (long long)id,
                     k->results ? "" : "annotations", (long long)prev - 1);
  }
  rc = ann_int(k, c, M_IMAGE_ID, "image_id", ID_MIN, ID_MAX, &image_id);
  if (rc == 0) return json_fail(c, "image_id", "missing (every annotation needs the id of its image)");
  if (rc < 0 || (it = resolve_item(k, c, image_id)) < 0) return -1;
  rc = ann_int(k, c, M_CATEGORY_ID, "category_id", ID_MIN, ID_MAX, &cat_id);
  if (rc < 0 || (rc > 0 && (ci = resolve_category(k, c, cat_id)) < 0)) return -1;
  if (rc == 0 && !k->results) return json_fail(c, "category_id", "missing");

  AnnInit a = ann_init((uint32_t)it, (int32_t)ci, ANN_BOX);
  a.id = id;
  a.src_file = k->src;
  a.src_pos = i;
  int crowd = 0;
  if (ann_bool01(k, c, M_ISCROWD, "iscrowd", &crowd) < 0 || ann_num(k, c, M_SCORE, "score", &a.score) < 0 ||
      ann_num(k, c, M_AREA, "area", &a.area) < 0)
    return -1;
  a.iscrowd = (uint8_t)crowd;
  if (a.area < 0) return json_fail(c, "area", "must not be negative");
  /* A member scanned from the text is passed as NULL to the readers below. */
  const cJSON *bb = r->scanned[M_BBOX] ? NULL : cJSON_GetObjectItemCaseSensitive(el, "bbox");
  int has_box = r->scanned[M_BBOX] || (bb && !cJSON_IsNull(bb));
  if (has_box && read_bbox(k, c, bb, a.bbox) != 0) return -1;

  size_t nc = 0, np = 0, nr = 0, nkp = 0;
  double hw[2];
  int compressed = 0, geom = 0;   /* 1 polygon, 2 mask */
  const cJSON *seg = r->scanned[M_SEGMENTATION] ? NULL : cJSON_GetObjectItemCaseSensitive(el, "segmentation");
  if (r->rle) {
    if (read_rle(k, c, r->rle, r, hw, &nr, &compressed) != 0) return -1;
    geom = 2;
  } else if (r->scanned[M_SEGMENTATION] ? r->poly.nlen > 0 : seg && cJSON_IsArray(seg) && seg->child) {
    if (read_polygons(k, c, seg, &nc, &np) != 0) return -1;
    geom = 1;
  } else if (seg && cJSON_IsObject(seg)) {
    if (read_rle(k, c, seg, NULL, hw, &nr, &compressed) != 0) return -1;
    geom = 2;
  } else if (seg && !cJSON_IsArray(seg) && !cJSON_IsNull(seg)) {
    return json_fail(c, "segmentation", "expected polygons (an array of arrays) or an RLE object, got %s", json_kind(seg));
  }
  const cJSON *kp = r->scanned[M_KEYPOINTS] ? NULL : cJSON_GetObjectItemCaseSensitive(el, "keypoints");
  int has_kp = r->scanned[M_KEYPOINTS] ? r->kp.n > 0 : kp && !cJSON_IsNull(kp) && !(cJSON_IsArray(kp) && !kp->child);
  double cub[23];
  uint32_t ncub;
  if (read_cuboid(k, c, el, cub, &ncub) != 0) return -1;
  if (ncub) {
    if (geom || has_kp) return json_fail(c, "cuboid", "a cuboid annotation has no segmentation or keypoints");
    a.type = ANN_CUBOID;
    a.coords = cub;
    a.ncoords = ncub;
  } else if (has_kp) {
    if (read_keypoints(k, c, kp, el, (int32_t)ci, &a.coords, &nkp, &a.aux) != 0) return -1;
    a.type = ANN_KEYPOINTS;
    a.ncoords = (uint32_t)nkp;
    a.seg = geom == 1 ? r->poly.v : geom == 2 ? hw : NULL;
    a.nseg = geom == 1 ? (uint32_t)nc : geom == 2 ? 2 : 0;
  } else if (geom == 1) {
    a.type = ANN_POLYGON;
    a.coords = r->poly.v;
    a.ncoords = (uint32_t)nc;
  } else if (geom == 2) {
    a.type = ANN_MASK;
    a.coords = hw;
    a.ncoords = 2;
  } else if (!has_box) {
    return json_fail(c, NULL, "no geometry: expected bbox, segmentation or keypoints");
  }
  if (geom == 1) {
    a.parts = k->pt;
    a.nparts = (uint32_t)np;
  } else if (geom == 2) {
    a.rle = k->rl;
    a.nrle = (uint32_t)nr;
    a.flags = compressed ? ANN_FLAG_RLE_COMPRESSED : 0;
  }
  if (read_annotator(k, c, el, &a) != 0) return -1;
  uint32_t na;
  if (read_attributes(k, c, cJSON_GetObjectItemCaseSensitive(el, "attributes"), &na) != 0) return -1;
  a.attrs = k->at;
  a.nattrs = na;
  check_inside(k, c, &a, &k->d->items[it]);
  return dataset_add_annotation(k->d, &a, c->e) < 0 ? -1 : 0;
}

long coco_annotation(JCtx *c, size_t pos, uint32_t i, void *arg) {
  Coco *k = arg;
  AnnRead *r = &k->ar;
  size_t p = json_ws(c->text, c->len, pos), end;
  if (p < c->len && c->text[p] != '{') {      /* parsed for the message */
    cJSON *v = json_parse_at(c, p, &end);
    if (v) json_fail(c, NULL, "expected an object, got %s", json_kind(v));
    cJSON_Delete(v);
    return -1;
  }
  memset(r->seen, 0, sizeof r->seen);
  memset(r->scanned, 0, sizeof r->scanned);
  r->counts_seen = r->size_seen = r->size_scanned = 0;
  r->counts_from = COUNTS_CJSON;
  r->bb.n = r->kp.n = r->poly.n = r->poly.nlen = r->counts.n = r->size.n = 0;
  if (!(r->obj = cJSON_CreateObject())) return err_nomem(c->e), -1;
  int rc = json_object(c, p, NULL, ann_member, r, &end);
  if (rc == 0) rc = add_annotation(k, c, i);
  cJSON_Delete(r->obj);
  cJSON_Delete(r->rle);
  r->obj = r->rle = NULL;
  return rc == 0 ? (long)end : -1;
}

void coco_ann_free(Coco *k) {
  free(k->ids.id);
  free(k->ids.at);
  cJSON_Delete(k->ar.obj);
  cJSON_Delete(k->ar.rle);
  json_nums_free(&k->ar.bb);
  json_nums_free(&k->ar.kp);
  json_nums_free(&k->ar.poly);
  json_nums_free(&k->ar.counts);
  json_nums_free(&k->ar.size);
  free(k->ar.esc);
  free(k->num);
  free(k->pt);
  free(k->rl);
  free(k->at);
}
