/* The annotation model: interned strings, categories, items, annotators and the
 * annotation columns, with id -> index maps. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[ANN_TYPE_COUNT] = {
  NULL, "box", "rbox", "polygon", "mask", "keypoints", "polyline", "cuboid", "tag", "text",
};

const char *ann_type_name(AnnType t) {
  return t > 0 && t < ANN_TYPE_COUNT ? type_names[t] : "unknown";
}

int ann_type_parse(const char *name) {
  for (int t = 1; t < ANN_TYPE_COUNT; t++)
    if (strcmp(type_names[t], name) == 0) return t;
  return -1;
}

/* Grows *p (count *cap of size bytes) to hold need; 0 or -1 with e set. */
static int grow(void **p, uint32_t *cap, size_t need, size_t size, Err *e) {
  if (need <= *cap) return 0;
  if (need > UINT32_MAX - 1) return err_set(e, "too many entries (over %u)", UINT32_MAX - 1);
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) ncap = ncap > UINT32_MAX / 2 ? UINT32_MAX - 1 : ncap * 2;
  void *q = err_realloc(e, *p, ncap, size);
  if (!q) return -1;
  *p = q;
  *cap = (uint32_t)ncap;
  return 0;
}

/* Same for size_t-counted vectors (the geometry pools may pass 2^32 values). */
static int grow_vec(void **p, size_t *cap, size_t need, size_t size, Err *e) {
  if (need <= *cap) return 0;
  size_t ncap = *cap ? *cap : 64;
  while (ncap < need) ncap *= 2;
  void *q = err_realloc(e, *p, ncap, size);
  if (!q) return -1;
  *p = q;
  *cap = ncap;
  return 0;
}

/* ---- strings ---- */

static uint32_t hash_bytes32(const char *s, size_t len) {
  uint32_t h = 2166136261u;   /* FNV-1a */
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

const char *strpool_get(const StrPool *p, StrId id) {
  return id < p->n ? p->buf + p->off[id] : "";
}

static int strpool_rehash(StrPool *p, Err *e) {
  uint32_t n = p->nslots ? p->nslots * 2 : 1024;
  uint32_t *slots = err_calloc(e, n, sizeof *slots);
  if (!slots) return -1;
  for (uint32_t id = 0; id < p->n; id++) {
    const char *s = p->buf + p->off[id];
    uint32_t h = hash_bytes32(s, strlen(s)) & (n - 1);
    while (slots[h]) h = (h + 1) & (n - 1);
    slots[h] = id + 1;
  }
  free(p->slots);
  p->slots = slots;
  p->nslots = n;
  return 0;
}

StrId strpool_intern(StrPool *p, const char *s, size_t len, Err *e) {
  const char *nul = memchr(s, '\0', len);
  if (nul) len = (size_t)(nul - s);
  if ((p->n + 1) * 2 > p->nslots && strpool_rehash(p, e) != 0) return (StrId)-1;
  uint32_t h = hash_bytes32(s, len) & (p->nslots - 1);
  for (; p->slots[h]; h = (h + 1) & (p->nslots - 1)) {
    const char *t = p->buf + p->off[p->slots[h] - 1];
    if (strncmp(t, s, len) == 0 && t[len] == '\0') return p->slots[h] - 1;
  }
  if (grow((void **)&p->off, &p->ncap, (size_t)p->n + 1, sizeof *p->off, e) != 0) return (StrId)-1;
  if (grow_vec((void **)&p->buf, &p->cap, p->len + len + 1, 1, e) != 0) return (StrId)-1;
  if (p->len + len + 1 > UINT32_MAX) return err_set(e, "string pool over 4 GiB"), (StrId)-1;
  memcpy(p->buf + p->len, s, len);
  p->buf[p->len + len] = '\0';
  p->off[p->n] = (uint32_t)p->len;
  p->len += len + 1;
  p->slots[h] = p->n + 1;
  return p->n++;
}

/* ---- id maps ---- */

static uint32_t hash_id(int64_t id) {
  uint64_t z = (uint64_t)id + 0x9E3779B97F4A7C15ull;   /* splitmix64 finaliser */
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (uint32_t)(z ^ (z >> 31));
}

/* Finds id in slots (values are index + 1); returns the slot position. */
static uint32_t map_slot(const uint32_t *slots, uint32_t nslots, int64_t id,
                         const void *base, size_t stride) {
  uint32_t h = hash_id(id) & (nslots - 1);
  while (slots[h]) {
    int64_t have = *(const int64_t *)((const char *)base + (size_t)(slots[h] - 1) * stride);
    if (have == id) break;
    h = (h + 1) & (nslots - 1);
  }
  return h;
}

/* Makes room for entry n + 1 (the map stays at most half full), rebuilding it
 * from the n entries already in base[0..n). */
static int map_reserve(uint32_t **slots, uint32_t *nslots, uint32_t n, const void *base,
                       size_t stride, Err *e) {
  if ((size_t)(n + 1) * 2 <= *nslots) return 0;
  uint32_t ns = *nslots ? *nslots * 2 : 64;
  while ((size_t)(n + 1) * 2 > ns) ns *= 2;
  uint32_t *s = err_calloc(e, ns, sizeof *s);
  if (!s) return -1;
  for (uint32_t i = 0; i < n; i++) {
    int64_t id = *(const int64_t *)((const char *)base + (size_t)i * stride);
    s[map_slot(s, ns, id, base, stride)] = i + 1;
  }
  free(*slots);
  *slots = s;
  *nslots = ns;
  return 0;
}

/* ---- dataset ---- */

Dataset *dataset_new(Err *e) {
  Dataset *d = err_calloc(e, 1, sizeof *d);
  if (!d) return NULL;
  if (strpool_intern(&d->str, "", 0, e) != 0) {
    dataset_free(d);
    return NULL;
  }
  return d;
}

void dataset_free(Dataset *d) {
  if (!d) return;
  free(d->str.buf);
  free(d->str.off);
  free(d->str.slots);
  for (uint32_t i = 0; i < d->ncats; i++) {
    free(d->cats[i].kp_names);
    free(d->cats[i].skeleton);
  }
  free(d->cats);
  free(d->items);
  free(d->annotators);
  void *cols[] = {d->id, d->item, d->cat, d->type, d->stage, d->iscrowd, d->flags,
                  d->annotator, d->score, d->area, d->aux, d->bbox, d->text, d->src_file,
                  d->src_pos, d->g_off, d->g_n, d->p_off, d->p_n, d->r_off, d->r_n,
                  d->a_off, d->a_n, d->s_off, d->s_n};
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) free(cols[i]);
  free(d->coords.v);
  free(d->parts.v);
  free(d->rle.v);
  free(d->attrs.v);
  free(d->seg.v);
  free(d->item_slots);
  free(d->cat_slots);
  free(d);
}

int64_t dataset_find_item(const Dataset *d, int64_t id) {
  if (!d->nitem_slots) return -1;
  uint32_t s = map_slot(d->item_slots, d->nitem_slots, id, &d->items[0].id, sizeof(Item));
  return d->item_slots[s] ? (int64_t)d->item_slots[s] - 1 : -1;
}

int64_t dataset_find_category(const Dataset *d, int64_t id) {
  if (!d->ncat_slots) return -1;
  uint32_t s = map_slot(d->cat_slots, d->ncat_slots, id, &d->cats[0].id, sizeof(Category));
  return d->cat_slots[s] ? (int64_t)d->cat_slots[s] - 1 : -1;
}

int64_t dataset_category_by_name(const Dataset *d, const char *name) {
  for (uint32_t i = 0; i < d->ncats; i++)
    if (strcmp(strpool_get(&d->str, d->cats[i].name), name) == 0) return i;
  return -1;
}

int64_t dataset_add_category(Dataset *d, int64_t id, StrId name, StrId super, Err *e) {
  if (dataset_find_category(d, id) >= 0) return err_set(e, "duplicate category id %lld", (long long)id);
  if (grow((void **)&d->cats, &d->capcats, (size_t)d->ncats + 1, sizeof *d->cats, e) != 0) return -1;
  if (map_reserve(&d->cat_slots, &d->ncat_slots, d->ncats, &d->cats[0].id, sizeof(Category), e) != 0)
    return -1;
  Category *c = &d->cats[d->ncats];
  memset(c, 0, sizeof *c);
  c->id = id;
  c->name = name;
  c->supercategory = super;
  d->cat_slots[map_slot(d->cat_slots, d->ncat_slots, id, &d->cats[0].id, sizeof(Category))] = d->ncats + 1;
  return d->ncats++;
}

int64_t dataset_add_item(Dataset *d, int64_t id, StrId file, int32_t w, int32_t h, Err *e) {
  if (dataset_find_item(d, id) >= 0) return err_set(e, "duplicate image id %lld", (long long)id);
  if (grow((void **)&d->items, &d->capitems, (size_t)d->nitems + 1, sizeof *d->items, e) != 0) return -1;
  if (map_reserve(&d->item_slots, &d->nitem_slots, d->nitems, &d->items[0].id, sizeof(Item), e) != 0)
    return -1;
  Item *it = &d->items[d->nitems];
  memset(it, 0, sizeof *it);
  it->id = id;
  it->file = file;
  it->width = w;
  it->height = h;
  d->item_slots[map_slot(d->item_slots, d->nitem_slots, id, &d->items[0].id, sizeof(Item))] = d->nitems + 1;
  return d->nitems++;
}

int64_t dataset_annotator(Dataset *d, StrId name, Err *e) {
  for (uint32_t i = 0; i < d->nannotators; i++)
    if (d->annotators[i] == name) return i;
  if (grow((void **)&d->annotators, &d->capannotators, (size_t)d->nannotators + 1,
           sizeof *d->annotators, e) != 0)
    return -1;
  d->annotators[d->nannotators] = name;
  return d->nannotators++;
}

AnnInit ann_init(uint32_t item, int32_t cat, AnnType type) {
  AnnInit a;
  memset(&a, 0, sizeof a);
  a.id = ANN_NO_ID;
  a.item = item;
  a.cat = cat;
  a.type = (uint8_t)type;
  a.annotator = -1;
  a.score = a.area = a.aux = NAN;
  for (int k = 0; k < 4; k++) a.bbox[k] = NAN;
  return a;
}

/* Grows every annotation column to hold need rows. */
static int grow_columns(Dataset *d, size_t need, Err *e) {
  if (need <= d->capann) return 0;
  if (need > UINT32_MAX - 1) return err_set(e, "too many annotations");
  uint32_t cap = d->capann ? d->capann : 256;
  while (cap < need) cap = cap > UINT32_MAX / 2 ? UINT32_MAX - 1 : cap * 2;
#define GROW(col, k) do { \
    void *q = err_realloc(e, d->col, (size_t)cap * (k), sizeof *d->col); \
    if (!q) return -1; \
    d->col = q; \
  } while (0)
  GROW(id, 1); GROW(item, 1); GROW(cat, 1); GROW(type, 1); GROW(stage, 1);
  GROW(iscrowd, 1); GROW(flags, 1); GROW(annotator, 1); GROW(score, 1); GROW(area, 1);
  GROW(aux, 1); GROW(bbox, 4); GROW(text, 1); GROW(src_file, 1); GROW(src_pos, 1);
  GROW(g_off, 1); GROW(g_n, 1); GROW(p_off, 1); GROW(p_n, 1); GROW(r_off, 1); GROW(r_n, 1);
  GROW(a_off, 1); GROW(a_n, 1); GROW(s_off, 1); GROW(s_n, 1);
#undef GROW
  d->capann = cap;
  return 0;
}

/* Appends n elements of size bytes from src to a pool vector; offset in *off. */
static int pool_append(void **v, size_t *len, size_t *cap, const void *src, size_t n,
                       size_t size, uint32_t *off, Err *e) {
  if (*len + n > UINT32_MAX) return err_set(e, "geometry pool over 2^32 values");
  if (grow_vec(v, cap, *len + n, size, e) != 0) return -1;
  if (n) memcpy((char *)*v + *len * size, src, n * size);
  *off = (uint32_t)*len;
  *len += n;
  return 0;
}

int64_t dataset_add_annotation(Dataset *d, const AnnInit *a, Err *e) {
  if (a->type < 1 || a->type >= ANN_TYPE_COUNT) return err_set(e, "bad annotation type %d", a->type);
  if (a->item >= d->nitems) return err_set(e, "annotation of an unknown item (index %u)", a->item);
  if (a->cat >= (int32_t)d->ncats) return err_set(e, "annotation of an unknown category (index %d)", a->cat);
  if (grow_columns(d, (size_t)d->nann + 1, e) != 0) return -1;
  uint32_t i = d->nann;
  if (pool_append((void **)&d->coords.v, &d->coords.n, &d->coords.cap, a->coords, a->ncoords,
                  sizeof(double), &d->g_off[i], e) != 0 ||
      pool_append((void **)&d->parts.v, &d->parts.n, &d->parts.cap, a->parts, a->nparts,
                  sizeof(int32_t), &d->p_off[i], e) != 0 ||
      pool_append((void **)&d->rle.v, &d->rle.n, &d->rle.cap, a->rle, d->runs_dropped ? 0 : a->nrle,
                  sizeof(uint32_t), &d->r_off[i], e) != 0 ||
      pool_append((void **)&d->attrs.v, &d->attrs.n, &d->attrs.cap, a->attrs, a->nattrs,
                  sizeof(Attr), &d->a_off[i], e) != 0 ||
      pool_append((void **)&d->seg.v, &d->seg.n, &d->seg.cap, a->seg, a->nseg,
                  sizeof(double), &d->s_off[i], e) != 0)
    return -1;
  d->g_n[i] = a->ncoords;
  d->p_n[i] = a->nparts;
  d->r_n[i] = d->runs_dropped ? 0 : a->nrle;
  d->a_n[i] = a->nattrs;
  d->s_n[i] = a->nseg;
  d->id[i] = a->id;
  d->item[i] = a->item;
  d->cat[i] = a->cat;
  d->type[i] = a->type;
  d->stage[i] = a->stage;
  d->iscrowd[i] = a->iscrowd;
  d->flags[i] = a->flags;
  d->annotator[i] = a->annotator;
  d->score[i] = a->score;
  d->area[i] = a->area;
  d->aux[i] = a->aux;
  memcpy(&d->bbox[4 * (size_t)i], a->bbox, sizeof a->bbox);
  d->text[i] = a->text;
  d->src_file[i] = a->src_file;
  d->src_pos[i] = a->src_pos;
  return d->nann++;
}

void dataset_source(const Dataset *d, uint32_t i, char *buf, size_t n) {
  if (i >= d->nann) {
    snprintf(buf, n, "?");
    return;
  }
  const char *file = strpool_get(&d->str, d->src_file[i]);
  if (d->src_kind == SRC_INDEX)
    snprintf(buf, n, "%s: annotations[%u]", file, d->src_pos[i]);
  else if (d->src_kind == SRC_ELEMENT)
    snprintf(buf, n, "%s: [%u]", file, d->src_pos[i]);
  else if (d->src_kind == SRC_PATH)
    snprintf(buf, n, "%s: %s", file, d->src_pos[i] < d->str.n ? strpool_get(&d->str, d->src_pos[i]) : "?");
  else if (d->src_pos[i] == 0)   /* a whole file (a label image): no line */
    snprintf(buf, n, "%s", file);
  else
    snprintf(buf, n, "%s:%u", file, d->src_pos[i]);
}
