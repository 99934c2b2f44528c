/* The COCO reader's state, shared by coco_read.c (the file, images, categories)
 * and coco_read_ann.c (annotations). */
#ifndef ANNOVET_COCO_INTERNAL_H
#define ANNOVET_COCO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "formats.h"
#include "json_read.h"
#include "model.h"

#define ID_MIN (-9007199254740992LL)
#define ID_MAX 9007199254740992LL

typedef struct IdSet {       /* annotation ids seen, with where (open addressing) */
  int64_t *id;
  uint32_t *at;              /* array index + 1; 0 = empty slot */
  size_t n, cap;
} IdSet;

/* Where an RLE object's "counts" went. */
enum { COUNTS_CJSON, COUNTS_NUMBERS, COUNTS_TEXT };

/* The members of an annotation read straight from the text, not by cJSON: the
 * arrays, then the scalars (read when they are numbers, into AnnRead.val). */
enum { M_BBOX, M_KEYPOINTS, M_SEGMENTATION, M_ID, M_IMAGE_ID, M_CATEGORY_ID, M_SCORE, M_AREA, M_ISCROWD,
       M_COUNT };

/* One annotation object as read: the big numeric arrays scanned from the text
 * into numbers, every other member parsed by cJSON into obj (small: ids, area,
 * attributes...). A member that is not as expected (not an array of numbers, say)
 * is parsed by cJSON too, so the checks name it as before. */
typedef struct AnnRead {
  cJSON *obj;                /* the members not scanned, in their order */
  cJSON *rle;                /* segmentation as an object: its members but "counts" read here */
  uint8_t seen[M_COUNT];     /* member met (a repeat is parsed and dropped: the first counts) */
  uint8_t scanned[M_COUNT];  /* read from the text: bb, kp, poly (or rle) hold it */
  double val[M_COUNT];       /* a scanned scalar member's number */
  uint8_t counts_seen, size_seen;
  uint8_t counts_from;       /* COUNTS_CJSON (in rle, if at all), COUNTS_NUMBERS, COUNTS_TEXT */
  uint8_t size_scanned;      /* the RLE's "size" is in size, not in rle */
  const char *counts_text;   /* a compressed string: its bytes in the text, or esc */
  size_t counts_len;
  char *esc; size_t esccap;  /* a compressed string with escapes, unescaped */
  JNums bb, kp, poly, counts, size;
} AnnRead;

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
  AnnRead ar;
  double *num;  size_t ncap;          /* scratch: numbers of one array (cJSON) */
  int32_t *pt;  size_t ptcap;         /* parts */
  uint32_t *rl; size_t rlcap;         /* runs */
  Attr *at;     size_t atcap;
  StrId *kn;    size_t kncap;         /* keypoint names */
  int32_t *sk;  size_t skcap;         /* skeleton */
} Coco;

/* Interns s in the dataset's strings; (StrId)-1 with e set on failure. */
StrId coco_intern(Coco *k, const char *s, Err *e);

/* Reads the annotation (or results element) starting at pos, element i of its
 * array, into k->d; returns where it ends, or -1 with c->e set. A JPosFn. */
long coco_annotation(JCtx *c, size_t pos, uint32_t i, void *arg);

/* Frees what coco_annotation keeps between annotations. */
void coco_ann_free(Coco *k);

#endif
