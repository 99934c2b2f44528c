/* COCO evaluation (pycocotools' COCOeval: evaluate, accumulate, summarize) over
 * plain arrays of gold and detected objects, with the same numbers. Knows
 * neither the model nor Lua; cocoeval_input.c builds its input from datasets. */
#ifndef ANNOVET_COCOEVAL_H
#define ANNOVET_COCOEVAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rle.h"

typedef enum CocoIouType { COCO_BBOX = 0, COCO_SEGM, COCO_KEYPOINTS } CocoIouType;

/* One gold or detected object, as pycocotools holds it after loadRes/_prepare. */
typedef struct CocoObj {
  uint32_t img, cat;     /* indices into the evaluated images and categories (sorted by id) */
  uint8_t crowd;         /* iscrowd */
  uint8_t ignore;        /* gold: 'ignore' (iscrowd; for keypoints also num_keypoints == 0) */
  uint8_t id_zero;       /* gold whose id is 0: pycocotools stores match ids and reads 0 as no
                            match, so a detection matched to it counts as unmatched */
  double score;          /* detections */
  double area;           /* 'area' (area ranges) */
  double bbox[4];        /* bbox: the box compared; keypoints: the gold box */
  Rle rle;               /* segm: the mask (a view; the caller owns the counts) */
  uint8_t mstats;        /* segm: marea holds the mask's area and the caller checked its
                            runs cover it; else the core does both */
  uint64_t marea;
  const double *kp;      /* keypoints: x y v for each of nsigmas keypoints */
} CocoObj;

typedef struct CocoInput {
  CocoIouType type;
  uint32_t nimg, ncat;
  const CocoObj *gt;  size_t ngt;   /* in file order (ties keep it, as pycocotools) */
  const CocoObj *dt;  size_t ndt;
  const double *sigmas; uint32_t nsigmas;   /* keypoints: one per keypoint */
  int use_cats;          /* 1 (default): match within categories; 0: across them */
} CocoInput;

#define COCO_T 10
#define COCO_R 101

/* The accumulated evaluation (COCOeval.eval) and its summary (COCOeval.stats). */
typedef struct CocoEval {
  CocoIouType type;
  uint32_t K, A, M;                 /* categories (1 without use_cats), area ranges, maxDets */
  double iou_thrs[COCO_T], rec_thrs[COCO_R];
  double area_rng[4][2];
  const char *area_lbl[4];
  uint32_t max_dets[3];
  double *precision;                /* [T][R][K][A][M], -1 where there is no gold */
  double *recall;                   /* [T][K][A][M] */
  double stats[12];
  uint32_t nstats;                  /* 12, or 10 for keypoints */
} CocoEval;

/* Runs evaluate + accumulate + summarize. On failure -1 with e set and ev empty. */
int cocoeval_evaluate(const CocoInput *in, CocoEval *ev, Err *e);

/* AP of category k as the per-class tables of detectron2 report it: the mean of
 * precision[t][.][k][area all][maxDets 100] over IoU threshold t (or over all
 * thresholds when t < 0), leaving out the -1 entries; -1 when none is left. */
double cocoeval_class_ap(const CocoEval *ev, uint32_t k, int t);

/* Index of IoU threshold v in ev->iou_thrs (exact comparison, as summarize), or -1. */
int cocoeval_iou_index(const CocoEval *ev, double v);

void cocoeval_free(CocoEval *ev);

#endif
