/* CVAT XML 1.1 reader (expat): "CVAT for images" task and project exports and
 * "CVAT for video" exports with tracks.
 *
 * Mapping: <box> -> box, or rbox when rotation is not 0 (cx, cy, w, h, degrees
 * clockwise as CVAT); <polygon> -> polygon of one part; <polyline> -> polyline;
 * <points> -> keypoints, every point visible (v = 2), since CVAT points are
 * landmarks without names; <skeleton> -> keypoints named by the skeleton's
 * sublabels (outside -> v 0, occluded -> v 1, else 2); <cuboid> -> cuboid;
 * <tag> -> tag; <mask> -> mask (COCO RLE over the image); <ellipse> is dropped
 * with a warning. occluded, keyframe -> bool attributes, z_order, group_id,
 * track_id -> number attributes, source -> string; <attribute> children are
 * typed by their declaration in <meta> (checkbox -> bool, number -> number,
 * else string). label="" is an annotation without a category; a label <meta>
 * does not declare is an error. Categories take ids 1.. in <meta> order.
 *
 * Items: <image> ids are kept, but project exports (images with task_id)
 * restart them in each task: their items are numbered in document order, and
 * the same id twice in one task and subset is an error. Video: the frames
 * start_frame..stop_frame by frame_filter's step become items "frame_NNNNNN"
 * (id = frame number) of original_size; each track shape is an annotation of its frame, except those
 * marked outside, which say the object has left the frame (datumaro keeps them
 * with outside=true; annovet does not count them as annotations). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "confine.h"
#include "cvat.h"
#include "fields.h"
#include "folder.h"
#include "xmlio.h"

const char *const cvat_cuboid_keys[16] = {
  "xtl1", "ytl1", "xbl1", "ybl1", "xtr1", "ytr1", "xbr1", "ybr1",
  "xtl2", "ytl2", "xbl2", "ybl2", "xtr2", "ytr2", "xbr2", "ybr2",
};

typedef struct CvatLabel {
  StrId name, parent, svg;
  int skeleton;
  int32_t cat;          /* category index; -1 for a skeleton's sublabel */
} CvatLabel;

typedef struct CvatAttrDecl {
  uint32_t label;
  StrId name;
  uint8_t kind;
} CvatAttrDecl;

/* An image of a project export: its task, subset and frame id, and where. */
typedef struct ImgKey {
  int64_t task;
  StrId subset;
  int64_t id;
  unsigned long line;
} ImgKey;

typedef struct CvatRead {
  Dataset *d;
  Diag *g;
  Err *e;
  XmlIo x;
  StrId src;
  CvatLabel *labels;
  size_t nlabels, caplabels;
  CvatAttrDecl *decls;
  size_t ndecls, capdecls;
  int declared;                  /* <meta> had <labels> */
  int meta_done;
  /* the label or attribute declaration being read */
  StrId lname, lparent, lsvg, aname;
  int ltype_skeleton;
  uint8_t akind;
  /* task meta for video */
  int interpolation;
  int64_t start_frame, stop_frame, step, size;
  int64_t orig_w, orig_h;
  int64_t max_id;
  /* the current image, track and shape */
  int64_t item;                  /* index, -1 outside <image> */
  int in_track;
  StrId track_label;
  int has_track_label;
  double track_id;
  int in_shape, skip_shape;
  AnnInit sh;
  int shape_label;               /* index into labels, -1 for none */
  double *coords;
  size_t ncoords, capcoords;
  Attr *attrs;
  size_t nattrs, capattrs;
  StrId cur_attr;
  int has_cur_attr;
  uint32_t nkp;                  /* skeleton: keypoints expected */
  int64_t next_ann;
  ImgKey *keys;
  size_t nkeys;
} CvatRead;

static int fail_oom(CvatRead *r) {
  return xmlio_fail(&r->x, "%s", r->e->msg[0] ? r->e->msg : "out of memory");
}

static int intern(CvatRead *r, const char *s, size_t n, StrId *out) {
  *out = 0;
  StrId id = strpool_intern(&r->d->str, s, n, r->e);
  if (id == (StrId)-1) return fail_oom(r);
  *out = id;
  return 0;
}

/* Appends a coordinate of the shape being read. */
static int push_coord(CvatRead *r, double v) {
  if (r->ncoords == r->capcoords) {
    size_t cap = r->capcoords ? r->capcoords * 2 : 64;
    double *c = err_realloc(r->e, r->coords, cap, sizeof *c);
    if (!c) return fail_oom(r);
    r->coords = c;
    r->capcoords = cap;
  }
  r->coords[r->ncoords++] = v;
  return 0;
}

/* Appends an attribute of the shape being read. */
static int push_attr(CvatRead *r, const char *key, AttrKind kind, double num, const char *str) {
  if (r->nattrs == r->capattrs) {
    size_t cap = r->capattrs ? r->capattrs * 2 : 16;
    Attr *a = err_realloc(r->e, r->attrs, cap, sizeof *a);
    if (!a) return fail_oom(r);
    r->attrs = a;
    r->capattrs = cap;
  }
  Attr *a = &r->attrs[r->nattrs];
  memset(a, 0, sizeof *a);
  a->kind = (uint8_t)kind;
  a->num = num;
  if (intern(r, key, strlen(key), &a->key) != 0) return -1;
  if (str && intern(r, str, strlen(str), &a->str) != 0) return -1;
  r->nattrs++;
  return 0;
}

/* A number XML attribute: 1 when present (in *v), 0 when absent (an error
 * when required), -1 on error. */
static int num_xattr(CvatRead *r, const char **attrs, const char *elem, const char *key, int required, double *v) {
  const char *s = xmlio_attr(attrs, key);
  if (!s) return required ? xmlio_fail(&r->x, "<%s> has no %s attribute", elem, key) : 0;
  if (field_number(s, strlen(s), v) != 0)
    return xmlio_fail(&r->x, "<%s> %s: expected a number, got '%.40s'", elem, key, s);
  if (fabs(*v) >= FIELD_COORD_MAX)
    return xmlio_fail(&r->x, "<%s> %s: %g is out of range (a coordinate must be under 2^31 in size)", elem, key, *v);
  return 1;
}

/* A 0/1 XML attribute as a bool attribute of the shape; returns the value, or -1. */
static int flag_xattr(CvatRead *r, const char **attrs, const char *elem, const char *key, int keep) {
  const char *s = xmlio_attr(attrs, key);
  if (!s) return 0;
  int v;
  if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "True") == 0) v = 1;
  else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "False") == 0) v = 0;
  else return xmlio_fail(&r->x, "<%s> %s: expected 0 or 1, got '%.40s'", elem, key, s);
  if (keep && push_attr(r, key, ATTR_BOOL, v, s) != 0) return -1;
  return v;
}

/* Parses "x0,y0;x1,y1;..." into coords (with a visibility after each point when
 * vis > 0); returns the number of points, or -1. */
static long parse_points(CvatRead *r, const char *s, const char *elem, int vis) {
  long n = 0;
  const char *p = s;
  while (*p) {
    double xy[2];
    for (int k = 0; k < 2; k++) {
      const char *end = p;
      while (*end && *end != (k ? ';' : ',') && (k || *end != ';')) end++;
      if (field_number(p, (size_t)(end - p), &xy[k]) != 0 || (k == 0 && *end != ','))
        return xmlio_fail(&r->x, "<%s> points: expected \"x,y;x,y;...\" numbers, got '%.40s'", elem, p);
      if (fabs(xy[k]) >= FIELD_COORD_MAX)
        return xmlio_fail(&r->x, "<%s> points: %g is out of range", elem, xy[k]);
      p = *end ? end + 1 : end;
    }
    if (push_coord(r, xy[0]) != 0 || push_coord(r, xy[1]) != 0) return -1;
    if (vis && push_coord(r, vis) != 0) return -1;
    n++;
  }
  return n;
}

/* The label named name among those of parent (0: the top-level labels), or -1. */
static int find_label(const CvatRead *r, const char *name, StrId parent) {
  for (size_t i = 0; i < r->nlabels; i++)
    if (r->labels[i].parent == parent && strcmp(strpool_get(&r->d->str, r->labels[i].name), name) == 0)
      return (int)i;
  return -1;
}

/* Turns the labels read in <meta> into categories (ids 1..), a skeleton's
 * sublabels into its keypoint names. */
static int finish_meta(CvatRead *r) {
  Dataset *d = r->d;
  r->meta_done = 1;
  for (size_t i = 0; i < r->nlabels; i++) {
    CvatLabel *l = &r->labels[i];
    l->cat = -1;
    if (l->parent) continue;
    int64_t c = dataset_add_category(d, (int64_t)d->ncats + 1, l->name, 0, r->e);
    if (c < 0) return fail_oom(r);
    l->cat = (int32_t)c;
  }
  for (size_t i = 0; i < r->nlabels; i++) {
    CvatLabel *l = &r->labels[i];
    if (!l->skeleton || l->cat < 0) continue;
    uint32_t n = 0;
    StrId *names = err_calloc(r->e, r->nlabels + 1, sizeof *names);
    int32_t *edges = NULL;
    uint32_t nedges = 0;
    if (!names) return fail_oom(r);
    for (size_t k = 0; k < r->nlabels; k++)
      if (r->labels[k].parent == l->name) names[n++] = r->labels[k].name;
    int rc = cvat_svg_edges(&d->str, strpool_get(&d->str, l->svg), names, n, &edges, &nedges, r->e) != 0 ? fail_oom(r) : 0;
    if (rc == 0 && dataset_set_keypoints(d, (uint32_t)l->cat, names, n, edges, nedges, r->e) != 0) rc = fail_oom(r);
    free(names);
    free(edges);
    if (rc != 0) return -1;
  }
  if (r->interpolation && r->step > 0 && r->stop_frame >= r->start_frame &&
      (r->stop_frame - r->start_frame) / r->step < 1000000) {
    for (int64_t f = r->start_frame; f <= r->stop_frame; f += r->step) {
      char name[32];
      snprintf(name, sizeof name, "frame_%06lld", (long long)f);
      StrId id;
      if (intern(r, name, strlen(name), &id) != 0) return -1;
      if (dataset_add_item(d, f, id, (int32_t)r->orig_w, (int32_t)r->orig_h, r->e) < 0) return fail_oom(r);
    }
  }
  return 0;
}

/* The item of a track shape's frame, added when the meta did not list it. */
static int64_t frame_item(CvatRead *r, int64_t frame) {
  int64_t it = dataset_find_item(r->d, frame);
  if (it >= 0) return it;
  char name[32];
  snprintf(name, sizeof name, "frame_%06lld", (long long)frame);
  StrId id;
  if (intern(r, name, strlen(name), &id) != 0) return -1;
  it = dataset_add_item(r->d, frame, id, (int32_t)r->orig_w, (int32_t)r->orig_h, r->e);
  if (it < 0) return fail_oom(r);
  return it;
}

static int cmp_key(const void *a, const void *b) {
  const ImgKey *p = a, *q = b;
  if (p->task != q->task) return p->task < q->task ? -1 : 1;
  if (p->subset != q->subset) return p->subset < q->subset ? -1 : 1;
  if (p->id != q->id) return p->id < q->id ? -1 : 1;
  return p->line < q->line ? -1 : p->line > q->line;
}

/* After a project export: the same frame id twice in one task and subset is an error. */
static int check_keys(CvatRead *r) {
  if (r->nkeys) qsort(r->keys, r->nkeys, sizeof *r->keys, cmp_key);
  for (size_t i = 1; i < r->nkeys; i++) {
    const ImgKey *a = &r->keys[i - 1], *b = &r->keys[i];
    if (a->task == b->task && a->subset == b->subset && a->id == b->id)
      return err_set(r->e, "%s:%lu: <image> id %lld is used twice in task %lld (first on line %lu)", r->x.file,
                     b->line, (long long)b->id, (long long)b->task, a->line);
  }
  return 0;
}

/* <image id name width height [subset] [task_id]>. Without task_id the id is
 * kept, and an id already used by an image of another subset takes the next
 * free one; with task_id (project exports) items are numbered in order and
 * (task, subset, id) must be unique. */
static int start_image(CvatRead *r, const char **attrs) {
  const char *name = xmlio_attr(attrs, "name");
  if (!name) return xmlio_fail(&r->x, "<image> has no name attribute");
  int64_t id, w = 0, h = 0;
  const char *s = xmlio_attr(attrs, "id");
  if (!s) id = r->max_id + 1;
  else if (field_integer(s, strlen(s), INT64_MIN / 2, INT64_MAX / 2, &id) != 0)
    return xmlio_fail(&r->x, "<image> id: expected an integer, got '%.40s'", s);
  for (int k = 0; k < 2; k++) {
    const char *v = xmlio_attr(attrs, k ? "height" : "width");
    if (v && field_integer(v, strlen(v), 0, INT32_MAX, k ? &h : &w) != 0)
      return xmlio_fail(&r->x, "<image> %s: expected an integer 0..2147483647, got '%.40s'", k ? "height" : "width", v);
  }
  StrId file, subset = 0;
  if (intern(r, name, strlen(name), &file) != 0) return -1;
  const char *sub = xmlio_attr(attrs, "subset");
  if (sub && intern(r, sub, strlen(sub), &subset) != 0) return -1;
  const char *task = xmlio_attr(attrs, "task_id");
  if (task) {   /* a project export: frame ids restart in each task; items are numbered on */
    ImgKey *k = err_realloc(r->e, r->keys, r->nkeys + 1, sizeof *k);
    if (!k) return fail_oom(r);
    r->keys = k;
    k = &r->keys[r->nkeys++];
    if (field_integer(task, strlen(task), INT64_MIN / 2, INT64_MAX / 2, &k->task) != 0)
      return xmlio_fail(&r->x, "<image> task_id: expected an integer, got '%.40s'", task);
    k->subset = subset;
    k->id = id;
    k->line = xmlio_line(&r->x);
    id = r->max_id + 1;
  } else {
    int64_t have = dataset_find_item(r->d, id);
    if (have >= 0) {
      if (r->d->items[have].subset == subset)
        return xmlio_fail(&r->x, "<image> id %lld is used twice%s%s", (long long)id, sub ? " in subset " : "", sub ? sub : "");
      id = r->max_id + 1;
    }
  }
  int64_t it = dataset_add_item(r->d, id, file, (int32_t)w, (int32_t)h, r->e);
  if (it < 0) return fail_oom(r);
  r->d->items[it].subset = subset;
  if (id > r->max_id) r->max_id = id;
  r->item = it;
  return 0;
}

static const char *const shape_names[] = {"box", "polygon", "polyline", "points", "cuboid", "tag", "mask", "skeleton", "ellipse"};

/* <mask left top width height rle>: CVAT's runs over its box, as a COCO RLE
 * over the whole image (cvat_mask_rle). */
static int read_mask(CvatRead *r, const char **attrs) {
  Item *it = &r->d->items[r->sh.item];
  if (it->width <= 0 || it->height <= 0) return xmlio_fail(&r->x, "<mask> on an image of unknown size");
  double v[4];
  static const char *const keys[4] = {"left", "top", "width", "height"};
  for (int k = 0; k < 4; k++) {
    if (num_xattr(r, attrs, "mask", keys[k], 1, &v[k]) < 0) return -1;
    if (v[k] != floor(v[k]) || v[k] < 0) return xmlio_fail(&r->x, "<mask> %s: expected a whole number >= 0", keys[k]);
  }
  const char *s = xmlio_attr(attrs, "rle");
  if (!s) return xmlio_fail(&r->x, "<mask> has no rle attribute");
  uint32_t box[4] = {(uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2], (uint32_t)v[3]};
  uint32_t *cnts;
  size_t n;
  uint64_t area;
  Err me = {0};
  if (cvat_mask_rle(s, box, (uint32_t)it->width, (uint32_t)it->height, &cnts, &n, &area, r->sh.bbox, &me) != 0)
    return xmlio_fail(&r->x, "<mask> %s", me.msg);
  r->ncoords = 0;
  if (push_coord(r, it->height) != 0 || push_coord(r, it->width) != 0) {
    free(cnts);
    return -1;
  }
  r->sh.rle = cnts;
  r->sh.nrle = (uint32_t)n;
  r->sh.area = (double)area;
  return 0;
}

/* The category of a shape's label: -1 for label="", -2 after an error. */
static int32_t shape_category(CvatRead *r, const char *label, const char *elem) {
  if (!*label) return -1;
  int k = find_label(r, label, 0);
  if (k < 0 && r->declared) {
    xmlio_fail(&r->x, "<%s> label '%.60s' is not declared in <meta><labels>", elem, label);
    return -2;
  }
  if (k < 0) {   /* no <labels> at all: labels are taken as they come */
    diag_warn(r->g, "labels not declared", "%s:%lu: no <labels> in <meta>; label '%.60s' taken as found",
              r->x.file, xmlio_line(&r->x), label);
    StrId id;
    if (intern(r, label, strlen(label), &id) != 0) return -2;
    int64_t c = dataset_add_category(r->d, (int64_t)r->d->ncats + 1, id, 0, r->e);
    if (c < 0) return fail_oom(r), -2;
    CvatLabel *l = err_realloc(r->e, r->labels, r->nlabels + 1, sizeof *l);
    if (!l) return fail_oom(r), -2;
    r->labels = l;
    memset(&l[r->nlabels], 0, sizeof *l);
    l[r->nlabels].name = id;
    l[r->nlabels].cat = (int32_t)c;
    k = (int)r->nlabels++;
  }
  r->shape_label = k;
  return r->labels[k].cat;
}

/* Opens a shape of an <image> or a <track>: its label, flags and geometry. */
static int begin_shape(CvatRead *r, const char *elem, const char **attrs) {
  r->in_shape = 1;
  r->skip_shape = 0;
  r->ncoords = r->nattrs = 0;
  r->shape_label = -1;
  r->sh = ann_init(0, -1, ANN_BOX);
  r->sh.src_file = r->src;
  r->sh.src_pos = (uint32_t)xmlio_line(&r->x);
  const char *label;
  if (r->in_track) {
    double frame;
    if (num_xattr(r, attrs, elem, "frame", 1, &frame) < 0) return -1;
    if (frame != floor(frame) || frame < 0) return xmlio_fail(&r->x, "<%s> frame: expected a frame number", elem);
    int64_t it = frame_item(r, (int64_t)frame);
    if (it < 0) return -1;
    r->sh.item = (uint32_t)it;
    int out = flag_xattr(r, attrs, elem, "outside", 0);
    if (out < 0 || flag_xattr(r, attrs, elem, "keyframe", 1) < 0) return -1;
    if (push_attr(r, "track_id", ATTR_NUMBER, r->track_id, NULL) != 0) return -1;
    if (out) r->skip_shape = 1;
    label = strpool_get(&r->d->str, r->track_label);   /* after push_attr, which may move the pool */
  } else {
    if (r->item < 0) return xmlio_fail(&r->x, "<%s> outside an <image> or <track>", elem);
    r->sh.item = (uint32_t)r->item;
    label = xmlio_attr(attrs, "label");
    if (!label) return xmlio_fail(&r->x, "<%s> has no label attribute", elem);
  }
  int32_t cat = shape_category(r, label, elem);
  if (cat == -2) return -1;
  r->sh.cat = cat;
  double v;
  if (flag_xattr(r, attrs, elem, "occluded", 1) < 0) return -1;
  static const char *const nums[2] = {"z_order", "group_id"};
  for (int k = 0; k < 2; k++) {
    int got = num_xattr(r, attrs, elem, nums[k], 0, &v);
    if (got < 0 || (got && push_attr(r, nums[k], ATTR_NUMBER, v, NULL) != 0)) return -1;
  }
  const char *src = xmlio_attr(attrs, "source");
  if (src && push_attr(r, "source", ATTR_STRING, NAN, src) != 0) return -1;
  if (strcmp(elem, "box") == 0) {
    double b[4], rot = 0;
    static const char *const keys[4] = {"xtl", "ytl", "xbr", "ybr"};
    for (int k = 0; k < 4; k++)
      if (num_xattr(r, attrs, elem, keys[k], 1, &b[k]) < 0) return -1;
    if (b[2] < b[0] || b[3] < b[1])
      return xmlio_fail(&r->x, "<box>: expected xtl <= xbr and ytl <= ybr, got [%g, %g, %g, %g]", b[0], b[1], b[2], b[3]);
    if (num_xattr(r, attrs, elem, "rotation", 0, &rot) < 0) return -1;
    if (rot != 0) {
      r->sh.type = ANN_RBOX;
      double rb[5] = {(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1], rot};
      for (int k = 0; k < 5; k++)
        if (push_coord(r, rb[k]) != 0) return -1;
    } else {
      r->sh.bbox[0] = b[0];
      r->sh.bbox[1] = b[1];
      r->sh.bbox[2] = b[2] - b[0];
      r->sh.bbox[3] = b[3] - b[1];
    }
  } else if (strcmp(elem, "polygon") == 0 || strcmp(elem, "polyline") == 0 || strcmp(elem, "points") == 0) {
    int poly = elem[4] == 'g', line = elem[4] == 'l';
    const char *pts = xmlio_attr(attrs, "points");
    if (!pts) return xmlio_fail(&r->x, "<%s> has no points attribute", elem);
    long n = parse_points(r, pts, elem, poly || line ? 0 : 2);
    if (n < 0) return -1;
    long need = poly ? 3 : line ? 2 : 1;
    if (n < need) return xmlio_fail(&r->x, "<%s>: expected at least %ld points, got %ld", elem, need, n);
    r->sh.type = poly ? ANN_POLYGON : line ? ANN_POLYLINE : ANN_KEYPOINTS;
  } else if (strcmp(elem, "cuboid") == 0) {
    r->sh.type = ANN_CUBOID;
    for (int k = 0; k < 16; k++)
      if (num_xattr(r, attrs, elem, cvat_cuboid_keys[k], 1, &v) < 0 || push_coord(r, v) != 0) return -1;
  } else if (strcmp(elem, "tag") == 0) {
    r->sh.type = ANN_TAG;
  } else if (strcmp(elem, "mask") == 0) {
    r->sh.type = ANN_MASK;
    if (!r->skip_shape && read_mask(r, attrs) != 0) return -1;
  } else if (strcmp(elem, "skeleton") == 0) {
    if (r->shape_label < 0 || !r->labels[r->shape_label].skeleton)
      return xmlio_fail(&r->x, "<skeleton> label '%.60s' is not declared as a skeleton", label);
    r->sh.type = ANN_KEYPOINTS;
    r->nkp = r->d->cats[cat].nkp;
    for (uint32_t k = 0; k < 3 * r->nkp; k++)
      if (push_coord(r, 0) != 0) return -1;
  } else {
    diag_warn(r->g, "dropped: ellipse", "%s:%lu: annovet has no ellipse type", r->x.file, xmlio_line(&r->x));
    r->skip_shape = 1;
  }
  return 0;
}

/* A <points> inside a <skeleton>: one named keypoint. */
static int skeleton_point(CvatRead *r, const char **attrs) {
  const char *label = xmlio_attr(attrs, "label");
  if (!label) return xmlio_fail(&r->x, "<points> in a <skeleton> has no label attribute");
  const Category *c = &r->d->cats[r->sh.cat];
  uint32_t k;
  for (k = 0; k < c->nkp; k++)
    if (strcmp(strpool_get(&r->d->str, c->kp_names[k]), label) == 0) break;
  if (k == c->nkp)
    return xmlio_fail(&r->x, "<points> label '%.60s' is not a point of skeleton '%s'", label,
                      strpool_get(&r->d->str, c->name));
  size_t keep = r->ncoords;
  const char *pts = xmlio_attr(attrs, "points");
  if (!pts) return xmlio_fail(&r->x, "<points> has no points attribute");
  long n = parse_points(r, pts, "points", 0);
  if (n < 0) return -1;
  if (n != 1) return xmlio_fail(&r->x, "<points> of a skeleton: expected one point, got %ld", n);
  int out = flag_xattr(r, attrs, "points", "outside", 0), occ = flag_xattr(r, attrs, "points", "occluded", 0);
  if (out < 0 || occ < 0) return -1;
  r->coords[3 * k] = r->coords[keep];
  r->coords[3 * k + 1] = r->coords[keep + 1];
  r->coords[3 * k + 2] = out ? 0 : occ ? 1 : 2;
  r->ncoords = keep;
  return 0;
}

/* Adds the shape just closed, with its bbox and an outside-the-image check. */
static int end_shape(CvatRead *r) {
  r->in_shape = 0;
  uint32_t *rle = (uint32_t *)r->sh.rle;
  if (r->skip_shape) {
    free(rle);
    return 0;
  }
  AnnInit *a = &r->sh;
  a->id = r->next_ann++;
  a->coords = r->coords;
  a->ncoords = (uint32_t)r->ncoords;
  a->attrs = r->attrs;
  a->nattrs = (uint32_t)r->nattrs;
  int32_t part = (int32_t)(r->ncoords / 2);
  const Item *it = &r->d->items[a->item];
  char where[300];
  snprintf(where, sizeof where, "%s:%u", r->x.file, a->src_pos);
  uint32_t stride = a->type == ANN_KEYPOINTS ? 3 : 2, npts = 0;
  switch (a->type) {
  case ANN_BOX: field_check_box(r->g, it, a->bbox, 1e-9, where); break;
  case ANN_POLYGON: a->parts = &part; a->nparts = 1; /* fall through */
  case ANN_POLYLINE: case ANN_CUBOID: case ANN_KEYPOINTS: npts = (uint32_t)(r->ncoords / stride); break;
  case ANN_RBOX: {
    double cx = r->coords[0], cy = r->coords[1], hw = r->coords[2] / 2, hh = r->coords[3] / 2;
    double t = r->coords[4] * 3.14159265358979323846 / 180, c = fabs(cos(t)), s = fabs(sin(t));
    double ex = hw * c + hh * s, ey = hw * s + hh * c;
    double b[4] = {cx - ex, cy - ey, 2 * ex, 2 * ey};
    memcpy(a->bbox, b, sizeof b);
    field_check_box(r->g, it, b, 1e-6, where);
    break;
  }
  default: break;
  }
  if (npts) {   /* the extent of the (labelled) points */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (uint32_t k = 0; k < npts; k++) {
      const double *p = &r->coords[(size_t)k * stride];
      if (stride == 3 && p[2] == 0) continue;
      x0 = fmin(x0, p[0]), y0 = fmin(y0, p[1]), x1 = fmax(x1, p[0]), y1 = fmax(y1, p[1]);
    }
    if (x0 <= x1) {
      double b[4] = {x0, y0, x1 - x0, y1 - y0};
      memcpy(a->bbox, b, sizeof b);
    }
    field_check_points(r->g, it, r->coords, npts, stride, 1e-9, where);
  }
  int rc = dataset_add_annotation(r->d, a, r->e) < 0 ? fail_oom(r) : 0;
  free(rle);
  a->rle = NULL;
  return rc;
}

static int is_shape(const char *name) {
  for (size_t k = 0; k < sizeof shape_names / sizeof *shape_names; k++)
    if (strcmp(shape_names[k], name) == 0) return 1;
  return 0;
}

/* Start tags: the root, <image> and <track>, shapes, skeleton points, <attribute>,
 * and the <meta> labels and attribute declarations. */
static int on_start(XmlIo *x, const char *name, const char **attrs) {
  CvatRead *r = x->user;
  if (x->depth == 1) {
    if (strcmp(name, "annotations") != 0)
      return xmlio_fail(x, "expected <annotations> as the root element of a CVAT XML file, found <%s>", name);
    return 0;
  }
  if (x->depth == 2 && (strcmp(name, "image") == 0 || strcmp(name, "track") == 0)) {
    if (!r->meta_done && finish_meta(r) != 0) return -1;
    if (name[0] == 'i') return start_image(r, attrs);
    const char *label = xmlio_attr(attrs, "label");
    if (!label) return xmlio_fail(x, "<track> has no label attribute");
    if (intern(r, label, strlen(label), &r->track_label) != 0) return -1;
    r->in_track = 1;
    r->track_id = NAN;
    double id;
    int got = num_xattr(r, attrs, "track", "id", 0, &id);
    if (got < 0) return -1;
    if (got) r->track_id = id;
    return 0;
  }
  if (x->depth == 3 && (r->item >= 0 || r->in_track) && is_shape(name)) return begin_shape(r, name, attrs);
  if (x->depth == 4 && r->in_shape && xmlio_in(x, 2, "skeleton", "points")) return skeleton_point(r, attrs);
  if (x->depth == 4 && r->in_shape && strcmp(name, "attribute") == 0) {
    const char *an = xmlio_attr(attrs, "name");
    if (!an) return xmlio_fail(x, "<attribute> has no name attribute");
    r->has_cur_attr = 1;
    return intern(r, an, strlen(an), &r->cur_attr);
  }
  if (!r->meta_done) {
    if (strcmp(name, "labels") == 0) r->declared = 1;
    if (xmlio_in(x, 2, "labels", "label")) {
      r->lname = r->lparent = r->lsvg = 0;
      r->ltype_skeleton = 0;
    }
    if (xmlio_in(x, 3, "label", "attributes", "attribute")) {
      r->aname = 0;
      r->akind = ATTR_STRING;
    }
  }
  return 0;
}

/* A typed shape attribute from its <meta> declaration. */
static int shape_attribute(CvatRead *r, const char *text, size_t n) {
  r->has_cur_attr = 0;
  if (r->skip_shape) return 0;
  const char *key = strpool_get(&r->d->str, r->cur_attr);
  int kind = -1;
  for (size_t i = 0; i < r->ndecls && kind < 0; i++)
    if ((int)r->decls[i].label == r->shape_label && r->decls[i].name == r->cur_attr) kind = r->decls[i].kind;
  char *s = field_strndup(text, n, r->e);
  if (!s) return fail_oom(r);
  int rc = 0;
  double v = NAN;
  if (kind < 0) {
    diag_warn(r->g, "attribute not declared", "%s:%lu: attribute '%s' is not declared for its label in <meta>",
              r->x.file, xmlio_line(&r->x), key);
    kind = ATTR_STRING;
  }
  if (kind == ATTR_NUMBER && field_number(s, n, &v) != 0)
    rc = xmlio_fail_at(&r->x, r->x.depth, "<attribute name=\"%s\">: expected a number, got '%.40s'", key, s);
  else if (kind == ATTR_BOOL) {
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "1") == 0) v = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "0") == 0) v = 0;
    else rc = xmlio_fail_at(&r->x, r->x.depth, "<attribute name=\"%s\">: expected true or false, got '%.40s'", key, s);
  }
  if (rc == 0) rc = push_attr(r, key, (AttrKind)kind, v, s);
  free(s);
  return rc;
}

/* Ends of <meta> elements: labels, their attribute declarations, task fields. */
static int meta_end(CvatRead *r, const char *name, const char *text, size_t n) {
  XmlIo *x = &r->x;
  if (xmlio_in(x, 3, "labels", "label", "name")) return intern(r, text, n, &r->lname);
  if (xmlio_in(x, 3, "labels", "label", "parent")) return intern(r, text, n, &r->lparent);
  if (xmlio_in(x, 3, "labels", "label", "svg")) return intern(r, text, n, &r->lsvg);
  if (xmlio_in(x, 3, "labels", "label", "type")) {
    r->ltype_skeleton = n == 8 && memcmp(text, "skeleton", 8) == 0;
    return 0;
  }
  if (xmlio_in(x, 4, "label", "attributes", "attribute", "name")) return intern(r, text, n, &r->aname);
  if (xmlio_in(x, 4, "label", "attributes", "attribute", "input_type")) {
    r->akind = n == 8 && memcmp(text, "checkbox", 8) == 0 ? ATTR_BOOL
             : n == 6 && memcmp(text, "number", 6) == 0 ? ATTR_NUMBER : ATTR_STRING;
    return 0;
  }
  if (xmlio_in(x, 3, "label", "attributes", "attribute")) {
    CvatAttrDecl *dd = err_realloc(r->e, r->decls, r->ndecls + 1, sizeof *dd);
    if (!dd) return fail_oom(r);
    r->decls = dd;
    dd[r->ndecls].label = (uint32_t)r->nlabels;
    dd[r->ndecls].name = r->aname;
    dd[r->ndecls++].kind = r->akind;
    return 0;
  }
  if (xmlio_in(x, 2, "labels", "label")) {
    const char *ln = strpool_get(&r->d->str, r->lname);
    if (!*ln) return xmlio_fail_at(x, x->depth, "<label> has no <name>");
    if (find_label(r, ln, r->lparent) >= 0) return xmlio_fail_at(x, x->depth, "label '%.60s' is declared twice", ln);
    CvatLabel *l = err_realloc(r->e, r->labels, r->nlabels + 1, sizeof *l);
    if (!l) return fail_oom(r);
    r->labels = l;
    l[r->nlabels].name = r->lname;
    l[r->nlabels].parent = r->lparent;
    l[r->nlabels].skeleton = r->ltype_skeleton;
    l[r->nlabels].svg = r->lsvg;
    l[r->nlabels++].cat = -1;
    return 0;
  }
  if (xmlio_in(x, 2, "task", name) && x->depth == 4) {
    int64_t v;
    if (strcmp(name, "mode") == 0) r->interpolation = n == 13 && memcmp(text, "interpolation", 13) == 0;
    else if (strcmp(name, "frame_filter") == 0) {
      if (n > 5 && memcmp(text, "step=", 5) == 0 && field_integer(text + 5, n - 5, 1, INT32_MAX, &v) == 0) r->step = v;
    } else if (strcmp(name, "start_frame") == 0 || strcmp(name, "stop_frame") == 0) {
      if (field_integer(text, n, 0, INT32_MAX, &v) != 0)
        return xmlio_fail(x, "<%s>: expected a frame number, got '%.40s'", name, text);
      *(name[2] == 'a' ? &r->start_frame : &r->stop_frame) = v;
    }
  }
  if (xmlio_in(x, 2, "original_size", name)) {
    int64_t v;
    if (field_integer(text, n, 0, INT32_MAX, &v) != 0)
      return xmlio_fail(x, "<%s>: expected an integer 0..2147483647, got '%.40s'", name, text);
    if (strcmp(name, "width") == 0) r->orig_w = v;
    else if (strcmp(name, "height") == 0) r->orig_h = v;
  }
  return 0;
}

/* End tags: <meta>, <image>, <track>, shapes and their <attribute>s. */
static int on_end(XmlIo *x, const char *name, const char *text, size_t n) {
  CvatRead *r = x->user;
  if (x->depth == 2) {
    if (strcmp(name, "meta") == 0 && !r->meta_done) return finish_meta(r);
    if (strcmp(name, "image") == 0) r->item = -1;
    if (strcmp(name, "track") == 0) r->in_track = 0;
    return 0;
  }
  if (x->depth == 3 && r->in_shape && is_shape(name)) return end_shape(r);
  if (x->depth == 4 && r->in_shape && r->has_cur_attr && strcmp(name, "attribute") == 0)
    return shape_attribute(r, text, n);
  if (!r->meta_done && x->depth > 2) return meta_end(r, name, text, n);
  return 0;
}

/* Reads a CVAT XML file, or the annotations.xml of a folder. */
static int cvat_read(const char *path, Dataset *d, Diag *g, Err *e) {
  CvatRead r;
  memset(&r, 0, sizeof r);
  r.d = d;
  r.g = g;
  r.e = e;
  r.item = -1;
  r.step = 1;
  r.start_frame = 0;
  r.stop_frame = -1;
  r.max_id = -1;
  r.next_ann = 1;
  r.x.e = e;
  r.x.file = path;
  r.x.user = &r;
  r.x.start = on_start;
  r.x.end = on_end;
  int rc = -1;
  char *inner = NULL;
  if (folder_kind(path) == 1) {   /* an unpacked CVAT export: annotations.xml inside */
    if (!(inner = folder_join(path, "annotations.xml", e))) goto done;
    if (folder_kind(inner) != 0) {
      err_set(e, "%s: is a folder without annotations.xml; expected a CVAT XML file", path);
      goto done;
    }
    path = inner;
    r.x.file = path;
  }
  StrId fmt = strpool_intern(&d->str, "cvat", 4, e);
  r.src = strpool_intern(&d->str, path, strlen(path), e);
  if (fmt == (StrId)-1 || r.src == (StrId)-1) goto done;
  d->format = fmt;
  d->src_kind = SRC_LINE;
  if (xmlio_parse(&r.x, path) != 0) goto done;
  if (!r.meta_done && finish_meta(&r) != 0) goto done;
  if (check_keys(&r) != 0) goto done;
  rc = 0;
done:
  free(inner);
  free((void *)r.sh.rle);
  free(r.labels);
  free(r.decls);
  free(r.keys);
  free(r.coords);
  free(r.attrs);
  return rc;
}

/* A CVAT XML file has <annotations> with <version> and <meta> (Label Studio's
 * XML config is <View>, VOC's root is <annotation>). */
static int cvat_detect(const char *path, int is_dir, const char *head, size_t n) {
  if (is_dir) {   /* an unpacked export: annotations.xml inside */
    Err e = {0};
    char *p = folder_join(path, "annotations.xml", &e);
    FILE *f = p ? confine_fopen(p, NULL) : NULL;
    free(p);
    if (!f) return 0;
    char buf[4096];
    size_t got = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int s = cvat_detect("annotations.xml", 0, buf, got);
    return s > 5 ? s - 5 : 0;
  }
  if (!head) return 0;
  const char *a = NULL;
  for (size_t i = 0; i + 13 <= n; i++)
    if (memcmp(head + i, "<annotations", 12) == 0 && (head[i + 12] == '>' || head[i + 12] == ' ' ||
                                                       head[i + 12] == '\n' || head[i + 12] == '\r')) {
      a = head + i;
      break;
    }
  if (!a) return 0;
  int version = 0, meta = 0;
  for (size_t i = (size_t)(a - head); i + 9 <= n; i++) {
    if (memcmp(head + i, "<version>", 9) == 0) version = 1;
    if (memcmp(head + i, "<meta>", 6) == 0) meta = 1;
  }
  return version && meta ? 95 : version || meta ? 80 : 40;
}

const Format format_cvat = {
  "cvat", "CVAT for images / video XML 1.1 (annotations.xml)", cvat_detect, cvat_read, cvat_write,
};
