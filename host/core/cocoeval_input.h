/* Builds cocoeval's plain input from a ground-truth and a results dataset, the
 * way pycocotools' COCO.loadRes and COCOeval._prepare see them. */
#ifndef ANNOVET_COCOEVAL_INPUT_H
#define ANNOVET_COCOEVAL_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "cocoeval.h"
#include "err.h"
#include "model.h"

typedef struct CocoOpts {
  CocoIouType type;
  const int64_t *img_ids;  size_t nimg_ids;   /* images evaluated (NULL: every gt image) */
  const int64_t *cat_ids;  size_t ncat_ids;   /* categories evaluated (NULL: every gt category) */
  const double *sigmas;    uint32_t nsigmas;  /* keypoints (NULL: COCO's 17 person sigmas) */
  int use_cats;
} CocoOpts;

/* The input and everything it points to that the datasets do not hold. */
typedef struct CocoData {
  CocoInput in;
  CocoObj *gt, *dt;
  uint32_t *cat_of;           /* evaluated category k -> category index in the gt dataset */
  uint32_t *gt_ann;           /* gt object -> annotation index in the gt dataset */
  uint32_t *pool;  size_t npool, cappool;   /* runs of masks rasterised here */
  size_t unknown_imgs, unknown_cats;        /* ids asked for that the gt does not have */
  size_t unknown_dt_cats;                   /* results of categories the gt does not have */
} CocoData;

/* Fills out from gt and dt (a results file; its images and categories are
 * matched to gt's by id, and loadRes' rules applied to it). As pycocotools,
 * results of an image the gt lacks are an error, of a category it lacks left out
 * (counted). Errors name the file and annotation, e.g. "dt.json: [3]: no score". */
int cocoeval_input_build(const Dataset *gt, const Dataset *dt, const CocoOpts *o, CocoData *out,
                     Err *e);

void cocoeval_input_free(CocoData *c);

#endif
