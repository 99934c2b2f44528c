/* COCO JSON reader: instances, keypoints and results files into the model, one
 * annotation at a time (json_read.c), with the file and JSON path in every message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "coco_internal.h"
#include "json_read.h"

static void coco_free(Coco *k) {
  coco_ann_free(k);
  free(k->kn);
  free(k->sk);
}

StrId coco_intern(Coco *k, const char *s, Err *e) {
  return strpool_intern(&k->d->str, s, strlen(s), e);
}

/* ---- images and categories ---- */

/* One element of "images": id, file_name, width, height. */
static int add_image(JCtx *c, const cJSON *el, uint32_t i, void *arg) {
  Coco *k = arg;
  (void)i;
  if (!cJSON_IsObject(el)) return json_fail(c, NULL, "expected an object, got %s", json_kind(el));
  int64_t id, w = 0, h = 0;
  const char *file = "";
  int rc = json_int(c, el, "id", ID_MIN, ID_MAX, &id);
  if (rc == 0) return json_fail(c, "id", "missing (every image needs an integer id)");
  if (rc < 0 || json_str(c, el, "file_name", &file) < 0 ||
      json_int(c, el, "width", 0, INT32_MAX, &w) < 0 || json_int(c, el, "height", 0, INT32_MAX, &h) < 0)
    return -1;
  if (dataset_find_item(k->d, id) >= 0)
    return json_fail(c, "id", "duplicate image id %lld", (long long)id);
  StrId f = coco_intern(k, file, c->e);
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
    if (!cJSON_IsArray(names)) return json_fail(c, "keypoints", "expected an array of names, got %s", json_kind(names));
    for (const cJSON *x = names->child; x; x = x->next, nkp++) {
      char f[48];
      snprintf(f, sizeof f, "keypoints[%u]", nkp);
      if (!cJSON_IsString(x)) return json_fail(c, f, "expected a string, got %s", json_kind(x));
      if (json_utf8(c, x->valuestring, f) != 0 ||
          json_reserve((void **)&k->kn, &k->kncap, (size_t)nkp + 1, sizeof *k->kn, c->e) != 0)
        return -1;
      if ((k->kn[nkp] = coco_intern(k, x->valuestring, c->e)) == (StrId)-1) return -1;
    }
  }
  int zero = 0;
  if (skel && !cJSON_IsNull(skel)) {
    if (!cJSON_IsArray(skel)) return json_fail(c, "skeleton", "expected an array of [a, b] pairs, got %s", json_kind(skel));
    for (const cJSON *x = skel->child; x; x = x->next, nsk++) {
      char f[48];
      snprintf(f, sizeof f, "skeleton[%u]", nsk);
      if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) != 2)
        return json_fail(c, f, "expected a pair [a, b] of keypoint numbers");
      if (json_reserve((void **)&k->sk, &k->skcap, 2 * (size_t)nsk + 2, sizeof *k->sk, c->e) != 0) return -1;
      int j = 0;
      for (const cJSON *y = x->child; y; y = y->next, j++) {
        int64_t v;
        if (json_int_value(c, y, f, 0, INT32_MAX - 1, &v) < 0) return -1;
        k->sk[2 * nsk + j] = (int32_t)v;
        zero |= v == 0;
      }
    }
  }
  for (uint32_t s = 0; s < 2 * nsk; s++) {
    int32_t v = k->sk[s] - (zero ? 0 : 1);
    if (nkp && v >= (int32_t)nkp)
      return json_fail(c, "skeleton", "keypoint number %d is past the %u keypoint names", k->sk[s], nkp);
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
  if (!cJSON_IsObject(el)) return json_fail(c, NULL, "expected an object, got %s", json_kind(el));
  int64_t id;
  const char *name = NULL, *super = "";
  int rc = json_int(c, el, "id", ID_MIN, ID_MAX, &id);
  if (rc == 0) return json_fail(c, "id", "missing (every category needs an integer id)");
  if (rc < 0) return -1;
  rc = json_str(c, el, "name", &name);
  if (rc == 0) return json_fail(c, "name", "missing (every category needs a name)");
  if (rc < 0 || json_str(c, el, "supercategory", &super) < 0) return -1;
  if (dataset_find_category(k->d, id) >= 0)
    return json_fail(c, "id", "duplicate category id %lld", (long long)id);
  if (dataset_category_by_name(k->d, name) >= 0)
    diag_warn(k->g, "duplicate category name", "%s: %s: name \"%s\" is used by another category too",
              c->file, c->where, name);
  StrId n = coco_intern(k, name, c->e), s = n == (StrId)-1 ? n : coco_intern(k, super, c->e);
  if (s == (StrId)-1) return -1;
  int64_t ci = dataset_add_category(k->d, id, n, s, c->e);
  if (ci < 0) return -1;
  return category_keypoints(k, c, el, (uint32_t)ci);
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
    if (k->with_gt) return json_fail(c, NULL, "a ground truth is used only with a results file"), -1;
    k->have_images = 1;
    return json_array(c, pos, "images", add_image, k, &end) == 0 ? (long)end : -1;
  }
  if (strcmp(key, "categories") == 0) {
    if (k->with_gt) return json_fail(c, NULL, "a ground truth is used only with a results file"), -1;
    k->have_cats = 1;
    return json_array(c, pos, "categories", add_category, k, &end) == 0 ? (long)end : -1;
  }
  if (strcmp(key, "annotations") == 0) {
    k->have_ann = 1;
    k->ann_pos = pos;
    return json_skip(c, pos, &end) == 0 ? (long)end : -1;
  }
  cJSON *v = json_parse_at(c, pos, &end);
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
  size_t p = json_ws(text, len, 0), end;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) p = json_ws(text, len, 3);
  if ((k.src = strpool_intern(&d->str, path, strlen(path), e)) == (StrId)-1) goto done;
  d->src_kind = SRC_INDEX;
  if (p < len && text[p] == '[') {
    k.results = 1;
    d->src_kind = SRC_ELEMENT;
    d->format = strpool_intern(&d->str, "coco-results", 12, e);
    if (json_array_at(&c, p, "", coco_annotation, &k, &end) != 0) goto done;
  } else {
    static const char *const unique[] = {"images", "categories", "annotations", NULL};
    d->format = strpool_intern(&d->str, "coco", 4, e);
    if (p >= len || text[p] != '{') {
      if (p >= len) json_syntax(&c, p);
      else err_set(e, "%s: expected a COCO object {\"images\": ..., \"annotations\": ...} or a results array", path);
      goto done;
    }
    if (json_object(&c, p, unique, top_member, &k, &end) != 0) goto done;
    if (!k.have_images && !k.with_gt) {
      err_set(e, "%s: no \"images\" array: not a COCO dataset file", path);
      goto done;
    }
    if (k.have_ann && !k.have_cats && !k.with_gt) {
      err_set(e, "%s: no \"categories\" array", path);
      goto done;
    }
    size_t aend;
    if (k.have_ann && json_array_at(&c, k.ann_pos, "annotations", coco_annotation, &k, &aend) != 0) goto done;
  }
  if (json_ws(text, len, end) < len) {
    json_syntax(&c, json_ws(text, len, end));
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
