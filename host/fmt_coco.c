/* COCO JSON reader: instances, keypoints and results files into the model, one
 * annotation at a time (jread.c), with the file and JSON path in every message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_coco.h"
#include "jread.h"
#include "numfmt.h"
#include "rle.h"

typedef struct IdSet {       /* annotation ids seen, with where (open addressing) */
  int64_t *id;
  uint32_t *at;              /* array index + 1; 0 = empty slot */
  size_t n, cap;
} IdSet;

typedef struct Coco {
  Dataset *d;
  Diag *g;
  StrId src;
  int results;               /* a results file: a top-level array of detections */
  int with_gt;               /* items and categories came from a ground truth */
  int have_images, have_cats;
  size_t ann_pos;
  int have_ann;
  IdSet ids;
  double *num;  size_t ncap;          /* scratch: numbers of one array */
  double *co;   size_t cocap;         /* coords */
  double *sg;   size_t sgcap;         /* keypoints' segmentation */
  int32_t *pt;  size_t ptcap;         /* parts */
  uint32_t *rl; size_t rlcap;         /* runs */
  Attr *at;     size_t atcap;
  StrId *kn;    size_t kncap;         /* keypoint names */
  int32_t *sk;  size_t skcap;         /* skeleton */
} Coco;

static void coco_free(Coco *k) {
  free(k->ids.id);
  free(k->ids.at);
  free(k->num);
  free(k->co);
  free(k->sg);
  free(k->pt);
  free(k->rl);
  free(k->at);
  free(k->kn);
  free(k->sk);
}

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

static StrId intern(Coco *k, const char *s, Err *e) {
  return strpool_intern(&k->d->str, s, strlen(s), e);
}

#define ID_MIN (-9007199254740992LL)
#define ID_MAX 9007199254740992LL

/* ---- images and categories ---- */

/* One element of "images": id, file_name, width, height. */
static int add_image(JCtx *c, const cJSON *el, uint32_t i, void *arg) {
  Coco *k = arg;
  (void)i;
  if (!cJSON_IsObject(el)) return jr_fail(c, NULL, "expected an object, got %s", jr_kind(el));
  int64_t id, w = 0, h = 0;
  const char *file = "";
  int rc = jr_int(c, el, "id", ID_MIN, ID_MAX, &id);
  if (rc == 0) return jr_fail(c, "id", "missing (every image needs an integer id)");
  if (rc < 0 || jr_str(c, el, "file_name", &file) < 0 ||
      jr_int(c, el, "width", 0, INT32_MAX, &w) < 0 || jr_int(c, el, "height", 0, INT32_MAX, &h) < 0)
    return -1;
  if (dataset_find_item(k->d, id) >= 0)
    return jr_fail(c, "id", "duplicate image id %lld", (long long)id);
  StrId f = intern(k, file, c->e);
  if (f == (StrId)-1) return -1;
  if (!w || !h) diag_warn(k->g, "image size unknown", "%s: %s: no width or height", c->file, c->where);
  return dataset_add_item(k->d, id, f, (int32_t)w, (int32_t)h, c->e) < 0 ? -1 : 0;
}

/* Reads "keypoints" names and "skeleton" of category index ci. The skeleton is
 * stored 0-based: one with a 0 anywhere is taken as already 0-based (datumaro
 * writes it so, and says so in a warning), else as COCO's 1-based. */
static int category_keypoints(Coco *k, JCtx *c, const cJSON *el, uint32_t ci) {
  const cJSON *names = cJSON_GetObjectItemCaseSensitive(el, "keypoints");
  const cJSON *skel = cJSON_GetObjectItemCaseSensitive(el, "skeleton");
  uint32_t nkp = 0, nsk = 0;
  if (names && !cJSON_IsNull(names)) {
    if (!cJSON_IsArray(names)) return jr_fail(c, "keypoints", "expected an array of names, got %s", jr_kind(names));
    for (const cJSON *x = names->child; x; x = x->next, nkp++) {
      char f[48];
      snprintf(f, sizeof f, "keypoints[%u]", nkp);
      if (!cJSON_IsString(x)) return jr_fail(c, f, "expected a string, got %s", jr_kind(x));
      if (jr_utf8(c, x->valuestring, f) != 0 ||
          jr_reserve((void **)&k->kn, &k->kncap, (size_t)nkp + 1, sizeof *k->kn, c->e) != 0)
        return -1;
      if ((k->kn[nkp] = intern(k, x->valuestring, c->e)) == (StrId)-1) return -1;
    }
  }
  int zero = 0;
  if (skel && !cJSON_IsNull(skel)) {
    if (!cJSON_IsArray(skel)) return jr_fail(c, "skeleton", "expected an array of [a, b] pairs, got %s", jr_kind(skel));
    for (const cJSON *x = skel->child; x; x = x->next, nsk++) {
      char f[48];
      snprintf(f, sizeof f, "skeleton[%u]", nsk);
      if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) != 2)
        return jr_fail(c, f, "expected a pair [a, b] of keypoint numbers");
      if (jr_reserve((void **)&k->sk, &k->skcap, 2 * (size_t)nsk + 2, sizeof *k->sk, c->e) != 0) return -1;
      int j = 0;
      for (const cJSON *y = x->child; y; y = y->next, j++) {
        int64_t v;
        if (jr_int_value(c, y, f, 0, INT32_MAX - 1, &v) < 0) return -1;
        k->sk[2 * nsk + j] = (int32_t)v;
        zero |= v == 0;
      }
    }
  }
  for (uint32_t s = 0; s < 2 * nsk; s++) {
    int32_t v = k->sk[s] - (zero ? 0 : 1);
    if (nkp && v >= (int32_t)nkp)
      return jr_fail(c, "skeleton", "keypoint number %d is past the %u keypoint names", k->sk[s], nkp);
    k->sk[s] = v;
  }
  if (zero)
    diag_warn(k->g, "skeleton 0-based", "%s: %s.skeleton: has keypoint number 0, so read as 0-based "
              "(datumaro style; COCO is 1-based, as annovet writes it)", c->file, c->where);
  if (!nkp && !nsk) return 0;
  return dataset_set_keypoints(k->d, ci, k->kn, nkp, k->sk, nsk, c->e);
}

/* One element of "categories": id, name, supercategory, keypoints, skeleton. */
static int add_category(JCtx *c, const cJSON *el, uint32_t i, void *arg) {
  Coco *k = arg;
  (void)i;
  if (!cJSON_IsObject(el)) return jr_fail(c, NULL, "expected an object, got %s", jr_kind(el));
  int64_t id;
  const char *name = NULL, *super = "";
  int rc = jr_int(c, el, "id", ID_MIN, ID_MAX, &id);
  if (rc == 0) return jr_fail(c, "id", "missing (every category needs an integer id)");
  if (rc < 0) return -1;
  rc = jr_str(c, el, "name", &name);
  if (rc == 0) return jr_fail(c, "name", "missing (every category needs a name)");
  if (rc < 0 || jr_str(c, el, "supercategory", &super) < 0) return -1;
  if (dataset_find_category(k->d, id) >= 0)
    return jr_fail(c, "id", "duplicate category id %lld", (long long)id);
  if (dataset_category_by_name(k->d, name) >= 0)
    diag_warn(k->g, "duplicate category name", "%s: %s: name \"%s\" is used by another category too",
              c->file, c->where, name);
  StrId n = intern(k, name, c->e), s = n == (StrId)-1 ? n : intern(k, super, c->e);
  if (s == (StrId)-1) return -1;
  int64_t ci = dataset_add_category(k->d, id, n, s, c->e);
  if (ci < 0) return -1;
  return category_keypoints(k, c, el, (uint32_t)ci);
}

/* ---- annotations ---- */

/* bbox: exactly 4 finite numbers, width and height not negative. */
static int read_bbox(Coco *k, JCtx *c, const cJSON *v, double b[4]) {
  size_t n;
  if (jr_numbers(c, v, "bbox", &k->num, &k->ncap, &n) != 0) return -1;
  if (n != 4) return jr_fail(c, "bbox", "expected 4 numbers, got %zu", n);
  if (k->num[2] < 0 || k->num[3] < 0) {
    char w[NUMFMT_MAX], h[NUMFMT_MAX];
    num_fmt(w, k->num[2], 0);
    num_fmt(h, k->num[3], 0);
    return jr_fail(c, "bbox", "width and height must not be negative, got %s and %s", w, h);
  }
  memcpy(b, k->num, 4 * sizeof *b);
  return 0;
}

/* Polygons: an array of arrays of x y numbers; into k->co / k->pt. */
static int read_polygons(Coco *k, JCtx *c, const cJSON *v, size_t *ncoords, size_t *nparts) {
  size_t nc = 0, np = 0;
  for (const cJSON *part = v->child; part; part = part->next, np++) {
    char f[48];
    size_t n;
    snprintf(f, sizeof f, "segmentation[%zu]", np);
    if (!cJSON_IsArray(part))
      return jr_fail(c, f, "expected a polygon (an array of x y numbers), got %s", jr_kind(part));
    if (jr_numbers(c, part, f, &k->num, &k->ncap, &n) != 0) return -1;
    if (n % 2) return jr_fail(c, f, "expected x y pairs, got an odd count of numbers (%zu)", n);
    if (n > INT32_MAX) return jr_fail(c, f, "polygon too long");
    if (n < 6)
      diag_warn(k->g, "polygon with fewer than 3 points", "%s: %s.%s: %zu points", c->file, c->where, f, n / 2);
    if (jr_reserve((void **)&k->co, &k->cocap, nc + n, sizeof *k->co, c->e) != 0 ||
        jr_reserve((void **)&k->pt, &k->ptcap, np + 1, sizeof *k->pt, c->e) != 0)
      return -1;
    memcpy(k->co + nc, k->num, n * sizeof *k->co);
    k->pt[np] = (int32_t)(n / 2);
    nc += n;
  }
  *ncoords = nc;
  *nparts = np;
  return 0;
}

/* RLE: {"size": [h, w], "counts": [runs...] or "compressed string"}; runs into
 * k->rl, which must cover h * w pixels. */
static int read_rle(Coco *k, JCtx *c, const cJSON *v, double hw[2], size_t *nrle, int *compressed) {
  const cJSON *size = cJSON_GetObjectItemCaseSensitive(v, "size");
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(v, "counts");
  if (!size || !cJSON_IsArray(size) || cJSON_GetArraySize(size) != 2)
    return jr_fail(c, "segmentation.size", "expected [height, width]");
  int64_t h, w;
  if (jr_int_value(c, size->child, "segmentation.size[0]", 0, INT32_MAX, &h) < 0 ||
      jr_int_value(c, size->child->next, "segmentation.size[1]", 0, INT32_MAX, &w) < 0)
    return -1;
  size_t n = 0;
  *compressed = 0;
  if (cJSON_IsString(counts)) {
    uint32_t *runs;
    Err sub = {{0}};
    if (rle_from_string(counts->valuestring, strlen(counts->valuestring), &runs, &n, &sub) != 0)
      return jr_fail(c, "segmentation.counts", "%s", sub.msg);
    free(k->rl);
    k->rl = runs;
    k->rlcap = n;
    *compressed = 1;
  } else if (cJSON_IsArray(counts)) {
    for (const cJSON *x = counts->child; x; x = x->next, n++) {
      int64_t r;
      char f[64];
      snprintf(f, sizeof f, "segmentation.counts[%zu]", n);
      if (jr_int_value(c, x, f, 0, UINT32_MAX, &r) < 0 ||
          jr_reserve((void **)&k->rl, &k->rlcap, n + 1, sizeof *k->rl, c->e) != 0)
        return -1;
      k->rl[n] = (uint32_t)r;
    }
  } else {
    return jr_fail(c, "segmentation.counts", "expected an array of run lengths or a compressed string, got %s",
                   jr_kind(counts));
  }
  uint64_t sum = 0;
  for (size_t j = 0; j < n; j++) sum += k->rl[j];
  if (sum != (uint64_t)h * (uint64_t)w)
    return jr_fail(c, "segmentation.counts", "runs add up to %llu pixels, expected height x width = %llu",
                   (unsigned long long)sum, (unsigned long long)((uint64_t)h * (uint64_t)w));
  if (n > UINT32_MAX) return jr_fail(c, "segmentation.counts", "too many runs");
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
  if (!cJSON_IsObject(v)) return jr_fail(c, "attributes", "expected an object, got %s", jr_kind(v));
  for (const cJSON *x = v->child; x; x = x->next) {
    if (cJSON_IsNull(x)) continue;
    if (jr_utf8(c, x->string, "attributes") != 0 ||
        jr_reserve((void **)&k->at, &k->atcap, (size_t)n + 1, sizeof *k->at, c->e) != 0)
      return -1;
    Attr *a = &k->at[n];
    memset(a, 0, sizeof *a);
    if ((a->key = intern(k, x->string, c->e)) == (StrId)-1) return -1;
    char f[96];
    snprintf(f, sizeof f, "attributes.%.60s", x->string);
    if (cJSON_IsString(x)) {
      a->kind = ATTR_STRING;
      if (jr_utf8(c, x->valuestring, f) != 0 || (a->str = intern(k, x->valuestring, c->e)) == (StrId)-1) return -1;
    } else if (cJSON_IsBool(x)) {
      a->kind = ATTR_BOOL;
      a->num = cJSON_IsTrue(x);
    } else if (cJSON_IsNumber(x)) {
      a->kind = ATTR_NUMBER;
      if (jr_num_value(c, x, f, &a->num) < 0) return -1;
    } else {
      return jr_fail(c, f, "expected a string, number or boolean, got %s", jr_kind(x));
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
    if (jr_utf8(c, v->valuestring, field) != 0) return -1;
    name = v->valuestring;
  } else if (cJSON_IsNumber(v)) {
    int64_t id;
    if (jr_int_value(c, v, field, ID_MIN, ID_MAX, &id) < 0) return -1;
    snprintf(num, sizeof num, "%lld", (long long)id);
    name = num;
  } else {
    return jr_fail(c, field, "expected a name or an id, got %s", jr_kind(v));
  }
  StrId s = intern(k, name, c->e);
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
    jr_fail(c, "image_id", "no image with id %lld%s", (long long)image_id,
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
    jr_fail(c, "category_id", "no category with id %lld%s", (long long)cat_id,
            k->with_gt ? " in the ground truth" : " in \"categories\"");
    return -1;
  }
  char name[32];
  snprintf(name, sizeof name, "%lld", (long long)cat_id);
  StrId n = intern(k, name, c->e);
  if (n == (StrId)-1) return -1;
  diag_warn(k->g, "categories named by id", "%s: results without a ground truth: category %s has no name",
            c->file, name);
  return dataset_add_category(k->d, cat_id, n, 0, c->e);
}

/* keypoints: x y v triplets; checked against the category's keypoint count. */
static int read_keypoints(Coco *k, JCtx *c, const cJSON *v, const cJSON *el, int32_t cat, size_t *n) {
  if (jr_numbers(c, v, "keypoints", &k->num, &k->ncap, n) != 0) return -1;
  if (*n % 3) return jr_fail(c, "keypoints", "expected x y v triplets, got %zu numbers", *n);
  const Category *cc = cat >= 0 ? &k->d->cats[cat] : NULL;
  if (cc && cc->nkp && *n / 3 != cc->nkp)
    return jr_fail(c, "keypoints", "expected %u numbers (%u keypoints of '%s' x 3), got %zu", 3 * cc->nkp,
                   cc->nkp, strpool_get(&k->d->str, cc->name), *n);
  int64_t labelled = 0, given;
  for (size_t j = 2; j < *n; j += 3) {
    double vis = k->num[j];
    if (vis != 0 && vis != 1 && vis != 2)
      diag_warn(k->g, "keypoint visibility not 0, 1 or 2", "%s: %s.keypoints[%zu]: %g", c->file, c->where, j, vis);
    labelled += vis > 0;
  }
  int rc = jr_int(c, el, "num_keypoints", 0, INT32_MAX, &given);
  if (rc < 0) return -1;
  if (rc > 0 && given != labelled)
    diag_warn(k->g, "num_keypoints differs", "%s: %s.num_keypoints: %lld, but %lld keypoints are labelled",
              c->file, c->where, (long long)given, (long long)labelled);
  return 0;
}

/* One element of "annotations" (or of a results array). */
static int add_annotation(JCtx *c, const cJSON *el, uint32_t i, void *arg) {
  Coco *k = arg;
  if (!cJSON_IsObject(el)) return jr_fail(c, NULL, "expected an object, got %s", jr_kind(el));
  int64_t id = ANN_NO_ID, image_id, cat_id, it, ci = -1;
  int rc = jr_int(c, el, "id", ID_MIN, ID_MAX, &id);
  if (rc < 0) return -1;
  if (rc > 0) {
    int64_t prev = idset_add(&k->ids, id, i, c->e);
    if (prev < 0) return -1;
    if (prev > 0)
      return jr_fail(c, "id", "duplicate annotation id %lld (also at %s[%lld])", (long long)id,
                     k->results ? "" : "annotations", (long long)prev - 1);
  }
  rc = jr_int(c, el, "image_id", ID_MIN, ID_MAX, &image_id);
  if (rc == 0) return jr_fail(c, "image_id", "missing (every annotation needs the id of its image)");
  if (rc < 0 || (it = resolve_item(k, c, image_id)) < 0) return -1;
  rc = jr_int(c, el, "category_id", ID_MIN, ID_MAX, &cat_id);
  if (rc < 0 || (rc > 0 && (ci = resolve_category(k, c, cat_id)) < 0)) return -1;
  if (rc == 0 && !k->results) return jr_fail(c, "category_id", "missing");

  AnnInit a = ann_init((uint32_t)it, (int32_t)ci, ANN_BOX);
  a.id = id;
  a.src_file = k->src;
  a.src_pos = i;
  int crowd = 0;
  if (jr_bool01(c, el, "iscrowd", &crowd) < 0 || jr_num(c, el, "score", &a.score) < 0 ||
      jr_num(c, el, "area", &a.area) < 0)
    return -1;
  a.iscrowd = (uint8_t)crowd;
  if (a.area < 0) return jr_fail(c, "area", "must not be negative");
  const cJSON *bb = cJSON_GetObjectItemCaseSensitive(el, "bbox");
  int has_box = bb && !cJSON_IsNull(bb);
  if (has_box && read_bbox(k, c, bb, a.bbox) != 0) return -1;

  size_t nc = 0, np = 0, nr = 0, nkp = 0;
  double hw[2];
  int compressed = 0, geom = 0;   /* 1 polygon, 2 mask */
  const cJSON *seg = cJSON_GetObjectItemCaseSensitive(el, "segmentation");
  if (seg && cJSON_IsArray(seg) && seg->child) {
    if (read_polygons(k, c, seg, &nc, &np) != 0) return -1;
    geom = 1;
  } else if (seg && cJSON_IsObject(seg)) {
    if (read_rle(k, c, seg, hw, &nr, &compressed) != 0) return -1;
    geom = 2;
  } else if (seg && !cJSON_IsArray(seg) && !cJSON_IsNull(seg)) {
    return jr_fail(c, "segmentation", "expected polygons (an array of arrays) or an RLE object, got %s", jr_kind(seg));
  }
  const cJSON *kp = cJSON_GetObjectItemCaseSensitive(el, "keypoints");
  if (kp && !cJSON_IsNull(kp) && !(cJSON_IsArray(kp) && !kp->child)) {
    if (read_keypoints(k, c, kp, el, (int32_t)ci, &nkp) != 0) return -1;
    a.type = ANN_KEYPOINTS;
    a.coords = k->num;
    a.ncoords = (uint32_t)nkp;
    a.seg = geom == 1 ? k->co : geom == 2 ? hw : NULL;
    a.nseg = geom == 1 ? (uint32_t)nc : geom == 2 ? 2 : 0;
  } else if (geom == 1) {
    a.type = ANN_POLYGON;
    a.coords = k->co;
    a.ncoords = (uint32_t)nc;
  } else if (geom == 2) {
    a.type = ANN_MASK;
    a.coords = hw;
    a.ncoords = 2;
  } else if (!has_box) {
    return jr_fail(c, NULL, "no geometry: expected bbox, segmentation or keypoints");
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

/* ---- the file ---- */

/* One member of the top-level object: images and categories are read at once,
 * annotations only located (read once both are known), the rest checked and
 * skipped. Returns where the value ends. */
static long top_member(JCtx *c, const char *key, size_t pos, void *arg) {
  Coco *k = arg;
  size_t end;
  c->where[0] = '\0';
  if (strcmp(key, "images") == 0) {
    if (k->with_gt) return jr_fail(c, NULL, "a ground truth is used only with a results file"), -1;
    k->have_images = 1;
    return jr_array(c, pos, "images", add_image, k, &end) == 0 ? (long)end : -1;
  }
  if (strcmp(key, "categories") == 0) {
    if (k->with_gt) return jr_fail(c, NULL, "a ground truth is used only with a results file"), -1;
    k->have_cats = 1;
    return jr_array(c, pos, "categories", add_category, k, &end) == 0 ? (long)end : -1;
  }
  if (strcmp(key, "annotations") == 0) {
    k->have_ann = 1;
    k->ann_pos = pos;
    return jr_skip(c, pos, &end) == 0 ? (long)end : -1;
  }
  cJSON *v = jr_parse_at(c, pos, &end);
  cJSON_Delete(v);
  return v ? (long)end : -1;
}

int coco_read_text(const char *path, const char *text, size_t len, Dataset *d, Diag *g, Err *e) {
  JCtx c;
  memset(&c, 0, sizeof c);
  c.file = path;
  c.text = text;
  c.len = len;
  c.e = e;
  Coco k;
  memset(&k, 0, sizeof k);
  k.d = d;
  k.g = g;
  k.with_gt = d->nitems > 0 || d->ncats > 0;
  int rc = -1;
  size_t p = jr_ws(text, len, 0), end;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) p = jr_ws(text, len, 3);
  if ((k.src = strpool_intern(&d->str, path, strlen(path), e)) == (StrId)-1) goto done;
  d->src_kind = SRC_INDEX;
  if (p < len && text[p] == '[') {
    k.results = 1;
    d->src_kind = SRC_ELEMENT;
    d->format = strpool_intern(&d->str, "coco-results", 12, e);
    if (jr_array(&c, p, "", add_annotation, &k, &end) != 0) goto done;
  } else {
    static const char *const unique[] = {"images", "categories", "annotations", NULL};
    d->format = strpool_intern(&d->str, "coco", 4, e);
    if (p >= len || text[p] != '{') {
      if (p >= len) jr_syntax(&c, p);
      else err_set(e, "%s: expected a COCO object {\"images\": ..., \"annotations\": ...} or a results array", path);
      goto done;
    }
    if (jr_object(&c, p, unique, top_member, &k, &end) != 0) goto done;
    if (!k.have_images && !k.with_gt) {
      err_set(e, "%s: no \"images\" array: not a COCO dataset file", path);
      goto done;
    }
    if (k.have_ann && !k.have_cats && !k.with_gt) {
      err_set(e, "%s: no \"categories\" array", path);
      goto done;
    }
    size_t aend;
    if (k.have_ann && jr_array(&c, k.ann_pos, "annotations", add_annotation, &k, &aend) != 0) goto done;
  }
  if (jr_ws(text, len, end) < len) {
    jr_syntax(&c, jr_ws(text, len, end));
    goto done;
  }
  rc = 0;
done:
  coco_free(&k);
  return rc;
}

int coco_read(const char *path, Dataset *d, Diag *g, Err *e) {
  char *text;
  size_t len;
  if (format_slurp(path, &text, &len, e) != 0) return -1;
  int rc = coco_read_text(path, text, len, d, g, e);
  free(text);
  return rc;
}
