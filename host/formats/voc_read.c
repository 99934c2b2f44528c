/* Pascal VOC XML (expat): one file per image, or a folder of them (Annotations/
 * with an optional labelmap.txt and SegmentationClass/ label images).
 *
 * Coordinates follow datumaro, not the VOC devkit: the devkit treats
 * xmin..xmax as 1-based inclusive pixel indices (width = xmax - xmin + 1), but
 * datumaro, whose exports vendors send, reads them as continuous coordinates:
 * box = [xmin, ymin, xmax - xmin, ymax - ymin] (its test
 * tests/unit/data_formats/test_voc_format.py expects <1,2,3,4> -> Bbox(1, 2, 2, 2)).
 * annovet does the same, so a VOC box and the COCO box datumaro writes for it agree.
 *
 * <part> sub-objects (person layout) become boxes of their own category (the part
 * name) with a number attribute "part_of" holding the parent box's annotation id;
 * the writer nests such boxes back under their parent. <actions> children become
 * bool attributes; datumaro's <attributes><attribute><name/><value/> become string
 * attributes; truncated, difficult and occluded become bool attributes, pose a
 * string. Items are numbered 1.. in file order; annotation ids 1.. in document
 * order. Categories: labelmap.txt's order (ids 1..) when present, and a name it
 * does not declare is an error; without one, names in order of first use.
 * Subsets come from ImageSets/Main/<subset>.txt (trainval only for files train
 * and val do not list). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confine.h"
#include "fields.h"
#include "folder.h"
#include "formats.h"
#include "image_size.h"
#include "labelimg.h"
#include "labelmap.h"
#include "pngmask.h"
#include "utf8.h"
#include "voc.h"
#include "xmlio.h"

enum { HAVE_XMIN = 1, HAVE_XMAX = 2, HAVE_YMIN = 4, HAVE_YMAX = 8, HAVE_BOX = 15 };

/* An object or part of the file being read, kept until </annotation>. */
typedef struct VocObj {
  int32_t parent;       /* index of the object a part belongs to, -1 for objects */
  int32_t cat;
  StrId name;
  int has_name;
  double box[4];        /* xmin, ymin, xmax, ymax */
  unsigned have;
  unsigned long line;
  int64_t ann_id;
} VocObj;

typedef struct OwnedAttr {
  uint32_t owner;       /* index into objs */
  Attr a;
} OwnedAttr;

typedef struct VocRead {
  Dataset *d;
  Diag *g;
  Err *e;
  XmlIo x;
  const char *root;            /* the delivery folder, or NULL for a single file */
  const char *xml_dir;         /* folder of the XML files */
  LabelMap lm;
  int explicit_lm;             /* labelmap.txt was given: undeclared names are errors */
  StrId src;
  StrId filename;
  int has_filename;
  int64_t width, height;
  VocObj *objs;
  size_t nobj, capobj;
  OwnedAttr *attrs;
  size_t nattr, capattr;
  int32_t cur_obj, cur_part;
  StrId akey, aval;
  int has_akey;
  int64_t next_item, next_ann;
  const char *stem;            /* of the XML file being read */
  FolderList sets;                /* "stem\tsubset" from ImageSets/Main, sorted */
} VocRead;

static int intern(VocRead *r, const char *s, size_t n, StrId *out) {
  *out = 0;
  StrId id = strpool_intern(&r->d->str, s, n, r->e);
  if (id == (StrId)-1) return xmlio_fail(&r->x, "%s", r->e->msg);
  *out = id;
  return 0;
}

/* The category named name: labelmap.txt's when given; otherwise added on first use. */
static int32_t voc_category(VocRead *r, const char *name, int is_part) {
  int64_t c = dataset_category_by_name(r->d, name);
  if (c >= 0) return (int32_t)c;
  if (r->explicit_lm && !is_part) {
    xmlio_fail_at(&r->x, r->x.depth, "label '%s' is not declared in labelmap.txt", name);
    return -2;
  }
  StrId id;
  if (intern(r, name, strlen(name), &id) != 0) return -2;
  c = dataset_add_category(r->d, (int64_t)r->d->ncats + 1, id, 0, r->e);
  if (c < 0) return xmlio_fail(&r->x, "%s", r->e->msg), -2;
  return (int32_t)c;
}

/* Records an attribute of object or part owner (resolved at </annotation>). */
static int add_attr(VocRead *r, int32_t owner, const char *key, AttrKind kind, double num,
                    const char *str, size_t nstr) {
  if (r->nattr == r->capattr) {
    size_t cap = r->capattr ? r->capattr * 2 : 32;
    OwnedAttr *a = err_realloc(r->e, r->attrs, cap, sizeof *a);
    if (!a) return xmlio_fail(&r->x, "out of memory");
    r->attrs = a;
    r->capattr = cap;
  }
  OwnedAttr *oa = &r->attrs[r->nattr];
  memset(oa, 0, sizeof *oa);
  oa->owner = (uint32_t)owner;
  oa->a.kind = (uint8_t)kind;
  oa->a.num = num;
  if (intern(r, key, strlen(key), &oa->a.key) != 0) return -1;
  if (str && intern(r, str, nstr, &oa->a.str) != 0) return -1;
  r->nattr++;
  return 0;
}

/* Drops the blanks around an element's text. */
static void trim(const char **text, size_t *n) {
  const char *t = *text;
  size_t k = *n;
  while (k && (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')) t++, k--;
  while (k && (t[k - 1] == ' ' || t[k - 1] == '\n' || t[k - 1] == '\t' || t[k - 1] == '\r')) k--;
  *text = t;
  *n = k;
}

/* Reads 0/1/true/false (any case) as a bool attribute. */
static int bool_attr(VocRead *r, int32_t owner, const char *key, const char *text, size_t n) {
  double v;
  int64_t iv;
  trim(&text, &n);
  if (field_integer(text, n, 0, 1, &iv) == 0) v = (double)iv;
  else if (n == 4 && strncasecmp(text, "true", 4) == 0) v = 1;
  else if (n == 5 && strncasecmp(text, "false", 5) == 0) v = 0;
  else return xmlio_fail(&r->x, "<%s>: expected 0 or 1, got '%.*s'", key, (int)(n > 40 ? 40 : n), text);
  return add_attr(r, owner, key, ATTR_BOOL, v, text, n);
}

/* Starts an object (parent -1) or a part of object parent. */
static int push_obj(VocRead *r, int32_t parent) {
  if (r->nobj == r->capobj) {
    size_t cap = r->capobj ? r->capobj * 2 : 16;
    VocObj *o = err_realloc(r->e, r->objs, cap, sizeof *o);
    if (!o) return xmlio_fail(&r->x, "out of memory");
    r->objs = o;
    r->capobj = cap;
  }
  VocObj *o = &r->objs[r->nobj];
  memset(o, 0, sizeof *o);
  o->parent = parent;
  o->cat = -1;
  o->line = xmlio_line(&r->x);
  return (int32_t)r->nobj++;
}

/* Start tags: the root, objects and parts, datumaro's <attribute>. */
static int on_start(XmlIo *x, const char *name, const char **attrs) {
  VocRead *r = x->user;
  (void)attrs;
  if (x->depth == 1) {
    if (strcmp(name, "annotation") != 0)
      return xmlio_fail(x, "expected <annotation> as the root element of a VOC file, found <%s>", name);
    r->nobj = r->nattr = 0;
    r->has_filename = 0;
    r->width = r->height = 0;
    r->cur_obj = r->cur_part = -1;
    return 0;
  }
  if (x->depth == 2 && strcmp(name, "object") == 0) {
    int32_t k = push_obj(r, -1);
    if (k < 0) return -1;
    r->cur_obj = k;
    r->cur_part = -1;
  } else if (x->depth == 3 && strcmp(name, "part") == 0 && xmlio_in(x, 2, "object", "part")) {
    int32_t k = push_obj(r, r->cur_obj);
    if (k < 0) return -1;
    r->cur_part = k;
  } else if (xmlio_in(x, 3, "object", "attributes", "attribute")) {
    r->has_akey = 0;
    r->aval = 0;
  }
  return 0;
}

/* A coordinate element's text into o->box. */
static int set_coord(VocRead *r, VocObj *o, const char *name, const char *text, size_t n) {
  static const char *const names[4] = {"xmin", "ymin", "xmax", "ymax"};
  static const unsigned bits[4] = {HAVE_XMIN, HAVE_YMIN, HAVE_XMAX, HAVE_YMAX};
  for (int k = 0; k < 4; k++) {
    if (strcmp(name, names[k]) != 0) continue;
    double v;
    if (field_number(text, n, &v) != 0)
      return xmlio_fail(&r->x, "<%s>: expected a number, got '%.*s'", name, (int)(n > 40 ? 40 : n), text);
    if (fabs(v) >= FIELD_COORD_MAX)
      return xmlio_fail(&r->x, "<%s>: %g is out of range (a coordinate must be under 2^31 in size)", name, v);
    o->box[k] = v;
    o->have |= bits[k];
  }
  return 0;
}

/* Checks an object or part at its end tag and resolves its category. */
static int finish_obj(VocRead *r, VocObj *o, const char *what) {
  XmlIo *x = &r->x;
  if (!o->has_name) return xmlio_fail_at(x, x->depth, "<%s> has no <name>", what);
  const char *nm = strpool_get(&r->d->str, o->name);
  if (o->have != HAVE_BOX) {
    static const char *const missing[4] = {"xmin", "xmax", "ymin", "ymax"};
    if (!o->have) return xmlio_fail_at(x, x->depth, "<%s> '%s' has no <bndbox>", what, nm);
    for (int k = 0; k < 4; k++)
      if (!(o->have & (1u << k)))
        return xmlio_fail_at(x, x->depth, "<%s> '%s': <bndbox> has no <%s>", what, nm, missing[k]);
  }
  if (o->box[2] < o->box[0] || o->box[3] < o->box[1])
    return xmlio_fail_at(x, x->depth, "<%s> '%s': expected xmin <= xmax and ymin <= ymax, got [%g, %g, %g, %g]",
                         what, nm, o->box[0], o->box[1], o->box[2], o->box[3]);
  o->cat = voc_category(r, nm, o->parent >= 0);
  return o->cat < 0 ? -1 : 0;
}

static int flush_file(VocRead *r);

/* End tags, by depth: texts of the fields VOC has, then objects and the file. */
static int on_end(XmlIo *x, const char *name, const char *text, size_t n) {
  VocRead *r = x->user;
  VocObj *obj = r->cur_obj >= 0 ? &r->objs[r->cur_obj] : NULL;
  VocObj *part = r->cur_part >= 0 ? &r->objs[r->cur_part] : NULL;
  switch (x->depth) {
  case 1:
    return flush_file(r);
  case 2:
    if (strcmp(name, "filename") == 0) {
      r->has_filename = 1;
      return intern(r, text, n, &r->filename);
    }
    if (strcmp(name, "object") == 0) return finish_obj(r, obj, "object");
    return 0;
  case 3:
    if (xmlio_in(x, 2, "size", "width") || xmlio_in(x, 2, "size", "height")) {
      int64_t v;
      if (field_integer(text, n, 0, INT32_MAX, &v) != 0)
        return xmlio_fail(x, "<%s>: expected an integer 0..2147483647, got '%.*s'", name,
                          (int)(n > 40 ? 40 : n), text);
      *(name[0] == 'w' ? &r->width : &r->height) = v;
      return 0;
    }
    if (!xmlio_in(x, 2, "object", name)) return 0;
    if (strcmp(name, "name") == 0) {
      trim(&text, &n);
      if (!n) return xmlio_fail(x, "<name>: expected a label name, got an empty one");
      obj->has_name = 1;
      return intern(r, text, n, &obj->name);
    }
    if (strcmp(name, "pose") == 0) return add_attr(r, r->cur_obj, "pose", ATTR_STRING, NAN, text, n);
    if (strcmp(name, "truncated") == 0 || strcmp(name, "difficult") == 0 || strcmp(name, "occluded") == 0)
      return bool_attr(r, r->cur_obj, name, text, n);
    if (strcmp(name, "part") == 0) {
      int rc = finish_obj(r, part, "part");
      r->cur_part = -1;
      return rc;
    }
    return 0;
  case 4:
    if (xmlio_in(x, 3, "object", "bndbox", name)) return set_coord(r, obj, name, text, n);
    if (xmlio_in(x, 3, "object", "part", "name") && part) {
      trim(&text, &n);
      if (!n) return xmlio_fail(x, "<name>: expected a part name, got an empty one");
      part->has_name = 1;
      return intern(r, text, n, &part->name);
    }
    if (xmlio_in(x, 3, "object", "actions", name)) return bool_attr(r, r->cur_obj, name, text, n);
    if (xmlio_in(x, 3, "object", "attributes", "attribute")) {
      if (!r->has_akey) return xmlio_fail_at(x, x->depth, "<attribute> has no <name>");
      const char *key = strpool_get(&r->d->str, r->akey);
      const char *val = strpool_get(&r->d->str, r->aval);
      return add_attr(r, r->cur_obj, key, ATTR_STRING, NAN, val, strlen(val));
    }
    return 0;
  case 5:
    if (xmlio_in(x, 3, "part", "bndbox", name) && part) return set_coord(r, part, name, text, n);
    if (xmlio_in(x, 3, "attributes", "attribute", "name")) {
      r->has_akey = 1;
      return intern(r, text, n, &r->akey);
    }
    if (xmlio_in(x, 3, "attributes", "attribute", "value")) return intern(r, text, n, &r->aval);
    return 0;
  default:
    return 0;
  }
}

static int cmp_stem(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subset ImageSets/Main lists stem in, or NULL. */
static const char *subset_of(const FolderList *sets, const char *stem) {
  size_t lo = 0, hi = sets->n, n = strlen(stem);
  while (lo < hi) {   /* the first entry not below "stem\t" */
    size_t mid = (lo + hi) / 2;
    int c = strncmp(sets->v[mid], stem, n);
    if (c < 0 || (c == 0 && sets->v[mid][n] < '\t')) lo = mid + 1;
    else hi = mid;
  }
  return lo < sets->n && strncmp(sets->v[lo], stem, n) == 0 && sets->v[lo][n] == '\t' ? sets->v[lo] + n + 1 : NULL;
}

/* Adds the stems listed in ImageSets/Main/name (a subset file) to r->sets as
 * "stem\tsubset"; with only_new, stems already there are skipped. */
static int read_set_file(VocRead *r, const char *dir, const char *name, int only_new) {
  char *p = folder_join(dir, name, r->e), *text = NULL;
  size_t len, nsub = strlen(name) - 4;
  int rc = p ? format_slurp(p, &text, &len, r->e) : -1;
  size_t before = r->sets.n;
  for (char *s = text; rc == 0 && s && *s;) {
    char *nl = strchr(s, '\n');
    size_t k = nl ? (size_t)(nl - s) : strlen(s);
    while (k && (s[k - 1] == '\r' || s[k - 1] == ' ' || s[k - 1] == '\t')) k--;
    if (k) {
      char *line = err_malloc(r->e, k + nsub + 2);
      if (!line) {
        rc = -1;
        break;
      }
      snprintf(line, k + nsub + 2, "%.*s", (int)k, s);
      int skip = only_new && subset_of(&r->sets, line) != NULL;
      snprintf(line, k + nsub + 2, "%.*s\t%.*s", (int)k, s, (int)nsub, name);
      if (!skip) rc = folder_list_add(&r->sets, line, r->e);
      free(line);
    }
    s = nl ? nl + 1 : NULL;
  }
  free(p);
  free(text);
  if (rc == 0 && r->sets.n > before) qsort(r->sets.v, r->sets.n, sizeof *r->sets.v, cmp_stem);
  return rc;
}

/* Subsets from ImageSets/Main/<subset>.txt: names without '_' (the others are
 * per-class lists); trainval.txt only for stems no other list names. */
static int read_image_sets(VocRead *r) {
  char *dir = folder_join(r->root, "ImageSets/Main", r->e);
  if (!dir) return -1;
  FolderList files = {0};
  int rc = folder_kind(dir) == 1 ? folder_list(dir, &files, r->e) : 0;
  for (int pass = 0; pass < 2 && rc == 0; pass++)
    for (size_t i = 0; i < files.n && rc == 0; i++) {
      const char *f = files.v[i];
      if (!folder_has_ext(f, ".txt") || strchr(f, '_') || (strcmp(f, "trainval.txt") == 0) != pass) continue;
      rc = folder_check_name(dir, f, "a subset name", r->e);
      if (rc != 0) break;
      rc = read_set_file(r, dir, f, pass);
    }
  folder_list_free(&files);
  free(dir);
  return rc;
}

/* Adds the item of the file just read, its boxes, and its SegmentationClass masks. */
static int flush_file(VocRead *r) {
  Dataset *d = r->d;
  XmlIo *x = &r->x;
  StrId file = r->filename;
  size_t nstem = strlen(r->stem);
  if (!r->has_filename && utf8_bad(r->stem, nstem) < nstem &&
      folder_check_name(NULL, x->file, "the item's file name, as the file has no <filename>", r->e) != 0)
    return xmlio_stop(x);
  if (!r->has_filename && intern(r, r->stem, strlen(r->stem), &file) != 0) return -1;
  int32_t w = (int32_t)r->width, h = (int32_t)r->height;
  int outside = 0;
  for (int k = 0; k < 2 && (!w || !h); k++) {   /* no <size>: the image's own header, if it is here */
    if (k == 0 && !r->root) continue;
    char *img = k == 0 ? folder_join(r->root, "JPEGImages", r->e) : field_strndup(r->xml_dir, strlen(r->xml_dir), r->e);
    char *p = NULL;
    int found = img ? folder_find_within(img, strpool_get(&d->str, file), &p, r->e) : -1;
    int32_t iw, ih;
    if (found == 0 && image_size_read(p, &iw, &ih) == 0) w = iw, h = ih;
    outside |= found == 1;
    free(p);
    free(img);
    if (found < 0) return xmlio_fail(x, "out of memory");
  }
  if ((!w || !h) && outside)
    diag_warn(r->g, "image outside the delivery", "%s: <filename> %s is not a file inside the delivery's folder; "
              "the image size stays unknown", x->file, strpool_get(&d->str, file));
  int64_t it = dataset_add_item(d, r->next_item++, file, w, h, r->e);
  if (it < 0) return xmlio_fail(x, "%s", r->e->msg);
  const char *sub = subset_of(&r->sets, r->stem);
  if (sub && intern(r, sub, strlen(sub), &d->items[it].subset) != 0) return -1;
  /* attributes grouped by owner, document order kept (a counting sort) */
  uint32_t *start = err_calloc(r->e, r->nobj + 2, sizeof *start);
  Attr *sorted = err_calloc(r->e, r->nattr + r->nobj + 1, sizeof *sorted);
  int rc = 0;
  if (!start || !sorted) rc = xmlio_fail(x, "out of memory");
  for (size_t k = 0; rc == 0 && k < r->nattr; k++) start[r->attrs[k].owner + 2]++;
  for (size_t i = 0; rc == 0 && i < r->nobj; i++) start[i + 2] += start[i + 1];
  /* each object's range leaves one slot free after it for "part_of" */
  for (size_t k = 0; rc == 0 && k < r->nattr; k++) {
    uint32_t o = r->attrs[k].owner;
    sorted[start[o + 1]++ + o] = r->attrs[k].a;
  }
  StrId part_of = 0;
  if (rc == 0 && intern(r, "part_of", 7, &part_of) != 0) rc = -1;
  for (size_t i = 0; rc == 0 && i < r->nobj; i++) {
    VocObj *o = &r->objs[i];
    Attr *oa = sorted + start[i] + i;
    uint32_t na = start[i + 1] - start[i];
    o->ann_id = r->next_ann++;
    if (o->parent >= 0) {
      memset(&oa[na], 0, sizeof oa[na]);
      oa[na].key = part_of;
      oa[na].kind = ATTR_NUMBER;
      oa[na].num = (double)r->objs[o->parent].ann_id;
      na++;
    }
    AnnInit ai = ann_init((uint32_t)it, o->cat, ANN_BOX);
    ai.id = o->ann_id;
    ai.bbox[0] = o->box[0];
    ai.bbox[1] = o->box[1];
    ai.bbox[2] = o->box[2] - o->box[0];
    ai.bbox[3] = o->box[3] - o->box[1];
    ai.attrs = oa;
    ai.nattrs = na;
    ai.src_file = r->src;
    ai.src_pos = (uint32_t)o->line;
    char where[300];
    snprintf(where, sizeof where, "%s:%lu", x->file, o->line);
    field_check_box(r->g, &d->items[it], ai.bbox, 1e-9, where);
    if (dataset_add_annotation(d, &ai, r->e) < 0) rc = xmlio_fail(x, "%s", r->e->msg);
  }
  free(start);
  free(sorted);
  if (rc != 0) return -1;
  if (r->root) {
    char *seg = folder_join(r->root, "SegmentationClass", r->e);
    size_t ns = strlen(r->stem);
    char *png = seg ? err_malloc(r->e, strlen(seg) + ns + 6) : NULL;
    if (png) sprintf(png, "%s/%s.png", seg, r->stem);
    if (!png) rc = xmlio_fail(x, "out of memory");
    else if (folder_kind(png) == 0 &&
             labelimg_read_item(d, png, (uint32_t)it, &r->lm, !r->explicit_lm, &r->next_ann, r->g, r->e) != 0) {
      x->failed = 1;
      XML_StopParser(x->p, XML_FALSE);
      rc = -1;
    }
    free(png);
    free(seg);
  }
  return rc;
}

/* Reads one .xml file, or every .xml under a folder (its Annotations/ when it
 * has one), sorted by path. */
static int voc_read(const char *path, Dataset *d, Diag *g, Err *e) {
  VocRead r;
  memset(&r, 0, sizeof r);
  r.d = d;
  r.g = g;
  r.e = e;
  r.next_item = r.next_ann = 1;
  r.x.e = e;
  r.x.user = &r;
  r.x.start = on_start;
  r.x.end = on_end;
  FolderList files = {0};
  char *dir = NULL, *lmpath = NULL, *xmlpath = NULL, *stem = NULL;
  int rc = -1;
  int kind = folder_kind(path);
  if (kind < 0) {
    err_errno(e, "%s", path);
    goto done;
  }
  if (kind == 1) {
    char *ann = folder_join(path, "Annotations", e);
    if (!ann) goto done;
    if (folder_kind(ann) == 1) {
      dir = ann;
    } else {
      free(ann);
      dir = field_strndup(path, strlen(path), e);
    }
    r.root = path;
    lmpath = folder_join(path, "labelmap.txt", e);
    if (!dir || !lmpath || folder_list_tree(dir, ".xml", &files, e) != 0) goto done;
    if (!files.n) {
      err_set(e, "%s: no .xml files (expected Pascal VOC annotations, in Annotations/ or the folder itself)", path);
      goto done;
    }
  } else {
    const char *base = folder_base(path);
    dir = field_strndup(path, (size_t)(base - path), e);
    if (!dir || folder_list_add(&files, base, e) != 0) goto done;
    if (!*dir) {
      free(dir);
      dir = field_strndup(".", 1, e);
    }
    lmpath = dir ? folder_join(dir, "labelmap.txt", e) : NULL;
    if (!lmpath) goto done;
  }
  r.xml_dir = dir;
  if (kind == 1 && read_image_sets(&r) != 0) goto done;
  if (folder_kind(lmpath) == 0) {
    if (labelmap_read(lmpath, 1, &r.lm, e) != 0) goto done;
    r.explicit_lm = 1;
    for (size_t i = 0; i < r.lm.n; i++) {
      StrId id = strpool_intern(&d->str, r.lm.v[i].name, strlen(r.lm.v[i].name), e);
      if (id == (StrId)-1 || dataset_add_category(d, (int64_t)i + 1, id, 0, e) < 0) goto done;
    }
  } else if (labelmap_voc_default(&r.lm, e) != 0) {
    goto done;
  }
  StrId fmt = strpool_intern(&d->str, "voc", 3, e);
  if (fmt == (StrId)-1) goto done;
  d->format = fmt;
  d->src_kind = SRC_LINE;
  for (size_t i = 0; i < files.n; i++) {
    free(xmlpath);
    free(stem);
    stem = NULL;
    xmlpath = kind == 1 ? folder_join(dir, files.v[i], e) : field_strndup(path, strlen(path), e);
    if (!xmlpath) goto done;
    size_t ns = strlen(files.v[i]);
    stem = field_strndup(files.v[i], folder_has_ext(files.v[i], ".xml") ? ns - 4 : ns, e);
    if (!stem) goto done;
    r.stem = stem;
    r.x.file = xmlpath;
    r.src = strpool_intern(&d->str, xmlpath, strlen(xmlpath), e);
    if (r.src == (StrId)-1) goto done;
    r.nobj = r.nattr = 0;
    if (xmlio_parse(&r.x, xmlpath) != 0) goto done;
    if (r.x.depth != 0) {
      err_set(e, "%s: expected an <annotation> element", xmlpath);
      goto done;
    }
  }
  rc = 0;
done:
  folder_list_free(&files);
  folder_list_free(&r.sets);
  labelmap_free(&r.lm);
  free(r.objs);
  free(r.attrs);
  free(dir);
  free(lmpath);
  free(xmlpath);
  free(stem);
  return rc;
}

/* 1 when head holds the element <name ...> (and not a longer name such as
 * CVAT's <annotations>). */
static int has_tag(const char *head, size_t n, const char *name) {
  size_t k = strlen(name);
  for (size_t i = 0; i + k + 2 <= n; i++) {
    if (head[i] != '<' || memcmp(head + i + 1, name, k) != 0) continue;
    char c = head[i + 1 + k];
    if (c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/') return 1;
  }
  return 0;
}

/* How VOC-like the first bytes of an XML file are. */
static int voc_head_score(const char *head, size_t n) {
  if (!has_tag(head, n, "annotation") || has_tag(head, n, "annotations")) return 0;
  if (has_tag(head, n, "object") || has_tag(head, n, "filename") || has_tag(head, n, "size"))
    return 90;
  return 60;
}

/* A file: its head; a folder: the first .xml in Annotations/ (95) or in itself. */
static int voc_detect(const char *path, int is_dir, const char *head, size_t nhead) {
  if (!is_dir) return voc_head_score(head, nhead);
  Err e = {0};
  char *ann = folder_join(path, "Annotations", &e);
  if (!ann) return 0;
  const char *dir = folder_kind(ann) == 1 ? ann : path;
  FolderList l = {0};
  int score = 0;
  if (folder_list(dir, &l, &e) == 0) {
    for (size_t i = 0; i < l.n && !score; i++) {
      if (!folder_has_ext(l.v[i], ".xml")) continue;
      char *p = folder_join(dir, l.v[i], &e);
      FILE *f = p ? confine_fopen(p, NULL) : NULL;
      if (f) {
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        score = voc_head_score(buf, n);
        if (score && dir == ann) score = 95;
      }
      free(p);
    }
  }
  folder_list_free(&l);
  free(ann);
  return score;
}

const Format format_voc = {
  "voc", "Pascal VOC XML: one file per image, or a folder with Annotations/ (+ labelmap.txt, SegmentationClass/)",
  voc_detect, voc_read, voc_write,
};
