/* YOLO TXT reader: Darknet (obj.data, obj.names, obj_<subset>_data/) and
 * Ultralytics (data.yaml, [subset/]labels/, labels/[subset/]) folders, and plain
 * folders of label files with classes.txt.
 *
 * Lines, after the class index (0-based; the category id is the class index):
 *   4 numbers  cx cy w h                    -> box
 *   5 numbers  cx cy w h conf               -> box with a score (a results file)
 *   4 + k*d    box then k keypoints of d (2 or 3) values, when data.yaml has
 *              kpt_shape: [k, d]             -> keypoints with their bbox
 *   2m (m>=3)  x1 y1 ... xm ym               -> polygon; OBB lines (4 corners)
 *              are read as 4-point polygons: nothing in the file says the
 *              corners form a rectangle
 *   odd >= 7   with (n - 4) % 3 == 0 and no kpt_shape: box + (n - 4) / 3 keypoints
 * Coordinates are normalised to the image: the size comes from the image's
 * header (images/ for labels/, or beside the label file). Without the image the
 * coordinates are kept normalised (0..1), the item's size stays unknown (0), and
 * a warning "image size unknown" names the label file; annovet's YOLO writer
 * writes such items back unchanged, and other writers see an item of unknown
 * size. Items are every image and every label file, numbered 1.. in path order;
 * the subset comes from obj_<subset>_data, labels/<subset>/ or <subset>/labels/.
 * Image lists (a .txt that data.yaml's train/val/... or obj.data's train/valid/
 * test name: "./x" beside the list, Darknet's "data/x" in the folder) name
 * images that may not have come with the labels: such an image is still an
 * item, so it keeps its name and extension (datumaro reads Darknet's so). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "confine.h"
#include "fields.h"
#include "folder.h"
#include "image_size.h"
#include "labelmap.h"
#include "yolo.h"

static const char *const image_exts[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff",
                                         ".gif", ".dng", ".mpo", ".pfm", ".heic"};

int yolo_is_image(const char *name) {
  for (size_t i = 0; i < sizeof image_exts / sizeof *image_exts; i++)
    if (folder_has_ext(name, image_exts[i])) return 1;
  return 0;
}

typedef struct YoloRead {
  Dataset *d;
  Diag *g;
  Err *e;
  const char *root;
  int64_t kpt_k, kpt_dims;      /* data.yaml kpt_shape, 0 when absent */
  int names_known;
  char names_file[64];          /* the class list's file name, for messages */
  FolderList lists;                /* image lists (train.txt ...) named by data.yaml or obj.data */
  int32_t *cls;                 /* class index -> category index, -1 for none */
  uint32_t ncls;
  double *vals;
  size_t capvals;
  int64_t next_ann;
} YoloRead;

/* Declares class index k as category name (id k). */
static int add_class(YoloRead *r, uint32_t k, const char *name, size_t n, const char *where) {
  Dataset *d = r->d;
  if (k >= r->ncls) {
    int32_t *c = err_realloc(r->e, r->cls, (size_t)k + 1, sizeof *c);
    if (!c) return -1;
    for (uint32_t i = r->ncls; i <= k; i++) c[i] = -1;
    r->cls = c;
    r->ncls = k + 1;
  }
  if (r->cls[k] >= 0) return err_set(r->e, "%s: class %u is named twice", where, k);
  StrId id = strpool_intern(&d->str, name, n, r->e);
  if (id == (StrId)-1) return -1;
  if (dataset_category_by_name(d, strpool_get(&d->str, id)) >= 0)
    return err_set(r->e, "%s: class name '%s' is used twice", where, strpool_get(&d->str, id));
  int64_t c = dataset_add_category(d, k, id, 0, r->e);
  if (c < 0) return -1;
  r->cls[k] = (int32_t)c;
  return 0;
}

/* A scalar YAML node as an integer in [lo, hi]; -1 with e set otherwise. */
static int yaml_int(YoloRead *r, const char *path, yaml_node_t *n, int64_t lo, int64_t hi, int64_t *v, const char *what) {
  if (!n || n->type != YAML_SCALAR_NODE ||
      field_integer((const char *)n->data.scalar.value, n->data.scalar.length, lo, hi, v) != 0)
    return err_set(r->e, "%s:%lu:%lu: %s: expected an integer %lld..%lld", path,
                   n ? (unsigned long)n->start_mark.line + 1 : 0, n ? (unsigned long)n->start_mark.column + 1 : 0,
                   what, (long long)lo, (long long)hi);
  return 0;
}

/* data.yaml: names (a list, or a map from class index), nc, kpt_shape. */
static int read_yaml(YoloRead *r, const char *path) {
  FILE *f = confine_fopen(path, r->e);
  if (!f) return -1;
  yaml_parser_t p;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&p)) {
    fclose(f);
    return err_nomem(r->e);
  }
  yaml_parser_set_input_file(&p, f);
  int rc = -1;
  if (!yaml_parser_load(&p, &doc)) {
    err_set(r->e, "%s:%lu:%lu: not YAML: %s", path, (unsigned long)p.problem_mark.line + 1,
            (unsigned long)p.problem_mark.column + 1, p.problem ? p.problem : "syntax error");
    yaml_parser_delete(&p);
    fclose(f);
    return -1;
  }
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  int64_t nc = -1;
  if (!root || root->type != YAML_MAPPING_NODE) {
    err_set(r->e, "%s: expected a mapping with names: and nc:", path);
    goto done;
  }
  for (yaml_node_pair_t *kv = root->data.mapping.pairs.start; kv < root->data.mapping.pairs.top; kv++) {
    yaml_node_t *k = yaml_document_get_node(&doc, kv->key), *v = yaml_document_get_node(&doc, kv->value);
    if (!k || k->type != YAML_SCALAR_NODE || !v) continue;
    const char *key = (const char *)k->data.scalar.value;
    char where[400];
    snprintf(where, sizeof where, "%s:%lu:%lu: names", path, (unsigned long)v->start_mark.line + 1,
             (unsigned long)v->start_mark.column + 1);
    if (strcmp(key, "nc") == 0) {
      if (yaml_int(r, path, v, 0, 1000000, &nc, "nc") != 0) goto done;
    } else if (strcmp(key, "kpt_shape") == 0) {
      yaml_node_item_t *it = v->type == YAML_SEQUENCE_NODE ? v->data.sequence.items.start : NULL;
      if (!it || v->data.sequence.items.top - it != 2 ||
          yaml_int(r, path, yaml_document_get_node(&doc, it[0]), 1, 100000, &r->kpt_k, "kpt_shape[0]") != 0 ||
          yaml_int(r, path, yaml_document_get_node(&doc, it[1]), 2, 3, &r->kpt_dims, "kpt_shape[1]") != 0) {
        if (!r->e->msg[0]) err_set(r->e, "%s:%lu: kpt_shape: expected [keypoints, 2 or 3]", path, (unsigned long)v->start_mark.line + 1);
        goto done;
      }
    } else if (v->type == YAML_SCALAR_NODE && strcmp(key, "path") != 0 &&
               folder_has_ext((const char *)v->data.scalar.value, ".txt")) {
      if (folder_list_add(&r->lists, (const char *)v->data.scalar.value, r->e) != 0) goto done;
    } else if (strcmp(key, "names") == 0) {
      r->names_known = 1;
      snprintf(r->names_file, sizeof r->names_file, "%s", folder_base(path));
      if (v->type == YAML_SEQUENCE_NODE) {
        uint32_t i = 0;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++, i++) {
          yaml_node_t *s = yaml_document_get_node(&doc, *it);
          if (!s || s->type != YAML_SCALAR_NODE) {
            err_set(r->e, "%s[%u]: expected a class name", where, i);
            goto done;
          }
          if (add_class(r, i, (const char *)s->data.scalar.value, s->data.scalar.length, where) != 0) goto done;
        }
      } else if (v->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
          yaml_node_t *qk = yaml_document_get_node(&doc, q->key), *qv = yaml_document_get_node(&doc, q->value);
          int64_t idx;
          if (yaml_int(r, path, qk, 0, 1000000, &idx, "names key") != 0) goto done;
          if (!qv || qv->type != YAML_SCALAR_NODE) {
            err_set(r->e, "%s[%lld]: expected a class name", where, (long long)idx);
            goto done;
          }
          if (add_class(r, (uint32_t)idx, (const char *)qv->data.scalar.value, qv->data.scalar.length, where) != 0)
            goto done;
        }
      } else {
        err_set(r->e, "%s: expected a list of class names or a map from class index to name", where);
        goto done;
      }
    }
  }
  if (!r->names_known) {
    err_set(r->e, "%s: no names: (the class names)", path);
    goto done;
  }
  if (nc >= 0 && (uint64_t)nc != r->ncls) {
    err_set(r->e, "%s: nc is %lld but names has %u classes", path, (long long)nc, r->ncls);
    goto done;
  }
  rc = 0;
done:
  yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  fclose(f);
  return rc;
}

/* A one-name-per-line class list (obj.names, classes.txt). */
static int read_names(YoloRead *r, const char *path) {
  LabelMap m;
  if (labelmap_read(path, 0, &m, r->e) != 0) return -1;
  int rc = 0;
  for (size_t i = 0; i < m.n && rc == 0; i++)
    if (m.v[i].name) rc = add_class(r, (uint32_t)i, m.v[i].name, strlen(m.v[i].name), path);
  labelmap_free(&m);
  r->names_known = 1;
  snprintf(r->names_file, sizeof r->names_file, "%s", folder_base(path));
  return rc;
}

/* The value of "key = value" in Darknet's obj.data, malloc'd, or NULL. */
static char *objdata_value(const char *text, const char *key, Err *e) {
  size_t k = strlen(key);
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    while (*p == ' ' || *p == '\t') p++;
    if (strncmp(p, key, k) != 0) continue;
    const char *q = p + k;
    while (*q == ' ' || *q == '\t') q++;
    if (*q != '=') continue;
    q++;
    while (*q == ' ' || *q == '\t') q++;
    size_t n = strcspn(q, "\r\n");
    while (n && (q[n - 1] == ' ' || q[n - 1] == '\t')) n--;
    return field_strndup(q, n, e);
  }
  return NULL;
}

/* Finds the class names: data.yaml (or another *.yaml with names), obj.data's
 * names = (Darknet paths start with data/, the folder itself), obj.names,
 * classes.txt (here or in labels/). */
static int find_names(YoloRead *r, const FolderList *all) {
  const char *root = r->root;
  for (size_t i = 0; i < all->n; i++)
    if (!strchr(all->v[i], '/') && (folder_has_ext(all->v[i], ".yaml") || folder_has_ext(all->v[i], ".yml"))) {
      char *p = folder_join(root, all->v[i], r->e);
      if (!p) return -1;
      char *text;
      size_t n;
      if (format_slurp(p, &text, &n, r->e) != 0) {
        free(p);
        return -1;
      }
      int has = strstr(text, "names") != NULL;
      free(text);
      int rc = has ? read_yaml(r, p) : 0;
      free(p);
      if (rc != 0 || r->names_known) return rc;
    }
  char *od = folder_join(root, "obj.data", r->e);
  if (!od) return -1;
  char *text = NULL, *names = NULL;
  size_t n;
  if (folder_kind(od) == 0 && format_slurp(od, &text, &n, r->e) == 0) {
    names = objdata_value(text, "names", r->e);
    static const char *const keys[] = {"train", "valid", "test"};
    for (int k = 0; k < 3; k++) {
      char *l = objdata_value(text, keys[k], r->e);
      int bad = l && folder_list_add(&r->lists, l, r->e) != 0;
      free(l);
      if (bad) {
        free(text);
        free(names);
        free(od);
        return -1;
      }
    }
  }
  free(text);
  free(od);
  const char *cands[5] = {names, names && strncmp(names, "data/", 5) == 0 ? names + 5 : NULL, "obj.names",
                          "classes.txt", "labels/classes.txt"};
  int rc = 0;
  for (int k = 0; k < 5 && !r->names_known && rc == 0; k++) {
    if (!cands[k]) continue;
    char *p = folder_join(root, cands[k], r->e);
    if (!p) rc = -1;
    else if (folder_kind(p) == 0) rc = read_names(r, p);
    free(p);
  }
  free(names);
  return rc;
}

/* Files that sit among label files but are not label files: class lists,
 * image lists, READMEs. */
static int not_labels(const YoloRead *r, const char *rel) {
  for (size_t i = 0; r && i < r->lists.n; i++)
    if (strcmp(r->lists.v[i], rel) == 0) return 1;
  const char *b = folder_base(rel);
  static const char *const skip[] = {"classes.txt", "obj.names", "train.txt", "valid.txt", "val.txt", "test.txt"};
  for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
    if (strcmp(b, skip[i]) == 0) return 1;
  return strncmp(b, "README", 6) == 0 || strncmp(b, "readme", 6) == 0;
}

/* 1 when a folder of rel is "labels" or Darknet's obj_<subset>_data. */
static int in_label_dir(const char *rel) {
  for (const char *p = rel; (p = strchr(p, '/')) != NULL; p++) {
    const char *s = p;
    while (s > rel && s[-1] != '/') s--;
    size_t n = (size_t)(p - s);
    if ((n == 6 && memcmp(s, "labels", 6) == 0) ||
        (n > 9 && memcmp(s, "obj_", 4) == 0 && memcmp(p - 5, "_data", 5) == 0))
      return 1;
  }
  return 0;
}

/* One item to be: an image, a label file, or both, under one key (the image
 * path without its extension). */
typedef struct Entry {
  char *key;
  const char *img, *lbl;     /* into the file list (img: or the absent images) */
  int absent;                /* img is named by an image list but not in the folder */
} Entry;

static int cmp_entry(const void *a, const void *b) {
  const Entry *p = a, *q = b;
  int c = strcmp(p->key, q->key);
  if (c) return c;
  return (p->img == NULL) - (q->img == NULL);   /* the image first */
}

/* The key of a file: for a label, its path with the last labels/ folder turned
 * into images/ (Ultralytics' img2label_paths, backwards); without the extension. */
static char *entry_key(const char *rel, int label, Err *e) {
  const char *dot = strrchr(rel, '.');
  size_t n = dot && !strchr(dot, '/') ? (size_t)(dot - rel) : strlen(rel);
  char *k = field_strndup(rel, n, e);
  if (!k || !label) return k;
  char *at = NULL;
  for (char *p = k; (p = strstr(p, "labels/")) != NULL; p++)
    if (p == k || p[-1] == '/') at = p;
  if (at) memcpy(at, "images", 6);
  return k;
}

/* The subset of a file: obj_<s>_data/, labels/<s>/x, images/<s>/x, <s>/labels/x, <s>/images/x. */
static StrId entry_subset(Dataset *d, const char *rel, Err *e) {
  const char *comp[16];
  size_t len[16], n = 0;
  for (const char *p = rel; n < 16;) {
    const char *s = strchr(p, '/');
    if (!s) break;
    comp[n] = p;
    len[n++] = (size_t)(s - p);
    p = s + 1;
  }
  for (size_t i = 0; i < n; i++) {
    const char *c = comp[i];
    if (len[i] > 9 && memcmp(c, "obj_", 4) == 0 && memcmp(c + len[i] - 5, "_data", 5) == 0)
      return strpool_intern(&d->str, c + 4, len[i] - 9, e);
    int li = (len[i] == 6 && memcmp(c, "labels", 6) == 0) || (len[i] == 6 && memcmp(c, "images", 6) == 0);
    if (!li) continue;
    if (i + 1 < n) return strpool_intern(&d->str, comp[i + 1], len[i + 1], e);
    if (i > 0) return strpool_intern(&d->str, comp[i - 1], len[i - 1], e);
    return 0;
  }
  return 0;
}

/* The category of class k: declared, or (without any names) added as "k". */
static int32_t class_category(YoloRead *r, double v, const char *where) {
  if (v != floor(v) || v < 0 || v > 1000000) {
    err_set(r->e, "%s: expected a class index (0, 1, ...), got %g", where, v);
    return -1;
  }
  uint32_t k = (uint32_t)v;
  if (k < r->ncls && r->cls[k] >= 0) return r->cls[k];
  if (r->names_known) {
    err_set(r->e, "%s: class %u has no name in the class list (%s)", where, k, r->names_file);
    return -1;
  }
  char name[16];
  snprintf(name, sizeof name, "%u", k);
  if (add_class(r, k, name, strlen(name), where) != 0) return -1;
  return r->cls[k];
}

/* One label file being read: the item it annotates, its size and the message prefix. */
typedef struct LabelLine {
  uint32_t item;
  double W, H, tol;
  Item box;                 /* the item, 1 x 1 when its size is unknown */
  StrId src;
  unsigned line;
  char where[400];
} LabelLine;

/* Splits the text [p, le) at blanks into r->vals (grown as needed); *nv gets the count. */
static int line_numbers(YoloRead *r, const char *p, const char *le, const char *where, size_t *nv) {
  *nv = 0;
  for (const char *q = p; q < le;) {
    while (q < le && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
    if (q == le) break;
    const char *t = q;
    while (q < le && *q != ' ' && *q != '\t' && *q != '\r') q++;
    if (*nv == r->capvals) {
      size_t cap = r->capvals ? r->capvals * 2 : 64;
      double *v = err_realloc(r->e, r->vals, cap, sizeof *v);
      if (!v) return -1;
      r->vals = v;
      r->capvals = cap;
    }
    if (field_number(t, (size_t)(q - t), &r->vals[*nv]) != 0)
      return err_set(r->e, "%s: expected numbers, got '%.*s'", where, (int)((q - t) > 40 ? 40 : q - t), t);
    (*nv)++;
  }
  return 0;
}

/* The keypoints of a line (kp of dims values each after the box) into a's coords,
 * giving the class its count of unnamed keypoints on first sight. */
static int line_keypoints(YoloRead *r, LabelLine *l, AnnInit *a, int32_t cat, const double *v, size_t kp,
                          size_t dims, double **coords) {
  Dataset *d = r->d;
  a->type = ANN_KEYPOINTS;
  double *c = *coords = err_malloc(r->e, (3 * kp + 1) * sizeof *c);
  if (!c) return -1;
  for (size_t k = 0; k < kp; k++) {
    const double *q = v + 4 + k * dims;
    c[3 * k] = q[0] * l->W;
    c[3 * k + 1] = q[1] * l->H;
    c[3 * k + 2] = dims == 3 ? q[2] : (q[0] == 0 && q[1] == 0 ? 0 : 2);
    if (c[3 * k + 2] != 0 && c[3 * k + 2] != 1 && c[3 * k + 2] != 2)
      return err_set(r->e, "%s: keypoint %zu visibility is %g; expected 0, 1 or 2", l->where, k + 1, q[2]);
  }
  Category *cg = &d->cats[cat];
  if (!cg->nkp) {   /* YOLO names no keypoints: kpt_shape's count of unnamed ones */
    StrId *names = err_calloc(r->e, kp + 1, sizeof *names);
    int rc = names ? dataset_set_keypoints(d, (uint32_t)cat, names, (uint32_t)kp, NULL, 0, r->e) : -1;
    free(names);
    if (rc != 0) return -1;
  } else if (cg->nkp != kp) {
    return err_set(r->e, "%s: expected %u keypoints for class '%s' as on its earlier lines, got %zu", l->where,
                   cg->nkp, strpool_get(&d->str, cg->name), kp);
  }
  a->coords = c;
  a->ncoords = (uint32_t)(3 * kp);
  field_check_points(r->g, &l->box, c, (uint32_t)kp, 3, l->tol, l->where);
  return 0;
}

/* A polygon line's n normalised values into a's coords and box. part must outlive a. */
static int line_polygon(YoloRead *r, LabelLine *l, AnnInit *a, const double *v, size_t n, int32_t *part,
                        double **coords) {
  a->type = ANN_POLYGON;
  double *c = *coords = err_malloc(r->e, n * sizeof *c);
  if (!c) return -1;
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (size_t k = 0; k < n; k += 2) {
    c[k] = v[k] * l->W;
    c[k + 1] = v[k + 1] * l->H;
    x0 = fmin(x0, c[k]), x1 = fmax(x1, c[k]), y0 = fmin(y0, c[k + 1]), y1 = fmax(y1, c[k + 1]);
  }
  *part = (int32_t)(n / 2);
  a->coords = c;
  a->ncoords = (uint32_t)n;
  a->parts = part;
  a->nparts = 1;
  a->bbox[0] = x0, a->bbox[1] = y0, a->bbox[2] = x1 - x0, a->bbox[3] = y1 - y0;
  field_check_points(r->g, &l->box, c, (uint32_t)(n / 2), 2, l->tol, l->where);
  return 0;
}

/* One line's numbers (class, then values) as an annotation: a box 'cx cy w h [score]',
 * a box with keypoints, or a polygon. */
static int label_line(YoloRead *r, LabelLine *l, size_t nv) {
  const double *v = r->vals + 1;
  size_t n = nv - 1;
  int32_t cat = class_category(r, r->vals[0], l->where);
  if (cat < 0) return -1;
  for (size_t k = 0; k < n; k++)
    if (fabs(v[k]) > 1e6)
      return err_set(r->e, "%s: value %g is out of range for a normalised coordinate", l->where, v[k]);
  AnnInit a = ann_init(l->item, cat, ANN_BOX);
  a.id = r->next_ann++;
  a.src_file = l->src;
  a.src_pos = l->line;
  size_t kp = 0, dims = 3;
  if (r->kpt_k) {
    kp = (size_t)r->kpt_k;
    dims = (size_t)r->kpt_dims;
    if (n != 4 + kp * dims)
      return err_set(r->e, "%s: expected class, 4 box values and %zu keypoints of %zu values (data.yaml kpt_shape), got %zu numbers",
                     l->where, kp, dims, nv);
  } else if (n >= 7 && n % 2 == 1 && (n - 4) % 3 == 0) {
    kp = (n - 4) / 3;
  } else if (n != 4 && n != 5 && (n < 6 || n % 2 != 0)) {
    return err_set(r->e, "%s: expected 'class cx cy w h', a polygon 'class x1 y1 x2 y2 x3 y3 ...' or box + keypoints, got %zu numbers",
                   l->where, nv);
  }
  if (n == 4 || n == 5 || kp) {
    if (v[2] < 0 || v[3] < 0)
      return err_set(r->e, "%s: box width and height must not be negative, got %g %g", l->where, v[2], v[3]);
    a.bbox[0] = (v[0] - v[2] / 2) * l->W;
    a.bbox[1] = (v[1] - v[3] / 2) * l->H;
    a.bbox[2] = v[2] * l->W;
    a.bbox[3] = v[3] * l->H;
    if (n == 5) a.score = v[4];
    field_check_box(r->g, &l->box, a.bbox, l->tol, l->where);
  }
  double *coords = NULL;
  int32_t part;
  int rc = kp ? line_keypoints(r, l, &a, cat, v, kp, dims, &coords)
         : n >= 6 ? line_polygon(r, l, &a, v, n, &part, &coords) : 0;
  if (rc == 0 && dataset_add_annotation(r->d, &a, r->e) < 0) rc = -1;
  free(coords);
  return rc;
}

/* Reads one label file into annotations of item (size W x H; 1 x 1 when unknown). */
static int read_labels(YoloRead *r, const char *path, uint32_t item, double W, double H) {
  char *buf;
  size_t len;
  if (format_slurp(path, &buf, &len, r->e) != 0) return -1;
  LabelLine l = {.item = item, .W = W, .H = H, .box = r->d->items[item]};
  l.src = strpool_intern(&r->d->str, path, strlen(path), r->e);
  if (l.src == (StrId)-1) {
    free(buf);
    return -1;
  }
  if (!l.box.width) l.box.width = l.box.height = 1;     /* normalised: check against 0..1 */
  l.tol = 1e-6 * fmax(l.box.width, l.box.height);
  int rc = 0;
  for (char *p = buf, *end = buf + len; p < end && rc == 0;) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *le = nl ? nl : end;
    l.line++;
    snprintf(l.where, sizeof l.where, "%s:%u", path, l.line);
    size_t nv;
    rc = line_numbers(r, p, le, l.where, &nv);
    p = nl ? nl + 1 : end;
    if (rc == 0 && nv > 0) rc = label_line(r, &l, nv);
  }
  free(buf);
  return rc;
}

/* The folder of a YOLO delivery: the path itself, or the folder of a data.yaml
 * or obj.data given as the path. */
static char *yolo_root(const char *path, Err *e) {
  if (folder_kind(path) == 1) return field_strndup(path, strlen(path), e);
  const char *b = folder_base(path);
  return b == path ? field_strndup(".", 1, e) : field_strndup(path, (size_t)(b - path - 1 ? b - path - 1 : 1), e);
}

/* Finds the names, pairs every image and label file by key, adds one item per
 * key (its image size from the header) and the label file's annotations. */
static int yolo_read(const char *path, Dataset *d, Diag *g, Err *e) {
  YoloRead r;
  memset(&r, 0, sizeof r);
  r.d = d;
  r.g = g;
  r.e = e;
  r.next_ann = 1;
  FolderList all = {0}, absent = {0};
  Entry *ents = NULL;
  size_t nents = 0;
  char *root = NULL, *p = NULL;
  int rc = -1;
  if (folder_kind(path) < 0) {
    err_errno(e, "%s", path);
    goto done;
  }
  root = yolo_root(path, e);
  if (!root) goto done;
  r.root = root;
  StrId fmt = strpool_intern(&d->str, "yolo", 4, e);
  if (fmt == (StrId)-1) goto done;
  d->format = fmt;
  d->src_kind = SRC_LINE;
  if (folder_list_tree(root, "", &all, e) != 0 || find_names(&r, &all) != 0 || yolo_read_lists(root, &r.lists, &all, &absent, e) != 0)
    goto done;
  if (!r.names_known)
    diag_warn(g, "no class names", "%s: no data.yaml, obj.names or classes.txt; classes are named by their index", root);
  int layout = 0;   /* any labels/ or obj_*_data/ folder: only files there are label files */
  for (size_t i = 0; i < all.n && !layout; i++) layout = in_label_dir(all.v[i]);
  ents = err_calloc(e, all.n + absent.n + 1, sizeof *ents);
  if (!ents) goto done;
  for (size_t i = 0; i < absent.n; i++) {
    ents[nents].key = entry_key(absent.v[i], 0, e);
    if (!ents[nents].key) goto done;
    ents[nents].img = absent.v[i];
    ents[nents++].absent = 1;
  }
  for (size_t i = 0; i < all.n; i++) {
    const char *f = all.v[i];
    int img = yolo_is_image(f);
    int lbl = !img && folder_has_ext(f, ".txt") && !not_labels(&r, f) && (!layout || in_label_dir(f));
    if (!img && !lbl) continue;
    if (folder_check_name(root, f, "an item's file name and subset", e) != 0) goto done;
    ents[nents].key = entry_key(f, lbl, e);
    if (!ents[nents].key) goto done;
    *(img ? &ents[nents].img : &ents[nents].lbl) = f;
    nents++;
  }
  if (nents) qsort(ents, nents, sizeof *ents, cmp_entry);
  size_t nlabels = 0;
  for (size_t i = 0; i < nents; i++) nlabels += ents[i].lbl != NULL;
  if (!nlabels) {
    err_set(e, "%s: no YOLO label files (*.txt in labels/, obj_<subset>_data/ or beside classes.txt)", path);
    goto done;
  }
  int64_t next_item = 1;
  for (size_t i = 0; i < nents; i++) {
    Entry *en = &ents[i];
    if (!en->img && !en->lbl) continue;
    /* an image and its label file share a key: join them */
    if (en->img && i + 1 < nents && !ents[i + 1].img && strcmp(ents[i + 1].key, en->key) == 0) {
      en->lbl = ents[i + 1].lbl;
      ents[i + 1].lbl = NULL;
    }
    const char *rel = en->img ? en->img : en->lbl;
    StrId file = strpool_intern(&d->str, en->img ? en->img : en->key, strlen(en->img ? en->img : en->key), e);
    StrId sub = entry_subset(d, rel, e);
    if (file == (StrId)-1 || sub == (StrId)-1) goto done;
    int32_t w = 0, h = 0;
    if (en->img && !en->absent) {
      free(p);
      p = folder_join(root, en->img, e);
      if (!p) goto done;
      if (image_size_read(p, &w, &h) != 0) w = h = 0;
    }
    int64_t it = dataset_add_item(d, next_item++, file, w, h, e);
    if (it < 0) goto done;
    d->items[it].subset = sub;
    if (!en->lbl) continue;
    free(p);
    p = folder_join(root, en->lbl, e);
    if (!p) goto done;
    if (!w)
      diag_warn(g, "image size unknown", "%s: %s; coordinates kept normalised (0..1)", p,
                en->absent ? "its image is named in an image list but is not in the folder"
                : en->img ? "the image header cannot be read" : "no image for it (images/ or beside it)");
    if (read_labels(&r, p, (uint32_t)it, w ? w : 1.0, h ? h : 1.0) != 0) goto done;
  }
  rc = 0;
done:
  for (size_t i = 0; i < nents; i++) free(ents[i].key);
  free(ents);
  folder_list_free(&all);
  folder_list_free(&absent);
  folder_list_free(&r.lists);
  free(r.cls);
  free(r.vals);
  free(root);
  free(p);
  return rc;
}

/* A folder with data.yaml, obj.data or obj.names, or labels/ or classes.txt
 * beside label files; or the data.yaml / obj.data file itself. */
static int yolo_detect(const char *path, int is_dir, const char *head, size_t n) {
  const char *b = folder_base(path);
  if (!is_dir) {
    if (strcmp(b, "obj.data") == 0) return 90;
    if ((folder_has_ext(b, ".yaml") || folder_has_ext(b, ".yml")) && head) {
      for (size_t i = 0; i + 6 <= n; i++)
        if (memcmp(head + i, "names:", 6) == 0) return 85;
    }
    return 0;
  }
  Err e = {0};
  FolderList l = {0};
  if (folder_list(path, &l, &e) != 0) return 0;
  int score = 0, txt = 0, classes = 0;
  for (size_t i = 0; i < l.n; i++) {
    const char *f = l.v[i];
    if (strcmp(f, "data.yaml") == 0 || strcmp(f, "obj.data") == 0 || strcmp(f, "obj.names") == 0) score = 90;
    else if (strcmp(f, "classes.txt") == 0) classes = 1;
    else if (folder_has_ext(f, ".txt") && !not_labels(NULL, f)) txt = 1;
    else if (strcmp(f, "labels") == 0 && score < 50) {
      char *p = folder_join(path, f, &e);
      if (p && folder_kind(p) == 1) score = 50;
      free(p);
    }
  }
  folder_list_free(&l);
  if (classes && (txt || score == 50)) score = score > 70 ? score : 70;
  return score;
}

const Format format_yolo = {
  "yolo", "YOLO TXT: Darknet (obj.data) or Ultralytics (data.yaml) folders; detect, segment, pose, OBB",
  yolo_detect, yolo_read, yolo_write,
};
