/* The annotation model: one dataset in columnar arrays. Knows no file format and
 * no database (formats and the store know the model). */
#ifndef ANNOVET_MODEL_H
#define ANNOVET_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* ---- strings: interned, id 0 is the empty string ---- */

typedef uint32_t StrId;

typedef struct StrPool {
  char *buf;            /* NUL-terminated strings back to back */
  size_t len, cap;
  uint32_t *off;        /* off[id] = offset of string id in buf */
  uint32_t n, ncap;
  uint32_t *slots;      /* open-addressing hash table of ids + 1 (0 = empty) */
  uint32_t nslots;
} StrPool;

const char *strpool_get(const StrPool *p, StrId id);
/* Interns len bytes of s (need not be NUL-terminated; an embedded NUL is kept
 * up to it). Returns the id, or (StrId)-1 with e set. */
StrId strpool_intern(StrPool *p, const char *s, size_t len, Err *e);

/* ---- annotations ---- */

typedef enum AnnType {
  ANN_BOX = 1,      /* geometry in bbox[]: x, y, w, h (COCO, continuous coordinates) */
  ANN_RBOX,         /* coords: cx, cy, w, h, angle (degrees, clockwise, y down: CVAT "rotation") */
  ANN_POLYGON,      /* coords: x0 y0 x1 y1 ... of every part; parts: points per part, negative = hole */
  ANN_MASK,         /* coords: h, w; rle: run lengths (COCO RLE, column-major, starting with 0s) */
  ANN_KEYPOINTS,    /* coords: x y v per keypoint (v: 0 not labelled, 1 occluded, 2 visible);
                       aux: num_keypoints as the file gives it (NaN when none) */
  ANN_POLYLINE,     /* coords: x y per point; aux: width (NaN when none) */
  ANN_CUBOID,       /* coords: 8 corners x y (CVAT order: tl1 bl1 tr1 br1 tl2 bl2 tr2 br2),
                       then optionally cx cy cz l w h yaw (3D): 16 or 23 numbers */
  ANN_TAG,          /* no geometry: the category is the label on the item */
  ANN_TEXT,         /* text: the OCR string; coords: none (box in bbox[]) or 8 (quadrilateral) */
  ANN_TYPE_COUNT
} AnnType;

const char *ann_type_name(AnnType t);          /* "box", "rbox", "polygon", ... */
int ann_type_parse(const char *name);          /* the inverse; -1 when unknown */

typedef enum Stage {
  STAGE_NONE = 0, STAGE_ANNOTATOR, STAGE_PEER, STAGE_ADJUDICATED
} Stage;

enum { ANN_FLAG_RLE_COMPRESSED = 1 };          /* the mask came as a COCO compressed string */

/* A keypoints annotation may also carry the object's segmentation (COCO's person
 * keypoints do): its polygon points are in seg[] with the parts in parts[], or its
 * mask is in rle[] with seg = h, w. Every other type leaves seg empty. */

#define ANN_NO_ID INT64_MIN

typedef enum AttrKind { ATTR_STRING = 0, ATTR_NUMBER, ATTR_BOOL } AttrKind;

typedef struct Attr {
  StrId key;
  StrId str;        /* ATTR_STRING: the value; otherwise the source text, or 0 */
  double num;       /* ATTR_NUMBER; ATTR_BOOL: 0 or 1 */
  uint8_t kind;
} Attr;

typedef struct Category {
  int64_t id;
  StrId name, supercategory;
  StrId *kp_names;  /* keypoint names (malloc'd), nkp of them */
  uint32_t nkp;
  int32_t *skeleton; /* pairs of 0-based keypoint indices (malloc'd), nsk pairs */
  uint32_t nsk;
} Category;

typedef struct Item {
  int64_t id;
  StrId file;       /* file name as the delivery gives it */
  int32_t width, height;   /* 0 when unknown */
  StrId subset;     /* "train", "val", ... or 0 */
  StrId hash;       /* content hash of the image when known, or 0 */
} Item;

/* What a reader passes to dataset_add_annotation; arrays are copied. */
typedef struct AnnInit {
  int64_t id;                 /* ANN_NO_ID when the format has none */
  uint32_t item;              /* index into items */
  int32_t cat;                /* index into cats, -1 for none */
  uint8_t type, stage, iscrowd, flags;
  int32_t annotator;          /* index into annotators, -1 for none */
  double score, area, aux;    /* NaN when absent */
  double bbox[4];             /* NaN when absent */
  const double *coords;  uint32_t ncoords;
  const int32_t *parts;  uint32_t nparts;
  const uint32_t *rle;   uint32_t nrle;
  const Attr *attrs;     uint32_t nattrs;
  const double *seg;     uint32_t nseg;     /* keypoints' segmentation (see above) */
  StrId text;
  StrId src_file;             /* where it came from, for messages and evidence */
  uint32_t src_pos;           /* line (SRC_LINE), array index (SRC_INDEX, SRC_ELEMENT)
                                 or the StrId of a JSON path (SRC_PATH) */
} AnnInit;

/* SRC_LINE: "file:line"; SRC_INDEX: "file: annotations[i]"; SRC_ELEMENT: "file: [i]",
 * element i of a top-level array (COCO results); SRC_PATH: "file: path", the
 * interned JSON path src_pos (Label Studio: "[0].annotations[1].result[3]"). */
typedef enum SrcKind { SRC_LINE = 0, SRC_INDEX, SRC_ELEMENT, SRC_PATH } SrcKind;

/* A growable array of T with count and capacity. */
#define VEC(T) struct { T *v; size_t n, cap; }

typedef struct Dataset {
  StrPool str;
  StrId format;                 /* "coco", "voc", ... as read */
  uint8_t src_kind;             /* how src_pos reads: line or "annotations[i]" */
  uint8_t runs_dropped;         /* set before reading: mask runs are checked, not kept
                                   (a parse whose only product is the counts) */

  Category *cats;  uint32_t ncats, capcats;
  Item *items;     uint32_t nitems, capitems;
  StrId *annotators; uint32_t nannotators, capannotators;

  /* annotation columns, nann rows */
  uint32_t nann, capann;
  int64_t *id;
  uint32_t *item;
  int32_t *cat;
  uint8_t *type, *stage, *iscrowd, *flags;
  int32_t *annotator;
  double *score, *area, *aux;
  double *bbox;                 /* 4 per row */
  StrId *text;
  StrId *src_file;
  uint32_t *src_pos;
  uint32_t *g_off, *g_n;        /* into coords */
  uint32_t *p_off, *p_n;        /* into parts */
  uint32_t *r_off, *r_n;        /* into rle */
  uint32_t *a_off, *a_n;        /* into attrs */
  uint32_t *s_off, *s_n;        /* into seg */

  VEC(double) coords;
  VEC(int32_t) parts;
  VEC(uint32_t) rle;
  VEC(Attr) attrs;
  VEC(double) seg;

  /* id -> index maps (open addressing), built as items and categories are added */
  uint32_t *item_slots, nitem_slots;
  uint32_t *cat_slots, ncat_slots;
} Dataset;

Dataset *dataset_new(Err *e);
void dataset_free(Dataset *d);

/* Each returns the new index, or -1 with e set (a duplicate id is an error). */
int64_t dataset_add_category(Dataset *d, int64_t id, StrId name, StrId super, Err *e);
int64_t dataset_add_item(Dataset *d, int64_t id, StrId file, int32_t w, int32_t h, Err *e);
int64_t dataset_add_annotation(Dataset *d, const AnnInit *a, Err *e);
/* Index of the annotator with this name, added when new; -1 with e set on failure. */
int64_t dataset_annotator(Dataset *d, StrId name, Err *e);

/* Index by id, or -1 when absent. */
int64_t dataset_find_item(const Dataset *d, int64_t id);
int64_t dataset_find_category(const Dataset *d, int64_t id);
int64_t dataset_category_by_name(const Dataset *d, const char *name);

/* An AnnInit with every optional field absent (NaN, -1, ANN_NO_ID). */
AnnInit ann_init(uint32_t item, int32_t cat, AnnType type);

/* "file:line" or "file: annotations[i]" for annotation i, into buf ("file" alone
 * when the line is 0: a whole-file source such as a label image). */
void dataset_source(const Dataset *d, uint32_t i, char *buf, size_t n);

/* ---- whole-dataset operations (model_ops.c) ---- */

/* Counts annotations (those with keep[i] set, or all when keep is NULL) by type
 * (by_type[ANN_TYPE_COUNT]), by category (by_cat[ncats + 1], the last for none)
 * and by annotator (by_ann[nannotators + 1], the last for none). Any of the
 * output arrays may be NULL. Returns how many were counted. */
uint64_t dataset_count(const Dataset *d, const uint8_t *keep, uint64_t *by_type,
                       uint64_t *by_cat, uint64_t *by_ann);

/* A new dataset with d's strings, categories and annotators, the items with
 * keep_item set (all when NULL), and the annotations with keep_ann set (all when
 * NULL) whose item is kept. Indices change; ids, names and sources do not. */
Dataset *dataset_subset(const Dataset *d, const uint8_t *keep_item, const uint8_t *keep_ann,
                        Err *e);

/* Copies src's items and categories (with keypoints) into the empty dst, so a
 * reader can resolve ids against a ground truth (COCO results files). */
int dataset_copy_meta(Dataset *dst, const Dataset *src, Err *e);

/* Sets category c's keypoint names and 0-based skeleton pairs (copied). */
int dataset_set_keypoints(Dataset *d, uint32_t c, const StrId *names, uint32_t nkp,
                          const int32_t *skeleton, uint32_t nsk, Err *e);

#endif
